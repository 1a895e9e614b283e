"""The data migration that recomputes every pupil's next review (reviews 0012) gives the date the
live rule (reviews.next_review) gives, on the historical models, for each shape of record; it
clears a date with no review behind it, and a second run writes nothing."""

import datetime as dt
import importlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pupils.models import Pupil
from reviews.deadlines import review_period_end
from reviews.models import EhcPlan, SupportCycle
from reviews.next_review import next_reviews_due
from tests.factories import PupilFactory

from .cycle_helpers import issued_cycle
from .ehc_factories import AnnualReviewFactory, EhcPlanFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("reviews.migrations.0012_next_review_earliest")


def _in(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


@pytest.fixture(scope="module")
def historical_apps(django_db_blocker):
    with django_db_blocker.unblock():
        loader = MigrationExecutor(connection).loader
        return loader.project_state(("reviews", "0012_next_review_earliest")).apps


def _plan(school, *, issued_days_ago=300, **fields):
    return EhcPlanFactory(pupil__school=school, issued_on=_in(-issued_days_ago), **fields)


def _records(school, senco) -> dict[str, Pupil]:
    """One pupil for each shape of record the rule reads, named by what it shows."""
    by = senco.user
    made = {}
    pupil = PupilFactory(school=school, sen_status="K")
    issued_cycle(pupil, by, review_in_days=20)
    made["support plan only"] = pupil

    made["EHC plan only"] = _plan(school).pupil

    plan = _plan(school)
    issued_cycle(plan.pupil, by, review_in_days=20)
    made["support plan sooner"] = plan.pupil

    plan = _plan(school)
    issued_cycle(plan.pupil, by, review_in_days=200)
    made["annual review sooner"] = plan.pupil

    plan = _plan(school, issued_days_ago=500)
    AnnualReviewFactory(plan=plan, meeting_on=_in(-150), la_outcome="maintain",
                        la_decision_on=_in(-130))  # fmt: skip
    made["review completed"] = plan.pupil

    plan = _plan(school, issued_days_ago=500)
    AnnualReviewFactory(plan=plan, meeting_on=_in(-20), last_review_on=None)
    made["review held, LA decision awaited"] = plan.pupil

    plan = _plan(school, issued_days_ago=700)
    AnnualReviewFactory(plan=plan, meeting_on=_in(-340), la_outcome="amend",
                        la_decision_on=_in(-320), amendment_proposals_on=_in(-320),
                        final_amended_plan_on=_in(-280))  # fmt: skip
    AnnualReviewFactory(plan=plan, meeting_on=None, last_review_on=_in(-340))
    made["review opened, not held"] = plan.pupil

    plan = _plan(school, issued_days_ago=100, first_issued_on=_in(-700),
                 last_review_before_import=_in(-250))  # fmt: skip
    made["imported with its last review"] = plan.pupil

    plan = _plan(school, issued_days_ago=200)
    AnnualReviewFactory(plan=plan, kind="interim", meeting_on=_in(-30))
    made["interim review only"] = plan.pupil

    old = _plan(school, issued_days_ago=600, status=EhcPlan.Status.SUPERSEDED)
    EhcPlanFactory(pupil=old.pupil, version=2, issued_on=_in(-60),
                   first_issued_on=old.issued_on)  # fmt: skip
    made["amended plan in force"] = old.pupil

    plan = _plan(school, status=EhcPlan.Status.CEASED, ceased_on=_in(-5))
    issued_cycle(plan.pupil, by, review_in_days=200)
    made["plan ceased"] = plan.pupil

    pupil = PupilFactory(school=school, sen_status="K")
    cycle = issued_cycle(pupil, by)
    SupportCycle.objects.filter(pk=cycle.pk).update(status="closed", closed_at=timezone.now())
    made["support plan closed"] = pupil
    return made


def test_the_data_fix_gives_the_live_rules_dates(school, senco, historical_apps):
    made = _records(school, senco)
    Pupil.objects.update(next_review_due=dt.date(2000, 1, 1))  # what the old syncs left, or worse

    migration.recompute(historical_apps, None)

    live = next_reviews_due(p.pk for p in made.values())
    got = {name: Pupil.objects.get(pk=p.pk).next_review_due for name, p in made.items()}
    assert got == {name: live[p.pk] for name, p in made.items()}
    # And the dates are the ones the rule means, not only the same as the live code's.
    cycle_date = {name: SupportCycle.objects.filter(pupil=p).first() for name, p in made.items()}
    assert got["support plan only"] == got["support plan sooner"] == _in(20)
    annual_sooner = review_period_end(_in(-300), 12)
    assert got["EHC plan only"] == got["annual review sooner"] == annual_sooner
    assert got["review completed"] == review_period_end(_in(-150), 12)
    assert got["review held, LA decision awaited"] == review_period_end(_in(-20), 12)
    assert got["review opened, not held"] == review_period_end(_in(-340), 12)
    assert got["imported with its last review"] == review_period_end(_in(-250), 12)
    assert got["interim review only"] == review_period_end(_in(-200), 12)
    assert got["amended plan in force"] == review_period_end(_in(-600), 12)
    assert got["plan ceased"] == cycle_date["plan ceased"].review_date == _in(200)
    assert got["support plan closed"] is None


def test_a_second_run_writes_nothing(school, senco, historical_apps):
    _records(school, senco)
    migration.recompute(historical_apps, None)
    with CaptureQueriesContext(connection) as queries:
        migration.recompute(historical_apps, None)
    assert not [q for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
