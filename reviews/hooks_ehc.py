"""What the EHC part of the reviews app plugs into the lower floors: the register's check that an
issued plan exists (census rule for status E), the menu, and the reminder task."""


def _has_issued_plan(pupil) -> bool:
    from .models import EhcPlan

    return EhcPlan.objects.filter(pupil=pupil, status=EhcPlan.Status.ISSUED).exists()


def _pupils_with_issued_plan(pupils) -> set[int]:
    """The bulk form the census asks for (pupils.census.pupil_ids_with_ehc_plan): the ids of
    these pupils with an issued plan, in one query whatever their number."""
    from .models import EhcPlan

    ids = [p.pk for p in pupils]
    if not ids:
        return set()
    return set(
        EhcPlan.objects.filter(pupil_id__in=ids, status=EhcPlan.Status.ISSUED)
        .values_list("pupil_id", flat=True)
        .distinct()
    )


_has_issued_plan.many = _pupils_with_issued_plan


def _plans(pupil) -> list:
    """The pupil's EHC plans, newest version first, loaded once for the chronology and card."""
    from pupils.hooks import once_per_pupil

    from .models import EhcPlan

    return once_per_pupil(
        pupil,
        "reviews:ehc_plans",
        lambda: list(EhcPlan.objects.filter(pupil=pupil).order_by("-version")),
    )


FULL = "ehc.view_full"


def chronology(pupil) -> list:
    """EHC events for the pupil's chronology: requests and the LA's steps, plans, reviews.

    Need-to-know (DOMAIN.md 8.3): only staff who see the whole EHC record (ehc.view_full) see
    the needs assessment, the LA's decisions and the annual reviews. A teacher or TA sees that
    a plan was issued, amended or ceased, with no detail (the named setting is section I, the
    reason a plan ceased is the LA's letter), linked only to the plan in force: its classroom
    view is the one version they may open."""
    from django.urls import reverse

    from pupils.hooks import ChronologyEntry as E

    from .models import AnnualReview, EhcPlan, EhcRequest

    out = []
    for r in EhcRequest.objects.filter(pupil=pupil):
        url = reverse("reviews:request_detail", args=[r.public_id])
        steps = [
            (r.received_on, f"EHC needs assessment requested ({r.get_requested_by_display()})"),
            (
                r.decision_to_assess_on,
                "LA decided to assess" if r.decided_to_assess else "LA decided not to assess",
            ),
            (r.draft_issued_on, "Draft EHC plan issued"),
            (r.decision_not_to_issue_on, "LA decided not to issue an EHC plan"),
        ]
        out += [
            E(day, "EHC", title, r.la_name, url, capability=FULL) for day, title in steps if day
        ]
    for p in reversed(_plans(pupil)):
        if not p.issued_on:
            continue
        title = (
            "EHC plan issued"
            if p.version == 1
            else f"Amended EHC plan issued (version {p.version})"
        )
        url = reverse("reviews:plan_detail", args=[p.public_id])
        in_force_url = url if p.status == EhcPlan.Status.ISSUED else ""
        out.append(
            E(
                p.issued_on,
                "EHC",
                title,
                p.named_setting,
                url,
                capability=FULL,
                otherwise=E(p.issued_on, "EHC", title, url=in_force_url),
            )
        )
        if p.ceased_on:
            ceased = "EHC plan ceased"
            out.append(
                E(
                    p.ceased_on,
                    "EHC",
                    ceased,
                    p.ceased_reason,
                    url,
                    capability=FULL,
                    otherwise=E(p.ceased_on, "EHC", ceased),
                )
            )
    for v in AnnualReview.objects.filter(pupil=pupil, meeting_on__isnull=False):
        detail = f"LA decided to {v.get_la_outcome_display().lower()}" if v.la_outcome else ""
        url = reverse("reviews:review_edit", args=[v.public_id])
        title = f"{v.get_kind_display()} meeting"
        out.append(E(v.meeting_on, "EHC", title, detail, url, capability=FULL))
    return out


def profile_links(request, pupil) -> list:
    """pupils.hooks.profile_links: the pupil's EHC record, with the state of the latest plan
    (the plans the chronology loads). A member who sees only the classroom view of a plan
    (plans.view without ehc.view_full) is linked to the plan in force, if there is one."""
    from django.urls import reverse

    from .models import EhcPlan

    membership = request.membership
    if not (membership.can("plans.view") or membership.can("ehc.edit")):
        return []
    plan = next((p for p in _plans(pupil) if p.status != EhcPlan.Status.DRAFT), None)
    if not membership.can(FULL):
        if plan is None or plan.status != EhcPlan.Status.ISSUED:
            return []
        detail = f"In force, issued {plan.issued_on:%-d %b %Y}" if plan.issued_on else ""
        return [
            (
                "EHC plan: outcomes and provision",
                reverse("reviews:plan_detail", args=[plan.public_id]),
                detail,
            )
        ]
    detail = ""
    if plan is not None and plan.status == EhcPlan.Status.ISSUED and plan.issued_on:
        detail = f"EHC plan in force, issued {plan.issued_on:%-d %b %Y}"
        if plan.imported_from:
            detail += f" (imported from {plan.imported_from})"
    elif plan is not None:
        detail = f"EHC plan: {plan.get_status_display()}"
    elif pupil.sen_status == "E":
        detail = "Coded E but no EHC plan is recorded"
    return [
        (
            "EHC needs assessment and plan",
            reverse("reviews:pupil_ehc", args=[pupil.public_id]),
            detail,
        )
    ]


def deadlines_panel(request) -> dict:
    """Home page: overdue and due-soon statutory EHC deadlines for the pupils this member sees."""
    from django.utils import timezone

    from . import selectors_ehc as sel
    from .deadlines import DUE_SOON_DAYS

    today = timezone.localdate()
    pupils = sel.pupil_condition(user=request.user, memberships=[request.membership])
    schools = [request.school]
    rows = sel.sort_rows(
        sel.deadline_rows(
            plans=sel.plans_in_force(schools=schools, pupils=pupils),
            requests=sel.open_requests(schools=schools, pupils=pupils),
            profiles=sel.rule_profiles(schools=schools),
            today=today,
        )
        + sel.records_transfer_rows(memberships=[request.membership], today=today)
    )
    open_rows = [r for r in rows if r.days_left(today) <= DUE_SOON_DAYS]
    return {
        "overdue": sum(1 for r in open_rows if r.days_left(today) < 0),
        "due_soon": sum(1 for r in open_rows if r.days_left(today) >= 0),
        "first": next((r for r in open_rows if r.days_left(today) >= 0), None),
    }


def register() -> None:
    from pupils import hooks
    from sencoweb import home, nav

    from . import tasks_ehc  # noqa: F401  (autodiscover imports only reviews/tasks.py)

    hooks.add(hooks.ehc_plan_checkers, _has_issued_plan)
    hooks.add(hooks.chronology_sources, chronology)
    hooks.add(hooks.profile_links, profile_links)
    nav.register("EHC plans", "reviews:ehc_overview", "plans.view", "ehc.edit", order=40)
    nav.register("Deadlines", "reviews:deadlines", "deadlines.view", order=45)
    home.register(
        "ehc_deadlines", "reviews/deadlines_panel.html", deadlines_panel, "deadlines.view", order=25
    )
