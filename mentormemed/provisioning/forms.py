from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    label = forms.CharField(max_length=100, label=_("Which system will use it?"), help_text=_("e.g. “Okta production”"))


class RosterForm(forms.Form):
    file = forms.FileField(
        label=_("Full roster (CSV)"),
        help_text=_(
            "Columns: email, role (mentee or mentor), first_name, last_name, status (empty, graduated or left). "
            "Everyone now in the program, every time: people missing from the file are treated as having left."
        ),
    )
