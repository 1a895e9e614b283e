"""What the graduated approach plugs into lower apps: the menu, home panels, the pupil
chronology, the class-strategies hook, and the beat schedule for reminders and chasers."""

from celery.schedules import crontab
from django.urls import reverse
from django.utils import timezone


def _cycles(pupil) -> list:
    """The pupil's support plan cycles, oldest first, with their reviews, issued versions,
    outcomes and contribution links: loaded once for the chronology and the profile's card (a
    fixed handful of queries)."""
    from pupils.hooks import once_per_pupil

    from .models import SupportCycle

    return once_per_pupil(
        pupil,
        "reviews:cycles",
        lambda: list(
            SupportCycle.objects.filter(pupil=pupil)
            .select_related("review")
            .prefetch_related("versions", "outcomes", "contribution_links")
            .order_by("number")
        ),
    )


def next_review_kind_for(pupil) -> str:
    """pupils.hooks.next_review_kinds: which review the next review due is, from the cycles the
    profile loads once for its chronology and card (no query more)."""
    from .next_review import next_review_kind

    return next_review_kind(pupil, _cycles(pupil))


def chronology_for(pupil) -> list:
    """Every step of every cycle: opened, each version issued, each contribution received
    (who sent it by kind only: no names or answers here), the review. Newest first, by the
    moment each happened, so steps taken on the same day read in the order they were taken
    (the profile sorts by day only, keeping this order within a day)."""
    from pupils import hooks

    entry = hooks.ChronologyEntry
    steps = []  # (moment, entry)
    for cycle in _cycles(pupil):
        url = reverse("reviews:cycle_detail", args=[cycle.public_id])
        opened = timezone.localtime(cycle.opened_at)
        steps.append(
            (opened, entry(opened.date(), "Plan", f"Support plan {cycle.number} opened", "", url))
        )
        for version in cycle.versions.all():
            issued = timezone.localtime(version.issued_at)
            title = f"Support plan {cycle.number} issued" + (
                f" (version {version.number})" if version.number > 1 else ""
            )
            detail = version.change_note or f"Review due {version.review_date:%-d %b %Y}"
            steps.append((issued, entry(issued.date(), "Plan", title, detail, url)))
        for link in cycle.contribution_links.all():
            if link.submitted_at is None:
                continue
            received = timezone.localtime(link.submitted_at)
            title = (
                f"Views for support plan {cycle.number} received "
                f"({link.get_kind_display().lower()})"
            )
            detail = "With a report" if link.report else ""
            steps.append((received, entry(received.date(), "Plan", title, detail, url)))
        if cycle.is_ended:
            ended = timezone.localtime(cycle.closed_at) if cycle.closed_at else opened
            title = f"Support plan {cycle.number} ended: {cycle.get_ended_reason_display()}"
            detail = "Not reviewed" + (
                f"; the review had been due {cycle.review_date:%-d %b %Y}"
                if cycle.review_date
                else ""
            )
            steps.append((ended, entry(cycle.ended_on, "Plan", title, detail, url)))
        review = getattr(cycle, "review", None) if cycle.status == "closed" else None
        if review is not None:
            title = f"Support plan {cycle.number} reviewed: {review.get_next_step_display()}"
            recorded = review.recorded_at or cycle.closed_at or opened
            steps.append(
                (recorded, entry(review.meeting_date, "Review", title, review.summary, url))
            )
    steps.sort(key=lambda step: step[0], reverse=True)
    return [e for _, e in steps]


def decision_prefill(pupil, cycle_id) -> dict:
    """pupils.hooks.decision_prefills["review"]: the status decision that follows a review
    takes its date, reason and evidence from the review meeting."""
    from .selectors import review_agreed, review_of_pupil

    review = review_of_pupil(pupil=pupil, cycle_id=cycle_id)
    if review is None:
        return {}
    attendees = ", ".join(line.strip() for line in review.attendees.splitlines() if line.strip())
    initial = {
        "decided_on": review.meeting_date,
        "reason": review_agreed(review),
        "evidence": review.summary,
    }
    if attendees:
        initial["decided_by"] = f"Review meeting: {attendees}"[:200]
    return initial


def ceased_prefill(pupil, plan_id) -> dict:
    """pupils.hooks.decision_prefills["ceased"]: the status decision that follows the end of
    an EHC plan takes its date and reason from the cessation."""
    from .models import EhcPlan

    plan = EhcPlan.objects.filter(
        pupil=pupil, public_id=plan_id, status=EhcPlan.Status.CEASED
    ).first()
    if plan is None:
        return {}
    return {
        "decided_on": plan.ceased_on,
        "reason": f"The EHC plan ceased on {plan.ceased_on:%-d %B %Y}: {plan.ceased_reason}"[:500],
        "evidence": f"The LA's notice ceasing the plan ({plan.la_name}).",
    }


