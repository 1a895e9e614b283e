"""Forms for the provision map. Querysets are always limited to the current school."""

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q

from pupils.models import Pupil
from sencoweb.models import Membership
from sencoweb.widgets import DateInput, bootstrap_classes

from . import measures
from .models import (
    WEEKDAYS,
    Enrolment,
    Intervention,
    ProvisionGroup,
    SenBudget,
    SencoQualification,
    SessionLog,
    TopUpFunding,
    TrainingRecord,
)
from .selectors import staff_members

DATE = DateInput()  # ISO values, or an edit form shows its dates blank and erases them
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _bounds(form, name, low=None, high=None, *, message=None) -> None:
    """A number field's sensible range, with the message a person would understand, and the
    same range on the input (min/max) so a phone offers the right keypad and limits."""
    field = form.fields[name]
    if low is not None:
        field.validators.append(MinValueValidator(low, message=message))
        field.widget.attrs["min"] = low
    if high is not None:
        field.validators.append(MaxValueValidator(high, message=message))
        field.widget.attrs["max"] = high


def _num(value) -> str:
    """1.0 as '1', 2.5 as '2.5': a scale's ends as people write them."""
    return "?" if value is None else measures.plain(value)


def _pupil_label(pupil) -> str:
    return f"{pupil.display_name} ({pupil.get_nc_year_display()})"


def _pupils(school):
    return (
        Pupil.objects.for_school(school)
        .filter(archived_at__isnull=True)
        .order_by("last_name", "first_name")
    )


class InterventionForm(forms.ModelForm):
    class Meta:
        model = Intervention
        fields = [
            "name",
            "area",
            "wave",
            "description",
            "group_size",
            "session_minutes",
            "sessions_per_week",
            "default_weeks",
            "delivered_by",
            "measure",
            "scale_min",
            "scale_max",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        labels = {
            "sessions_per_week": "Sessions a week",
            "default_weeks": "Typical length (weeks)",
            "scale_min": "Scale from",
            "scale_max": "Scale to",
            "is_active": "In use (untick to retire it: groups already running keep it)",
        }
        help_texts = {
            "scale_min": "Only for a school-defined scale: its lowest score, e.g. 1",
            "scale_max": "Only for a school-defined scale: its highest score, e.g. 5",
        }

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.instance.school = school
        _bounds(self, "group_size", 1, 30, message="A group has between 1 and 30 pupils.")
        _bounds(self, "session_minutes", 5, 480, message="A session lasts 5 to 480 minutes.")
        _bounds(self, "sessions_per_week", 1, 10, message="Between 1 and 10 sessions a week.")
        _bounds(self, "default_weeks", 1, 52, message="Between 1 and 52 weeks.")
        bootstrap_classes(self)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Intervention.objects.for_school(self.school).filter(name__iexact=name)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("The catalogue already has an intervention of that name.")
        return name


class StaffChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.user.get_full_name() or obj.user.username} ({obj.get_role_display()})"


