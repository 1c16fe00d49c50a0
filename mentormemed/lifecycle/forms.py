from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mentormemed.lifecycle.models import RetentionSchedule


class RetentionForm(forms.ModelForm):
    class Meta:
        model = RetentionSchedule
        fields = ["audit_years", "inactive_account_years", "closeout_grace_days"]
        widgets = {
            "audit_years": forms.NumberInput(attrs={"min": 1, "max": 30}),
            "inactive_account_years": forms.NumberInput(attrs={"min": 1, "max": 30}),
            "closeout_grace_days": forms.NumberInput(attrs={"min": 7, "max": 365}),
        }

    def clean_closeout_grace_days(self) -> int:
        value = self.cleaned_data["closeout_grace_days"]
        if not 7 <= value <= 365:
            raise forms.ValidationError(gettext("Give the institution between 7 and 365 days to take its data."))
        return value

    def clean(self):
        data = super().clean()
        for name in ("audit_years", "inactive_account_years"):
            if name in data and not 1 <= data[name] <= 30:
                self.add_error(name, gettext("Between 1 and 30 years."))
        return data


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Why"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class ErasureRequestForm(forms.Form):
    reason = forms.CharField(
        label=_("Anything you want us to know (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account and everything listed above will be erased and cannot be restored.")
    )


class ErasureDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("carry_out", _("Carry out the erasure")), ("decline", _("Decline"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note to the person (required when declining)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
