"""Wrap the visible text of templates in translation tags (then run ``makemessages -l es``)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from mentormemed.core.template_text import wrap_template


class Command(BaseCommand):
    help = "Wrap visible template text in {% translate %} / {% blocktranslate %}; print what was wrapped."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("paths", nargs="+", help="template files or folders")
        parser.add_argument("--check", action="store_true", help="only list what is not wrapped")

    def handle(self, *args: Any, paths: list[str], check: bool, **options: Any) -> None:
        files: list[Path] = []
        for path in map(Path, paths):
            files += sorted(p for p in path.rglob("*") if p.suffix in (".html", ".txt")) if path.is_dir() else [path]
        for file in files:
            source = file.read_text()
            wrapped, findings = wrap_template(source, text_mode=file.suffix == ".txt")
            for finding in findings:
                self.stdout.write(f"{file}:{finding.line}: {finding.text}")
            if findings and not check:
                file.write_text(wrapped)
