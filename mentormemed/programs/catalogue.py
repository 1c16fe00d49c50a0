"""Program templates an admin starts from: a milestone plan counted from the match date.

The template is copied into the program's own milestones when the program is made, so the
admin can change them without touching the template or other programs.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MilestoneSpec:
    offset_days: int
    title: str
    detail: str = ""


@dataclass(frozen=True)
class Template:
    key: str
    label: str
    description: str
    audience_levels: tuple[str, ...]
    milestones: tuple[MilestoneSpec, ...]
    circle_size: int = 6


TEMPLATES: dict[str, Template] = {
    t.key: t
    for t in [
        Template(
            "first_year_cohort",
            "First-year cohort (matched at orientation)",
            "Every incoming MS1 is offered a mentor in the first weeks and keeps them through the first year.",
            ("MS1",),
            (
                MilestoneSpec(7, "Mentoring compact", "Agree expectations, meeting rhythm and first goals."),
                MilestoneSpec(35, "Early check-in", "Is the match working for both of you?"),
                MilestoneSpec(90, "Goals review", "Look at the goals together and adjust them."),
                MilestoneSpec(180, "Six-month evaluation", "The mentee evaluates the mentorship."),
            ),
        ),
        Template(
            "residency_season",
            "Residency-application season",
            "Fourth-year students paired with faculty from personal statement to match day.",
            ("MS4",),
            (
                MilestoneSpec(7, "Mentoring compact", "Agree how you will work through the season."),
                MilestoneSpec(30, "Personal statement draft", "The mentor reads a first draft."),
                MilestoneSpec(60, "Program list", "Discuss where to apply and why."),
                MilestoneSpec(90, "Interview practice", "A mock interview with feedback."),
                MilestoneSpec(150, "Rank list conversation", "Talk the rank list through before it is certified."),
            ),
        ),
        Template(
            "society_circle",
            "Society circle (national)",
            "Small circles of learners with one or two facilitating mentors, meeting monthly.",
            (),
            (
                MilestoneSpec(14, "First circle meeting", "Introductions and the circle's goals."),
                MilestoneSpec(60, "Mid-point reflection", "What the circle has been most useful for."),
                MilestoneSpec(120, "Closing meeting", "Celebrate and plan what comes next."),
            ),
            circle_size=8,
        ),
    ]
}


def template_choices() -> list[tuple[str, str]]:
    return [(t.key, t.label) for t in TEMPLATES.values()]
