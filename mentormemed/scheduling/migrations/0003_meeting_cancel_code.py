"""A code for the reasons the product gives when it cancels a meeting, so each reader sees them in their
language; existing meetings cancelled with one of those English sentences get its code."""

from django.db import migrations, models

KNOWN = {
    "The mentorship ended.": "ended",
    "Contact in this mentorship is paused.": "paused",
    "The mentee did not show.": "mentee_absent",
    "The mentor did not show.": "mentor_absent",
}


def codes_for_known_reasons(apps, schema_editor):
    Meeting = apps.get_model("scheduling", "Meeting")
    for text, code in KNOWN.items():
        Meeting.objects.filter(cancel_reason=text, cancel_code="").update(cancel_code=code)


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0002_meeting_no_overlap_postgres")]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="cancel_code",
            field=models.CharField(
                blank=True,
                choices=[
                    ("ended", "The mentorship ended."),
                    ("paused", "Contact in this mentorship is paused."),
                    ("mentee_absent", "The mentee did not show."),
                    ("mentor_absent", "The mentor did not show."),
                ],
                max_length=20,
            ),
        ),
        migrations.RunPython(codes_for_known_reasons, migrations.RunPython.noop),
    ]
