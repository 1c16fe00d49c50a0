"""Send the day-before meeting reminders (R17). Idempotent: run it as often as you like (cron, the sweep)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from mentormemed.scheduling.services import send_reminders


class Command(BaseCommand):
    help = "Remind both people of every meeting starting within the next 24 hours, once per meeting."

    def handle(self, *args, **options):
        self.stdout.write(f"meeting reminders: {send_reminders()}")
