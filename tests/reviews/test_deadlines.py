"""Tests for the statutory deadline engine (reviews/deadlines.py).

Pure date arithmetic: no database and no Django. Every expected date in the tables below was
worked out by hand from the rule quoted next to it (weeks are calendar weeks). Run with:

    .venv/bin/python -m pytest tests/reviews/test_deadlines.py -p no:django --noconftest -q
"""

import ast
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviews import deadlines as engine
from reviews.deadlines import (
    Deadline,
    DeadlineStatus,
    LaRuleProfile,
    SchoolCalendar,
    add_months,
    annual_review_deadlines,
    easter_sunday,
    needs_assessment_deadlines,
    phase_transfer_deadline,
    phase_transfer_review_by,
    records_transfer_deadline,
    review_period_end,
)

D = date


def by_key(deadlines: list[Deadline]) -> dict[str, Deadline]:
    keys = [d.key for d in deadlines]
    assert len(keys) == len(set(keys)), f"duplicate keys in {keys}"
    return {d.key: d for d in deadlines}


def school_days_in(calendar: SchoolCalendar, start: date, end: date) -> int:
    """School days in (start, end], counted the slow, obvious way."""
    return sum(
        calendar.is_school_day(start + timedelta(days=i)) for i in range(1, (end - start).days + 1)
    )


# --------------------------------------------------------------------------- purity


def test_module_uses_the_standard_library_only():
    tree = ast.parse(Path(engine.__file__).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}, imported


# --------------------------------------------------------------------------- add_months, Easter


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2024, 2, 29), 12, D(2025, 2, 28)),  # leap day, no 29 Feb next year: clamp
        (D(2024, 2, 29), 48, D(2028, 2, 29)),  # four years on there is a 29 Feb again
        (D(2023, 3, 1), 12, D(2024, 3, 1)),  # across a leap February, no drift
        (D(2023, 2, 28), 12, D(2024, 2, 28)),  # not pushed to 29 Feb
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2023, 1, 31), 1, D(2023, 2, 28)),
        (D(2024, 8, 31), 6, D(2025, 2, 28)),
        (D(2023, 8, 31), 6, D(2024, 2, 29)),
        (D(2024, 12, 15), 1, D(2025, 1, 15)),  # year roll-over
        (D(2025, 3, 31), -1, D(2025, 2, 28)),  # backwards
        (D(2025, 1, 15), 0, D(2025, 1, 15)),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (D(2025, 1, 1), 12, D(2025, 12, 31)),  # a period starting with 1 Jan ends 31 Dec
        (D(2025, 9, 16), 12, D(2026, 9, 15)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),  # leap day: runs to the end of February
        (D(2024, 2, 29), 48, D(2028, 2, 28)),  # a 29 Feb again: the day before it
        (D(2023, 3, 1), 12, D(2024, 2, 29)),  # ends on the leap day
        (D(2024, 3, 1), 12, D(2025, 2, 28)),
        (D(2023, 2, 28), 12, D(2024, 2, 27)),
        (D(2025, 1, 31), 1, D(2025, 2, 28)),  # no 31 February: the end of the month
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2025, 1, 30), 1, D(2025, 2, 28)),  # 30 Jan + 1 month, less a day, is 28 Feb too
        (D(2025, 12, 15), 1, D(2026, 1, 14)),  # year roll-over
    ],
)
def test_review_period_end(start, months, expected):
    assert review_period_end(start, months) == expected


def test_review_period_end_needs_a_positive_length():
    with pytest.raises(ValueError, match="at least one month"):
        review_period_end(D(2025, 1, 1), 0)


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2024, D(2024, 3, 31)),
        (2025, D(2025, 4, 20)),
        (2026, D(2026, 4, 5)),
        (2027, D(2027, 3, 28)),
        (2038, D(2038, 4, 25)),  # latest possible
        (2008, D(2008, 3, 23)),
        (2000, D(2000, 4, 23)),
        (1818, D(1818, 3, 22)),  # earliest possible
        (2285, D(2285, 3, 22)),
    ],
)
def test_easter_sunday(year, expected):
    assert easter_sunday(year) == expected


# --------------------------------------------------------------------------- Deadline.status


DUE = D(2025, 4, 14)


@pytest.mark.parametrize(
    ("done_on", "today", "status", "days_left"),
    [
        (D(2025, 4, 10), D(2025, 5, 1), "done", -17),
        (D(2025, 4, 14), D(2025, 4, 14), "done", 0),  # on the day counts as on time
        (D(2025, 4, 15), D(2025, 4, 15), "done_late", -1),
        (None, D(2025, 4, 15), "overdue", -1),
        (None, D(2025, 4, 14), "due_soon", 0),
        (None, D(2025, 3, 31), "due_soon", 14),
        (None, D(2025, 3, 30), "upcoming", 15),
        # A date in the future is a plan (a booked meeting), not a done step.
        (D(2025, 4, 20), D(2025, 4, 1), "due_soon", 13),
        (D(2025, 4, 20), D(2025, 4, 16), "overdue", -2),
        (D(2025, 4, 20), D(2025, 4, 21), "done_late", -7),
        (D(2025, 4, 10), D(2025, 2, 1), "upcoming", 72),
    ],
)
def test_status_and_days_left(done_on, today, status, days_left):
    deadline = Deadline(
        key="decision_to_assess",
        label="LA decides whether to assess",
        due=DUE,
        rule="Request received + 6 weeks",
        source="SEND Regs 2014 reg 5(1)",
        statutory=True,
        done_on=done_on,
    )
    assert deadline.status(today) == status
    assert isinstance(deadline.status(today), DeadlineStatus)
    assert deadline.days_left(today) == days_left


