"""Forms built from an instrument version's items, and the staff editor of instruments."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from mentormemed.evaluations.models import SCALE_ANCHORS, SCALE_MAX, SCALE_MIN

OVERALL_ANCHORS = {1: "Very poor", 4: "Neither good nor poor", 7: "Excellent"}


def _choices(anchors: dict[int, str]) -> list[tuple[int, str]]:
    return [(n, f"{n} — {anchors[n]}" if n in anchors else str(n)) for n in range(SCALE_MIN, SCALE_MAX + 1)]


SCALE_CHOICES = _choices(SCALE_ANCHORS)  # competency items: how skilled
OVERALL_CHOICES = _choices(OVERALL_ANCHORS)  # overall ratings: how good
YES_NO = [("yes", "Yes"), ("no", "No")]


class ResponseForm(forms.Form):
    """One field per item of ``version``; ``answers()`` returns {item key: value}."""

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        for item in version.items:
            self.fields[item["key"]] = self._field(item)

    @staticmethod
    def _field(item: dict) -> forms.Field:
        required = item.get("required", True) and item["type"] != "text"
        label = item["text"]
        match item["type"]:
            case "scale" | "overall":
                choices = SCALE_CHOICES if item["type"] == "scale" else OVERALL_CHOICES
                if item.get("anchors"):  # an item may word its own ends, e.g. "Not at all likely"
                    choices = _choices({int(n): text for n, text in item["anchors"].items()})
                return forms.TypedChoiceField(
                    label=label, choices=choices, coerce=int, widget=forms.RadioSelect, required=required
                )
            case "choice":
                return forms.ChoiceField(
                    label=label, choices=[(c, c) for c in item["choices"]], widget=forms.RadioSelect, required=required
                )
            case "yesno":
                return forms.ChoiceField(label=label, choices=YES_NO, widget=forms.RadioSelect, required=required)
            case "number":
                return forms.IntegerField(label=label, min_value=0, max_value=1000, required=required)
            case _:
                return forms.CharField(
                    label=label, required=False, max_length=3000, widget=forms.Textarea(attrs={"rows": 3})
                )

    def answers(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}


class InstrumentForm(forms.Form):
    intro = forms.CharField(
        label=gettext_lazy("Introduction shown above the questions"), widget=forms.Textarea(attrs={"rows": 3})
    )
    items = forms.CharField(
        label=gettext_lazy("Items, one per line"),
        widget=forms.Textarea(attrs={"rows": 16, "class": "font-monospace"}),
        help_text=(
            gettext_lazy(
                "Each line: <code>type | key | wording</code>, and for <code>choice</code> items "
                "<code>| first; second; …</code>. Types: scale (competency 1–7), overall (1–7), choice, "
                "yesno, number, text (optional free text). Keep a key when you only reword an item, so "
                "answers stay comparable across versions."
            )
        ),
    )
    note = forms.CharField(label=gettext_lazy("What changed"), max_length=300, required=False)
