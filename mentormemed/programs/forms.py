"""Forms parse input only; the services decide (and explain refusals in a sentence)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mentormemed.core.clock import platform_today
from mentormemed.institutions.models import Institution, Membership
from mentormemed.profiles.models import ContentArea, TrainingLevel
from mentormemed.programs.catalogue import TEMPLATES, MilestoneSpec, template_choices
from mentormemed.programs.models import JoinMode, MentorReach, Preference, Program
from mentormemed.training.models import Module, ModuleStatus

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def parse_milestones(text: str) -> list[MilestoneSpec]:
    """One per line: ``days after the match | title | detail (optional)``."""
    specs = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < 2 or not parts[0].isdigit() or not parts[1]:
            raise ValidationError(
                gettext("Line %(n)s: write “days after the match | title”, e.g. “35 | Early check-in”.") % {"n": n}
            )
        specs.append(MilestoneSpec(int(parts[0]), parts[1], parts[2] if len(parts) > 2 else ""))
    return specs


def milestone_lines(specs) -> str:
    return "\n".join(f"{m.offset_days} | {m.title}" + (f" | {m.detail}" if m.detail else "") for m in specs)


class ProgramForm(forms.Form):
    template = forms.ChoiceField(label=_("Template"), choices=template_choices, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Program name"), max_length=150)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    enrol_opens = forms.DateField(label=_("Enrolment opens"), widget=DATE)
    enrol_closes = forms.DateField(label=_("Enrolment closes"), widget=DATE)
    join_mode = forms.ChoiceField(label=_("How people join"), choices=JoinMode.choices, widget=forms.RadioSelect)
    audience_levels = forms.MultipleChoiceField(
        label=_("Mentees' training levels"),
        choices=TrainingLevel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: learners of every level."),
    )
    mentor_reach = forms.ChoiceField(label=_("Mentors"), choices=MentorReach.choices, widget=forms.RadioSelect)
    required_modules = forms.ModelMultipleChoiceField(
        label=_("Training the program requires"),
        queryset=Module.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Asked before anyone accepts an introduction."),
    )
    milestones = forms.CharField(
        label=_("Milestones"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One per line: days after the match | title | what it means (optional)."),
    )
    circle_size = forms.IntegerField(label=_("Most mentees in a circle"), min_value=2, max_value=20)
    fairness = forms.FloatField(
        label=_("Spread the load across mentors"),
        min_value=0,
        max_value=10,
        help_text=_("0 ignores load; 1–2 spreads a cohort so popular mentors are not asked first every time."),
    )
    allow_near_peer = forms.BooleanField(
        label=_("Senior learners who also mentor may mentor juniors (near-peer)"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["required_modules"].queryset = Module.objects.filter(status=ModuleStatus.PUBLISHED).order_by(
            "title"
        )

    @classmethod
    def initial_for(cls, key: str) -> dict:
        template = TEMPLATES.get(key) or next(iter(TEMPLATES.values()))
        today = platform_today()
        return {
            "template": template.key,
            "name": template.label,
            "description": template.description,
            "enrol_opens": today,
            "enrol_closes": today + dt.timedelta(days=30),
            "join_mode": JoinMode.OPEN,
            "audience_levels": list(template.audience_levels),
            "mentor_reach": MentorReach.LOCAL,
            "milestones": milestone_lines(template.milestones),
            "circle_size": template.circle_size,
            "fairness": 1.0,
        }

    def clean_milestones(self):
        return parse_milestones(self.cleaned_data["milestones"])


class ProgramEditForm(ProgramForm):
    """The same settings as creating, for a program that exists (its template was only a start)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["template"]

    @classmethod
    def initial_from(cls, program: Program) -> dict:
        return {
            "name": program.name,
            "description": program.description,
            "enrol_opens": program.enrol_opens,
            "enrol_closes": program.enrol_closes,
            "join_mode": program.join_mode,
            "audience_levels": list(program.audience_levels),
            "mentor_reach": program.mentor_reach,
            "required_modules": list(program.required_modules.all()),
            "milestones": milestone_lines(program.milestones.all()),
            "circle_size": program.circle_size,
            "fairness": program.fairness,
            "allow_near_peer": program.allow_near_peer,
        }


