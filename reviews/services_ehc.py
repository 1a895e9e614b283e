"""Writes for EHC requests, plans and annual reviews. Multi-step writes run in one transaction;
plans are versioned (an amendment is a new version, the old one is kept as superseded)."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from provision.models import TopUpFunding
from pupils.models import Pupil
from sencoweb.models import Membership
from sencoweb.urltools import in_school

from . import selectors_ehc as sel
from .models import AnnualReview, EhcPlan, EhcReminderSent, EhcRequest
from .next_review import pupil_next_review_sync

log = logging.getLogger(__name__)

REMINDER_STAGES = (14, 3)  # email when a deadline is 14 days away, and again at 3 days
PLAN_COPY_FIELDS = [
    f.name
    for f in EhcPlan._meta.concrete_fields
    if f.name
    not in {
        "id",
        "public_id",
        "version",
        "previous",
        "status",
        "issued_on",
        "ceased_on",
        "imported_from",  # an amendment is made here, not imported
        "created_by",
        "created_at",
        "updated_at",
    }
]


# --------------------------------------------------------------------------- requests


def ehc_request_create(*, pupil: Pupil, by, **fields) -> EhcRequest:
    request = EhcRequest(school=pupil.school, pupil=pupil, created_by=by, **fields)
    request.full_clean()
    request.save()
    return request


# --------------------------------------------------------------------------- plans


@transaction.atomic
def ehc_plan_create(
    *, pupil: Pupil, by, ehc_request: EhcRequest | None = None, **fields
) -> EhcPlan:
    """A new draft plan (version 1), or the next version if the pupil already has plans."""
    latest = EhcPlan.objects.filter(pupil=pupil).order_by("-version").first()
    plan = EhcPlan(
        school=pupil.school,
        pupil=pupil,
        version=(latest.version + 1) if latest else 1,
        request=ehc_request,
        created_by=by,
        **fields,
    )
    plan.full_clean(exclude=["previous"])
    plan.save()
    return plan


@transaction.atomic
def ehc_plan_save(*, form, outcomes, provision) -> EhcPlan:
    """Save the plan form and its section E and F rows together (drafts only)."""
    plan = form.save()
    outcomes.instance = plan
    provision.instance = plan
    outcomes.save()
    provision.save()
    return plan


@transaction.atomic
def ehc_plan_issue(*, plan: EhcPlan, issued_on: dt.date, by) -> EhcPlan:
    """Issue a draft: it comes into force, the version it replaces is superseded, and an open
    review that asked for this amendment records the final amended plan date."""
    plan = EhcPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != EhcPlan.Status.DRAFT:
        raise ValueError("Only a draft plan can be issued.")
    if plan.request_id and issued_on < plan.request.received_on:
        raise ValueError(
            f"The plan cannot be issued before the LA received the request for the assessment "
            f"({plan.request.received_on:%-d %B %Y}): check the date."
        )
    in_force = (
        EhcPlan.objects.select_for_update()
        .filter(pupil_id=plan.pupil_id, status=EhcPlan.Status.ISSUED)
        .first()
    )
    if in_force is not None:
        if issued_on < in_force.issued_on:
            raise ValueError(
                f"The amended plan cannot be issued before the plan it replaces "
                f"({in_force.issued_on:%d %B %Y})."
            )
        in_force.status = EhcPlan.Status.SUPERSEDED
        in_force.save(update_fields=["status", "updated_at"])
        plan.previous = in_force
        plan.first_issued_on = in_force.review_anchor
        AnnualReview.objects.filter(
            pupil_id=plan.pupil_id,
            la_outcome=AnnualReview.Outcome.AMEND,
            final_amended_plan_on__isnull=True,
            meeting_on__lte=issued_on,
        ).update(final_amended_plan_on=issued_on)
    else:
        plan.first_issued_on = plan.first_issued_on or issued_on
    plan.status = EhcPlan.Status.ISSUED
    plan.issued_on = issued_on
    plan.save()
    if plan.request_id:
        EhcRequest.objects.filter(pk=plan.request_id, final_issued_on__isnull=True).update(
            final_issued_on=issued_on
        )
    pupil_next_review_sync(pupil=plan.pupil)
    return plan


@transaction.atomic
def ehc_plan_amend(*, plan: EhcPlan, by) -> EhcPlan:
    """Start an amendment: a draft copy of the plan in force, with its outcomes and provision."""
    if plan.status != EhcPlan.Status.ISSUED:
        raise ValueError("Only the plan in force can be amended.")
    existing = EhcPlan.objects.filter(pupil_id=plan.pupil_id, status=EhcPlan.Status.DRAFT).first()
    if existing is not None:
        return existing
    fields = {name: getattr(plan, name) for name in PLAN_COPY_FIELDS}
    for name in ("pupil", "school", "request"):
        fields.pop(name)
    draft = ehc_plan_create(pupil=plan.pupil, by=by, ehc_request=plan.request, **fields)
    for outcome in plan.outcomes.all():
        outcome.pk, outcome.plan = None, draft
        outcome.save()
    for item in plan.provision_items.all():
        item.pk, item.plan = None, draft
        item.save()
    # The top-up still being paid goes on with the amended plan: the same records, not copies,
    # so the budget counts it once.
    draft.top_ups.set(
        plan.top_ups.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=timezone.localdate()))
    )
    return draft


@transaction.atomic
def ehc_plan_cease(*, plan: EhcPlan, ceased_on: dt.date, reason: str, by) -> dict:
    """The LA has ceased the plan in force: no more annual reviews or phase transfer dates, its
    top-up ends that day, and a draft amendment that was being worked on goes (it can no
    longer be issued). The pupil's status stays until the SENCO records the decision (E needs
    a plan in force: the view offers it next). Returns what else changed, for the audit."""
    plan = EhcPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != EhcPlan.Status.ISSUED:
        raise ValueError("Only the plan in force can cease.")
    plan.status = EhcPlan.Status.CEASED
    plan.ceased_on = ceased_on
    plan.ceased_reason = reason
    plan.save(update_fields=["status", "ceased_on", "ceased_reason", "updated_at"])
    drafts = EhcPlan.objects.filter(pupil_id=plan.pupil_id, status=EhcPlan.Status.DRAFT)
    dropped = [d.version for d in drafts]
    drafts.delete()
    ended = []
    for top_up in plan.top_ups.filter(Q(ends_on__isnull=True) | Q(ends_on__gt=ceased_on)):
        top_up.ends_on = ceased_on
        top_up.save(update_fields=["ends_on"])
        ended.append(top_up.pk)
    # The register's next review goes back to the support plan's clock (none if no cycle).
    pupil_next_review_sync(pupil=plan.pupil)
    return {"draft_amendments_deleted": dropped, "top_ups_ended": ended}


@transaction.atomic
def ehc_plan_top_up_save(*, plan: EhcPlan, form) -> TopUpFunding:
    """Record or change the element 3 top-up that comes with a plan: the one TopUpFunding
    record the SEN budget, the governors' report and the census top-up indicator read, for the
    plan's pupil and linked to the plan."""
    record = form.save(commit=False)
    record.school_id = plan.school_id
    record.pupil_id = plan.pupil_id
    record.with_ehc_plan = True
    record.full_clean()
    record.save()
    plan.top_ups.add(record)
    return record


