"""Move each EHC plan's own top-up fields into TopUpFunding records linked to the plan.

Before this, a plan's element 3 top-up was typed on the plan (band, amount, period, "paid from")
and the budget, the governors' report and the census indicator never saw it. The record is now
provision.TopUpFunding, which holds an annual amount: a plan's amount "per term" becomes three
times it a year and "per month" twelve times it (three terms and twelve months in a year).

- A plan whose top-up matches a record already there (same pupil and annual amount, a band that
  does not disagree, not ended before the plan's top-up began) is linked to that record instead
  of getting a second one. This is how an amended version, which copied its predecessor's
  top-up, shares the predecessor's record, and how a record typed on the budget page for the
  same money is not counted twice.
- An issued amendment whose top-up differs starts a new record (no earlier than the
  amendment's issue) and ends the previous version's open record the day before. A ceased plan's open record ends on the day it ceased.
- A plan with a band but no amount has nothing the budget can count and gets no record.

Idempotent: a plan already linked to a record is skipped. Reversing copies each plan's latest
linked record back into the plan's fields (per year) and leaves the records in place.
"""

import datetime as dt
from decimal import Decimal

from django.db import migrations
from django.db.models import Q

TIMES_A_YEAR = {"year": 1, "term": 3, "month": 12}


def forwards(apps, schema_editor):
    EhcPlan = apps.get_model("reviews", "EhcPlan")
    TopUpFunding = apps.get_model("provision", "TopUpFunding")
    plans = (
        EhcPlan.objects.filter(top_up_amount__gt=0)
        .select_related("previous")
        .order_by("pupil_id", "version")
    )
    for plan in plans:
        if plan.top_ups.exists():
            continue
        amount = (plan.top_up_amount * TIMES_A_YEAR.get(plan.top_up_period, 1)).quantize(
            Decimal("0.01")
        )
        starts = plan.top_up_from or plan.issued_on or plan.created_at.date()
        band = plan.top_up_band.strip()
        same = (
            TopUpFunding.objects.filter(pupil_id=plan.pupil_id, amount=amount)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts))
            .order_by("starts_on", "pk")
        )
        record = next(
            (r for r in same if not (band and r.band and r.band.strip().lower() != band.lower())),
            None,
        )
        if record is None:
            if plan.previous_id and plan.status != "draft":
                # A different top-up on an amendment is paid from its issue at the earliest.
                starts = max(starts, plan.issued_on or starts)
                for old in plan.previous.top_ups.filter(
                    ends_on__isnull=True, starts_on__lt=starts
                ):
                    old.ends_on = starts - dt.timedelta(days=1)
                    old.save(update_fields=["ends_on"])
            record = TopUpFunding.objects.create(
                school_id=plan.school_id,
                pupil_id=plan.pupil_id,
                la_name=plan.la_name,
                band=band,
                amount=amount,
                starts_on=starts,
                with_ehc_plan=True,
            )
        elif not record.with_ehc_plan:
            record.with_ehc_plan = True
            record.save(update_fields=["with_ehc_plan"])
        if plan.status == "ceased" and plan.ceased_on and record.ends_on is None:
            record.ends_on = max(plan.ceased_on, record.starts_on)
            record.save(update_fields=["ends_on"])
        plan.top_ups.add(record)


def backwards(apps, schema_editor):
    EhcPlan = apps.get_model("reviews", "EhcPlan")
    for plan in EhcPlan.objects.filter(top_ups__isnull=False).distinct():
        record = plan.top_ups.order_by("-starts_on", "-pk").first()
        plan.top_up_band = record.band
        plan.top_up_amount = record.amount
        plan.top_up_period = "year"
        plan.top_up_from = record.starts_on
        plan.save(update_fields=["top_up_band", "top_up_amount", "top_up_period", "top_up_from"])


class Migration(migrations.Migration):
    dependencies = [
        ("provision", "0002_end_leavers_places"),
        ("reviews", "0005_ehc_plan_top_ups"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
