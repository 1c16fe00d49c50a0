from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext, gettext_lazy

from mentormemed.core.timezones import zone_choices


class NameForm(forms.Form):
    first_name = forms.CharField(
        max_length=150, label=gettext_lazy("First name"), widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        max_length=150, label=gettext_lazy("Last name"), widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )


class InvitationSignupForm(NameForm):
    password1 = forms.CharField(
        label=gettext_lazy("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("At least 10 characters; not a common password or only numbers."),
    )
    password2 = forms.CharField(
        label=gettext_lazy("Password (again)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", gettext("The two passwords differ."))
        return data


class AgreementForm(forms.Form):
    accept = forms.BooleanField(label=gettext_lazy("I have read and accept this agreement."), required=True)


class EligibilityForm(forms.Form):
    urim = forms.BooleanField(
        required=False, label=gettext_lazy("I am from a racial or ethnic group underrepresented in medicine.")
    )
    first_generation = forms.BooleanField(
        required=False, label=gettext_lazy("I am the first in my family to graduate from a four-year college.")
    )
    economically_disadvantaged = forms.BooleanField(
        required=False, label=gettext_lazy("I am from an economically disadvantaged background.")
    )
    attest = forms.BooleanField(
        required=True,
        label=gettext_lazy("I attest that what I selected is true. My program office may confirm it."),
    )

    def clean(self):
        data = super().clean()
        if not (data.get("urim") or data.get("first_generation") or data.get("economically_disadvantaged")):
            raise forms.ValidationError(gettext("Choose at least one basis of eligibility."))
        return data


class CriteriaForm(forms.Form):
    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion in criteria:
            self.fields[f"c{criterion.pk}"] = forms.BooleanField(
                required=True, label=gettext("I meet this criterion: %(text)s") % {"text": criterion.text}
            )
        self.criteria = list(criteria)

    def criterion_ids(self) -> set[int]:
        return {c.pk for c in self.criteria if self.cleaned_data.get(f"c{c.pk}")}


class AccountSettingsForm(NameForm):
    """A person's own name, pronouns and time zone (every date on every page follows the zone)."""

    preferred_name = forms.CharField(
        max_length=150,
        required=False,
        label=gettext_lazy("Preferred first name"),
        help_text=gettext_lazy("Shown instead of your first name."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    pronouns = forms.CharField(
        max_length=40,
        required=False,
        label=gettext_lazy("Pronouns"),
        help_text=gettext_lazy("For example she/her or they/them."),
    )
    time_zone = forms.ChoiceField(
        label=gettext_lazy("Time zone"),
        choices=zone_choices,
        help_text=gettext_lazy("Dates, times, deadlines and meetings are shown in it."),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=settings.LANGUAGES,
        help_text=gettext_lazy("Your pages, e-mails, certificates and calendar invites are in it."),
    )
