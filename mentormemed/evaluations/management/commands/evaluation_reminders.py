"""Send due/overdue evaluation and survey reminders (idempotent; safe from cron or the sweep)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from mentormemed.evaluations.services import send_reminders


class Command(BaseCommand):
    help = "Remind mentees of due evaluations and everyone of open surveys (R18, R19). Safe to run repeatedly."

    def handle(self, *args, **options):
        done = send_reminders()
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in done.items()))
