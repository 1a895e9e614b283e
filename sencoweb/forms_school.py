"""Forms of the school settings and term dates pages (views_school.py)."""

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils.dateformat import format as date_format

from .models import ClosureDay, School, Term, academic_year_label
from .widgets import DateInput

SUPPRESSION_MIN = 2
SUPPRESSION_MAX = 20
# The notional SEN budget meets the first £6,000 a year of a pupil's additional support; the LA's
# top-up pays above it (DOMAIN.md 5.1). An LA may set its own figure; above £20,000 is a typo.
TOP_UP_MAX = Decimal("20000")
TOP_UP_RANGE = f"from £0 to £{TOP_UP_MAX:,.0f}"


def _long(day: dt.date) -> str:
    return date_format(day, "j F Y")


class SchoolSettingsForm(forms.ModelForm):
    """The school's own details. The URN is not here: it identifies the school."""

    financial_year_starts_in_september = forms.TypedChoiceField(
        label="Financial year starts",
        choices=[
            ("false", "1 April (maintained schools: April to March)"),
            ("true", "1 September (academies: September to August)"),
        ],
        coerce=lambda value: value == "true",
        widget=forms.RadioSelect,
        help_text="Budget and spend on the provision pages are added up over this year.",
    )

    class Meta:
        model = School
        fields = [
            "name",
            "la_code",
            "la_name",
            "estab",
            "phase",
            "has_sen_unit",
            "has_resourced_provision",
            "suppression_threshold",
            "financial_year_starts_in_september",
            "top_up_threshold",
        ]
        labels = {
            "name": "School name",
            "estab": "DfE establishment number",
            "suppression_threshold": "Suppression threshold for anonymised reports",
            "top_up_threshold": "Top-up threshold (£ a year for each pupil)",
        }
        error_messages = {
            "la_code": {"max_length": "The LA code is three digits, e.g. 801."},
            "estab": {"max_length": "The establishment number is four digits, e.g. 2041."},
            "name": {"required": "Enter the school's name."},
            "la_name": {"required": "Enter the local authority's name, e.g. Bristol."},
            "top_up_threshold": {
                "required": f"Enter the threshold in pounds, {TOP_UP_RANGE}; 6000 is usual.",
                "invalid": f"Enter the threshold in pounds, e.g. 6000 or 6000.00 ({TOP_UP_RANGE}).",
                "max_decimal_places": "Give pounds and pence: no more than 2 decimal places.",
                "max_digits": f"That is too high: enter an amount {TOP_UP_RANGE}.",
                "max_whole_digits": f"That is too high: enter an amount {TOP_UP_RANGE}.",
            },
        }
        help_texts = {
            "la_code": "Three digits, e.g. 801 for Bristol.",
            "estab": "Four digits: with the LA code it makes the school's LAEstab number.",
            "has_sen_unit": (
                "Tick only if the local authority formally recognises an SEN unit at the "
                "school (not in-house provision such as a nurture room). The school census "
                "records the unit and pupils who are members of it, and must agree with Get "
                "Information About Schools."
            ),
            "has_resourced_provision": (
                "Tick only for resourced provision the local authority formally recognises. "
                "The census records it and its pupils; census readiness flags a pupil marked "
                "as a member when the school has none."
            ),
            "suppression_threshold": (
                "Governors' reports, the anonymised dashboard and the published SEN "
                "information report hide any count below this number (a count of 1 to N-1 is "
                "shown as “fewer than N”), so that a small group cannot identify a pupil. "
                f"Between {SUPPRESSION_MIN} and {SUPPRESSION_MAX}; 5 is common practice."
            ),
            "top_up_threshold": (
                "The notional SEN budget meets the first part of each pupil's additional "
                "support; the local authority's top-up funding (element 3) pays above it. A pupil "
                "whose planned support costs more than this in the financial year is listed as a "
                "top-up candidate on the SEN budget page. £6,000 nationally; change it only if "
                "your LA uses another figure."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The model field is a boolean; the radio buttons post "true"/"false".
        self.initial["financial_year_starts_in_september"] = (
            "true" if self.instance.financial_year_starts_in_september else "false"
        )
        self.fields["suppression_threshold"].widget.attrs.update(
            min=SUPPRESSION_MIN, max=SUPPRESSION_MAX
        )
        self.fields["top_up_threshold"].widget.attrs.update(min=0, max=TOP_UP_MAX, step="0.01")
        self.fields["la_code"].widget.attrs.update(inputmode="numeric", pattern="[0-9]{3}")
        self.fields["estab"].widget.attrs.update(inputmode="numeric", pattern="[0-9]{4}")

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Enter the school's name.")
        return name

    def clean_la_code(self):
        code = self.cleaned_data["la_code"].strip()
        if not (len(code) == 3 and code.isdigit()):
            raise forms.ValidationError(
                "The LA code is three digits, e.g. 801 (find it on Get Information About Schools)."
            )
        return code

    def clean_la_name(self):
        name = self.cleaned_data["la_name"].strip()
        if not name:
            raise forms.ValidationError("Enter the local authority's name, e.g. Bristol.")
        return name

    def clean_estab(self):
        estab = self.cleaned_data["estab"].strip()
        if not (len(estab) == 4 and estab.isdigit()):
            raise forms.ValidationError(
                "The establishment number is four digits, e.g. 2041 (the last four digits of "
                "the LAEstab number)."
            )
        return estab

    def clean_suppression_threshold(self):
        value = self.cleaned_data["suppression_threshold"]
        if value is None:
            raise forms.ValidationError("Enter a number between 2 and 20.")
        if value < SUPPRESSION_MIN:
            raise forms.ValidationError(
                f"{value} is too low: with a threshold below {SUPPRESSION_MIN} a single pupil "
                f"would be shown in governors' reports. Enter a number between "
                f"{SUPPRESSION_MIN} and {SUPPRESSION_MAX}."
            )
        if value > SUPPRESSION_MAX:
            raise forms.ValidationError(
                f"{value} is too high: governors' reports would hide almost every count. "
                f"Enter a number between {SUPPRESSION_MIN} and {SUPPRESSION_MAX}."
            )
        return value

    def clean_top_up_threshold(self):
        value = self.cleaned_data["top_up_threshold"]
        if value < 0:
            raise forms.ValidationError(
                f"The threshold cannot be negative: enter an amount {TOP_UP_RANGE}."
            )
        if value > TOP_UP_MAX:
            raise forms.ValidationError(
                f"£{value:,.2f} is too high: enter an amount {TOP_UP_RANGE} (the national figure "
                "is £6,000)."
            )
        return value


def school_year_of_term(starts_on: dt.date) -> int:
    """The school year a term belongs to: it runs from the first term starting after July
    (DOMAIN.md 10.1), so a term starting in August or later opens the new school year."""
    return starts_on.year if starts_on.month >= 8 else starts_on.year - 1


class TermForm(forms.ModelForm):
    """One term of the school. The school year follows from the start date."""

    class Meta:
        model = Term
        fields = ["name", "starts_on", "ends_on", "half_term_starts", "half_term_ends"]
        labels = {
            "name": "Term",
            "starts_on": "First day of term",
            "ends_on": "Last day of term",
            "half_term_starts": "First day of the half-term break",
            "half_term_ends": "Last day of the half-term break",
        }
        help_texts = {
            "starts_on": "The school year (e.g. 2026/27) follows from this date.",
            "half_term_starts": "The first weekday pupils are off, usually a Monday.",
            "half_term_ends": "The last weekday pupils are off, usually a Friday.",
        }
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "half_term_starts": DateInput(),
            "half_term_ends": DateInput(),
        }

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school

    def clean(self):
        data = super().clean()
        name = data.get("name")
        start, end = data.get("starts_on"), data.get("ends_on")
        ht_start, ht_end = data.get("half_term_starts"), data.get("half_term_ends")
        if start and end and end < start:
            self.add_error(
                "ends_on",
                f"The term cannot end before it starts ({_long(start)}): check the dates.",
            )
            return data
        if start and name:
            in_autumn = start.month >= 8
            if name == Term.Name.AUTUMN and not in_autumn:
                self.add_error(
                    "starts_on",
                    "An autumn term starts between August and December: choose a date then, "
                    "or pick spring or summer.",
                )
            elif name != Term.Name.AUTUMN and in_autumn:
                self.add_error(
                    "starts_on",
                    f"A {name} term starts between January and July: choose a date then, or "
                    "pick autumn.",
                )
        if start and end:
            year = school_year_of_term(start)
            year_ends = dt.date(year + 1, 8, 31)
            if end > year_ends:
                self.add_error(
                    "ends_on",
                    f"A term starting on {_long(start)} belongs to the school year "
                    f"{academic_year_label(year)}, which ends by {_long(year_ends)}: "
                    "check the year of the last day.",
                )
        self._clean_half_term(start, end, ht_start, ht_end)
        if not self.errors and start and end and name:
            self._clean_against_other_terms(name, start, end)
        return data

    def _clean_half_term(self, start, end, ht_start, ht_end):
        if bool(ht_start) != bool(ht_end):
            missing = "half_term_ends" if ht_start else "half_term_starts"
            self.add_error(missing, "Give both days of the half-term break, or leave both empty.")
            return
        if not ht_start:
            return
        if ht_end < ht_start:
            self.add_error(
                "half_term_ends",
                f"The half-term break cannot end before it starts ({_long(ht_start)}).",
            )
            return
        if not (start and end) or self.has_error("ends_on"):
            return
        term = f"the term ({_long(start)} to {_long(end)})"
        if not start <= ht_start <= end:
            self.add_error("half_term_starts", f"The half-term break must start inside {term}.")
        if not start <= ht_end <= end:
            self.add_error("half_term_ends", f"The half-term break must end inside {term}.")

    def _clean_against_other_terms(self, name, start, end):
        year = school_year_of_term(start)
        others = Term.objects.for_school(self.school)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        label = academic_year_label(year)
        same = others.filter(academic_year=year, name=name).first()
        if same:
            self.add_error(
                "name",
                f"{label} already has its {name} term ({_long(same.starts_on)} to "
                f"{_long(same.ends_on)}): edit that one instead.",
            )
            return
        clash = others.filter(starts_on__lte=end, ends_on__gte=start).first()
        if clash:
            field = "ends_on" if start < clash.starts_on <= end else "starts_on"
            self.add_error(
                field,
                f"These dates overlap the {clash} term ({_long(clash.starts_on)} to "
                f"{_long(clash.ends_on)}): terms cannot overlap.",
            )
            return
        order = [Term.Name.AUTUMN, Term.Name.SPRING, Term.Name.SUMMER]
        for other in others.filter(academic_year=year):
            before = order.index(other.name) < order.index(name)
            if before != (other.starts_on < start):
                self.add_error(
                    "starts_on",
                    f"The {name} term must come {'after' if before else 'before'} the "
                    f"{other.name} term of {label} ({_long(other.starts_on)} to "
                    f"{_long(other.ends_on)}).",
                )
                return

    def save(self, commit=True):
        term = super().save(commit=False)
        term.school = self.school
        term.academic_year = school_year_of_term(term.starts_on)
        if commit:
            term.save()
        return term


class ClosureDayForm(forms.ModelForm):
    """An INSET day, a bank holiday in term or a closure: a weekday in term, once."""

    class Meta:
        model = ClosureDay
        fields = ["date", "kind", "note"]
        labels = {"date": "Day", "kind": "What kind of day", "note": "Note (optional)"}
        help_texts = {"date": "A weekday inside one of the school's terms."}
        widgets = {"date": DateInput(), "kind": forms.RadioSelect}

    def __init__(self, *args, school: School, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school

    def clean_note(self):
        return self.cleaned_data["note"].strip()

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day.weekday() >= 5:
            raise forms.ValidationError(
                f"{date_format(day, 'l j F Y')} is a weekend: only weekdays are school days."
            )
        term = (
            Term.objects.for_school(self.school)
            .filter(starts_on__lte=day, ends_on__gte=day)
            .first()
        )
        if term is None:
            raise forms.ValidationError(
                f"{_long(day)} is not in any of the school's terms, so pupils are not in "
                "school that day anyway. Add the term first if it is missing."
            )
        if term.half_term_starts and term.half_term_starts <= day <= term.half_term_ends:
            raise forms.ValidationError(
                f"{_long(day)} is in the {term} half-term break, already a day off."
            )
        existing = ClosureDay.objects.for_school(self.school).filter(date=day).first()
        if existing:
            raise forms.ValidationError(
                f"{_long(day)} is already recorded ({existing.label}): delete that one first "
                "to change it."
            )
        return day

    def save(self, commit=True):
        closure = super().save(commit=False)
        closure.school = self.school
        if commit:
            closure.save()
        return closure
