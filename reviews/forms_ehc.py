"""Forms for EHC requests, plans, annual reviews and LA rule profiles. Date rules are checked by
the deadline engine; its message is shown next to the field it is about."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from provision.forms import TopUpFundingForm

from . import deadlines as engine
from . import selectors_ehc as sel
from .models import AnnualReview, EhcOutcome, EhcPlan, EhcProvisionItem, EhcRequest, LaRuleProfile
from .models.ehc import RULE_FIELDS, SECTION_HEADINGS, humanise_engine_message


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _date_widgets(model_form_meta_fields, model):
    return {
        name: DateInput()
        for name in model_form_meta_fields
        if model._meta.get_field(name).get_internal_type() == "DateField"
    }


FUTURE = "This date is in the future: record it once it has happened."


def _refuse_future_dates(form, names) -> None:
    """Dates of things that have happened cannot be after today (a typed year, usually)."""
    today = timezone.localdate()
    for name in names:
        value = form.cleaned_data.get(name)
        if value is not None and value > today:
            form.add_error(name, FUTURE)


def _engine_error_to_field(form, message: str, field_map: dict[str, str], shown: str) -> None:
    """The engine names its arguments at the start of its messages; show the message beside
    the matching form field, or at the top of the form."""
    for arg, field in field_map.items():
        if message.startswith(arg) and field in form.fields:
            form.add_error(field, shown)
            return
    form.add_error(None, shown)


class LaRuleProfileForm(forms.ModelForm):
    class Meta:
        model = LaRuleProfile
        fields = ["la_code", "la_name", *RULE_FIELDS]

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.school = school

    def clean_la_code(self):
        code = self.cleaned_data["la_code"].strip()
        if not (code.isdigit() and len(code) == 3):
            raise ValidationError("Enter the three-digit LA number, e.g. 801.")
        # The school is not a form field, so the model form would not check this itself and
        # the database would refuse the row.
        taken = LaRuleProfile.objects.filter(school=self.instance.school, la_code=code)
        if taken.exclude(pk=self.instance.pk).exists():
            raise ValidationError(
                f"Rules for LA {code} are already saved: use Edit in the table above."
            )
        return code


REQUEST_FIELDS = [
    "requested_by",
    "requester_name",
    "la_code",
    "la_name",
    "received_on",
    "decision_to_assess_on",
    "decided_to_assess",
    "advice_requested_on",
    "advice_received_on",
    "draft_issued_on",
    "representations_received_on",
    "final_issued_on",
    "decision_not_to_issue_on",
    "exception_reason",
    "notes",
]


class EhcRequestForm(forms.ModelForm):
    decided_to_assess = forms.NullBooleanField(
        label="Did the LA agree to assess?",
        required=False,
        widget=forms.NullBooleanSelect(),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decided_to_assess"].widget.choices = [
            ("unknown", "Not decided yet"),
            ("true", "Yes, it will assess"),
            ("false", "No, it will not assess"),
        ]

    def clean(self):
        data = super().clean()
        _refuse_future_dates(self, [f for f in REQUEST_FIELDS if f.endswith("_on")])
        return data

    class Meta:
        model = EhcRequest
        fields = REQUEST_FIELDS
        widgets = {
            **_date_widgets(REQUEST_FIELDS, EhcRequest),
            "exception_reason": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }


PLAN_FIELDS = [
    "la_code",
    "la_name",
    "la_case_officer",
    "first_issued_on",
    "section_a",
    "section_b",
    "section_c",
    "section_d",
    "section_g",
    "section_h1",
    "section_h2",
    "named_setting",
    "setting_type",
    "budget_type",
    "budget_amount",
    "budget_covers",
    "budget_school_consent",
    "section_k",
    "phase_transfer",
]


class EhcPlanForm(forms.ModelForm):
    class Meta:
        model = EhcPlan
        fields = PLAN_FIELDS
        widgets = {
            "first_issued_on": DateInput(),
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in PLAN_FIELDS
                if name.startswith("section_") or name == "budget_covers"
            },
        }
        labels = {
            f"section_{key}": SECTION_HEADINGS[key]
            for key in ("a", "b", "c", "d", "g", "h1", "h2", "k")
        }
        help_texts = {
            "first_issued_on": "Only if this plan replaces a paper plan issued earlier: the "
            "annual review clock runs from the first plan's date.",
        }

    def clean(self):
        data = super().clean()
        if data.get("budget_type") and data.get("budget_amount") is None:
            self.add_error("budget_amount", "Give the personal budget amount (or choose none).")
        return data


OutcomeFormSet = forms.inlineformset_factory(
    EhcPlan,
    EhcOutcome,
    fields=["area", "outcome", "by_when"],
    widgets={"outcome": forms.Textarea(attrs={"rows": 2})},
    extra=2,
    can_delete=True,
)

ProvisionFormSet = forms.inlineformset_factory(
    EhcPlan,
    EhcProvisionItem,
    fields=["provision", "hours_per_week", "frequency", "provided_by", "group_size"],
    widgets={"provision": forms.Textarea(attrs={"rows": 2})},
    extra=2,
    can_delete=True,
)


# The top-up that comes with a plan: the provision app's record, edited from the plan's page.
PlanTopUpForm = TopUpFundingForm


class IssuePlanForm(forms.Form):
    issued_on = forms.DateField(
        label="Date the LA issued the final plan",
        widget=DateInput(),
        error_messages={"required": "Give the date the LA issued the plan."},
    )

    def clean_issued_on(self):
        value = self.cleaned_data["issued_on"]
        if value > timezone.localdate():
            raise ValidationError(
                "That date is in the future: issue the plan here once the LA has issued it."
            )
        return value


class CeasePlanForm(forms.Form):
    """The LA has ceased the plan (CFA 2014 s.45; SEND Regs 2014 reg 20(10), 31): the date it
    ceased and why, as the LA's notice says."""

    ceased_on = forms.DateField(
        label="Date the plan ceased",
        widget=DateInput(),
        help_text="The date in the LA's notice, once any appeal period has passed.",
        error_messages={"required": "Give the date the plan ceased."},
    )
    ceased_reason = forms.CharField(
        label="Why the plan ceased",
        max_length=300,
        help_text=(
            "For example: the LA decided after the annual review that the outcomes are met and "
            "SEN support will meet the needs; no appeal was made."
        ),
        error_messages={
            "required": "Say why, as the LA's notice does.",
            "max_length": "Keep it under 300 characters; the LA's letter can be uploaded to "
            "the pupil's file.",
        },
    )

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan

    def clean_ceased_reason(self):
        value = self.cleaned_data["ceased_reason"].strip()
        if not value:
            raise ValidationError("Say why, as the LA's notice does.")
        return value

    def clean_ceased_on(self):
        value = self.cleaned_data["ceased_on"]
        if value > timezone.localdate():
            raise ValidationError(
                "That date is in the future: the plan stays in force until then. Record it "
                "here on or after the day it ceases."
            )
        issued = self.plan.issued_on
        if issued and value < issued:
            raise ValidationError(
                f"The plan cannot cease before it was issued ({issued:%-d %B %Y})."
            )
        return value


