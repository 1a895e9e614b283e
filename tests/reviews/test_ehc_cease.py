"""The LA ceases an EHC plan: the SENCO records when and why; reviews and phase transfer dates
stop, the plan's top-up ends, a draft amendment goes, and the status decision (E needs a plan
in force) follows, filled in from the cessation. Only the SENCO may; another school's plan is
a 404."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from provision.models import TopUpFunding
from reviews import selectors_ehc as sel
from reviews import services_ehc as services
from reviews.models import AnnualReview, EhcPlan
from sencoweb.models import AuditEvent
from tests.helpers import client_for

from .ehc_factories import AnnualReviewFactory, EhcPlanFactory

pytestmark = pytest.mark.django_db

ISSUED = dt.date(2025, 1, 13)
CEASED = dt.date(2026, 3, 20)


@pytest.fixture
def plan(school):
    return EhcPlanFactory(pupil__school=school, issued_on=ISSUED, la_name="Bristol")


def _cease(member, plan, **data):
    data = {"ceased_on": CEASED.isoformat(), "ceased_reason": "Outcomes met; no appeal", **data}
    return client_for(member).post(reverse("reviews:plan_cease", args=[plan.public_id]), data)


def test_recording_it_stops_the_reviews_and_leads_to_the_status_decision(senco, plan):
    top_up = TopUpFunding.objects.create(
        school=plan.school, pupil=plan.pupil, la_name="Bristol", amount=Decimal("5400"),
        starts_on=ISSUED,
    )  # fmt: skip
    plan.top_ups.add(top_up)
    draft = services.ehc_plan_amend(plan=plan, by=senco.user)
    assert plan in sel.plans_in_force(schools=[plan.school], pupils=None)

    response = _cease(senco, plan)
    decision = reverse("pupils:decision_new", args=[plan.pupil.public_id])
    assert response.status_code == 302
    assert response.url == f"{decision}?to=K&ceased={plan.public_id}"
    plan.refresh_from_db()
    assert (plan.status, plan.ceased_on) == (EhcPlan.Status.CEASED, CEASED)
    assert plan.ceased_reason == "Outcomes met; no appeal"
    assert plan not in sel.plans_in_force(schools=[plan.school], pupils=None)
    top_up.refresh_from_db()
    assert top_up.ends_on == CEASED
    assert not EhcPlan.objects.filter(pk=draft.pk).exists()
    event = AuditEvent.objects.get(summary__contains="ceased on 20 March 2026")
    assert event.detail["draft_amendments_deleted"] == [draft.version]
    assert event.detail["top_ups_ended"] == [top_up.pk]

    # The decision form is filled in from the cessation.
    form = client_for(senco).get(response.url).context["form"]
    assert form.initial["decided_on"] == CEASED
    assert "The EHC plan ceased on 20 March 2026: Outcomes met; no appeal" in form.initial["reason"]
    page = client_for(senco).get(reverse("reviews:plan_detail", args=[plan.public_id]))
    assert "This plan ceased on 20 March 2026" in page.content.decode()
    from reviews.hooks_ehc import chronology

    plan.pupil.refresh_from_db()
    assert ("EHC plan ceased", "Outcomes met; no appeal") in [
        (e.title, e.detail) for e in chronology(plan.pupil)
    ]


def test_no_deadline_of_a_ceased_plan_is_shown(senco, plan):
    AnnualReviewFactory(plan=plan, meeting_on=dt.date(2026, 1, 10))
    assert any(r.pupil == plan.pupil for r, *_ in _deadline_rows(senco))
    _cease(senco, plan)
    assert not any(r.pupil == plan.pupil for r, *_ in _deadline_rows(senco))


def _deadline_rows(member):
    return client_for(member).get(reverse("reviews:deadlines")).context["rows"]


@pytest.mark.parametrize(
    "ceased_on, message",
    [
        ("2024-12-31", "cannot cease before it was issued (13 January 2025)"),
        ((timezone.localdate() + dt.timedelta(days=1)).isoformat(), "That date is in the future"),
        ("", "Give the date the plan ceased."),
    ],
)
def test_wrong_dates_are_refused_next_to_the_field(senco, plan, ceased_on, message):
    response = _cease(senco, plan, ceased_on=ceased_on)
    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors["ceased_on"])
    plan.refresh_from_db()
    assert plan.status == EhcPlan.Status.ISSUED


def test_a_reason_is_needed(senco, plan):
    response = _cease(senco, plan, ceased_reason="   ")
    assert response.status_code == 422
    assert "Say why" in " ".join(response.context["form"].errors["ceased_reason"])


def test_only_the_plan_in_force_can_cease(senco, plan):
    _cease(senco, plan)
    again = client_for(senco).get(reverse("reviews:plan_cease", args=[plan.public_id]))
    assert again.status_code == 302


def test_who_may_record_it(cast, plan):
    url = reverse("reviews:plan_cease", args=[plan.public_id])
    for role in ("teacher", "ta", "governor", "trustlead"):
        assert client_for(cast[role]).get(url).status_code == 403, role
        assert client_for(cast[role]).post(url, {}).status_code == 403, role
    assert client_for(cast["outsider"]).get(url).status_code == 404
    assert client_for(cast["senco"]).get(url).status_code == 200


def test_the_review_that_decided_to_cease_points_to_it(senco, plan):
    review = AnnualReviewFactory(
        plan=plan, meeting_on=dt.date(2026, 1, 10), la_outcome=AnnualReview.Outcome.CEASE,
        la_decision_on=dt.date(2026, 2, 1),
    )  # fmt: skip
    page = client_for(senco).get(reverse("reviews:review_edit", args=[review.public_id]))
    assert 'id="cease-next"' in page.content.decode()
    _cease(senco, plan)
    page = client_for(senco).get(reverse("reviews:review_edit", args=[review.public_id]))
    assert 'id="cease-next"' not in page.content.decode()
