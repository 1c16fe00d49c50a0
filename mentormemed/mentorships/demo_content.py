"""Words for demo mentorships: every thread, goal list and compact is composed for its pair.

A real program never has two mentorships with the same messages or goals, so the demo
composes them from the pair's names, the areas the request was about and how the
mentorship went (an ended one's thread agrees with its reason).
"""

from __future__ import annotations

import random

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October"]

OPENINGS = [
    "Thank you for accepting, Dr. {mentor}! I'd love to start with {area}.",
    "Hi Dr. {mentor} — thanks for saying yes. {area_cap} is where I feel most lost right now.",
    "Dr. {mentor}, I'm so glad you have room for me. Could our first talk be about {area}?",
    "Thanks for taking me on, Dr. {mentor}. I've been putting off {area} for months and need a push.",
    "Hello Dr. {mentor}! Thank you for the welcome note. Is it all right if we begin with {area}?",
]
REPLIES = [
    "Welcome, {mentee}. Before we meet, write down the one question about {area} that keeps you up at night.",
    "Glad to, {mentee}. Send me what you have so far on {area} — rough notes are perfect.",
    "Of course. Let's take {area} in small steps; pick a time that works from my calendar.",
    "Happy to help, {mentee}. I struggled with {area} too; I'll tell you what I wish someone had told me.",
    "Yes, {mentee} — bring a list of three people whose path you admire. We'll work back from there.",
]
MIDDLES = [
    "I tried what you suggested and it helped more than I expected. Can we go one step further?",
    "Quick update: I talked to the clerkship director like you said. She was kind about it.",
    "I'm behind on what we planned — rotations ate my week. Still on for {month}?",
    "I drafted something — attaching it here. Be honest!",
    "Reading your comments now. The part about telling my own story really landed.",
    "Could we move our next call by a week? My exam got rescheduled.",
]
MENTOR_MIDDLES = [
    "That's real progress, {mentee}. Next: one concrete ask of one person before {month}.",
    "Your draft is stronger than you think. Cut the first paragraph and start with the patient.",
    "No apology needed — rotations come first. Let's keep {month} and make it short.",
    "I've copied a colleague who knows this area well; she offered to meet you.",
    "Remember to rest. Nothing we do here matters more than you staying well.",
]
CLOSINGS = {
    "goals_met": [
        "I matched into my first-choice program — I couldn't have done it without these talks. Thank you!",
        "We did it: every goal on our list is done. Thank you for believing in me, Dr. {mentor}.",
    ],
    "time": [
        "This term is overwhelming and I can't give our talks the time they deserve. Thank you for everything.",
        "My schedule just changed completely. Can we pause for now? I'm grateful for all your help.",
    ],
    "moved_on": [
        "I'm starting residency across the country, so I'll be in a new program. Thank you for these months!",
        "I've changed my specialty plans and found a mentor in that field — thank you for helping me see it.",
    ],
    "not_a_fit": [
        "I think I need someone closer to my specialty of interest. Thank you for your honesty and time.",
        "Thank you for the first conversations — I realised I need help with something different right now.",
    ],
    "other": ["Thank you for your time, Dr. {mentor}. I'll reach out again when things settle."],
}
GOALS = {
    "residency_applications": [
        "Draft the personal statement by {month}",
        "Ask {n} faculty for letters",
        "Make the program list",
    ],
    "research": ["Find a research mentor for the summer", "Submit an abstract by {month}", "Learn basic REDCap"],
    "first_gen_navigation": [
        "Map the hidden curriculum of third year",
        "Set up a monthly budget",
        "Meet the dean of students",
    ],
    "mental_health_wellness": [
        "Protect one evening a week",
        "Book a visit with student wellness",
        "Sleep before shifts",
    ],
    "career_advancement": ["Update the CV", "Find one leadership role for {month}", "Shadow in clinic {n} times"],
    "navigating_bias": [
        "Practise one response to a microaggression",
        "Find the reporting route",
        "Join the SNMA chapter",
    ],
    "teaching": ["Lead one near-peer session by {month}", "Get feedback on a teaching session"],
    "interview_preparation": ["Do {n} mock interviews", "Write three stories for behavioural questions"],
    "work_life_balance": ["Keep Sundays free through {month}", "Plan one trip home this term"],
    "qi_patient_safety": ["Join a QI project on the wards", "Present the QI poster in {month}"],
    "leadership_administration": ["Run for a committee seat", "Chair {n} student council meetings"],
    "medico_legal": ["Read the consent policy with a question list", "Sit in on a risk-management review"],
    "clinical_practice": ["Present {n} patients on rounds without notes", "Ask for feedback after every call shift"],
    "advocacy": ["Write to the state representative about {month}'s bill", "Volunteer at the free clinic {n} times"],
    "specialty_choice": ["Shadow {n} specialties before {month}", "List what I want in a specialty"],
    "test_taking": ["Set a Step study calendar", "Finish {n} question blocks a week"],
    "financial_planning": ["Compare loan repayment plans", "Build a {n}-month emergency fund"],
    "contracts_negotiation": ["Read one contract line by line", "Practise asking for protected time"],
    "sponsorship": ["Be nominated for one opportunity by {month}", "Present at the department meeting"],
    "medical_school_admissions": ["Finish the primary application by {month}", "Ask {n} people to read my essays"],
    "away_rotations": ["Choose {n} away rotations", "Apply through VSLO by {month}"],
    "personal_statement": ["Write the first draft by {month}", "Get {n} readers for the statement"],
    "fellowship_applications": ["Pick {n} fellowship programs", "Ask for the fellowship letters by {month}"],
    "scholarship_publishing": ["Submit the case report by {month}", "Revise the manuscript after review"],
    "grant_writing": ["Outline the specific aims", "Apply for the summer grant by {month}"],
    "academic_medicine_careers": ["Talk to {n} clinician-educators", "Map the path to a faculty position"],
    "networking": ["Introduce myself at the regional meeting in {month}", "Have coffee with {n} alumni"],
    "professional_identity": [
        "Write down what kind of doctor I want to be",
        "Reflect after {n} hard patient encounters",
    ],
    "global_health": ["Find a global health elective", "Learn the ethics of short-term trips"],
}
GENERIC_GOALS = [
    "Meet every month through {month}",
    "Read {n} chapters of the book we chose",
    "Set one goal per meeting",
    "Send a short update before each meeting",
    "Try one new study method by {month}",
]
EXPECTATIONS = [
    "We answer messages within {n} days",
    "we keep what we share between us",
    "we say so honestly when something is not working",
    "{mentee} brings an agenda to each meeting",
    "we cancel at least a day ahead",
    "we check in on wellbeing first",
]
RHYTHMS = ["{n}0 minutes every month, by video", "Every two weeks at lunch", "Monthly, alternating video and in person"]


