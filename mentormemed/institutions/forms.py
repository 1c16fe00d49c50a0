from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mentormemed.accounts.models import Role
from mentormemed.core.timezones import zone_choices
from mentormemed.institutions.models import EndReason, Institution, PriceBand
from mentormemed.institutions.services import criteria_lines


class CriteriaTextField(forms.CharField):
    """Minimum mentor criteria, one per line; each must be short enough to attest (``criteria_lines``)."""

    def __init__(self, *, rows: int, help_text: str):
        super().__init__(
            label=gettext("Minimum mentor criteria"),
            required=False,
            widget=forms.Textarea(attrs={"rows": rows}),
            help_text=help_text,
        )

    def validate(self, value):
        super().validate(value)
        criteria_lines(value.splitlines())


class InstitutionForm(forms.ModelForm):
    time_zone = forms.ChoiceField(choices=zone_choices, initial="America/New_York")
    criteria_text = CriteriaTextField(
        rows=4, help_text=_("One per line, e.g. “Holds a faculty appointment”. Mentors attest each one.")
    )

    class Meta:
        model = Institution
        fields = [
            "name",
            "kind",
            "field_of_training",
            "eligible_headcount",
            "time_zone",
            "state",
            "urim_groups",
            "mentor_commitment",
            "billing_contact",
            "billing_address",
            "billing_email",
        ]
        widgets = {"urim_groups": forms.CheckboxSelectMultiple, "billing_address": forms.Textarea(attrs={"rows": 3})}
        labels = {"urim_groups": "Groups counted as underrepresented in medicine (URiM)"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The taxonomy belongs to profiles (above institutions): narrowed from the fields' own choices.
        self.fields["urim_groups"].queryset = self.fields["urim_groups"].queryset.filter(
            dimension__key="race_ethnicity", parent__isnull=True, write_in=False, no_answer=False
        )
        self.fields["state"].queryset = self.fields["state"].queryset.filter(kind="state")
        self.fields["state"].label = "Home state"
        if self.instance.pk:
            self.fields["criteria_text"].initial = "\n".join(
                self.instance.criteria.filter(active=True).values_list("text", flat=True)
            )


class PriceBandForm(forms.ModelForm):
    class Meta:
        model = PriceBand
        fields = ["name", "min_headcount", "max_headcount", "annual_fee", "mentor_commitment"]
        labels = {"annual_fee": "Annual fee (USD)", "mentor_commitment": "Mentors committed"}


class SubscriptionStartForm(forms.Form):
    term_start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    term_end = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text=_("Leave empty for one year.")
    )
    band = forms.ModelChoiceField(
        queryset=PriceBand.objects.all(), required=False, help_text=_("Leave empty to use the band for the headcount.")
    )
    fee = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text=_("Leave empty to charge the band's fee."),
    )
    paid_on = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class PaymentForm(forms.Form):
    paid_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(choices=[(Role.MENTEE, _("Mentee")), (Role.MENTOR, _("Mentor")), (Role.ADMIN, _("Admin"))])
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)


class AdminInviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of the institution's admin"))
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)


class RosterForm(forms.Form):
    file = forms.FileField(label=_("Roster CSV file"), help_text=_("Columns: email, role, first_name, last_name."))


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=[("active", _("Reinstate")), ("suspended", _("Suspend")), ("ended", _("End"))])
    end_reason = forms.ChoiceField(choices=[("", "—"), *EndReason.choices], required=False, label=_("Why it ends"))
    note = forms.CharField(max_length=500, required=False, label=_("Note (shown to the member)"))


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirmed", _("Confirm")), ("rejected", _("Reject"))])
    note = forms.CharField(max_length=500, required=False, label=_("Reason (required when rejecting)"))


class CriteriaForm(forms.Form):
    criteria_text = CriteriaTextField(rows=6, help_text=_("One per line. Mentors attest each; you confirm."))


class AgreementPublishForm(forms.Form):
    role = forms.ChoiceField(choices=[(Role.MENTEE, _("Mentee")), (Role.MENTOR, _("Mentor"))])
    title = forms.CharField(max_length=200)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 16}))


class AuditFilterForm(forms.Form):
    """Filters of the audit log; dates are whole UTC days, both ends included."""

    action = forms.CharField(label=_("Action starts with"), required=False, max_length=80)
    institution = forms.ModelChoiceField(
        label=_("Institution"), required=False, queryset=Institution.objects.only("pk", "name"), empty_label=_("All")
    )
    date_from = forms.DateField(label=_("From (UTC)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To (UTC)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(gettext("The “from” date is after the “to” date; swap them or clear one."))
        return data
