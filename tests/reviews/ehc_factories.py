"""Factories for EHC requests, plans and annual reviews."""

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from reviews.models import AnnualReview, EhcPlan, EhcProvisionItem, EhcRequest
from tests.factories import PupilFactory


class EhcRequestFactory(DjangoModelFactory):
    class Meta:
        model = EhcRequest

    pupil = factory.SubFactory(PupilFactory)
    school = factory.SelfAttribute("pupil.school")
    requested_by = "school"
    la_code = "801"
    la_name = "Bristol"
    received_on = dt.date(2026, 9, 14)


class EhcPlanFactory(DjangoModelFactory):
    class Meta:
        model = EhcPlan

    pupil = factory.SubFactory(PupilFactory, sen_status="E")
    school = factory.SelfAttribute("pupil.school")
    status = EhcPlan.Status.ISSUED
    la_code = "801"
    la_name = "Bristol"
    issued_on = dt.date(2026, 1, 12)
    first_issued_on = factory.SelfAttribute("issued_on")
    named_setting = "Oakfield Primary"
    section_b = "Speech, language and communication needs."


class ProvisionItemFactory(DjangoModelFactory):
    class Meta:
        model = EhcProvisionItem

    plan = factory.SubFactory(EhcPlanFactory)
    provision = "Speech and language therapy programme delivered by a trained TA"
    hours_per_week = 2
    provided_by = "Teaching assistant"


class AnnualReviewFactory(DjangoModelFactory):
    class Meta:
        model = AnnualReview

    plan = factory.SubFactory(EhcPlanFactory)
    pupil = factory.SelfAttribute("plan.pupil")
    school = factory.SelfAttribute("plan.school")
