"""R12: at most 3 active mentees (or fewer), also under concurrent acceptances; one-way transitions."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from mentormemed.core.access import Actor
from mentormemed.mentorships import services, testing
from mentormemed.mentorships.models import MissedResponse, Relationship, RequestState
from mentormemed.profiles.models import MentorProfile


def mentees(cast, n, prefix="learner"):
    return [testing.new_member(cast.inst_a, "mentee", f"{prefix}{i}@alpha.edu") for i in range(n)]


def test_r12_acceptance_opens_relationship_and_counts_the_mentee(pair):
    request = testing.pending_request(pair.mentee, pair.mentor)
    relationship = services.request_accept(
        acting=Actor.for_user(pair.cast.mentor.user), request=request, message="Welcome!"
    )
    assert request.state == RequestState.ACCEPTED and request.responded_at
    assert relationship.mentee == pair.mentee and relationship.stage == "initiation"
    assert relationship.compact is not None
    assert MentorProfile.objects.get(pk=pair.mentor.pk).active_mentee_count == 1


def test_r12_fourth_acceptance_is_refused(pair):
    requests = [testing.pending_request(m, pair.mentor) for m in mentees(pair.cast, 4)]
    for request in requests[:3]:
        services.request_accept(acting=Actor.for_user(pair.cast.mentor.user), request=request)
    with pytest.raises(ValidationError, match="your limit of 3"):
        services.request_accept(acting=Actor.for_user(pair.cast.mentor.user), request=requests[3])
    requests[3].refresh_from_db()
    assert requests[3].state == RequestState.PENDING  # nothing half-written
    assert Relationship.objects.filter(mentor=pair.mentor).count() == 3


def test_r12_mentor_chosen_lower_capacity_holds(pair):
    MentorProfile.objects.filter(pk=pair.mentor.pk).update(capacity=1)
    first, second = (testing.pending_request(m, pair.mentor) for m in mentees(pair.cast, 2))
    services.request_accept(acting=Actor.for_user(pair.cast.mentor.user), request=first)
    with pytest.raises(ValidationError, match="your limit of 1"):
        services.request_accept(acting=Actor.for_user(pair.cast.mentor.user), request=second)


def test_r12_database_refuses_a_count_above_capacity(pair):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        MentorProfile.objects.filter(pk=pair.mentor.pk).update(active_mentee_count=4)


def test_r12_ending_frees_the_place(pair):
    requests = [testing.pending_request(m, pair.mentor) for m in mentees(pair.cast, 4)]
    rels = [services.request_accept(acting=Actor.for_user(pair.cast.mentor.user), request=r) for r in requests[:3]]
    services.relationship_end(acting=Actor.for_user(pair.cast.mentor.user), relationship=rels[0], reason="time")
    assert MentorProfile.objects.get(pk=pair.mentor.pk).active_mentee_count == 2
    services.request_accept(acting=Actor.for_user(pair.cast.mentor.user), request=requests[3])
    assert MentorProfile.objects.get(pk=pair.mentor.pk).active_mentee_count == 3


def test_r7_mentor_gate_applies_to_accepting(cast):
    mentor = testing.mentor_profile(cast.mentor, trained=False)  # onboarded, but no training
    mentee = testing.new_member(cast.inst_a, "mentee", "keen@alpha.edu")
    request = testing.pending_request(mentee, mentor)
    with pytest.raises(services.GateClosed) as caught:
        services.request_accept(acting=Actor.for_user(cast.mentor.user), request=request)
    assert "training" in [s.key for s in caught.value.steps]
    request.refresh_from_db()
    assert request.state == RequestState.PENDING


def test_r13_accept_after_expiry_is_refused_and_expire_after_accept_does_nothing(pair):
    a, b = (testing.pending_request(m, pair.mentor) for m in mentees(pair.cast, 2))
    services.request_accept(acting=Actor.for_user(pair.cast.mentor.user), request=a)
    assert services.request_expire(request=a, now=a.deadline + dt.timedelta(minutes=1)) is False
    a.refresh_from_db()
    assert a.state == RequestState.ACCEPTED and not MissedResponse.objects.filter(request=a).exists()
    assert services.request_expire(request=b, now=b.deadline + dt.timedelta(minutes=1)) is True
    with pytest.raises(ValidationError, match="no longer waiting"):
        services.request_accept(acting=Actor.for_user(pair.cast.mentor.user), request=b)
    assert Relationship.objects.filter(request=b).count() == 0


def test_r13_accept_past_the_deadline_before_the_sweep_is_refused(pair, time_machine):
    request = testing.pending_request(pair.mentee, pair.mentor)
    time_machine.move_to(request.deadline + dt.timedelta(minutes=5))
    with pytest.raises(ValidationError, match="time to answer"):
        services.request_accept(acting=Actor.for_user(pair.cast.mentor.user), request=request)


# ------------------------------------------------------------------ PostgreSQL races


def _race(workers):
    """Run the callables at the same moment, each on its own connection; return results or exceptions."""
    barrier = threading.Barrier(len(workers))
    results = [None] * len(workers)

    def run(i, fn):
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_r12_concurrent_acceptances_for_the_last_place_accept_exactly_one(cast):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks across connections)")
    testing.fully_onboard(cast.mentor)
    mentor = testing.mentor_profile(cast.mentor)
    for m in mentees(cast, 2, prefix="current"):
        testing.relationship(m, mentor)  # 2 of 3 places taken
    requests = [testing.pending_request(m, mentor) for m in mentees(cast, 8, prefix="racer")]
    user = cast.mentor.user

    results = _race([lambda r=r: services.request_accept(acting=Actor.for_user(user), request=r) for r in requests])

    accepted = [r for r in results if isinstance(r, Relationship)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(accepted) == 1, results
    assert len(refused) == 7 and all("your limit of 3" in " ".join(e.messages) for e in refused), results
    mentor.refresh_from_db()
    assert mentor.active_mentee_count == 3
    assert Relationship.objects.filter(mentor=mentor, ended_at__isnull=True).count() == 3
    states = sorted(r.state for r in type(requests[0]).objects.filter(pk__in=[r.pk for r in requests]))
    assert states.count("accepted") == 1 and states.count("pending") == 7


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_r13_accept_and_expire_at_the_same_moment_end_in_exactly_one_state(cast):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (row locks across connections)")
    testing.fully_onboard(cast.mentor)
    mentor = testing.mentor_profile(cast.mentor)
    for attempt in range(5):
        mentee = testing.new_member(cast.inst_a, "mentee", f"edge{attempt}@alpha.edu")
        request = testing.pending_request(mentee, mentor, created_at=timezone.now() - dt.timedelta(days=7))
        type(request).objects.filter(pk=request.pk).update(deadline=timezone.now() + dt.timedelta(seconds=30))
        request.refresh_from_db()
        after_deadline = request.deadline + dt.timedelta(seconds=1)
        results = _race(
            [
                lambda r=request: services.request_accept(acting=Actor.for_user(cast.mentor.user), request=r),
                lambda r=request, at=after_deadline: services.request_expire(
                    request=type(r).objects.get(pk=r.pk), now=at
                ),
            ]
        )
        request.refresh_from_db()
        accepted = isinstance(results[0], Relationship)
        expired = results[1] is True
        assert accepted != expired, results  # exactly one transition won
        assert request.state == ("accepted" if accepted else "expired")
        assert Relationship.objects.filter(request=request).exists() == accepted
        assert MissedResponse.objects.filter(request=request).exists() == expired
        if accepted:
            services.relationship_end(acting=Actor.for_user(cast.mentor.user), relationship=results[0], reason="other")
