"""Demo profiles that reproduce the pilot's diversity exactly (seed 002, PRODUCT.md):

100 mentors across 17 specialties and 30 subspecialties, 4 racial identities, 3 sexual
orientations, 4 native languages, 29 home states and 4 home countries. A few mentors
are incomplete or have not consented (so they are not searchable). Mentees have ranked
needs and affinities, so recommendations are meaningful; the featured mentee (Adaeze
Nwosu, MS3, URiM and first-generation) gets explainable suggestions.
"""

from __future__ import annotations

from mentormemed.core.access import Actor
from mentormemed.core.demo import DemoContext
from mentormemed.profiles import services
from mentormemed.profiles.models import (
    ContentArea,
    IdentityDimension,
    IdentityOption,
    IdentityValue,
    Language,
    MentorProfile,
    Region,
    Specialty,
    TrainingLevel,
)

# 17 specialties with the subspecialties used (30 in all).
SPECIALTIES = {
    "internal_medicine": [
        "internal_medicine_cardiovascular_disease",
        "internal_medicine_infectious_disease",
        "internal_medicine_nephrology",
        "internal_medicine_gastroenterology",
    ],
    "pediatrics": [
        "pediatrics_neonatal_perinatal_medicine",
        "pediatrics_adolescent_medicine",
        "pediatrics_pediatric_hematology_oncology",
    ],
    "family_medicine": ["family_medicine_sports_medicine", "family_medicine_geriatric_medicine"],
    "general_surgery": ["general_surgery_pediatric_surgery", "general_surgery_surgical_critical_care"],
    "obstetrics_gynecology": [
        "obstetrics_gynecology_maternal_fetal_medicine",
        "obstetrics_gynecology_gynecologic_oncology",
    ],
    "psychiatry": ["psychiatry_child_and_adolescent_psychiatry", "psychiatry_addiction_psychiatry"],
    "emergency_medicine": ["emergency_medicine_pediatric_emergency_medicine", "emergency_medicine_medical_toxicology"],
    "anesthesiology": ["anesthesiology_pain_medicine", "anesthesiology_critical_care_medicine"],
    "neurology": ["neurology_child_neurology", "neurology_vascular_neurology"],
    "diagnostic_radiology": ["diagnostic_radiology_neuroradiology"],
    "pathology": ["pathology_cytopathology"],
    "orthopaedic_surgery": ["orthopaedic_surgery_hand_surgery", "orthopaedic_surgery_orthopaedic_sports_medicine"],
    "dermatology": ["dermatology_pediatric_dermatology"],
    "physical_medicine_rehabilitation": ["physical_medicine_rehabilitation_spinal_cord_injury_medicine"],
    "preventive_medicine": ["preventive_medicine_public_health_and_general_preventive_medicine"],
    "otolaryngology": ["otolaryngology_pediatric_otolaryngology"],
    "urology": ["urology_pediatric_urology"],
}
RACES = {  # 4 racial identities (OMB SPD-15 minimum categories), with some detail
    "black": ["black_african_american", "black_nigerian", "black_jamaican", "black_haitian"],
    "hispanic_latino": ["hispanic_mexican", "hispanic_puerto_rican", "hispanic_dominican"],
    "asian": ["asian_filipino", "asian_vietnamese"],
    "white": [],
}
RACE_WEIGHTS = [40, 32, 14, 14]
ORIENTATIONS = (["straight", "lesbian_gay", "bisexual"], [80, 12, 8])
NATIVE = (["en", "es", "vi", "yo"], [70, 20, 5, 5])
COUNTRIES = {"NG": "yo", "MX": "es", "PH": "en"}  # home countries besides the US (4 in all)
STATES = [
    "AL",
    "AZ",
    "CA",
    "CO",
    "CT",
    "FL",
    "GA",
    "IL",
    "IN",
    "KY",
    "LA",
    "MD",
    "MA",
    "MI",
    "MN",
    "MS",
    "MO",
    "NJ",
    "NM",
    "NY",
    "NC",
    "OH",
    "OK",
    "PA",
    "SC",
    "TN",
    "TX",
    "VA",
    "WA",
]  # 29 home states
RANKS = ["Assistant Professor", "Associate Professor", "Professor", "Clinical Assistant Professor", "Instructor"]
BIO_OPENINGS = [
    "I grew up {home} and was the first in my family to finish college.",
    "My path into medicine ran through community college, night shifts and a lot of generous mentors.",
    "I came to medicine after a first career in public health {home}.",
    "I trained {home} and chose my specialty late, after a rotation that changed my mind.",
]
BIO_MIDDLE = [
    "I help learners plan their next step, find research that fits, and say no to the tasks that do not.",
    "I enjoy reading personal statements, running mock interviews and talking through specialty choice.",
    "I care about sustainable careers: boundaries, finances and finding a community at work.",
    "I have sat on admissions and residency selection committees and will share what they look for.",
]
AVAILABILITY = [
    "Two video calls a month, weekday evenings; I answer messages within two days.",
    "One meeting a month plus e-mail in between; mornings before clinic work best.",
    "Every other week over lunch (virtual); quick questions by message any time.",
    "Monthly calls on Saturdays; I reply to messages within 48 hours.",
]
AREA_POOL = [
    "residency_applications",
    "research",
    "specialty_choice",
    "work_life_balance",
    "financial_planning",
    "navigating_bias",
    "first_gen_navigation",
    "mental_health_wellness",
    "leadership_administration",
    "teaching",
    "clinical_practice",
    "career_advancement",
    "test_taking",
    "personal_statement",
    "interview_preparation",
    "advocacy",
    "qi_patient_safety",
    "scholarship_publishing",
    "contracts_negotiation",
    "academic_medicine_careers",
    "networking",
    "sponsorship",
    "professional_identity",
    "away_rotations",
]
FEATURED_NEEDS = ["residency_applications", "research", "financial_planning", "navigating_bias"]


