"""Forms for the provision map. Querysets are always limited to the current school."""

from django import forms

from pupils.models import Pupil

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

DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


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

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.instance.school = school

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
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="Pupils to enrol from the start date (more can be added later)",
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
        labels = {"staff": "Delivered by", "session_minutes": "Session length (minutes)"}

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["intervention"].queryset = Intervention.objects.for_school(school).filter(
            is_active=True
        )
        self.fields["staff"].queryset = staff_members(school)
        self.fields["exclusive_to"].queryset = _pupils(school)
        self.fields["pupils"].queryset = _pupils(school).filter(sen_status__in=["K", "E", "M"])
        if self.instance.pk:
            self.initial["days"] = list(self.instance.days)
            del self.fields["pupils"]

    def clean_days(self):
        return "".join(sorted(self.cleaned_data["days"]))

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "The group must end after it starts.")
        return data


class EnrolForm(forms.Form):
    pupil = forms.ModelChoiceField(queryset=Pupil.objects.none())
    starts_on = forms.DateField(widget=DATE)

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = _pupils(school)


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

    def clean(self):
        data = super().clean()
        intervention = self.instance.group.intervention
        for name in ("entry_score", "exit_score"):
            value = data.get(name)
            if value is None:
                continue
            if intervention.measure == Intervention.Measure.SDQ and not 0 <= value <= 40:
                self.add_error(name, "An SDQ total difficulties score is between 0 and 40.")
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


class TopUpForm(forms.ModelForm):
    class Meta:
        model = TopUpFunding
        fields = ["pupil", "la_name", "band", "amount", "starts_on", "ends_on", "with_ehc_plan"]
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = _pupils(school)
        self.instance.school = school
        self.initial.setdefault("la_name", school.la_name)


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
        labels = {"membership": "SENCO"}

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.school = school
        self.fields["membership"].queryset = staff_members(school).filter(role="senco")
        self.fields["membership"].label_from_instance = lambda m: str(m.user)
