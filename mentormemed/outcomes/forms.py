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
