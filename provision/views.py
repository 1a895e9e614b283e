"""Provision map views: fetch and authorise, form, service, redirect. Staff rates and costs are
shown only with provision.view_costs; a group or pupil the member may not see is a 404."""

import datetime as dt
from itertools import groupby
from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from pupils.access import pupil_for_read, visible_pupils
from pupils.codes import Area
from sencoweb import jinja
from sencoweb.access import audit, capability_required, get_scoped_or_404, has_capability
from sencoweb.models import CalendarDays, Membership, calendar_days

from . import costs, selectors, services
from .forms import (
    BudgetForm,
    EnrolForm,
    GroupForm,
    InterventionForm,
    MeasuresForm,
    QualificationForm,
    RateForm,
    SessionForm,
    TopUpForm,
    TrainingForm,
)
from .models import (
    Enrolment,
    Intervention,
    ProvisionGroup,
    SenBudget,
    SencoQualification,
    TrainingRecord,
)


def _ctx(request, **extra):
    return {
        "can_costs": has_capability(request, "provision.view_costs"),
        # A person's pay is the SENCO's and head's business (issue 6), not a trust lead's, who
        # sees costs: staff.manage is what those two have and the trust lead has not.
        "can_rates": has_capability(request, "provision.view_costs")
        and has_capability(request, "staff.manage"),
        "can_manage": has_capability(request, "provision.manage"),
        # Whose timetable one may open (staff_timetable): one's own, or anyone's with these.
        "can_timetables": has_capability(request, "register.view_all")
        or has_capability(request, "provision.manage"),
        **extra,
    }


def _today(request) -> dt.date:
    return timezone.localdate()


def _group_for_read(request, group_id):
    groups = selectors.groups_for(request.membership, pupils=visible_pupils(request))
    return get_scoped_or_404(groups, public_id=group_id)


def _group_for_log(request, group_id):
    group = get_scoped_or_404(selectors.group_queryset(request.school), public_id=group_id)
    if not services.can_log(request.membership, group):
        raise Http404  # not their group: as if it did not exist
    return group


def _form(request, template, status=200, **ctx):
    return render(request, template, _ctx(request, **ctx), status=status)


# --- the map ------------------------------------------------------------------------------


@capability_required("provision.view")
def provision_map(request):
    today = _today(request)
    filters = selectors.map_filters(request.GET)
    data = selectors.provision_map(
        request.school, pupils=visible_pupils(request), today=today, **filters
    )
    ctx = _ctx(
        request, **data, **filters, groupings=selectors.MAP_GROUPINGS, areas=Area.choices,
        today=today, can_build_pdf=has_capability(request, "reports.build"),
    )  # fmt: skip
    ctx["map_sections"] = jinja.partial("provision/map_sections.jinja", ctx)
    audit(request, "view", None, summary="Viewed the provision map")
    return render(request, "provision/map.html", ctx)


# --- interventions ------------------------------------------------------------------------


@capability_required("provision.view")
def interventions(request):
    items = Intervention.objects.for_school(request.school).order_by("area", "wave", "name")
    return render(request, "provision/interventions.html", _ctx(request, interventions=items))


@capability_required("provision.manage")
def intervention_new(request):
    form = InterventionForm(request.POST or None, school=request.school)
    if request.method == "POST" and form.is_valid():
        intervention = form.save()
        audit(request, "create", intervention)
        messages.success(request, f"{intervention.name} added to the catalogue.")
        return redirect("provision:interventions")
    status = 422 if request.method == "POST" else 200
    return _form(
        request,
        "provision/form.html",
        status,
        form=form,
        title="New intervention",
        back="provision:interventions",
    )