def strategies_for(pupils) -> dict:
    """pupils.hooks.class_strategy_sources: {pupil id: ["strategies (outcome)", ...]} from each
    pupil's issued plan, as issued. One query whatever the number of pupils."""
    from .selectors import current_strategies_for

    out = {}
    for pupil_id, plan in current_strategies_for(pupils).items():
        texts = []
        for o in plan["outcomes"]:
            strategies = (o.get("strategies") or "").strip()
            outcome = (o.get("description") or "").strip()
            if strategies:
                texts.append(f"{strategies} (for: {outcome})" if outcome else strategies)
            elif outcome:
                texts.append(f"Outcome: {outcome}")
        if texts:
            out[pupil_id] = texts
    return out


def profile_links(request, pupil) -> list:
    """pupils.hooks.profile_links: the pupil's support plans, with the current plan's outcomes
    in brief (the cycles the chronology loads)."""
    if not request.membership.can("plans.view"):
        return []
    cycles = _cycles(pupil)
    cycle = cycles[-1] if cycles else None
    if cycle is None:
        url = reverse("reviews:pupil_cycles", args=[pupil.public_id])
        return [("Support plans", url, "No support plan yet")]
    lines = [f"Support plan {cycle.number}: {cycle.stage_label}"]
    if cycle.is_open and cycle.review_date and not pupil.is_archived:
        lines[0] += f", review by {cycle.review_date:%-d %b %Y}"
    outcomes = list(cycle.outcomes.all())
    lines += [f"• {o.get_area_display()}: {o.description}" for o in outcomes[:4]]
    if len(outcomes) > 4:
        lines.append(f"and {len(outcomes) - 4} more outcomes")
    return [
        (
            "Support plans",
            reverse("reviews:pupil_cycles", args=[pupil.public_id]),
            "\n".join(lines),
        ),
        (
            # A plan reviewed or ended with none after it is the last one, not a current one.
            "Current support plan" if cycle.is_open else "Latest support plan",
            reverse("reviews:cycle_detail", args=[cycle.public_id]),
            "",
        ),
    ]


def _reviews_panel(request):
    from pupils.access import visible_pupils

    from .selectors import review_calendar

    today = timezone.localdate()
    cal = review_calendar(
        pupils=visible_pupils(request).current(), school=request.school, today=today
    )
    return {"overdue": len(cal.overdue), "this_week": len(cal.this_week), "cal": cal}


BEAT_SCHEDULE = {
    "reviews-review-reminders": {
        "task": "reviews.tasks.send_review_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "reviews-chase-contributions": {
        "task": "reviews.tasks.chase_contributions",
        "schedule": crontab(hour=7, minute=15),
    },
}


def responsible_pupil_ids(membership):
    """pupils.hooks.visibility_sources: the teacher the SENCO named responsible for a pupil's
    open support plan sees that pupil (and so the plan, its reminders' links and the class
    plans page), even if no teaching group says they teach them (CoP 6.52)."""
    from .models import SupportCycle

    return (
        SupportCycle.objects.for_school(membership.school_id)
        .open()
        .filter(teacher_responsible_id=membership.user_id)
        .values("pupil_id")
    )


def register() -> None:
    from pupils import hooks as pupil_hooks
    from sencoweb import home, nav
    from sencoweb.celery import register_beat

    nav.register("Reviews", "reviews:calendar", "plans.view", order=40)
    nav.register("Class plans", "reviews:class_plans", "register.view_taught", order=45)
    nav.register("Review settings", "reviews:settings", "plans.edit", order=49)
    home.register(
        "reviews_calendar",
        "reviews/panel_reviews.html",
        _reviews_panel,
        "plans.view",
        order=30,
    )
    pupil_hooks.add(pupil_hooks.chronology_sources, chronology_for)
    # The "my classes" page shows each pupil's plan strategies beside the profile's.
    pupil_hooks.add(pupil_hooks.class_strategy_sources, strategies_for)
    pupil_hooks.add(pupil_hooks.profile_links, profile_links)
    pupil_hooks.add(pupil_hooks.next_review_kinds, next_review_kind_for)
    pupil_hooks.add(pupil_hooks.visibility_sources, responsible_pupil_ids)
    # A status decision that takes the pupil off the register ends their open cycle; so does
    # leaving the school.
    from .services import (
        cycle_end_off_register,
        cycle_end_on_leaving,
        cycle_end_on_leaving_preview,
        cycle_end_preview,
    )

    pupil_hooks.add(pupil_hooks.off_register_handlers, cycle_end_off_register)
    pupil_hooks.add(pupil_hooks.off_register_previews, cycle_end_preview)
    pupil_hooks.add(pupil_hooks.leaving_handlers, cycle_end_on_leaving)
    pupil_hooks.add(pupil_hooks.leaving_previews, cycle_end_on_leaving_preview)
    pupil_hooks.decision_prefills["review"] = decision_prefill
    pupil_hooks.decision_prefills["ceased"] = ceased_prefill
    from . import tasks_ehc

    register_beat({**BEAT_SCHEDULE, **tasks_ehc.BEAT_SCHEDULE})
