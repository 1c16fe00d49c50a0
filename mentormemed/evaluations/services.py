"""Every write about evaluations and surveys (R18–R20). Keyword-only, atomic, audited where staff act."""

from __future__ import annotations

import datetime as dt
import logging
import re
import statistics
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mentormemed.core.access import Actor
from mentormemed.core.audit import audit
from mentormemed.core.clock import platform_today
from mentormemed.core.translations import require_translation_language, save_version_translation
from mentormemed.core.types import JSONDict
from mentormemed.evaluations import selectors
from mentormemed.evaluations.models import (
    ITEM_TYPES,
    SCALE_MAX,
    SCALE_MIN,
    Evaluation,
    EvaluationReminder,
    Instrument,
    InstrumentVersion,
    InstrumentVersionTranslation,
    MentorInvitationOffer,
    SurveyReminder,
    SurveyResponse,
)

if TYPE_CHECKING:
    from mentormemed.institutions.models import Membership

log = logging.getLogger(__name__)
GRADUATE_SALT = "evaluations.graduate"
GRADUATE_LINK_DAYS = 120


def _url(name: str, *args: object) -> str:
    return reverse(name, args=args)


def clean_answers(version: InstrumentVersion, answers: JSONDict) -> JSONDict:
    """Keep only the version's items, check ranges and required items; raise ValidationError."""
    cleaned: JSONDict = {}
    missing = []
    for item in version.items:
        value = answers.get(item["key"])
        if value in (None, ""):
            if item.get("required", True) and item["type"] != "text":
                missing.append(item["text"])
            continue
        kind = item["type"]
        if kind in ("scale", "overall"):
            value = int(value)
            if not SCALE_MIN <= value <= SCALE_MAX:
                raise ValidationError(
                    gettext("“%(item)s” needs a rating from %(SCALE_MIN)s to %(SCALE_MAX)s.")
                    % {"item": item["text"], "SCALE_MIN": SCALE_MIN, "SCALE_MAX": SCALE_MAX}
                )
        elif kind == "number":
            value = int(value)
            if value < 0:
                raise ValidationError(gettext("“%(item)s” cannot be negative.") % {"item": item["text"]})
        elif kind == "yesno":
            value = value in (True, "yes", "true", "1")
        elif kind == "choice" and value not in item.get("choices", []):
            raise ValidationError(gettext("Choose one of the listed answers for “%(item)s”.") % {"item": item["text"]})
        elif kind == "text":
            value = str(value)[:3000]
        cleaned[item["key"]] = value
    if missing:
        raise ValidationError(gettext("Please answer: %(join)s.") % {"join": "; ".join(missing)})
    return cleaned


def scores(version: InstrumentVersion, answers: JSONDict) -> tuple[float | None, int | None]:
    """(mean of the competency items answered, overall rating)."""
    values = [answers[i["key"]] for i in version.items if i["type"] == "scale" and i["key"] in answers]
    overall_key = next((i["key"] for i in version.items if i["type"] == "overall"), None)
    overall = answers.get(overall_key) if overall_key is not None else None  # (answers' keys are strings)
    return (round(statistics.fmean(values), 3) if values else None, overall)


@transaction.atomic
def evaluation_submit(
    *, acting: Actor, relationship_id: int, answers: JSONDict, now: dt.datetime | None = None
) -> Evaluation:
    """R18: the mentee answers the evaluation open today for one of their mentors (their own
    relationships only: another's is not open to them)."""
    mentee = acting.own_membership("evaluations.mine")
    now = now or timezone.now()
    found = selectors.find_open_evaluation(mentee=mentee, relationship_id=relationship_id, today=platform_today(now))
    if found is None:
        raise ValidationError(gettext("This evaluation is not open: it was already submitted or is not due yet."))
    instrument = Instrument.objects.select_related("current_version").get(kind=Instrument.Kind.MENTOR_EVALUATION)
    version = instrument.current_version
    assert version is not None  # the evaluation instrument is published (data migration)
    cleaned = clean_answers(version, answers)
    competency, overall = scores(version, cleaned)
    try:
        with transaction.atomic():
            return Evaluation.objects.create(
                relationship=found.relationship,
                mentee=mentee,
                mentor=found.relationship.mentor,
                occasion=found.due.occasion,
                sequence=found.due.sequence,
                due_on=found.due.due_on,
                version=version,
                answers=cleaned,
                competency_mean=competency,
                overall=overall,
                submitted_at=now,
            )
    except IntegrityError as exc:  # a double submit in two tabs
        raise ValidationError(gettext("You have already submitted this evaluation.")) from exc