@capability_required("provision.manage")
def intervention_edit(request, intervention_id):
    intervention = get_scoped_or_404(
        Intervention.objects.for_school(request.school), public_id=intervention_id
    )
    form = InterventionForm(request.POST or None, instance=intervention, school=request.school)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit(request, "update", intervention)
        messages.success(request, "Intervention saved.")
        return redirect("provision:interventions")
    status = 422 if request.method == "POST" else 200
    return _form(
        request,
        "provision/form.html",
        status,
        form=form,
        title=f"Edit {intervention.name}",
        back="provision:interventions",
    )


@capability_required("provision.view")
def effectiveness(request):
    rows = selectors.intervention_effectiveness(request.school)
    any_pupils = any(r["pupils"] for r in rows)
    return render(
        request, "provision/effectiveness.html", _ctx(request, rows=rows, any_pupils=any_pupils)
    )


# --- groups -------------------------------------------------------------------------------


@capability_required("provision.manage")
def group_new(request):
    initial = {}
    intervention_id = request.GET.get("intervention")
    if intervention_id:
        found = Intervention.objects.for_school(request.school).filter(public_id=intervention_id)
        intervention = found.first() if _is_uuid(intervention_id) else None
        if intervention:
            initial = {
                "intervention": intervention,
                "session_minutes": intervention.session_minutes,
            }
    form = GroupForm(request.POST or None, school=request.school, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "pupils"}
        try:
            group = services.group_create(
                school=request.school,
                data=data,
                pupils=form.cleaned_data["pupils"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            audit(request, "create", group, summary=f"Provision group {group.title}")
            messages.success(request, "Group set up.")
            return redirect("provision:group", group.public_id)
    status = 422 if request.method == "POST" else 200
    return _form(
        request,
        "provision/form.html",
        status,
        form=form,
        title="New provision group",
        back="provision:map",
    )


def _is_uuid(value) -> bool:
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


@capability_required("provision.view")
def group_detail(request, group_id):
    group = _group_for_read(request, group_id)
    today = _today(request)
    stats = selectors.group_stats([group], school=request.school, today=today)[group.pk]
    shares = selectors.pupil_shares([group], {group.pk: stats}, until=today)
    visible = set(
        visible_pupils(request)
        .filter(provision_enrolments__group=group)
        .values_list("pk", flat=True)
    )
    # One entry per pupil, with their places (a pupil who left and re-joined has two) and their
    # share of the group over all of them.
    places = selectors.stints_by_pupil(e for e in group.enrolments.all() if e.pupil_id in visible)
    enrolments = [
        {"pupil": stints[0].pupil, "stints": stints, "share": shares[(group.pk, pupil_id)]}
        for pupil_id, stints in places.items()
    ]
    sessions = list(group.sessions.prefetch_related("attended").order_by("-date")[:60])
    audit(request, "view", group, summary=f"Provision group {group.title}")
    return render(
        request,
        "provision/group.html",
        _ctx(
            request,
            group=group,
            stats=stats,
            enrolments=enrolments,
            sessions=sessions,
            can_log=services.can_log(request.membership, group),
            runs_today=group.runs_on(today),
            today=today,
        ),
    )


@capability_required("provision.manage")
def group_edit(request, group_id):
    group = get_scoped_or_404(selectors.group_queryset(request.school), public_id=group_id)
    form = GroupForm(request.POST or None, instance=group, school=request.school)
    if request.method == "POST" and form.is_valid():
        services.group_update(group=form.save(commit=False), today=_today(request))
        audit(request, "update", group, summary=f"Provision group {group.title}")
        messages.success(request, "Group saved.")
        return redirect("provision:group", group.public_id)
    status = 422 if request.method == "POST" else 200
    return _form(
        request,
        "provision/form.html",
        status,
        form=form,
        title=f"Edit {group.title}",
        back_url=group,
    )


@capability_required("provision.manage")
def group_enrol(request, group_id):
    group = get_scoped_or_404(selectors.group_queryset(request.school), public_id=group_id)
    form = EnrolForm(
        request.POST or None,
        school=request.school,
        group=group,
        initial={"starts_on": min(max(group.starts_on, _today(request)), group.ends_on)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            enrolment = services.enrolment_add(
                group=group,
                pupil=form.cleaned_data["pupil"],
                starts_on=form.cleaned_data["starts_on"],
            )
        except ValidationError as exc:  # a place of theirs in the group overlaps the date
            _add_errors(form, exc)
        else:
            audit(request, "create", enrolment, summary=f"Enrolled in {group.title}")
            messages.success(request, f"{enrolment.pupil.display_name} enrolled.")
            return redirect("provision:group", group.public_id)
    status = 422 if request.method == "POST" else 200
    return _form(
        request,
        "provision/form.html",
        status,
        form=form,
        title=f"Enrol a pupil in {group.title}",
        back_url=group,
    )


@capability_required("provision.manage")
def enrolment_edit(request, enrolment_id):
    enrolment = get_scoped_or_404(
        Enrolment.objects.filter(group__school=request.school).select_related(
            "group__intervention", "pupil"
        ),
        public_id=enrolment_id,
    )
    form = MeasuresForm(request.POST or None, instance=enrolment)
    if request.method == "POST" and form.is_valid():
        try:
            services.enrolment_save(enrolment=form.save(commit=False))
        except ValidationError as exc:  # its new end date runs into a later place
            _add_errors(form, exc)
        else:
            audit(request, "update", enrolment, summary="Entry/exit measures")
            messages.success(request, "Measures saved.")
            return redirect("provision:group", enrolment.group.public_id)
    status = 422 if request.method == "POST" else 200
    return _form(
        request,
        "provision/form.html",
        status,
        form=form,
        title=f"{enrolment.pupil.display_name}: {enrolment.group.title}",
        intro=f"Measure: {enrolment.group.intervention.get_measure_display() or 'not set'}",
        back_url=enrolment.group,
    )


# --- the session register -----------------------------------------------------------------


def _day(request) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return _today(request)


# Not kept by the browser: coming back to the page (the Back button, after logging an older day
# from its list) fetches it again, so a session just logged is not still listed as not logged.
@never_cache
@capability_required("provision.log_session")
def today(request):
    day = _day(request)
    real_today = _today(request)
    if day > real_today:
        day = real_today
    # The groups of the reminder's two weeks cover the day shown too, unless it is older.
    since, _ = selectors.unlogged_window(real_today)
    groups = selectors.delivered_groups(request.membership, min(since, day), real_today)
    sessions = selectors.today_sessions(request.membership, day, groups)
    days = calendar_days([request.school]).get(request.school.pk, CalendarDays())
    day_off = selectors.day_off(request.school, day, days)
    show_all = request.GET.get("all") == "1"
    hidden = 0
    if day_off and not show_all:
        # Nothing is planned on a closure day or in a holiday: keep only what was logged.
        hidden = sum(1 for item in sessions if not item["log"])
        sessions = [item for item in sessions if item["log"]]
    cards = [_card_html(request, {**item, "form": _session_form(item)}, day) for item in sessions]
    audit(request, "view", None, summary=f"Viewed the sessions of {day:%-d %B %Y}")
    return render(
        request,
        "provision/today.html",
        _ctx(
            request,
            cards=cards,
            day_off=day_off,
            hidden=hidden,
            **_unlogged(request, real_today, groups, days),
            day=day,
            is_today=day == real_today,
            prev_day=_school_day(day, -1),
            next_day=_school_day(day, 1) if day < real_today else None,
        ),
    )


def _unlogged(request, real_today, groups=None, days=None) -> dict:
    """The Today page's list of sessions not logged yet, grouped by day (each day one tap
    away). `groups`, `days`: delivered_groups() and calendar_days() if already loaded."""
    if days is None:
        days = calendar_days([request.school]).get(request.school.pk, CalendarDays())
    unlogged = selectors.unlogged_sessions(
        request.membership, real_today, selectors.calendar_for(request.school, days), groups
    )
    unlogged_days = [
        (d, [group for _, group in items]) for d, items in groupby(unlogged, key=lambda i: i[0])
    ]
    return {"unlogged": len(unlogged), "unlogged_days": unlogged_days}


def _on_today_page(request) -> bool:
    """The htmx request was sent from the Today page (htmx names the page it is on)."""
    page = urlsplit(request.headers.get("HX-Current-URL", "")).path
    return page == reverse("provision:today")


def _school_day(day, step):
    day += dt.timedelta(days=step)
    while day.weekday() > 4:
        day += dt.timedelta(days=step)
    return day


def _session_form(item, data=None):
    log = item["log"]
    pupils = [e.pupil for e in item["pupils"]]
    initial = {"held": "1", "attended": [str(p.pk) for p in pupils]}
    if log:
        initial = {
            "held": "1" if log.status == "held" else "0",
            "reason": log.reason,
            "note": log.note,
            "attended": [str(p.pk) for p in log.attended.all()],
        }
    return SessionForm(data, pupils=pupils, initial=initial)


def _card(request, group, day, *, form=None, status=200, saved=False):
    items = [
        i for i in selectors.today_sessions(request.membership, day) if i["group"].pk == group.pk
    ]
    if not items:  # the SENCO logging a group that is not theirs
        enrolled = [e for e in group.enrolments.all() if e.active_on(day)]
        log = group.sessions.filter(date=day).prefetch_related("attended").first()
        items = [{"group": group, "log": log, "pupils": enrolled}]
    item = items[0]
    item["form"] = form or _session_form(item)
    html = str(_card_html(request, item, day, saved=saved))
    if saved and _on_today_page(request):
        # The day just logged leaves the list of sessions not logged yet, swapped out of band,
        # so it is not still there to tap until the page is reloaded.
        html += render_to_string(
            "provision/_unlogged.html", {"oob": True, **_unlogged(request, _today(request))}
        )
    return HttpResponse(html, status=status)


def _card_html(request, item, day, *, saved=False):
    return jinja.partial(
        "provision/session_card.jinja", {"item": item, "day": day, "saved": saved}, request
    )


def _parse_day(value):
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Http404 from None


def _add_errors(form, exc: ValidationError) -> None:
    """The service's refusals next to the field they are about; the rest (the date) on top."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@require_POST
@capability_required("provision.log_session")
def session_quick(request, group_id, date):
    """One tap: held, everyone here."""
    group = _group_for_log(request, group_id)
    day = _parse_day(date)
    try:
        log = services.session_log(group=group, date=day, membership=request.membership)
    except ValidationError as exc:
        if request.headers.get("HX-Request"):  # the card again, saying why (not a redirect)
            enrolled = [e for e in group.enrolments.all() if e.active_on(day)]
            log = group.sessions.filter(date=day).prefetch_related("attended").first()
            data = {"held": "1", "attended": [str(e.pupil_id) for e in enrolled]}
            form = _session_form({"group": group, "log": log, "pupils": enrolled}, data)
            form.is_valid()
            _add_errors(form, exc)
            return _card(request, group, day, form=form, status=422)
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{_today_url()}?date={day.isoformat()}")
    audit(request, "update", log, summary=f"Session {log}")
    if request.headers.get("HX-Request"):
        return _card(request, group, day, saved=True)
    messages.success(request, f"{group.title}: held, everyone here.")
    return redirect(f"{_today_url()}?date={day.isoformat()}")


def _today_url():
    return reverse("provision:today")


@capability_required("provision.log_session")
def session_form(request, group_id, date):
    group = _group_for_log(request, group_id)
    day = _parse_day(date)
    enrolled = [e for e in group.enrolments.all() if e.active_on(day)]
    log = group.sessions.filter(date=day).prefetch_related("attended").first()
    item = {"group": group, "log": log, "pupils": enrolled}
    form = _session_form(item, request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                log = services.session_log(
                    group=group,
                    date=day,
                    membership=request.membership,
                    held=data["held"],
                    reason=data["reason"],
                    note=data["note"],
                    attended_ids=data["attended"],
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                audit(request, "update", log, summary=f"Session {log}")
                if request.headers.get("HX-Request"):
                    return _card(request, group, day, saved=True)
                messages.success(request, f"{group.title}: session saved.")
                return redirect(f"{_today_url()}?date={day.isoformat()}")
        if request.headers.get("HX-Request"):
            return _card(request, group, day, form=form, status=422)
    item["form"] = form
    return render(
        request,
        "provision/session.html",
        _ctx(
            request,
            item=item,
            day=day,
            card=_card_html(request, item, day),
            # Opened from the group's session register: the way back is to the group.
            from_group=request.GET.get("from") == "group",
        ),
        status=422 if request.method == "POST" else 200,
    )


# --- one pupil, one member of staff -------------------------------------------------------


@capability_required("provision.view")
def pupil_provision(request, pupil_id):
    pupil = pupil_for_read(request, pupil_id)
    today = _today(request)
    rows = selectors.provision_for_pupil(pupil, today=today)
    totals = selectors.pupil_totals(rows, today=today)
    audit(request, "view", pupil, summary="Provision for pupil")
    return render(
        request,
        "provision/pupil.html",
        _ctx(
            request,
            pupil=pupil,
            rows=rows,
            totals=totals,
            today=today,
            year=selectors.pupil_year_cost(pupil, rows, today=today),
        ),
    )


@capability_required("provision.view")
def staff_timetable(request, member_id):
    member = get_scoped_or_404(
        Membership.objects.filter(school=request.school, is_active=True).select_related("user"),
        user__public_id=member_id,
    )
    if member.pk != request.membership.pk and not (
        has_capability(request, "register.view_all") or has_capability(request, "provision.manage")
    ):
        raise Http404
    load = selectors.staff_load(member, today=_today(request))
    audit(request, "view", None, summary=f"Viewed the provision timetable of {member.user}")
    return render(
        request,
        "provision/staff_timetable.html",
        _ctx(request, member=member, load=load, weekdays=["Mon", "Tue", "Wed", "Thu", "Fri"]),
    )


@capability_required("provision.log_session", "provision.view")
def my_timetable(request):
    return redirect("provision:staff_timetable", request.user.public_id)


# --- budget -------------------------------------------------------------------------------


def _year(request) -> int:
    """The financial year asked for (?year=2026), or the current one: a year the calendar cannot
    hold (?year=99999, or Next year pressed once too often) is the current one, not an error."""
    sept = request.school.financial_year_starts_in_september
    current = costs.financial_year_of(_today(request), september=sept)
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return current
    return year if 2000 <= year <= 2100 else current


@capability_required("provision.view_costs")
def budget(request):
    year = _year(request)
    summary = selectors.budget_summary(request.school, year, today=_today(request))
    audit(request, "view", None, summary=f"SEN budget {year}")
    return render(
        request,
        "provision/budget.html",
        _ctx(request, s=summary, prev_year=year - 1, next_year=year + 1),
    )


@capability_required("provision.manage")
def budget_edit(request):
    year = _year(request)
    instance = SenBudget.objects.for_school(request.school).filter(year=year).first() or SenBudget(
        school=request.school, year=year
    )
    form = BudgetForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        audit(request, "update", saved)
        messages.success(request, "Budget saved.")
        return redirect(f"{_url('provision:budget')}?year={year}")
    status = 422 if request.method == "POST" else 200
    start, end = costs.financial_year_bounds(
        year, september=request.school.financial_year_starts_in_september
    )
    return _form(
        request,
        "provision/form.html",
        status,
        form=form,
        title=f"Notional SEN budget {start:%b %Y} to {end:%b %Y}",
        back="provision:budget",
    )


def _url(name, *args):
    return reverse(name, args=args)


@capability_required("provision.manage")
def topup_new(request):
    form = TopUpForm(request.POST or None, school=request.school)
    if request.method == "POST" and form.is_valid():
        topup = form.save()
        audit(request, "create", topup)
        messages.success(request, "Top-up funding recorded.")
        return redirect("provision:budget")
    status = 422 if request.method == "POST" else 200
    return _form(
        request,
        "provision/form.html",
        status,
        form=form,
        title="Record top-up funding",
        back="provision:budget",
    )


# --- staff --------------------------------------------------------------------------------


@capability_required("staff.manage")
def staff(request):
    members = list(selectors.staff_members(request.school).prefetch_related("training"))
    training = (
        TrainingRecord.objects.for_school(request.school)
        .prefetch_related("attendees__user")
        .select_related("intervention")
    )
    quals = list(
        SencoQualification.objects.for_school(request.school).select_related("membership__user")
    )
    loads = {}
    today = _today(request)
    # Groups running today, as the member's timetable counts their load (not those to come).
    running = selectors.group_queryset(request.school).filter(
        starts_on__lte=today, ends_on__gte=today
    )
    for g in running:
        loads[g.staff_id] = loads.get(g.staff_id, costs.ZERO_MONEY) + costs.weekly_hours(
            session_minutes=g.session_minutes, sessions_per_week=len(g.weekdays)
        )
    for m in members:
        m.training_hours = sum((t.hours for t in m.training.all()), costs.ZERO_MONEY)
        m.weekly_load = loads.get(m.pk)
    return render(
        request,
        "provision/staff.html",
        _ctx(request, members=members, training=training, quals=quals, today=today),
    )


@capability_required("staff.manage")
def training_new(request):
    form = TrainingForm(request.POST or None, school=request.school)
    if request.method == "POST" and form.is_valid():
        record = form.save()
        audit(request, "create", record)
        messages.success(request, "Training recorded.")
        return redirect("provision:staff")
    status = 422 if request.method == "POST" else 200
    return _form(
        request,
        "provision/form.html",
        status,
        form=form,
        title="Record training",
        back="provision:staff",
    )


@capability_required("staff.manage")
def staff_rate(request, member_id):
    """Set a member's hourly rate (SENCO and head: staff.manage with provision.view_costs).
    Groups they deliver that were set up with no rate (costed at £0) take the new one."""
    if not has_capability(request, "provision.view_costs"):
        raise Http404
    member = get_scoped_or_404(selectors.staff_members(request.school), user__public_id=member_id)
    name = member.user.get_full_name() or member.user.username
    form = RateForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            unpriced = ProvisionGroup.objects.for_school(request.school).filter(
                staff=member, hourly_rate=0
            )
            updated = unpriced.update(hourly_rate=member.hourly_rate)
        audit(request, "update", member, summary=f"Hourly rate of {name}")
        note = (
            f" {updated} group{'s' if updated != 1 else ''} costed at £0 now use it."
            if updated
            else ""
        )
        messages.success(request, f"Hourly rate of {name} saved.{note}")
        return redirect("provision:staff")
    status = 422 if request.method == "POST" else 200
    return _form(
        request,
        "provision/form.html",
        status,
        form=form,
        title=f"Hourly rate: {name}",
        back="provision:staff",
    )


@capability_required("staff.manage")
def qualification_edit(request):
    instance = SencoQualification.objects.for_school(request.school).first()
    form = QualificationForm(request.POST or None, instance=instance, school=request.school)
    if request.method == "POST" and form.is_valid():
        qual = form.save()
        audit(request, "update", qual)
        messages.success(request, "SENCO qualification saved.")
        return redirect("provision:staff")
    status = 422 if request.method == "POST" else 200
    return _form(
        request,
        "provision/form.html",
        status,
        form=form,
        title="The SENCO's qualification",
        back="provision:staff",
    )