# --------------------------------------------------------------------------- needs assessment


@pytest.mark.parametrize(
    ("received", "decision", "week16", "final"),
    [
        # The issue's example: received Monday 3 March 2025.
        (D(2025, 3, 3), D(2025, 4, 14), D(2025, 6, 23), D(2025, 7, 21)),
        # Received in the August holidays: calendar weeks still run.
        (D(2025, 8, 4), D(2025, 9, 15), D(2025, 11, 24), D(2025, 12, 22)),
        # Week 6 lands on 29 February of a leap year.
        (D(2024, 1, 18), D(2024, 2, 29), D(2024, 5, 9), D(2024, 6, 6)),
        # The same request a year earlier: 1 March, no leap day.
        (D(2023, 1, 18), D(2023, 3, 1), D(2023, 5, 10), D(2023, 6, 7)),
        # Received on the last day of the autumn term; crosses the new year.
        (D(2024, 12, 20), D(2025, 1, 31), D(2025, 4, 11), D(2025, 5, 9)),
    ],
)
def test_needs_assessment_statutory_weeks(received, decision, week16, final):
    got = by_key(needs_assessment_deadlines(request_received=received))
    assert got["decision_to_assess"].due == decision
    assert got["notice_not_to_issue"].due == week16
    assert got["draft_plan"].due == week16
    assert got["final_plan"].due == final
    assert got["final_plan"].rule == "Request received + 20 weeks"
    assert "reg 13(2)" in got["final_plan"].source
    assert "reg 5(1)" in got["decision_to_assess"].source
    assert got["draft_plan"].statutory is False
    assert all(d.statutory for k, d in got.items() if k != "draft_plan")
    assert all(d.done_on is None for d in got.values())


def test_needs_assessment_full_run_marks_done_and_late():
    deadlines = needs_assessment_deadlines(
        request_received=D(2025, 3, 3),
        decision_to_assess=D(2025, 4, 10),
        decided_to_assess=True,
        advice_requested=D(2025, 4, 14),
        advice_received=D(2025, 5, 30),
        draft_issued=D(2025, 6, 20),
        final_issued=D(2025, 7, 25),
    )
    assert [d.due for d in deadlines] == sorted(d.due for d in deadlines)
    got = by_key(deadlines)
    today = D(2025, 8, 1)
    assert got["decision_to_assess"].status(today) == "done"
    assert got["advice_due"].due == D(2025, 5, 26)  # LA's request + 6 weeks (reg 8)
    assert got["advice_due"].status(today) == "done_late"
    assert got["draft_plan"].status(today) == "done"
    # 15 days beginning with the day the draft was served: 20 June is day 1, 4 July day 15.
    assert got["draft_representations"].due == D(2025, 7, 4)
    assert got["draft_representations"].status(today) == "done"  # closed by the final plan
    assert got["final_plan"].status(today) == "done_late"
    # The LA is issuing a plan, so the week-16 "notice not to issue" no longer applies.
    assert "notice_not_to_issue" not in got


def test_needs_assessment_open_case_is_overdue():
    got = by_key(needs_assessment_deadlines(request_received=D(2025, 3, 3)))
    assert got["decision_to_assess"].status(D(2025, 4, 15)) == "overdue"
    assert got["final_plan"].status(D(2025, 4, 15)) == "upcoming"
    assert got["final_plan"].status(D(2025, 7, 10)) == "due_soon"


def test_needs_assessment_representations_window_from_draft():
    got = by_key(
        needs_assessment_deadlines(
            request_received=D(2025, 3, 3),
            decision_to_assess=D(2025, 4, 14),
            decided_to_assess=True,
            draft_issued=D(2025, 6, 23),
            representations_received=D(2025, 7, 1),
        )
    )
    assert got["draft_representations"].due == D(2025, 7, 7)
    assert got["draft_representations"].done_on == D(2025, 7, 1)
    assert got["decision_to_assess"].status(D(2025, 4, 14)) == "done"  # on the last day


def test_needs_assessment_stops_when_la_will_not_assess():
    deadlines = needs_assessment_deadlines(
        request_received=D(2025, 8, 4), decision_to_assess=D(2025, 9, 1), decided_to_assess=False
    )
    assert [d.key for d in deadlines] == ["decision_to_assess"]
    assert deadlines[0].status(D(2025, 9, 2)) == "done"


def test_needs_assessment_stops_when_la_will_not_issue():
    deadlines = needs_assessment_deadlines(
        request_received=D(2025, 3, 3),
        decision_to_assess=D(2025, 4, 14),
        decided_to_assess=True,
        decision_not_to_issue=D(2025, 6, 30),
    )
    assert [d.key for d in deadlines] == ["decision_to_assess", "notice_not_to_issue"]
    assert deadlines[1].status(D(2025, 7, 1)) == "done_late"  # week 16 was 23 June


