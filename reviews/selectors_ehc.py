"""Reads for EHC requests, plans and reviews, and the statutory deadlines that follow from them.

Deadlines are never stored: they are computed in Python by the pure engine (reviews.deadlines)
from rows fetched in a constant number of queries, so a page's query count does not grow with the
number of plans."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, replace
from decimal import Decimal

from django.db.models import Prefetch, Q

from sencoweb.models import academic_year_of
from sencoweb.urltools import url_of

from . import deadlines as engine
from .models import AnnualReview, EhcPlan, EhcRequest, LaRuleProfile

log = logging.getLogger(__name__)

WINDOW_DAYS = 30  # the deadlines page shows what is due in the next 30 days, and what is overdue

# nc_year -> post16? for the transfers SEND Regs reg 2 names, worked out from the year group:
# N2 (the year before Reception, DOMAIN.md 10.1) to school, Year 6 to secondary, Year 11 to a
# post-16 institution. N1 moves up to N2, which is no transfer.
AUTO_TRANSFERS = {"N2": False, "6": False, "11": True}
# A pupil in one of these years at these schools usually stays on (all-through, special, and
# a middle school, whose pupils move on after Year 7 or 8): the SENCO sets the transfer.
NO_AUTO_TRANSFER_PHASES = {"all_through", "special", "middle"}


@dataclass(frozen=True)
class DeadlineRow:
    """One deadline of one pupil's EHC process, ready for a page or a reminder."""

    school: object
    pupil: object
    subject: str
    deadline: engine.Deadline
    url: str
    ref: str  # stable id of this deadline: "<object uuid>:<deadline key>:<due>"
    # Where a member without the whole EHC record (ehc.view_full: a teacher or TA) is sent: the
    # classroom view of the plan in force; nowhere for a needs assessment (see for_viewer).
    classroom_url: str = ""

    def status(self, today):
        return self.deadline.status(today)

    def days_left(self, today):
        return self.deadline.days_left(today)


# --------------------------------------------------------------------------- rule profiles


def rule_profiles(*, schools) -> dict:
    """(school id, LA code) -> engine profile, in one query."""
    return {
        (p.school_id, p.la_code): p.as_engine()
        for p in LaRuleProfile.objects.filter(school__in=schools)
    }


def profile_for(profiles: dict, school_id, la_code) -> engine.LaRuleProfile:
    return profiles.get((school_id, la_code)) or engine.LaRuleProfile()


# --------------------------------------------------------------------------- per-record deadlines


def request_deadlines(ehc_request: EhcRequest) -> list[engine.Deadline]:
    return ehc_request.deadlines()


def phase_transfer_of(plan: EhcPlan, *, today: dt.date) -> tuple[int, bool] | None:
    """(calendar year of transfer, post-16?) if the pupil moves phase next September."""
    choice = plan.phase_transfer
    if choice == EhcPlan.Transfer.NONE:
        return None
    year = academic_year_of(today) + 1  # the transfer happens in September of this year
    if choice == EhcPlan.Transfer.SCHOOL:
        return year, False
    if choice == EhcPlan.Transfer.POST16:
        return year, True
    if plan.school.phase in NO_AUTO_TRANSFER_PHASES:
        return None
    post16 = AUTO_TRANSFERS.get(plan.pupil.nc_year)
    return None if post16 is None else (year, post16)


def _annual(reviews) -> list[AnnualReview]:
    """Annual reviews in date order (interim reviews do not move the 12-month clock)."""
    annual = [r for r in reviews if r.kind == AnnualReview.Kind.ANNUAL]
    return sorted(annual, key=lambda r: (r.meeting_on is None, r.meeting_on or dt.date.max))


def open_review(plan: EhcPlan, reviews) -> AnnualReview | None:
    """The annual review in progress: the latest one not yet complete."""
    for review in reversed(_annual(reviews)):
        if not review.is_complete:
            return review
    return None


def last_review_meeting(reviews, plan: EhcPlan | None = None) -> dt.date | None:
    """The last annual review meeting held. With the plan: a plan imported from the pupil's
    previous school also counts the last review held there."""
    held = [r.meeting_on for r in _annual(reviews) if r.is_complete and r.meeting_on]
    if plan is not None and plan.last_review_before_import:
        held.append(plan.last_review_before_import)
    return max(held) if held else None


