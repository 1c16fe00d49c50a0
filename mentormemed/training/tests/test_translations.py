"""Issue 19 (languages): staff translate a module version; learners read it in their language or
in English with a notice, and score the same either way."""

from __future__ import annotations

import json
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from mentormemed.core.access import Actor
from mentormemed.core.models import AuditEntry
from mentormemed.training import demo, services
from mentormemed.training.models import CheckAttempt, Module, ModuleVersion, ModuleVersionTranslation
from mentormemed.training.selectors import library_texts, module_text
from mentormemed.training.testing import correct_answers

pytestmark = pytest.mark.django_db

SLUG = "getting-the-most-from-mentorship"  # a required mentee module
OTHER = "financial-planning"  # a mentee module nobody translates here
NOTICE_ES = "Este módulo solo está disponible en inglés."


def _module(slug: str = SLUG) -> Module:
    return Module.objects.select_related("current_version").get(slug=slug)


def spanish(version: ModuleVersion) -> dict:
    """A complete translation of ``version``'s questions: every string prefixed "ES ·"."""
    return {
        str(q.pk): {
            "text": f"ES · {q.text}",
            "explanation": f"ES · {q.explanation}" if q.explanation else "",
            "choices": {str(c.pk): f"ES · {c.text}" for c in q.choices.all()},
        }
        for q in version.questions.prefetch_related("choices")
    }


def translate(staff, module: Module, **overrides) -> ModuleVersionTranslation:
    version = module.current_version
    fields = {
        "title": "Cómo aprovechar al máximo sus relaciones de mentoría",
        "summary": "Resumen en español.",
        "body": "## Por qué existe este módulo\n\nLa mentoría se asocia con mejores resultados.",
        "questions": spanish(version),
        **overrides,
    }
    return services.module_translation_save(acting=Actor.for_user(staff), version=version, language="es", **fields)


def _spanish_reader(membership):
    membership.user.language = "es"
    membership.user.save(update_fields=["language"])
    return membership


def test_staff_translate_the_current_version_audited_and_one_per_language(cast):
    module = _module()
    first = translate(cast.staff, module)
    again = translate(cast.staff, module, title="Cómo aprovechar sus mentorías")
    assert first.pk == again.pk and ModuleVersionTranslation.objects.count() == 1
    assert again.title == "Cómo aprovechar sus mentorías" and again.updated_by == cast.staff
    entries = AuditEntry.objects.filter(action="training.translation_save").order_by("pk")
    assert [e.detail for e in entries] == [
        {"version": 1, "language": "es", "created": True},
        {"version": 1, "language": "es", "created": False},
    ]
    assert entries[0].actor == cast.staff
    with pytest.raises(IntegrityError), transaction.atomic():  # the database holds one per (version, language)
        ModuleVersionTranslation.objects.create(version=module.current_version, language="es", title="x", body="y")


def test_only_staff_translate(cast):
    module = _module()
    with pytest.raises(PermissionDenied):
        services.module_translation_save(
            acting=Actor.for_membership(cast.admin),
            version=module.current_version,
            language="es",
            title="x",
            body="y",
            questions=spanish(module.current_version),
        )
    url = reverse("training:staff_module_translation", args=[module.pk, "es"])
    for who in (cast.mentee, cast.mentor, cast.admin):
        assert cast.client_for(who).post(url, {"title": "x", "body": "y"}).status_code in (403, 404)
    assert not ModuleVersionTranslation.objects.exists()


def test_translations_are_into_the_other_site_languages_only(cast):
    module = _module()
    for language in ("en", "fr"):
        with pytest.raises(ValidationError):
            services.module_translation_save(
                acting=Actor.for_user(cast.staff),
                version=module.current_version,
                language=language,
                title="x",
                body="y",
                questions=spanish(module.current_version),
            )
    with pytest.raises(IntegrityError), transaction.atomic():  # English is the source, never a translation
        ModuleVersionTranslation.objects.create(version=module.current_version, language="en", title="x", body="y")
    assert (
        cast.client_for(cast.staff)
        .get(reverse("training:staff_module_translation", args=[module.pk, "en"]))
        .status_code
        == 404
    )


