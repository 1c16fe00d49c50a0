"""Forms built from an instrument version's items, and the staff editor of instruments."""

from __future__ import annotations

from django import forms
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy

from mentormemed.evaluations.models import SCALE_ANCHORS, SCALE_MAX, SCALE_MIN

OVERALL_ANCHORS = {
    1: gettext_lazy("Very poor"),
    4: gettext_lazy("Neither good nor poor"),
    7: gettext_lazy("Excellent"),
}


def _choices(anchors: dict) -> list[tuple[int, str]]:
    return [(n, f"{n} — {anchors[n]}" if n in anchors else str(n)) for n in range(SCALE_MIN, SCALE_MAX + 1)]


YES_NO = [("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))]


class ResponseForm(forms.Form):
    """One field per item of ``version``; ``answers()`` returns {item key: value}.

    ``text`` (a ``selectors.InstrumentText``) words the items in the reader's language, or in
    English when the version is not translated into it; the scale's own words ("Not at all
    skilled") follow the same language, so an English questionnaire reads wholly in English.
    Values are the source's (keys, numbers, source choices), so answers score the same.
    """

    def __init__(self, *args, version, text=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        items = text.items if text is not None else version.items
        with translation.override(text.language if text is not None else translation.get_language()):
            for item in items:
                self.fields[item["key"]] = self._field(item)

    @staticmethod
    def _field(item: dict) -> forms.Field:
        required = item.get("required", True) and item["type"] != "text"
        label = item["text"]
        match item["type"]:
            case "scale" | "overall":
                anchors = SCALE_ANCHORS if item["type"] == "scale" else OVERALL_ANCHORS
                if item.get("anchors"):  # an item may word its own ends, e.g. "Not at all likely"
                    anchors = {int(n): text for n, text in item["anchors"].items()}
                return forms.TypedChoiceField(
                    label=label,
                    choices=_choices({n: str(a) for n, a in anchors.items()}),
                    coerce=int,
                    widget=forms.RadioSelect,
                    required=required,
                )
            case "choice":
                labels = item.get("labels") or {}
                return forms.ChoiceField(
                    label=label,
                    choices=[(c, labels.get(c, c)) for c in item["choices"]],
                    widget=forms.RadioSelect,
                    required=required,
                )
            case "yesno":
                return forms.ChoiceField(
                    label=label, choices=[(v, str(t)) for v, t in YES_NO], widget=forms.RadioSelect, required=required
                )
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


class InstrumentTranslationForm(forms.Form):
    """The translation of one version: name, description, introduction, each item and its answers.

    Each field carries the English it translates (``field.source``) and each item's first field
    the heading of its group (``field.group``), so the page shows both side by side.
    """

    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    intro = forms.CharField(
        label=gettext_lazy("Introduction shown above the questions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        instrument = version.instrument
        for name, source in (
            ("name", instrument.name),
            ("description", instrument.description),
            ("intro", version.intro),
        ):
            self.fields[name].source = source
        self.fields["intro"].required = bool(version.intro.strip())
        self.items = list(version.items)
        for n, item in enumerate(self.items, start=1):
            key = item["key"]
            text = forms.CharField(
                label=gettext("Item %(number)s") % {"number": n},
                max_length=1000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            text.source, text.group = item["text"], gettext("Item %(number)s") % {"number": n}
            self.fields[f"i_{key}"] = text
            for m, choice in enumerate(item.get("choices", []), start=1):
                field = forms.CharField(
                    label=gettext("Item %(number)s, answer %(answer)s") % {"number": n, "answer": m}, max_length=300
                )
                field.source = choice
                self.fields[f"i_{key}_c{m}"] = field
            for point, anchor in (item.get("anchors") or {}).items():
                field = forms.CharField(
                    label=gettext("Item %(number)s, the words for %(point)s") % {"number": n, "point": point},
                    max_length=100,
                )
                field.source = anchor
                self.fields[f"i_{key}_a{point}"] = field

    def translated_items(self) -> dict[str, dict]:
        """``{item key: {"text", "choices": {source choice: label}, "anchors": {point: label}}}``."""
        data = self.cleaned_data
        return {
            item["key"]: {
                "text": data.get(f"i_{item['key']}", ""),
                "choices": {c: data.get(f"i_{item['key']}_c{m}", "") for m, c in enumerate(item.get("choices", []), 1)},
                "anchors": {p: data.get(f"i_{item['key']}_a{p}", "") for p in (item.get("anchors") or {})},
            }
            for item in self.items
        }

    @staticmethod
    def initial_from(translation, version) -> dict:
        """Initial values from a saved translation: of this version, or of an earlier one (then only the
        items whose key and English wording are unchanged are carried over)."""
        if translation is None:
            return {}
        initial = {"name": translation.name, "description": translation.description, "intro": translation.intro}
        same = translation.version_id == version.pk
        earlier = {} if same else {i["key"]: i for i in translation.version.items}
        for item in version.items:
            key = item["key"]
            if not same and earlier.get(key, {}).get("text") != item["text"]:
                continue
            saved = (translation.items or {}).get(key, {})
            if saved.get("text"):
                initial[f"i_{key}"] = saved["text"]
            for m, choice in enumerate(item.get("choices", []), start=1):
                if (saved.get("choices") or {}).get(choice):
                    initial[f"i_{key}_c{m}"] = saved["choices"][choice]
            for point in item.get("anchors") or {}:
                if (saved.get("anchors") or {}).get(point):
                    initial[f"i_{key}_a{point}"] = saved["anchors"][point]
        return initial
