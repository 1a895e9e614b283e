"""EHC needs assessment requests, EHC plans, annual reviews, LA rule profiles and the statutory
deadlines page. Records are found through the pupil the user may see, so another school's record,
or a pupil a teacher does not teach, is a 404.

Need-to-know (DOMAIN.md 8.3): the whole record (every section of a plan, its versions and
top-up, the needs assessment requests and the LA's letters, the annual reviews) is for staff
with ehc.view_full (SENCO, head, trust lead). A teacher or TA (plans.view alone) sees the
classroom view of the plan in force of a pupil they teach: sections B, E and F and its dates;
any other EHC page is a 403 for them."""

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from pupils.access import PupilHasLeft, pupil_for_read, pupil_for_write, visible_pupils
from pupils.codes import NcYear, SenStatus
from sencoweb import jinja
from sencoweb.access import audit, capability_required, get_scoped_or_404, has_capability

from . import forms_ehc as forms
from . import selectors_ehc as sel
from . import services_ehc as services
from .models import AnnualReview, EhcPlan, EhcRequest, LaRuleProfile
from .next_review import annual_review_due
from .selectors import review_agreed, review_of_pupil

READ = ("plans.view", "ehc.edit")
FULL = "ehc.view_full"  # the whole EHC record; without it, the classroom view of a plan in force
YEAR_LABELS = dict(NcYear.choices)


def _today():
    return timezone.localdate()


def _visible(request, model):
    """Rows of `model` whose pupil this member may see."""
    return model.objects.for_school(request.school).filter(
        pupil__in=visible_pupils(request).values("pk")
    )


def _for_write(request, model, public_id):
    """A record of a pupil this member sees, to change: no ehc.edit is a 403; a pupil who has
    left is read only (PupilHasLeft, the 403 page that says why), like the register."""
    if not has_capability(request, "ehc.edit"):
        get_scoped_or_404(_visible(request, model), public_id=public_id)
        raise PermissionDenied
    record = get_scoped_or_404(
        _visible(request, model).select_related("pupil", "school"), public_id=public_id
    )
    _refuse_if_left(record.pupil)
    return record


def _refuse_if_left(pupil):
    if pupil.is_archived:
        raise PupilHasLeft(pupil)


def _may_write(request, pupil) -> bool:
    """For pages that show a record and its form together: the form only for an editor, and
    never for a pupil who has left (a POST from either is refused)."""
    can = has_capability(request, "ehc.edit")
    if request.method == "POST":
        if not can:
            raise PermissionDenied
        _refuse_if_left(pupil)
    return can and not pupil.is_archived


def _for_read(request, model, public_id):
    return get_scoped_or_404(
        _visible(request, model).select_related("pupil", "school"), public_id=public_id
    )


def _with_status(deadlines, today):
    return [{"d": d, "status": d.status(today), "days_left": d.days_left(today)} for d in deadlines]


# --------------------------------------------------------------------------- overview and pupil


@capability_required(*READ)
def ehc_overview(request):
    today = _today()
    pupils = Q(pupil__in=visible_pupils(request).values("pk"))
    plans = list(
        sel.plans_in_force(schools=[request.school], pupils=pupils).order_by("pupil__last_name")
    )
    requests = list(sel.open_requests(schools=[request.school], pupils=pupils))
    rows = sel.deadline_rows(
        plans=plans,
        requests=requests,
        profiles=sel.rule_profiles(schools=[request.school]),
        today=today,
    )
    next_by_pupil = {}
    for row in rows:
        next_by_pupil.setdefault(
            row.pupil.pk,
            {"row": row, "status": row.status(today), "days_left": row.days_left(today)},
        )
    audit(request, "view", None, summary="Viewed the EHC plans overview")
    return render(
        request,
        "reviews/ehc_overview.html",
        {
            "plans": [(p, next_by_pupil.get(p.pupil_id)) for p in plans],
            "requests": [(r, next_by_pupil.get(r.pupil_id)) for r in requests],
            "today": today,
            "can_edit": has_capability(request, "ehc.edit"),
            # Without it: the plans link to their classroom view, and no LA, named setting or
            # stage of a request is shown (its next statutory date is).
            "full": has_capability(request, FULL),
        },
    )


