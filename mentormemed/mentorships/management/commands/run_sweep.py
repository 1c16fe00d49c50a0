"""Run the mentorship sweep once (cron), or start the self-rescheduling sweep task (worker)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from mentormemed.mentorships.sweep import locked_sweep
from mentormemed.mentorships.tasks import interval, schedule_sweep


class Command(BaseCommand):
    help = (
        "Expire overdue requests, send reminders, check-ins and daily digests. Idempotent. "
        "With --schedule, enqueue the periodic sweep task for the task worker instead."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Enqueue the self-rescheduling sweep task (run by `manage.py worker`).",
        )

    def handle(self, *args, schedule=False, **options):
        if schedule:
            if schedule_sweep():
                minutes = int(interval().total_seconds() // 60)
                self.stdout.write(f"Sweep scheduled: the task worker runs it now and every {minutes} minutes.")
            else:
                self.stdout.write("A sweep is already scheduled (or the task backend cannot defer work).")
            return
        done = locked_sweep()
        if done is None:
            self.stdout.write("Another sweep is running; nothing done.")
            return
        self.stdout.write(", ".join(f"{key}: {value}" for key, value in done.items()))