def review_deadlines(
    plan: EhcPlan, reviews, *, profile: engine.LaRuleProfile
) -> tuple[AnnualReview | None, list[engine.Deadline]]:
    """The current cycle: the open review's deadlines, or the next cycle's if none is open."""
    anchor = plan.review_anchor
    if anchor is None:
        return None, []
    review = open_review(plan, reviews)
    if review is not None:
        return review, review.deadlines(
            profile=profile, plan_issued=anchor, pupil_dob=plan.pupil.date_of_birth
        )
    return None, engine.annual_review_deadlines(
        plan_issued=anchor,
        last_review=last_review_meeting(reviews, plan),
        pupil_dob=plan.pupil.date_of_birth,
        profile=profile,
    )


def transfer_deadlines(plan: EhcPlan, reviews, *, today: dt.date) -> list[engine.Deadline]:
    transfer = phase_transfer_of(plan, today=today)
    if transfer is None:
        return []
    year, post16 = transfer
    # Only a review of this school year (from 1 September before the transfer) counts.
    window_start = dt.date(year - 1, 9, 1)
    this_year = [r for r in reviews if r.meeting_on and r.meeting_on >= window_start]
    amended = [
        r.final_amended_plan_on
        for r in this_year
        if r.final_amended_plan_on and r.final_amended_plan_on >= window_start
    ]
    meeting = min((r.meeting_on for r in this_year), default=None)
    return [
        engine.phase_transfer_review_by(transfer_year=year, post16=post16, meeting=meeting),
        engine.phase_transfer_deadline(
            transfer_year=year, post16=post16, amended_plan_issued=min(amended, default=None)
        ),
    ]


def plan_deadlines(plan: EhcPlan, reviews, *, profile, today) -> list[engine.Deadline]:
    review, out = review_deadlines(plan, reviews, profile=profile)
    return sorted(out + transfer_deadlines(plan, reviews, today=today), key=lambda d: d.due)


# --------------------------------------------------------------------------- the deadlines page


def _reviews_prefetch():
    # As a list attribute (`plan.review_list`): a prefetch into the related manager builds a
    # queryset for every plan to hold its cache (no measurable difference on the deadlines
    # page at 2,000 pupils, bench/results.md round 5; no more complex either).
    return Prefetch(
        "reviews",
        queryset=AnnualReview.objects.order_by("meeting_on", "created_at"),
        to_attr="review_list",
    )


def reviews_of(plan: EhcPlan) -> list:
    """The plan's annual reviews, oldest first: prefetched by _reviews_prefetch, else a query."""
    if hasattr(plan, "review_list"):
        return plan.review_list
    return list(plan.reviews.order_by("meeting_on", "created_at"))


def plans_in_force(*, schools, pupils=None):
    plans = (
        EhcPlan.objects.filter(school__in=schools, status=EhcPlan.Status.ISSUED)
        .filter(pupil__archived_at__isnull=True)
        .select_related("pupil", "school")
        .prefetch_related(_reviews_prefetch())
    )
    return plans if pupils is None else plans.filter(pupils)


def open_requests(*, schools, pupils=None):
    requests = (
        EhcRequest.objects.filter(school__in=schools, pupil__archived_at__isnull=True)
        .filter(final_issued_on__isnull=True, decision_not_to_issue_on__isnull=True)
        .exclude(decided_to_assess=False)
        .select_related("pupil", "school")
    )
    return requests if pupils is None else requests.filter(pupils)


def deadline_rows(*, plans, requests, profiles: dict, today: dt.date) -> list[DeadlineRow]:
    """Every open deadline (not yet done, and still possible) of these plans and requests,
    soonest first. A step before a review meeting that has been held is no longer a task."""
    rows: list[DeadlineRow] = []
    request_url = url_of("reviews:request_detail")
    review_url, new_review_url = url_of("reviews:review_edit"), url_of("reviews:review_new")
    plan_url_of = url_of("reviews:plan_detail")
    for req in requests:
        url = request_url(req.public_id)
        for d in _or_none(request_deadlines, req):
            if d.is_open(today):
                rows.append(
                    DeadlineRow(req.school, req.pupil, "EHC needs assessment", d, url, _ref(req, d))
                )
    for plan in plans:
        profile = profile_for(profiles, plan.school_id, plan.la_code)
        reviews = reviews_of(plan)
        try:
            review, cycle = review_deadlines(plan, reviews, profile=profile)
        except ValueError:
            # Dates saved before a check existed: one record must not break every list.
            log.warning("EHC plan %s: review dates the engine refuses", plan.public_id)
            continue
        url = review_url(review.public_id) if review else new_review_url(plan.public_id)
        owner = review or plan
        plan_url = plan_url_of(plan.public_id)
        for d in cycle:
            if d.is_open(today):
                rows.append(
                    DeadlineRow(
                        plan.school, plan.pupil, "Annual review", d, url, _ref(owner, d), plan_url
                    )
                )
        for d in transfer_deadlines(plan, reviews, today=today):
            if d.is_open(today):
                rows.append(
                    DeadlineRow(
                        plan.school,
                        plan.pupil,
                        "Phase transfer",
                        d,
                        plan_url,
                        _ref(plan, d),
                        plan_url,
                    )
                )
    rows.sort(key=lambda r: (r.deadline.due, not r.deadline.statutory, r.pupil.last_name))
    return rows


