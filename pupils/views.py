"""Register views: fetch and authorise (pupils.access), form, service, redirect. Every read of a
pupil record, every download and export, and every write is audited."""

import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from sencoweb import exports, jinja
from sencoweb.access import audit, capability_required, get_scoped_or_404, has_capability
from sencoweb.models import AuditEvent

from . import hooks, selectors, services
from .access import pupil_for_read, pupil_for_write, visible_pupils
from .codes import ON_REGISTER, Area, NcYear, SenStatus, SenType
from .forms import (
    SORTS,
    AccessArrangementForm,
    AgencyForm,
    ArchiveForm,
    ConcernForm,
    ContactForm,
    DecisionForm,
    DocumentForm,
    EndNeedForm,
    InvolvementForm,
    LiaisonForm,
    NeedForm,
    ProfessionalForm,
    ProfileForm,
    RegisterFilter,
    TriageForm,
)
from .models import AccessArrangement, Agency, Concern, Pupil, area_map_for

PAGE_SIZE = 100
NOT_ON_REGISTER_LIMIT = 20  # pupils not on the register that a search lists
BEFORE_YEAR_9 = (
    "The assessment was carried out before the start of Year 9. For GCSE, JCQ needs an "
    "assessment carried out no earlier than the start of Year 9: arrange a new one."
)
EXTRA_TIME_SCORES = (
    "The two scores recorded do not meet the JCQ criteria for 25% extra time (two scores of 84 "
    "or less, or one of 84 or less and one of 85-89, in two different areas of speed of "
    "working). Check the scores, or record the route the pupil qualifies by (for example an "
    "EHC plan or professional evidence) in the notes."
)
AREA_LABELS = dict(Area.choices)
TYPE_LABELS = dict(SenType.choices)
YEAR_LABELS = dict(NcYear.choices)
STATUS_LABELS = dict(SenStatus.choices)
OFF_REGISTER = (SenStatus.NONE, SenStatus.MONITORING)
# The columns a register row shows: a Pupil has some fifty, most of them long profile text.
REGISTER_ROW_FIELDS = (
    "public_id", "last_name", "first_name", "preferred_name", "upn", "nc_year", "reg_group__name",
    "sen_status", "looked_after", "pupil_premium", "fsm", "eal", "next_review_due",
)  # fmt: skip
EXPORT_HEADER = [
    "UPN",
    "Surname",
    "Forename",
    "Year",
    "Class",
    "Status",
    "Census code",
    "Primary need",
    "Secondary need",
    "Broad area",
    "Looked after",
    "Pupil premium",
    "FSM",
    "EAL",
    "Top-up funding",
    "Next review",
]


def _apply_errors(form, error: ValidationError):
    form.add_error(None, error)


def _form_page(request, *, title, form, pupil=None, submit="Save", back=None, status=200, **extra):
    context = {
        "title": title,
        "form": form,
        "pupil": pupil,
        "submit": submit,
        "back": back or (reverse("pupils:detail", args=[pupil.public_id]) if pupil else None),
        "can_register": has_capability(request, "register.view_all"),
        **extra,
    }
    if (
        pupil is not None
        and request.method == "GET"
        and getattr(form, "instance", None) is not None
        and form.instance.pk
    ):
        # An edit form shows the record it edits (family details, assessor scores): a read.
        audit(
            request,
            AuditEvent.Action.VIEW,
            form.instance,
            pupil=pupil,
            summary=f"Opened {form.instance._meta.verbose_name} of {pupil} to edit",
        )
    return render(request, "pupils/form.html", context, status=status)


# --- The register --------------------------------------------------------------------------