@capability_required(FULL)
def pupil_ehc(request, pupil_id):
    pupil = pupil_for_read(request, pupil_id)
    today = _today()
    summary = sel.pupil_ehc_summary(pupil)
    plan = summary["current_plan"]
    context = {
        "pupil": pupil,
        "today": today,
        **summary,
        "can_edit": has_capability(request, "ehc.edit"),
    }
    context["request_rows"] = [(r, _with_status(r.deadlines(), today)) for r in summary["requests"]]
    if plan is not None:
        profile = forms.profile_for_plan(plan)
        reviews = sel.reviews_of_lineage(plan)
        review, cycle = sel.review_deadlines(plan, reviews, profile=profile)
        context.update(
            open_review=review,
            review_deadlines=_with_status(cycle, today),
            transfer_deadlines=_with_status(
                sel.transfer_deadlines(plan, reviews, today=today), today
            ),
            section_f=sel.section_f_vs_delivery(plan, today=today),
        )
    audit(request, "view", pupil, summary=f"Viewed the EHC record of {pupil}")
    return render(request, "reviews/ehc_pupil.html", context)


# --------------------------------------------------------------------------- requests


@capability_required("ehc.edit")
def request_new(request, pupil_id):
    pupil = pupil_for_write(request, pupil_id, "ehc.edit")
    initial = {
        "la_code": request.school.la_code,
        "la_name": request.school.la_name,
        "requested_by": "school",
    }
    # Started from a support plan review that agreed to ask for an assessment (?review=cycle).
    try:
        cycle_id = uuid.UUID(request.GET.get("review", ""))
    except ValueError:
        cycle_id = None
    if cycle_id and (review := review_of_pupil(pupil=pupil, cycle_id=cycle_id)):
        initial["notes"] = review_agreed(review)
    form = forms.EhcRequestForm(
        request.POST or None, initial=initial, instance=EhcRequest(school=pupil.school, pupil=pupil)
    )
    if request.method == "POST" and form.is_valid():
        ehc_request = form.save(commit=False)
        ehc_request.created_by = request.user
        ehc_request.save()
        audit(
            request,
            "create",
            ehc_request,
            summary=f"Recorded an EHC needs assessment request for {pupil}",
        )
        messages.success(request, "Request recorded. The statutory dates are below.")
        return redirect("reviews:request_detail", ehc_request.public_id)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "reviews/ehc_request_form.html", {"form": form, "pupil": pupil}, status=status
    )


@capability_required(FULL)
def request_detail(request, request_id):
    ehc_request = _for_read(request, EhcRequest, request_id)
    today = _today()
    form = None
    if _may_write(request, ehc_request.pupil):
        form = forms.EhcRequestForm(request.POST or None, instance=ehc_request)
        if request.method == "POST":
            if form.is_valid():
                form.save()
                audit(
                    request,
                    "update",
                    ehc_request,
                    summary="Updated an EHC needs assessment request",
                )
                messages.success(request, "Request updated.")
                return redirect("reviews:request_detail", ehc_request.public_id)
            ehc_request.refresh_from_db()
    audit(request, "view", ehc_request, summary="Viewed an EHC needs assessment request")
    return render(
        request,
        "reviews/ehc_request_detail.html",
        {
            "ehc_request": ehc_request,
            "pupil": ehc_request.pupil,
            "deadlines": _with_status(ehc_request.deadlines(), today),
            "form": form,
            "today": today,
        },
        status=422 if form is not None and form.errors else 200,
    )


# --------------------------------------------------------------------------- plans


@require_POST
@capability_required("ehc.edit")
def plan_new(request, pupil_id):
    pupil = pupil_for_write(request, pupil_id, "ehc.edit")
    draft = EhcPlan.objects.filter(pupil=pupil, status=EhcPlan.Status.DRAFT).first()
    if draft is not None:
        return redirect("reviews:plan_edit", draft.public_id)
    in_force = EhcPlan.objects.filter(pupil=pupil, status=EhcPlan.Status.ISSUED).first()
    if in_force is not None:
        return redirect("reviews:plan_detail", in_force.public_id)
    source = EhcRequest.objects.filter(pupil=pupil).order_by("-received_on").first()
    plan = services.ehc_plan_create(
        pupil=pupil,
        by=request.user,
        ehc_request=source,
        la_code=source.la_code if source else request.school.la_code,
        la_name=source.la_name if source else request.school.la_name,
    )
    audit(request, "create", plan, summary=f"Started a draft EHC plan for {pupil}")
    return redirect("reviews:plan_edit", plan.public_id)


