"""Writes of the school calendar's closure days, each audited in the same transaction."""

import datetime as dt

from django.db import transaction

from .access import audit
from .models import ClosureDay, Term
from .schooldays import bank_holidays_in_school_year


def in_term(term: Term, day: dt.date) -> bool:
    """A weekday inside the term and outside its half-term break."""
    if day.weekday() >= 5 or not term.starts_on <= day <= term.ends_on:
        return False
    half_term = term.half_term_starts and term.half_term_starts <= day <= term.half_term_ends
    return not half_term


def bank_holidays_missing(terms, closures, year: int) -> dict[dt.date, str]:
    """The bank holidays of school year `year` that fall on a school day of its terms and are
    not yet recorded as closure days: {date: name}. Most fall in holidays; the early May bank
    holiday is always in the summer term, and Easter can fall in term."""
    year_terms = [t for t in terms if t.academic_year == year]
    recorded = {c.date for c in closures}
    return {
        day: name
        for day, name in bank_holidays_in_school_year(year).items()
        if day not in recorded and any(in_term(t, day) for t in year_terms)
    }


def _audit_detail(closure: ClosureDay, *, deleted: bool = False) -> dict:
    values = {"date": closure.date.isoformat(), "kind": closure.kind, "note": closure.note}
    if deleted:
        return {name: {"before": value, "after": None} for name, value in values.items()}
    return {name: {"before": None, "after": value} for name, value in values.items()}


def add_closure(request, form) -> ClosureDay:
    with transaction.atomic():
        closure = form.save()
        audit(request, "create", closure, summary=f"Added {closure}", detail=_audit_detail(closure))
    return closure


def delete_closure(request, closure: ClosureDay) -> None:
    with transaction.atomic():
        audit(
            request,
            "delete",
            closure,
            summary=f"Deleted {closure}",
            detail=_audit_detail(closure, deleted=True),
        )
        closure.delete()


def add_bank_holidays(request, year: int) -> list[ClosureDay]:
    """Record the school year's bank holidays that fall in term (and are not recorded yet)."""
    school = request.school
    with transaction.atomic():
        # Lock the school's calendar rows so two clicks do not both add the same day.
        terms = list(Term.objects.for_school(school).select_for_update())
        closures = list(ClosureDay.objects.for_school(school))
        missing = bank_holidays_missing(terms, closures, year)
        added = []
        for day, name in missing.items():
            closure = ClosureDay.objects.create(
                school=school, date=day, kind=ClosureDay.Kind.BANK_HOLIDAY, note=name
            )
            audit(
                request,
                "create",
                closure,
                summary=f"Added {closure} ({name})",
                detail=_audit_detail(closure),
            )
            added.append(closure)
    return added
