"""Load ``data/taxonomy.json`` into the taxonomy tables (idempotent: keys are stable).

Called from a data migration with the historical app registry, so it uses
``apps.get_model`` rather than importing models.
"""

from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).parent / "data" / "taxonomy.json"


def load_taxonomy(apps) -> None:
    data = json.loads(DATA.read_text())
    _simple(apps.get_model("profiles", "FieldOfTraining"), data["fields_of_training"])
    _simple(apps.get_model("profiles", "ContentArea"), data["content_areas"], extra=("description",))
    _simple(apps.get_model("profiles", "Language"), data["languages"])
    _specialties(apps.get_model("profiles", "Specialty"), data["specialties"])
    _regions(apps.get_model("profiles", "Region"), data)
    _identities(apps, data["identity_dimensions"])


def _simple(model, rows, extra=()) -> None:
    for position, row in enumerate(rows):
        defaults = {"name": row["name"], "position": position, **{k: row.get(k, "") for k in extra}}
        model.objects.update_or_create(key=row["key"], defaults=defaults)


def _specialties(model, rows) -> None:
    for position, row in enumerate(rows):
        parent, _ = model.objects.update_or_create(
            key=row["key"], defaults={"name": row["name"], "position": position, "parent": None}
        )
        for sub_position, sub in enumerate(row.get("subspecialties", [])):
            model.objects.update_or_create(
                key=sub["key"], defaults={"name": sub["name"], "position": sub_position, "parent": parent}
            )


def _regions(model, data) -> None:
    for kind, rows in (("state", data["us_states"]), ("country", data["countries"])):
        for position, row in enumerate(rows):
            model.objects.update_or_create(
                kind=kind,
                code=row["key"],
                defaults={"key": f"{kind}-{row['key'].lower()}", "name": row["name"], "position": position},
            )


def _identities(apps, dimensions) -> None:
    Dimension = apps.get_model("profiles", "IdentityDimension")
    Option = apps.get_model("profiles", "IdentityOption")
    for position, row in enumerate(dimensions):
        dimension, _ = Dimension.objects.update_or_create(
            key=row["key"],
            defaults={
                "name": row["name"],
                "question": row.get("question", row["name"])[:300],
                "multiple": row.get("multiple", True),
                "source": row.get("source", "")[:300],
                "position": position,
            },
        )
        by_key = {}
        for opt_position, opt in enumerate(row["options"]):
            option, _ = Option.objects.update_or_create(
                dimension=dimension,
                key=opt["key"],
                defaults={
                    "name": opt["name"][:200],
                    "parent": by_key.get(opt.get("parent")),
                    "write_in": opt.get("write_in", False),
                    "no_answer": opt.get("no_answer", False),
                    "position": opt_position,
                },
            )
            by_key[opt["key"]] = option