@transaction.atomic
def survey_submit(*, acting: Actor, kind: str, answers: JSONDict, occasion: str | None = None) -> SurveyResponse:
    """R19: answer the open yearly survey of ``kind`` (or the exit career update, ``occasion='exit'``).
    A graduate answering from the signed link acts as ``Actor.for_membership`` of the membership it names."""
    membership = acting.own_membership("evaluations.surveys")
    instrument = Instrument.objects.select_related("current_version").get(kind=kind)
    if occasion == "exit":
        due_on = platform_today()
    else:
        found = next((s for s in selectors.open_surveys(membership=membership) if s.instrument.kind == kind), None)
        if found is None:
            raise ValidationError(gettext("This survey is not open: it was already answered or is not due yet."))
        occasion, due_on = found.due.occasion, found.due.due_on
    assert instrument.current_version is not None  # surveys open only for published instruments
    cleaned = clean_answers(instrument.current_version, answers)
    try:
        with transaction.atomic():
            return SurveyResponse.objects.create(
                membership=membership,
                instrument=instrument,
                version=instrument.current_version,
                occasion=occasion,
                due_on=due_on,
                answers=cleaned,
            )
    except IntegrityError as exc:
        raise ValidationError(gettext("You have already answered this survey.")) from exc


# ------------------------------------------------------------------ instruments (staff)

LINE = re.compile(r"^\s*(?P<type>[a-z]+)\s*\|\s*(?P<key>[a-z0-9_]+)\s*\|\s*(?P<text>[^|]+?)\s*(?:\|\s*(?P<rest>.*))?$")


def parse_items(text: str) -> list[JSONDict]:
    """Items from lines ``type | key | wording [| choice; choice]``; ``text`` items are optional.

    Raises ValidationError naming the line a person has to fix.
    """
    items, keys = [], set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        match = LINE.match(line)
        if not match:
            raise ValidationError(gettext("Line %(number)s should read “type | key | wording”.") % {"number": number})
        kind, key = match["type"], match["key"]
        if kind not in ITEM_TYPES:
            raise ValidationError(
                gettext("Line %(number)s: the type must be one of %(join)s.")
                % {"number": number, "join": ", ".join(ITEM_TYPES)}
            )
        if key in keys:
            raise ValidationError(
                gettext("Line %(number)s: the key “%(key)s” is used twice.") % {"number": number, "key": key}
            )
        keys.add(key)
        item = {"key": key, "type": kind, "text": match["text"].strip(), "required": kind != "text"}
        if kind == "choice":
            choices = [c.strip() for c in (match["rest"] or "").split(";") if c.strip()]
            if len(choices) < 2:
                raise ValidationError(
                    gettext("Line %(number)s: a choice item needs at least two choices after a “|”.")
                    % {"number": number}
                )
            item["choices"] = choices
        items.append(item)
    if not items:
        raise ValidationError(gettext("An instrument needs at least one item."))
    return items


def format_items(items: list[JSONDict]) -> str:
    lines = []
    for item in items:
        line = f"{item['type']} | {item['key']} | {item['text']}"
        if item.get("choices"):
            line += " | " + "; ".join(item["choices"])
        lines.append(line)
    return "\n".join(lines)


@transaction.atomic
def instrument_publish(
    *, acting: Actor, instrument: Instrument, intro: str, items_text: str, note: str = ""
) -> InstrumentVersion:
    """Publish a new version; answers already given keep the version they answered."""
    user = acting.person
    items = parse_items(items_text)
    if instrument.kind == Instrument.Kind.MENTOR_EVALUATION and not any(i["type"] == "scale" for i in items):
        raise ValidationError(gettext("The mentor evaluation needs at least one competency (scale) item."))
    instrument = Instrument.objects.select_for_update().get(pk=instrument.pk)
    last = instrument.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = InstrumentVersion.objects.create(
        instrument=instrument, number=last + 1, intro=intro, items=items, published_by=user, note=note
    )
    instrument.current_version = version
    instrument.save(update_fields=["current_version"])
    audit(
        acting=acting,
        action="instrument.publish",
        obj=version,
        actor_role="staff",
        detail={"instrument": instrument.kind, "version": version.number, "items": len(items)},
    )
    return version


