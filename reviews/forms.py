"""Forms for the graduated approach and the contribution links. Bad input gets a message next to
the field; the services re-check what matters."""

import datetime as dt

from django import forms
from django.utils import timezone

from sencoweb.models import Membership
from sencoweb.security import validate_upload

from . import selectors
from .models import (
    PROGRESS_SCALE,
    ContributionLink,
    Outcome,
    Review,
    ReviewSettings,
    SupportCycle,
    progress_label,
)

# ISO values: a type="date" input ignores any other format (en-gb would write 10/02/2027), so
# an edit form would show the date blank and saving it would erase the date.
DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _staff_choices(school):
    members = (
        Membership.objects.active()
        .filter(school=school, role__in=["teacher", "senco", "head"])
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
    return [(m.user_id, f"{m.user} ({m.get_role_display()})") for m in members]


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


class ReviewSettingsForm(forms.ModelForm):
    # (lowest, highest) for each number. Reminders go out for reviews in the next 31 days
    # (services.review_reminders_send); links are given for at most 60 (ContributionLinkForm).
    LIMITS = {"link_days": (1, 60), "chase_days_before": (0, 30), "reminder_days_before": (0, 31)}

    class Meta:
        model = ReviewSettings
        fields = [
            "teachers_may_edit",
            "links_until_review",
            "link_days",
            "chase_days_before",
            "reminder_days_before",
        ]
        help_texts = {
            "teachers_may_edit": "Otherwise only the SENCO edits plans, unless a plan itself "
            "lets its class teacher edit it.",
            "links_until_review": "Recommended: a link sent weeks before the review still works "
            "when the reminder goes out. Links for a plan with no review date yet use the "
            "number of days below.",
            "link_days": "When links do not stay open until the review: the default for new "
            "links to parents, pupils and professionals (1 to 60 days).",
            "chase_days_before": "One reminder email to anyone who has not yet replied "
            "(0 to 30 days; 0 is the day of the review).",
            "reminder_days_before": "An email to the responsible teacher and the SENCO "
            "(0 to 31 days).",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (low, high) in self.LIMITS.items():
            self.fields[name].widget.attrs.update({"min": low, "max": high})

    def clean(self):
        data = super().clean()
        for name, (low, high) in self.LIMITS.items():
            value = data.get(name)
            if value is not None and not low <= value <= high:
                self.add_error(name, f"Choose a number from {low} to {high}.")
        days, chase = data.get("link_days"), data.get("chase_days_before")
        if (
            not data.get("links_until_review")
            and days is not None
            and chase is not None
            and chase >= days
            and not self.has_error("link_days")
            and not self.has_error("chase_days_before")
        ):
            # The chaser goes N days before the link closes: with links open for N days or
            # fewer that is the day the link is sent, so no real reminder could ever go.
            self.add_error(
                "chase_days_before",
                f"Links open for {_days(days)} cannot be chased {_days(chase)} before they "
                "close: no reminder could ever go. Choose fewer days here"
                + (f" (at most {days - 1})" if days > 1 else "")
                + ", keep links open longer, or let them stay open until the day of the review.",
            )
        return data


class OpenCycleForm(forms.Form):
    teacher_responsible = forms.TypedChoiceField(
        label="Class or subject teacher responsible", coerce=int, required=False, empty_value=None
    )
    teacher_may_edit = forms.BooleanField(
        label="Let the class teacher edit this plan", required=False
    )

    def __init__(self, *args, school, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teacher_responsible"].choices = [("", "Not yet chosen")] + _staff_choices(
            school
        )


class AssessForm(forms.ModelForm):
    class Meta:
        model = SupportCycle
        fields = [
            "assessed_on",
            "assessed_by",
            "teacher_assessment",
            "standardised_scores",
            "agency_advice",
            "pupil_views",
            "parent_views",
        ]
        widgets = {
            "assessed_on": DATE,
            **{
                f: forms.Textarea(attrs={"rows": 3})
                for f in [
                    "teacher_assessment",
                    "standardised_scores",
                    "agency_advice",
                    "pupil_views",
                    "parent_views",
                ]
            },
        }
        help_texts = {
            "standardised_scores": "Test, date and score, e.g. 'YARC reading comprehension, "
            "Jan 2026: SS 78'",
            "assessed_by": "Names and roles, e.g. 'Class teacher and SENCO'",
        }

    def clean_assessed_on(self):
        value = self.cleaned_data["assessed_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError("The assessment date cannot be in the future.")
        return value


class PlanSettingsForm(forms.ModelForm):
    class Meta:
        model = SupportCycle
        fields = ["review_date", "parents_notified_on", "teacher_responsible", "teacher_may_edit"]
        widgets = {"review_date": DATE, "parents_notified_on": DATE}
        labels = {"parents_notified_on": "Parents told about the plan on"}

    def __init__(self, *args, school, can_delegate: bool, **kwargs):
        super().__init__(*args, **kwargs)
        ids = [pk for pk, _ in _staff_choices(school)]
        self.fields["teacher_responsible"].queryset = self.fields[
            "teacher_responsible"
        ].queryset.filter(pk__in=ids)
        if not can_delegate:
            # Only the SENCO decides who else may edit.
            del self.fields["teacher_may_edit"]

    def clean_review_date(self):
        value = self.cleaned_data["review_date"]
        if value and self.instance.opened_at and value < self.instance.opened_at.date():
            raise forms.ValidationError("The review date must be after the cycle opened.")
        return value

    def clean_parents_notified_on(self):
        value = self.cleaned_data["parents_notified_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(
                "This date is in the future: record it once the parents have been told."
            )
        return value


CRITERION_NEEDED = "Say how everyone will know the outcome is achieved (e.g. '8 of 10 times')."


class OutcomeForm(forms.ModelForm):
    provision_group_id = forms.TypedChoiceField(
        label="Provision group on the provision map",
        required=False,
        coerce=str,
        empty_value=None,
    )

    class Meta:
        model = Outcome
        fields = [
            "area",
            "description",
            "success_criterion",
            "strategies",
            "provision",
            "provision_group_id",
            "target_date",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "success_criterion": forms.Textarea(attrs={"rows": 2}),
            "strategies": forms.Textarea(attrs={"rows": 3}),
            "target_date": DATE,
        }

    def __init__(self, *args, pupil, opened_on: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.opened_on = opened_on
        # Required here (the model allows blank for old records), so the label shows it.
        criterion = self.fields["success_criterion"]
        criterion.required = True
        criterion.error_messages["required"] = CRITERION_NEEDED
        # Only the pupil's current groups on the provision map (and the outcome's existing
        # link) are offered, so another pupil's or school's group cannot be linked.
        options = selectors.provision_group_choices(
            pupil, keep=self.instance.provision_group_id if self.instance.pk else None
        )
        if options:
            self.fields["provision_group_id"].choices = [("", "None")] + options
            self.fields[
                "provision_group_id"
            ].help_text = "Delivered and planned sessions of the group show on the plan."
        else:
            # The pupil is in no provision group: the free-text field carries the provision.
            del self.fields["provision_group_id"]

    def clean_description(self):
        value = self.cleaned_data["description"].strip()
        if len(value) < 10:
            raise forms.ValidationError(
                "Write the outcome in a full sentence so it can be measured."
            )
        return value

    def clean_target_date(self):
        value = self.cleaned_data["target_date"]
        if value and self.opened_on and value < self.opened_on:
            raise forms.ValidationError(
                f"This date is before the plan was opened ({self.opened_on:%-d %B %Y}): "
                "check the year."
            )
        return value

    def clean_success_criterion(self):
        value = self.cleaned_data["success_criterion"].strip()
        if not value:
            raise forms.ValidationError(CRITERION_NEEDED)
        return value


class IssueForm(forms.Form):
    change_note = forms.CharField(
        label="What changed (for an amended plan)", max_length=300, required=False
    )


class ReviewForm(forms.ModelForm):
    next_review_date = forms.DateField(
        label="Review date for the next cycle", required=False, widget=DATE
    )

    class Meta:
        model = Review
        fields = [
            "meeting_date",
            "attendees",
            "pupil_voice",
            "parent_voice",
            "summary",
            "next_step",
        ]
        widgets = {
            "meeting_date": DATE,
            "attendees": forms.Textarea(attrs={"rows": 3}),
            "pupil_voice": forms.Textarea(attrs={"rows": 3}),
            "parent_voice": forms.Textarea(attrs={"rows": 3}),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "next_step": forms.RadioSelect,
        }

    def __init__(self, *args, outcomes, **kwargs):
        super().__init__(*args, **kwargs)
        # Radio buttons need no "---------" choice: none is ticked until the SENCO picks one.
        self.fields["next_step"].choices = Review.NextStep.choices
        for name in ("pupil_voice", "parent_voice"):
            if self.initial.get(name):
                self.fields[name].help_text = (
                    "Started from the views sent in before the meeting: add what was said at "
                    "the meeting."
                )
        self.outcomes = list(outcomes)
        for outcome in self.outcomes:
            key = outcome.public_id.hex
            self.fields[f"rating_{key}"] = forms.ChoiceField(
                label="Rating", choices=[("", "Choose")] + list(Outcome.Rating.choices)
            )
            self.fields[f"progress_{key}"] = forms.TypedChoiceField(
                label="Progress (-2 to +2)",
                coerce=int,
                choices=[(n, progress_label(n)) for n in PROGRESS_SCALE],
                initial=0,
            )
            self.fields[f"comment_{key}"] = forms.CharField(
                label="Comment", required=False, widget=forms.Textarea(attrs={"rows": 2})
            )

    def outcome_rows(self):
        return [
            (
                o,
                self[f"rating_{o.public_id.hex}"],
                self[f"progress_{o.public_id.hex}"],
                self[f"comment_{o.public_id.hex}"],
            )
            for o in self.outcomes
        ]

    def clean_meeting_date(self):
        value = self.cleaned_data["meeting_date"]
        if value > timezone.localdate():
            raise forms.ValidationError("Record the review after the meeting has taken place.")
        return value

    def clean(self):
        data = super().clean()
        step = data.get("next_step")
        nxt = data.get("next_review_date")
        if step and step != Review.NextStep.LEAVE:
            if not nxt:
                self.add_error("next_review_date", "Set a review date for the next cycle.")
            elif nxt <= timezone.localdate():
                self.add_error("next_review_date", "The next review date must be in the future.")
        return data


class ContributionLinkForm(forms.ModelForm):
    # Blank: the school's default (services.contribution_link_expiry), by default until the
    # end of the review day.
    days = forms.IntegerField(
        label="Link stays open for (days)", min_value=1, max_value=60, required=False
    )

    class Meta:
        model = ContributionLink
        fields = ["kind", "recipient_name", "recipient_email"]


# Public forms (no account) ----------------------------------------------------------------

REPORT_TYPES = ("pdf", "docx", "png", "jpg", "jpeg")


def validate_report(upload):
    """The project's one upload gate: extension, magic bytes and size."""
    if upload is not None:
        validate_upload(upload, allowed=REPORT_TYPES)
    return upload


class ParentContributionForm(forms.Form):
    going_well = forms.CharField(
        label="What is going well for your child?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Please tell us at least one thing that is going well."},
    )
    worries = forms.CharField(
        label="Is anything worrying you?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    helps_at_home = forms.CharField(
        label="What helps at home?", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    hopes = forms.CharField(
        label="What would you like your child to achieve next?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    report = forms.FileField(
        label="Attach a report (optional)",
        required=False,
        help_text="PDF, Word (.docx) or a photo",
    )

    def clean_report(self):
        return validate_report(self.cleaned_data.get("report"))


SUMMARY_OR_REPORT = "Type your assessment or observations here, or attach your report below."


class ProfessionalContributionForm(forms.Form):
    role = forms.CharField(
        label="Your role and organisation",
        max_length=200,
        error_messages={"required": "Please tell us your role and organisation."},
    )
    # The page says "type it below, attach your report, or both": one of the two is needed.
    summary = forms.CharField(
        label="Your assessment or observations",
        required=False,
        help_text="Not needed if you attach your report.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    recommendations = forms.CharField(
        label="Recommendations for school", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    report = forms.FileField(
        label="Attach your report (optional)", required=False, help_text="PDF, Word or image"
    )

    def clean_report(self):
        return validate_report(self.cleaned_data.get("report"))

    def clean(self):
        data = super().clean()
        # A report that failed its checks has its own message next to the upload.
        if (
            not data.get("summary", "").strip()
            and not data.get("report")
            and not self.has_error("report")
        ):
            self.add_error("summary", SUMMARY_OR_REPORT)
        return data


FEELINGS = [("happy", "Happy"), ("ok", "OK"), ("sad", "Sad")]


class PupilContributionForm(forms.Form):
    feel_school = forms.ChoiceField(
        label="How do you feel at school?", choices=FEELINGS, widget=forms.RadioSelect
    )
    feel_learning = forms.ChoiceField(
        label="How do you feel about your learning?", choices=FEELINGS, widget=forms.RadioSelect
    )
    good_at = forms.CharField(
        label="I am good at...", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    hard = forms.CharField(
        label="I find it hard when...", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    helps = forms.CharField(
        label="It helps me when...", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


PUBLIC_FORMS = {
    ContributionLink.Kind.PARENT: ParentContributionForm,
    ContributionLink.Kind.PUPIL: PupilContributionForm,
    ContributionLink.Kind.PROFESSIONAL: ProfessionalContributionForm,
}

ANSWER_LABELS = {
    name: field.label
    for form in PUBLIC_FORMS.values()
    for name, field in form.base_fields.items()
    if name != "report"
}


_ANSWER_ORDER = {name: n for n, name in enumerate(ANSWER_LABELS)}


def answer_items(answers) -> list[tuple[str, str]]:
    """A link's answers in the order its form asks them. PostgreSQL's jsonb keeps no key order
    (it sorts keys by length), so the stored dict's own order cannot be trusted."""
    return sorted(
        (answers or {}).items(), key=lambda item: _ANSWER_ORDER.get(item[0], len(_ANSWER_ORDER))
    )


def voice_from(links) -> str:
    """The answers sent through these (submitted) links as plain lines, to start the review's
    record of the pupil's or the parents' voice: who sent them when more than one did."""
    feelings = dict(FEELINGS)
    blocks = []
    for link in links:
        lines = []
        for key, value in answer_items(link.answers):
            if not value:
                continue
            label = ANSWER_LABELS.get(key, key)
            lines.append(
                f"{label} {feelings.get(value, value) if key.startswith('feel_') else value}"
            )
        if lines:
            blocks.append(lines if len(links) == 1 else [f"{link.recipient_name}:", *lines])
    return "\n\n".join("\n".join(lines) for lines in blocks)


def default_next_review(today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate()) + dt.timedelta(weeks=12)