class NationalProgramForm(ProgramForm):
    """A program staff run across the network: its mentors are national-scope mentors."""

    institutions = forms.ModelMultipleChoiceField(
        label=_("Institutions whose learners may take part"),
        queryset=Institution.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: learners of every subscribing institution."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["mentor_reach"]
        self.fields["institutions"].queryset = Institution.objects.order_by("name")
        self.order_fields(["template", "name", "description", "institutions"])

    @classmethod
    def initial_for(cls, key: str) -> dict:
        initial = super().initial_for(key)
        del initial["mentor_reach"]
        return initial


class InviteByEmailForm(forms.Form):
    """Staff invite to a national program by e-mail address: the network is too large for a list."""

    emails = forms.CharField(
        label=_("E-mail addresses to invite"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: learners of the program's institutions and mentors who mentor nationally."),
    )

    def clean_emails(self) -> list[str]:
        emails = [e.strip().lower() for e in self.cleaned_data["emails"].replace(",", "\n").splitlines() if e.strip()]
        if not emails:
            raise ValidationError(gettext("Write at least one e-mail address."))
        for email in emails:
            try:
                validate_email(email)
            except ValidationError:
                raise ValidationError(
                    gettext("“%(email)s” is not an e-mail address.") % {"email": email[:80]}
                ) from None
        return list(dict.fromkeys(emails))


class InviteForm(forms.Form):
    people = forms.ModelMultipleChoiceField(
        label=_("Invite"), queryset=Membership.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        if queryset is not None:
            self.fields["people"].queryset = queryset
            self.fields["people"].label_from_instance = lambda m: f"{m.user.display_name} ({m.get_role_display()})"


class PreferenceForm(forms.Form):
    mentor = forms.IntegerField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=[("", _("No preference")), *Preference.Kind.choices], required=False)


class SwapForm(forms.Form):
    other = forms.IntegerField(label=_("Swap mentors with"))


class CircleForm(forms.Form):
    name = forms.CharField(label=_("Circle name"), max_length=150)
    topic = forms.CharField(label=_("Topic"), max_length=300, required=False)
    max_mentees = forms.IntegerField(label=_("Most mentees"), min_value=2, max_value=20, initial=6)
    program = forms.ModelChoiceField(
        label=_("Program"),
        queryset=Program.objects.none(),
        required=False,
        help_text=_("A program's circle takes at most the program's circle size."),
    )
    facilitators = forms.ModelMultipleChoiceField(
        label=_("Facilitating mentors (one or two)"),
        queryset=Membership.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    mentees = forms.ModelMultipleChoiceField(
        label=_("Mentees"), queryset=Membership.objects.none(), widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, institution=None, **kwargs):
        super().__init__(*args, **kwargs)
        people = Membership.objects.filter(institution=institution, status="active").select_related("user")
        people = people.order_by("user__last_name", "user__first_name", "pk")
        self.fields["facilitators"].queryset = people.filter(role="mentor")
        self.fields["mentees"].queryset = people.filter(role="mentee")
        self.fields["program"].queryset = Program.objects.filter(institution=institution).order_by("name")
        for name in ("facilitators", "mentees"):
            self.fields[name].label_from_instance = lambda m: m.user.display_name


class CircleSeatForm(forms.Form):
    """Add one person to a circle: a mentor facilitates, a mentee takes a seat."""

    membership = forms.ModelChoiceField(label=_("Add to the circle"), queryset=Membership.objects.none())

    def __init__(self, *args, circle=None, **kwargs):
        super().__init__(*args, **kwargs)
        seated = circle.members.filter(left_at__isnull=True).values("membership__user_id") if circle else []
        people = Membership.objects.filter(
            institution_id=getattr(circle, "institution_id", None), status="active", role__in=["mentor", "mentee"]
        ).exclude(user_id__in=seated)
        self.fields["membership"].queryset = people.select_related("user").order_by(
            "role", "user__last_name", "user__first_name", "pk"
        )
        self.fields["membership"].label_from_instance = lambda m: (
            f"{m.user.display_name} ({'facilitating mentor' if m.role == 'mentor' else 'mentee'})"
        )


class EventForm(CircleForm):
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DATETIME)
    round_minutes = forms.IntegerField(label=_("Minutes per round"), min_value=3, max_value=60, initial=10)
    break_minutes = forms.IntegerField(label=_("Minutes between rounds"), min_value=0, max_value=30, initial=2)
    place = forms.CharField(label=_("Place or link"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("topic", "max_mentees", "program"):
            del self.fields[name]
        self.fields["name"].label = "Event name"
        self.fields["facilitators"].label = "Mentors"
        self.fields["facilitators"].required = True
        self.fields["mentees"].required = True
        self.order_fields(["name", "starts_at", "round_minutes", "break_minutes", "place", "facilitators", "mentees"])


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Your message to the circle"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class GoalForm(forms.Form):
    text = forms.CharField(label=_("A goal of the circle"), max_length=300)


class ProgressForm(forms.Form):
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)


class BookForm(forms.Form):
    slot = forms.ChoiceField(label=_("Time"))
    agenda = forms.CharField(
        label=_("Agenda"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )

    def __init__(self, *args, slots=(), zone=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = [
            (s.key, date_format(timezone.localtime(s.starts_at, zone), "SHORT_WEEKDAY_DATETIME_FORMAT")) for s in slots
        ]


def parse_slot(value: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(value, "%Y-%m-%dT%H:%MZ").replace(tzinfo=dt.UTC)
    except (TypeError, ValueError):
        return None


class OfficeHoursForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150, initial="Office hours")
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DATETIME)
    minutes = forms.IntegerField(label=_("Minutes"), min_value=10, max_value=120, initial=30)
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=30, initial=4)


class QuestionForm(forms.Form):
    title = forms.CharField(label=_("Your question"), max_length=200)
    body = forms.CharField(label=_("Details"), widget=forms.Textarea(attrs={"rows": 4}), max_length=3000)
    areas = forms.ModelMultipleChoiceField(
        label=_("Areas it is about"),
        queryset=ContentArea.objects.filter(active=True).order_by("name"),
        widget=forms.CheckboxSelectMultiple,
    )
    share_with_institution = forms.BooleanField(
        label=_("Other mentees of my institution may read the answers"), required=False
    )


class AnswerForm(forms.Form):
    body = forms.CharField(label=_("Your answer"), widget=forms.Textarea(attrs={"rows": 4}), max_length=3000)
