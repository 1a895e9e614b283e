import django_filters
from django import forms
from django.core.validators import MaxLengthValidator
from django.db.models import Q
from django.utils import timezone

from .codes import Area, NcYear, SenStatus, SenType
from .models import (
    TRANSFER_KEEP_DAYS,
    AccessArrangement,
    Agency,
    Concern,
    Contact,
    Involvement,
    LiaisonEntry,
    Need,
    Professional,
    Pupil,
    PupilDocument,
    TeachingGroup,
    class_order_key,
)

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})

YES_NO = [("", "Any"), ("1", "Yes"), ("0", "No")]

SORTS = {
    "name": ("last_name", "first_name"),
    "year": ("nc_year", "last_name"),
    "class": ("reg_group__name", "last_name"),
    "status": ("sen_status", "last_name"),
    "need": ("primary_need", "last_name"),
    "review": ("next_review_due", "last_name"),
}


class ClassOrderIterator(django_filters.fields.ModelChoiceIterator):
    """A list of classes to choose from, in school order (Reception, Year 1, ... then other
    names: pupils.models.class_order_key), not string order ("Class RW" after "Class 6B").
    Lazy like Django's: "Any" comes without a query (the widget peeks at the first option), the
    classes with one query, sorted as they are read."""

    def __iter__(self):
        choices = super().__iter__()
        for choice in choices:
            if hasattr(choice[0], "instance"):  # the first class: read the rest and sort them
                rest = [choice, *choices]
                yield from sorted(rest, key=lambda c: class_order_key(c[0].instance.name))
                return
            yield choice  # "Any"


class ClassChoiceField(django_filters.fields.ModelChoiceField):
    iterator = ClassOrderIterator


class ClassChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = ClassChoiceField


class RegisterFilter(django_filters.FilterSet):
    """The register's filters. `area` is resolved through the school's need-to-area map."""

    q = django_filters.CharFilter(method="search", label="Name or UPN")
    sen_status = django_filters.ChoiceFilter(
        label="Status",
        choices=[c for c in SenStatus.choices if c[0] != "N"],
        empty_label="Any status",
    )
    primary_need = django_filters.ChoiceFilter(
        label="Primary need", choices=SenType.choices, empty_label="Any"
    )
    secondary_need = django_filters.ChoiceFilter(
        label="Secondary need", choices=SenType.choices, empty_label="Any"
    )
    area = django_filters.ChoiceFilter(
        label="Broad area", choices=Area.choices, method="by_area", empty_label="Any"
    )
    nc_year = django_filters.ChoiceFilter(label="Year", choices=NcYear.choices, empty_label="Any")
    reg_group = ClassChoiceFilter(
        label="Class", queryset=TeachingGroup.objects.none(), empty_label="Any"
    )
    looked_after = django_filters.ChoiceFilter(
        label="Looked after", choices=YES_NO[1:], method="by_flag", empty_label="Any"
    )
    disadvantaged = django_filters.ChoiceFilter(
        label="PP / FSM", choices=YES_NO[1:], method="by_disadvantage", empty_label="Any"
    )
    eal = django_filters.ChoiceFilter(
        label="EAL", choices=YES_NO[1:], method="by_flag", empty_label="Any"
    )
    review_from = django_filters.DateFilter(
        field_name="next_review_due", lookup_expr="gte", label="Review due from", widget=DATE
    )
    review_before = django_filters.DateFilter(
        field_name="next_review_due", lookup_expr="lte", label="Review due by", widget=DATE
    )

    class Meta:
        model = Pupil
        fields: list[str] = []

    def __init__(self, *args, school, area_map, **kwargs):
        super().__init__(*args, **kwargs)
        self.area_map = area_map
        # Registration groups and primary classes: the groups pupils are registered in. Set
        # before self.form is first read: the form's field copies the queryset when it is built.
        self.filters["reg_group"].queryset = TeachingGroup.objects.for_school(school).filter(
            pk__in=Pupil.objects.for_school(school).values("reg_group")
        )
        for field in self.form.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if is_select else "form-control form-control-sm"
            )

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        by_name = Q()
        for word in value.split():
            by_name &= (
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(preferred_name__icontains=word)
            )
        return queryset.filter(Q(upn__iexact=value.replace(" ", "")) | by_name)

    def by_area(self, queryset, name, value):
        types = [code for code, area in self.area_map.items() if area == value]
        return queryset.filter(primary_need__in=types)

    def by_flag(self, queryset, name, value):
        return queryset.filter(**{name: value == "1"})

    def by_disadvantage(self, queryset, name, value):
        either = Q(pupil_premium=True) | Q(fsm=True)
        return queryset.filter(either) if value == "1" else queryset.exclude(either)


