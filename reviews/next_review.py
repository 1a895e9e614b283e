"""The pupil's next review (Pupil.next_review_due: the register, the profile, the register's
"review due" filters, the dashboard's overdue and due-soon counts): one rule, written here and
nowhere else. Every write that can move either clock calls pupil_next_review_sync.

The next review is the EARLIEST of the reviews still to come:
- the open support plan cycle's review date, if it has one (a cycle reviewed or ended, i.e.
  closed, has no review to come);
- the next annual review of the EHC plan in force, from the deadline engine (a draft,
  superseded or ceased plan has none).
Neither: no next review. A date already past still counts: the review is overdue, not done.

Before this rule each source wrote its own date over the other's, so issuing a support plan
hid the EHC plan's statutory annual review and recording an annual review hid a sooner
support plan review."""

from __future__ import annotations

import datetime as dt

from django.db.models import Min

from pupils.models import Pupil

from . import selectors_ehc as sel
from .models import AnnualReview, EhcPlan, SupportCycle


def earliest_review(*dates: dt.date | None) -> dt.date | None:
    """The rule itself: the earliest of the dates given, ignoring the missing ones."""
    known = [d for d in dates if d is not None]
    return min(known) if known else None


def annual_review_due(plan: EhcPlan, reviews) -> dt.date | None:
    """The plan's next annual review due date: the deadline engine's statutory 12 months (from
    the plan, or from the last review held). A review meeting already held but not yet decided
    on by the LA starts the next 12 months from that meeting. `reviews`: all the pupil's annual
    reviews, whichever version of the plan they were held on (sel.reviews_of_lineage)."""
    _, deadlines = sel.review_deadlines(plan, reviews, profile=sel.engine.LaRuleProfile())
    due = next((d.due for d in deadlines if d.key == "review_due"), None)
    review = sel.open_review(plan, reviews)
    if review is not None and review.meeting_on:
        due = sel.engine.review_period_end(review.meeting_on, 12)
    return due


def next_reviews_due(pupil_ids) -> dict[int, dt.date | None]:
    """{pupil id: next review due} by the rule, for any number of pupils in three queries:
    their open cycles' review dates, their plans in force and those pupils' annual reviews."""
    pupil_ids = list(pupil_ids)
    cycle_due = dict(
        SupportCycle.objects.filter(pupil_id__in=pupil_ids)
        .open()
        .values("pupil_id")
        .annotate(due=Min("review_date"))
        .values_list("pupil_id", "due")
    )
    plans = list(
        EhcPlan.objects.filter(pupil_id__in=pupil_ids, status=EhcPlan.Status.ISSUED)
        .select_related("school", "pupil")
        .order_by("pupil_id", "-version")
    )
    reviews: dict[int, list[AnnualReview]] = {}
    if plans:
        for review in AnnualReview.objects.filter(
            pupil_id__in={p.pupil_id for p in plans}
        ).order_by("meeting_on"):
            reviews.setdefault(review.pupil_id, []).append(review)
    annual_due: dict[int, dt.date | None] = {}
    for plan in plans:
        if plan.pupil_id not in annual_due:  # one plan in force per pupil; the newest if not
            annual_due[plan.pupil_id] = annual_review_due(plan, reviews.get(plan.pupil_id, []))
    return {pk: earliest_review(cycle_due.get(pk), annual_due.get(pk)) for pk in pupil_ids}


def pupil_next_review_sync(*, pupil: Pupil) -> None:
    """Set Pupil.next_review_due by the rule, after any write that moves a support plan's review
    date, opens or closes a cycle, issues or ceases an EHC plan or records an annual review. An
    update() so the register's history is not filled with a row per date change."""
    due = next_reviews_due([pupil.pk])[pupil.pk]
    Pupil.objects.filter(pk=pupil.pk).update(next_review_due=due)
    pupil.next_review_due = due


def pupils_next_review_sync(*, pupils) -> int:
    """The rule for many pupils at once (demo data, the data fix): only the pupils whose date
    changes are written, in batches. Returns how many changed."""
    pupils = list(pupils)
    dues = next_reviews_due(p.pk for p in pupils)
    changed = []
    for pupil in pupils:
        if pupil.next_review_due != dues[pupil.pk]:
            pupil.next_review_due = dues[pupil.pk]
            changed.append(pupil)
    Pupil.objects.bulk_update(changed, ["next_review_due"], batch_size=500)
    return len(changed)


def next_review_kind(pupil: Pupil, cycles) -> str:
    """What the pupil's next review is, for a page that shows the date beside the pupil's support
    plan cycles (already loaded: no query): the open cycle's review when the date is its review
    date, else (by the rule) the EHC plan's annual review."""
    if pupil.next_review_due is None:
        return ""
    if any(c.is_open and c.review_date == pupil.next_review_due for c in cycles):
        return "support plan review"
    return "EHC plan annual review"
