import datetime as dt

from django.core.management import call_command

from reports.models import CensusSnapshot
from reports.selectors import census_date_for, profile_for_year, trend
from tests.factories import NeedFactory, PupilFactory


def test_snapshot_holds_counts_only_and_feeds_the_trend(school):
    for i in range(6):
        NeedFactory(pupil=PupilFactory(school=school, sen_status="K" if i < 5 else "E"))
    PupilFactory.create_batch(4, school=school)
    day = census_date_for(2025)
    call_command("take_census_snapshot", school=school.urn, date=day.isoformat())
    snap = CensusSnapshot.objects.get(school=school)
    assert (snap.on_roll, snap.sen_support, snap.ehc_plan) == (10, 5, 1)
    assert snap.by_need == {"SLCN": {"K": 5, "E": 1}}
    assert "pupil" not in str(snap.by_year).lower()
    profile = profile_for_year(school, 2025)
    assert profile.source == "snapshot" and profile.status["K"] == 5


def test_census_day_is_the_third_thursday_of_january():
    assert census_date_for(2024) == dt.date(2025, 1, 16)
    assert census_date_for(2025) == dt.date(2026, 1, 15)


def test_trend_computes_past_years_from_decisions(school, senco):
    from pupils.models import StatusDecision

    pupil = PupilFactory(school=school, sen_status="K", joined_on=dt.date(2020, 9, 1))
    StatusDecision.objects.create(pupil=pupil, decided_on=dt.date(2024, 10, 1), from_status="N",
                                  to_status="K", reason="x", decided_by="SENCO",
                                  recorded_by=senco.user)  # fmt: skip
    points = {p["year"]: p["profile"] for p in trend(school, 2025)}
    assert points[2023].source == "computed" and points[2023].status.get("K", 0) == 0
    assert points[2024].status.get("K") == 1