@capability_required(*READ)
def plan_detail(request, plan_id):
    """The whole plan, or for a teacher or TA its classroom view (the same address, so every
    link to a plan serves both)."""
    plan = _for_read(request, EhcPlan, plan_id)
    if not has_capability(request, FULL):
        return _plan_classroom(request, plan)
    today = _today()
    reviews = sel.reviews_of_lineage(plan)
    context = {
        "plan": plan,
        "pupil": plan.pupil,
        "outcomes": plan.outcomes.all(),
        "section_f": sel.section_f_vs_delivery(plan, today=today),
        "reviews": list(reversed(reviews)),
        "versions": EhcPlan.objects.filter(pupil_id=plan.pupil_id).order_by("-version"),
        "can_edit": has_capability(request, "ehc.edit") and not plan.pupil.is_archived,
        "issue_form": forms.IssuePlanForm(initial={"issued_on": today}),
        "show_delivery": plan.status == EhcPlan.Status.ISSUED,
        "today": today,
        # Top-up is money: like the budget, only for those who may see costs (SENCO, head).
        "top_ups": (
            plan.top_ups.order_by("-starts_on", "-pk")
            if has_capability(request, "provision.view_costs")
            else None
        ),
        "may_record_top_up": plan.status in (EhcPlan.Status.DRAFT, EhcPlan.Status.ISSUED),
    }
    if plan.status == EhcPlan.Status.ISSUED:
        transfer = sel.phase_transfer_of(plan, today=today)
        context["transfer"] = transfer
        context["transfer_deadlines"] = _with_status(
            sel.transfer_deadlines(plan, reviews, today=today), today
        )
    audit(request, "view", plan, summary=f"Viewed EHC plan v{plan.version} of {plan.pupil}")
    return render(request, "reviews/ehc_plan_detail.html", context)


def _plan_classroom(request, plan):
    """What a teacher or TA of the pupil needs from the plan in force (DOMAIN.md 8.3): the
    pupil's special educational needs (B), the outcomes (E) and the provision the classroom and
    interventions deliver (F, beside what the provision map recorded), and its dates. Not the
    health (C, G), social care (D, H1, H2), setting (I), personal budget (J), advice (K), views
    (A) or top-up, and not a draft, superseded or ceased version: those are a 403."""
    if plan.status != EhcPlan.Status.ISSUED:
        raise PermissionDenied
    today = _today()
    try:
        review_due = annual_review_due(plan, sel.reviews_of_lineage(plan))
    except ValueError:  # dates the engine refuses: the page still shows the plan
        review_due = None
    audit(
        request,
        "view",
        plan,
        summary=f"Viewed the classroom view of EHC plan v{plan.version} of {plan.pupil}",
    )
    return render(
        request,
        "reviews/ehc_plan_classroom.html",
        {
            "plan": plan,
            "pupil": plan.pupil,
            "outcomes": plan.outcomes.all(),
            "section_f": sel.section_f_vs_delivery(plan, today=today),
            "show_delivery": True,
            "review_due": review_due,
            "today": today,
        },
    )


@capability_required("ehc.edit")
def plan_edit(request, plan_id):
    plan = _for_write(request, EhcPlan, plan_id)
    if not plan.is_draft:
        messages.info(
            request, "An issued plan is not changed in place: start an amendment instead."
        )
        return redirect("reviews:plan_detail", plan.public_id)
    data = request.POST or None
    form = forms.EhcPlanForm(data, instance=plan)
    outcomes = forms.OutcomeFormSet(data, instance=plan, prefix="outcomes")
    provision = forms.ProvisionFormSet(data, instance=plan, prefix="provision")
    if request.method == "POST" and all(
        [form.is_valid(), outcomes.is_valid(), provision.is_valid()]
    ):
        services.ehc_plan_save(form=form, outcomes=outcomes, provision=provision)
        audit(
            request,
            "update",
            plan,
            summary=f"Edited draft EHC plan v{plan.version} of {plan.pupil}",
        )
        messages.success(request, "Draft plan saved.")
        return redirect("reviews:plan_detail", plan.public_id)
    return render(
        request,
        "reviews/ehc_plan_form.html",
        {
            "plan": plan,
            "pupil": plan.pupil,
            "form": form,
            "outcomes": outcomes,
            "provision": provision,
        },
        status=422 if request.method == "POST" else 200,
    )