@capability_required("register.view_all")
def register(request):
    area_map = area_map_for(request.school)
    base = selectors.register_pupils(pupils=Pupil.objects.for_school(request.school))
    filters = RegisterFilter(
        request.GET or None, queryset=base, school=request.school, area_map=area_map
    )
    sort = request.GET.get("sort", "name")
    descending = sort.startswith("-")
    keys = SORTS.get(sort.lstrip("-"), SORTS["name"])
    pupils = filters.qs.order_by(*[f"-{k}" if descending else k for k in keys])

    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        if not has_capability(request, "register.export"):
            raise PermissionDenied
        audit(
            request,
            AuditEvent.Action.EXPORT,
            summary=f"SEN register export ({fmt})",
            detail={"filters": request.GET.dict()},
        )
        rows = (
            [
                p.upn,
                p.last_name,
                p.preferred_name or p.first_name,
                p.get_nc_year_display(),
                p.reg_group.name if p.reg_group else "",
                p.get_sen_status_display(),
                p.census_code,
                TYPE_LABELS.get(p.primary_need, ""),
                TYPE_LABELS.get(p.secondary_need, ""),
                AREA_LABELS.get(area_map.get(p.primary_need), ""),
                "Yes" if p.looked_after else "",
                "Yes" if p.pupil_premium else "",
                "Yes" if p.fsm else "",
                "Yes" if p.eal else "",
                "Yes" if p.top_up_funded else "",  # the register's Top-up flag (census)
                p.next_review_due.isoformat() if p.next_review_due else "",
            ]
            for p in pupils.annotate(
                top_up_funded=hooks.top_up_indicator(timezone.localdate())
            ).iterator(chunk_size=1000)
        )
        return exports.response(fmt, "sen-register", EXPORT_HEADER, rows)

    counts = pupils.order_by().aggregate(
        total=Count("pk"),
        K=Count("pk", filter=Q(sen_status="K")),
        E=Count("pk", filter=Q(sen_status="E")),
        M=Count("pk", filter=Q(sen_status="M")),
    )
    # The census top-up indicator (a top-up record current today) is worked out in the rows' query.
    paginator = Paginator(
        pupils.only(*REGISTER_ROW_FIELDS).annotate(
            top_up_funded=hooks.top_up_indicator(timezone.localdate())
        ),
        PAGE_SIZE,
    )
    paginator.__dict__["count"] = counts["total"]  # already counted above: one query fewer
    page = paginator.get_page(request.GET.get("page"))
    for p in page.object_list:
        p.area = AREA_LABELS.get(area_map.get(p.primary_need), "")
    rows = jinja.partial(
        "pupils/register_rows.jinja",
        {
            "pupils": page.object_list,
            "years": YEAR_LABELS,
            "statuses": STATUS_LABELS,
            "today": timezone.localdate(),
        },
    )
    # A search also finds pupils who are not on the register, so the SENCO can open their
    # profile to add a need and record the decision that puts them on it.
    search = request.GET.get("q", "").strip()
    not_on_register = (
        list(
            filters.search(
                Pupil.objects.for_school(request.school)
                .current()
                .filter(sen_status=SenStatus.NONE)
                .select_related("reg_group")
                .order_by("last_name", "first_name"),
                "q",
                search,
            )[: NOT_ON_REGISTER_LIMIT + 1]
        )
        if search
        else []
    )
    audit(request, AuditEvent.Action.VIEW, summary="Viewed the SEN register")
    return render(
        request,
        "pupils/register.html",
        {
            "filters": filters,
            "page": page,
            "rows": rows,
            "counts": counts,
            "search": search,
            "not_on_register": not_on_register[:NOT_ON_REGISTER_LIMIT],
            "more_not_on_register": len(not_on_register) > NOT_ON_REGISTER_LIMIT,
            "sort": sort,
            "can_export": has_capability(request, "register.export"),
            "columns": [
                ("name", "Pupil"),
                ("year", "Year"),
                ("class", "Class"),
                ("status", "Status"),
                ("need", "Primary need"),
                (None, "Secondary need"),
                (None, "Broad area"),
                (None, "Flags"),
                ("review", "Next review"),
            ],
        },
    )


@capability_required("register.view_taught")
def my_classes(request):
    groups = list(selectors.my_classes(school=request.school, user=request.user))
    everyone = {}
    for group in groups:
        seen = {p.pk: p for p in group.sen_registered}
        seen.update({p.pk: p for p in group.sen_pupils})
        group.sen_list = sorted(seen.values(), key=lambda p: (p.last_name, p.first_name))
        everyone.update(seen)
    # Plan strategies from higher apps (pupils.hooks.class_strategy_sources), all pupils at once.
    strategies = hooks.class_strategies(everyone.values())
    for group in groups:
        for p in group.sen_list:
            p.plan_strategies = strategies.get(p.pk, [])
    audit(request, AuditEvent.Action.VIEW, summary="Viewed My classes (SEN pupils and strategies)")
    return render(request, "pupils/my_classes.html", {"groups": groups})


# --- The pupil profile --------------------------------------------------------------------


@capability_required("register.view_all", "register.view_taught")
def pupil_detail(request, pupil_id):
    pupil = get_scoped_or_404(
        selectors.pupil_profile(pupils=visible_pupils(request), pupil_id=pupil_id),
        public_id=pupil_id,
    )
    membership = request.membership
    full = membership.can("register.view_all")
    area_map = area_map_for(request.school)
    needs = list(pupil.needs.all())
    for need in needs:
        need.area = AREA_LABELS.get(area_map.get(need.sen_type), "")
    # Reports an agency sent, listed under its involvement (both lists are prefetched).
    can_documents = membership.can("documents.view")
    for involvement in pupil.involvements.all():
        involvement.reports = [
            d for d in pupil.documents.all() if can_documents and d.involvement_id == involvement.pk
        ]
    audit(request, AuditEvent.Action.VIEW, pupil, summary=f"Viewed the profile of {pupil}")
    return render(
        request,
        "pupils/detail.html",
        {
            "pupil": pupil,
            "active_needs": [n for n in needs if n.ends_on is None],
            "past_needs": [n for n in needs if n.ends_on is not None],
            "full": full,
            "can_register": full,
            # A pupil who has left is read only: no write action but the leaving details.
            "can_edit": membership.can("register.edit") and not pupil.is_archived,
            "can_update_leaving": membership.can("register.edit") and pupil.is_archived,
            "can_privacy": membership.can("privacy.manage"),
            "can_documents": can_documents,
            "can_audit": membership.can("audit.view"),
            "can_raise": membership.can("concerns.raise") and not pupil.is_archived,
            "chronology": selectors.chronology(
                pupil=pupil, include_family=full, can=membership.can
            ),
            "plan_links": hooks.profile_links_for(request, pupil),
            # After the chronology and card: a source reuses what they loaded.
            "next_review_kind": hooks.next_review_kind(pupil),
            "today": timezone.localdate(),
        },
    )


