"""Every product setting in one typed object: its name, its default and what it means.

Read them as ``product.mentor_cap`` (``from mentormemed.core.conf import product``). Each
attribute reads ``django.conf.settings`` when it is read, never at import, so
``override_settings`` and pytest's ``settings`` fixture change what the code sees.

Most product numbers live in the ``settings.MMM`` dictionary (``settings.py`` fills in the ones
a deployment sets from its environment); a key missing there takes the default written here.
A few deployment texts are top-level Django settings of their own (``CME_*``).
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar, overload

from django.conf import settings

T = TypeVar("T")


class _Setting(Generic[T]):
    """One product setting: read on every access, falling back to ``default``."""

    def __init__(self, default: T, meaning: str, *, top_level: bool = False) -> None:
        self.default = default
        self.meaning = meaning
        self.top_level = top_level
        self.__doc__ = meaning
        self.key = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.key = name.upper()

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> _Setting[T]: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...
    def __get__(self, instance: object | None, owner: type | None = None) -> T | _Setting[T]:
        if instance is None:
            return self
        if self.top_level:
            value: Any = getattr(settings, self.key, self.default)
        else:
            value = getattr(settings, "MMM", {}).get(self.key, self.default)
        if isinstance(self.default, bool):
            return value  # type: ignore[no-any-return]  # a bool is an int: never coerce it
        if isinstance(self.default, int):
            return int(value)  # type: ignore[return-value]  # T is int here; the environment may give a string
        return value  # type: ignore[no-any-return]  # settings are untyped; the default fixes the type


class ProductSettings:
    """The product's settings. The attribute name, upper-cased, is the key in ``settings.MMM``."""

    # Invitations and requests
    invitation_days = _Setting(14, "Days an invitation to join an institution stays valid.")
    mentor_cap = _Setting(3, "The most mentees any mentor takes at once, whatever capacity the mentor states.")
    max_pending_requests = _Setting(5, "The most mentorship requests a mentee may have waiting at once.")
    response_window_days = _Setting(7, "Days a mentor has to answer a request before it expires.")
    reminder_days_before = _Setting(
        [3, 1], "Days before a request expires on which its mentor is reminded (one reminder each)."
    )
    missed_response_threshold = _Setting(
        2, "Unanswered requests within the missed-response window that pause a mentor's listing."
    )
    missed_response_window_days = _Setting(180, "Days over which a mentor's unanswered requests are counted.")
    rerequest_cooldown_days = _Setting(
        30, "Days a mentee waits before asking again a mentor who declined them or let the request expire."
    )

    # Relationships: check-ins and the sweep
    checkin_after_days = _Setting(35, "Days after a relationship starts that both people are asked how it is going.")
    checkin_grace_days = _Setting(
        28, "Days after the check-in falls due that it is still sent (longer-running pairs are never asked)."
    )
    sweep_interval_minutes = _Setting(10, "Minutes between two runs of the periodic sweep.")
    sweep_lease_minutes = _Setting(20, "Minutes one sweep may hold its lock; a sweep whose worker died frees it then.")
    care_refresh_minutes = _Setting(60, "Minutes between two recomputations of relationship health.")
    care_nudge_every_days = _Setting(14, "Days between two nudges about a drifting or at-risk relationship.")

    # Meetings
    video_room_base = _Setting("https://meet.jit.si/", "Address under which a new video room is made per meeting.")
    meeting_reminder_hours = _Setting(24, "Hours before a meeting starts that its reminder goes out.")
    ical_uid_domain = _Setting("mentormemed.org", "Domain of the UIDs in calendar files (meeting@domain).")

    # Evaluations, surveys and feedback
    evaluation_interval_months = _Setting(6, "Months between two mentor evaluations while a relationship runs.")
    evaluation_grace_days = _Setting(30, "Days after its due date that an evaluation or survey becomes overdue.")
    evaluation_exit_window_days = _Setting(90, "Days the exit evaluation stays open after a relationship ends.")
    survey_interval_months = _Setting(12, "Months between two career updates (and two program feedback surveys).")
    feedback_batch_mentees = _Setting(3, "Distinct mentees a batch of evaluations must hold before its mentor sees it.")
    feedback_delay_days = _Setting(14, "Days an evaluation waits before it can join a batch a mentor sees.")

    # Outcomes and figures released to people
    small_cell_min = _Setting(
        11, "The fewest people any released figure may describe; figures about smaller groups are hidden."
    )
    academic_year_start_month = _Setting(7, "Month (1–12) an academic year starts; outcomes are reported by year.")
    outcomes_refresh_minutes = _Setting(10, "Minutes between two updates of the outcomes tables (changed parts only).")
    outcomes_full_rebuild_hours = _Setting(24, "Hours between two full rebuilds of the outcomes tables (0: never).")
    outcomes_cache_seconds = _Setting(300, "Seconds the figures of an outcomes page are kept before recomputing.")
    outcomes_privacy = _Setting(
        "suppression",
        "How an institution's outcomes are released: 'suppression' (exact figures, small cells hidden) or "
        "'differential' (quarterly figures with differential privacy noise instead of exact tables).",
    )
    outcomes_dp_epsilon = _Setting(1.0, "Privacy loss (epsilon) of one quarter's differentially private release.")
    outcomes_dp_budget = _Setting(
        4.0, "Total epsilon an institution's (or the network's) releases may spend in one academic year."
    )

    # Continuing medical education (top-level settings; empty means the standard wording)
    cme_provider_name = _Setting("", "The accredited provider issuing CME credit.", top_level=True)
    cme_designation_statement = _Setting(
        "", "The credit designation statement ({provider}, {credits} placeholders).", top_level=True
    )
    cme_accreditation_statement = _Setting("", "The accreditation statement ({provider} placeholder).", top_level=True)
    cme_provider_address = _Setting("", "The provider's address, lines separated by '|'.", top_level=True)
    cme_signatory_name = _Setting("", "Who signs certificates for the provider.", top_level=True)
    cme_signatory_title = _Setting("", "The signatory's title.", top_level=True)
    training_max_resource_bytes = _Setting(
        20 * 1024 * 1024, "The largest file a training resource may upload, in bytes.", top_level=True
    )


product = ProductSettings()
