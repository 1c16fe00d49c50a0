"""The navbar marks one current page, the most specific match."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _current(response) -> list[str]:
    items = response.context["nav_items"]
    links = [c for i in items for c in i.get("children", [i])]
    return [link["label"] for link in links if link["active"]]


def test_a_nested_page_marks_only_its_own_nav_item(cast):
    client = cast.client_for(cast.mentor)
    assert _current(client.get(reverse("scheduling:availability"))) == ["Availability"]
    assert _current(client.get(reverse("scheduling:meetings"))) == ["Meetings"]


def test_radio_choices_get_bootstrap_classes(cast):
    """Radio groups rendered by the shared form snippet use Bootstrap's form-check-input."""
    from django import forms
    from django.template.loader import render_to_string

    class F(forms.Form):
        answer = forms.ChoiceField(choices=[("a", "Yes"), ("b", "No")], widget=forms.RadioSelect)

    html = render_to_string("form_snippet.html", {"form": F()})
    assert html.count('class="form-check-input"') == 2
    assert "form-check-inline" in html


def test_r1_paused_members_get_no_menu_of_pages_they_cannot_open(cast):
    client = cast.client_for(cast.mentee)
    assert client.get(reverse("accounts:settings")).context["nav_items"]
    cast.inst_a.subscriptions.update(ended_on=cast.inst_a.subscriptions.get().term_start)
    paused = client.get(reverse("core:home"))
    assert paused.status_code == 403 and paused.context["nav_items"] == []
    admin_page = cast.client_for(cast.admin).get(reverse("institutions:subscription"))
    assert admin_page.status_code == 200 and admin_page.context["nav_items"]  # admins keep their pages


def test_long_checkbox_lists_scroll_and_say_what_is_ticked():
    from django import forms
    from django.template.loader import render_to_string

    class F(forms.Form):
        many = forms.MultipleChoiceField(
            choices=[(str(i), f"Option {i}") for i in range(60)], widget=forms.CheckboxSelectMultiple, required=False
        )
        some = forms.MultipleChoiceField(
            choices=[(str(i), f"Area {i}") for i in range(20)], widget=forms.CheckboxSelectMultiple, required=False
        )

    html = render_to_string("form_snippet.html", {"form": F(initial={"many": ["3", "41"]})})
    assert 'class="choice-scroll"' in html and 'class="choice-columns"' in html
    assert "Ticked:</span> Option 3; Option 41" in html