@capability_required("audit.view")
def pupil_changes(request, pupil_id):
    """Field-level history of the record, for the SENCO and head (who changed what, when)."""
    pupil = pupil_for_read(request, pupil_id)
    audit(request, AuditEvent.Action.VIEW, pupil, summary=f"Viewed the change history of {pupil}")
    history = selectors.change_history(pupil=pupil)
    began = [v for v in history if v.kind == "History began"]
    return render(
        request,
        "pupils/changes.html",
        {
            "pupil": pupil,
            "versions": [v for v in history if v.kind != "History began"],
            # Records that existed before they kept versions: one line, not one per record.
            "began": began,
            "began_on": min((v.at for v in began), default=None),
        },
    )


@capability_required("register.edit")
def profile_edit(request, pupil_id):
    pupil = pupil_for_write(request, pupil_id)
    form = ProfileForm(request.POST or None, instance=pupil)
    if request.method == "POST" and form.is_valid():
        services.profile_update(pupil=pupil, data=form.cleaned_data, by=request.user)
        audit(request, AuditEvent.Action.UPDATE, pupil, summary="Updated the one-page profile")
        messages.success(request, "One-page profile saved.")
        return redirect("pupils:detail", pupil.public_id)
    return _form_page(
        request,
        title=f"One-page profile: {pupil.display_name}",
        form=form,
        pupil=pupil,
        intro="Written with the pupil, in their words where possible. Everyone who teaches "
        "them reads this.",
        status=422 if form.errors else 200,
    )


@capability_required("register.edit")
def decision_new(request, pupil_id):
    pupil = pupil_for_write(request, pupil_id)
    initial = {}
    if request.GET.get("to"):
        initial["to_status"] = request.GET["to"]
    concern = None
    concern_id = _uuid_or_none(request.GET.get("concern"))
    if concern_id:
        concern = (
            Concern.objects.for_school(request.school)
            .filter(public_id=concern_id, pupil=pupil)
            .first()
        )
        if concern:
            initial["reason"] = f"Concern raised by {concern.raised_by}: {concern.triage_reason}"
            initial["evidence"] = concern.evidence
    for name, prefill in hooks.decision_prefills.items():
        if record_id := _uuid_or_none(request.GET.get(name)):
            initial.update(prefill(pupil, record_id))
    initial.setdefault("decided_by", f"{request.user.get_full_name() or request.user} (SENCO)")
    form = DecisionForm(request.POST or None, pupil=pupil, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                decision = services.status_decision_record(
                    pupil=pupil, by=request.user, **form.cleaned_data
                )
                audit(
                    request,
                    AuditEvent.Action.CREATE,
                    decision,
                    summary=f"Status decision for {pupil}: {decision}",
                    pupil=pupil,
                    detail={"closed": decision.ended} if decision.ended else None,
                )
                # The concern that led here is triaged 'add to the register' only now.
                added = (
                    concern is not None
                    and decision.to_status in ON_REGISTER
                    and services.concern_added_to_register(concern=concern, by=request.user)
                )
                if added:
                    audit(
                        request,
                        AuditEvent.Action.UPDATE,
                        concern,
                        summary="Triaged a concern: Add to SEN register",
                    )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"{pupil.display_name}: {decision.get_to_status_display()}.")
            for line in decision.ended:
                messages.info(request, line)
            return redirect("pupils:detail", pupil.public_id)
    notice = {}
    leaving = request.GET.get("to") in OFF_REGISTER
    if not leaving and not pupil.needs.active().filter(rank=1).exists():
        notice = {
            "notice": f"{pupil.display_name} has no primary (rank 1) need yet: SEN support (K) "
            "and an EHC plan (E) need one.",
            "notice_url": _need_then_decision_url(pupil, request.GET),
            "notice_link": "Add the primary need first",
        }
    return _form_page(
        request,
        title=f"Change status: {pupil.display_name}",
        form=form,
        pupil=pupil,
        submit="Record the decision",
        intro=f"Current status: {pupil.get_sen_status_display()}. A status changes only "
        "through a recorded decision, kept on the pupil's history.",
        status=422 if form.errors else 200,
        **notice,
        **_off_register_warning(pupil, form),
    )