@require_POST
@capability_required("ehc.edit")
def plan_issue(request, plan_id):
    plan = _for_write(request, EhcPlan, plan_id)
    form = forms.IssuePlanForm(request.POST)
    if form.is_valid():
        try:
            services.ehc_plan_issue(
                plan=plan, issued_on=form.cleaned_data["issued_on"], by=request.user
            )
        except ValueError as exc:
            messages.error(request, str(exc))
        else:
            audit(
                request, "update", plan, summary=f"Issued EHC plan v{plan.version} of {plan.pupil}"
            )
            messages.success(request, "Plan issued and in force. The pupil's status can now be E.")
    else:
        messages.error(request, " ".join(form.errors["issued_on"]))
    return redirect("reviews:plan_detail", plan.public_id)


@capability_required("ehc.edit")
def plan_cease(request, plan_id):
    """Record that the LA has ceased the plan; then on to the status decision it calls for."""
    plan = _for_write(request, EhcPlan, plan_id)
    if plan.status != EhcPlan.Status.ISSUED:
        messages.info(request, "Only the plan in force can cease.")
        return redirect("reviews:plan_detail", plan.public_id)
    form = forms.CeasePlanForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            changed = services.ehc_plan_cease(
                plan=plan,
                ceased_on=data["ceased_on"],
                reason=data["ceased_reason"],
                by=request.user,
            )
            audit(
                request,
                "update",
                plan,
                summary=f"Recorded that the EHC plan of {plan.pupil} ceased on "
                f"{data['ceased_on']:%-d %B %Y}",
                detail={"ceased_reason": data["ceased_reason"], **changed},
            )
        messages.success(request, f"The plan ceased on {data['ceased_on']:%-d %B %Y}.")
        pupil = plan.pupil
        if pupil.sen_status == SenStatus.EHCP and has_capability(request, "register.edit"):
            messages.info(
                request,
                "E needs a plan in force: record the decision on the pupil's status now.",
            )
            query = urlencode({"to": SenStatus.SUPPORT, "ceased": str(plan.public_id)})
            return redirect(f"{reverse('pupils:decision_new', args=[pupil.public_id])}?{query}")
        return redirect("reviews:plan_detail", plan.public_id)
    return render(
        request,
        "reviews/ehc_plan_cease.html",
        {"plan": plan, "pupil": plan.pupil, "form": form},
        status=422 if form.errors else 200,
    )


@require_POST
@capability_required("ehc.edit")
def plan_amend(request, plan_id):
    plan = _for_write(request, EhcPlan, plan_id)
    try:
        draft = services.ehc_plan_amend(plan=plan, by=request.user)
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("reviews:plan_detail", plan.public_id)
    audit(request, "create", draft, summary=f"Started amending the EHC plan of {plan.pupil}")
    return redirect("reviews:plan_edit", draft.public_id)


@capability_required("ehc.edit")
def plan_top_up(request, plan_id, top_up_id=None):
    """Record the top-up that comes with a plan, or change one of the plan's top-up records."""
    plan = _for_write(request, EhcPlan, plan_id)
    record = get_object_or_404(plan.top_ups.all(), pk=top_up_id) if top_up_id else None
    if record is None and plan.status not in (EhcPlan.Status.DRAFT, EhcPlan.Status.ISSUED):
        messages.info(request, "Top-up is recorded on the plan in force or on a draft.")
        return redirect("reviews:plan_detail", plan.public_id)
    form = forms.PlanTopUpForm(request.POST or None, instance=record, school=request.school)
    if request.method == "POST" and form.is_valid():
        saved = services.ehc_plan_top_up_save(plan=plan, form=form)
        audit(
            request,
            "update" if record else "create",
            saved,
            summary=f"{'Changed' if record else 'Recorded'} the top-up funding of EHC plan "
            f"v{plan.version} of {plan.pupil}",
        )
        messages.success(request, "Top-up funding saved: the SEN budget includes it.")
        return redirect("reviews:plan_detail", plan.public_id)
    if record is not None and request.method == "GET":
        audit(request, "view", record, summary=f"Opened the top-up funding of {plan.pupil} to edit")
    return render(
        request,
        "reviews/ehc_top_up_form.html",
        {"plan": plan, "pupil": plan.pupil, "form": form},
        status=422 if request.method == "POST" else 200,
    )


# --------------------------------------------------------------------------- annual reviews


