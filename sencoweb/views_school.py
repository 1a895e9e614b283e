"""The school's own settings and term dates (capability `school.settings`: SENCO and head).

Every write is audited with the before and after of each changed field.
"""

import datetime as dt
from itertools import groupby

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.utils import timezone

from .access import audit, capability_required, get_scoped_or_404
from .forms_school import SchoolSettingsForm, TermForm
from .models import School, Term, academic_year_label


def _value(value):
    """A field value as the audit detail keeps it (JSON)."""
    if isinstance(value, dt.date):
        return value.isoformat()
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
    """Weekdays in the term outside its half-term break (INSET days and bank holidays
    included: the app does not record them)."""
    days = _weekdays(term.starts_on, term.ends_on)
    if term.half_term_starts and term.half_term_ends:
        days -= _weekdays(term.half_term_starts, term.half_term_ends)
    return days


@capability_required("school.settings")
def terms(request):
    rows = list(Term.objects.for_school(request.school).order_by("starts_on"))
    years = []
    for year, year_terms in groupby(rows, key=lambda t: t.academic_year):
        year_terms = [(t, term_weekdays(t)) for t in year_terms]
        years.append(
            {
                "label": academic_year_label(year),
                "terms": year_terms,
                "weekdays": sum(n for _, n in year_terms),
                "missing": [
                    label
                    for value, label in Term.Name.choices
                    if value not in {t.name for t, _ in year_terms}
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
