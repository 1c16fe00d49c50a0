from __future__ import annotations

from django import forms


class TokenForm(forms.Form):
    label = forms.CharField(max_length=100, label="Which system will use it?", help_text="e.g. “Okta production”")


class RosterForm(forms.Form):
    file = forms.FileField(
        label="Full roster (CSV)",
        help_text="Columns: email, role (mentee or mentor), first_name, last_name, status (empty, graduated or left). "
        "Everyone now in the program, every time: people missing from the file are treated as having left.",
    )