# --------------------------------------------------------------------------- annual reviews


@transaction.atomic
def annual_review_create(
    *, plan: EhcPlan, kind: str = AnnualReview.Kind.ANNUAL, by
) -> AnnualReview:
    """Open a review of the plan in force; the 12 months run from the last annual review."""
    reviews = sel.reviews_of_lineage(plan)
    review = AnnualReview.objects.create(
        school=plan.school,
        plan=plan,
        pupil=plan.pupil,
        kind=kind,
        last_review_on=sel.last_review_meeting(reviews, plan)
        if kind == AnnualReview.Kind.ANNUAL
        else None,
        created_by=by,
    )
    pupil_next_review_sync(pupil=plan.pupil)
    return review


@transaction.atomic
def annual_review_save(*, form) -> AnnualReview:
    review = form.save()
    pupil_next_review_sync(pupil=review.pupil)
    return review


# --------------------------------------------------------------------------- reminders


def deadline_reminders_send(*, today: dt.date) -> int:
    """Email each member who records EHC work about every open deadline 14 and 3 days ahead
    (leavers' records transfers included).

    Idempotent: each (person, deadline, stage) is recorded before the email goes, under a
    unique constraint, so a second run the same day (or a retried task) sends nothing."""
    members = list(
        Membership.objects.active()
        .filter(role__in=_roles_with("ehc.edit"))
        .exclude(user__email="")
        .select_related("user", "school")
    )
    by_school: dict = {}
    for m in members:
        by_school.setdefault(m.school_id, []).append(m)
    if not by_school:
        return 0
    schools = list({m.school for m in members})
    rows = sel.deadline_rows(
        plans=sel.plans_in_force(schools=schools),
        requests=sel.open_requests(schools=schools),
        profiles=sel.rule_profiles(schools=schools),
        today=today,
    ) + sel.records_transfer_rows(memberships=members, today=today)
    sent = 0
    for row in rows:
        left = row.days_left(today)
        stage = next((s for s in sorted(REMINDER_STAGES) if 0 <= left <= s), None)
        if stage is None:
            continue
        for member in by_school.get(row.school.pk, []):
            ref = f"{row.ref}:{stage}"[:120]
            try:
                with transaction.atomic():
                    EhcReminderSent.objects.create(school=row.school, user=member.user, ref=ref)
            except IntegrityError:
                continue  # already sent
            body = render_to_string(
                "reviews/deadlines_reminder_email.txt",
                {
                    "row": row,
                    "row_url": in_school(row.url, row.school),
                    "member": member,
                    "days_left": left,
                    "site_url": settings.SITE_URL,
                },
            )
            send_mail(
                # Initials only: an email can end up anywhere, the record stays in the app.
                f"{row.subject} deadline in {left} days ({_initials(row.pupil)})",
                body,
                None,
                [member.user.email],
            )
            sent += 1
    return sent


def _roles_with(capability: str) -> list[str]:
    from sencoweb import roles

    return [role for role, caps in roles.ROLE_CAPABILITIES.items() if capability in caps]


def _initials(pupil) -> str:
    return f"{pupil.first_name[:1]}{pupil.last_name[:1]}".upper()