REVIEW_FIELDS = [
    "advice_requested_on",
    "invitations_sent_on",
    "advice_circulated_on",
    "meeting_on",
    "attendees",
    "pupil_views",
    "parent_views",
    "progress",
    "recommendation",
    "report_sent_on",
    "la_decision_on",
    "la_outcome",
    "amendment_proposals_on",
    "representations_received_on",
    "final_amended_plan_on",
]
REVIEW_ENGINE_FIELDS = {
    "advice_requested": "advice_requested_on",
    "invitations_sent": "invitations_sent_on",
    "advice_circulated": "advice_circulated_on",
    "The meeting": "meeting_on",
    "Record the meeting date": "meeting_on",
    "report_sent": "report_sent_on",
    "la_decision": "la_decision_on",
    "amendment_proposals": "amendment_proposals_on",
    "representations_received": "representations_received_on",
    "final_amended_plan": "final_amended_plan_on",
    "The LA decided to": "la_outcome",
}


class AnnualReviewForm(forms.ModelForm):
    class Meta:
        model = AnnualReview
        fields = REVIEW_FIELDS
        widgets = {
            **_date_widgets([f for f in REVIEW_FIELDS if f.endswith("_on")], AnnualReview),
            "attendees": forms.Textarea(attrs={"rows": 2}),
            "pupil_views": forms.Textarea(attrs={"rows": 3}),
            "parent_views": forms.Textarea(attrs={"rows": 3}),
            "progress": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, profile: engine.LaRuleProfile, **kwargs):
        super().__init__(*args, **kwargs)
        self.profile = profile

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data.get("la_decision_on") and not data.get("la_outcome"):
            self.add_error("la_outcome", "Choose what the LA decided.")
        if data.get("la_outcome") and not data.get("la_decision_on"):
            self.add_error("la_decision_on", "Give the date of the LA's decision.")
        # Every date here is of something done, except the meeting, which can be booked ahead.
        _refuse_future_dates(
            self, [f for f in REVIEW_FIELDS if f.endswith("_on") and f != "meeting_on"]
        )
        if self.errors:
            return data
        review = self.instance
        for name in REVIEW_FIELDS:
            if name in data:
                setattr(review, name, data[name])
        try:
            engine.check_review_preparation(
                meeting=review.meeting_on,
                advice_requested=review.advice_requested_on,
                invitations_sent=review.invitations_sent_on,
                advice_circulated=review.advice_circulated_on,
            )
            review.deadlines(
                profile=self.profile,
                plan_issued=review.plan.review_anchor,
                pupil_dob=review.pupil.date_of_birth,
            )
        except ValueError as exc:
            message = humanise_engine_message(str(exc), review, REVIEW_ENGINE_FIELDS)
            _engine_error_to_field(self, str(exc), REVIEW_ENGINE_FIELDS, shown=message)
        return data


def profile_for_plan(plan: EhcPlan) -> engine.LaRuleProfile:
    return sel.profile_for(sel.rule_profiles(schools=[plan.school]), plan.school_id, plan.la_code)
