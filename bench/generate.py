"""National-scale data for the search benchmark, written with COPY (PostgreSQL) or executemany (SQLite).

Rows are built in Python from the real taxonomy, then streamed into the tables of the
Django models (column lists come from the models, so a new nullable or defaulted field
does not break the generator). Facet rows are derived exactly as ``matching.index``
would derive them: shared values only.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from types import SimpleNamespace

from django.db import connection
from django.utils import timezone

from mentormemed.profiles.readiness import refresh_readiness
from mentormemed.profiles.services import mentor_document
from mentormemed.profiles.vocabulary import search_words

STRINGISH = {"CharField", "TextField", "SlugField", "FileField", "ImageField", "EmailField"}
# Real given names and surnames of the people US medical schools train, so a surname search
# finds the handful of mentors who hold it and free text runs over text as long as the product's.
FIRST = [
    "Aaliyah",
    "Adebayo",
    "Aisha",
    "Alejandro",
    "Amara",
    "Ana",
    "Andre",
    "Angela",
    "Anh",
    "Arjun",
    "Ayesha",
    "Benjamin",
    "Camila",
    "Carlos",
    "Chidi",
    "Chloe",
    "Daniel",
    "Darnell",
    "David",
    "Deepa",
    "Diego",
    "Elena",
    "Emeka",
    "Emily",
    "Esperanza",
    "Fatima",
    "Gabriel",
    "Grace",
    "Hana",
    "Hector",
    "Ibrahim",
    "Imani",
    "Isabel",
    "Jamal",
    "Javier",
    "Jennifer",
    "Jin",
    "Jose",
    "Kateri",
    "Keisha",
    "Kenji",
    "Kwame",
    "Lakshmi",
    "Latoya",
    "Lucia",
    "Malik",
    "Maria",
    "Marisol",
    "Mateo",
    "Mei",
    "Michael",
    "Mohammed",
    "Nadia",
    "Nia",
    "Nnamdi",
    "Omar",
    "Priya",
    "Rafael",
    "Rosa",
    "Samuel",
    "Sarah",
    "Sofia",
    "Tanisha",
    "Thanh",
    "Tomas",
    "Valentina",
    "Wei",
    "Xavier",
    "Yasmin",
    "Yusuf",
    "Zainab",
]
LAST = [
    "Okafor",
    "Nguyen",
    "Begay",
    "Morales",
    "Mensah",
    "Chen",
    "Diallo",
    "Patel",
    "Reyes",
    "Yazzie",
    "Tran",
    "Cruz",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Kim",
    "Park",
    "Singh",
    "Shah",
    "Ali",
    "Khan",
    "Adeyemi",
    "Owusu",
    "Boateng",
    "Eze",
    "Nwosu",
    "Castillo",
    "Vargas",
    "Romero",
    "Mendoza",
    "Ortiz",
    "Gutierrez",
    "Chavez",
    "Ruiz",
    "Alvarez",
    "Jimenez",
    "Washington",
    "Jefferson",
    "Banks",
    "Freeman",
    "Holmes",
    "Tsosie",
    "Benally",
    "Pham",
    "Le",
    "Hoang",
    "Huynh",
    "Wong",
    "Liu",
    "Zhang",
    "Yang",
    "Huang",
    "Wu",
    "Gupta",
    "Kumar",
    "Sharma",
    "Iyer",
    "Reddy",
    "Haddad",
    "Nasser",
    "Cohen",
    "Levi",
    "Friedman",
    "Murphy",
    "Sullivan",
    "OBrien",
    "Kowalski",
    "Novak",
    "Silva",
    "Santos",
    "Pereira",
    "Costa",
    "Mwangi",
    "Kariuki",
    "Abebe",
    "Tesfaye",
]
CITIES = [
    "Chicago",
    "Houston",
    "Phoenix",
    "Philadelphia",
    "Atlanta",
    "Detroit",
    "Denver",
    "Seattle",
    "Boston",
    "Baltimore",
    "Memphis",
    "Nashville",
    "Cleveland",
    "Albuquerque",
    "Tucson",
    "Fresno",
    "Sacramento",
    "Omaha",
    "Miami",
    "Oakland",
    "Tulsa",
    "Louisville",
    "Milwaukee",
    "Portland",
]
KINDS = ["School of Medicine", "College of Medicine", "Health System", "Medical Center", "University Hospital"]
BIO = [
    "I am a {rank} of {spec} and I mentor students through {a1} and {a2}.",
    "My clinical work is in {spec}; most of my research looks at access to care in underserved communities.",
    "I was the first in my family to go to college, and I remember how much a mentor mattered when I applied.",
    "Happy to talk about {a3}, choosing a specialty, and balancing training with family life.",
    "I have served on our residency selection committee for several years and read many personal statements.",
    "Outside the hospital I coach a youth soccer team and volunteer at a free clinic on weekends.",
    "Ask me about ultrasound teaching, quality improvement projects, or writing your first abstract.",
    "I care about health equity and about making medicine a place where everyone can belong.",
]
WORDS = ["research", "residency", "ultrasound", "equity", "mentorship"]  # real words the bench searches for


def _fields(model, skip=()):
    """Concrete non-M2M columns of ``model`` with a default for every row."""
    cols = []
    for f in model._meta.concrete_fields:
        if f.column in skip:
            continue
        cols.append(f)
    return cols


class Writer:
    """Bulk writer: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self):
        self.pg = connection.vendor == "postgresql"
        self.counts: dict[str, int] = {}

    def write(self, model, rows: list[dict]) -> None:
        if not rows:
            return
        fields = _fields(model)
        defaults = {}
        for f in fields:
            if f.has_default():
                defaults[f.attname] = f.get_default()
            elif f.null:
                defaults[f.attname] = None
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                defaults[f.attname] = timezone.now()
            else:
                defaults[f.attname] = "" if f.get_internal_type() in STRINGISH else None
        names = [f.column for f in fields]
        attnames = [f.attname for f in fields]
        table = model._meta.db_table
        prep = [f.get_db_prep_save for f in fields]
        with connection.cursor() as cursor:
            if self.pg:
                sql = f'COPY "{table}" ({", ".join(chr(34) + n + chr(34) for n in names)}) FROM STDIN'
                with cursor.cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(
                            [
                                _adapt(p(row.get(a, defaults.get(a)), connection))
                                for p, a in zip(prep, attnames, strict=True)
                            ]
                        )
            else:
                placeholders = ", ".join(["%s"] * len(names))
                sql = f'INSERT INTO "{table}" ({", ".join(names)}) VALUES ({placeholders})'
                cursor.executemany(
                    sql,
                    [
                        [p(row.get(a, defaults.get(a)), connection) for p, a in zip(prep, attnames, strict=True)]
                        for row in rows
                    ],
                )
        self.counts[table] = self.counts.get(table, 0) + len(rows)

    def write_m2m(self, through, rows: list[tuple]) -> None:
        cols = [f.column for f in through._meta.concrete_fields if not f.primary_key]
        table = through._meta.db_table
        with connection.cursor() as cursor:
            if self.pg:
                with cursor.cursor.copy(f'COPY "{table}" ({", ".join(cols)}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(f'INSERT INTO "{table}" ({", ".join(cols)}) VALUES (%s, %s)', rows)
        self.counts[table] = self.counts.get(table, 0) + len(rows)


def _adapt(value):
    # psycopg's COPY wants Python values; JSON fields arrive as psycopg Jsonb adapters already.
    return value


def _responsiveness(rng: random.Random) -> dict:
    """Stored responsiveness as ``profiles.responsiveness`` defines it: 20% new mentors (no figures)."""
    if rng.random() < 0.2:
        return {"median_response_hours": None, "answer_rate": None, "response_count": rng.randint(0, 2)}
    return {
        "median_response_hours": round(rng.uniform(4, 120), 1),
        "answer_rate": round(rng.uniform(0.6, 1.0), 2),
        "response_count": rng.randint(3, 12),
    }


def reset_sequences(models) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), COALESCE(MAX(id), 1)) FROM \"{table}\""
            )


