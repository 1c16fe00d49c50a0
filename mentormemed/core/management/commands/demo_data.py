"""Load the deterministic demo data (once) and print the demo sign-ins."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from mentormemed.core.demo import DEMO_DOMAIN, DEMO_PASSWORD, DEMO_TOTP_SECRET, DemoContext, build_all, sign_in_lines


class Command(BaseCommand):
    help = "Load deterministic demo data reproducing the pilot's diversity; print the sign-ins."

    def handle(self, *args: Any, **options: Any) -> None:
        User = get_user_model()
        if User.objects.filter(email=f"staff@{DEMO_DOMAIN}").exists():
            self.stdout.write("Demo data is already loaded (delete db.sqlite3 to rebuild it).")
        else:
            self.stdout.write("Loading demo data (about half a minute) …")
            with transaction.atomic():
                build_all(DemoContext(), stdout=self.stdout if options["verbosity"] > 1 else None)
        self.print_sign_ins()

    def print_sign_ins(self) -> None:
        line = "=" * 78
        self.stdout.write(self.style.SUCCESS(f"\n{line}\nMentorMeMed demo — {settings.SITE_URL}/\n{line}"))
        self.stdout.write(f"Password for every demo account: {DEMO_PASSWORD}\n")
        rows = [
            ("Mentee", f"mentee@{DEMO_DOMAIN}", "URiM, first-generation MS3 with mentors and requests"),
            ("Mentee (Spanish)", f"estudiante@{DEMO_DOMAIN}", "the same product, every page in Spanish"),
            ("Mentor", f"mentor@{DEMO_DOMAIN}", "national-scope faculty mentor with mentees and requests"),
            ("Institution admin", f"admin@{DEMO_DOMAIN}", "program director, Northgate School of Medicine (MFA)"),
            ("Platform staff", f"staff@{DEMO_DOMAIN}", "MentorMeMed team (MFA)"),
        ]
        for role, email, note in rows:
            self.stdout.write(f"  {role:<18} {email:<34} {note}")
        self.stdout.write(
            "\nAdmins and staff must use two-factor authentication. When asked for a code, run\n"
            f"  make totp EMAIL=admin@{DEMO_DOMAIN}\n"
            f"in another terminal, or add this secret to an authenticator app: {DEMO_TOTP_SECRET}\n"
            f"Other demo people: mentor2@{DEMO_DOMAIN} … mentor100@, mentee2@ … mentee60@,\n"
        )
        self.stdout.write(
            "Campus sign-in: on the sign-in page type mentee@ (or mentor@, admin@) "
            f"{DEMO_DOMAIN} under “Sign in with your institution”;\n"
            "the demo IdP (make demo starts it on port 8001) takes username mentee / mentor / admin, the demo\n"
            "password, and for admin the one-time code 123456 (REFEDS MFA: no second code here). "
            "User new.faculty joins just in time.\n"
        )
        for note in sign_in_lines():  # the apps' own lines (profiles: the suspended mentors)
            self.stdout.write(note)
        self.stdout.write(
            f"lapsed@{DEMO_DOMAIN} (mentee of an institution whose subscription lapsed: a read-only view),\n"
            f"and admin.riverbend@{DEMO_DOMAIN} (that institution's admin, MFA: renew the subscription).\n"
            "Contract end: as staff, Institutions → Data lifecycle → Riverbend. Its export was handed over and the\n"
            "grace period has passed: destroy its personal data and download the certificate of destruction\n"
            f"(after that, lapsed@ and admin.riverbend@ no longer sign in).\n{line}\n"
        )
