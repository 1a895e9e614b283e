"""Transition pack sections from the reviews and provision apps: the current support plan and
its outcomes, review history, provision history with hours and costs, and the EHC plan summary.
A builder returns None when its app does not record that data (the pack then lists the key under
`not_recorded`, so "none" and "not recorded" stay different)."""

from decimal import Decimal

LATER_SECTIONS = {
    "current_plan": "Current support plan and outcomes",
    "reviews": "Review history",
    "provision": "Provision history (hours and costs)",
    "ehc_plan": "EHC plan summary",
}


def _d(value):
    return value.isoformat() if value else None


def _money(value) -> str | None:
    return None if value is None else str(Decimal(value).quantize(Decimal("0.01")))


def current_plan(pupil):
    from reviews.models import SupportCycle
    from reviews.selectors import cycles_for_pupil

    cycles = list(cycles_for_pupil(pupil=pupil)[:1])
    if not cycles:
        return {}
    cycle = cycles[0]
    return {
        "cycle": cycle.number,
        "status": cycle.stage_label,  # "Ended: left the SEN register on ..." if it was not reviewed
        "review_date": _d(cycle.review_date),
        "teacher_assessment": cycle.teacher_assessment,
        "standardised_scores": cycle.standardised_scores,
        "pupil_views": cycle.pupil_views,
        "parent_views": cycle.parent_views,
        "outcomes": [
            {
                "area": o.area,
                "text": o.description,
                "strategies": o.strategies,
                "success_criterion": o.success_criterion,
                "target_date": _d(o.target_date),
                "status": o.get_rating_display() if o.rating else "",
            }
            for o in cycle.outcomes.all()
        ],  # fmt: skip
        "closed": cycle.status == SupportCycle.Status.CLOSED,
    }


def reviews(pupil):
    from reviews.models import AnnualReview, Review

    out = [
        {"date": _d(r.meeting_date), "kind": "Support plan review", "summary": r.summary,
         "next_step": r.get_next_step_display()}
        for r in Review.objects.filter(cycle__pupil=pupil).order_by("meeting_date")
    ]  # fmt: skip
    out += [
        {"date": _d(r.meeting_on), "kind": r.get_kind_display() + " (EHC plan)",
         "summary": r.progress, "next_step": r.get_recommendation_display() if r.recommendation else ""}
        for r in AnnualReview.objects.filter(pupil=pupil, meeting_on__isnull=False).order_by("meeting_on")
    ]  # fmt: skip
    return sorted(out, key=lambda r: r["date"] or "")


def provision(pupil):
    """One entry per place: a pupil who left a group and re-joined it has two, each with its
    own dates, measures and part of the sessions, hours and cost."""
    from provision.selectors import provision_for_pupil, stint_shares

    rows = provision_for_pupil(pupil)
    shares = stint_shares(pupil, rows)
    return [
        {"intervention": row.intervention.name, "group": str(row.group),
         "starts_on": _d(e.starts_on), "ends_on": _d(e.ends_on),
         "sessions_attended": shares[e.pk].attended, "hours": str(shares[e.pk].hours),
         "cost": _money(shares[e.pk].cost_to_date),
         "measure": row.intervention.get_measure_display() if row.intervention.measure else "",
         "entry": str(e.entry_score) if e.entry_score is not None else "",
         "exit": str(e.exit_score) if e.exit_score is not None else ""}
        for row in rows
        for e in row.stints
    ]  # fmt: skip


# Schema v2's keys for the plan's text sections (`sections` in the JSON; E, F, I and J have
# structured entries of their own). The JSON carries keys only: headings are for people.
EHC_TEXT_SECTIONS = ("a", "b", "c", "d", "g", "h1", "h2", "k")


def ehc_headings() -> dict[str, str]:
    """The headings of sections A to K, keyed a...k: the reviews app's one list of their SEND
    Regs reg 12 names (DOMAIN.md 3.3), so the pack reads like the plan page."""
    from reviews.models.ehc import SECTION_HEADINGS

    return dict(SECTION_HEADINGS)


def _last_meeting_held(reviews, plan):
    """The last annual review meeting held, whether or not the LA has decided on it yet: the
    sending school counts the next review from that meeting (reviews.services_ehc.
    pupil_next_review_sync), so the receiving school must too."""
    from django.utils import timezone

    from reviews.models import AnnualReview
    from reviews.selectors_ehc import last_review_meeting

    today = timezone.localdate()
    held = [
        r.meeting_on
        for r in reviews
        if r.kind == AnnualReview.Kind.ANNUAL and r.meeting_on and r.meeting_on <= today
    ]
    complete = last_review_meeting(reviews, plan)
    return max([*held, complete] if complete else held, default=None)


def ehc_plan(pupil):
    from reviews.models import AnnualReview, EhcPlan

    plan = (
        EhcPlan.objects.filter(pupil=pupil, status=EhcPlan.Status.ISSUED)
        .prefetch_related("outcomes", "provision_items")
        .order_by("-version")
        .first()
    )
    if plan is None:
        return {}
    reviews = AnnualReview.objects.filter(pupil=pupil)
    return {
        "la_code": plan.la_code,
        "la_name": plan.la_name,
        "la_case_officer": plan.la_case_officer,
        "version": plan.version,
        "first_issued_on": _d(plan.review_anchor),
        "issued_on": _d(plan.issued_on),
        "last_annual_review_on": _d(_last_meeting_held(reviews, plan)),
        "named_setting": plan.named_setting,
        "setting_type": plan.setting_type,
        "phase_transfer": plan.phase_transfer,
        "sections": {key: getattr(plan, f"section_{key}") for key in EHC_TEXT_SECTIONS},
        "outcomes": [
            {"area": o.area, "outcome": o.outcome, "by_when": o.by_when}
            for o in plan.outcomes.all()
        ],  # fmt: skip
        "provision": [
            {
                "provision": i.provision,
                "hours_per_week": str(i.hours_per_week) if i.hours_per_week is not None else None,
                "frequency": i.frequency,
                "provided_by": i.provided_by,
                "group_size": i.group_size,
            }
            for i in plan.provision_items.all()
        ],  # fmt: skip
        "personal_budget": {
            "type": plan.budget_type,
            "amount": _money(plan.budget_amount),
            "covers": plan.budget_covers,
        },
    }


SECTION_BUILDERS = {
    "current_plan": current_plan,
    "reviews": reviews,
    "provision": provision,
    "ehc_plan": ehc_plan,
}


def collect(pupil) -> tuple[dict, list[str]]:
    out: dict = {}
    not_recorded: list[str] = []
    for key, fn in SECTION_BUILDERS.items():
        try:
            value = fn(pupil)
        except ImportError:  # that app is not installed (or not built yet)
            value = None
        if value is None:
            not_recorded.append(key)
        # Empty plan / EHC plan dicts mean "none": the schema uses null for them.
        out[key] = value or ([] if key in ("reviews", "provision") else None)
    return out, not_recorded