def test_needs_assessment_outcome_unknown_keeps_the_whole_chain():
    got = by_key(
        needs_assessment_deadlines(request_received=D(2025, 3, 3), decision_to_assess=D(2025, 4, 1))
    )
    assert set(got) == {"decision_to_assess", "notice_not_to_issue", "draft_plan", "final_plan"}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"decision_to_assess": D(2025, 3, 1)}, "cannot be before request_received"),
        ({"decided_to_assess": True}, "date of the decision"),
        (
            {
                "decision_to_assess": D(2025, 4, 1),
                "decided_to_assess": False,
                "draft_issued": D(2025, 6, 1),
            },
            "decided not to assess",
        ),
        (
            {"decision_not_to_issue": D(2025, 6, 1), "final_issued": D(2025, 7, 1)},
            "not to issue",
        ),
        ({"draft_issued": D(2025, 7, 1), "final_issued": D(2025, 6, 1)}, "final_issued"),
        ({"advice_requested": D(2025, 5, 1), "advice_received": D(2025, 4, 20)}, "advice"),
    ],
)
def test_needs_assessment_rejects_impossible_histories(kwargs, message):
    with pytest.raises(ValueError, match=message):
        needs_assessment_deadlines(request_received=D(2025, 3, 3), **kwargs)


# --------------------------------------------------------------------------- annual review


ISSUED = "Within the 12 months starting with the day the plan was issued"
LAST = "Within the 12 months starting with the day of the last review"


@pytest.mark.parametrize(
    ("plan_issued", "last_review", "due", "rule"),
    [
        # CFA 2014 s.44(1): "the period of 12 months starting with" the date includes that
        # date, so it ends the day before the anniversary (1 Jan 2025 -> 31 Dec 2025).
        (D(2025, 1, 1), None, D(2025, 12, 31), ISSUED),
        (D(2024, 2, 29), None, D(2025, 2, 28), ISSUED),  # leap day: to the end of February
        (D(2023, 3, 1), None, D(2024, 2, 29), ISSUED),  # the period holds a 29 February
        (D(2023, 2, 28), None, D(2024, 2, 27), ISSUED),
        (D(2024, 3, 1), None, D(2025, 2, 28), ISSUED),
        (D(2022, 9, 30), D(2024, 7, 17), D(2025, 7, 16), LAST),
        # The plan was re-issued after the last review (reassessment): the clock restarts.
        (D(2025, 1, 10), D(2024, 11, 5), D(2026, 1, 9), ISSUED),
    ],
)
def test_review_due_within_12_months(plan_issued, last_review, due, rule):
    got = by_key(annual_review_deadlines(plan_issued=plan_issued, last_review=last_review))
    assert got["review_due"].due == due
    assert got["review_due"].rule.startswith(rule)
    assert got["review_due"].statutory is True
    assert "s.44" in got["review_due"].source
    assert "review_due_under_5" not in got


@pytest.mark.parametrize(
    ("dob", "under_5"),
    [
        (D(2021, 6, 1), True),  # aged 3 when the plan was issued
        (D(2020, 1, 11), True),  # turns 5 the day after
        (D(2020, 1, 10), False),  # turns 5 on the day the plan is issued
        (D(2018, 5, 5), False),
    ],
)
def test_under_fives_get_a_six_month_should_date(dob, under_5):
    got = by_key(annual_review_deadlines(plan_issued=D(2025, 1, 10), pupil_dob=dob))
    assert got["review_due"].due == D(2026, 1, 9)  # the must stays at 12 months
    if under_5:
        should = got["review_due_under_5"]
        assert should.due == D(2025, 7, 10)
        assert should.statutory is False
        assert should.source == "CoP 9.178"
        # With no meeting booked, the lead times work back from the earlier date.
        assert got["invitations"].due == D(2025, 6, 26)
    else:
        assert "review_due_under_5" not in got
        assert got["invitations"].due == D(2025, 12, 26)


def test_before_the_meeting_is_booked_lead_times_work_back_from_the_due_date():
    deadlines = annual_review_deadlines(plan_issued=D(2024, 9, 16))
    got = by_key(deadlines)
    assert set(got) == {"review_due", "advice_requested", "invitations", "advice_circulated"}
    assert got["review_due"].due == D(2025, 9, 15)  # the 12 months starting 16 Sept 2024
    assert got["invitations"].due == D(2025, 9, 1)
    assert got["advice_circulated"].due == D(2025, 9, 1)
    assert got["advice_requested"].due == D(2025, 8, 18)  # local practice: 4 weeks
    assert got["advice_requested"].statutory is False
    assert got["invitations"].rule == "Review due date - 14 days"
    assert [d.key for d in deadlines][-1] == "review_due"


