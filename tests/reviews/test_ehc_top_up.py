"""The top-up that comes with an EHC plan is the provision app's TopUpFunding record, linked to
the plan: recorded and changed on the plan's page, counted by the budget and the governors'
report, shown only to those who may see money, and carried (not copied) by an amendment."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from provision import costs
from provision.models import TopUpFunding
from provision.selectors import budget_summary
from reports import sections
from reviews import services_ehc as services
from sencoweb.models import AuditEvent
from tests.helpers import client_for

from .ehc_factories import EhcPlanFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
STARTS = TODAY - dt.timedelta(days=30)


@pytest.fixture
def plan(school, class_group):
    plan = EhcPlanFactory(pupil__school=school, pupil__first_name="Amara", issued_on=STARTS)
    plan.pupil.teaching_groups.add(class_group)
    return plan


def _record(client, plan, *, amount="5400.00", band="C", record=None, **extra):
    if record is None:
        url = reverse("reviews:plan_top_up_new", args=[plan.public_id])
    else:
        url = reverse("reviews:plan_top_up_edit", args=[plan.public_id, record.pk])
    data = {
        "la_name": "Bristol",
        "band": band,
        "amount": amount,
        "starts_on": STARTS.isoformat(),
        "ends_on": "",
        **extra,
    }
    return client.post(url, data)


def _this_year(school):
    return costs.financial_year_of(TODAY, september=school.financial_year_starts_in_september)


def _in_year(school, annual):
    """What a top-up paid from STARTS brings into this financial year (pro rata by days)."""
    september = school.financial_year_starts_in_september
    bounds = costs.financial_year_bounds(_this_year(school), september=september)
    return costs.pro_rata(Decimal(annual), STARTS, None, *bounds)


def test_top_up_recorded_on_the_plan_is_in_the_budget_and_the_governors_report(senco, school, plan):
    response = _record(client_for(senco), plan)
    assert response.status_code == 302
    assert response.url == reverse("reviews:plan_detail", args=[plan.public_id])
    record = TopUpFunding.objects.get()
    assert (record.pupil, record.school, record.with_ehc_plan) == (plan.pupil, school, True)
    assert list(plan.top_ups.all()) == [record]
    assert AuditEvent.objects.filter(
        action="create", object_type="provision.TopUpFunding", pupil_id=plan.pupil.public_id
    ).exists()

    summary = budget_summary(school, _this_year(school), today=TODAY)
    assert summary["top_ups"] == [record]
    in_year = _in_year(school, 5400)
    assert summary["top_up_total"] == in_year <= Decimal("5400.00")
    page = client_for(senco).get(reverse("provision:budget"))
    assert f"Top-up income (element 3): £{in_year:,.2f}" in page.text

    facts = dict(sections.spend_section(school, _this_year(school), 0)["facts"])
    assert facts["Top-up funding received (element 3)"] == f"£{in_year:,.0f}"
    assert facts["Pupils with top-up funding"] == "1"


def test_changing_it_on_the_plan_changes_the_one_record(senco, school, plan):
    client = client_for(senco)
    _record(client, plan)
    record = TopUpFunding.objects.get()
    response = _record(client, plan, record=record, amount="8100", band="D")
    assert response.status_code == 302
    record.refresh_from_db()
    assert TopUpFunding.objects.count() == 1
    assert (record.band, record.amount) == ("D", Decimal("8100.00"))
    total = budget_summary(school, _this_year(school), today=TODAY)["top_up_total"]
    assert total == _in_year(school, 8100)
    assert AuditEvent.objects.filter(action="update", object_type="provision.TopUpFunding").exists()
    page = client.get(reverse("reviews:plan_detail", args=[plan.public_id]))
    assert "£8,100.00 a year" in page.text and "still paid" in page.text


def test_errors_show_next_to_the_field_and_save_nothing(senco, plan):
    response = _record(client_for(senco), plan, amount="0", ends_on="2000-01-01")
    assert response.status_code == 422
    form = response.context["form"]
    assert form.errors["amount"] == ["Give the annual amount, above £0."]
    assert form.errors["ends_on"] == ["The funding must end after it starts."]
    assert not TopUpFunding.objects.exists()


def test_a_record_of_another_plan_is_a_404(senco, school, plan):
    other = TopUpFunding.objects.create(
        school=school, pupil=plan.pupil, la_name="Bristol", amount=100, starts_on=STARTS
    )
    response = _record(client_for(senco), plan, record=other)
    assert response.status_code == 404


def test_amendment_carries_the_record_and_the_budget_counts_it_once(senco, school, plan):
    client = client_for(senco)
    _record(client, plan)
    ended = TopUpFunding.objects.create(
        school=school,
        pupil=plan.pupil,
        la_name="Bristol",
        amount=999,
        starts_on=STARTS - dt.timedelta(days=800),
        ends_on=STARTS - dt.timedelta(days=400),  # before this financial year
        with_ehc_plan=True,
    )
    plan.top_ups.add(ended)
    draft = services.ehc_plan_amend(plan=plan, by=senco.user)
    assert list(draft.top_ups.all()) == [TopUpFunding.objects.get(amount=5400)]
    page = client.get(reverse("reviews:plan_detail", args=[draft.public_id]))
    assert "£5,400.00 a year" in page.text
    total = budget_summary(school, _this_year(school), today=TODAY)["top_up_total"]
    assert total == _in_year(school, 5400)  # counted once


@pytest.mark.parametrize(
    "who, sees_money, may_record",
    [
        ("senco", True, True),
        ("head", True, False),
        ("trustlead", True, False),
        ("teacher", False, False),
    ],
)
def test_only_those_who_may_see_money_see_the_top_up(request, who, sees_money, may_record, plan):
    TopUpFunding.objects.create(
        school=plan.school, pupil=plan.pupil, la_name="Bristol", amount=5400, starts_on=STARTS
    )
    plan.top_ups.set(TopUpFunding.objects.all())
    client = client_for(request.getfixturevalue(who))
    page = client.get(reverse("reviews:plan_detail", args=[plan.public_id]))
    assert page.status_code == 200
    assert ("£5,400.00" in page.text) is sees_money
    assert ('id="top-up"' in page.text) is sees_money
    assert ('id="record-top-up"' in page.text) is may_record


@pytest.mark.parametrize("who", ["head", "teacher", "ta", "governor", "trustlead"])
def test_only_the_senco_records_top_up(request, who, plan):
    record = TopUpFunding.objects.create(
        school=plan.school, pupil=plan.pupil, la_name="Bristol", amount=5400, starts_on=STARTS
    )
    plan.top_ups.add(record)
    client = client_for(request.getfixturevalue(who))
    new = reverse("reviews:plan_top_up_new", args=[plan.public_id])
    edit = reverse("reviews:plan_top_up_edit", args=[plan.public_id, record.pk])
    assert client.get(new).status_code == 403
    assert _record(client, plan).status_code == 403
    assert _record(client, plan, record=record, amount="1").status_code == 403
    assert client.get(edit).status_code == 403
    record.refresh_from_db()
    assert record.amount == 5400 and TopUpFunding.objects.count() == 1


def test_another_school_gets_404(outsider, plan):
    record = TopUpFunding.objects.create(
        school=plan.school, pupil=plan.pupil, la_name="Bristol", amount=5400, starts_on=STARTS
    )
    plan.top_ups.add(record)
    client = client_for(outsider)
    assert client.get(reverse("reviews:plan_top_up_new", args=[plan.public_id])).status_code == 404
    assert _record(client, plan).status_code == 404
    assert _record(client, plan, record=record, amount="1").status_code == 404
    record.refresh_from_db()
    assert record.amount == 5400 and TopUpFunding.objects.count() == 1


def test_a_superseded_plan_takes_no_new_top_up(senco, plan):
    plan.status = "superseded"
    plan.save()
    response = _record(client_for(senco), plan)
    assert response.status_code == 302 and not TopUpFunding.objects.exists()


# --------------------------------------------------------------------------- the data migration


def _migrate(target):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if target is None:
        target = executor.loader.graph.leaf_nodes()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_migration_moves_each_plans_top_up_into_one_linked_record():
    import importlib

    from tests.factories import PupilFactory, SchoolFactory

    school = SchoolFactory()
    d1, d2 = dt.date(2024, 9, 2), dt.date(2025, 10, 6)
    amended = PupilFactory(school=school)
    a1 = EhcPlanFactory(pupil=amended, status="superseded", issued_on=d1)
    a2 = EhcPlanFactory(pupil=amended, version=2, previous=a1, issued_on=d2, first_issued_on=d1)
    rebanded = PupilFactory(school=school)
    r1 = EhcPlanFactory(pupil=rebanded, status="superseded", issued_on=d1)
    r2 = EhcPlanFactory(pupil=rebanded, version=2, previous=r1, issued_on=d2, first_issued_on=d1)
    monthly = EhcPlanFactory(pupil__school=school, issued_on=d1)
    termly = EhcPlanFactory(pupil__school=school, issued_on=d1)
    on_budget_page = TopUpFunding.objects.create(
        school=school,
        pupil=termly.pupil,
        la_name="Bristol",
        amount=5400,
        starts_on=d1,
        with_ehc_plan=False,
    )
    no_top_up = EhcPlanFactory(pupil__school=school, issued_on=d1)
    try:
        apps = _migrate([("reviews", "0005_ehc_plan_top_ups")])
        Plan = apps.get_model("reviews", "EhcPlan")
        Plan.objects.filter(pk__in=[a1.pk, a2.pk]).update(
            top_up_band="C", top_up_amount=5400, top_up_period="year", top_up_from=d1
        )
        Plan.objects.filter(pk=r1.pk).update(top_up_band="B", top_up_amount=3200, top_up_from=d1)
        Plan.objects.filter(pk=r2.pk).update(top_up_band="D", top_up_amount=8100, top_up_from=d1)
        Plan.objects.filter(pk=monthly.pk).update(top_up_amount=450, top_up_period="month")
        Plan.objects.filter(pk=termly.pk).update(
            top_up_band="C", top_up_amount=1800, top_up_period="term", top_up_from=d1
        )

        apps = _migrate([("reviews", "0006_top_up_records_from_plans")])
        migration = importlib.import_module("reviews.migrations.0006_top_up_records_from_plans")
        migration.forwards(apps, None)  # a second run changes nothing
        Plan = apps.get_model("reviews", "EhcPlan")
        Record = apps.get_model("provision", "TopUpFunding")

        def linked(plan):
            return list(
                Plan.objects.get(pk=plan.pk)
                .top_ups.order_by("starts_on")
                .values_list("band", "amount", "starts_on", "ends_on", "with_ehc_plan")
            )

        assert Record.objects.count() == 5
        assert linked(a1) == linked(a2) == [("C", 5400, d1, None, True)]
        assert linked(r1) == [("B", 3200, d1, d2 - dt.timedelta(days=1), True)]
        assert linked(r2) == [("D", 8100, d2, None, True)]
        assert linked(monthly) == [("", 5400, d1, None, True)]  # 12 x 450
        assert linked(termly) == [("", 5400, d1, None, True)]  # 3 x 1800: the budget's record
        assert Plan.objects.get(pk=termly.pk).top_ups.get().pk == on_budget_page.pk
        assert linked(no_top_up) == []

        apps = _migrate([("reviews", "0005_ehc_plan_top_ups")])
        Plan = apps.get_model("reviews", "EhcPlan")
        back = Plan.objects.get(pk=r2.pk)
        assert (back.top_up_band, back.top_up_amount, back.top_up_period, back.top_up_from) == (
            "D",
            8100,
            "year",
            d2,
        )
    finally:
        _migrate(None)


# --------------------------------------------------------------------------- the demo


def test_demo_plans_with_top_up_have_linked_records_counted_once():
    from reviews import demo_ehc
    from reviews.models import EhcPlan
    from sencoweb.demo import DemoContext
    from tests.factories import PupilFactory, SchoolFactory

    school = SchoolFactory(phase="primary")
    for _ in range(10):
        PupilFactory(school=school, sen_status="E", nc_year="4")
    ctx = DemoContext(seed=1, today=TODAY, password_hash="", schools=[school])
    demo_ehc.seed(ctx)
    demo_ehc.seed(ctx)  # idempotent: no second set of records
    in_force = list(EhcPlan.objects.filter(status="issued").prefetch_related("top_ups"))
    with_top_up = [p for p in in_force if p.top_ups.all()]
    assert 0 < len(with_top_up) < len(in_force)  # not every EHC plan brings top-up
    assert all(
        t.with_ehc_plan and t.pupil_id == p.pupil_id for p in in_force for t in p.top_ups.all()
    )
    # Each pupil is paid one top-up, once, whichever version of the plan is in force.
    current = TopUpFunding.objects.current_on(TODAY)
    assert sorted(current.values_list("pupil_id", flat=True)) == sorted(
        p.pupil_id for p in with_top_up
    )
    superseded = EhcPlan.objects.get(status="superseded")
    amended = EhcPlan.objects.get(previous=superseded)
    assert list(superseded.top_ups.all()) == list(amended.top_ups.all()) != []  # one record
    summary = budget_summary(school, _this_year(school), today=TODAY)
    assert summary["top_up_total"] == sum(t.in_year for t in summary["top_ups"])
    assert {t.pk for t in current} == {t.pk for t in summary["top_ups"]}
