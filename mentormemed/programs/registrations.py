"""What the programs capability plugs into: notification kinds, the periodic sweep, an onboarding
step (R7 per program), home panels, the relationship page's card, "Learning from Teaching" and
the commitments (group meetings, sessions, events) one-to-one bookings must not overlap."""

from __future__ import annotations

from django.utils.translation import gettext, gettext_lazy

MEMBERS = frozenset({"mentee", "mentor"})


def register_all() -> None:
    from mentormemed.core.cards import register_card
    from mentormemed.core.onboarding import Step, register
    from mentormemed.core.periodic import register_job
    from mentormemed.notifications.kinds import Kind, register_kind
    from mentormemed.outcomes.needs import NeedSource, register_need_source
    from mentormemed.outcomes.participation import ParticipationSource, register_participation_source
    from mentormemed.programs import panels  # noqa: F401  (registers home panels)
    from mentormemed.programs.cards import milestones_card
    from mentormemed.programs.group_selectors import group_commitments, unanswered_question_rows
    from mentormemed.programs.services import send_milestone_reminders
    from mentormemed.programs.teaching import group_participation, group_sessions
    from mentormemed.scheduling.busy import register_busy_source
    from mentormemed.training.teaching import register_teaching_source

    for kind in [
        Kind("program", gettext_lazy("Program invitations, introductions and matches"), roles=MEMBERS),
        Kind("program_milestone", gettext_lazy("Program milestones falling due"), roles=MEMBERS),
        Kind("circle", gettext_lazy("Circle messages and meetings"), default="digest", roles=MEMBERS),
        Kind("session", gettext_lazy("Bookings of my one-off sessions"), default="digest", roles=frozenset({"mentor"})),
        Kind("event", gettext_lazy("Speed-mentoring schedules"), roles=MEMBERS),
        Kind("question", gettext_lazy("Questions to the network and their answers"), default="digest", roles=MEMBERS),
    ]:
        register_kind(kind)
    register_job("program_milestones", send_milestone_reminders)
    register_busy_source(group_commitments)
    register_card("relationship", milestones_card)
    register_teaching_source(group_sessions)
    register_participation_source(
        ParticipationSource("group_sessions", gettext_lazy("Group sessions led"), group_participation)
    )
    register_need_source(
        NeedSource(
            "unanswered_questions",
            lambda: gettext("Questions to the network left unanswered, by area"),
            lambda: gettext(
                "Questions mentees asked the network in this period that no mentor had answered a week later. "
                "Counts only: no question's text is shown."
            ),
            unanswered_question_rows,
        )
    )
    register(
        Step(
            "program_training",
            gettext_lazy("Program training"),
            MEMBERS,
            program_training_state,
            "programs:mine",
            order=60,
            required=False,  # gates program introductions (services), not ordinary requests
            prepare=prepare_program_training,
        )
    )


def program_training_state(membership):
    from mentormemed.core.onboarding import StepState

    missing = getattr(membership, "_program_missing", None)
    if missing is None:
        prepare_program_training([membership])
        missing = membership._program_missing
    if missing:
        needed = ", ".join(dict.fromkeys(missing))
        return StepState(
            False,
            gettext("Your programs ask for: %(needed)s.") % {"needed": needed},
            gettext("Their programs still ask for: %(needed)s.") % {"needed": needed},
        )
    return StepState(
        True,
        gettext("Nothing extra: your programs ask for no more training, or you have done it."),
        gettext("Nothing extra: their programs ask for no more training."),
    )


def prepare_program_training(memberships: list) -> None:
    """Attach the programs' missing modules to each membership in three queries (member lists)."""
    from mentormemed.programs.models import Enrolment, EnrolmentStatus, Program
    from mentormemed.training.models import Completion

    by_member: dict[int, set[int]] = {}
    for membership_id, program_id in Enrolment.objects.filter(
        membership__in=memberships, status=EnrolmentStatus.ENROLLED
    ).values_list("membership_id", "program_id"):
        by_member.setdefault(membership_id, set()).add(program_id)
    through = Program.required_modules.through
    modules: dict[int, list] = {}
    for link in through.objects.filter(program_id__in={p for ps in by_member.values() for p in ps}).select_related(
        "module"
    ):
        modules.setdefault(link.program_id, []).append(link.module)
    versions = {m.current_version_id for mods in modules.values() for m in mods}
    done = (
        set(
            Completion.objects.filter(membership__in=memberships, version_id__in=versions).values_list(
                "membership_id", "version_id"
            )
        )
        if versions
        else set()
    )
    for membership in memberships:
        missing = [
            m.title
            for program_id in sorted(by_member.get(membership.pk, ()))
            for m in modules.get(program_id, [])
            if m.audience in (membership.role, "both") and (membership.pk, m.current_version_id) not in done
        ]
        membership._program_missing = missing
