"""What the programs capability plugs into: notification kinds, the periodic sweep, an onboarding
step (R7 per program), home panels, the relationship page's card and "Learning from Teaching"."""

from __future__ import annotations

MEMBERS = frozenset({"mentee", "mentor"})


def register_all() -> None:
    from mentormemed.core.cards import register_card
    from mentormemed.core.onboarding import Step, register
    from mentormemed.core.periodic import register_job
    from mentormemed.notifications.kinds import Kind, register_kind
    from mentormemed.programs import panels  # noqa: F401  (registers home panels)
    from mentormemed.programs.cards import milestones_card
    from mentormemed.programs.services import send_milestone_reminders
    from mentormemed.programs.teaching import group_sessions
    from mentormemed.training.teaching import register_teaching_source

    for kind in [
        Kind("program", "Program invitations, introductions and matches", roles=MEMBERS),
        Kind("program_milestone", "Program milestones falling due", roles=MEMBERS),
        Kind("circle", "Circle messages and meetings", default="digest", roles=MEMBERS),
        Kind("session", "Bookings of my one-off sessions", default="digest", roles=frozenset({"mentor"})),
        Kind("event", "Speed-mentoring schedules", roles=MEMBERS),
        Kind("question", "Questions to the network and their answers", default="digest", roles=MEMBERS),
    ]:
        register_kind(kind)
    register_job("program_milestones", send_milestone_reminders)
    register_card("relationship", milestones_card)
    register_teaching_source(group_sessions)
    register(
        Step(
            "program_training",
            "Training your programs ask for",
            MEMBERS,
            program_training_state,
            "programs:mine",
            order=60,
            required=False,  # gates program introductions (services), not ordinary requests
        )
    )


def program_training_state(membership):
    from mentormemed.core.onboarding import StepState
    from mentormemed.programs import selectors

    missing = []
    for program in selectors.programs_for_member(membership=membership).filter(enrolled=True):
        missing += [m.title for m in selectors.missing_program_modules(program=program, membership=membership)]
    if missing:
        return StepState(False, "Your programs ask for: " + ", ".join(dict.fromkeys(missing)) + ".")
    return StepState(True, "Nothing extra: your programs ask for no more training, or you have done it.")