@transaction.atomic
def instrument_translation_save(
    *,
    acting: Actor,
    version: InstrumentVersion,
    language: str,
    name: str,
    description: str = "",
    intro: str = "",
    items: JSONDict | None = None,
) -> InstrumentVersionTranslation:
    """Write or replace the translation of the instrument's current version into ``language`` (issue 19).

    It belongs to this version: a later version starts untranslated and its readers get the
    English, saying so. Every item's wording, choice and own scale words must be translated, so
    no questionnaire is half in one language. ``items`` is ``{item key: {"text", "choices":
    {source choice: label}, "anchors": {"1": label}}}``; answers keep the source keys and choices.
    """
    acting.require("staff.instruments")
    require_translation_language(language)
    version = InstrumentVersion.objects.select_related("instrument").get(pk=version.pk)
    instrument = Instrument.objects.select_for_update().get(pk=version.instrument_id)
    if instrument.current_version_id != version.pk:
        raise ValidationError(gettext("Only the current version can be translated."))
    name, description, intro = name.strip(), description.strip(), intro.strip()
    if not name or (version.intro.strip() and not intro):
        raise ValidationError(gettext("Translate the name and the introduction."))
    if len(name) > 200:
        raise ValidationError(gettext("The name can be at most 200 characters."))
    given = {str(k): v for k, v in (items or {}).items()}
    if set(given) - {i["key"] for i in version.items}:
        raise ValidationError(gettext("That item belongs to another version."))
    stored: dict[str, JSONDict] = {}
    for n, item in enumerate(version.items, start=1):
        entry = given.get(item["key"]) or {}
        text = str(entry.get("text") or "").strip()
        choices = {c: str((entry.get("choices") or {}).get(c) or "").strip() for c in item.get("choices", [])}
        anchors = {k: str((entry.get("anchors") or {}).get(k) or "").strip() for k in (item.get("anchors") or {})}
        if not text or not all(choices.values()) or not all(anchors.values()):
            raise ValidationError(
                gettext("Translate item %(number)s: its wording and each of its answers.") % {"number": n}
            )
        stored[item["key"]] = {"text": text, "choices": choices, "anchors": anchors}
    return save_version_translation(
        InstrumentVersionTranslation,
        acting=acting,
        version=version,
        language=language,
        fields={"name": name, "description": description, "intro": intro, "items": stored},
        action="instrument.translation_save",
        obj=version,
        actor_role="staff",
        detail={"instrument": instrument.kind, "version": version.number, "language": language},
    )


# ------------------------------------------------------------------ reminders (the sweep)