class DecisionForm(forms.Form):
    to_status = forms.ChoiceField(label="New status", choices=SenStatus.choices)
    decided_on = forms.DateField(label="Date of the decision", widget=DATE)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Assessments, observations, outside advice, the graduated approach so far",
    )
    decided_by = forms.CharField(
        max_length=200, help_text="Who took the decision (names and roles)"
    )
    parents_informed = forms.BooleanField(
        label="Parents or carers have been formally informed", required=False
    )
    parents_informed_on = forms.DateField(label="Date informed", required=False, widget=DATE)

    def __init__(self, *args, pupil, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [
            c for c in SenStatus.choices if c[0] != pupil.sen_status
        ]
        self.fields["decided_on"].initial = timezone.localdate()


class NeedForm(forms.ModelForm):
    class Meta:
        model = Need
        fields = ["sen_type", "rank", "starts_on", "description"]
        widgets = {"starts_on": DATE, "description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"rank": "1 is the primary need; the census takes ranks 1 and 2"}

    def __init__(self, *args, pupil, **kwargs):
        super().__init__(*args, **kwargs)
        taken = {n.rank for n in pupil.needs.active()}
        self.fields["rank"].initial = next(r for r in range(1, 20) if r not in taken)
        # The census codes SENCOs and MIS exports use, with their meaning.
        self.fields["sen_type"].choices = [("", "Choose the need")] + [
            (code, f"{code}: {label}") for code, label in SenType.choices
        ]
        self.fields["starts_on"].initial = timezone.localdate()
        self.fields["rank"].min_value = 1
        self.fields["rank"].widget.attrs["min"] = 1


class EndNeedForm(forms.Form):
    ends_on = forms.DateField(label="End date", widget=DATE)


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Pupil
        fields = [
            "about_me",
            "strengths",
            "important_to_me",
            "what_helps",
            "what_does_not_help",
            "how_i_communicate",
            "disability_or_medical",
        ]
        widgets = {f: forms.Textarea(attrs={"rows": 3}) for f in fields}


class ConcernForm(forms.ModelForm):
    pupil = forms.ModelChoiceField(queryset=Pupil.objects.none(), to_field_name="public_id")

    class Meta:
        model = Concern
        fields = ["pupil", "area", "what_seen", "evidence", "parents_aware"]
        widgets = {
            "what_seen": forms.Textarea(attrs={"rows": 4}),
            "evidence": forms.Textarea(attrs={"rows": 3}),
        }

    # About two pages: enough for what was seen; longer reports belong in a document.
    TEXT_LIMIT = 5000

    def __init__(self, *args, pupils, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = pupils
        # A blank first choice, so a concern is never filed under the first area because the
        # teacher did not open the list.
        self.fields["area"].choices = [("", "Choose the area that fits best")] + [
            c for c in Area.choices if c[0] != Area.UNASSIGNED
        ]
        self.fields["pupil"].empty_label = "Choose a pupil"
        # What to do, not "This field is required." (a teacher reads these).
        self.fields["pupil"].error_messages["required"] = (
            "Choose the pupil you are concerned about."
        )
        self.fields["area"].error_messages["required"] = "Choose the area of need that fits best."
        self.fields["what_seen"].error_messages["required"] = (
            "Describe what you have seen: what the pupil does or finds hard, and when."
        )
        for name in ("what_seen", "evidence"):
            field = self.fields[name]
            field.max_length = self.TEXT_LIMIT
            field.widget.attrs["maxlength"] = str(self.TEXT_LIMIT)
            field.validators.append(
                MaxLengthValidator(
                    self.TEXT_LIMIT,
                    message=f"Keep this to {self.TEXT_LIMIT:,} characters (it has "
                    "%(show_value)d): the SENCO can attach a longer report to the record.",
                )
            )
        self.fields["pupil"].label_from_instance = lambda p: (
            f"{p.last_name}, {p.preferred_name or p.first_name} ({p.get_nc_year_display()})"
        )


class TriageForm(forms.Form):
    outcome = forms.ChoiceField(
        choices=[c for c in Concern.Outcome.choices if c[0] != Concern.Outcome.OPEN],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what happens next."},
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The member of staff who raised the concern is told this.",
        error_messages={"required": "Give the reason for your decision."},
    )


class ArchiveForm(forms.Form):
    """How and when a pupil left, which decides how long the SEN file is kept (DOMAIN.md 8.2).
    The legal hold field is there only for a member who manages retention."""

    left_on = forms.DateField(label="Date left", widget=DATE)
    left_for = forms.ChoiceField(
        label="Where did the pupil go?",
        choices=Pupil.LeftFor.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where the pupil went."},
        help_text="A school whose pupil moves to another school passes the whole SEN file on and "
        "does not keep a copy. The last school the pupil attended (also when they leave for home "
        "education, abroad or post-16) keeps it until date of birth + 31 years.",
    )
    destination = forms.CharField(
        label="Receiving school or destination",
        max_length=200,
        required=False,
        help_text="For a move: the school's name (and URN). Otherwise, optional.",
    )
    file_sent_on = forms.DateField(
        label="Date the SEN file was sent",
        widget=DATE,
        required=False,
        help_text="For a move: when the file went to the receiving school (transition pack, CTF "
        "and educational record, within 15 school days of leaving). Leave empty until it has "
        "gone; this school then keeps its copy "
        f"{TRANSFER_KEEP_DAYS} days after the transfer.",
    )
    legal_hold = forms.BooleanField(
        label="Legal hold",
        required=False,
        help_text="Litigation or a tribunal is pending: keep the record past its retention date.",
    )

    def __init__(self, *args, can_hold: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_hold:
            del self.fields["legal_hold"]

    def clean(self):
        data = super().clean()
        data.setdefault("legal_hold", None)  # not offered: leave the hold as it is
        return data


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = [
            "name",
            "relationship",
            "parental_responsibility",
            "lives_with_pupil",
            "phone",
            "email",
            "address",
            "preferred_contact",
            "language",
            "needs_interpreter",
            "notes",
        ]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }


class LiaisonForm(forms.ModelForm):
    class Meta:
        model = LiaisonEntry
        fields = ["kind", "happened_on", "contact", "summary", "follow_up", "follow_up_due"]
        widgets = {
            "happened_on": DATE,
            "follow_up_due": DATE,
            "summary": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "kind": "Type of contact",
            "happened_on": "Date it happened",
            "contact": "With",
            "follow_up": "Follow-up needed",
            "follow_up_due": "Follow-up due by",
        }
        help_texts = {"follow_up": "What the school still has to do, if anything"}

    def __init__(self, *args, pupil, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = pupil.contacts.all()
        self.fields["contact"].empty_label = "Not one of the recorded parents or carers"
        self.fields["kind"].choices = [("", "Choose")] + list(LiaisonEntry.Kind.choices)
        self.fields["happened_on"].initial = timezone.localdate()

    def clean(self):
        data = super().clean()
        happened, due = data.get("happened_on"), data.get("follow_up_due")
        if data.get("follow_up_due") and not data.get("follow_up"):
            self.add_error("follow_up", "Say what needs following up.")
        if happened and happened > timezone.localdate():
            self.add_error(
                "happened_on", "This date is in the future: log the contact once it has happened."
            )
        if happened and due and due < happened:
            self.add_error("follow_up_due", "The follow-up cannot be due before the contact.")
        return data


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = ["name", "kind", "phone", "email", "address", "referral_notes"]
        widgets = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "referral_notes": forms.Textarea(attrs={"rows": 2}),
        }


class ProfessionalForm(forms.ModelForm):
    class Meta:
        model = Professional
        fields = ["name", "role", "phone", "email"]


class InvolvementForm(forms.ModelForm):
    class Meta:
        model = Involvement
        fields = [
            "agency",
            "professional",
            "referral_date",
            "status",
            "next_appointment",
            "discharged_on",
            "notes",
        ]
        widgets = {
            "referral_date": DATE,
            "next_appointment": DATE,
            "discharged_on": DATE,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.for_school(school)
        self.fields["professional"].queryset = Professional.objects.filter(
            agency__school=school
        ).select_related("agency")

    def clean(self):
        data = super().clean()
        pro, agency = data.get("professional"), data.get("agency")
        if pro and agency and pro.agency_id != agency.pk:
            self.add_error("professional", "This professional works for a different agency.")
        if data.get("status") == Involvement.Status.DISCHARGED and not data.get("discharged_on"):
            self.add_error("discharged_on", "Give the discharge date.")
        referred, discharged = data.get("referral_date"), data.get("discharged_on")
        if referred and discharged and discharged < referred:
            self.add_error("discharged_on", "The discharge date is before the referral date.")
        elif discharged and data.get("status") not in (None, Involvement.Status.DISCHARGED):
            # Otherwise the chronology says "Discharged" beside a status of waiting or active.
            self.add_error(
                "discharged_on",
                "Only a discharged involvement has a discharge date: choose Discharged as the "
                "status, or leave this empty.",
            )
        appointment = data.get("next_appointment")
        if referred and appointment and appointment < referred:
            self.add_error("next_appointment", "The next appointment is before the referral date.")
        return data


class DocumentForm(forms.ModelForm):
    class Meta:
        model = PupilDocument
        fields = ["title", "kind", "dated", "involvement", "file"]
        widgets = {"dated": DATE}
        labels = {"kind": "Type of document", "involvement": "Sent by (outside agency)"}
        help_texts = {
            "file": "PDF, Word (.docx), PNG or JPEG",
            "involvement": "For a report from an agency working with the pupil",
        }

    def __init__(self, *args, pupil, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["involvement"].queryset = pupil.involvements.select_related("agency")
        self.fields["involvement"].empty_label = "None"
        self.fields["file"].widget.attrs["accept"] = ".pdf,.docx,.png,.jpg,.jpeg"


class AccessArrangementForm(forms.ModelForm):
    class Meta:
        model = AccessArrangement
        fields = [
            "kind",
            "normal_way_of_working",
            "assessor_name",
            "assessor_qualification",
            "qualification_checked_on",
            "assessed_on",
            "score_1_test",
            "score_1",
            "score_2_test",
            "score_2",
            "aao_reference",
            "approved_on",
            "notes",
        ]
        widgets = {
            "qualification_checked_on": DATE,
            "assessed_on": DATE,
            "approved_on": DATE,
            "normal_way_of_working": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"approved_on": "Approvals last 26 months from this date"}

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in AccessArrangement.AAO_KINDS:
            if kind in ("et25", "et50", "scribe") and not data.get("assessor_name"):
                self.add_error(
                    "assessor_name", "This arrangement needs a qualified assessor (Form 8)."
                )
            if data.get("assessor_name") and not data.get("assessor_qualification"):
                self.add_error("assessor_qualification", "Record the assessor's qualification.")
            if data.get("assessor_name") and not data.get("qualification_checked_on"):
                self.add_error(
                    "qualification_checked_on",
                    "The SENCO must check the assessor's qualification before the assessment.",
                )
        checked, assessed = data.get("qualification_checked_on"), data.get("assessed_on")
        if checked and assessed and checked > assessed:
            self.add_error(
                "qualification_checked_on",
                "The qualification must be checked before the assessment, not after.",
            )
        for field in ("score_1", "score_2"):
            score = data.get(field)
            if score is not None and not 40 <= score <= 160:
                self.add_error(field, "A standardised score is between 40 and 160.")
        return data
