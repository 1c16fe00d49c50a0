"""Forms only parse input; services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mentormemed.care.models import CarePolicy, CaseStatus, Category, Going, Rhythm


class ReportForm(forms.Form):
    category = forms.ChoiceField(choices=Category.choices, widget=forms.RadioSelect, label=_("What is it about?"))
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 4000}),
        max_length=4000,
        label=_("What happened"),
        help_text=_(
            "Dates and what was said or done help the people who handle it. "
            "The person you report is never told who reported them."
        ),
    )
    block = forms.BooleanField(required=False, initial=True, label=_("Block contact now (pause the mentorship)"))


class ConcernForm(forms.Form):
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": 4000}),
        max_length=4000,
        label=_("What worries you"),
        help_text=_("Goes to the contact your mentee's institution designates, not to your mentee."),
    )
    urgent = forms.BooleanField(required=False, label=_("Urgent: I think they need help today"))


class CheckInAnswerForm(forms.Form):
    going = forms.ChoiceField(choices=Going.choices, widget=forms.RadioSelect, label=_("How is the mentorship going?"))
    rhythm = forms.ChoiceField(
        choices=Rhythm.choices,
        widget=forms.RadioSelect,
        required=False,
        label=_("Do you meet as often as you agreed?"),
    )

    def __init__(self, *args, periodic: bool = True, prefix_id: str = "", **kwargs):
        super().__init__(*args, auto_id=f"id_{prefix_id}_%s" if prefix_id else "id_%s", **kwargs)
        if not periodic:
            del self.fields["rhythm"]


class OutreachForm(forms.Form):
    to = forms.ChoiceField(
        choices=[("both", _("Both")), ("mentee", _("The mentee")), ("mentor", _("The mentor"))], label=_("Reach out to")
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 1000}),
        max_length=1000,
        required=False,
        label=_("Your note"),
        help_text=_("Empty: a friendly standard check-in with your e-mail address for replies."),
    )

    def __init__(self, *args, sides=("mentee", "mentor"), **kwargs):
        super().__init__(*args, **kwargs)
        if len(sides) == 1:
            self.fields["to"].choices = [c for c in self.fields["to"].choices if c[0] == sides[0]]


class CaseUpdateForm(forms.Form):
    status = forms.ChoiceField(choices=CaseStatus.choices, label=_("Status"))
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        max_length=2000,
        required=False,
        label=_("Note for the case history"),
        help_text=_("Seen only by the people handling the case."),
    )


class DuplicateForm(forms.Form):
    keep = forms.ChoiceField(widget=forms.RadioSelect, label=_("Which mentor do you want to keep for this need?"))

    def __init__(self, *args, duplicate, **kwargs):
        super().__init__(*args, **kwargs)
        first = duplicate.first.mentor.membership.user.display_name
        second = duplicate.second.mentor.membership.user.display_name
        self.fields["keep"].choices = [
            ("both", gettext("Keep both: they help me with different sides of it")),
            ("first", gettext("Keep %(kept)s (end the mentorship with %(ended)s)") % {"kept": first, "ended": second}),
            ("second", gettext("Keep %(kept)s (end the mentorship with %(ended)s)") % {"kept": second, "ended": first}),
        ]


class PolicyForm(forms.ModelForm):
    class Meta:
        model = CarePolicy
        fields = list(CarePolicy.EDITABLE)
        labels = {
            "drift_days": _("Drifting after (days without contact)"),
            "at_risk_days": _("At risk after (days without contact)"),
            "checkin_every_days": _("Regular check-in every (days)"),
            "checkin_after_meetings": _("Ask one question after each held meeting"),
            "no_show_window_days": _("Count no-shows over (days)"),
            "no_show_prompt_at": _("Prompt the mentee at (no-shows)"),
            "no_show_admin_at": _("Tell admins at (no-shows)"),
            "wellbeing_contact_name": _("Wellbeing contact"),
            "wellbeing_contact_email": _("Wellbeing contact e-mail"),
            "wellbeing_contact_phone": _("Wellbeing contact phone"),
            "crisis_resources": _("Crisis resources shown to mentors"),
            "tell_mentee_of_concern": _("Tell the mentee when a concern is raised"),
        }
        widgets = {"crisis_resources": forms.Textarea(attrs={"rows": 4})}