def for_viewer(rows: list[DeadlineRow], *, memberships) -> list[DeadlineRow]:
    """The rows as these memberships may follow them (DOMAIN.md 8.3): in a school where the
    member lacks ehc.view_full, a row links to the classroom view of the plan in force, or to
    nothing for a needs assessment (its dates are shown; the request and the LA's letters are
    not theirs to open). A records transfer row is not part of the EHC record: left as it is."""
    full = {m.school_id for m in memberships if m.can("ehc.view_full")}
    return [
        r
        if r.school.pk in full or r.subject == RECORDS_TRANSFER_SUBJECT
        else replace(r, url=r.classroom_url)
        for r in rows
    ]


def _or_none(deadlines_of, record) -> list[engine.Deadline]:
    try:
        return deadlines_of(record)
    except ValueError:
        log.warning("%s %s: dates the engine refuses", type(record).__name__, record.public_id)
        return []


def _ref(obj, d: engine.Deadline) -> str:
    return f"{obj.public_id}:{d.key}:{d.due.isoformat()}"


def upcoming(rows: list[DeadlineRow], *, today: dt.date, days: int = WINDOW_DAYS):
    """Overdue, and due within `days`."""
    return [r for r in rows if r.deadline.days_left(today) <= days]


def pupil_condition(*, user, memberships) -> Q:
    """Which pupils a user sees across these memberships: the whole school where they may see
    the whole register; elsewhere only the pupils they teach (teaching and registration groups,
    plus whatever the register's visibility hooks add, e.g. provision groups a TA delivers)."""
    from pupils import hooks
    from pupils.access import taught_condition

    condition = Q(pk__in=[])
    for m in memberships:
        if m.can("register.view_all"):
            condition |= Q(pupil__school_id=m.school_id)
        elif m.can("register.view_taught"):
            # Subqueries, not joins: a pupil in two of the teacher's groups is still one row, so
            # the lists need no DISTINCT over every column of a plan.
            taught = taught_condition(user, field="pupil_id")
            for source in hooks.visibility_sources:
                taught |= Q(pupil_id__in=source(m))
            condition |= Q(pupil__school_id=m.school_id) & taught
    return condition


# --------------------------------------------------------------------------- pupil page


def pupil_ehc_summary(pupil) -> dict:
    plans = list(
        EhcPlan.objects.filter(pupil=pupil)
        .select_related("school", "pupil")
        .prefetch_related("outcomes", "provision_items", _reviews_prefetch())
        .order_by("-version")
    )
    requests = list(EhcRequest.objects.filter(pupil=pupil).order_by("-received_on"))
    current = next((p for p in plans if p.status == EhcPlan.Status.ISSUED), None)
    draft = next((p for p in plans if p.status == EhcPlan.Status.DRAFT), None)
    reviews = list(AnnualReview.objects.filter(pupil=pupil).order_by("-meeting_on", "-created_at"))
    return {
        "plans": plans,
        "current_plan": current,
        "draft_plan": draft,
        "requests": requests,
        "reviews": reviews,
    }


def reviews_of_lineage(plan: EhcPlan):
    """All reviews of this pupil's plan, whichever version they were held on."""
    return list(AnnualReview.objects.filter(pupil_id=plan.pupil_id).order_by("meeting_on"))


# --------------------------------------------------------------------------- section F vs delivery


@dataclass(frozen=True)
class SectionFRow:
    item: object
    specified_hours: Decimal | None


