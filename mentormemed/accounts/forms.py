from __future__ import annotations

from django import forms

from mentormemed.core.timezones import zone_choices


class NameForm(forms.Form):
    first_name = forms.CharField(
        max_length=150, label="First name", widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        max_length=150, label="Last name", widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )


class InvitationSignupForm(NameForm):
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters; not a common password or only numbers.",
    )
    password2 = forms.CharField(
        label="Password (again)", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        return data


class AgreementForm(forms.Form):
    accept = forms.BooleanField(label="I have read and accept this agreement.", required=True)


class EligibilityForm(forms.Form):
    urim = forms.BooleanField(required=False, label="I am from a racial or ethnic group underrepresented in medicine.")
    first_generation = forms.BooleanField(
        required=False, label="I am the first in my family to graduate from a four-year college."
    )
    economically_disadvantaged = forms.BooleanField(
        required=False, label="I am from an economically disadvantaged background."
    )
    attest = forms.BooleanField(
        required=True,
        label="I attest that what I selected is true. My program office may confirm it.",
    )

    def clean(self):
        data = super().clean()
        if not (data.get("urim") or data.get("first_generation") or data.get("economically_disadvantaged")):
            raise forms.ValidationError("Choose at least one basis of eligibility.")
        return data


class CriteriaForm(forms.Form):
    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion in criteria:
            self.fields[f"c{criterion.pk}"] = forms.BooleanField(
                required=True, label=f"I meet this criterion: {criterion.text}"
            )
        self.criteria = list(criteria)

    def criterion_ids(self) -> set[int]:
        return {c.pk for c in self.criteria if self.cleaned_data.get(f"c{c.pk}")}


class AccountSettingsForm(NameForm):
    """A person's own name, pronouns and time zone (every date on every page follows the zone)."""

    preferred_name = forms.CharField(
        max_length=150,
        required=False,
        label="Preferred first name",
        help_text="Shown instead of your first name.",
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    pronouns = forms.CharField(
        max_length=40, required=False, label="Pronouns", help_text="For example she/her or they/them."
    )
    time_zone = forms.ChoiceField(
        label="Time zone", choices=zone_choices, help_text="Dates, times, deadlines and meetings are shown in it."
    )
