"""Version 1 of the mentor and mentee agreements (R6), written from the program's commitments."""

from django.db import migrations
from django.utils import timezone

MENTOR = """As a MentorMeMed mentor I agree that:

1. I take part through my sponsoring institution and meet its minimum criteria for mentors, in line with MentorMeMed's recommendations.
2. I will complete and attest the mentor training modules before I begin a mentorship relationship.
3. I will mentor no more than three mentees at any one time, to keep every match meaningful.
4. I will keep a comprehensive profile, including my availability; completing it is my consent to be found by mentees in the search.
5. I will answer every mentorship request within the response window. Requests left unanswered count as missed responses, and repeated missed responses suspend me from the search and from new requests.
6. I may take part in scholarship using MentorMeMed data only through a research request that MentorMeMed approves case by case.
7. The MentorMeMed platform and program are proprietary; I will not reproduce any part of them without express permission."""

MENTEE = """As a MentorMeMed mentee I agree that:

1. I take part through my sponsoring institution.
2. I am from a racial or ethnic background underrepresented in medicine, am a first-generation college graduate, or am from an economically disadvantaged background, and I will attest which applies.
3. I will complete and attest the mentee training modules before I begin a mentorship relationship.
4. I may have any number of mentors at once, and I will evaluate each mentor every six months and when a relationship ends.
5. I will keep a basic profile with demographic and contact information; every demographic item is optional and I choose what is shared.
6. I agree to be surveyed about my career so MentorMeMed can track the program's impact, and I may be asked for feedback about the program and platform.
7. When I finish my training and leave my institution, I may be invited to become a mentor.
8. The MentorMeMed platform and program are proprietary; I will not reproduce any part of them without express permission."""


def create(apps, schema_editor):
    Agreement = apps.get_model("accounts", "Agreement")
    now = timezone.now()
    for role, title, body in (
        ("mentor", "Mentor agreement", MENTOR),
        ("mentee", "Mentee agreement", MENTEE),
    ):
        Agreement.objects.get_or_create(role=role, version=1, defaults={"title": title, "body": body, "published_at": now})


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
