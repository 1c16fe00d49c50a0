"""English and Spanish: every visible string goes through the catalogue, the catalogue is complete
and compiled, each person reads their pages and e-mails in their own language, and the sign-in
pages follow the browser."""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template import engines
from django.template.base import NodeList
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.urls import reverse

from mentormemed.core.template_text import scan_template

ROOT = Path(settings.BASE_DIR) / "mentormemed"
PO = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
TEMPLATES = sorted(p for p in ROOT.rglob("templates/**/*") if p.suffix in (".html", ".txt") and p.is_file())
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
FIX = "wrap it: manage.py wrap_template_text <file>, then manage.py makemessages -l es and translate"


def _catalogue() -> polib.POFile:
    return polib.pofile(str(PO))


def _entries(po) -> set[tuple[str | None, str]]:
    return {(e.msgctxt, e.msgid) for e in po if not e.obsolete}


def test_templates_are_found():
    assert len(TEMPLATES) > 80


def test_no_template_shows_text_outside_the_catalogue():
    untranslated = []
    for path in TEMPLATES:
        for finding in scan_template(path.read_text(), text_mode=path.suffix == ".txt").findings:
            untranslated.append(f"{path.relative_to(ROOT)}:{finding.line}: {finding.text}")
    assert not untranslated, f"visible text outside translation tags ({FIX}):\n" + "\n".join(untranslated)


def _nodes(nodelist):
    for node in nodelist:
        yield node
        for value in vars(node).values():
            if isinstance(value, NodeList):
                yield from _nodes(value)
            elif isinstance(value, list) and value and isinstance(value[0], tuple):  # {% if %} branches
                for branch in value:
                    if len(branch) == 2 and isinstance(branch[1], NodeList):
                        yield from _nodes(branch[1])


def _template_messages(path: Path) -> set[tuple[str | None, str]]:
    template = engines["django"].from_string(path.read_text())
    found = set()
    for node in _nodes(template.template.nodelist):
        if isinstance(node, TranslateNode) and node.filter_expression.var.literal is not None:
            context = node.message_context.var if node.message_context else None
            # {% translate %} looks its literal up with % doubled (django.template.base.Variable)
            found.add((context, str(node.filter_expression.var.literal).replace("%", "%%")))
        elif isinstance(node, BlockTranslateNode):
            context = node.message_context.var if node.message_context else None
            found.add((context, node.render_token_list(node.singular)[0]))
    return found


def test_every_template_message_is_in_the_catalogue():
    known = _entries(_catalogue())
    missing = [
        f"{p.relative_to(ROOT)}: {m!r}" for p in TEMPLATES for m in sorted(_template_messages(p) - known, key=str)
    ]
    assert not missing, "not in the Spanish catalogue (run makemessages -l es):\n" + "\n".join(missing)


GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy", "ngettext", "ngettext_lazy"}


def _python_messages(path: Path) -> set[tuple[str | None, str]]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", None) in GETTEXT_NAMES and node.args):
            continue
        args = [a.value if isinstance(a, ast.Constant) and isinstance(a.value, str) else None for a in node.args]
        if node.func.id.startswith("pgettext"):
            if args[0] is not None and len(args) > 1 and args[1] is not None:
                found.add((args[0], args[1]))
        elif args[0] is not None:
            found.add((None, args[0]))
    return found


def test_every_python_message_is_in_the_catalogue():
    known = _entries(_catalogue())
    sources = [p for p in ROOT.rglob("*.py") if "tests" not in p.parts and "migrations" not in p.parts]
    missing = [f"{p.relative_to(ROOT)}: {m!r}" for p in sources for m in sorted(_python_messages(p) - known, key=str)]
    assert not missing, "not in the Spanish catalogue (run makemessages -l es):\n" + "\n".join(missing)


def test_spanish_catalogue_is_complete():
    po = _catalogue()
    assert po.metadata.get("Language") == "es"
    assert not [e.msgid for e in po.untranslated_entries()], "messages without a Spanish translation"
    assert not [e.msgid for e in po.fuzzy_entries()], "fuzzy (unchecked) translations"
    wrong = [
        e.msgid
        for e in po.translated_entries()
        if sorted(PLACEHOLDER.findall(e.msgid)) != sorted(PLACEHOLDER.findall(e.msgstr or e.msgstr_plural.get(0, "")))
    ]
    assert not wrong, f"placeholders differ between English and Spanish: {wrong}"


def test_compiled_catalogue_matches_the_po_file():
    """CI machines have no msgfmt: the committed .mo must say what the .po says."""
    po = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in _catalogue().translated_entries()}
    mo = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in polib.mofile(str(MO)) if e.msgid}
    assert po == mo, "the .mo is stale: run manage.py compilemessages"


# -- behaviour -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sign_in_page_follows_the_browser_language(client):
    spanish = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")
    assert spanish["Content-Language"] == "es"
    assert '<html lang="es">' in spanish.content.decode()
    assert "Inicie sesión con su institución" in spanish.content.decode()
    english = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Sign in with your institution" in english.content.decode()
    assert client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="fr")["Content-Language"] == "en"