def build(ctx: DemoContext) -> None:
    lookup = _Lookup()
    mentors = list(ctx.mentors)
    _assign_pilot_mentors(ctx, mentors, lookup)
    for membership in ctx.mentees:
        _mentee(ctx, membership, lookup)
    _spanish_reader(ctx)


SPANISH_READER = {
    "she/her": ("Lucía", "Hernández"),
    "he/him": ("Mateo", "Hernández"),
    "they/them": ("Ari", "Hernández"),
}


def _spanish_reader(ctx) -> None:
    """One onboarded Northgate mentee who speaks Spanish reads MentorMeMed in Spanish: a named sign-in.

    No random draw, so everyone else in the demo stays exactly as before."""
    from allauth.account.models import EmailAddress

    from mentormemed.accounts.models import MenteeEligibility, ReviewStatus
    from mentormemed.core.demo import DEMO_DOMAIN

    northgate = ctx.institutions["northgate"].pk
    reader = next(
        m
        for m in ctx.mentees
        if m.institution_id == northgate
        and m != ctx.featured.get("mentee")
        and MenteeEligibility.objects.filter(membership=m, status=ReviewStatus.CONFIRMED).exists()
        and services.mentee_profile_for(m).languages.filter(key="es").exists()
    )
    user = reader.user
    first, last = SPANISH_READER.get(user.pronouns, SPANISH_READER["they/them"])
    taken = ctx.names.setdefault(northgate, set())
    if (first, last) in taken:
        last = "Ramírez"
    taken.add((first, last))
    email = f"estudiante@{DEMO_DOMAIN}"
    EmailAddress.objects.filter(user=user).update(email=email)
    user.first_name, user.last_name, user.email, user.language = first, last, email, "es"
    user.save(update_fields=["first_name", "last_name", "email", "language"])
    ctx.featured["mentee_es"] = reader
    ctx.sign_ins.append(("mentee", email, "reads every page, e-mail and PDF in Spanish"))


class _Lookup:
    def __init__(self):
        self.spec = {s.key: s for s in Specialty.objects.all()}
        self.area = {a.key: a for a in ContentArea.objects.all()}
        self.lang = {lang.key: lang for lang in Language.objects.all()}
        self.state = {r.code: r for r in Region.objects.filter(kind="state")}
        self.country = {r.code: r for r in Region.objects.filter(kind="country")}
        self.dim = {d.key: d for d in IdentityDimension.objects.all()}
        self.opt = {(o.dimension.key, o.key): o for o in IdentityOption.objects.select_related("dimension")}


