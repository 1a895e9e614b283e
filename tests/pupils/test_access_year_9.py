"""JCQ (DOMAIN.md 7.2): an access arrangements assessment for GCSE must be carried out no
earlier than the start of Year 9. One made earlier is flagged on the access arrangements list
and on the pupil's profile."""

import datetime as dt

import pytest
from django.urls import reverse

from pupils.models import AccessArrangement
from tests.factories import PupilFactory
from tests.helpers import client_for

TODAY = dt.date(2026, 3, 10)  # school year 2025/26


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: TODAY)


@pytest.mark.parametrize(
    ("nc_year", "dob", "starts"),
    [
        ("10", dt.date(2010, 5, 1), dt.date(2024, 9, 1)),
        ("9", dt.date(2011, 5, 1), dt.date(2025, 9, 1)),
        ("8", dt.date(2012, 5, 1), dt.date(2026, 9, 1)),
        ("R", dt.date(2020, 12, 1), dt.date(2034, 9, 1)),
        # Taught a year below their age group: counted from the group they are in.
        ("8", dt.date(2011, 10, 1), dt.date(2026, 9, 1)),
        # No numbered year group: from the date of birth (1 Sep to 31 Aug share a year).
        ("X", dt.date(2011, 9, 1), dt.date(2025, 9, 1)),
        ("X", dt.date(2012, 8, 31), dt.date(2025, 9, 1)),
        ("X", dt.date(2012, 9, 1), dt.date(2026, 9, 1)),
    ],
)
def test_start_of_year_9(db, nc_year, dob, starts):
    assert PupilFactory.build(nc_year=nc_year, date_of_birth=dob).year_9_starts_on == starts


def _assessed(pupil, by, on, kind="et25"):
    return AccessArrangement.objects.create(
        pupil=pupil,
        kind=kind,
        route="aao",
        normal_way_of_working="Runs out of time in every test",
        assessor_name="J Patel",
        assessor_qualification="l7",
        qualification_checked_on=on,
        assessed_on=on,
        score_1=80,
        score_2=84,
        recorded_by=by,
    )


def test_assessed_in_year_8_is_flagged_and_year_9_is_not(senco, school):
    pupil = PupilFactory(school=school, nc_year="10", date_of_birth=dt.date(2010, 5, 1))
    assert _assessed(pupil, senco.user, dt.date(2024, 8, 31)).assessed_before_year_9
    assert not _assessed(pupil, senco.user, dt.date(2024, 9, 1)).assessed_before_year_9
    unassessed = AccessArrangement.objects.create(
        pupil=pupil, kind="rest", route="delegated", recorded_by=senco.user
    )
    assert not unassessed.assessed_before_year_9  # no assessment, nothing to flag


@pytest.fixture
def year_10(school, class_group):
    pupil = PupilFactory(
        school=school,
        first_name="Tobi",
        last_name="Early",
        nc_year="10",
        date_of_birth=dt.date(2010, 5, 1),
        sen_status="K",
    )
    pupil.teaching_groups.add(class_group)
    return pupil


def test_list_warns_about_assessments_before_year_9(senco, head, school, year_10):
    _assessed(year_10, senco.user, dt.date(2024, 6, 12))
    in_time = PupilFactory(school=school, last_name="Ontime", nc_year="10", sen_status="K")
    _assessed(in_time, senco.user, dt.date(2024, 10, 1))
    for member in (senco, head):
        page = client_for(member).get(reverse("pupils:access_arrangements")).content.decode()
        warning = page.split('id="before-year-9"')[1].split("</div>")[0]
        assert "Tobi Early" in warning and "assessed 12 Jun 2024" in warning
        assert "start of Year 9: 1 Sep 2024" in warning and "Ontime" not in warning
        assert page.count("Before Year 9</span>") == 1


def test_list_without_early_assessments_has_no_warning(senco, year_10):
    _assessed(year_10, senco.user, dt.date(2025, 1, 15))
    page = client_for(senco).get(reverse("pupils:access_arrangements")).content.decode()
    assert 'id="before-year-9"' not in page


def test_list_is_refused_or_scoped(cast, senco, year_10):
    _assessed(year_10, senco.user, dt.date(2024, 6, 12))
    url = reverse("pupils:access_arrangements")
    for who in ("teacher", "ta", "governor"):
        assert client_for(cast[who]).get(url).status_code == 403
    other = client_for(cast["outsider"]).get(url)
    assert other.status_code == 200 and "Tobi Early" not in other.content.decode()


def test_profile_warns_the_senco_not_the_teacher(senco, teacher, year_10):
    _assessed(year_10, senco.user, dt.date(2024, 6, 12))
    url = reverse("pupils:detail", args=[year_10.public_id])
    page = client_for(senco).get(url).content.decode()
    assert "Assessed before Year 9" in page and "start of Year 9 (1 Sep 2024)" in page
    taught = client_for(teacher).get(url).content.decode()
    assert "25% extra time" in taught and "Assessed before Year 9" not in taught


def test_saving_an_early_assessment_says_so(senco, year_10):
    data = {
        "kind": "et25",
        "normal_way_of_working": "Runs out of time in every test",
        "assessor_name": "J Patel",
        "assessor_qualification": "l7",
        "qualification_checked_on": "2024-05-01",
        "assessed_on": "2024-06-12",
        "score_1": 80,
        "score_2": 84,
    }
    response = client_for(senco).post(
        reverse("pupils:access_new", args=[year_10.public_id]), data, follow=True
    )
    assert "carried out before the start of Year 9" in response.content.decode()
    data["assessed_on"] = "2024-09-12"
    response = client_for(senco).post(
        reverse("pupils:access_new", args=[year_10.public_id]), data, follow=True
    )
    assert "carried out before the start of Year 9" not in response.content.decode()


def test_the_check_adds_no_query_per_arrangement(senco, year_10):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(senco)
    client.get(reverse("pupils:detail", args=[year_10.public_id]))  # first-visit rows made
    counts = []
    for on in (dt.date(2024, 6, 12), dt.date(2024, 7, 1), dt.date(2025, 1, 1)):
        _assessed(year_10, senco.user, on)
        for url in (
            reverse("pupils:detail", args=[year_10.public_id]),
            reverse("pupils:access_arrangements"),
        ):
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            counts.append((url, len(queries)))
    assert counts[:2] == counts[2:4] == counts[4:]