@pytest.mark.django_db
def test_a_person_chooses_their_language_and_every_page_follows_it(cast):
    client = cast.client_for(cast.mentee)
    user = cast.mentee.user
    form = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "time_zone": user.time_zone,
        "language": "es",
    }
    response = client.post(reverse("accounts:settings"), form, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == "es"
    page = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="es">' in page and "Saltar al contenido principal" in page and "Cerrar sesión" in page


@pytest.mark.django_db
def test_an_unknown_language_is_refused_and_changes_nothing(cast):
    client = cast.client_for(cast.mentee)
    user = cast.mentee.user
    form = {"first_name": user.first_name, "last_name": user.last_name, "time_zone": user.time_zone, "language": "xx"}
    response = client.post(reverse("accounts:settings"), form)
    assert response.status_code == 200 and b"xx" in response.content
    user.refresh_from_db()
    assert user.language == "en"


# A page of each app, read in Spanish: a Spanish sentence of the template shows and none of its English remains.
PAGES = [
    ("care/my_reports.html", "care:my_reports", "mentee"),
    ("care/settings.html", "care:settings", "admin"),
    ("programs/mine.html", "programs:mine", "mentee"),
    ("programs/admin_list.html", "programs:admin_list", "admin"),
    ("outcomes/reward.html", "outcomes:reward", "admin"),
    ("outcomes/invoices.html", "outcomes:invoices", "admin"),
    ("outcomes/research.html", "outcomes:research", "mentor"),
    ("outcomes/dashboard.html", "outcomes:dashboard", "admin"),
    ("institutions/members.html", "institutions:members", "admin"),
    ("institutions/invite.html", "institutions:invite", "admin"),
    ("lifecycle/mine.html", "lifecycle:mine", "mentee"),
    ("lifecycle/institution.html", "lifecycle:institution", "admin"),
    ("notifications/preferences.html", "notifications:preferences", "mentee"),
    ("notifications/inbox.html", "notifications:inbox", "mentee"),
    ("provisioning/index.html", "provisioning:index", "admin"),
    ("sso/configure.html", "sso:configure", "admin"),
    ("sso/privacy.html", "sso:privacy", None),
]


def _template_path(name: str) -> Path:
    return next(ROOT.glob(f"*/templates/{name}"))


@pytest.mark.django_db
@pytest.mark.parametrize(("template", "url", "who"), PAGES, ids=[p[0] for p in PAGES])
def test_a_page_of_each_app_reads_in_spanish(cast, template, url, who):
    person = cast.member(who) if who else None
    if person is not None:
        user = getattr(person, "user", person)
        user.language = "es"
        user.save(update_fields=["language"])
    client = cast.client_for(person)
    response = client.get(reverse(url), HTTP_ACCEPT_LANGUAGE="es" if person is None else "en")
    assert response.status_code == 200, response.status_code
    page = html.unescape(response.content.decode())
    assert '<html lang="es">' in page
    translations = {(e.msgctxt, e.msgid): e.msgstr for e in _catalogue().translated_entries()}
    plain = [
        (msgid, translations[(ctx, msgid)])
        for ctx, msgid in _template_messages(_template_path(template))
        if "%(" not in msgid and "<" not in msgid and translations.get((ctx, msgid), msgid) != msgid
    ]
    assert plain, f"{template} has no sentence to check"
    english = [msgid for msgid, _ in plain if len(msgid) > 12 and msgid in page]
    assert not english, f"English left on {template} in Spanish: {english}"
    assert any(spanish in page for _, spanish in plain), f"no Spanish text of {template} on the page"


def _fixed_text(node: ast.AST) -> bool:
    """A literal or f-string (not a translation call, not a variable)."""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.strip():
        return True
    return isinstance(node, ast.BoolOp) and any(_fixed_text(v) for v in node.values)


def _said_to_people(call: ast.Call) -> ast.AST | None:
    """The text argument of a flash message or a validation error, if this call is one."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if (
        isinstance(func, ast.Attribute)
        and getattr(func.value, "id", "") == "messages"
        and name in {"success", "error", "info", "warning"}
        and len(call.args) >= 2
    ):
        return call.args[1]
    if name == "ValidationError" and call.args:
        return call.args[0]
    return None


def test_flash_messages_and_validation_errors_are_translated():
    """What a person reads after an action (a flash message, a refused form) goes through gettext:
    a literal or f-string there would stay English on a Spanish page."""
    found = []
    for path in ROOT.rglob("*.py"):
        parts = set(path.relative_to(ROOT).parts)
        if parts & {"tests", "migrations"} or path.name in {"testing.py"} or path.name.startswith("demo"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and (text := _said_to_people(node)) is not None and _fixed_text(text):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == [], "fixed English shown to people: " + ", ".join(found)


# Texts of an outcomes figure that people read: the table's title, description, note and header, a row's label.
FIGURE_TEXTS = {"Table": ({1, 4}, {"title", "description", "note", "label_header", "merged"}), "Row": ({0}, {"label"})}


def _figure_texts(call: ast.Call) -> list[ast.AST]:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name not in FIGURE_TEXTS:
        return []
    positions, keywords = FIGURE_TEXTS[name]
    texts: list[ast.AST] = [arg for i, arg in enumerate(call.args) if i in positions]
    texts += [kw.value for kw in call.keywords if kw.arg in keywords]
    for text in list(texts):  # ``note="" if … else gettext(…)``: both branches
        if isinstance(text, ast.IfExp):
            texts += [text.body, text.orelse]
    return texts


def _worded(node: ast.AST) -> bool:
    """Fixed text with words in it (an f-string of names and arrows, "A → B", is data, not English)."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.Constant) and re.search("[A-Za-z]{2}", v.value) for v in node.values)
    return _fixed_text(node)


def test_figure_titles_notes_and_labels_are_translated():
    """The outcomes tables' titles, descriptions, notes and row labels go through gettext (a literal stayed
    English on the Spanish outcomes pages: "so the rows do not add up")."""
    found = []
    for path in ROOT.rglob("*.py"):
        parts = set(path.relative_to(ROOT).parts)
        if parts & {"tests", "migrations"} or path.name in {"testing.py"} or path.name.startswith("demo"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and any(_worded(t) for t in _figure_texts(node)):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == [], "fixed English in a figure: " + ", ".join(found)
