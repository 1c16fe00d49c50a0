"""Issue 19 (languages): staff translate an instrument version; people answer it in their language
or in English with a notice, and their answers count exactly as English ones."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from mentormemed.core.access import Actor
from mentormemed.core.models import AuditEntry
from mentormemed.evaluations import services
from mentormemed.evaluations.defaults import MENTOR_EVALUATION_ES
from mentormemed.evaluations.models import Evaluation, Instrument, InstrumentVersionTranslation, SurveyResponse
from mentormemed.evaluations.selectors import instrument_text
from mentormemed.mentorships import testing as mt

pytestmark = pytest.mark.django_db

NOTICE_ES = "Este cuestionario solo está disponible en inglés."


def _version(kind: str = "mentor_evaluation"):
    return Instrument.objects.select_related("current_version").get(kind=kind).current_version


def translate(staff, kind: str = "mentor_evaluation", **overrides) -> InstrumentVersionTranslation:
    return services.instrument_translation_save(
        acting=Actor.for_user(staff), version=_version(kind), language="es", **{**MENTOR_EVALUATION_ES, **overrides}
    )


def career_update_es(version) -> dict:
    items = {}
    for item in version.items:
        items[item["key"]] = {
            "text": f"ES · {item['text']}",
            "choices": {c: f"ES · {c}" for c in item.get("choices", [])},
            "anchors": {n: f"ES · {a}" for n, a in (item.get("anchors") or {}).items()},
        }
    return {"name": "Actualización profesional", "intro": "Cuéntenos.", "items": items}


def _spanish(membership):
    membership.user.language = "es"
    membership.user.save(update_fields=["language"])
    return membership


def test_staff_translate_an_instrument_audited_and_one_per_language(cast):
    first = translate(cast.staff)
    again = translate(cast.staff, name="Evaluación de su mentor")
    assert first.pk == again.pk and InstrumentVersionTranslation.objects.count() == 1
    entry = AuditEntry.objects.filter(action="instrument.translation_save").order_by("pk").last()
    assert entry.actor == cast.staff and entry.detail == {
        "instrument": "mentor_evaluation",
        "version": 1,
        "language": "es",
        "created": False,
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        InstrumentVersionTranslation.objects.create(version=_version(), language="es", name="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        InstrumentVersionTranslation.objects.create(version=_version("career_update"), language="en", name="x")


def test_only_staff_translate_instruments(cast):
    with pytest.raises(PermissionDenied):
        services.instrument_translation_save(
            acting=Actor.for_membership(cast.admin), version=_version(), language="es", **MENTOR_EVALUATION_ES
        )
    url = reverse("evaluations:instrument_translation", args=[_version().instrument_id, "es"])
    for who in (cast.mentee, cast.mentor, cast.admin):
        assert cast.client_for(who).post(url, {"name": "x"}).status_code in (403, 404)
    assert not InstrumentVersionTranslation.objects.exists()


def test_every_item_and_answer_must_be_translated(cast):
    version = _version("career_update")
    strings = career_update_es(version)
    strings["items"]["stage"]["choices"]["Residency"] = ""
    with pytest.raises(ValidationError, match="item 1"):
        services.instrument_translation_save(
            acting=Actor.for_user(cast.staff), version=version, language="es", **strings
        )
    with pytest.raises(ValidationError):  # only the site's other languages
        services.instrument_translation_save(
            acting=Actor.for_user(cast.staff), version=_version(), language="fr", **MENTOR_EVALUATION_ES
        )
    assert not InstrumentVersionTranslation.objects.exists()


def test_an_instrument_translation_belongs_to_its_version(cast):
    translate(cast.staff)
    v1 = _version()
    instrument = v1.instrument
    services.instrument_publish(
        acting=Actor.for_user(cast.staff),
        instrument=instrument,
        intro="Rate your mentor.",
        items_text="scale | integrity | Acting with integrity and keeping their word\noverall | overall | Overall",
    )
    v2 = _version()
    text = instrument_text(version=v2, language="es")
    assert (text.language, text.fallback, text.intro) == ("en", True, "Rate your mentor.")
    assert instrument_text(version=v1, language="es").language == "es"
    with pytest.raises(ValidationError, match="current version"):
        services.instrument_translation_save(
            acting=Actor.for_user(cast.staff), version=v1, language="es", **MENTOR_EVALUATION_ES
        )
    # Version 2's page starts from version 1's Spanish for the item whose English is unchanged.
    html = (
        cast.client_for(cast.staff)
        .get(reverse("evaluations:instrument_translation", args=[instrument.pk, "es"]))
        .content.decode()
    )
    assert "Filled in from the translation of version 1" in html
    assert "Actuar con integridad y cumplir su palabra" in html and "¿cómo calificaría" not in html


def test_selector_falls_back_to_english(cast):
    version = _version()
    assert instrument_text(version=version, language="es").fallback
    assert not instrument_text(version=version, language="en").fallback
    translate(cast.staff)
    text = instrument_text(version=version, language="es")
    assert (text.language, text.fallback, text.name) == ("es", False, "Evaluación del mentor")
    assert [i["key"] for i in text.items] == [i["key"] for i in version.items]
    assert text.items[0]["text"] == "Actuar con integridad y cumplir su palabra"
    assert instrument_text(version=version, language="en").items[0]["text"] == version.items[0]["text"]


def test_spanish_mentee_evaluates_in_spanish_and_scores_as_in_english(cast):
    translate(cast.staff)
    mt.fully_onboard(cast.mentee)
    mentor = mt.mentor_profile(cast.mentor)
    rel = mt.relationship(cast.mentee, mentor, started_at=timezone.now() - dt.timedelta(days=185))
    client = cast.client_for(_spanish(cast.mentee))
    url = reverse("evaluations:evaluate", args=[rel.pk])
    html = client.get(url).content.decode()
    assert '<div class="mb-3" lang="es">' in html and "Actuar con integridad y cumplir su palabra" in html
    assert "1 — Nada hábil" in html and "7 — Excelente" in html and NOTICE_ES not in html
    assert '<p lang="es">Califique qué tan hábil' in html
    version = _version()
    answers = {i["key"]: 5 for i in version.items if i["type"] == "scale"} | {"overall": 6}
    assert client.post(url, answers).status_code == 302
    saved = Evaluation.objects.get(relationship=rel)
    english = services.scores(version, services.clean_answers(version, answers))
    assert (saved.competency_mean, saved.overall) == english == (5, 6)
    assert saved.answers == services.clean_answers(version, answers)


def test_untranslated_survey_is_marked_english_and_its_choices_store_the_source(cast):
    from mentormemed.institutions.models import Membership

    mt.fully_onboard(cast.mentee)
    Membership.objects.filter(pk=cast.mentee.pk).update(created_at=timezone.now() - dt.timedelta(days=370))
    client = cast.client_for(_spanish(cast.mentee))  # a year in: the career update is open
    url = reverse("evaluations:survey", args=["career_update"])
    html = client.get(url).content.decode()
    assert NOTICE_ES in html and '<div class="mb-3" lang="en">' in html
    assert '<h1 class="h3" lang="en">Career update</h1>' in html
    assert "Not at all" in html and ">Yes<" in html  # the scale's words stay in the questionnaire's language
    version = _version("career_update")
    services.instrument_translation_save(
        acting=Actor.for_user(cast.staff), version=version, language="es", **career_update_es(version)
    )
    html = client.get(url).content.decode()
    assert NOTICE_ES not in html and "ES · Residency" in html and ">Sí<" in html
    answers = {"stage": "Residency", "matched": "yes", "appointment": "no", "publications": "2", "helped": "6"}
    assert client.post(url, answers).status_code == 302
    response = SurveyResponse.objects.get(membership=cast.mentee, instrument__kind="career_update")
    assert response.answers["stage"] == "Residency" and response.answers["helped"] == 6


def test_staff_translation_page_saves_through_the_service(cast):
    version = _version("program_feedback")
    client = cast.client_for(cast.staff)
    assert (
        "Translations" in client.get(reverse("evaluations:instrument", args=[version.instrument_id])).content.decode()
    )
    url = reverse("evaluations:instrument_translation", args=[version.instrument_id, "es"])
    assert "Not translated yet." in client.get(url).content.decode()
    form = {"name": "Opinión sobre el programa", "description": "", "intro": "Ayúdenos a mejorar."}
    for item in version.items:
        form[f"i_{item['key']}"] = f"ES · {item['text']}"
        for point in item.get("anchors") or {}:
            form[f"i_{item['key']}_a{point}"] = f"ES · {point}"
    assert client.post(url, form).status_code == 302
    saved = InstrumentVersionTranslation.objects.get(version=version, language="es")
    assert saved.items["recommend"]["anchors"] == {"1": "ES · 1", "4": "ES · 4", "7": "ES · 7"}
    assert AuditEntry.objects.filter(action="instrument.translation_save", actor=cast.staff).exists()