def _cycle_plan(ctx, n: int) -> list[dict]:
    """Per-mentor attributes: every listed value appears at least once, the rest are weighted draws."""
    rng = ctx.rng
    specs = list(SPECIALTIES)
    subs = [(spec, sub) for spec in specs for sub in SPECIALTIES[spec]]
    plan = []
    for i in range(n):
        spec, sub = subs[i] if i < len(subs) else rng.choice(subs)
        race = list(RACES)[i] if i < len(RACES) else rng.choices(list(RACES), RACE_WEIGHTS)[0]
        orientation = ORIENTATIONS[0][i] if i < 3 else rng.choices(*ORIENTATIONS)[0]
        native = NATIVE[0][i] if i < 4 else rng.choices(*NATIVE)[0]
        plan.append({"spec": spec, "sub": sub, "race": race, "orientation": orientation, "native": native})
    # Home: 3 mentors from each non-US country (9), the rest cover all 29 states.
    rng.shuffle(plan)
    for i, row in enumerate(plan):
        if i < 9:
            country = list(COUNTRIES)[i % 3]
            row.update(country=country, state=None, native=COUNTRIES[country] if i < 3 else row["native"])
        else:
            row.update(country="US", state=STATES[(i - 9) % len(STATES)])
    return plan


def _assign_pilot_mentors(ctx, mentors, lookup) -> None:
    plan = _cycle_plan(ctx, len(mentors))
    featured = ctx.featured.get("mentor")
    # Reserve a plan row that is Black, first-generation, from Illinois for the featured mentor.
    for index, membership in enumerate(mentors):
        row = plan[index]
        is_featured = membership == featured
        if is_featured:
            row.update(race="black", state="IL", country="US")
        _mentor(ctx, membership, row, lookup, featured=is_featured, index=index)


def _mentor(ctx, membership, row, lookup, *, featured: bool, index: int) -> MentorProfile:
    rng = ctx.rng
    home = f"in {lookup.state[row['state']].name}" if row.get("state") else f"in {lookup.country[row['country']].name}"
    areas = rng.sample(AREA_POOL, rng.randint(3, 6))
    if featured:
        areas = ["residency_applications", "research", "career_advancement", "navigating_bias", "sponsorship"]
    languages = {row["native"], "en"}
    if rng.random() < 0.15:
        languages.add(rng.choice(["fr", "es", "pt", "ht", "ar"]))
    incomplete = not featured and index % 31 == 7  # three mentors still writing their profile
    unconsented = not featured and index % 29 == 11  # three who have not opted in to search
    rank = rng.choice(RANKS)
    fields = {
        "bio": "" if incomplete else " ".join([rng.choice(BIO_OPENINGS).format(home=home), rng.choice(BIO_MIDDLE)]),
        "academic_rank": rank,
        "title": f"{rank}, Department of {lookup.spec[row['spec']].name}",
        "availability_statement": "" if incomplete else rng.choice(AVAILABILITY),
        "scope": "national" if featured or rng.random() < 0.6 else "local",
        "capacity": 3 if rng.random() < 0.8 else 2,
        "accepting_new": rng.random() < 0.92,
        "offers_sponsorship": featured or rng.random() < 0.3,
        "search_consent": not unconsented,
        "native_language": lookup.lang[row["native"]],
        "home_state": lookup.state[row["state"]] if row.get("state") else None,
        "home_country": lookup.country[row["country"]],
        "languages_shared": rng.random() < 0.95,
        "home_shared": rng.random() < 0.9,
    }
    # Responsiveness is never invented: mentorships' demo computes it from the requests it writes.
    if featured:
        fields.update(accepting_new=True, capacity=3)
    profile = services.mentor_profile_save(  # the mentor writes their own profile
        acting=Actor.for_membership(membership),
        fields=fields,
        specialties=[lookup.spec[row["spec"]], lookup.spec[row["sub"]]],
        content_areas=[lookup.area[a] for a in areas],
        languages=[lookup.lang[k] for k in sorted(languages)],
    )
    _identities(ctx, membership, lookup, row, featured=featured, mentor=True)
    services.refresh_mentor(profile)
    return profile


def _identities(ctx, membership, lookup, row, *, featured: bool, mentor: bool) -> None:
    rng = ctx.rng
    share = (lambda: True) if featured else (lambda: rng.random() < 0.85)
    values: list[tuple[str, str, bool]] = []
    race = row["race"]
    detail = RACES[race]
    race_key = detail[0] if featured and detail else (rng.choice(detail) if detail and rng.random() < 0.6 else race)
    values.append(("race_ethnicity", race_key, share()))
    if race_key != race:
        values.append(("race_ethnicity", race, values[-1][2]))
    values.append(
        ("sexual_orientation", row["orientation"], share() if row["orientation"] == "straight" else rng.random() < 0.6)
    )
    gender = ctx.genders.get(membership.pk) or rng.choices(["woman", "man", "nonbinary_genderqueer"], [52, 45, 3])[0]
    values.append(("gender_identity", gender, share()))
    first_gen = featured or rng.random() < 0.35
    values.append(("first_generation", "first_generation" if first_gen else "not_first_generation", share()))
    if rng.random() < 0.3:
        values.append(("parent_caregiver", "parent", share()))
    if rng.random() < 0.12:
        values.append(("rural_background", "rural", share()))
    if rng.random() < 0.05:
        values.append(("veteran", "veteran", share()))
    if rng.random() < 0.25:
        values.append(
            (
                "religion",
                rng.choice(["christian_protestant", "christian_catholic", "muslim", "jewish", "hindu", "buddhist"]),
                rng.random() < 0.5,
            )
        )
    if mentor and row.get("country") not in (None, "US"):
        values.append(("img", "img", share()))
    rows = []
    for dim, key, shared in values:
        option = lookup.opt.get((dim, key))
        if option is not None:
            rows.append(IdentityValue(membership=membership, option=option, shared=shared))
    IdentityValue.objects.bulk_create(rows, ignore_conflicts=True)


