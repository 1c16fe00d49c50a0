"""Journey (issue 19, languages): a mentee who reads Spanish opens a module staff translated and reads
it, and its knowledge check, in Spanish; an untranslated module shows in English, marked as such
(WCAG 3.1.2: the English block carries lang="en")."""

from __future__ import annotations

from types import SimpleNamespace

from django.urls import reverse
from django.utils import translation

from mentormemed.testing.factories import TEST_PASSWORD
from mentormemed.training import demo
from mentormemed.training.models import CheckAttempt, Module
from tests.e2e.conftest import ARTIFACTS, assert_accessible, sign_in

OTHER = "financial-planning"


def es(message: str) -> str:
    with translation.override("es"):
        return translation.gettext(message)


def test_spanish_learner_reads_a_translated_module_and_an_untranslated_one(page, cast):
    demo._translate(SimpleNamespace(staff=cast.staff), Module.objects.get(slug=demo.TRANSLATED))  # the demo's Spanish
    mentee = cast.mentee
    mentee.user.language = "es"
    mentee.user.save(update_fields=["language"])
    ARTIFACTS.mkdir(exist_ok=True)
    sign_in(page, mentee.user.email, TEST_PASSWORD)

    page.goto(reverse("training:modules"))
    page.get_by_role("heading", name=es("Training"), exact=True).wait_for()
    title = "Cómo aprovechar al máximo sus relaciones de mentoría"
    page.get_by_role("link", name=title).click()
    page.get_by_role("heading", name=title).wait_for()
    body = page.locator("article.module-body")
    assert body.get_attribute("lang") == "es"
    body.get_by_role("heading", name="Por qué existe este módulo").wait_for()
    assert page.locator("#language-notice").count() == 0
    assert page.locator("html").get_attribute("lang") == "es"
    assert_accessible(page, context="translated module")
    page.screenshot(path=str(ARTIFACTS / "translated_module_es.png"), full_page=True)

    # The knowledge check reads in Spanish and scores the same source choices.
    page.get_by_role("link", name=es("Take the knowledge check")).click()
    page.get_by_text("¿Qué afirmación describe el modelo actual de mentoría?").wait_for()
    assert_accessible(page, context="translated knowledge check")
    for label in (
        "El aprendiz elige a sus mentores y puede tener varios, cada uno para una necesidad distinta.",
        "Un mentor con quien compartieran alguna afinidad, que a menudo no era la raza.",
        "Responder con honestidad; que no encajen no es un fracaso de nadie y buscar otro mentor es fácil.",
        "Iniciación, cultivo, separación, redefinición",
    ):
        page.get_by_label(label, exact=True).check()
    page.get_by_role("button", name=es("Submit answers")).click()
    page.get_by_text("Aprobó con 100%.").wait_for()
    attempt = CheckAttempt.objects.get(membership=mentee)
    assert (attempt.score, attempt.passed) == (100, True)

    # An untranslated module: the English text, lang="en", and a notice in Spanish.
    other = Module.objects.get(slug=OTHER)
    page.goto(reverse("training:module", args=[OTHER]))
    page.get_by_role("heading", name=other.title).wait_for()
    notice = page.locator("#language-notice")
    assert notice.inner_text().strip() == "Este módulo solo está disponible en inglés."
    assert page.locator("article.module-body").get_attribute("lang") == "en"
    assert page.locator("h1 span[lang='en']").inner_text() == other.title
    assert_accessible(page, context="untranslated module")
    page.screenshot(path=str(ARTIFACTS / "untranslated_module_es.png"), full_page=True)
