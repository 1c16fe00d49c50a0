"""Seed the module library (R21) from training/content so every deployment starts with it.

Idempotent and keyed by slug: a module that already exists (for example one
staff have since edited) is left alone, so re-running never overwrites work.
"""

import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations
from django.utils import timezone

CONTENT = Path(__file__).resolve().parent.parent / "content"


def seed(apps, schema_editor):
    Module = apps.get_model("training", "Module")
    ModuleVersion = apps.get_model("training", "ModuleVersion")
    Question = apps.get_model("training", "Question")
    Choice = apps.get_model("training", "Choice")
    specs = json.loads((CONTENT / "modules.json").read_text(encoding="utf-8"))
    now = timezone.now()
    for position, spec in enumerate(specs):
        if Module.objects.filter(slug=spec["slug"]).exists():
            continue
        module = Module.objects.create(
            slug=spec["slug"],
            title=spec["title"],
            audience=spec["audience"],
            required=spec["required"],
            minutes=spec["minutes"],
            summary=spec["summary"],
            status="draft",  # published below, once its first version exists
            position=position,
        )
        credits = Decimal(spec["cme_max_credits"])
        version = ModuleVersion.objects.create(
            module=module,
            version=1,
            body=(CONTENT / spec["body_file"]).read_text(encoding="utf-8"),
            passing_score=spec["passing_score"],
            cme_max_credits=credits,
            is_enduring_material=True,
            published_at=now,
        )
        for q_pos, q in enumerate(spec["questions"]):
            question = Question.objects.create(
                version=version, position=q_pos, text=q["text"], explanation=q.get("explanation", "")
            )
            Choice.objects.bulk_create(
                Choice(question=question, position=c_pos, text=c["text"], correct=c["correct"])
                for c_pos, c in enumerate(q["choices"])
            )
        module.current_version = version
        module.status = "published"
        module.save(update_fields=["current_version", "status"])


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