@pytest.mark.parametrize(
    ("meeting", "invitations", "report", "decision", "last_day_of_term"),
    [
        # Last week of the summer term (default calendar ends Tuesday 22 July 2025): the
        # report and the LA's decision both fall in the holidays, and still count.
        (D(2025, 7, 16), D(2025, 7, 2), D(2025, 7, 30), D(2025, 8, 13), D(2025, 7, 22)),
        # Last week of the autumn term (ends Friday 19 December 2025): report on New Year's Eve.
        (D(2025, 12, 17), D(2025, 12, 3), D(2025, 12, 31), D(2026, 1, 14), D(2025, 12, 19)),
        # Last week before Easter 2025 (spring term ends Friday 11 April).
        (D(2025, 4, 9), D(2025, 3, 26), D(2025, 4, 23), D(2025, 5, 7), D(2025, 4, 11)),
    ],
)
def test_review_in_the_last_week_of_a_term(
    meeting, invitations, report, decision, last_day_of_term
):
    calendar = SchoolCalendar.combine(
        SchoolCalendar.default_for(2024), SchoolCalendar.default_for(2025)
    )
    assert calendar.is_school_day(last_day_of_term)
    assert not calendar.is_school_day(last_day_of_term + timedelta(days=1))
    got = by_key(annual_review_deadlines(plan_issued=D(2025, 1, 6), meeting=meeting))
    assert got["invitations"].due == invitations
    assert got["advice_circulated"].due == invitations
    assert got["review_report"].due == report
    assert got["la_decision"].due == decision
    assert not calendar.is_school_day(report)  # lands in the holidays: calendar weeks
    assert got["review_due"].status(meeting) == "done"


def test_amendment_route_takes_about_12_weeks_from_the_meeting():
    meeting = D(2025, 3, 5)
    got = by_key(
        annual_review_deadlines(plan_issued=D(2024, 4, 1), meeting=meeting, la_outcome="amend")
    )
    assert got["la_decision"].due == D(2025, 4, 2)  # meeting + 4 weeks
    assert got["amendment_proposals"].due == D(2025, 4, 2)  # with the decision (Devon)
    assert "Devon" in got["amendment_proposals"].source
    assert got["amendment_representations"].due == D(2025, 4, 16)
    assert got["final_amended_plan"].due == D(2025, 5, 28)  # proposals + 8 weeks
    assert got["final_amended_plan"].due - meeting == timedelta(weeks=12)


def test_late_proposals_move_the_final_plan_and_show_late():
    got = by_key(
        annual_review_deadlines(
            plan_issued=D(2024, 4, 1),
            meeting=D(2025, 3, 5),
            la_decision=D(2025, 4, 9),
            la_outcome="amend",
            amendment_proposals=D(2025, 4, 9),
            final_amended_plan=D(2025, 6, 2),
        )
    )
    today = D(2025, 6, 10)
    assert got["la_decision"].status(today) == "done_late"
    assert got["amendment_proposals"].status(today) == "done_late"
    assert got["amendment_representations"].due == D(2025, 4, 23)
    assert got["amendment_representations"].status(today) == "done"
    assert got["final_amended_plan"].due == D(2025, 6, 4)  # 8 weeks from the actual notice
    assert got["final_amended_plan"].status(today) == "done"


def test_comment_windows_close_rather_than_fall_overdue():
    """The 15 days are the family's to comment in, not a task: once a window has closed with no
    comments recorded it is "not recorded", off the deadlines page, never "overdue"."""
    draft = by_key(
        needs_assessment_deadlines(
            request_received=D(2026, 2, 18),
            decision_to_assess=D(2026, 3, 30),
            decided_to_assess=True,
            draft_issued=D(2026, 6, 12),
        )
    )["draft_representations"]
    assert draft.due == D(2026, 6, 26)  # 12 June is day 1 of 15
    assert draft.status(D(2026, 6, 26)) == "due_soon"  # the last day is still open
    assert draft.is_open(D(2026, 6, 26))
    assert draft.status(D(2026, 6, 27)) == "not_recorded"
    assert not draft.is_open(D(2026, 6, 27))

    def amendments(**sent):
        return by_key(
            annual_review_deadlines(
                plan_issued=D(2026, 7, 10),
                meeting=D(2026, 11, 18),
                la_decision=D(2026, 11, 27),
                la_outcome="amend",
                **sent,
            )
        )

    window = amendments(amendment_proposals=D(2026, 11, 27))["amendment_representations"]
    assert window.due == D(2026, 12, 11)
    assert window.status(D(2026, 11, 30)) == "due_soon"
    assert window.days_left(D(2026, 11, 30)) == 11
    assert window.status(D(2026, 12, 12)) == "not_recorded"
    # With no proposals recorded the window has not opened: the missing proposals are the
    # overdue step, and the window, counted from their due date, stays open beside them.
    unopened = amendments()
    assert unopened["amendment_proposals"].status(D(2027, 1, 5)) == "overdue"
    assert unopened["amendment_representations"].is_open(D(2027, 1, 5))


def test_amendments_over_christmas():
    got = by_key(
        annual_review_deadlines(
            plan_issued=D(2025, 1, 6), meeting=D(2025, 12, 17), la_outcome="amend"
        )
    )
    assert got["amendment_proposals"].due == D(2026, 1, 14)
    assert got["amendment_representations"].due == D(2026, 1, 28)
    assert got["final_amended_plan"].due == D(2026, 3, 11)