def test_a_translation_must_cover_every_question_and_choice(cast):
    module = _module()
    questions = spanish(module.current_version)
    first = next(iter(questions.values()))
    first["choices"][next(iter(first["choices"]))] = "  "
    with pytest.raises(ValidationError, match="question 1"):
        translate(cast.staff, module, questions=questions)
    with pytest.raises(ValidationError):
        translate(cast.staff, module, body=" ")
    assert not ModuleVersionTranslation.objects.exists()


def test_a_translation_belongs_to_its_version(cast):
    """A new version is not shown in last version's Spanish: its readers get English, saying so."""
    module = _module()
    translate(cast.staff, module)
    v1 = module.current_version
    assert module_text(version=v1, language="es").language == "es"
    draft = services.draft_for(acting=Actor.for_user(cast.staff), module=module)
    services.draft_update(acting=Actor.for_user(cast.staff), version=draft, body=draft.body + "\n\nNew advice.")
    with pytest.raises(ValidationError, match="current published version"):  # drafts are not translated
        services.module_translation_save(
            acting=Actor.for_user(cast.staff), version=draft, language="es", title="x", body="y", questions={}
        )
    services.module_publish(acting=Actor.for_user(cast.staff), module=module)
    module = _module()
    v2 = module.current_version
    text = module_text(version=v2, language="es")
    assert (text.language, text.fallback, text.title) == ("en", True, module.title)
    assert module_text(version=v1, language="es").language == "es"  # kept with the version it translates
    with pytest.raises(ValidationError, match="current published version"):
        services.module_translation_save(
            acting=Actor.for_user(cast.staff), version=v1, language="es", title="x", body="y", questions=spanish(v1)
        )
    # The staff page for version 2 starts from version 1's Spanish where the English is unchanged.
    page = cast.client_for(cast.staff).get(reverse("training:staff_module_translation", args=[module.pk, "es"]))
    html = page.content.decode()
    assert "Filled in from the translation of version 1" in html
    first_question = v2.questions.first()
    assert f"ES · {first_question.text}" in html
    assert not ModuleVersionTranslation.objects.filter(version=v2).exists()  # nothing shown until staff save


def test_selector_falls_back_to_english_and_says_so(cast):
    module = _module()
    version = module.current_version
    english = module_text(version=version, language="en")
    assert (english.language, english.fallback, english.translated) == ("en", False, False)
    untranslated = module_text(version=version, language="es")
    assert (untranslated.language, untranslated.fallback, untranslated.body) == ("en", True, version.body)
    translate(cast.staff, module)
    text = module_text(version=version, language="es-MX")
    assert (text.language, text.fallback, text.translated) == ("es", False, True)
    question = version.questions.first()
    choice = question.choices.first()
    assert text.question(question) == f"ES · {question.text}" and text.choice(choice) == f"ES · {choice.text}"
    assert module_text(version=version, language="en").title == module.title  # English readers are unaffected
    texts = library_texts([module, _module(OTHER)], language="es")
    assert texts[module.pk].title.startswith("Cómo") and texts[_module(OTHER).pk].language == "en"


def test_spanish_reader_reads_a_translated_module_in_spanish_and_an_untranslated_one_marked_english(cast):
    translate(cast.staff, _module())
    client = cast.client_for(_spanish_reader(cast.mentee))
    html = client.get(reverse("training:module", args=[SLUG])).content.decode()
    assert '<html lang="es"' in html
    assert '<span lang="es">Cómo aprovechar al máximo sus relaciones de mentoría</span>' in html
    assert re.search(r'<article class="module-body" lang="es">\s*<h2[^>]*>Por qué existe este módulo</h2>', html)
    assert NOTICE_ES not in html
    other = client.get(reverse("training:module", args=[OTHER])).content.decode()
    assert NOTICE_ES in other
    assert '<article class="module-body" lang="en">' in other
    assert f'<span lang="en">{_module(OTHER).title.replace("&", "&amp;")}</span>' in other
    library = client.get(reverse("training:modules")).content.decode()
    assert 'lang="es">Cómo aprovechar al máximo sus relaciones de mentoría</a>' in library


