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
        "status": cycle.get_status_display(),
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
    from provision.selectors import provision_for_pupil

    return [
        {"intervention": row.intervention.name, "group": str(row.group),
         "starts_on": _d(row.enrolment.starts_on), "ends_on": _d(row.enrolment.ends_on),
         "sessions_attended": row.share.attended, "hours": str(row.share.hours),
         "cost": _money(row.share.cost_to_date),
         "measure": row.intervention.get_measure_display() if row.intervention.measure else "",
         "entry": str(row.enrolment.entry_score) if row.enrolment.entry_score is not None else "",
         "exit": str(row.enrolment.exit_score) if row.enrolment.exit_score is not None else ""}
        for row in provision_for_pupil(pupil)
    ]  # fmt: skip


def ehc_plan(pupil):
    from reviews.models import EhcPlan

    plan = (
        EhcPlan.objects.filter(pupil=pupil, status=EhcPlan.Status.ISSUED)
        .prefetch_related("outcomes", "provision_items")
        .order_by("-version")
        .first()
    )
    if plan is None:
        return {}
    return {
        "local authority": plan.la_name,
        "first issued": _d(plan.first_issued_on or plan.issued_on),
        "this version issued": _d(plan.issued_on),
        "version": plan.version,
        "named setting": plan.named_setting,
        "special educational needs (section B)": plan.section_b,
        "outcomes (section E)": "; ".join(o.outcome for o in plan.outcomes.all()),
        "provision (section F)": "; ".join(
            f"{i.provision}" + (f" ({i.hours_per_week} h/week)" if i.hours_per_week else "")
            for i in plan.provision_items.all()
        ),
        "phase transfer": plan.get_phase_transfer_display() if plan.phase_transfer else "",
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