@pytest.mark.parametrize("outcome", ["maintain", "cease", None])
def test_no_amendment_deadlines_unless_amending(outcome):
    got = by_key(
        annual_review_deadlines(
            plan_issued=D(2024, 4, 1), meeting=D(2025, 3, 5), la_outcome=outcome
        )
    )
    assert not {"amendment_proposals", "final_amended_plan"} & set(got)
    assert got["la_decision"].due == D(2025, 4, 2)


def test_local_rules_add_stricter_should_dates_next_to_the_statutory_ones():
    profile = LaRuleProfile(
        report_to_la_days=10, invitation_lead_days=21, advice_circulation_lead_days=15, name="Kent"
    )
    got = by_key(
        annual_review_deadlines(
            plan_issued=D(2024, 4, 1),
            meeting=D(2025, 3, 5),
            profile=profile,
            invitations_sent=D(2025, 2, 17),
            report_sent=D(2025, 3, 17),
        )
    )
    today = D(2025, 3, 20)
    assert got["review_report"].due == D(2025, 3, 19)
    assert got["review_report"].statutory is True
    assert got["review_report"].status(today) == "done"
    assert got["review_report_la"].due == D(2025, 3, 15)
    assert got["review_report_la"].statutory is False
    assert got["review_report_la"].status(today) == "done_late"
    assert got["review_report_la"].source.startswith("Kent local rule")
    assert got["invitations"].due == D(2025, 2, 19)
    assert got["invitations"].status(today) == "done"
    assert got["invitations_la"].due == D(2025, 2, 12)
    assert got["invitations_la"].status(today) == "done_late"
    assert got["advice_circulated_la"].due == D(2025, 2, 18)


def test_statutory_profile_adds_no_duplicate_local_dates():
    got = by_key(annual_review_deadlines(plan_issued=D(2024, 4, 1), meeting=D(2025, 3, 5)))
    assert not [key for key in got if key.endswith("_la")]
    assert got["review_report"].due == D(2025, 3, 19)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"meeting": D(2024, 3, 1)}, "must come after"),
        ({"last_review": D(2025, 3, 5), "meeting": D(2025, 3, 5)}, "previous review"),
        ({"report_sent": D(2025, 3, 10)}, "Record the meeting date"),
        ({"meeting": D(2025, 3, 5), "report_sent": D(2025, 3, 4)}, "report_sent"),
        ({"meeting": D(2025, 3, 5), "la_outcome": "defer"}, "maintain, amend or cease"),
        (
            {"meeting": D(2025, 3, 5), "la_outcome": "cease", "amendment_proposals": D(2025, 4, 1)},
            "no amendments",
        ),
        ({"pupil_dob": D(2024, 6, 1)}, "date of birth"),
    ],
)
def test_annual_review_rejects_impossible_histories(kwargs, message):
    with pytest.raises(ValueError, match=message):
        annual_review_deadlines(plan_issued=D(2024, 4, 1), **kwargs)