def _fill(text: str, rng: random.Random, **names) -> str:
    return text.format(month=rng.choice(MONTHS), n=rng.randint(2, 4), **names)


_USED_THREADS: set[tuple[str, ...]] = set()


def thread(
    rng: random.Random, *, mentee: str, mentor: str, areas: list[str], ended: str = "", length: int | None = None
) -> list[tuple[str, str]]:
    """(side, body) messages for one mentorship, starting with the first days and, if it ended, its
    reason; never the same thread twice in one demo."""
    for _ in range(30):
        messages = _thread(rng, mentee=mentee, mentor=mentor, areas=areas, ended=ended, length=length)
        if tuple(body for _, body in messages) not in _USED_THREADS:
            break
    _USED_THREADS.add(tuple(body for _, body in messages))
    return messages


def _thread(rng, *, mentee: str, mentor: str, areas: list[str], ended: str, length: int | None):
    area = areas[0].lower() if areas else "finding my way in medicine"
    names = {"mentee": mentee, "mentor": mentor, "area": area, "area_cap": area[:1].upper() + area[1:]}
    messages = [
        ("mentee", _fill(rng.choice(OPENINGS), rng, **names)),
        ("mentor", _fill(rng.choice(REPLIES), rng, **names)),
    ]
    rounds = length if length is not None else rng.randint(0, 2)
    for _ in range(rounds):
        messages.append(("mentee", _fill(rng.choice(MIDDLES), rng, **names)))
        messages.append(("mentor", _fill(rng.choice(MENTOR_MIDDLES), rng, **names)))
    if ended:
        messages.append(("mentee", _fill(rng.choice(CLOSINGS.get(ended, CLOSINGS["other"])), rng, **names)))
    return messages


_USED_GOALS: set[tuple[str, ...]] = set()


def start() -> None:
    """Forget the goal lists handed out (a new demo is being built)."""
    _USED_GOALS.clear()
    _USED_THREADS.clear()


def goals(rng: random.Random, *, area_keys: list[str], done: bool = False) -> list[tuple[str, int]]:
    """Two or three goals from the request's areas, with progress; ``done``: the mentorship met them.

    No two mentorships of one demo get the same list (as in a real program)."""
    pool = [g for key in area_keys for g in GOALS.get(key, [])] + GENERIC_GOALS
    for _ in range(50):
        texts = [_fill(t, rng) for t in rng.sample(pool, k=rng.randint(2, 3))]
        if tuple(sorted(texts)) not in _USED_GOALS:
            break
    _USED_GOALS.add(tuple(sorted(texts)))
    return [(text, 100 if done else rng.choice([0, 10, 25, 40, 60, 80])) for text in texts]


def compact(rng: random.Random, *, mentee: str) -> tuple[str, str]:
    parts = [_fill(p, rng, mentee=mentee) for p in rng.sample(EXPECTATIONS, k=3)]
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + ".", _fill(rng.choice(RHYTHMS), rng)
