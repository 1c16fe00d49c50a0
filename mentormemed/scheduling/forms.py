"""Forms for availability, dates off, booking, notes and cancelling. They only parse input."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext, gettext_lazy

from mentormemed.core.timezones import zone_choices
from mentormemed.scheduling.models import LinkKind, Window
from mentormemed.scheduling.services import ALLOWED_LENGTHS, WindowSpec

WINDOW_RE = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*[-–]\s*(\d{1,2})(?::(\d{2}))?\s*$")


def parse_windows(weekday: int, text: str) -> list[WindowSpec]:
    """ "09:00-12:00, 14:00-17:30" → windows; 24-hour clock, "-" or "–" between times."""
    specs = []
    for part in filter(None, (p.strip() for p in re.split(r"[,;]", text or ""))):
        match = WINDOW_RE.match(part)
        if not match:
            raise ValidationError(
                gettext("“%(part)s” is not a time range. Write it like 09:00-12:00 (24-hour clock).") % {"part": part}
            )
        h1, m1, h2, m2 = (int(g) if g else 0 for g in match.groups())
        try:
            start, end = dt.time(h1, m1), dt.time(h2, m2) if h2 < 24 else dt.time(23, 59)
        except ValueError as exc:
            raise ValidationError(gettext("“%(part)s” has a time that does not exist.") % {"part": part}) from exc
        if end <= start:
            raise ValidationError(gettext("“%(part)s” ends before it starts.") % {"part": part})
        specs.append(WindowSpec(weekday, start, end))
    return specs


def format_windows(windows, weekday: int) -> str:
    return ", ".join(f"{w.start:%H:%M}-{w.end:%H:%M}" for w in windows if w.weekday == weekday)


class AvailabilityForm(forms.Form):
    time_zone = forms.ChoiceField(
        label=gettext_lazy("Your time zone"),
        choices=zone_choices,
        help_text=gettext_lazy("Your windows are in this zone's local time."),
    )
    lengths = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Meeting lengths you offer"),
        choices=[(n, f"{n} minutes") for n in ALLOWED_LENGTHS],
        coerce=int,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=gettext_lazy("The shortest one is offered first."),
    )
    buffer_minutes = forms.TypedChoiceField(
        label=gettext_lazy("Buffer between meetings"),
        choices=[(n, f"{n} minutes" if n else "None") for n in (0, 5, 10, 15, 30, 60)],
        coerce=int,
    )
    notice_hours = forms.IntegerField(
        label=gettext_lazy("Minimum notice (hours)"),
        min_value=0,
        max_value=24 * 14,
        help_text=gettext_lazy("Nobody can book sooner than this."),
    )
    horizon_days = forms.IntegerField(
        label=gettext_lazy("How far ahead people may book (days)"), min_value=1, max_value=365
    )
    link_kind = forms.ChoiceField(
        label=gettext_lazy("Where you meet"),
        choices=LinkKind.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    own_link = forms.URLField(
        label=gettext_lazy("Your own video link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=gettext_lazy("Needed when you choose your own video link."),
    )
    place = forms.CharField(
        label=gettext_lazy("Place to meet in person"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Needed when you meet in person, e.g. “Room 4B, Medical Education Building”."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for day, name in Window.WEEKDAYS:
            self.fields[f"day_{day}"] = forms.CharField(
                label=gettext("%(name)s windows") % {"name": name},
                required=False,
                max_length=200,
                help_text=gettext("For example 09:00-12:00, 14:00-16:30 — leave empty if you do not meet that day."),
                # read by the week grid (scheduling/week-grid.js), which draws these fields as blocks
                widget=forms.TextInput(
                    attrs={"data-weekday": day, "data-day-name": name, "data-day-short": WEEKDAYS_ABBR[day]}
                ),
            )

    def clean(self):
        data = super().clean()
        windows = []
        for day, _ in Window.WEEKDAYS:
            try:
                windows += parse_windows(day, data.get(f"day_{day}", ""))
            except ValidationError as exc:
                self.add_error(f"day_{day}", exc)
        data["windows"] = windows
        return data


class DateOffForm(forms.Form):
    date = forms.DateField(label=gettext_lazy("First day off"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(
        label=gettext_lazy("Last day off"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Leave empty for a single day."),
    )
    note = forms.CharField(label=gettext_lazy("Note (only you see it)"), required=False, max_length=120)

    def clean(self):
        data = super().clean()
        if data.get("date") and data.get("end") and data["end"] < data["date"]:
            self.add_error("end", gettext("The last day off is before the first; swap them."))
        return data


class AgendaForm(forms.Form):
    agenda = forms.CharField(
        label=gettext_lazy("Agenda"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What would you like to talk about? Both of you see it in the invitation."),
    )


class NotesForm(forms.Form):
    notes = forms.CharField(
        label=gettext_lazy("Meeting notes"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("Only the two of you can read these — not your program office, not MentorMeMed staff."),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason, sent to both of you"), required=False, max_length=300)


def parse_slot(value: str) -> dt.datetime | None:
    """The booking form's slot value ("2026-03-09T13:00Z") as an aware UTC datetime, or None."""
    try:
        return dt.datetime.strptime(value or "", "%Y-%m-%dT%H:%MZ").replace(tzinfo=dt.UTC)
    except ValueError:
        return None
