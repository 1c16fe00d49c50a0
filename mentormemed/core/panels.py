"""The staff home's "Background work" panel: the readiness figures in words."""

from __future__ import annotations

from django.utils.translation import gettext, ngettext

from mentormemed.core import health
from mentormemed.core.access import STAFF
from mentormemed.core.dashboard import Panel, register_panel
from mentormemed.core.types import ActorRequest


def _minutes(seconds: float) -> int:
    return int(seconds // 60)


def background_lines() -> tuple[list[str], list[str]]:
    """(sentences, failed check names) for staff."""
    checks = health.checks()
    failed = [c.name for c in checks if not c.ok]
    if not checks[0].ok:
        return [], failed
    f = health.figures()
    lines = []
    if f.sweep_age is None:
        lines.append(gettext("No sweep has finished yet."))
    else:
        minutes = _minutes(f.sweep_age)
        lines.append(
            ngettext(
                "The last sweep finished %(minutes)s minute ago.",
                "The last sweep finished %(minutes)s minutes ago.",
                minutes,
            )
            % {"minutes": minutes}
        )
    if f.sweep_failures:
        lines.append(
            ngettext(
                "%(count)s job or row failed in the last sweep (see the worker log).",
                "%(count)s jobs or rows failed in the last sweep (see the worker log).",
                f.sweep_failures,
            )
            % {"count": f.sweep_failures}
        )
    oldest = max((age for age in f.oldest_task_age.values() if age is not None), default=None)
    if oldest is None:
        lines.append(gettext("Nothing is waiting in the task queues."))
    else:
        minutes = _minutes(oldest)
        lines.append(
            ngettext(
                "The oldest waiting task has waited %(minutes)s minute.",
                "The oldest waiting task has waited %(minutes)s minutes.",
                minutes,
            )
            % {"minutes": minutes}
        )
    lines.append(
        gettext("Workers alive: %(default)s on the main queue, %(email)s on the e-mail queue.")
        % {"default": f.workers_alive.get("default", 0), "email": f.workers_alive.get("email", 0)}
    )
    lines.append(
        gettext("E-mail: %(waiting)s waiting, %(failed)s given up after every retry.")
        % {"waiting": f.outbox["queued"] + f.outbox["sending"], "failed": f.outbox["failed"]}
    )
    return lines, failed


@register_panel
def background_panel(request: ActorRequest) -> Panel | None:
    if request.actor.role != STAFF:
        return None
    lines, failed = background_lines()
    status = (
        gettext("Needs attention: %(checks)s.") % {"checks": ", ".join(failed)}
        if failed
        else gettext("All checks pass.")
    )
    return Panel(
        gettext("Background work"),
        "core/panels/background.html",
        {"lines": lines, "status": status, "ok": not failed},
        order=90,
    )
