"""A pupil who leaves the school (archived) has their open support plan cycle ended in the
leaving's transaction (pupils.hooks.leaving_handlers): "Ended: left the school on <leaving
date>", the next review re-synced; its links stay closed as a left pupil's are (not revoked:
the plan page says "Closed, <pupil> left"). The leaving form says what ended and the audit
keeps it. Cycles left open for leavers archived before this end in the
data migration (reviews 0013)."""

import datetime as dt
import html
import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from pupils import services as pupil_services
from pupils.models import Pupil
from reviews import services
from reviews.models import ContributionLink, SupportCycle
from sencoweb.models import AuditEvent
from tests.factories import PupilFactory
from tests.helpers import client_for

from .cycle_helpers import issued_cycle, open_cycle

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


@pytest.fixture
def cycle(taught_pupil, senco):
    cycle = issued_cycle(taught_pupil, senco.user, review_in_days=10)
    services.contribution_link_create(
        cycle=cycle, kind="parent", recipient_name="Mrs Okafor", by=senco.user
    )
    return cycle


def _leave(pupil, senco, left_on):
    return pupil_services.pupil_archive(
        pupil=pupil,
        by=senco.user,
        left_on=left_on,
        left_for="school",
        destination="Elm High (URN 100001)",
    )


def test_leaving_the_school_ends_the_open_support_plan(senco, cycle, taught_pupil):
    left_on = _today() - dt.timedelta(days=2)
    closed = _leave(taught_pupil, senco, left_on)
    cycle.refresh_from_db()
    assert cycle.status == SupportCycle.Status.CLOSED and cycle.is_ended
    assert cycle.ended_reason == SupportCycle.EndReason.LEFT_SCHOOL
    assert cycle.ended_on == left_on
    assert cycle.stage_label == f"Ended: left the school on {left_on:%-d %b %Y}"
    link = ContributionLink.objects.get(cycle=cycle)
    assert link.revoked_at is None and link.state() == "closed"
    assert Pupil.objects.get(pk=taught_pupil.pk).next_review_due is None
    assert (
        f"Support plan 1 (review due {cycle.review_date:%-d %b %Y}) ended: left the school on "
        f"{left_on:%-d %b %Y}."
    ) in closed


def test_a_plan_not_yet_issued_ends_too(senco, taught_pupil):
    cycle = open_cycle(taught_pupil, senco.user)
    closed = _leave(taught_pupil, senco, _today())
    cycle.refresh_from_db()
    assert cycle.is_ended
    assert f"Support plan 1 ended: left the school on {_today():%-d %b %Y}." in closed


def test_a_leaver_with_no_open_plan_has_nothing_ended(senco, taught_pupil):
    ended = issued_cycle(taught_pupil, senco.user)
    pupil_services.status_decision_record(
        pupil=taught_pupil,
        to_status="N",
        decided_on=_today(),
        reason="r",
        evidence="",
        decided_by="SENCO",
        parents_informed=False,
        parents_informed_on=None,
        by=senco.user,
    )
    assert not any("Support plan" in line for line in _leave(taught_pupil, senco, _today()))
    ended.refresh_from_db()
    assert ended.ended_reason == SupportCycle.EndReason.LEFT_REGISTER  # not re-ended


def test_the_leaving_form_says_what_ended_and_the_audit_keeps_it(senco, cycle, taught_pupil):
    client = client_for(senco)
    response = client.post(
        reverse("pupils:archive", args=[taught_pupil.public_id]),
        {
            "left_on": _today().isoformat(),
            "left_for": "school",
            "destination": "Elm High (URN 100001)",
        },
        follow=True,
    )
    assert response.status_code == 200
    line = (
        f"Support plan 1 (review due {cycle.review_date:%-d %b %Y}) ended: left the school on "
        f"{_today():%-d %b %Y}."
    )
    assert line in html.unescape(response.content.decode())
    audit = AuditEvent.objects.filter(summary__startswith="Archived").get()
    assert line in audit.detail["closed"]
    plans = client.get(reverse("reviews:pupil_cycles", args=[taught_pupil.public_id]))
    assert f"Ended: left the school on {_today():%-d %b %Y}" in plans.content.decode()
    page = client.get(reverse("reviews:cycle_detail", args=[cycle.public_id])).content.decode()
    assert f'id="cycle-stage">Ended: left the school on {_today():%-d %b %Y}<' in page
    assert "No review was held before Amara left." in page


def test_a_failure_later_in_the_leaving_undoes_the_ending(senco, cycle, taught_pupil, monkeypatch):
    from pupils import hooks

    def broken(pupil):
        raise RuntimeError("provision is down")

    monkeypatch.setattr(hooks, "leaving_handlers", [*hooks.leaving_handlers, broken])
    with pytest.raises(RuntimeError):
        _leave(taught_pupil, senco, _today())
    cycle.refresh_from_db()
    assert cycle.is_open and not cycle.is_ended
    assert Pupil.objects.get(pk=taught_pupil.pk).next_review_due == cycle.review_date


def test_the_data_migration_ends_cycles_of_pupils_who_had_left(school, senco, taught_pupil, cycle):
    """Before leaving ended cycles, an archived pupil kept an open one."""
    migration = importlib.import_module("reviews.migrations.0013_cycle_ended_left_school")
    left_on = _today() - dt.timedelta(days=30)
    Pupil.objects.filter(pk=taught_pupil.pk).update(
        archived_at=timezone.now(), left_on=left_on, left_for="school"
    )
    staying = issued_cycle(PupilFactory(school=school, sen_status="K"), senco.user)

    migration.end_cycles_of_leavers(apps, None)
    migration.end_cycles_of_leavers(apps, None)  # a second run changes nothing

    cycle.refresh_from_db()
    staying.refresh_from_db()
    assert cycle.is_ended and cycle.ended_reason == "left_school" and cycle.ended_on == left_on
    assert ContributionLink.objects.get(cycle=cycle).state() == "closed"
    assert Pupil.objects.get(pk=taught_pupil.pk).next_review_due is None
    assert staying.is_open and not staying.is_ended
    assert Pupil.objects.get(pk=staying.pupil_id).next_review_due == staying.review_date
