"""Finding the words a template shows a person, and wrapping them for translation.

One scanner serves two callers: the test that fails on visible text outside ``{% translate %}`` /
``{% blocktranslate %}`` (so nothing reaches a Spanish reader in English by accident), and the
``wrap_template_text`` command that wraps what it finds. It reads a template the way a browser sees
it: text between HTML tags (``{{ variables }}`` included in the sentence), plus the attributes a
person reads or hears (``aria-label``, ``placeholder``, ``title``, ``alt``). Scripts, styles and
comments are skipped; so is text already inside a translation tag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Django's own tokeniser pattern (django.template.base.tag_re): a tag never spans lines.
TAG_RE = re.compile(r"({%.*?%}|{{.*?}}|{#.*?#})")
ENTITY_RE = re.compile(r"&#?\w+;")
WORD_RE = re.compile(r"[A-Za-z]+")
SPOKEN_ATTRS = ("aria-label", "placeholder", "title", "alt")
ATTR_RE = re.compile(r"(\s(?:" + "|".join(SPOKEN_ATTRS) + r")=\")((?:[^\"{]|\{\{[^}]*\}\})*)\"")
# Literal strings people read that sit inside template code: ``|default:"none yet"`` and
# ``{% include … with done_text="Your profile is complete." %}``.
DEFAULT_LITERAL_RE = re.compile(r'(\|default:)"([^"]*[A-Za-z][^"]*)"')
KWARG_LITERAL_RE = re.compile(r'(\s[a-z_]+=)"([^"./]*[A-Za-z][^"./]* [^"./]*)"')
# Words that read the same in every language (the product's name).
UNTRANSLATED = frozenset({"MentorMeMed"})
# Inline tags stay inside the sentence they mark up, so a translation can move them with the words.
INLINE_TAGS = frozenset({"a", "strong", "em", "b", "code", "abbr", "small", "span", "br", "kbd", "mark", "time", "u"})
SKIP_BLOCKS = {
    "comment": "endcomment",
    "verbatim": "endverbatim",
    "blocktranslate": "endblocktranslate",
    "blocktrans": "endblocktrans",
}


@dataclass
class Finding:
    line: int
    text: str


@dataclass
class Scan:
    output: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def is_readable(text: str) -> bool:
    """True when ``text`` (template text, variables removed) holds a word to translate."""
    plain = ENTITY_RE.sub(" ", TAG_RE.sub(" ", text)).strip()
    return any(word not in UNTRANSLATED for word in WORD_RE.findall(plain))


def _var_name(expr: str, taken: dict[str, str]) -> str:
    if re.fullmatch(r"[A-Za-z_]\w*", expr):
        return expr
    base = re.sub(r"\W", "_", expr.split("|")[0].split(".")[-1]).strip("_") or "value"
    if base[0].isdigit():
        base = "value"
    name, n = base, 2
    while name in taken.values() and taken.get(expr) != name:
        name, n = f"{base}_{n}", n + 1
    return name


PLURAL_RE = re.compile(r"^(?P<base>.+?)\|pluralize(?::\"(?P<arg>[^\"]*)\")?$")


def translated(text: str) -> str:
    """``text`` (one line: words and ``{{ variables }}``) as a translation tag."""
    pieces = TAG_RE.split(text)
    if len(pieces) == 1 and '"' not in text:
        return '{% translate "' + text + '" %}'
    plurals = {m.group("base") for p in pieces[1::2] if (m := PLURAL_RE.match(p[2:-2].strip()))}
    if len(plurals) == 1:
        return _counted(pieces, plurals.pop())
    # plain ``{{ name }}`` variables keep their names; derived names must not take them
    names: dict[str, str] = {e: e for p in pieces[1::2] if re.fullmatch(r"[A-Za-z_]\w*", e := p[2:-2].strip())}
    body = []
    for i, piece in enumerate(pieces):
        if i % 2 == 0:
            body.append(piece)
            continue
        expr = piece[2:-2].strip()
        names.setdefault(expr, _var_name(expr, names))
        body.append("{{ " + names[expr] + " }}")
    kwargs = " ".join(f"{name}={expr}" for expr, name in names.items() if name != expr)
    opening = "{% blocktranslate with " + kwargs + " %}" if kwargs else "{% blocktranslate %}"
    return opening + "".join(body) + "{% endblocktranslate %}"


def _counted(pieces: list[str], base: str) -> str:
    """``mentor{{ n|pluralize }} found`` → ``{% blocktranslate count n=… %}`` with both forms."""
    names: dict[str, str] = {e: e for p in pieces[1::2] if re.fullmatch(r"[A-Za-z_]\w*", e := p[2:-2].strip())}
    names.setdefault(base, _var_name(base, names))
    singular, plural = [], []
    for i, piece in enumerate(pieces):
        if i % 2 == 0:
            singular.append(piece)
            plural.append(piece)
            continue
        expr = piece[2:-2].strip()
        match = PLURAL_RE.match(expr)
        if match:
            arg = match.group("arg")
            one, many = (arg.split(",", 1) if "," in arg else ("", arg)) if arg is not None else ("", "s")
            singular.append(one)
            plural.append(many)
            continue
        names.setdefault(expr, _var_name(expr, names))
        singular.append("{{ " + names[expr] + " }}")
        plural.append("{{ " + names[expr] + " }}")
    counter = names.pop(base)
    kwargs = " ".join(f"{name}={expr}" for expr, name in names.items() if name != expr)
    opening = "{% blocktranslate " + (f"with {kwargs} " if kwargs else "") + f"count {counter}={base} %}}"
    return opening + "".join(singular) + "{% plural %}" + "".join(plural) + "{% endblocktranslate %}"


def _code_literals(code: str) -> str:
    code = DEFAULT_LITERAL_RE.sub(r'\1_("\2")', code)
    if code.startswith(("{% include", "{% with")):
        code = KWARG_LITERAL_RE.sub(r'\1_("\2")', code)
    return code


def _unreadable_code(code: str) -> bool:
    return bool(DEFAULT_LITERAL_RE.search(code)) or (
        code.startswith(("{% include", "{% with")) and bool(KWARG_LITERAL_RE.search(code))
    )


class _Scanner:
    def __init__(self, source: str, *, text_mode: bool):
        self.source = source
        self.text_mode = text_mode  # plain-text e-mails: line breaks are content, sentences are lines
        self.scan = Scan()
        self.unit: list[tuple[str, str]] = []  # ("text" | "tag", source)
        self.unit_line = 1
        self.line = 1

    # -- units of visible text ------------------------------------------------------------
    def flush(self) -> None:
        if not self.unit:
            return
        pieces, self.unit = self.unit, []
        raw = "".join(src for _, src in pieces)
        core = raw.strip()
        if not core or not is_readable(_words_only(pieces)):
            self.scan.output.extend(self.tag(src) if kind == "tag" else src for kind, src in pieces)
            return
        unwrapped = _unwrap(pieces)
        if unwrapped is None:  # markup crossing the sentence's edge: each run of words on its own
            for kind, src in pieces:
                if kind == "tag":
                    self.flush()
                    self.scan.output.append(self.tag(src))
                else:
                    self.unit.append((kind, src))
            self.flush()
            return
        before, middle, after = unwrapped
        raw = "".join(src for _, src in middle)
        lead = raw[: len(raw) - len(raw.lstrip())]
        trail = raw[len(raw.rstrip()) :]
        one_line = re.sub(r"\s+", " ", raw.strip())
        self.scan.findings.append(Finding(self.unit_line, one_line))
        self.scan.output.append(before + lead + translated(one_line) + trail + after)

    def add_text(self, ch: str) -> None:
        if not self.unit:
            self.unit_line = self.line
        self.unit.append(("text", ch))

    # -- tags -------------------------------------------------------------------------------
    def tag(self, source: str) -> str:
        def attr(match: re.Match[str]) -> str:
            value: str = match.group(2)
            if not is_readable(value):
                return str(match.group(0))
            self.scan.findings.append(Finding(self.line, value))
            return str(match.group(1)) + translated(re.sub(r"\s+", " ", value.strip())) + '"'

        return ATTR_RE.sub(attr, source)

    def run(self) -> Scan:
        parts = TAG_RE.split(self.source)
        state = "text"  # text | tag | comment | raw
        tag_buf: list[str] = []
        raw_end = ""
        skip_until = ""
        for i, part in enumerate(parts):
            if i % 2 == 1:  # a Django construct
                self.line += part.count("\n")
                if skip_until:
                    self.scan.output.append(part)
                    if part[2:-2].split()[:1] == [skip_until]:
                        skip_until = ""
                    continue
                if state == "tag":
                    if _unreadable_code(part):
                        self.scan.findings.append(Finding(self.line, part))
                    tag_buf.append(_code_literals(part))
                    continue
                if state != "text":
                    self.scan.output.append(part)
                    continue
                if part.startswith("{{"):
                    converted = _code_literals(part)
                    if converted != part:
                        self.scan.findings.append(Finding(self.line, part))
                    self.add_text(converted)
                    continue
                self.flush()
                words = part[2:-2].split()
                if part.startswith("{%") and words and words[0] in SKIP_BLOCKS:
                    skip_until = SKIP_BLOCKS[words[0]]
                    self.scan.output.append(part)
                    continue
                if part.startswith("{%") and _unreadable_code(part):
                    self.scan.findings.append(Finding(self.line, part))
                self.scan.output.append(_code_literals(part) if part.startswith("{%") else part)
                continue
            j = 0
            while j < len(part):
                ch = part[j]
                if skip_until:
                    self.scan.output.append(part[j:])
                    self.line += part[j:].count("\n")
                    break
                if state == "text":
                    if self.text_mode and ch == "\n":
                        self.flush()
                        self.scan.output.append(ch)
                    elif not self.text_mode and ch == "<" and part.startswith("<!--", j):
                        self.flush()
                        state = "comment"
                        self.scan.output.append("<!--")
                        j += 4
                        continue
                    elif not self.text_mode and ch == "<" and _opens_tag(part, j, last=i == len(parts) - 1):
                        state = "tag"
                        tag_buf = [ch]
                        name = re.match(r"<([A-Za-z]+)", part[j:])
                        raw_end = (
                            f"</{name.group(1).lower()}"
                            if name and name.group(1).lower() in ("script", "style")
                            else ""
                        )
                    else:
                        self.add_text(ch)
                elif state == "tag":
                    tag_buf.append(ch)
                    if ch == ">" and _quotes_closed("".join(tag_buf)):
                        source = "".join(tag_buf)
                        if _inline(source):
                            self.unit.append(("tag", source))
                        else:
                            self.flush()
                            self.scan.output.append(self.tag(source))
                        state = "raw" if raw_end else "text"
                elif state == "comment":
                    end = part.find("-->", j)
                    if end < 0:
                        self.scan.output.append(part[j:])
                        self.line += part[j:].count("\n")
                        break
                    self.scan.output.append(part[j : end + 3])
                    self.line += part[j : end + 3].count("\n")
                    j = end + 3
                    state = "text"
                    continue
                elif state == "raw":
                    end = part.lower().find(raw_end, j)
                    if end < 0:
                        self.scan.output.append(part[j:])
                        self.line += part[j:].count("\n")
                        break
                    self.scan.output.append(part[j:end])
                    self.line += part[j:end].count("\n")
                    j = end
                    state = "text"
                    raw_end = ""
                    continue
                if ch == "\n":
                    self.line += 1
                j += 1
        self.flush()
        if state == "tag":
            self.scan.output.append("".join(tag_buf))
        return self.scan


def _unwrap(pieces: list[tuple[str, str]]) -> tuple[str, list[tuple[str, str]], str] | None:
    """Markup wrapping the whole sentence (``<strong>Done</strong>``) stays outside the message."""
    words = [i for i, (kind, src) in enumerate(pieces) if kind == "text" and src.strip()]
    lo, hi = words[0], words[-1]
    for start, end in ((lo, hi + 1), (0, hi + 1), (lo, len(pieces)), (0, len(pieces))):
        if _balanced(pieces[start:end]):
            return "".join(s for _, s in pieces[:start]), pieces[start:end], "".join(s for _, s in pieces[end:])
    return None


def _balanced(middle: list[tuple[str, str]]) -> bool:
    opened: list[str] = []
    for kind, src in middle:
        name = re.match(r"<(/?)([A-Za-z]+)", src) if kind == "tag" else None
        if not name or name.group(2).lower() == "br":
            continue
        if not name.group(1):
            opened.append(name.group(2).lower())
        elif opened and opened[-1] == name.group(2).lower():
            opened.pop()
        else:
            return False
    return not opened


def _words_only(pieces: list[tuple[str, str]]) -> str:
    return "".join(src if kind == "text" else " " for kind, src in pieces)


def _inline(tag: str) -> bool:
    name = re.match(r"</?([A-Za-z]+)", tag)
    return name is not None and name.group(1).lower() in INLINE_TAGS and "{%" not in tag


def _opens_tag(part: str, j: int, *, last: bool) -> bool:
    # ``<{% if href %}a{% else %}button{% endif %} …>``: the tag's name is template code.
    if j + 1 == len(part):
        return not last
    return bool(re.match(r"[A-Za-z/!]", part[j + 1]))


def _quotes_closed(tag: str) -> bool:
    plain = TAG_RE.sub("", tag)
    return plain.count('"') % 2 == 0 and (plain.count("'") % 2 == 0 or '"' in plain)


def scan_template(source: str, *, text_mode: bool = False) -> Scan:
    """Visible text outside translation tags (``findings``) and the template with it wrapped (``output``)."""
    return _Scanner(source, text_mode=text_mode).run()


def wrap_template(source: str, *, text_mode: bool = False) -> tuple[str, list[Finding]]:
    """``source`` with every visible string in a translation tag and ``{% load i18n %}`` added."""
    scan = scan_template(source, text_mode=text_mode)
    if not scan.findings:
        return source, []
    out = "".join(scan.output)
    if not re.search(r"{%\s*load\s+[^%]*\bi18n\b", out):
        extends = re.match(r"\s*{%\s*extends\s[^%]*%}\n?", out)
        at = extends.end() if extends else 0
        load = "{% load i18n %}\n" if extends and out[extends.end() - 1] == "\n" else "{% load i18n %}"
        out = out[:at] + load + out[at:]
    return out, scan.findings