def section_f_vs_delivery(plan: EhcPlan, *, weeks: int = 6, today: dt.date | None = None) -> dict:
    """What section F specifies (hours a week) beside what the provision map says the pupil
    attended in the last `weeks` weeks (today and the days before it), averaged over the school
    weeks among them: a half term or an INSET day in the window is not a week of missing
    provision (DOMAIN.md 10.1). Two queries: the sessions and the school's calendar."""
    from provision import costs as provision_costs
    from provision import selectors as provision_selectors

    today = today or dt.date.today()
    items = list(plan.provision_items.all())
    specified = sum((i.hours_per_week or Decimal(0) for i in items), Decimal(0))
    start = today - dt.timedelta(weeks=weeks) + dt.timedelta(days=1)
    hours = provision_selectors.delivered_hours_by_pupil(
        plan.school, [plan.pupil_id], since=start, until=today
    )
    calendar = provision_selectors.calendar_for(plan.school)
    school_days = provision_costs.session_dates(
        range(5), start, today, open_days=calendar.open_days, closed=calendar.closed
    )
    school_weeks = Decimal(len(school_days)) / 5
    delivered = (
        (hours.get(plan.pupil_id, Decimal(0)) / school_weeks).quantize(Decimal("0.01"))
        if school_weeks
        else Decimal("0.00")
    )
    gap = delivered - specified
    return {
        "items": items,
        "specified_per_week": specified,
        "delivered_per_week": delivered,
        "weeks": weeks,
        "school_weeks": school_weeks,
        "from": start,
        "gap": gap,
        "short_by": max(-gap, Decimal(0)),  # "1.5 h a week short", never "short: -1.5"
        # Only hours that section F quantifies can fall short; "as needed" items cannot, and
        # nothing falls short over weeks the school was closed.
        "shortfall": specified > 0 and gap < 0 and school_weeks > 0,
    }


# --------------------------------------------------------------------------- records transfer

RECORDS_TRANSFER_SUBJECT = "Records transfer"


def school_calendars(schools) -> dict:
    """{school id: engine.SchoolCalendar} from the schools' term dates (half terms are gaps)
    and closure days, in one query; a school with no term dates is left out."""
    from sencoweb.models import calendar_days

    return {
        school_id: engine.SchoolCalendar(
            terms=tuple(days.open_ranges), closures=frozenset(days.closures)
        )
        for school_id, days in calendar_days(schools).items()
        if days.open_ranges
    }


def records_transfer_rows(*, memberships, today: dt.date) -> list[DeadlineRow]:
    """Pupils who left for another school in the last year and whose SEN file (the common
    transfer file and educational record) is not recorded as sent: due 15 school days after
    they left, counted on the school's term dates (DOMAIN.md 6.2; reviews/deadlines.py). Only
    for members who see the whole register: the transfer is the SENCO's and the office's job.
    Where the term dates do not reach far enough, weekdays are counted and the row says so."""
    from pupils.models import Pupil

    schools = [m.school for m in memberships if m.can("register.view_all")]
    if not schools:
        return []
    leavers = list(
        Pupil.objects.filter(
            school__in=schools,
            archived_at__isnull=False,
            left_for=Pupil.LeftFor.SCHOOL,
            file_sent_on__isnull=True,
            left_on__gte=today - dt.timedelta(days=365),
        ).select_related("school")
    )
    if not leavers:
        return []
    calendars = school_calendars(schools)
    leaving_url = url_of("pupils:archive")
    rows = []
    for pupil in leavers:
        try:
            deadline = engine.records_transfer_deadline(
                left_on=pupil.left_on, calendar=calendars[pupil.school_id]
            )
        except (KeyError, ValueError):  # no term dates, or not far enough ahead
            weekdays = engine.SchoolCalendar(
                terms=((pupil.left_on, pupil.left_on + dt.timedelta(days=60)),)
            )
            deadline = engine.records_transfer_deadline(left_on=pupil.left_on, calendar=weekdays)
            deadline = replace(
                deadline, rule=f"{deadline.rule} (weekdays counted: add the term dates)"
            )
        rows.append(
            DeadlineRow(
                pupil.school,
                pupil,
                RECORDS_TRANSFER_SUBJECT,
                deadline,
                leaving_url(pupil.public_id),
                f"{pupil.public_id}:{deadline.key}:{deadline.due.isoformat()}",
            )  # fmt: skip
        )
    return rows


def sort_rows(rows: list[DeadlineRow]) -> list[DeadlineRow]:
    """Soonest first; statutory before local on the same day; then by surname."""
    return sorted(rows, key=lambda r: (r.deadline.due, not r.deadline.statutory, r.pupil.last_name))
