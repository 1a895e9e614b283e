"""The census readiness page asks the reviews EHC checker in bulk: one query for the issued
plans of every E pupil, so the page's query count does not grow with the plans."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pupils import census, hooks
from reviews.hooks_ehc import _has_issued_plan
from reviews.models import EhcPlan
from tests.factories import NeedFactory, PupilFactory
from tests.helpers import client_for

from .ehc_factories import EhcPlanFactory

pytestmark = pytest.mark.django_db


def test_reviews_checker_is_registered_with_a_bulk_form():
    assert _has_issued_plan in hooks.ehc_plan_checkers
    assert callable(getattr(_has_issued_plan, "many", None))


def test_bulk_form_returns_only_pupils_with_an_issued_plan(school, other_school):
    issued = EhcPlanFactory(pupil__school=school).pupil
    draft = EhcPlanFactory(pupil__school=school, status=EhcPlan.Status.DRAFT).pupil
    none = PupilFactory(school=school, sen_status="E")
    elsewhere = EhcPlanFactory(pupil__school=other_school).pupil
    with CaptureQueriesContext(connection) as queries:
        found = _has_issued_plan.many([issued, draft, none])
    assert found == {issued.pk}
    assert len(queries) == 1
    assert elsewhere.pk not in found
    assert _has_issued_plan.many([]) == set()


def test_census_flags_e_without_issued_plan_through_reviews(school):
    with_plan = EhcPlanFactory(pupil__school=school, pupil__last_name="Planned").pupil
    NeedFactory(pupil=with_plan, sen_type="ASD")
    without = PupilFactory(school=school, sen_status="E", last_name="Waiting")
    NeedFactory(pupil=without, sen_type="ASD")
    flagged = {
        (p.pupil.last_name, p.key)
        for p in census.census_problems(school)
        if p.key == census.E_WITHOUT_PLAN
    }
    assert flagged == {("Waiting", census.E_WITHOUT_PLAN)}


def test_census_page_query_count_is_pinned_with_e_pupils_that_have_plans(senco, school):
    client = client_for(senco)

    def make(n):
        for _ in range(n):
            plan = EhcPlanFactory(pupil__school=school)
            NeedFactory(pupil=plan.pupil, sen_type="ASD")
            NeedFactory(pupil=PupilFactory(school=school, sen_status="E"), sen_type="SLCN")

    make(2)
    client.get(reverse("pupils:census"))  # warm up per-session work (first request only)
    with CaptureQueriesContext(connection) as few:
        response = client.get(reverse("pupils:census"))
    assert response.status_code == 200
    waiting = {g["key"]: len(g["problems"]) for g in response.context["groups"]}
    assert waiting[census.E_WITHOUT_PLAN] == 2, "only the pupils without a plan are flagged"
    make(15)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("pupils:census")).status_code == 200
    assert len(many) == len(few)
    plan_queries = [q for q in many if "reviews_ehcplan" in q["sql"]]
    assert len(plan_queries) == 1, "one bulk query for the issued plans"
