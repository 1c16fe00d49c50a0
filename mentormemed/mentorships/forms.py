"""Forms only parse input; services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext, gettext_lazy

from mentormemed.mentorships.models import CheckIn, EndReason
from mentormemed.profiles.models import ContentArea


class RequestForm(forms.Form):
    areas = forms.ModelMultipleChoiceField(
        queryset=ContentArea.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Which of your areas of need is this request about?"),
    )
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": 2000}),
        max_length=2000,
        min_length=20,
        label=gettext_lazy("Your message to the mentor"),
        help_text=gettext_lazy("Say who you are, what you hope to get from the mentorship and why this mentor."),
    )
    search_id = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, area_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = area_choices


class AnswerForm(forms.Form):
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        required=False,
        max_length=2000,
        label=gettext_lazy("Message to the mentee"),
    )


class EndForm(forms.Form):
    reason = forms.ChoiceField(
        choices=[("", gettext_lazy("Choose a reason"))] + list(EndReason.choices),
        label=gettext_lazy("Why does it end?"),
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=1000,
        label=gettext_lazy("A word to say goodbye"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = [("", gettext("Choose a reason"))] + [
            c for c in EndReason.choices if c[0] != EndReason.MEMBERSHIP_ENDED
        ]


class CompactForm(forms.Form):
    expectations = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        label=gettext_lazy("What we expect of each other"),
        help_text=gettext_lazy(
            "E.g. how quickly you answer messages, what you keep confidential, how you give feedback."
        ),
    )
    meeting_rhythm = forms.CharField(
        max_length=200, label=gettext_lazy("How often we meet"), help_text=gettext_lazy("E.g. 30 minutes every month.")
    )
    goals_text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label=gettext_lazy("Goals (one per line)"),
        help_text=gettext_lazy("New lines become goals you can track; existing goals are kept."),
    )


class GoalForm(forms.Form):
    text = forms.CharField(max_length=300, label=gettext_lazy("New goal"))


class ProgressForm(forms.Form):
    progress = forms.IntegerField(min_value=0, max_value=100, label=gettext_lazy("Progress (%)"))


class MessageForm(forms.Form):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 5000}), max_length=5000, label=gettext_lazy("Your message")
    )


class CheckInForm(forms.Form):
    answer = forms.ChoiceField(
        choices=CheckIn.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        label=gettext_lazy("Is the mentorship working?"),
    )
    note = forms.CharField(
        required=False, max_length=1000, label=gettext_lazy("Anything to add? (shared with the other side if it ends)")
    )


class ReinstateForm(forms.Form):
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
        label=gettext_lazy("Note (why the mentor is reinstated)"),
    )
