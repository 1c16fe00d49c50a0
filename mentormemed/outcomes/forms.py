from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mentormemed.outcomes.models import ParticipationThreshold, ResearchRequest
from mentormemed.outcomes.research import VARIABLES


class ThresholdForm(forms.ModelForm):
    class Meta:
        model = ParticipationThreshold
        fields = ["min_mentees", "min_meetings", "min_modules", "min_cme_credits", "signer_name", "signer_title"]


class ResearchForm(forms.Form):
    title = forms.CharField(max_length=200)
    question = forms.CharField(label=_("Research question"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    variables = forms.MultipleChoiceField(
        label=_("Variables you need"), choices=list(VARIABLES.items()), widget=forms.CheckboxSelectMultiple
    )
    irb_status = forms.ChoiceField(label=_("IRB status"), choices=ResearchRequest.Irb.choices)
    irb_number = forms.CharField(label=_("IRB protocol number"), max_length=80, required=False)
    irb_document = forms.FileField(
        label=_("IRB approval or exemption letter (PDF, up to 10 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("decline", _("Decline"))], widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Note to the requester"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    recipients = forms.CharField(
        label=_("Who may see the data (names and roles)"),
        help_text=_("Required to approve: the export is released under a data use agreement naming them."),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )
    destroy_by = forms.DateField(
        label=_("Destroy the data by"),
        help_text=_("Required to approve: at most five years from today."),
        widget=forms.DateInput(attrs={"type": "date"}),
        required=False,
    )


class AcceptAgreementForm(forms.Form):
    full_name = forms.CharField(label=_("Your full name, as your signature"), max_length=200)
    accept = forms.BooleanField(label=_("I have read this data use agreement and accept its terms"))


class AttestDestructionForm(forms.Form):
    destroyed_on = forms.DateField(
        label=_("Date the data was destroyed"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(
        label=_("How it was destroyed (optional)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )
    confirm = forms.BooleanField(label=_("I confirm that the data and every copy of it have been destroyed"))