class GroupForm(forms.ModelForm):
    days = forms.MultipleChoiceField(
        choices=[(str(d), n) for d, n in WEEKDAYS], widget=forms.CheckboxSelectMultiple
    )
    pupils = forms.ModelMultipleChoiceField(
        queryset=Pupil.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Pupils on the register to enrol from the start date (more can be added "
        "later, from the group's page)",
    )

    class Meta:
        model = ProvisionGroup
        fields = [
            "intervention",
            "name",
            "staff",
            "days",
            "start_time",
            "session_minutes",
            "place",
            "starts_on",
            "ends_on",
            "exclusive_to",
            "resource_cost",
            "external_cost",
        ]
        field_classes = {"staff": StaffChoice}
        widgets = {"starts_on": DATE, "ends_on": DATE, "start_time": TIME}
        labels = {
            "staff": "Delivered by",
            "session_minutes": "Session length (minutes)",
            "exclusive_to": "Set up for one pupil only",
            "resource_cost": "Resources and licences (£)",
            "external_cost": "External costs (£)",
        }

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        # Interventions in use; a group of one since retired keeps its own, or it could not be
        # saved again.
        self.fields["intervention"].queryset = Intervention.objects.for_school(school).filter(
            Q(is_active=True) | Q(pk=self.instance.intervention_id)
        )
        self.fields["staff"].queryset = staff_members(school)
        staff = self.instance.staff if self.instance.pk else None
        if staff is not None and not staff.is_active:
            # Their account was deactivated: say so, rather than "Select a valid choice".
            self.fields["staff"].error_messages["invalid_choice"] = (
                f"{staff.user.get_full_name() or staff.user} no longer works here: choose who "
                "delivers the group now."
            )
            self.fields[
                "staff"
            ].help_text = (
                f"Was {staff.user.get_full_name() or staff.user}, who no longer works here."
            )
        self.fields["exclusive_to"].queryset = _pupils(school)
        self.fields["pupils"].queryset = _pupils(school).filter(sen_status__in=["K", "E", "M"])
        self.fields["pupils"].label_from_instance = _pupil_label
        self.fields["exclusive_to"].label_from_instance = _pupil_label
        _bounds(self, "session_minutes", 5, 480, message="A session lasts 5 to 480 minutes.")
        for name in ("resource_cost", "external_cost"):
            _bounds(self, name, Decimal("0"), message="A cost cannot be negative.")
        if self.instance.pk:
            self.initial["days"] = list(self.instance.days)
            del self.fields["pupils"]
        bootstrap_classes(self)

    def clean_days(self):
        return "".join(sorted(self.cleaned_data["days"]))

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The group must end after it starts.")
        return data


class EnrolForm(forms.Form):
    """A place in the group from a date. Whether the pupil may have it (no other place of theirs
    in the group on those dates) is the service's to say: provision.services.enrolment_add."""

    pupil = forms.ModelChoiceField(queryset=Pupil.objects.none())
    starts_on = forms.DateField(
        widget=DATE,
        label="Starts on",
        help_text="A pupil who was in the group before starts a new place on this date.",
    )

    def __init__(self, *args, school, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group
        self.fields["pupil"].queryset = _pupils(school)
        self.fields["pupil"].label_from_instance = _pupil_label
        bootstrap_classes(self)

    def clean_starts_on(self):
        day = self.cleaned_data["starts_on"]
        group = self.group
        if not group.starts_on <= day <= group.ends_on:
            raise forms.ValidationError(
                f"The group runs from {group.starts_on.day} {group.starts_on:%b %Y} to "
                f"{group.ends_on.day} {group.ends_on:%b %Y}: choose a date between them."
            )
        return day


class MeasuresForm(forms.ModelForm):
    class Meta:
        model = Enrolment
        fields = [
            "entry_score",
            "entry_on",
            "exit_score",
            "exit_on",
            "ends_on",
            "impact_note",
        ]
        widgets = {
            "entry_on": DATE,
            "exit_on": DATE,
            "ends_on": DATE,
            "impact_note": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"ends_on": "Left the group on"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        intervention = self.instance.group.intervention
        hint = {
            Intervention.Measure.STANDARDISED: "Standardised score: 100 is the average, 85 to "
            "115 the average range",
            Intervention.Measure.SDQ: "SDQ total difficulties, 0 to 40: lower is better",
            Intervention.Measure.SCALE: f"On the school's scale from {_num(intervention.scale_min)}"
            f" to {_num(intervention.scale_max)}",
        }.get(intervention.measure)
        for when in ("entry", "exit"):
            if hint:
                self.fields[f"{when}_score"].help_text = hint
            if intervention.measure == Intervention.Measure.READING_AGE:
                self.fields[f"{when}_score"].label = f"{when.title()} reading age in months"
                self.fields[f"{when}_score"].help_text = "7 years 2 months is 86"
        self.fields["entry_on"].label = "Entry assessment date"
        self.fields["exit_on"].label = "Exit assessment date"
        bootstrap_classes(self)

    def clean(self):
        data = super().clean()
        intervention = self.instance.group.intervention
        for name in ("entry_score", "exit_score"):
            value = data.get(name)
            if value is None:
                continue
            if intervention.measure == Intervention.Measure.SDQ and not 0 <= value <= 40:
                self.add_error(name, "An SDQ total difficulties score is between 0 and 40.")
            if intervention.measure == Intervention.Measure.READING_AGE and not (
                24 <= value <= 240 and value == value.to_integral_value()
            ):
                # 7.2 typed for "7 years 2 months" would make a nonsense ratio gain.
                self.add_error(
                    name, "Give the reading age in whole months: 7 years 2 months is 86."
                )
            if intervention.measure == Intervention.Measure.STANDARDISED and not (
                40 <= value <= 160
            ):
                self.add_error(name, "A standardised score is between 40 and 160.")
            if intervention.measure == Intervention.Measure.SCALE and not (
                intervention.scale_min <= value <= intervention.scale_max
            ):
                self.add_error(
                    name,
                    f"This scale runs from {intervention.scale_min} to {intervention.scale_max}.",
                )
        if data.get("entry_score") is not None and not data.get("entry_on"):
            self.add_error("entry_on", "Give the date of the entry assessment.")
        if data.get("exit_score") is not None and not data.get("exit_on"):
            self.add_error("exit_on", "Give the date of the exit assessment.")
        entry_on, exit_on = data.get("entry_on"), data.get("exit_on")
        if entry_on and exit_on and exit_on <= entry_on:
            self.add_error("exit_on", "The exit assessment must come after the entry one.")
        ends = data.get("ends_on")
        if ends and ends < self.instance.starts_on:
            self.add_error("ends_on", "The pupil cannot leave before they started.")
        return data


class SessionForm(forms.Form):
    held = forms.TypedChoiceField(
        choices=[("1", "Held"), ("0", "Cancelled")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        initial="1",
    )
    reason = forms.ChoiceField(
        choices=[("", "Why was it cancelled?")] + list(SessionLog.Reason.choices), required=False
    )
    attended = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(max_length=300, required=False)

    def __init__(self, *args, pupils, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [(str(p.pk), p.display_name) for p in pupils]

    def clean(self):
        data = super().clean()
        if data.get("held") is False and not data.get("reason"):
            self.add_error("reason", "Say why the session was cancelled.")
        return data


class BudgetForm(forms.ModelForm):
    class Meta:
        model = SenBudget
        fields = ["amount", "notes"]
        labels = {"amount": "Notional SEN budget (£)"}
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bounds(self, "amount", Decimal("0"), message="The budget cannot be negative.")
        bootstrap_classes(self)


class TopUpFundingForm(forms.ModelForm):
    """A top-up record's LA, band, annual amount and dates. The EHC plan page uses it as it is
    (reviews: the top-up that comes with a plan); the budget page adds the pupil."""

    class Meta:
        model = TopUpFunding
        fields = ["la_name", "band", "amount", "starts_on", "ends_on"]
        labels = {"amount": "Annual amount (£)", "starts_on": "Paid from", "ends_on": "Paid until"}
        help_texts = {
            "amount": "A year's top-up: for an amount per term, three times it; per month, "
            "twelve times it.",
            "ends_on": "Leave blank while the LA is still paying it.",
        }
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.school = school
        self.initial.setdefault("la_name", school.la_name)
        _bounds(self, "amount", Decimal("0.01"), message="Give the annual amount, above £0.")
        bootstrap_classes(self)

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The funding must end after it starts.")
        return data


class TopUpForm(TopUpFundingForm):
    """Top-up recorded on the budget page: any pupil, with an EHC plan or without one (an LA
    may pay top-up without a plan, DOMAIN.md 5.1)."""

    class Meta(TopUpFundingForm.Meta):
        fields = ["pupil", *TopUpFundingForm.Meta.fields, "with_ehc_plan"]
        help_texts = {
            **TopUpFundingForm.Meta.help_texts,
            "with_ehc_plan": "Top-up that comes with an EHC plan is best recorded on the plan's "
            "page, which links the two.",
        }

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, school=school, **kwargs)
        self.fields["pupil"].queryset = _pupils(school)
        self.fields["pupil"].label_from_instance = _pupil_label


class TrainingForm(forms.ModelForm):
    class Meta:
        model = TrainingRecord
        fields = ["course", "provider", "date", "hours", "intervention", "attendees"]
        widgets = {"date": DATE, "attendees": forms.CheckboxSelectMultiple}
        field_classes = {}

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.school = school
        self.fields["intervention"].queryset = Intervention.objects.for_school(school)
        self.fields["attendees"].queryset = staff_members(school)
        self.fields["attendees"].label_from_instance = lambda m: str(m.user)
        _bounds(self, "hours", Decimal("0.5"), 500, message="Give the hours, from 0.5 to 500.")
        bootstrap_classes(self)


class QualificationForm(forms.ModelForm):
    class Meta:
        model = SencoQualification
        fields = [
            "membership",
            "qualification",
            "appointed_on",
            "achieved_on",
            "previous_senco_months",
        ]
        widgets = {"appointed_on": DATE, "achieved_on": DATE}
        labels = {
            "membership": "SENCO",
            "achieved_on": "Qualification achieved on",
            "previous_senco_months": "Months as a SENCO before this appointment",
        }
        help_texts = {
            "previous_senco_months": "At any school. More than 12 months and the three-year "
            "rule does not apply."
        }

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.school = school
        self.fields["membership"].queryset = staff_members(school).filter(role="senco")
        self.fields["membership"].label_from_instance = lambda m: str(m.user)
        bootstrap_classes(self)

    def clean(self):
        data = super().clean()
        qualified = data.get("qualification") in (
            SencoQualification.Qualification.NPQ,
            SencoQualification.Qualification.NASENCO,
        )
        if qualified and not data.get("achieved_on"):
            self.add_error("achieved_on", "Give the date the qualification was achieved.")
        return data


class RateForm(forms.ModelForm):
    """A member's hourly rate including on-costs (DOMAIN.md 5.4 step 1), copied into each
    group they are set up to deliver."""

    class Meta:
        model = Membership
        fields = ["hourly_rate"]
        labels = {"hourly_rate": "Hourly rate including on-costs (£)"}
        help_texts = {
            "hourly_rate": "Salary, employer's National Insurance and pension, per hour. New "
            "groups they deliver use it; groups already costed keep their rate, except those "
            "set up while no rate was recorded."
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hourly_rate"].required = True
        _bounds(
            self, "hourly_rate", Decimal("0.01"), 500, message="Give a rate from £0.01 to £500."
        )
        bootstrap_classes(self)
