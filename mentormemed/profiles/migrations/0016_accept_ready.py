"""``MentorProfile.accept_ready``: R7's gate copied onto the profile (issue 14), filled here by the rule
as it stood (a mentor is ready when no published required module for mentors lacks their attested
completion of its current version); ``profiles.readiness`` keeps it from now on."""

from django.db import migrations, models
from django.db.models import Exists, OuterRef


def fill(apps, schema_editor):
    MentorProfile = apps.get_model("profiles", "MentorProfile")
    Module = apps.get_model("training", "Module")
    Completion = apps.get_model("training", "Completion")
    attested = Completion.objects.filter(
        membership_id=OuterRef(OuterRef("membership_id")), version=OuterRef("current_version")
    )
    missing = Module.objects.filter(status="published", audience__in=["mentor", "both"], required=True).filter(
        ~Exists(attested)
    )
    MentorProfile.objects.update(accept_ready=True)
    MentorProfile.objects.filter(Exists(missing)).update(accept_ready=False)


class Migration(migrations.Migration):
    dependencies = [("profiles", "0015_search_words"), ("training", "0006_module_version_translation")]

    operations = [
        migrations.AddField(
            model_name="mentorprofile",
            name="accept_ready",
            field=models.BooleanField(
                default=False,
                editable=False,
                help_text="Required training done, so the mentor can accept requests (denormalised)",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
