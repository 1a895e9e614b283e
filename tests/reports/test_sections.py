"""The year's sections of the governors' report and dashboards: no count that is hidden can be
worked back from the others."""

import datetime as dt

import pytest

from reports import sections
from sencoweb.models import academic_year_of
from tests.factories import PupilFactory
from tests.reviews.ehc_factories import AnnualReviewFactory, EhcPlanFactory, EhcRequestFactory

pytestmark = pytest.mark.django_db


def _facts(school, threshold=5):
    return dict(sections.ehc_section(school, 2026, threshold)["facts"])


def test_one_refusal_cannot_be_worked_out_from_requests_and_agreements(school):
    for _ in range(5):
        EhcRequestFactory(pupil__school=school, decided_to_assess=True,
                          decision_to_assess_on=dt.date(2026, 10, 20))  # fmt: skip
    EhcRequestFactory(pupil__school=school, decided_to_assess=False,
                      decision_to_assess_on=dt.date(2026, 10, 20))  # fmt: skip
    facts = _facts(school)
    assert facts["Local authority refused to assess"] == "fewer than 5"
    made, agreed = (
        facts["Requests for an EHC needs assessment"],
        facts["Local authority agreed to assess"],
    )
    assert "withheld" in (made, agreed), (made, agreed)  # 6 - 5 would be the one refusal
    assert facts["Awaiting the local authority's decision"] == "0"


def test_one_late_annual_review_cannot_be_worked_out(school):
    for i in range(6):
        plan = EhcPlanFactory(pupil=PupilFactory(school=school, sen_status="E"),
                              issued_on=dt.date(2025, 11, 2))  # fmt: skip
        # Five within 12 months of the plan; one three months late.
        day = dt.date(2026, 10, 20) if i else dt.date(2027, 2, 3)
        AnnualReviewFactory(plan=plan, meeting_on=day)
    facts = _facts(school)
    assert facts["Annual reviews held later"] == "fewer than 5"
    held, on_time = facts["Annual reviews held"], facts["Annual reviews held within 12 months"]
    assert "withheld" in (held, on_time), (held, on_time)


def test_plans_in_force_do_not_undo_a_hidden_ehc_count(school):
    # A special school: 12 with EHC plans, 2 on SEN support. The register's figures hide both
    # (12 beside "fewer than 5" and a total of 14); "12 plans in force" would give away the 2.
    for _ in range(12):
        EhcPlanFactory(pupil=PupilFactory(school=school, sen_status="E"))
    PupilFactory.create_batch(2, school=school, sen_status="K")
    assert _facts(school)["EHC plans in force now"] == "withheld"
    assert _facts(school, threshold=1)["EHC plans in force now"] == "12"  # named: shown


def test_provision_table_counts_a_pupil_in_two_areas_once(school, senco):
    from tests.provision.factories import GroupFactory, InterventionFactory, enrol

    language = GroupFactory(school=school, staff=senco)
    reading = GroupFactory(school=school, staff=senco,
                           intervention=InterventionFactory(school=school, area="CL"))  # fmt: skip
    pupils = PupilFactory.create_batch(12, school=school, sen_status="K")
    enrol(language, *pupils[:7])
    enrol(reading, *pupils[6:])  # pupil 6 is in both
    s = sections.provision_section(school, academic_year_of(dt.date.today()), 5)
    facts = dict(s["facts"])
    assert facts["Pupils receiving an intervention"] == "12"
    assert s["table"].totals[-1].display == "12"  # not 7 + 6
    assert sum(row[0].value for row in s["table"].rows) == 12


def test_a_finished_year_with_no_reviews_does_not_say_yet(school):
    note = sections.outcomes_section(school, 2020, 5)["note"]
    assert "(none reviewed)" in note and "yet" not in note
    this_year = sections.outcomes_section(school, academic_year_of(dt.date.today()), 5)["note"]
    assert "(none reviewed yet)" in this_year


def test_interventions_with_few_pupils_measured_share_one_line(school, senco):
    from decimal import Decimal

    from tests.provision.factories import GroupFactory, enrol

    year = academic_year_of(dt.date.today())
    start = dt.date(year, 9, 1)
    for size in (2, 3, 6):
        group = GroupFactory(school=school, staff=senco, starts_on=start)
        pupils = PupilFactory.create_batch(size, school=school, sen_status="K")
        for e in enrol(group, *pupils):
            e.entry_score, e.exit_score = Decimal(80), Decimal(90)
            e.entry_on, e.exit_on = start, dt.date.today()
            e.save()
    rows = sections.outcomes_section(school, year, 5)["plain"]["rows"]
    assert len(rows) == 2, rows
    assert rows[0][1:] == ("6", "+10.0", "—")
    assert rows[1] == ("2 other interventions", "fewer than 5 each", "—", "—")
    alone = sections.outcomes_section(school, year, 7)["plain"]["rows"]  # 6 is now few too
    assert alone == [("3 interventions", "fewer than 7 each", "—", "—")]