def _mentee(ctx, membership, lookup) -> None:
    rng = ctx.rng
    featured = membership == ctx.featured.get("mentee")
    acting = Actor.for_membership(membership)  # the mentee writes their own profile
    level = "MS3" if featured else rng.choice([c for c in TrainingLevel.values if c != TrainingLevel.PREMED])
    services.mentee_profile_save(
        acting=acting,
        fields={
            "training_level": level,
            "phone": "(312) 555-0147" if featured else "",  # shown to the mentee's mentors
            "bio": "I want to match into internal medicine and keep doing research on health equity."
            if featured
            else "",
            "consent_matching": featured or rng.random() < 0.9,
            "consent_analytics": rng.random() < 0.8,
            "consent_research": rng.random() < 0.5,
            "languages_shared": True,
            "home_shared": rng.random() < 0.7,
            "home_state": lookup.state[rng.choice(STATES)],
            "home_country": lookup.country["US"],
        },
        specialty_interests=[lookup.spec["internal_medicine"]]
        if featured
        else [lookup.spec[rng.choice(list(SPECIALTIES))]],
        languages=[lookup.lang["en"], lookup.lang["ig"]]
        if featured
        else [lookup.lang["en"]] + ([lookup.lang["es"]] if rng.random() < 0.25 else []),
    )
    needs = FEATURED_NEEDS if featured else rng.sample(AREA_POOL[:12], rng.randint(2, 4))
    services.mentee_needs_set(acting=acting, areas=[lookup.area[k] for k in needs])
    weights = (
        {"first_generation": 3, "race_ethnicity": 2, "language": 1, "specialty": 1, "home_state": 0}
        if featured
        else {
            rng.choice(["first_generation", "race_ethnicity", "gender_identity", "language"]): rng.randint(1, 3),
            "specialty": rng.randint(0, 2),
        }
    )
    services.mentee_affinities_set(acting=acting, weights=weights)
    row = {"race": "black" if featured else rng.choices(list(RACES), [45, 40, 10, 5])[0], "orientation": "straight"}
    _identities(ctx, membership, lookup, row, featured=featured, mentor=False)


def pilot_figures(memberships) -> dict[str, int]:
    """The pilot's diversity figures over the given mentor memberships (shared and private answers)."""
    profiles = MentorProfile.objects.filter(membership__in=memberships)
    specs = Specialty.objects.filter(mentors__in=profiles).distinct()
    values = IdentityValue.objects.filter(membership__in=memberships).select_related("option__parent")
    races = {(v.option.parent or v.option).key for v in values if v.option.dimension.key == "race_ethnicity"}
    return {
        "specialties": specs.filter(parent__isnull=True).count(),
        "subspecialties": specs.filter(parent__isnull=False).count(),
        "racial_identities": len(races),
        "sexual_orientations": len({v.option.key for v in values if v.option.dimension.key == "sexual_orientation"}),
        "native_languages": profiles.values("native_language").distinct().count(),
        "home_states": profiles.exclude(home_state=None).values("home_state").distinct().count(),
        "home_countries": profiles.exclude(home_country=None).values("home_country").distinct().count(),
    }


def suspended_mentors() -> list[str]:
    """E-mails of the demo's suspended mentors (after missed responses), for the printed sign-ins."""
    from mentormemed.core.demo import DEMO_DOMAIN

    return list(
        MentorProfile.objects.filter(suspended_at__isnull=False, membership__user__email__endswith=DEMO_DOMAIN)
        .order_by("pk")
        .values_list("membership__user__email", flat=True)
    )


__all__ = ["build", "pilot_figures", "suspended_mentors"]