def send_reminders(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Remind mentees of due and overdue evaluations and everyone of open surveys (R18, R19, R31).

    Idempotent: each (occasion, stage) reminder is claimed by inserting a unique row, so a
    second run — or two sweeps at once — sends nothing twice. Delivery (now or in the daily
    digest) follows each person's notification preference through ``notifications.notify``.
    """
    now = now or timezone.now()
    today = platform_today(now)
    return {
        "evaluation_reminders": _evaluation_reminders(today, now),
        "survey_reminders": _survey_reminders(today, now),
    }


def _claim(model: type[EvaluationReminder | SurveyReminder], **fields: object) -> bool:
    try:
        with transaction.atomic():
            model.objects.create(**fields)
        return True
    except IntegrityError:
        return False


def _evaluation_reminders(today: dt.date, now: dt.datetime) -> int:
    from mentormemed.notifications.services import notify

    sent = 0
    for item in selectors.all_open_evaluations(today=today):
        stage = "overdue" if item.due.overdue else "due"
        rel = item.relationship
        with transaction.atomic():
            if not _claim(
                EvaluationReminder,
                relationship=rel,
                occasion=item.due.occasion,
                sequence=item.due.sequence,
                stage=stage,
                sent_at=now,
            ):
                continue
            notify(
                user=rel.mentee.user,
                kind="evaluation",
                title=format_lazy(
                    _("Overdue: your evaluation of {name} ({what})")
                    if stage == "overdue"
                    else _("Due: your evaluation of {name} ({what})"),
                    name=item.mentor_name,
                    what=item.due.label,
                ),
                body=_("It takes about three minutes. Your mentor only ever sees averages over many mentees."),
                url=_url("evaluations:evaluate", rel.pk),
                action=_("Evaluate your mentor"),
            )
            sent += 1
    return sent


def _survey_reminders(today: dt.date, now: dt.datetime) -> int:
    from mentormemed.institutions.models import Membership
    from mentormemed.notifications.services import notify

    sent = 0
    members = Membership.objects.filter(status="active", role__in=["mentee", "mentor"]).select_related("user")
    for membership in members.iterator(chunk_size=500):
        for survey in selectors.open_surveys(membership=membership, today=today):
            with transaction.atomic():
                if not _claim(
                    SurveyReminder,
                    membership=membership,
                    instrument=survey.instrument,
                    occasion=survey.due.occasion,
                    sent_at=now,
                ):
                    continue
                notify(
                    user=membership.user,
                    kind="survey",
                    title=format_lazy(_("{name}: a few questions for this year"), name=survey.instrument.name),
                    body=survey.instrument.description,
                    url=_url("evaluations:survey", survey.instrument.kind),
                    action=_("Answer the survey"),
                )
                sent += 1
    return sent


# ------------------------------------------------------------------ R20: graduates invited to mentor


def graduate_token(membership: Membership) -> str:
    return signing.dumps({"m": membership.pk}, salt=GRADUATE_SALT)


def membership_from_token(token: str) -> Membership | None:
    from mentormemed.institutions.models import Membership

    try:
        data = signing.loads(token, salt=GRADUATE_SALT, max_age=dt.timedelta(days=GRADUATE_LINK_DAYS))
    except signing.BadSignature:
        return None
    return (
        Membership.objects.filter(pk=data.get("m"), role="mentee", status="ended")
        .select_related("user", "institution")
        .first()
    )


@transaction.atomic
def offer_mentorship_to_graduate(*, membership: Membership) -> MentorInvitationOffer | None:
    """R20: when a mentee's membership ends, invite them to become a mentor (once) and to the exit survey.

    The e-mail carries a signed link (the person can no longer sign in as a mentee): one
    click says "I would like to mentor", which tells their institution's admins to send a
    mentor invitation; the same page offers the exit career update (R19).
    """
    if membership.role != "mentee" or membership.status != "ended" or membership.end_reason != "graduated":
        return None
    from mentormemed.institutions.selectors import graduate_standing

    if graduate_standing(membership):  # e.g. their eligibility was rejected: not in good standing
        return None
    offer, created = MentorInvitationOffer.objects.get_or_create(membership=membership)
    if not created:
        return offer
    from mentormemed.notifications.emails import queue_email

    link = settings.SITE_URL + _url("evaluations:graduate", graduate_token(membership))
    queue_email(
        to=[membership.user.email],
        template_prefix="evaluations/email/graduate",
        context={"name": membership.user.display_name, "institution": membership.institution.name, "url": link},
    )
    return offer


@transaction.atomic
def graduate_interested(*, membership: Membership) -> MentorInvitationOffer:
    """The graduate said yes: record it and tell their institution's admins (who send the invitation)."""
    from mentormemed.institutions.models import Membership
    from mentormemed.notifications.services import notify

    offer, _created = MentorInvitationOffer.objects.get_or_create(membership=membership)
    if offer.interested_at:
        return offer
    offer.interested_at = timezone.now()
    offer.save(update_fields=["interested_at"])
    admins = Membership.objects.filter(institution=membership.institution, role="admin", status="active")
    for admin in admins.select_related("user"):
        notify(
            user=admin.user,
            kind="graduate_mentor",
            title=format_lazy(_("{name} would like to become a mentor"), name=membership.user.display_name),
            body=format_lazy(
                _("They finished as a mentee. Invite {email} as a mentor when they qualify."),
                email=membership.user.email,
            ),
            url=_url("institutions:invite"),
            action=_("Invite a mentor"),
        )
    return offer