def generate(*, institutions: int, mentors: int, mentees: int, search_logs: int, seed: int = 3) -> dict:
    """Fill an empty, migrated database. Returns counts and timings."""
    from django.contrib.auth.hashers import make_password

    from mentormemed.accounts.models import MenteeEligibility, User
    from mentormemed.institutions.models import Institution, Membership, PriceBand, Subscription
    from mentormemed.matching.models import MentorFacet, SearchLog
    from mentormemed.profiles.models import (
        AffinityPreference,
        ContentArea,
        FieldOfTraining,
        IdentityOption,
        IdentityValue,
        Language,
        MenteeNeed,
        MenteeProfile,
        MentorProfile,
        MentorSearchText,
        Region,
        SearchWord,
        Specialty,
    )

    rng = random.Random(seed)
    started = time.monotonic()
    w = Writer()
    now = timezone.now()
    today = timezone.localdate()
    medicine = FieldOfTraining.objects.get(key="medicine")
    band = PriceBand.objects.order_by("min_headcount").first()
    states = list(Region.objects.filter(kind="state"))
    countries = list(Region.objects.filter(kind="country"))
    us = next(c for c in countries if c.code == "US")
    foreign = [c for c in countries if c.code in ("NG", "MX", "PH", "IN", "GH", "VN", "DO", "HT", "JM", "CN")]
    specs = list(Specialty.objects.select_related("parent"))
    top_specs = [s for s in specs if s.parent_id is None]
    subs_of = {s.pk: [x for x in specs if x.parent_id == s.pk] for s in top_specs}
    areas = list(ContentArea.objects.all())
    langs = list(Language.objects.all())
    common_langs = [lang for lang in langs if lang.key in ("en", "es", "vi", "yo", "fr", "zh", "ar", "ht", "tl", "ko")]
    en = next(lang for lang in langs if lang.key == "en")
    options = list(IdentityOption.objects.select_related("dimension", "parent").filter(no_answer=False))
    by_dim: dict[str, list] = {}
    for opt in options:
        by_dim.setdefault(opt.dimension.key, []).append(opt)
    password = make_password("bench-password")

    # Institutions and covering subscriptions.
    inst_rows, sub_rows = [], []
    for i in range(1, institutions + 1):
        inst_rows.append(
            {
                "id": i,
                "name": f"{CITIES[i % len(CITIES)]} {KINDS[(i // len(CITIES)) % len(KINDS)]}"
                + (f" {i // (len(CITIES) * len(KINDS)) + 1}" if i >= len(CITIES) * len(KINDS) else ""),
                "kind": "md_school",
                "field_of_training_id": medicine.pk,
                "eligible_headcount": 400,
                "time_zone": "America/Chicago",
                "state_id": rng.choice(states).pk,
                "mentor_commitment": 50,
                "created_at": now,
            }
        )
        sub_rows.append(
            {
                "id": i,
                "institution_id": i,
                "band_id": band.pk,
                "band_name": band.name,
                "fee": band.annual_fee,
                "term_start": today - dt.timedelta(days=100),
                "term_end": today + dt.timedelta(days=265),
                "invoice_number": f"BENCH-{i:05d}",
                "created_at": now,
            }
        )
    w.write(Institution, inst_rows)
    w.write(Subscription, sub_rows)

    # People: users and memberships (mentors first, then mentees).
    total = mentors + mentees
    user_rows, member_rows = [], []
    for uid in range(1, total + 1):
        role = "mentor" if uid <= mentors else "mentee"
        user_rows.append(
            {
                "id": uid,
                "email": f"{role}{uid}@bench.mentormemed.org",
                "password": password,
                "first_name": rng.choice(FIRST),
                "last_name": rng.choice(LAST),
                "is_active": True,
                "date_joined": now,
                "time_zone": "America/Chicago",
            }
        )
        member_rows.append(
            {
                "id": uid,
                "user_id": uid,
                "institution_id": (uid % institutions) + 1,
                "role": role,
                "status": "active",
                "created_at": now,
            }
        )
    w.write(User, user_rows)
    w.write(Membership, member_rows)
    user_names = [{"first_name": u["first_name"], "last_name": u["last_name"]} for u in user_rows[:mentors]]
    # R7: 95% of mentors have attested every required module's current version (the rest are
    # "finishing training": searchable, never recommended).
    from mentormemed.training.models import Completion
    from mentormemed.training.selectors import published_modules

    versions = list(published_modules(role="mentor").filter(required=True).values_list("current_version_id", flat=True))
    done, completion_id = [], 0
    for uid in range(1, mentors + 1):
        if rng.random() < 0.95:
            for version_id in versions:
                completion_id += 1
                done.append(
                    {
                        "id": completion_id,
                        "membership_id": uid,
                        "version_id": version_id,
                        "passed": True,
                        "attested_at": now,
                    }
                )
    w.write(Completion, done)
    del done
    inst_names = {row["id"]: row["name"] for row in inst_rows}
    del user_rows

    # Mentor profiles, their M2M rows, identity values and facets.
    profile_rows, spec_m2m, area_m2m, lang_m2m, values, facets, texts = [], [], [], [], [], [], []
    value_id = 0
    for pid in range(1, mentors + 1):
        top = rng.choice(top_specs)
        chosen_specs = [top] + ([rng.choice(subs_of[top.pk])] if subs_of[top.pk] and rng.random() < 0.6 else [])
        chosen_areas = rng.sample(areas, rng.randint(3, 6))
        chosen_langs = {en} | ({rng.choice(common_langs)} if rng.random() < 0.35 else set())
        native = rng.choice(common_langs) if rng.random() < 0.3 else en
        abroad = rng.random() < 0.1
        home_state = None if abroad else rng.choice(states)
        home_country = rng.choice(foreign) if abroad else us
        complete = rng.random() < 0.93
        consent = rng.random() < 0.95
        languages_shared, home_shared = rng.random() < 0.95, rng.random() < 0.9
        area_names = [a.name.lower() for a in chosen_areas]
        fill = {"rank": "associate professor", "spec": top.name.lower(), "a1": area_names[0], "a2": area_names[1]}
        fill["a3"] = area_names[2]
        bio = " ".join(line.format(**fill) for line in rng.sample(BIO, 4))
        profile_rows.append(
            {
                "id": pid,
                "membership_id": pid,
                "institution_id": member_rows[pid - 1]["institution_id"],
                "membership_active": True,
                "bio": bio,
                "academic_rank": "Associate Professor",
                "title": f"Associate Professor of {top.name}",
                "native_language_id": native.pk,
                "home_state_id": home_state.pk if home_state else None,
                "home_country_id": home_country.pk,
                "scope": "national" if rng.random() < 0.6 else "local",
                "offers_mentoring": True,
                "offers_sponsorship": rng.random() < 0.3,
                "capacity": 3,
                "active_mentee_count": rng.choice([0, 0, 1, 2, 3]),
                "accepting_new": rng.random() < 0.9,
                "availability_statement": "Two calls a month.",
                "languages_shared": languages_shared,
                "home_shared": home_shared,
                "completeness": 100 if complete else 75,
                "search_consent": consent,
                "search_consent_at": now if consent else None,
                "is_complete": complete,
                **_responsiveness(rng),
                "updated_at": now,
            }
        )
        keys = {f"area:{a.key}" for a in chosen_areas} | {"role:mentor"}
        for s in chosen_specs:
            spec_m2m.append((pid, s.pk))
            keys.add(f"spec:{s.key}")
        for a in chosen_areas:
            area_m2m.append((pid, a.pk))
        for lang in chosen_langs:
            lang_m2m.append((pid, lang.pk))
        if languages_shared:
            keys |= {f"lang:{lang.key}" for lang in chosen_langs} | {f"native:{native.key}"}
        if home_shared:
            keys.add(f"country:{home_country.code}")
            if home_state:
                keys.add(f"state:{home_state.code}")
        if profile_rows[-1]["offers_sponsorship"]:
            keys.add("role:sponsor")
        for dim in ("race_ethnicity", "gender_identity", "sexual_orientation", "first_generation", "religion"):
            if rng.random() < 0.8:
                opt = rng.choice(by_dim[dim])
                shared = rng.random() < 0.8
                value_id += 1
                values.append({"id": value_id, "membership_id": pid, "option_id": opt.pk, "shared": shared})
                if shared:
                    keys.add(f"id:{dim}:{opt.key}")
                    if opt.parent_id:
                        keys.add(f"id:{dim}:{opt.parent.key}")
        facets.extend({"mentor_id": pid, "key": k} for k in keys)
        # The free text exactly as the product writes it (``profiles.services.mentor_document``).
        texts.append(
            {
                "mentor_id": pid,
                "text": mentor_document(
                    user=SimpleNamespace(**user_names[pid - 1], preferred_name=""),
                    profile=SimpleNamespace(**profile_rows[-1]),
                    institution_name=inst_names[profile_rows[-1]["institution_id"]],
                    keys=keys,
                ),
            }
        )
    w.write(MentorProfile, profile_rows)
    w.write(MentorSearchText, texts)
    vocabulary = set().union(*(search_words(t["text"]) for t in texts))  # as refresh_mentor keeps it
    w.write(SearchWord, [{"word": word} for word in sorted(vocabulary)])
    w.write_m2m(MentorProfile.specialties.through, spec_m2m)
    w.write_m2m(MentorProfile.content_areas.through, area_m2m)
    w.write_m2m(MentorProfile.languages.through, lang_m2m)
    for i, row in enumerate(facets, start=1):
        row["id"] = i
    w.write(MentorFacet, facets)
    del facets, profile_rows

    # Mentee profiles with needs, affinities, eligibility and a few identity values.
    mentee_rows, need_rows, affinity_rows, elig_rows = [], [], [], []
    need_id = affinity_id = 0
    for n, mid in enumerate(range(mentors + 1, total + 1), start=1):
        mentee_rows.append(
            {
                "id": n,
                "membership_id": mid,
                "training_level": rng.choice(["MS1", "MS2", "MS3", "MS4", "PGY1", "PGY2"]),
                "consent_matching": True,
                "languages_shared": True,
                "is_complete": True,
                "updated_at": now,
            }
        )
        for rank, area in enumerate(rng.sample(areas, 3), start=1):
            need_id += 1
            need_rows.append({"id": need_id, "profile_id": n, "content_area_id": area.pk, "rank": rank})
        for dim in ("first_generation", "race_ethnicity"):
            affinity_id += 1
            affinity_rows.append({"id": affinity_id, "profile_id": n, "dimension": dim, "weight": rng.randint(1, 3)})
        for dim in ("first_generation", "race_ethnicity"):
            value_id += 1
            values.append(
                {"id": value_id, "membership_id": mid, "option_id": rng.choice(by_dim[dim]).pk, "shared": True}
            )
        elig_rows.append(
            {
                "id": n,
                "membership_id": mid,
                "urim": True,
                "first_generation": rng.random() < 0.5,
                "attested_at": now,
                "status": "confirmed",
            }
        )
    w.write(MenteeProfile, mentee_rows)
    w.write(MenteeNeed, need_rows)
    w.write(AffinityPreference, affinity_rows)
    w.write(MenteeEligibility, elig_rows)
    w.write(IdentityValue, values)
    del values, need_rows, mentee_rows

    # The search log: a million past searches, in batches.
    batch = []
    levels = ["MS1", "MS2", "MS3", "MS4", "PGY1", "PGY2"]
    for i in range(1, search_logs + 1):
        batch.append(
            {
                "id": i,
                "viewer_id": mentors + 1 + (i % mentees),
                "institution_id": (i % institutions) + 1,
                "role": "mentee",
                "training_level": levels[i % len(levels)],
                "eligibility_bases": ["urim"],
                "kind": "search" if i % 4 else "recommendations",
                "filters": {"f": [f"area:{areas[i % len(areas)].key}"], "q": "", "page": 1},
                "result_count": i % 500,
                "created_at": now - dt.timedelta(minutes=i % 500_000),
            }
        )
        if len(batch) == 100_000:
            w.write(SearchLog, batch)
            batch = []
    w.write(SearchLog, batch)

    reset_sequences(
        [
            Institution,
            Subscription,
            Completion,
            User,
            Membership,
            MentorProfile,
            MentorFacet,
            MenteeProfile,
            MenteeNeed,
            AffinityPreference,
            MenteeEligibility,
            IdentityValue,
            SearchLog,
        ]
    )
    refresh_readiness()  # R7's gate onto the profiles, as training's signals keep it (COPY sends none)
    with connection.cursor() as cursor:
        # VACUUM as autovacuum would soon after a bulk load: it sets the visibility map,
        # without which PostgreSQL cannot answer from an index alone (index-only scans).
        cursor.execute("VACUUM ANALYZE" if w.pg else "ANALYZE")
    return {"seconds": round(time.monotonic() - started, 1), "rows": w.counts}
