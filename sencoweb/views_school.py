"""The school's own settings and term dates (capability `school.settings`: SENCO and head).

Every write is audited with the before and after of each changed field.
"""

import datetime as dt
from decimal import Decimal
from itertools import groupby

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import services_school as services
from .access import audit, capability_required, get_scoped_or_404
from .forms_school import ClosureDayForm, SchoolSettingsForm, TermForm
from .models import ClosureDay, School, Term, academic_year_label
from .services_school import in_term


def _value(value):
    """A field value as the audit detail keeps it (JSON): a date as ISO, money as '6000.00'."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


def _changes(before: dict, after: dict) -> dict:
    return {
        name: {"before": _value(before[name]), "after": _value(after[name])}
        for name in after
        if before.get(name) != after[name]
    }


def _snapshot(obj, fields) -> dict:
    return {name: getattr(obj, name) for name in fields}


@capability_required("school.settings")
def school_settings(request):
    school = School.objects.get(pk=request.school.pk)
    fields = SchoolSettingsForm._meta.fields
    before = _snapshot(school, fields)
    form = SchoolSettingsForm(request.POST or None, instance=school)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            changes = _changes(before, _snapshot(saved, fields))
            if changes:
                audit(
                    request,
                    "update",
                    saved,
                    summary="Changed the school settings: " + ", ".join(changes),
                    detail=changes,
                )
        messages.success(
            request, "School settings saved." if changes else "No change to the school settings."
        )
        return redirect("school:settings")
    return render(
        request,
        "sencoweb/school/settings.html",
        {"form": form, "school": school},
        status=422 if form.errors else 200,
    )


def _weekdays(start: dt.date, end: dt.date) -> int:
    if end < start:
        return 0
    days = (end - start).days + 1
    full_weeks, rest = divmod(days, 7)
    return full_weeks * 5 + sum(
        1 for n in range(rest) if (start + dt.timedelta(days=n)).weekday() < 5
    )


def term_weekdays(term: Term) -> int:
    """Weekdays in the term outside its half-term break (closure days not taken off)."""
    days = _weekdays(term.starts_on, term.ends_on)
    if term.half_term_starts and term.half_term_ends:
        days -= _weekdays(term.half_term_starts, term.half_term_ends)
    return days


def _term_row(term: Term, closures) -> dict:
    weekdays = term_weekdays(term)
    closed = sum(1 for c in closures if in_term(term, c.date))
    return {"term": term, "weekdays": weekdays, "closed": closed, "school_days": weekdays - closed}


@capability_required("school.settings")
def terms(request):
    rows = list(Term.objects.for_school(request.school).order_by("starts_on"))
    closures = list(ClosureDay.objects.for_school(request.school))
    years = []
    for year, year_terms in groupby(rows, key=lambda t: t.academic_year):
        year_terms = list(year_terms)
        year_closures = [c for c in closures if any(in_term(t, c.date) for t in year_terms)]
        weekdays = sum(term_weekdays(t) for t in year_terms)
        years.append(
            {
                "year": year,
                "label": academic_year_label(year),
                "terms": [_term_row(t, year_closures) for t in year_terms],
                "weekdays": weekdays,
                "closures": year_closures,
                "school_days": weekdays - len(year_closures),
                "bank_holidays_missing": services.bank_holidays_missing(rows, closures, year),
                "missing": [
                    label
                    for value, label in Term.Name.choices
                    if value not in {t.name for t in year_terms}
                ],
            }
        )
    years.reverse()  # the latest school year first
    today = timezone.localdate()
    last_day = rows[-1].ends_on if rows else None
    return render(
        request,
        "sencoweb/school/terms.html",
        {
            "years": years,
            "last_day": last_day,
            "runs_out_soon": last_day is not None and last_day < today + dt.timedelta(days=120),
        },
    )


def _save_term(request, form, term=None):
    """Validate and save a term in one transaction; False (with the error on the form) when a
    term saved at the same moment makes it a duplicate."""
    fields = TermForm._meta.fields
    before = _snapshot(term, fields) if term else None
    try:
        with transaction.atomic():
            saved = form.save()
            if before is None:
                audit(
                    request,
                    "create",
                    saved,
                    summary=f"Added the {saved} term",
                    detail={
                        name: {"before": None, "after": _value(getattr(saved, name))}
                        for name in fields
                    },
                )
            else:
                changes = _changes(before, _snapshot(saved, fields))
                if changes:
                    audit(
                        request,
                        "update",
                        saved,
                        summary=f"Changed the {saved} term: " + ", ".join(changes),
                        detail=changes,
                    )
    except IntegrityError:
        form.add_error("name", "This school year already has that term: edit it instead.")
        return None
    return saved


@capability_required("school.settings")
def term_edit(request, term_id=None):
    """Add a term (no id) or change one; another school's term is a 404."""
    original = None
    if term_id is not None:
        term = get_scoped_or_404(Term.objects.for_school(request.school), pk=term_id)
        original = Term.objects.get(pk=term.pk)  # the form changes `term` while validating
    form = TermForm(
        request.POST or None, instance=term if original else None, school=request.school
    )
    if request.method == "POST" and form.is_valid():
        saved = _save_term(request, form, original)
        if saved:
            verb = "Saved" if original else "Added"
            messages.success(request, f"{verb} the {saved} term.")
            return redirect("school:terms")
    return render(
        request,
        "sencoweb/school/term_form.html",
        {"form": form, "term": original},
        status=422 if form.errors else 200,
    )


@capability_required("school.settings")
def term_delete(request, term_id):
    term = get_scoped_or_404(Term.objects.for_school(request.school), pk=term_id)
    if request.method == "POST":
        label = str(term)
        detail = {
            name: {"before": _value(getattr(term, name)), "after": None}
            for name in TermForm._meta.fields
        }
        with transaction.atomic():
            audit(request, "delete", term, summary=f"Deleted the {label} term", detail=detail)
            term.delete()
        messages.success(request, f"Deleted the {label} term.")
        return redirect("school:terms")
    only = not Term.objects.for_school(request.school).exclude(pk=term.pk).exists()
    return render(request, "sencoweb/school/term_delete.html", {"term": term, "only": only})


@capability_required("school.settings")
def closure_add(request):
    form = ClosureDayForm(request.POST or None, school=request.school)
    if request.method == "POST" and form.is_valid():
        try:
            closure = services.add_closure(request, form)
        except IntegrityError:  # the same day added at the same moment
            form.add_error("date", "That day was recorded a moment ago: see the term dates.")
        else:
            messages.success(request, f"Added {closure}.")
            return redirect("school:terms")
    return render(
        request,
        "sencoweb/school/closure_form.html",
        {"form": form},
        status=422 if form.errors else 200,
    )


@capability_required("school.settings")
def closure_delete(request, closure_id):
    closure = get_scoped_or_404(ClosureDay.objects.for_school(request.school), pk=closure_id)
    if request.method == "POST":
        label = str(closure)
        services.delete_closure(request, closure)
        messages.success(request, f"Deleted the {label[0].lower()}{label[1:]}.")
        return redirect("school:terms")
    return render(request, "sencoweb/school/closure_delete.html", {"closure": closure})


@require_POST
@capability_required("school.settings")
def bank_holidays_add(request, year):
    added = services.add_bank_holidays(request, year)
    if added:
        names = "; ".join(f"{c.note} ({c.date:%-d %B %Y})" for c in added)
        messages.success(
            request, f"Added {len(added)} bank holiday{pluralize(len(added))}: {names}."
        )
    else:
        messages.info(request, "Every bank holiday in term is already recorded.")
    return redirect("school:terms")
