"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

import datetime as dt

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.utils import timezone

from mentormemed.accounts.models import AgreementAcceptance, MenteeEligibility, ReviewStatus
from mentormemed.accounts.services import current_agreement
from mentormemed.core.clock import platform_today
from mentormemed.institutions.models import (
    Institution,
    Membership,
    MentorCriterion,
    MentorCriterionAttestation,
    PriceBand,
    Subscription,
)
from mentormemed.profiles.models import FieldOfTraining

TEST_PASSWORD = "correct-horse-battery-staple"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.User"
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        self.save()
        if create:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


def with_totp(user):
    TOTP.activate(user, TOTP_SECRET)
    return user


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Institution {n} School of Medicine")
    kind = Institution.Kind.MD_SCHOOL
    field_of_training = factory.LazyFunction(lambda: FieldOfTraining.objects.get(key="medicine"))
    eligible_headcount = 400
    time_zone = "America/New_York"
    mentor_commitment = 50

    @factory.post_generation
    def subscribed(self, create, extracted, **kwargs):
        """Active subscription unless ``subscribed=False``."""
        if create and extracted is not False:
            SubscriptionFactory(institution=self)

    @factory.post_generation
    def criteria(self, create, extracted, **kwargs):
        if create:
            for i, text in enumerate(extracted or ["Holds a faculty appointment", "In good standing"]):
                MentorCriterion.objects.create(institution=self, text=text, position=i)


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    institution = factory.SubFactory(InstitutionFactory, subscribed=False)
    band = factory.LazyFunction(lambda: PriceBand.objects.get(name="Medium"))
    band_name = "Medium"
    fee = factory.LazyAttribute(lambda o: o.band.annual_fee)
    term_start = factory.LazyFunction(lambda: platform_today() - dt.timedelta(days=60))
    term_end = factory.LazyAttribute(lambda o: o.term_start + dt.timedelta(days=364))
    invoice_number = factory.Sequence(lambda n: f"TEST-{n:05d}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    institution = factory.SubFactory(InstitutionFactory)
    role = "mentee"


def accept_agreement(membership: Membership) -> None:
    agreement = current_agreement(membership.role)
    if agreement:
        AgreementAcceptance.objects.get_or_create(
            user=membership.user, agreement=agreement, defaults={"accepted_at": timezone.now()}
        )


def onboard(membership: Membership) -> Membership:
    """Complete the foundation onboarding steps (agreement, eligibility or criteria)."""
    accept_agreement(membership)
    now = timezone.now()
    if membership.role == "mentee":
        MenteeEligibility.objects.update_or_create(
            membership=membership,
            defaults={"urim": True, "first_generation": True, "attested_at": now, "status": ReviewStatus.CONFIRMED},
        )
    elif membership.role == "mentor":
        for criterion in membership.institution.criteria.filter(active=True):
            MentorCriterionAttestation.objects.update_or_create(
                membership=membership,
                criterion=criterion,
                defaults={"attested_at": now, "status": ReviewStatus.CONFIRMED},
            )
    return membership