def test_english_reader_sees_english_without_a_notice(cast):
    translate(cast.staff, _module())
    html = cast.client_for(cast.mentee).get(reverse("training:module", args=[SLUG])).content.decode()
    assert '<article class="module-body" lang="en">' in html and "Cómo aprovechar" not in html
    assert NOTICE_ES not in html and "available only in English" not in html


def test_knowledge_check_in_spanish_scores_as_in_english(cast):
    module = _module()
    translate(cast.staff, module)
    question = module.current_version.questions.first()
    answers = correct_answers(module)
    wrong = next(c.pk for c in question.choices.all() if not c.correct)
    answers[question.pk] = wrong  # three of four right: 75 %, below the pass mark
    posted = {f"q{q}": c for q, c in answers.items()}

    spanish_client = cast.client_for(_spanish_reader(cast.mentee))
    page = spanish_client.get(reverse("training:check", args=[SLUG])).content.decode()
    assert f"ES · {question.text}" in page and '<fieldset class="mb-4" lang="es">' in page
    assert "solo está disponible en inglés" not in page
    spanish_client.post(reverse("training:check", args=[SLUG]), posted)
    english_reader = cast.mentee_b
    cast.client_for(english_reader).post(reverse("training:check", args=[SLUG]), posted)
    spanish_try = CheckAttempt.objects.get(membership=cast.mentee)
    english_try = CheckAttempt.objects.get(membership=english_reader)
    assert (spanish_try.score, spanish_try.passed, spanish_try.answers) == (75, False, english_try.answers)
    assert english_try.score == 75

    # A pass shows its feedback in Spanish too.
    passed = spanish_client.post(
        reverse("training:check", args=[SLUG]), {f"q{q}": c for q, c in correct_answers(module).items()}
    ).content.decode()
    assert "100" in passed and f"ES · {question.explanation}" in passed
    correct = next(c for c in question.choices.all() if c.correct)
    assert f'<span lang="es">ES · {correct.text}</span>' in passed


def test_untranslated_check_says_it_is_english_only(cast):
    html = cast.client_for(_spanish_reader(cast.mentee)).get(reverse("training:check", args=[SLUG])).content.decode()
    assert "Esta evaluación de conocimientos solo está disponible en inglés." in html
    assert '<fieldset class="mb-4" lang="en">' in html


def test_staff_translation_page_saves_through_the_service(cast):
    module = _module()
    version = module.current_version
    client = cast.client_for(cast.staff)
    url = reverse("training:staff_module_translation", args=[module.pk, "es"])
    page = client.get(url).content.decode()
    assert 'lang="en"' in page and "Not translated yet." in page
    assert "Translations" in client.get(reverse("training:staff_module", args=[module.pk])).content.decode()
    form = {"title": "Título", "summary": "", "body": "## Contenido"}
    for q in version.questions.prefetch_related("choices"):
        form[f"q{q.pk}"] = f"ES · {q.text}"
        if q.explanation:
            form[f"e{q.pk}"] = f"ES · {q.explanation}"
        for c in q.choices.all():
            form[f"c{c.pk}"] = f"ES · {c.text}"
    incomplete = dict(form)
    incomplete.pop(next(k for k in form if k.startswith("c")))
    assert client.post(url, incomplete).status_code == 200 and not ModuleVersionTranslation.objects.exists()
    assert client.post(url, form).status_code == 302
    saved = ModuleVersionTranslation.objects.get(version=version, language="es")
    assert saved.title == "Título" and saved.questions == spanish(version)
    assert AuditEntry.objects.filter(action="training.translation_save", actor=cast.staff).count() == 1


def test_demo_spanish_strings_fit_the_seeded_module(cast):
    """The demo's Spanish of its translated module has one string for each seeded question and choice."""
    module = _module(demo.TRANSLATED)
    strings = json.loads((demo.SPANISH / f"{module.slug}.json").read_text(encoding="utf-8"))
    questions = list(module.current_version.questions.prefetch_related("choices"))
    assert [len(q["choices"]) for q in strings["questions"]] == [q.choices.count() for q in questions]
    assert module.for_role("mentee") and module.required
