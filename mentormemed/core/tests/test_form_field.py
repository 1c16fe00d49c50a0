"""The form field template: labels, help, errors and their links stay accessible."""

from __future__ import annotations

from django import forms
from django.template.loader import render_to_string


class Sample(forms.Form):
    colour = forms.ChoiceField(choices=[("r", "Red"), ("g", "Green")], widget=forms.RadioSelect, help_text="Pick one")
    name = forms.CharField(help_text="Your name")


def test_radio_choices_are_bootstrap_inputs_with_their_own_labels():
    form = Sample(data={"name": ""})
    html = render_to_string("form_snippet.html", {"form": form})
    assert html.count('class="form-check-input"') == 2
    radio = (
        '<input type="radio" name="colour" value="r" id="id_colour_0" required aria-invalid="true"'
        ' class="form-check-input">'
    )
    assert radio in html
    assert '<label class="form-check-label" for="id_colour_0">Red</label>' in html
    assert '<fieldset aria-describedby="id_colour_help">' in html


def test_an_invalid_text_field_is_marked_and_described():
    form = Sample(data={"name": ""})
    html = render_to_string("form_snippet.html", {"form": form})
    assert 'aria-invalid="true"' in html and 'aria-describedby="id_name_help"' in html
    assert 'class="form-control is-invalid"' in html