def _off_register_warning(pupil, form) -> dict:
    """What a decision taking the pupil off the register would end in other apps
    (hooks.off_register_previews), for the form to say before it is recorded. Shown while the
    chosen status is off the register (app.js follows the select)."""
    ending = hooks.off_register_preview(pupil)
    if not ending:
        return {}
    # The status posted, or proposed in the address, else the one the select starts on.
    chosen = form["to_status"].value() or next(iter(form.fields["to_status"].choices), ("",))[0]
    return {
        "off_register_warning": ending,
        "off_register_values": " ".join(OFF_REGISTER),
        "off_register_hidden": chosen not in OFF_REGISTER,
    }


def _uuid_or_none(value):
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _decision_params(query) -> dict:
    """What the status decision form takes from its address (the status proposed, the concern
    or higher app's record it follows), cleaned so it can be passed on safely."""
    params = {}
    if query.get("to") in SenStatus.values:
        params["to"] = query["to"]
    if concern := _uuid_or_none(query.get("concern")):
        params["concern"] = str(concern)
    for name in hooks.decision_prefills:
        if record_id := _uuid_or_none(query.get(name)):
            params[name] = str(record_id)
    return params


def _need_then_decision_url(pupil, query) -> str:
    """The add-a-need form, which returns to the status decision form once the need is saved."""
    params = {"then": "decision", **_decision_params(query)}
    return f"{reverse('pupils:need_add', args=[pupil.public_id])}?{urlencode(params)}"


