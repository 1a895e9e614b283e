"""A MIS or CTF import that moves an existing pupil from K or E to N (or monitoring) ends their
open support plan as a SENCO's status decision does: closed "Ended: left the SEN register on
<date>", working contribution links revoked, the register's next review re-synced, so the
review date no longer shows on calendars, reminders or the register. The preview says what
will end; all or nothing with the rest of the import."""

import html

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from pupils import importing
from pupils.models import Pupil, StatusDecision
from reviews import services
from reviews.models import ContributionLink, SupportCycle
from reviews.selectors import review_calendar
from sencoweb.models import AuditEvent
from tests.helpers import client_for
from tests.pupils.fixtures.builders import (
    csv_bytes,
    existing_pupil,
    fail_on_row,
    row,
    row_for,
)

from .cycle_helpers import issued_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _today():
    return timezone.localdate()


def _import(school, user, data):
    parsed = importing.parse_file(data, "export.csv", today=_today())
    return importing.import_commit(school=school, parsed=parsed, user=user, today=_today())


@pytest.fixture
def leaving(school):
    return existing_pupil(school, 1, "K", first_name="Amara", last_name="Okafor")


@pytest.fixture
def cycle(leaving, senco):
    cycle = issued_cycle(leaving, senco.user, review_in_days=10)
    services.contribution_link_create(
        cycle=cycle, kind="parent", recipient_name="Mrs Okafor", by=senco.user
    )
    leaving.refresh_from_db()
    assert leaving.next_review_due == cycle.review_date
    return cycle


def _ended_line(cycle):
    return (
        f"Support plan 1 (review due {cycle.review_date:%-d %b %Y}) ended: left the SEN "
        f"register on {_today():%-d %b %Y}; 1 contribution link revoked."
    )


@pytest.mark.parametrize("to", ["N", "Monitoring"])
def test_an_import_taking_a_pupil_off_the_register_ends_their_support_plan(
    school, senco, leaving, cycle, to
):
    result = _import(school, senco.user, csv_bytes([row_for(leaving, 1, to)]))
    cycle.refresh_from_db()
    assert cycle.status == SupportCycle.Status.CLOSED and cycle.is_ended
    assert cycle.ended_reason == SupportCycle.EndReason.LEFT_REGISTER
    assert cycle.ended_on == _today()
    link = ContributionLink.objects.get(cycle=cycle)
    assert link.revoked_at is not None
    leaving.refresh_from_db()
    assert leaving.sen_status == ("N" if to == "N" else "M")
    assert leaving.next_review_due is None
    calendar = review_calendar(
        pupils=Pupil.objects.for_school(school), school=school, today=_today()
    )
    assert cycle not in calendar.overdue + calendar.this_week + calendar.this_half_term
    assert result.ended == [(leaving, [_ended_line(cycle)])]
    # The import's decision is the one the cycle ended with.
    assert StatusDecision.objects.get(pupil=leaving).decided_on == cycle.ended_on
    audit = AuditEvent.objects.get(action="import", pupil_id=leaving.public_id)
    assert audit.detail["closed"] == [_ended_line(cycle)]


def test_an_ehc_plan_pupil_imported_as_n_ends_their_support_plan_too(school, senco):
    pupil = existing_pupil(school, 2, "E")
    cycle = issued_cycle(pupil, senco.user)
    _import(school, senco.user, csv_bytes([row_for(pupil, 2, "N")]))
    cycle.refresh_from_db()
    assert cycle.is_ended


def test_a_ctf_whose_latest_provision_is_n_ends_the_support_plan(school, senco, leaving, cycle):
    ctf = (
        "<CTfile><Header><SourceSchool><SchoolName>St Anne's</SchoolName></SourceSchool>"
        f"</Header><CTFpupilData><Pupil><UPN>{leaving.upn}</UPN><Surname>{leaving.last_name}"
        f"</Surname><Forename>{leaving.first_name}</Forename><DOB>{leaving.date_of_birth}</DOB>"
        f"<Sex>{leaving.gender}</Sex><BasicDetails><NCyearActual>5</NCyearActual></BasicDetails>"
        "<SENhistory><SEN><StartDate>2024-09-02</StartDate><SENprovision>K</SENprovision></SEN>"
        "<SEN><StartDate>2025-12-01</StartDate><SENprovision>N</SENprovision></SEN></SENhistory>"
        "</Pupil></CTFpupilData></CTfile>"
    ).encode()
    parsed = importing.parse_file(ctf, "ctf.xml", today=_today())
    assert parsed.ok, [str(p) for p in parsed.problems]
    result = importing.import_commit(school=school, parsed=parsed, user=senco.user)
    cycle.refresh_from_db()
    assert cycle.is_ended and result.ended == [(leaving, [_ended_line(cycle)])]


def test_an_import_that_keeps_k_changes_nothing(school, senco, leaving, cycle):
    result = _import(school, senco.user, csv_bytes([row_for(leaving, 1, "K", Year="6")]))
    assert len(result.updated) == 1 and result.ended == []
    cycle.refresh_from_db()
    assert cycle.is_open and not cycle.is_ended
    assert ContributionLink.objects.get(cycle=cycle).revoked_at is None
    leaving.refresh_from_db()
    assert leaving.nc_year == "6" and leaving.next_review_due == cycle.review_date


def test_a_failing_row_elsewhere_rolls_back_the_ending(school, senco, leaving, cycle, monkeypatch):
    other = existing_pupil(school, 2, "K")
    fail_on_row(monkeypatch, 2)
    data = csv_bytes([row_for(leaving, 1, "N"), row_for(other, 2, "K", Year="6")])
    with pytest.raises(RuntimeError):
        _import(school, senco.user, data)
    cycle.refresh_from_db()
    assert cycle.is_open and not cycle.is_ended and cycle.ended_on is None
    assert ContributionLink.objects.get(cycle=cycle).revoked_at is None
    leaving.refresh_from_db()
    assert leaving.sen_status == "K" and leaving.next_review_due == cycle.review_date
    assert not StatusDecision.objects.exists()


def test_the_preview_says_what_will_end_and_the_done_page_what_ended(school, senco, leaving, cycle):
    client = client_for(senco)
    data = csv_bytes([row_for(leaving, 1, "N"), row(3, **{"SEN provision": "K"})])
    client.post(reverse("pupils:import"), {"file": SimpleUploadedFile("export.csv", data)})
    preview = client.get(reverse("pupils:import_preview"))
    page = html.unescape(preview.content.decode())
    assert 'id="import-ending"' in page
    assert (
        f"Amara Okafor: Support plan 1 (review due {cycle.review_date:%-d %b %Y}) will end, "
        "and 1 contribution link will be revoked."
    ) in " ".join(page.replace("<strong>", "").replace("</strong>", "").split())
    cycle.refresh_from_db()
    assert cycle.is_open  # the preview ends nothing

    fingerprint = preview.context["form"].initial["fingerprint"]
    done = client.post(reverse("pupils:import_confirm"), {"fingerprint": fingerprint}, follow=True)
    page = html.unescape(done.content.decode())
    assert 'id="import-ended"' in page
    assert _ended_line(cycle) in page
    cycle.refresh_from_db()
    assert cycle.is_ended
