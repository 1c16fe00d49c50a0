"""The product settings: one typed object, read when used, so tests and deployments change it."""

from __future__ import annotations

import re
from pathlib import Path

from django.test import override_settings

from mentormemed.core.conf import ProductSettings, _Setting, product
from mentormemed.mentorships.selectors import capacity_of

ROOT = Path(__file__).resolve().parents[2]


def settings_of_product() -> dict[str, _Setting]:
    return {name: value for name, value in vars(ProductSettings).items() if isinstance(value, _Setting)}


def test_every_setting_has_a_default_and_a_meaning():
    found = settings_of_product()
    assert len(found) >= 30
    for name, setting in found.items():
        assert setting.key == name.upper()
        assert setting.default is not None
        assert len(setting.meaning) > 15, name


def test_defaults_apply_when_the_deployment_sets_nothing(settings):
    settings.MMM = {}
    assert product.small_cell_min == 11
    assert product.rerequest_cooldown_days == 30
    assert product.video_room_base == "https://meet.jit.si/"


def test_the_settings_fixture_changes_what_the_code_reads(settings):
    settings.MMM = {**settings.MMM, "SMALL_CELL_MIN": 4, "MENTOR_CAP": 1}
    assert product.small_cell_min == 4
    assert product.mentor_cap == 1


def test_override_settings_changes_what_a_selector_reads():
    """A mentor's stated capacity never exceeds the product cap, whatever the cap is set to."""

    class Mentor:
        capacity = 5

    with override_settings(MMM={"MENTOR_CAP": 2}):
        assert capacity_of(Mentor()) == 2
    with override_settings(MMM={"MENTOR_CAP": 4}):
        assert capacity_of(Mentor()) == 4


def test_an_environment_string_is_read_as_a_number(settings):
    settings.MMM = {"SMALL_CELL_MIN": "7"}
    assert product.small_cell_min == 7


def test_top_level_settings_are_read_too(settings):
    settings.CME_SIGNATORY_NAME = "Dr. Ada Example"
    assert product.cme_signatory_name == "Dr. Ada Example"


def test_no_product_setting_is_read_outside_the_settings_object():
    """Every product setting is read through ``product``: no other module reads ``settings.MMM``
    or a setting with a default of its own."""
    pattern = re.compile(r"settings\.MMM\b|getattr\(settings,")
    allowed = {ROOT / "core" / "conf.py", ROOT / "settings.py"}
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if path not in allowed and "tests" not in path.parts and pattern.search(path.read_text())
    ]
    assert offenders == []
