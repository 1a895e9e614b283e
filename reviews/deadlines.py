"""The statutory deadline engine: pure date arithmetic, no database, no Django.

Give it the dates of the events so far (and, for annual reviews, the LA's local rules) and it
returns every date that follows as a `Deadline`: named, with the rule that produced it, the
paragraph it comes from, and whether it is a legal duty ("must") or a local or good-practice
target ("should"). Every list comes back sorted by due date.

Conventions (see DOMAIN.md sections 3, 6.1 and 10.1):
- Weeks and days in the SEND Regulations are calendar weeks and days: school holidays do not
  stop the clock. Only the 15 *school* days for sending records use a `SchoolCalendar`.
- "Within N weeks of X" is X + N weeks. "At least 15 days, beginning with the day on which the
  draft was served" counts the day of service as day 1, so the window closes on served + 14.
  Likewise "the period of 12 months starting with" a date ends the day before its
  anniversary (`review_period_end`).
- The exceptions that let an LA miss a time limit (SEND Regs reg 5(4), 8(2), 10(4), 13(3)) are
  not applied here: record the reason next to the late date instead.

Abbreviations: "SEND Regs 2014" = SI 2014/1530; "CFA 2014" = Children and Families Act 2014
Part 3; "CoP" = SEND Code of Practice 0-25 (2015).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Literal

__all__ = [
    "DUE_SOON_DAYS",
    "Deadline",
    "DeadlineStatus",
    "LaOutcome",
    "LaRuleProfile",
    "SchoolCalendar",
    "add_months",
    "annual_review_deadlines",
    "check_review_preparation",
    "easter_sunday",
    "needs_assessment_deadlines",
    "phase_transfer_deadline",
    "phase_transfer_review_by",
    "records_transfer_deadline",
    "review_period_end",
]

DUE_SOON_DAYS = 14
"""A deadline that is not done and falls due within this many days is "due soon"."""

# Statutory limits a local rule may tighten but never relax.
STATUTORY_REPORT_DAYS = 14  # review report within 2 weeks of the meeting, reg 20(7)
STATUTORY_NOTICE_DAYS = 14  # at least 2 weeks' notice of the meeting, reg 20(3)
STATUTORY_CIRCULATION_DAYS = 14  # advice circulated at least 2 weeks before, reg 20(4)
MAX_LEAD_DAYS = 84  # 12 weeks: a longer lead time is almost certainly a typing slip

REGS = "SEND Regs 2014"
LaOutcome = Literal["maintain", "amend", "cease"]
_LA_OUTCOMES = frozenset({"maintain", "amend", "cease"})


# --------------------------------------------------------------------------- small helpers


def _fmt(d: date) -> str:
    """1 September 2025 (portable, no %-d)."""
    return f"{d.day} {d:%B %Y}"


def _weeks(n: int) -> timedelta:
    return timedelta(weeks=n)


def _days(n: int) -> timedelta:
    return timedelta(days=n)


def add_months(d: date, months: int) -> date:
    """`d` plus a whole number of calendar months, clamped to the end of a short month.

    29 Feb 2024 + 12 months is 28 Feb 2025; 31 Aug + 6 months is 28 (or 29) Feb.
    """
    index = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(index, 12)
    month = month0 + 1
    next_month_first = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    last_day = (next_month_first - _days(1)).day
    return date(year, month, min(d.day, last_day))


def review_period_end(start: date, months: int = 12) -> date:
    """Last day of "the period of `months` months starting with" `start`.

    CFA 2014 s.44(1): a plan must be reviewed "in the period of 12 months starting with the
    date on which the plan was first made" and then "in each subsequent period of 12 months
    starting with the date on which the plan was last reviewed". A period starting with (so
    including) 1 January 2025 ends on 31 December 2025: the day before the same date
    `months` later. Where that month has no such day the period runs to the end of the month,
    so 29 Feb 2024 gives 28 Feb 2025 and 31 Jan + 1 month gives the last day of February;
    1 Mar 2023 gives 29 Feb 2024.
    """
    if months < 1:
        raise ValueError(f"A period runs for at least one month, not {months}.")
    same_date = add_months(start, months)
    if same_date.day != start.day:  # no such day that month: clamped to its last day
        return same_date
    return same_date - _days(1)


def easter_sunday(year: int) -> date:
    """Easter Sunday in the Gregorian calendar (anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _require_not_before(later: date | None, earlier: date, what: str, anchor: str) -> None:
    if later is not None and later < earlier:
        raise ValueError(f"{what} ({_fmt(later)}) cannot be before {anchor} ({_fmt(earlier)}).")


def _sorted(deadlines: Iterable[Deadline]) -> list[Deadline]:
    # sorted() is stable, so deadlines due on the same day keep the order of the process.
    return sorted(deadlines, key=lambda item: item.due)


# --------------------------------------------------------------------------- Deadline


class DeadlineStatus(StrEnum):
    """Where a deadline stands on a given day. Compares equal to its plain string value."""

    DONE = "done"
    DONE_LATE = "done_late"
    NOT_RECORDED = "not_recorded"
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    UPCOMING = "upcoming"


@dataclass(frozen=True)
class Deadline:
    """One dated step: what is due, by when, under which rule, and when it actually happened.

    `statutory` is True for a legal duty ("must") and False for a local or good-practice
    target ("should"). `done_on` is the date the step happened; a date later than the day
    asked about in `status()` is treated as planned, not yet done (e.g. a booked meeting).
    `closes_on` is the day after which the step can no longer be taken (the review meeting,
    for the steps before it): from then on a step with no date is "not recorded", a gap in
    the record to fill in, not an overdue task.
    """

    key: str
    label: str
    due: date
    rule: str
    source: str
    statutory: bool
    done_on: date | None = None
    closes_on: date | None = None

    def days_left(self, today: date) -> int:
        """Days from `today` to the due date; negative once it has passed."""
        return (self.due - today).days

    def is_done(self, today: date) -> bool:
        """True if the step has happened on or before `today`."""
        return self.done_on is not None and self.done_on <= today

    def is_open(self, today: date) -> bool:
        """True while the step still needs doing: not done, and not past the point (e.g. the
        meeting) after which it could no longer be done."""
        return not self.is_done(today) and not (
            self.closes_on is not None and self.closes_on <= today
        )

    def status(self, today: date) -> DeadlineStatus:
        """done / done_late once it has happened; not_recorded once it can no longer happen;
        otherwise overdue, due_soon or upcoming."""
        if self.done_on is not None and self.done_on <= today:
            return DeadlineStatus.DONE if self.done_on <= self.due else DeadlineStatus.DONE_LATE
        if self.closes_on is not None and self.closes_on <= today:
            return DeadlineStatus.NOT_RECORDED
        left = self.days_left(today)
        if left < 0:
            return DeadlineStatus.OVERDUE
        if left <= DUE_SOON_DAYS:
            return DeadlineStatus.DUE_SOON
        return DeadlineStatus.UPCOMING


# --------------------------------------------------------------------------- LA rule profile


@dataclass(frozen=True)
class LaRuleProfile:
    """An LA's local rules for annual reviews, which the SENCO can edit.

    A local rule may be stricter than the statute but never looser; `ValueError` says why.
    - report_to_la_days: review report to the LA within this many days of the meeting
      (statutory maximum 14, reg 20(7); some LAs ask for 7 or 10).
    - invitation_lead_days: invitations at least this many days before the meeting
      (statutory minimum 14, reg 20(3)).
    - advice_request_lead_days: ask for written advice this many days before the meeting
      (local practice, about 4 weeks; must leave time before circulation).
    - advice_circulation_lead_days: circulate the advice at least this many days before
      the meeting (statutory minimum 14, reg 20(4)).
    """

    report_to_la_days: int = STATUTORY_REPORT_DAYS
    invitation_lead_days: int = STATUTORY_NOTICE_DAYS
    advice_request_lead_days: int = 28
    advice_circulation_lead_days: int = STATUTORY_CIRCULATION_DAYS
    name: str = ""

    def __post_init__(self) -> None:
        for name in (
            "report_to_la_days",
            "invitation_lead_days",
            "advice_request_lead_days",
            "advice_circulation_lead_days",
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f"{name} must be a whole number of days, not {value!r}.")
        if not 1 <= self.report_to_la_days <= STATUTORY_REPORT_DAYS:
            raise ValueError(
                "The review report must reach the LA within 2 weeks of the meeting "
                "(SEND Regs 2014 reg 20(7)). An LA can ask for it sooner, not later: "
                f"report_to_la_days must be between 1 and 14, not {self.report_to_la_days}."
            )
        if not STATUTORY_NOTICE_DAYS <= self.invitation_lead_days <= MAX_LEAD_DAYS:
            raise ValueError(
                "Invitations need at least 2 weeks' notice of the meeting "
                "(SEND Regs 2014 reg 20(3)). An LA can ask for more notice, not less: "
                f"invitation_lead_days must be between 14 and {MAX_LEAD_DAYS}, "
                f"not {self.invitation_lead_days}."
            )
        if not STATUTORY_CIRCULATION_DAYS <= self.advice_circulation_lead_days <= MAX_LEAD_DAYS:
            raise ValueError(
                "Advice must be circulated at least 2 weeks before the meeting "
                "(SEND Regs 2014 reg 20(4)). An LA can ask for it earlier, not later: "
                f"advice_circulation_lead_days must be between 14 and {MAX_LEAD_DAYS}, "
                f"not {self.advice_circulation_lead_days}."
            )
        if not (self.advice_circulation_lead_days < self.advice_request_lead_days <= MAX_LEAD_DAYS):
            raise ValueError(
                "Advice has to be asked for before it can be circulated: "
                f"advice_request_lead_days must be more than advice_circulation_lead_days "
                f"({self.advice_circulation_lead_days}) and at most {MAX_LEAD_DAYS}, "
                f"not {self.advice_request_lead_days}."
            )

    @property
    def source(self) -> str:
        """How local deadlines built from this profile name their source."""
        return f"{self.name} local rule" if self.name else "LA local rule"


# --------------------------------------------------------------------------- EHC needs assessment


def needs_assessment_deadlines(
    *,
    request_received: date,
    decision_to_assess: date | None = None,
    decided_to_assess: bool | None = None,
    advice_requested: date | None = None,
    advice_received: date | None = None,
    draft_issued: date | None = None,
    representations_received: date | None = None,
    final_issued: date | None = None,
    decision_not_to_issue: date | None = None,
) -> list[Deadline]:
    """Deadlines of an EHC needs assessment, counted in calendar weeks from the request.

    Week 6: decision whether to assess (SEND Regs 2014 reg 5(1); CoP 9.14). Advice within 6
    weeks of the LA asking (reg 8). Week 16: notice if the LA will not issue a plan
    (reg 10(1)). Draft: at least 15 days for representations (reg 13(1)). Week 20: final plan
    (reg 13(2)). The chain stops after a decision not to assess or not to issue.
    `decision_to_assess` is the date of the week-6 decision whatever it was;
    `decided_to_assess` its outcome (None while unknown).
    """
    start = request_received
    named = {
        "decision_to_assess": decision_to_assess,
        "advice_requested": advice_requested,
        "advice_received": advice_received,
        "draft_issued": draft_issued,
        "representations_received": representations_received,
        "final_issued": final_issued,
        "decision_not_to_issue": decision_not_to_issue,
    }
    for what, when in named.items():
        _require_not_before(when, start, what, "request_received")
    _require_not_before(
        advice_received, advice_requested or start, "advice_received", "advice_requested"
    )
    _require_not_before(final_issued, draft_issued or start, "final_issued", "draft_issued")
    if decided_to_assess is not None and decision_to_assess is None:
        raise ValueError("Give the date of the decision whether to assess (decision_to_assess).")
    if decided_to_assess is False and any(
        (advice_requested, draft_issued, final_issued, decision_not_to_issue)
    ):
        raise ValueError(
            "The LA decided not to assess, so there can be no advice requests, draft, "
            "final plan or decision not to issue."
        )
    if decision_not_to_issue is not None and (draft_issued or final_issued):
        raise ValueError(
            "The LA cannot both decide not to issue a plan and issue a draft or final plan; "
            "check decision_not_to_issue."
        )

    out = [
        Deadline(
            key="decision_to_assess",
            label="LA tells the family whether it will carry out an EHC needs assessment",
            due=start + _weeks(6),
            rule="Request received + 6 weeks",
            source=f"{REGS} reg 5(1); CFA 2014 s.36; CoP 9.14",
            statutory=True,
            done_on=decision_to_assess,
        )
    ]
    if decided_to_assess is False:
        return out

    if advice_requested is not None:
        out.append(
            Deadline(
                key="advice_due",
                label="Advice for the assessment returned to the LA",
                due=advice_requested + _weeks(6),
                rule="LA's request for advice + 6 weeks",
                source=f"{REGS} reg 8",
                statutory=True,
                done_on=advice_received,
            )
        )

    week16 = start + _weeks(16)
    if decision_not_to_issue is not None or (draft_issued is None and final_issued is None):
        # Only relevant while a "no" is still possible: once a draft is out, the LA is issuing.
        out.append(
            Deadline(
                key="notice_not_to_issue",
                label="If the LA will not issue a plan, it tells the family by week 16",
                due=week16,
                rule="Request received + 16 weeks",
                source=f"{REGS} reg 10(1)",
                statutory=True,
                done_on=decision_not_to_issue,
            )
        )
    if decision_not_to_issue is not None:
        return _sorted(out)

    out.append(
        Deadline(
            key="draft_plan",
            label="Draft EHC plan sent to the family",
            due=week16,
            rule="Request received + 16 weeks (no statutory week; leaves room for the "
            "15-day comment window before week 20)",
            source=f"Practice timeline; fits {REGS} reg 13(1)-(2) inside 20 weeks",
            statutory=False,
            done_on=draft_issued,
        )
    )
    if draft_issued is not None:
        window_closes = draft_issued + _days(14)
        if representations_received is None and final_issued is not None:
            # The window is over once the final plan is out.
            representations_received = min(final_issued, window_closes)
        out.append(
            Deadline(
                key="draft_representations",
                label="Family's comments on the draft plan and choice of school (15 days)",
                due=window_closes,
                rule="Draft sent + 15 days, counting the day it was served",
                source=f"{REGS} reg 13(1)(a)",
                statutory=True,
                done_on=representations_received,
                # The family's window, not anyone's task: once it has closed with no comments
                # recorded it is a gap in the record, not an overdue duty.
                closes_on=window_closes + _days(1),
            )
        )
    out.append(
        Deadline(
            key="final_plan",
            label="Final EHC plan issued",
            due=start + _weeks(20),
            rule="Request received + 20 weeks",
            source=f"{REGS} reg 13(2)",
            statutory=True,
            done_on=final_issued,
        )
    )
    return _sorted(out)


# --------------------------------------------------------------------------- annual review


def annual_review_deadlines(
    *,
    plan_issued: date,
    last_review: date | None = None,
    meeting: date | None = None,
    pupil_dob: date | None = None,
    profile: LaRuleProfile = LaRuleProfile(),  # noqa: B008 - frozen, so safe to share
    invitations_sent: date | None = None,
    advice_requested: date | None = None,
    advice_circulated: date | None = None,
    report_sent: date | None = None,
    la_decision: date | None = None,
    la_outcome: LaOutcome | None = None,
    amendment_proposals: date | None = None,
    representations_received: date | None = None,
    final_amended_plan: date | None = None,
) -> list[Deadline]:
    """Deadlines of one annual review cycle of an EHC plan.

    Review in the 12 months starting with the day the plan was issued or of the previous
    review, so by the day before its anniversary (CFA 2014 s.44(1); CoP 9.166),
    every 6 months as good practice for under-5s (CoP 9.178). Before the meeting: advice asked
    for (local lead), invitations (reg 20(3)) and advice circulated (reg 20(4)) at least 2
    weeks ahead; local rules from `profile` are added where stricter. After the meeting
    (only once `meeting` is known): report within 2 weeks (reg 20(7)-(8)), LA decision within
    4 weeks (reg 20(10)); if amending, proposals with the decision (R (L) v Devon CC [2022]
    EWHC 493 (Admin)), 15 days for representations and the final plan within 8 weeks of the
    proposals (reg 22). `last_review` is the meeting of the previous cycle; for the next
    cycle call again with last_review=meeting.
    """
    if la_outcome is not None and la_outcome not in _LA_OUTCOMES:
        raise ValueError(f"la_outcome must be maintain, amend or cease, not {la_outcome!r}.")
    if pupil_dob is not None:
        _require_not_before(plan_issued, pupil_dob, "plan_issued", "the pupil's date of birth")
    base = max(plan_issued, last_review) if last_review else plan_issued
    base_name = "Last review" if base != plan_issued else "Plan issued"
    if meeting is not None and meeting <= base:
        # (For callers: the previous cycle's meeting goes in last_review, this one's in meeting.)
        raise ValueError(
            f"The meeting ({_fmt(meeting)}) must come after the "
            f"{'previous review' if base != plan_issued else 'plan was issued'} ({_fmt(base)})."
        )
    after_meeting = {
        "report_sent": report_sent,
        "la_decision": la_decision,
        "amendment_proposals": amendment_proposals,
        "representations_received": representations_received,
        "final_amended_plan": final_amended_plan,
    }
    if meeting is None:
        given = [what for what, when in after_meeting.items() if when is not None]
        if given:
            raise ValueError(f"Record the meeting date before {', '.join(given)}.")
    else:
        for what, when in after_meeting.items():
            _require_not_before(when, meeting, what, "the meeting")
    if amendment_proposals is not None:
        _require_not_before(
            final_amended_plan, amendment_proposals, "final_amended_plan", "amendment_proposals"
        )
    amending = la_outcome == "amend" or any(
        (amendment_proposals, representations_received, final_amended_plan)
    )
    if amending and la_outcome in ("maintain", "cease"):
        raise ValueError(f"The LA decided to {la_outcome} the plan, so there are no amendments.")

    out: list[Deadline] = []
    must_by = review_period_end(base, 12)
    out.append(
        Deadline(
            key="review_due",
            label="Annual review meeting held",
            due=must_by,
            rule="Within the 12 months starting with the day "
            f"{'of the last review' if base != plan_issued else 'the plan was issued'} "
            "(so by the day before its anniversary)",
            source="CFA 2014 s.44(1)(a)-(b); CoP 9.166",
            statutory=True,
            done_on=meeting,
        )
    )
    target = must_by
    if pupil_dob is not None and add_months(pupil_dob, 60) > base:
        should_by = add_months(base, 6)
        target = should_by
        out.append(
            Deadline(
                key="review_due_under_5",
                label="Review meeting for a child under 5 (every 3 to 6 months)",
                due=should_by,
                rule=f"{base_name} + 6 months (child under 5 on that date)",
                source="CoP 9.178",
                statutory=False,
                done_on=meeting,
            )
        )

    anchor = meeting or target
    anchor_name = "Meeting" if meeting else "Review due date"
    out.append(
        Deadline(
            key="advice_requested",
            label="Ask the family and professionals for written advice",
            due=anchor - _days(profile.advice_request_lead_days),
            rule=f"{anchor_name} - {profile.advice_request_lead_days} days",
            source=f"{profile.source}; practice so advice can be circulated in time "
            f"({REGS} reg 20(4))",
            statutory=False,
            done_on=advice_requested,
            closes_on=meeting,
        )
    )
    out += _statutory_and_local(
        key="invitations",
        label="Invitations to the review meeting sent",
        anchor=anchor,
        anchor_name=anchor_name,
        statutory_days=-STATUTORY_NOTICE_DAYS,
        local_days=-profile.invitation_lead_days,
        source=f"{REGS} reg 20(2)-(3)",
        profile=profile,
        done_on=invitations_sent,
        closes_on=meeting,
    )
    out += _statutory_and_local(
        key="advice_circulated",
        label="Advice circulated to everyone invited",
        anchor=anchor,
        anchor_name=anchor_name,
        statutory_days=-STATUTORY_CIRCULATION_DAYS,
        local_days=-profile.advice_circulation_lead_days,
        source=f"{REGS} reg 20(4); CoP 9.176",
        profile=profile,
        done_on=advice_circulated,
        closes_on=meeting,
    )
    if meeting is None:
        return _sorted(out)

    out += _statutory_and_local(
        key="review_report",
        label="Review report sent to the LA and everyone invited",
        anchor=meeting,
        anchor_name="Meeting",
        statutory_days=STATUTORY_REPORT_DAYS,
        local_days=profile.report_to_la_days,
        source=f"{REGS} reg 20(7)-(8)",
        profile=profile,
        done_on=report_sent,
    )
    decision_due = meeting + _weeks(4)
    out.append(
        Deadline(
            key="la_decision",
            label="LA decides to maintain, amend or cease the plan and tells the family",
            due=decision_due,
            rule="Meeting + 4 weeks",
            source=f"{REGS} reg 20(10)",
            statutory=True,
            done_on=la_decision,
        )
    )
    if not amending:
        return _sorted(out)

    out.append(
        Deadline(
            key="amendment_proposals",
            label="LA sends the proposed amendments with its decision",
            due=decision_due,
            rule="Meeting + 4 weeks (with the decision)",
            source=f"{REGS} reg 20(10), 22(2); R (L) v Devon CC [2022] EWHC 493 (Admin)",
            statutory=True,
            done_on=amendment_proposals,
        )
    )
    proposals = amendment_proposals or decision_due
    proposals_name = "Proposals sent" if amendment_proposals else "Proposals due"
    window_closes = proposals + _days(14)
    if representations_received is None and final_amended_plan is not None:
        representations_received = min(final_amended_plan, window_closes)
    out.append(
        Deadline(
            key="amendment_representations",
            label="Family's comments on the proposed amendments (15 days)",
            due=window_closes,
            rule=f"{proposals_name} + 15 days, counting the day they were served",
            source=f"{REGS} reg 22(2)(c)",
            statutory=True,
            done_on=representations_received,
            # As for the draft: the window closes, it is not overdue. Only once the proposals
            # are out; until then the window has not opened.
            closes_on=window_closes + _days(1) if amendment_proposals else None,
        )
    )
    out.append(
        Deadline(
            key="final_amended_plan",
            label="Final amended EHC plan issued",
            due=proposals + _weeks(8),
            rule=f"{proposals_name} + 8 weeks (about 12 weeks from the meeting)",
            source=f"{REGS} reg 22(3); R (L) v Devon CC [2022] EWHC 493 (Admin)",
            statutory=True,
            done_on=final_amended_plan,
        )
    )
    return _sorted(out)


def check_review_preparation(
    *,
    meeting: date | None,
    advice_requested: date | None = None,
    invitations_sent: date | None = None,
    advice_circulated: date | None = None,
) -> None:
    """Raise ValueError if the steps before an annual review meeting are out of order: each
    comes before the meeting, and advice is circulated after it was asked for.

    Kept apart from `annual_review_deadlines` so a form can refuse such dates while records
    saved before this check existed still show their deadlines.
    """
    if meeting is not None:
        for what, when in (
            ("advice_requested", advice_requested),
            ("invitations_sent", invitations_sent),
            ("advice_circulated", advice_circulated),
        ):
            if when is not None and when > meeting:
                raise ValueError(
                    f"{what} ({_fmt(when)}) cannot be after the meeting ({_fmt(meeting)})."
                )
    if advice_requested is not None:
        _require_not_before(
            advice_circulated, advice_requested, "advice_circulated", "advice_requested"
        )


def _statutory_and_local(
    *,
    key: str,
    label: str,
    anchor: date,
    anchor_name: str,
    statutory_days: int,
    local_days: int,
    source: str,
    profile: LaRuleProfile,
    done_on: date | None,
    closes_on: date | None = None,
) -> list[Deadline]:
    """The statutory deadline, plus the LA's stricter local one when it differs."""

    def offset(days: int) -> str:
        return f"{anchor_name} {'+' if days >= 0 else '-'} {abs(days)} days"

    out = [
        Deadline(
            key=key,
            label=label,
            due=anchor + _days(statutory_days),
            rule=offset(statutory_days),
            source=source,
            statutory=True,
            done_on=done_on,
            closes_on=closes_on,
        )
    ]
    if local_days != statutory_days:
        out.append(
            Deadline(
                key=f"{key}_la",
                label=f"{label} (LA's local deadline)",
                due=anchor + _days(local_days),
                rule=offset(local_days),
                source=f"{profile.source}; statutory limit {source}",
                statutory=False,
                done_on=done_on,
                closes_on=closes_on,
            )
        )
    return out


# --------------------------------------------------------------------------- phase transfer


def phase_transfer_deadline(
    *, transfer_year: int, post16: bool, amended_plan_issued: date | None = None
) -> Deadline:
    """Plan reviewed and amended to name the next setting before 15 February of the
    calendar year of transfer, or before 31 March for secondary to post-16 (SEND Regs 2014
    reg 18(1)). "Before" excludes the day itself, so the last day is 14 Feb / 30 Mar.
    """
    # reg 18(1)(a): secondary school to a post-16 institution; (b): every other transfer.
    month, day, para = (3, 31, "reg 18(1)(a)") if post16 else (2, 15, "reg 18(1)(b)")
    limit = date(transfer_year, month, day)
    due = limit - _days(1)
    return Deadline(
        key="phase_transfer",
        label="EHC plan reviewed and amended to name the next school or college",
        due=due,
        rule=f"Before {limit.day} {limit:%B} of the calendar year of transfer "
        f"(so by {due.day} {due:%B})",
        source=f"{REGS} {para}",
        statutory=True,
        done_on=amended_plan_issued,
    )


def phase_transfer_review_by(
    *,
    transfer_year: int,
    post16: bool,
    calendar: SchoolCalendar | None = None,
    meeting: date | None = None,
) -> Deadline:
    """Latest sensible date for the phase transfer review meeting (a "should").

    Works back 12 weeks from the reg 18 deadline: 4 weeks for the LA's decision and proposals
    (reg 20(10)) and 8 weeks to the final amended plan (reg 22(3)), then back to a school day
    (a weekday when no calendar is given). For a 15 February deadline this lands in the autumn
    term of the year before, e.g. Friday 22 November 2024 for a 2025 transfer.
    """
    deadline = phase_transfer_deadline(transfer_year=transfer_year, post16=post16)
    latest = deadline.due - _weeks(12)
    if calendar is not None:
        latest = calendar.school_day_on_or_before(latest)
    else:
        while latest.weekday() >= 5:
            latest -= _days(1)
    return Deadline(
        key="phase_transfer_review_meeting",
        label="Phase transfer review meeting held",
        due=latest,
        rule=f"{_fmt(deadline.due)} - 12 weeks (4 weeks to the LA's decision and proposals, "
        "8 weeks to the final plan), moved back to a school day",
        source=f"{deadline.source}, reg 20(10), reg 22(3); "
        "R (L) v Devon CC [2022] EWHC 493 (Admin)",
        statutory=False,
        done_on=meeting,
    )


# --------------------------------------------------------------------------- school calendar


@dataclass(frozen=True)
class SchoolCalendar:
    """Term dates and closures of one school, for rules counted in school days.

    A school day is a weekday inside a term range that is not a closure (INSET day, bank
    holiday, emergency closure). Give half terms either as separate ranges or as closures.
    """

    terms: tuple[tuple[date, date], ...]
    closures: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        terms = tuple(sorted((start, end) for start, end in self.terms))
        if not terms:
            raise ValueError("A school calendar needs at least one term.")
        for start, end in terms:
            if end < start:
                raise ValueError(
                    f"A term cannot end ({_fmt(end)}) before it starts ({_fmt(start)})."
                )
        object.__setattr__(self, "terms", terms)
        object.__setattr__(self, "closures", frozenset(self.closures))

    @property
    def first_day(self) -> date:
        return self.terms[0][0]

    @property
    def last_day(self) -> date:
        return max(end for _, end in self.terms)

    def is_school_day(self, d: date) -> bool:
        """A weekday in term that is not a closure."""
        return (
            d.weekday() < 5
            and d not in self.closures
            and any(start <= d <= end for start, end in self.terms)
        )

    def add_school_days(self, start: date, n: int) -> date:
        """The n-th school day after `start` (`start` itself is not counted; n=0 gives start)."""
        if n < 0:
            raise ValueError(f"Count school days forwards: n must be 0 or more, not {n}.")
        d, counted = start, 0
        while counted < n:
            d += _days(1)
            if d > self.last_day:
                raise ValueError(
                    f"The school calendar ends on {_fmt(self.last_day)}, too soon to count "
                    f"{n} school days from {_fmt(start)}: add the next term dates."
                )
            if self.is_school_day(d):
                counted += 1
        return d

    def school_day_on_or_before(self, d: date) -> date:
        """`d` if it is a school day, otherwise the last school day before it."""
        while not self.is_school_day(d):
            if d < self.first_day:
                raise ValueError(
                    f"The school calendar starts on {_fmt(self.first_day)}: add earlier term dates."
                )
            d -= _days(1)
        return d

    @classmethod
    def combine(cls, *calendars: SchoolCalendar) -> SchoolCalendar:
        """One calendar covering several, e.g. two school years back to back."""
        return cls(
            terms=tuple(t for c in calendars for t in c.terms),
            closures=frozenset().union(*(c.closures for c in calendars)),
        )

    @classmethod
    def default_for(cls, year: int) -> SchoolCalendar:
        """A typical English school year starting in September of `year` (DOMAIN.md 10.1).

        Used until a school enters its own dates. Six half terms: autumn from early September
        to about 20 December with a half term in the last week of October; spring from early
        January to the Friday before the week before Easter, half term in the week from the
        first Monday on or after 12 February; summer from the second Monday after Easter to
        about 22 July, half term in the week of the late May bank holiday. The early May bank
        holiday is a closure. INSET days vary by school and are not included, so counts of
        school days err early.
        """
        y1, y2 = year, year + 1
        easter = easter_sunday(y2)

        def term_start(d: date) -> date:
            # Start on that weekday, unless it is Thursday or later: then the next Monday.
            return d if d.weekday() <= 2 else _next_weekday(d, 0)

        def last_weekday_on_or_before(d: date) -> date:
            while d.weekday() >= 5:
                d -= _days(1)
            return d

        october_break = _last_weekday_of_month(y1, 10, 0)
        february_break = _next_weekday(date(y2, 2, 12), 0)
        easter_break = easter - _days(6)  # Monday of the week before Easter
        may_break = _last_weekday_of_month(y2, 5, 0)  # spring bank holiday week
        early_may_bank_holiday = _next_weekday(date(y2, 5, 1), 0)

        autumn = (term_start(date(y1, 9, 1)), last_weekday_on_or_before(date(y1, 12, 20)))
        spring = (term_start(date(y2, 1, 2)), easter_break - _days(3))
        summer = (easter_break + _weeks(2), last_weekday_on_or_before(date(y2, 7, 22)))
        terms = []
        for (start, end), brk in (
            (autumn, october_break),
            (spring, february_break),
            (summer, may_break),
        ):
            terms += [(start, brk - _days(3)), (brk + _weeks(1), end)]
        return cls(terms=tuple(terms), closures=frozenset({early_may_bank_holiday}))


def _next_weekday(d: date, weekday: int) -> date:
    """`d` if it falls on `weekday` (Monday=0), else the next such day."""
    return d + _days((weekday - d.weekday()) % 7)


def _last_weekday_of_month(year: int, month: int, weekday: int) -> date:
    last = add_months(date(year, month, 1), 1) - _days(1)
    return last - _days((last.weekday() - weekday) % 7)


def records_transfer_deadline(
    *, left_on: date, calendar: SchoolCalendar, sent_on: date | None = None
) -> Deadline:
    """CTF and educational record to the new school within 15 school days of the pupil
    ceasing to be registered (Education (Pupil Information) (England) Regulations 2005
    reg 9(3)). For a dual registration, pass the day the head learned of it (reg 9(3B)).
    """
    return Deadline(
        key="records_transfer",
        label="Common transfer file and educational record sent to the new school",
        due=calendar.add_school_days(left_on, 15),
        rule="Left the register + 15 school days",
        source="Education (Pupil Information) (England) Regulations 2005 reg 9(3)",
        statutory=True,
        done_on=sent_on,
    )
