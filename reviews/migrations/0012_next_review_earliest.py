"""Pupil.next_review_due recomputed for every pupil by the rule in reviews.next_review: the
EARLIEST of the open support plan cycle's review date and the next annual review of the EHC plan
in force. Before that rule, issuing or re-dating a support plan wrote its review date over the
EHC plan's annual review (and recording an annual review wrote over a sooner support plan
review), so existing registers, filters and dashboard counts could show the later date, or
the wrong kind of review.

A frozen copy of the rule on the historical models (a migration must not use today's models):
tests/reviews/test_next_review_data_fix.py checks it agrees with reviews.next_review. Only the
pupils whose date changes are written; running it again changes nothing."""

import datetime as dt

from django.db import migrations
from django.db.models import Min

from reviews.deadlines import review_period_end  # a pure function: the statutory 12 months


def _is_complete(review) -> bool:
    # AnnualReview.is_complete: decided by the LA (and, when amending, the final plan issued).
    if not review["meeting_on"]:
        return False
    if review["kind"] == "interim":
        return True
    if review["la_outcome"] == "amend":
        return review["final_amended_plan_on"] is not None
    return bool(review["la_outcome"] and review["la_decision_on"])


def annual_review_due(plan, reviews) -> dt.date | None:
    """reviews.next_review.annual_review_due on plain rows: the open annual review's meeting +
    12 months if it was held, else 12 months from the later of the plan's first issue and the
    last review (the open review's own record of it, or the last one completed)."""
    anchor = plan["first_issued_on"] or plan["issued_on"]
    if anchor is None:
        return None
    annual = sorted(
        (r for r in reviews if r["kind"] == "annual"),
        key=lambda r: (r["meeting_on"] is None, r["meeting_on"] or dt.date.max),
    )
    open_review = next((r for r in reversed(annual) if not _is_complete(r)), None)
    if open_review is not None:
        if open_review["meeting_on"]:
            return review_period_end(open_review["meeting_on"], 12)
        last = open_review["last_review_on"]
    else:
        held = [r["meeting_on"] for r in annual if _is_complete(r) and r["meeting_on"]]
        if plan["last_review_before_import"]:
            held.append(plan["last_review_before_import"])
        last = max(held) if held else None
    return review_period_end(max(anchor, last) if last else anchor, 12)


def next_reviews_due(apps) -> dict:
    """{pupil id: next review due} for every pupil with an open cycle or a plan in force."""
    SupportCycle = apps.get_model("reviews", "SupportCycle")
    EhcPlan = apps.get_model("reviews", "EhcPlan")
    AnnualReview = apps.get_model("reviews", "AnnualReview")
    cycle_due = dict(
        SupportCycle.objects.exclude(status="closed")
        .order_by()
        .values("pupil_id")
        .annotate(due=Min("review_date"))
        .values_list("pupil_id", "due")
    )
    plans = {}
    for plan in (
        EhcPlan.objects.filter(status="issued")
        .order_by("pupil_id", "-version")
        .values("pupil_id", "first_issued_on", "issued_on", "last_review_before_import", "version")
    ):
        plans.setdefault(plan["pupil_id"], plan)  # one in force per pupil; else the newest
    reviews = {}
    for review in (
        AnnualReview.objects.filter(
            pupil_id__in=EhcPlan.objects.filter(status="issued").values("pupil_id")
        )
        .order_by("meeting_on")
        .values(
            "pupil_id",
            "kind",
            "meeting_on",
            "la_outcome",
            "la_decision_on",
            "final_amended_plan_on",
            "last_review_on",
        )
    ):
        reviews.setdefault(review["pupil_id"], []).append(review)
    dues = {}
    for pupil_id in set(cycle_due) | set(plans):
        annual = None
        if pupil_id in plans:
            annual = annual_review_due(plans[pupil_id], reviews.get(pupil_id, []))
        known = [d for d in (cycle_due.get(pupil_id), annual) if d is not None]
        dues[pupil_id] = min(known) if known else None
    return dues


def recompute(apps, schema_editor):
    Pupil = apps.get_model("pupils", "Pupil")
    dues = next_reviews_due(apps)
    changed = []
    # Every pupil, so a date left with no review to come behind it is cleared as well.
    for pupil in Pupil.objects.only("pk", "next_review_due").iterator(chunk_size=2000):
        due = dues.get(pupil.pk)
        if pupil.next_review_due != due:
            pupil.next_review_due = due
            changed.append(pupil)
    Pupil.objects.bulk_update(changed, ["next_review_due"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0011_end_cycles_of_pupils_off_register"),
    ]

    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