@capability_required("register.edit")
def need_add(request, pupil_id):
    pupil = pupil_for_write(request, pupil_id)
    then_decision = request.GET.get("then") == "decision"
    form = NeedForm(request.POST or None, pupil=pupil)
    if request.method == "POST" and form.is_valid():
        try:
            need = services.need_add(
                pupil=pupil,
                by=request.user,
                **{
                    k: form.cleaned_data[k]
                    for k in ("sen_type", "rank", "starts_on", "description")
                },
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            audit(
                request, AuditEvent.Action.CREATE, need, summary=f"Need added: {need}", pupil=pupil
            )
            messages.success(request, f"Need added: {need.get_sen_type_display()}.")
            if then_decision:
                url = reverse("pupils:decision_new", args=[pupil.public_id])
                params = _decision_params(request.GET)
                return redirect(f"{url}?{urlencode(params)}" if params else url)
            return redirect("pupils:detail", pupil.public_id)
    return _form_page(
        request,
        title=f"Add a need: {pupil.display_name}",
        form=form,
        pupil=pupil,
        submit="Add need, then record the decision" if then_decision else "Add need",
        intro="Next you record the status decision." if then_decision else None,
        status=422 if form.errors else 200,
    )


def _need_for_write(request, pupil_id, need_id):
    pupil = pupil_for_write(request, pupil_id)
    need = pupil.needs.active().filter(public_id=need_id).first()
    if need is None:
        raise Http404
    return pupil, need


@capability_required("register.edit")
def need_end(request, pupil_id, need_id):
    pupil, need = _need_for_write(request, pupil_id, need_id)
    form = EndNeedForm(request.POST or None, initial={"ends_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.need_end(need=need, ends_on=form.cleaned_data["ends_on"], by=request.user)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            audit(
                request, AuditEvent.Action.UPDATE, need, summary=f"Need ended: {need}", pupil=pupil
            )
            messages.success(request, f"Need ended: {need.get_sen_type_display()}.")
            return redirect("pupils:detail", pupil.public_id)
    return _form_page(
        request,
        title=f"End need {need.get_sen_type_display()}: {pupil.display_name}",
        form=form,
        pupil=pupil,
        submit="End need",
        intro="Needs ranked below move up one place.",
        status=422 if form.errors else 200,
    )


@require_POST
@capability_required("register.edit")
def need_move_up(request, pupil_id, need_id):
    pupil, need = _need_for_write(request, pupil_id, need_id)
    try:
        services.need_move_up(need=need, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        audit(
            request, AuditEvent.Action.UPDATE, need, summary=f"Need re-ranked: {need}", pupil=pupil
        )
    return redirect(reverse("pupils:detail", args=[pupil.public_id]) + "#needs")


LEAVING_FIELDS = ("left_on", "left_for", "destination", "file_sent_on", "legal_hold")


@capability_required("register.edit")
def pupil_archive(request, pupil_id):
    """A pupil leaves: archived with a retention date that depends on where they went. For a
    pupil who has already left, the same form corrects the leaving details, records the date
    the SEN file was sent, or sets a legal hold (the one change an archived record takes)."""
    pupil = pupil_for_write(request, pupil_id, allow_archived=True)
    left = pupil.is_archived
    can_hold = has_capability(request, "privacy.manage")
    if left:
        initial = {f: getattr(pupil, f) for f in LEAVING_FIELDS}
    else:
        initial = {"left_on": timezone.localdate()}
    form = ArchiveForm(request.POST or None, initial=initial, can_hold=can_hold)
    if request.method == "POST" and form.is_valid():
        closed = []
        try:
            # The leaving, what it closes in other apps and its audit row: all or nothing.
            with transaction.atomic():
                if left:
                    changes = services.pupil_leaving_update(
                        pupil=pupil, by=request.user, **form.cleaned_data
                    )
                    audit(
                        request,
                        AuditEvent.Action.UPDATE,
                        pupil,
                        summary=f"Corrected the leaving details of {pupil}",
                        detail={f: [str(a), str(b)] for f, (a, b) in changes.items()},
                    )
                else:
                    closed = services.pupil_archive(
                        pupil=pupil, by=request.user, **form.cleaned_data
                    )
                    audit(
                        request,
                        AuditEvent.Action.UPDATE,
                        pupil,
                        summary=f"Archived {pupil} (left)",
                        detail={"closed": closed} if closed else None,
                    )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            hold = " It is on legal hold: it is kept past that date." if pupil.legal_hold else ""
            messages.success(
                request,
                f"{pupil.display_name} {'updated' if left else 'archived'}. This school keeps "
                f"their record until {pupil.retention_until:%-d %B %Y} "
                f"({pupil.retention_basis}).{hold}",
            )
            for line in closed:
                messages.info(request, line)
            return redirect("pupils:detail", pupil.public_id)
    if left and request.method == "GET":
        audit(
            request, AuditEvent.Action.VIEW, pupil, summary=f"Opened the leaving details of {pupil}"
        )
    if left:
        intro = (
            f"{pupil.display_name} left on {pupil.left_on:%-d %B %Y}. Correct the details below, "
            "or record the date their SEN file was sent to the receiving school: the retention "
            "date follows. Nothing else on the record can be changed."
        )
    else:
        intro = (
            "The pupil leaves the register; the record is kept, read only, until its retention "
            "date. If they moved to another school, the CTF and educational record must reach "
            "that school within 15 school days: record the date the SEN file was sent (now, or "
            "later from the profile)."
        )
    return _form_page(
        request,
        title=f"{'Leaving details' if left else 'Pupil has left'}: {pupil.display_name}",
        form=form,
        pupil=pupil,
        submit="Save leaving details" if left else "Archive pupil",
        intro=intro,
        status=422 if form.errors else 200,
        # What leaving will close in other apps (hooks.leaving_previews), said before saving.
        leaving_preview=[] if left else hooks.leaving_preview(pupil),
    )


# --- Concerns ------------------------------------------------------------------------------


@capability_required("concerns.raise", "concerns.triage")
def concerns(request):
    rows = selectors.concerns_for(request=request)
    triage = request.membership.can("concerns.triage")
    audit(request, AuditEvent.Action.VIEW, summary="Viewed concerns")
    return render(
        request,
        "pupils/concerns.html",
        {
            "open": [c for c in rows if c.outcome == Concern.Outcome.OPEN],
            "done": [c for c in rows if c.outcome != Concern.Outcome.OPEN][:50],
            "triage": triage,
            "can_raise": request.membership.can("concerns.raise"),
        },
    )


@capability_required("concerns.raise")
def concern_new(request):
    pupils = selectors.visible_concern_pupils(visible_pupils(request))
    initial = {"pupil": request.GET.get("pupil")} if request.GET.get("pupil") else {}
    form = ConcernForm(request.POST or None, pupils=pupils, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        concern = services.concern_raise(
            pupil=data["pupil"],
            by=request.user,
            area=data["area"],
            what_seen=data["what_seen"],
            evidence=data["evidence"],
            parents_aware=data["parents_aware"],
        )
        audit(
            request,
            AuditEvent.Action.CREATE,
            concern,
            summary=f"Raised a concern about {concern.pupil}",
        )
        messages.success(request, "Thank you: the SENCO has been told about your concern.")
        return redirect("pupils:concerns")
    # Opened from a pupil's page: Cancel goes back there, not to the list of concerns.
    came_from = _uuid_or_none(request.GET.get("pupil"))
    came_from = came_from and pupils.filter(public_id=came_from).first()
    return _form_page(
        request,
        title="Raise a concern",
        form=form,
        submit="Send to the SENCO",
        back=selectors.detail_url(came_from) if came_from else reverse("pupils:concerns"),
        intro="Describe what you have seen, not a diagnosis. The SENCO will decide the next step "
        "and tell you.",
        status=422 if form.errors else 200,
    )


@capability_required("concerns.triage")
def concern_triage(request, concern_id):
    concern = get_scoped_or_404(
        Concern.objects.for_school(request.school).select_related("pupil", "raised_by"),
        public_id=concern_id,
    )
    # A reason typed before leaving the decision form unrecorded is kept for the next try.
    initial = {"reason": concern.triage_reason} if concern.triage_reason else None
    form = TriageForm(request.POST or None, initial=initial)
    if request.method == "POST" and concern.outcome == Concern.Outcome.OPEN and form.is_valid():
        try:
            services.concern_triage(concern=concern, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            if concern.outcome != Concern.Outcome.OPEN:
                audit(
                    request,
                    AuditEvent.Action.UPDATE,
                    concern,
                    summary=f"Triaged a concern: {concern.get_outcome_display()}",
                )
            else:  # 'add to the register': done when the status decision is recorded
                pupil = concern.pupil
                query = {"to": "K", "concern": str(concern.public_id)}
                if not pupil.needs.active().filter(rank=1).exists():
                    messages.info(
                        request,
                        "Now add the pupil's primary need, then record the decision to add them "
                        "to the register.",
                    )
                    return redirect(_need_then_decision_url(pupil, query))
                messages.info(request, "Now record the decision to add the pupil to the register.")
                url = reverse("pupils:decision_new", args=[pupil.public_id])
                return redirect(f"{url}?{urlencode(query)}")
            messages.success(request, f"Concern triaged: {concern.get_outcome_display()}.")
            return redirect("pupils:concerns")
    audit(
        request, AuditEvent.Action.VIEW, concern, summary=f"Viewed a concern about {concern.pupil}"
    )
    return render(
        request,
        "pupils/concern_triage.html",
        {"concern": concern, "form": form},
        status=422 if form.errors else 200,
    )


# --- Family: contacts and liaison ---------------------------------------------------------


def _saved(request, pupil, record, *, created: bool, noun: str, anchor: str):
    audit(
        request,
        AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
        record,
        summary=f"Saved {noun} {record}",
        pupil=pupil,
    )
    return redirect(reverse("pupils:detail", args=[pupil.public_id]) + f"#{anchor}")


def _delete_link(pupil, record, url_name: str, noun: str) -> dict:
    """The edit form's way to the delete confirmation (not for new records or a left pupil)."""
    if record is None or pupil.is_archived:
        return {}
    return {
        "delete_url": reverse(url_name, args=[pupil.public_id, record.public_id]),
        "delete_noun": noun,
    }


def _delete_page(request, pupil, record, *, noun, anchor, delete, instead, details=(), notes=()):
    """GET: a confirmation page (it shows the record, so it is audited as a read). POST: the
    deletion, audited. The file of a pupil who has left is kept as it stood."""
    if pupil.is_archived:
        raise PermissionDenied
    back = reverse("pupils:detail", args=[pupil.public_id]) + f"#{anchor}"
    label = str(record)  # before the delete: it may read related rows
    if request.method == "POST":
        kept = delete()
        audit(
            request,
            AuditEvent.Action.DELETE,
            record,
            summary=f"Deleted {noun} {label} (entered by mistake)",
            pupil=pupil,
            detail={"kept_unlinked": kept} if kept else None,
        )
        messages.success(request, f"Deleted {noun}: {label}.")
        return redirect(back)
    audit(
        request,
        AuditEvent.Action.VIEW,
        record,
        summary=f"Opened {noun} of {pupil} to delete",
        pupil=pupil,
    )
    return render(
        request,
        "pupils/confirm_delete.html",
        {
            "title": f"Delete {noun}: {label}",
            "pupil": pupil,
            "noun": noun,
            "instead": instead,
            "details": [d for d in details if d[1]],
            "notes": [n for n in notes if n],
            "back": back,
            "can_register": has_capability(request, "register.view_all"),
        },
    )


@capability_required("register.edit")
def contact_edit(request, pupil_id, contact_id=None):
    pupil = pupil_for_write(request, pupil_id)
    contact = None
    if contact_id:
        contact = get_scoped_or_404(pupil.contacts, public_id=contact_id)
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        contact = form.save(commit=False)
        contact.pupil = pupil
        contact.save()
        return _saved(
            request, pupil, contact, created=not contact_id, noun="contact", anchor="family"
        )
    return _form_page(
        request,
        title=f"{'Edit' if contact else 'Add'} a parent or carer: {pupil.display_name}",
        form=form,
        pupil=pupil,
        status=422 if form.errors else 200,
        **_delete_link(pupil, contact, "pupils:contact_delete", "contact"),
    )


@require_http_methods(["GET", "POST"])
@capability_required("register.edit")
def contact_delete(request, pupil_id, contact_id):
    pupil = pupil_for_write(request, pupil_id)
    contact = get_scoped_or_404(pupil.contacts, public_id=contact_id)
    logged = contact.liaison.count()
    return _delete_page(
        request,
        pupil,
        contact,
        noun="parent or carer",
        anchor="family",
        delete=lambda: services.contact_delete(contact=contact, by=request.user),
        instead="For a new phone number or address, edit the contact instead.",
        details=[
            ("Relationship", contact.relationship),
            ("Phone", contact.phone),
            ("Email", contact.email),
        ],
        notes=[
            logged
            and f"{logged} liaison log {'entry names' if logged == 1 else 'entries name'} "
            f"{contact.name}. The {'entry stays' if logged == 1 else 'entries stay'} in the log "
            "without the name."
        ],
    )


@capability_required("register.edit")
def liaison_add(request, pupil_id):
    pupil = pupil_for_write(request, pupil_id)
    form = LiaisonForm(request.POST or None, pupil=pupil)
    if request.method == "POST" and form.is_valid():
        entry = form.save(commit=False)
        entry.pupil = pupil
        entry.recorded_by = request.user
        entry.save()
        audit(
            request,
            AuditEvent.Action.CREATE,
            entry,
            summary=f"Liaison logged: {entry}",
            pupil=pupil,
        )
        return redirect(reverse("pupils:detail", args=[pupil.public_id]) + "#family")
    return _form_page(
        request,
        title=f"Log contact with the family: {pupil.display_name}",
        form=form,
        pupil=pupil,
        status=422 if form.errors else 200,
    )


@require_POST
@capability_required("register.edit")
def liaison_done(request, pupil_id, entry_id):
    pupil = pupil_for_write(request, pupil_id)
    entry = get_scoped_or_404(pupil.liaison, public_id=entry_id)
    entry.follow_up_done_on = timezone.localdate()
    entry.save(update_fields=["follow_up_done_on"])
    audit(request, AuditEvent.Action.UPDATE, entry, summary="Follow-up done", pupil=pupil)
    return redirect(reverse("pupils:detail", args=[pupil.public_id]) + "#family")


# --- Agencies ------------------------------------------------------------------------------


@capability_required("register.view_all")
def agencies(request):
    rows = selectors.agencies_for(school=request.school)
    return render(
        request,
        "pupils/agencies.html",
        {"agencies": rows, "can_edit": has_capability(request, "register.edit")},
    )


@capability_required("register.edit")
def agency_edit(request, agency_id=None):
    agency = None
    if agency_id:
        agency = get_scoped_or_404(Agency.objects.for_school(request.school), public_id=agency_id)
    form = AgencyForm(request.POST or None, instance=agency)
    if request.method == "POST" and form.is_valid():
        agency = form.save(commit=False)
        agency.school = request.school
        if (
            Agency.objects.for_school(request.school)
            .filter(name=agency.name)
            .exclude(pk=agency.pk)
            .exists()
        ):
            form.add_error("name", "There is already an agency with this name.")
        else:
            agency.save()
            audit(request, AuditEvent.Action.UPDATE, agency, summary=f"Saved agency {agency}")
            return redirect("pupils:agencies")
    return _form_page(
        request,
        title="Edit agency" if agency else "Add an agency",
        form=form,
        back=reverse("pupils:agencies"),
        status=422 if form.errors else 200,
    )


@capability_required("register.edit")
def professional_add(request, agency_id):
    agency = get_scoped_or_404(Agency.objects.for_school(request.school), public_id=agency_id)
    form = ProfessionalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        pro = form.save(commit=False)
        pro.agency = agency
        pro.save()
        audit(request, AuditEvent.Action.CREATE, pro, summary=f"Added professional {pro}")
        return redirect("pupils:agencies")
    return _form_page(
        request,
        title=f"Add a professional: {agency.name}",
        form=form,
        back=reverse("pupils:agencies"),
        status=422 if form.errors else 200,
    )


@capability_required("register.edit")
def involvement_edit(request, pupil_id, involvement_id=None):
    pupil = pupil_for_write(request, pupil_id)
    involvement = None
    if involvement_id:
        involvement = get_scoped_or_404(pupil.involvements, public_id=involvement_id)
    form = InvolvementForm(request.POST or None, instance=involvement, school=request.school)
    if request.method == "POST" and form.is_valid():
        involvement = form.save(commit=False)
        involvement.pupil = pupil
        involvement.save()
        return _saved(
            request,
            pupil,
            involvement,
            created=not involvement_id,
            noun="agency involvement",
            anchor="agencies",
        )
    return _form_page(
        request,
        title=f"{'Update' if involvement else 'Record'} an agency involvement: {pupil.display_name}",
        form=form,
        pupil=pupil,
        status=422 if form.errors else 200,
        **_delete_link(pupil, involvement, "pupils:involvement_delete", "involvement"),
    )


@require_http_methods(["GET", "POST"])
@capability_required("register.edit")
def involvement_delete(request, pupil_id, involvement_id):
    pupil = pupil_for_write(request, pupil_id)
    involvement = get_scoped_or_404(
        pupil.involvements.select_related("agency", "professional"), public_id=involvement_id
    )
    documents = [d.title for d in involvement.documents.all()]
    return _delete_page(
        request,
        pupil,
        involvement,
        noun="agency involvement",
        anchor="agencies",
        delete=lambda: services.involvement_delete(involvement=involvement, by=request.user),
        instead="When the agency discharges the pupil, update the involvement instead: the "
        "referral stays on the pupil's chronology.",
        details=[
            ("Referred", f"{involvement.referral_date:%-d %b %Y}"),
            ("Professional", involvement.professional and involvement.professional.name),
        ],
        notes=[
            documents
            and "Documents attached to it stay on the pupil's file, no longer linked to the "
            f"agency: {', '.join(documents)}."
        ],
    )


# --- Documents -----------------------------------------------------------------------------


@capability_required("register.edit")
def document_upload(request, pupil_id):
    pupil = pupil_for_write(request, pupil_id)
    initial = {}
    if involvement_id := _uuid_or_none(request.GET.get("involvement")):
        initial["involvement"] = pupil.involvements.filter(public_id=involvement_id).first()
    form = DocumentForm(request.POST or None, request.FILES or None, pupil=pupil, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.document_upload(
                pupil=pupil,
                upload=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
                dated=form.cleaned_data["dated"],
                involvement=form.cleaned_data["involvement"],
                by=request.user,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            audit(
                request,
                AuditEvent.Action.CREATE,
                document,
                summary=f"Uploaded {document}",
                pupil=pupil,
            )
            messages.success(request, f"Uploaded {document.title}.")
            return redirect(reverse("pupils:detail", args=[pupil.public_id]) + "#documents")
    return _form_page(
        request,
        title=f"Upload a document: {pupil.display_name}",
        form=form,
        pupil=pupil,
        submit="Upload",
        multipart=True,
        status=422 if form.errors else 200,
    )


@capability_required("documents.view")
def document_download(request, pupil_id, document_id):
    pupil = pupil_for_read(request, pupil_id)
    document = get_scoped_or_404(pupil.documents, public_id=document_id)
    audit(request, AuditEvent.Action.DOWNLOAD, document, summary=f"Opened {document}", pupil=pupil)
    ext = document.original_name.rsplit(".", 1)[-1].lower()
    response = FileResponse(
        document.file.open("rb"),
        content_type=document.content_type,
        as_attachment=ext == "docx",
        filename=f"{document.title[:80]}.{ext}",
    )
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Access arrangements -------------------------------------------------------------------


@capability_required("register.edit")
def access_arrangement_edit(request, pupil_id, arrangement_id=None):
    pupil = pupil_for_write(request, pupil_id)
    arrangement = None
    if arrangement_id:
        arrangement = get_scoped_or_404(pupil.access_arrangements, public_id=arrangement_id)
    form = AccessArrangementForm(request.POST or None, instance=arrangement)
    if request.method == "POST" and form.is_valid():
        arrangement = form.save(commit=False)
        arrangement.pupil = pupil
        arrangement.route = ""  # re-derived from the kind
        services.access_arrangement_save(arrangement=arrangement, by=request.user)
        if arrangement.assessed_before_year_9:
            messages.warning(request, BEFORE_YEAR_9)
        if arrangement.extra_time_scores_fall_short:
            messages.warning(request, EXTRA_TIME_SCORES)
        return _saved(
            request,
            pupil,
            arrangement,
            created=not arrangement_id,
            noun="access arrangement",
            anchor="access",
        )
    return _form_page(
        request,
        title=f"Exam access arrangement: {pupil.display_name}",
        form=form,
        pupil=pupil,
        intro="Arrangements must reflect the pupil's normal way of working. 25% extra time "
        "needs two below-average scores (84 or less), or one of 84 or less and one of 85-89, "
        "in two different areas of speed of working.",
        status=422 if form.errors else 200,
        **_delete_link(pupil, arrangement, "pupils:access_delete", "arrangement"),
    )


@require_http_methods(["GET", "POST"])
@capability_required("register.edit")
def access_arrangement_delete(request, pupil_id, arrangement_id):
    pupil = pupil_for_write(request, pupil_id)
    arrangement = get_scoped_or_404(pupil.access_arrangements, public_id=arrangement_id)
    return _delete_page(
        request,
        pupil,
        arrangement,
        noun="access arrangement",
        anchor="access",
        delete=lambda: services.access_arrangement_delete(arrangement=arrangement, by=request.user),
        instead="For a renewal or a new assessment, edit the arrangement instead.",
        details=[
            ("Route", arrangement.get_route_display()),
            ("Approved", arrangement.approved_on and f"{arrangement.approved_on:%-d %b %Y}"),
            ("AAO reference", arrangement.aao_reference),
        ],
        notes=[
            arrangement.aao_reference
            and "It has an AAO reference: withdraw the application in Access Arrangements "
            "Online too if it was made by mistake."
        ],
    )


@capability_required("register.view_all")
def access_arrangements(request):
    today = timezone.localdate()
    rows = list(
        AccessArrangement.objects.filter(
            pupil__school=request.school, pupil__archived_at__isnull=True
        )
        .select_related("pupil")
        .order_by("expires_on", "pupil__last_name")
    )
    expiring = list(selectors.access_arrangements_expiring(school=request.school, today=today))
    audit(request, AuditEvent.Action.VIEW, summary="Viewed exam access arrangements")
    return render(
        request,
        "pupils/access_arrangements.html",
        {
            "rows": rows,
            "expiring": expiring,
            "before_year_9": [aa for aa in rows if aa.assessed_before_year_9],
            "today": today,
        },
    )