@require_POST
@capability_required("ehc.edit")
def review_new(request, plan_id):
    plan = _for_write(request, EhcPlan, plan_id)
    if plan.status != EhcPlan.Status.ISSUED:
        raise Http404
    kind = request.POST.get("kind", AnnualReview.Kind.ANNUAL)
    if kind not in AnnualReview.Kind.values:
        kind = AnnualReview.Kind.ANNUAL
    existing = sel.open_review(plan, sel.reviews_of_lineage(plan)) if kind == "annual" else None
    review = existing or services.annual_review_create(plan=plan, kind=kind, by=request.user)
    if existing is None:
        audit(
            request,
            "create",
            review,
            summary=f"Opened an {review.get_kind_display().lower()} for {plan.pupil}",
        )
    return redirect("reviews:review_edit", review.public_id)


@capability_required(FULL)
def review_edit(request, review_id):
    review = _for_read(request, AnnualReview, review_id)
    plan = review.plan
    profile = forms.profile_for_plan(plan)
    can_edit = _may_write(request, review.pupil)
    form = forms.AnnualReviewForm(request.POST or None, instance=review, profile=profile)
    if request.method == "POST" and form.is_valid():
        services.annual_review_save(form=form)
        audit(
            request,
            "update",
            review,
            summary=f"Updated the {review.get_kind_display().lower()} of {review.pupil}",
        )
        messages.success(request, "Review saved.")
        return redirect("reviews:review_edit", review.public_id)
    if form.errors:
        review.refresh_from_db()
    today = _today()
    deadlines = review.deadlines(
        profile=profile, plan_issued=plan.review_anchor, pupil_dob=review.pupil.date_of_birth
    )
    audit(
        request,
        "view",
        review,
        summary=f"Viewed the {review.get_kind_display().lower()} of {review.pupil}",
    )
    return render(
        request,
        "reviews/ehc_review_form.html",
        {
            "review": review,
            "plan": plan,
            "pupil": review.pupil,
            "form": form if can_edit else None,
            "perms_cease": can_edit,
            "deadlines": _with_status(deadlines, today),
            "profile": profile,
            "outcomes": plan.outcomes.all(),
            "today": today,
        },
        status=422 if form.errors else 200,
    )


# --------------------------------------------------------------------------- LA rule profiles


@capability_required("school.settings", "ehc.edit")
def la_rules(request, profile_id=None):
    profiles = LaRuleProfile.objects.for_school(request.school)
    instance = get_object_or_404(profiles, pk=profile_id) if profile_id else None
    form = forms.LaRuleProfileForm(
        request.POST or None,
        instance=instance,
        school=request.school,
        initial=None
        if instance or profiles.filter(la_code=request.school.la_code).exists()
        else {"la_code": request.school.la_code, "la_name": request.school.la_name},
    )
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        audit(
            request,
            "update" if instance else "create",
            saved,
            summary=f"Saved the LA rules for {saved}",
        )
        messages.success(request, f"Rules for {saved} saved.")
        return redirect("reviews:la_rules")
    return render(
        request,
        "reviews/ehc_la_rules.html",
        {"profiles": profiles, "form": form, "editing": instance},
        status=422 if request.method == "POST" else 200,
    )


# --------------------------------------------------------------------------- deadlines page


@capability_required("deadlines.view")
def deadlines(request):
    today = _today()
    all_schools = request.GET.get("scope") == "all"
    memberships = (
        [m for m in request.memberships if m.can("deadlines.view")]
        if all_schools
        else [request.membership]
    )
    pupils = sel.pupil_condition(user=request.user, memberships=memberships)
    schools = [m.school for m in memberships]
    rows = sel.upcoming(
        sel.sort_rows(
            sel.deadline_rows(
                plans=sel.plans_in_force(schools=schools, pupils=pupils),
                requests=sel.open_requests(schools=schools, pupils=pupils),
                profiles=sel.rule_profiles(schools=schools),
                today=today,
            )
            + sel.records_transfer_rows(memberships=memberships, today=today)
        ),
        today=today,
    )
    rows = sel.for_viewer(rows, memberships=memberships)
    audit(
        request,
        "view",
        None,
        summary="Viewed statutory deadlines" + (" across schools" if all_schools else ""),
    )
    ctx = {
        "rows": [(r, r.status(today), r.days_left(today)) for r in rows],
        "all_schools": all_schools,
        "can_toggle": sum(1 for m in request.memberships if m.can("deadlines.view")) > 1,
        "window": sel.WINDOW_DAYS,
        "today": today,
        "years": YEAR_LABELS,
    }
    ctx["table_rows"] = jinja.partial("reviews/deadlines_rows.jinja", ctx)
    return render(request, "reviews/deadlines.html", ctx)