# --------------------------------------------------------------------------- LA rule profiles


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"report_to_la_days": 7},
        {"report_to_la_days": 10},
        {"report_to_la_days": 1},
        {"invitation_lead_days": 21},
        {"advice_circulation_lead_days": 21, "advice_request_lead_days": 42},
        {"advice_request_lead_days": 15},
    ],
)
def test_valid_profiles(kwargs):
    LaRuleProfile(**kwargs)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"report_to_la_days": 21}, "sooner, not later"),  # looser than 2 weeks
        ({"report_to_la_days": 15}, "sooner, not later"),
        ({"report_to_la_days": 0}, "between 1 and 14"),
        ({"invitation_lead_days": 13}, "more notice, not less"),
        ({"invitation_lead_days": 7}, "more notice, not less"),
        ({"invitation_lead_days": 140}, "between 14 and 84"),  # a typing slip
        ({"advice_circulation_lead_days": 10}, "earlier, not later"),
        ({"advice_request_lead_days": 14}, "asked for before it can be circulated"),
        ({"advice_circulation_lead_days": 28}, "asked for before it can be circulated"),
        ({"report_to_la_days": "7"}, "whole number"),
        ({"report_to_la_days": 7.0}, "whole number"),
        ({"invitation_lead_days": True}, "whole number"),
    ],
)
def test_invalid_profiles_are_rejected_with_a_reason(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LaRuleProfile(**kwargs)


# --------------------------------------------------------------------------- phase transfer


@pytest.mark.parametrize(
    ("year", "post16", "due", "para"),
    [
        (2026, False, D(2026, 2, 14), "reg 18(1)(b)"),  # before 15 February
        (2026, True, D(2026, 3, 30), "reg 18(1)(a)"),  # before 31 March
        (2028, False, D(2028, 2, 14), "reg 18(1)(b)"),  # leap year makes no difference
    ],
)
def test_phase_transfer_deadline(year, post16, due, para):
    deadline = phase_transfer_deadline(transfer_year=year, post16=post16)
    assert deadline.due == due
    assert deadline.statutory is True
    assert deadline.source.endswith(para)
    assert deadline.rule.startswith("Before 31 March" if post16 else "Before 15 February")


@pytest.mark.parametrize(
    ("year", "post16", "with_calendar", "expected"),
    [
        # 14 Feb 2025 - 12 weeks = Friday 22 November 2024: the autumn term before.
        (2025, False, False, D(2024, 11, 22)),
        (2025, False, True, D(2024, 11, 22)),
        # 14 Feb 2026 - 12 weeks = Saturday 22 November 2025: back to Friday 21st.
        (2026, False, False, D(2025, 11, 21)),
        # 30 Mar 2025 - 12 weeks = Sunday 5 January 2025: Friday 3 Jan is a weekday, but with
        # a calendar it is still the Christmas holiday, so the last school day is 20 Dec 2024.
        (2025, True, False, D(2025, 1, 3)),
        (2025, True, True, D(2024, 12, 20)),
    ],
)
def test_phase_transfer_review_by(year, post16, with_calendar, expected):
    calendar = SchoolCalendar.default_for(year - 1) if with_calendar else None
    deadline = phase_transfer_review_by(transfer_year=year, post16=post16, calendar=calendar)
    assert deadline.due == expected
    assert deadline.statutory is False
    assert deadline.key == "phase_transfer_review_meeting"
    final_by = phase_transfer_deadline(transfer_year=year, post16=post16).due
    assert deadline.due + timedelta(weeks=12) <= final_by


# --------------------------------------------------------------------------- school calendar


def test_default_calendar_2025_26():
    cal = SchoolCalendar.default_for(2025)
    assert cal.first_day == D(2025, 9, 1)
    assert cal.last_day == D(2026, 7, 22)
    closed = [
        D(2025, 8, 29),  # summer holiday
        D(2025, 10, 27),  # October half term
        D(2025, 10, 31),
        D(2025, 12, 22),  # Christmas
        D(2026, 1, 2),
        D(2026, 2, 16),  # February half term
        D(2026, 4, 3),  # Good Friday
        D(2026, 4, 6),  # Easter Monday
        D(2026, 5, 4),  # early May bank holiday
        D(2026, 5, 25),  # spring bank holiday, half term
        D(2026, 7, 23),
    ]
    open_ = [
        D(2025, 9, 1),
        D(2025, 10, 24),
        D(2025, 11, 3),
        D(2025, 12, 19),
        D(2026, 1, 5),
        D(2026, 2, 23),
        D(2026, 3, 27),
        D(2026, 4, 13),
        D(2026, 5, 5),
        D(2026, 6, 1),
        D(2026, 7, 22),
    ]
    assert [d for d in closed if cal.is_school_day(d)] == []
    assert [d for d in open_ if not cal.is_school_day(d)] == []
    assert not cal.is_school_day(D(2025, 9, 6))  # Saturday in term


@pytest.mark.parametrize("year", [2019, 2023, 2024, 2025, 2037, 2042])
def test_default_calendar_has_a_normal_number_of_days(year):
    cal = SchoolCalendar.default_for(year)
    # 190 pupil days + about 5 INSET days (not modelled) in a maintained school.
    assert 190 <= school_days_in(cal, cal.first_day - timedelta(days=1), cal.last_day) <= 200
    easter = easter_sunday(year + 1)
    assert not cal.is_school_day(easter - timedelta(days=2))  # Good Friday
    assert not cal.is_school_day(easter + timedelta(days=1))  # Easter Monday


def test_custom_calendar_with_closures():
    cal = SchoolCalendar(
        terms=[(D(2025, 2, 24), D(2025, 4, 4)), (D(2025, 1, 6), D(2025, 2, 14))],
        closures={D(2025, 1, 6)},  # INSET
    )
    assert cal.terms[0] == (D(2025, 1, 6), D(2025, 2, 14))  # sorted
    assert not cal.is_school_day(D(2025, 1, 6))
    assert cal.is_school_day(D(2025, 1, 7))
    assert cal.add_school_days(D(2025, 1, 3), 1) == D(2025, 1, 7)
    assert cal.add_school_days(D(2025, 2, 13), 2) == D(2025, 2, 24)  # over half term
    assert cal.add_school_days(D(2025, 2, 13), 0) == D(2025, 2, 13)
    assert cal.school_day_on_or_before(D(2025, 2, 20)) == D(2025, 2, 14)
    with pytest.raises(ValueError, match="ends on 4 April 2025"):
        cal.add_school_days(D(2025, 4, 1), 5)
    with pytest.raises(ValueError, match="forwards"):
        cal.add_school_days(D(2025, 2, 1), -1)
    with pytest.raises(ValueError, match="cannot end"):
        SchoolCalendar(terms=[(D(2025, 4, 4), D(2025, 2, 24))])
    with pytest.raises(ValueError, match="at least one term"):
        SchoolCalendar(terms=[])


TWO_YEARS = SchoolCalendar.combine(
    SchoolCalendar.default_for(2025), SchoolCalendar.default_for(2026)
)
INSET_AFTER_HALF_TERM = SchoolCalendar(
    terms=TWO_YEARS.terms, closures=TWO_YEARS.closures | {D(2025, 11, 3)}
)


@pytest.mark.parametrize(
    ("left_on", "calendar", "due"),
    [
        # Left Friday 12 Dec: 5 days to the end of term, Christmas, spring term from 5 Jan.
        (D(2025, 12, 12), TWO_YEARS, D(2026, 1, 16)),
        # Left Friday 17 Oct: October half term (27-31 Oct) is skipped.
        (D(2025, 10, 17), TWO_YEARS, D(2025, 11, 14)),
        # ...and an INSET day on the Monday after half term pushes it a day.
        (D(2025, 10, 17), INSET_AFTER_HALF_TERM, D(2025, 11, 17)),
        # Left on the last day before February half term.
        (D(2026, 2, 13), TWO_YEARS, D(2026, 3, 13)),
        # Across the Easter holidays (30 Mar - 10 Apr 2026).
        (D(2026, 3, 20), TWO_YEARS, D(2026, 4, 24)),
        # Across the early May bank holiday (4 May 2026).
        (D(2026, 4, 24), TWO_YEARS, D(2026, 5, 18)),
        # Taken off roll in the summer holidays: counting starts with the new school year.
        (D(2026, 7, 27), TWO_YEARS, D(2026, 9, 21)),
        # Left on a Wednesday mid-term: three weeks exactly.
        (D(2025, 9, 17), TWO_YEARS, D(2025, 10, 8)),
    ],
)
def test_records_transfer_within_15_school_days(left_on, calendar, due):
    deadline = records_transfer_deadline(left_on=left_on, calendar=calendar)
    assert deadline.due == due
    assert calendar.is_school_day(due)
    assert school_days_in(calendar, left_on, due) == 15
    assert deadline.statutory is True
    assert "Pupil Information" in deadline.source
    assert "reg 9" in deadline.source


def test_records_transfer_done_and_calendar_too_short():
    deadline = records_transfer_deadline(
        left_on=D(2025, 12, 12), calendar=TWO_YEARS, sent_on=D(2025, 12, 15)
    )
    assert deadline.status(D(2026, 1, 5)) == "done"
    with pytest.raises(ValueError, match="add the next term dates"):
        records_transfer_deadline(left_on=D(2026, 7, 20), calendar=SchoolCalendar.default_for(2025))


# --------------------------------------------------------------------------- properties

# No example database: the suite leaves no .hypothesis folder behind.
SETTINGS = settings(database=None, deadline=None)
DATES = st.dates(min_value=D(2000, 1, 1), max_value=D(2098, 12, 31))


@SETTINGS
@given(d=DATES, months=st.integers(min_value=-240, max_value=240))
def test_property_add_months(d, months):
    result = add_months(d, months)
    assert (result.year * 12 + result.month) - (d.year * 12 + d.month) == months
    assert result.day == d.day or (result.day < d.day and (result + timedelta(days=1)).day == 1)
    if months == 12:
        assert (result - d).days in (365, 366)


@SETTINGS
@given(year=st.integers(min_value=1583, max_value=4099))
def test_property_easter_is_a_sunday_in_the_window(year):
    easter = easter_sunday(year)
    assert easter.weekday() == 6
    assert D(year, 3, 22) <= easter <= D(year, 4, 25)


@SETTINGS
@given(
    year=st.integers(min_value=2000, max_value=2097),
    offset=st.integers(min_value=-30, max_value=365),
    n=st.integers(min_value=1, max_value=60),
)
def test_property_add_school_days_lands_on_a_school_day(year, offset, n):
    calendar = SchoolCalendar.combine(
        SchoolCalendar.default_for(year), SchoolCalendar.default_for(year + 1)
    )
    start = D(year, 9, 1) + timedelta(days=offset)
    result = calendar.add_school_days(start, n)
    assert result > start
    assert calendar.is_school_day(result)
    assert school_days_in(calendar, start, result) == n
    assert calendar.school_day_on_or_before(result) == result


@st.composite
def ehc_histories(draw):
    received = draw(DATES)

    def later(after, *, weeks=30):
        return draw(st.one_of(st.none(), st.dates(after, after + timedelta(weeks=weeks))))

    decision = later(received)
    decided = None if decision is None else draw(st.one_of(st.none(), st.booleans()))
    kwargs = {"decision_to_assess": decision, "decided_to_assess": decided}
    if decided is not False:
        requested = later(received)
        kwargs["advice_requested"] = requested
        kwargs["advice_received"] = requested and later(requested)
        if draw(st.booleans()):
            kwargs["decision_not_to_issue"] = later(received)
        else:
            draft = later(received)
            kwargs["draft_issued"] = draft
            kwargs["final_issued"] = later(draft or received)
    return received, kwargs


@SETTINGS
@given(history=ehc_histories())
def test_property_needs_assessment_dates_follow_the_request(history):
    received, kwargs = history
    deadlines = needs_assessment_deadlines(request_received=received, **kwargs)
    assert all(d.due > received for d in deadlines)
    assert [d.due for d in deadlines] == sorted(d.due for d in deadlines)
    assert all(d.label and d.rule and d.source for d in deadlines)
    by_key(deadlines)  # keys are unique
    if kwargs.get("draft_issued"):
        got = by_key(deadlines)
        assert got["draft_representations"].due == kwargs["draft_issued"] + timedelta(days=14)


@st.composite
def profiles(draw):
    circulation = draw(st.integers(min_value=14, max_value=60))
    return LaRuleProfile(
        report_to_la_days=draw(st.integers(min_value=1, max_value=14)),
        invitation_lead_days=draw(st.integers(min_value=14, max_value=84)),
        advice_circulation_lead_days=circulation,
        advice_request_lead_days=draw(st.integers(min_value=circulation + 1, max_value=84)),
    )


PRE_MEETING = {"advice_requested", "invitations", "invitations_la", "advice_circulated"}
PRE_MEETING |= {"advice_circulated_la"}


@SETTINGS
@given(d=DATES)
def test_property_review_period_is_a_whole_year_ending_the_day_before_the_anniversary(d):
    end = review_period_end(d, 12)
    assert (end - d).days + 1 in (365, 366)  # 366 when the period holds a 29 February
    after = end + timedelta(days=1)  # the first day of the next period
    assert (after.month, after.day) == ((d.month, d.day) if (d.month, d.day) != (2, 29) else (3, 1))
    assert after.year == d.year + 1


@SETTINGS
@given(
    plan_issued=DATES,
    meeting_after=st.one_of(st.none(), st.integers(min_value=1, max_value=400)),
    age_days=st.one_of(st.none(), st.integers(min_value=0, max_value=20 * 366)),
    profile=profiles(),
    outcome=st.sampled_from([None, "maintain", "amend", "cease"]),
)
def test_property_annual_review_dates_fall_on_the_right_side_of_their_trigger(
    plan_issued, meeting_after, age_days, profile, outcome
):
    meeting = None if meeting_after is None else plan_issued + timedelta(days=meeting_after)
    dob = None if age_days is None else plan_issued - timedelta(days=age_days)
    deadlines = annual_review_deadlines(
        plan_issued=plan_issued,
        meeting=meeting,
        pupil_dob=dob,
        profile=profile,
        la_outcome=outcome if meeting else None,
    )
    got = by_key(deadlines)
    assert [d.due for d in deadlines] == sorted(d.due for d in deadlines)
    assert got["review_due"].due > plan_issued
    anchor = meeting or min(d.due for k, d in got.items() if k.startswith("review_due"))
    for key, deadline in got.items():
        if key in PRE_MEETING:
            assert deadline.due < anchor
        elif not key.startswith("review_due"):
            assert meeting is not None and deadline.due > meeting
        if key.endswith("_la"):
            # A local rule is never looser than the statutory one beside it.
            assert deadline.statutory is False
            assert deadline.due <= got[key.removesuffix("_la")].due


def test_steps_before_a_held_meeting_are_not_recorded_rather_than_overdue():
    """Once the meeting has been held, an unrecorded invitation date is a gap in the record to
    fill in, not a task that is "overdue by 70 days"; before the meeting it is overdue."""
    profile = LaRuleProfile(advice_request_lead_days=35, name="Bristol")
    got = by_key(
        annual_review_deadlines(
            plan_issued=D(2025, 4, 24),
            meeting=D(2026, 3, 2),
            advice_circulated=D(2026, 2, 13),
            profile=profile,
        )
    )
    after = D(2026, 5, 11)
    assert got["advice_requested"].due == D(2026, 1, 26)  # meeting - 35 days
    assert got["advice_requested"].status(after) == DeadlineStatus.NOT_RECORDED
    assert got["invitations"].status(after) == "not_recorded"
    assert not got["invitations"].is_open(after)
    assert got["advice_circulated"].status(after) == "done"  # recorded steps keep their status
    assert got["la_decision"].is_open(after) and got["la_decision"].status(after) == "overdue"
    # The day before the meeting the invitations are still a task, and overdue.
    assert got["invitations"].status(D(2026, 3, 1)) == "overdue"
    assert got["invitations"].is_open(D(2026, 3, 1))
    # A meeting booked ahead does not close anything yet.
    booked = by_key(annual_review_deadlines(plan_issued=D(2025, 4, 24), meeting=D(2026, 3, 2)))
    assert booked["invitations"].status(D(2026, 2, 20)) == "overdue"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        # The steps before the meeting cannot come after it.
        ({"meeting": D(2025, 3, 5), "invitations_sent": D(2025, 3, 6)}, "invitations_sent"),
        ({"meeting": D(2025, 3, 5), "advice_requested": D(2025, 3, 9)}, "after the meeting"),
        ({"meeting": D(2025, 3, 5), "advice_circulated": D(2025, 3, 6)}, "advice_circulated"),
        # Advice is circulated after it was asked for.
        (
            {
                "meeting": None,
                "advice_requested": D(2025, 2, 10),
                "advice_circulated": D(2025, 2, 3),
            },
            "advice_circulated .* cannot be before advice_requested",
        ),
    ],
)
def test_review_preparation_out_of_order_is_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        engine.check_review_preparation(**kwargs)


def test_review_preparation_in_order_passes_and_old_records_still_compute():
    engine.check_review_preparation(
        meeting=D(2025, 3, 5),
        advice_requested=D(2025, 2, 3),
        invitations_sent=D(2025, 2, 19),
        advice_circulated=D(2025, 2, 19),
    )
    # A record saved before the check existed still gets its deadlines (no crash on a page).
    got = by_key(
        annual_review_deadlines(
            plan_issued=D(2024, 4, 1), meeting=D(2025, 3, 5), invitations_sent=D(2025, 3, 7)
        )
    )
    assert got["invitations"].status(D(2025, 4, 1)) == "done_late"
