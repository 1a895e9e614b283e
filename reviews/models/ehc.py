"""EHC needs assessment requests, EHC plans (versioned, sections A to K), annual reviews and the
per-LA rule profiles. Every statutory date is computed by the pure engine in reviews/deadlines.py
from the dates stored here; nothing here re-implements a rule."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from sencoweb.models import SchoolScopedQuerySet

from .. import deadlines as engine

__all__ = [
    "SECTION_HEADINGS",
    "AnnualReview",
    "EhcOutcome",
    "EhcPlan",
    "EhcProvisionItem",
    "EhcRequest",
    "EhcReminderSent",
    "LaRuleProfile",
]

# The sections of an EHC plan as SEND Regs 2014 reg 12(1) names them (DOMAIN.md 3.3), for every
# page and form that shows a plan. Keys follow the section_<key> fields; E, F, I and J have
# structured records of their own.
SECTION_HEADINGS = {
    "a": "A. Views, interests and aspirations",
    "b": "B. Special educational needs",
    "c": "C. Health needs related to the SEN",
    "d": "D. Social care needs related to the SEN or a disability",
    "e": "E. Outcomes sought, including for adult life",
    "f": "F. Special educational provision",
    "g": "G. Health provision reasonably required by the learning difficulties or disabilities",
    "h1": "H1. Social care provision under the Chronically Sick and Disabled Persons Act 1970 s.2",
    "h2": "H2. Any other social care provision reasonably required",
    "i": "I. Name and type of school or institution",
    "j": "J. Personal budget",
    "k": "K. Advice and information gathered during the assessment",
}

RULE_FIELDS = (
    "report_to_la_days",
    "invitation_lead_days",
    "advice_request_lead_days",
    "advice_circulation_lead_days",
)


class LaRuleProfile(models.Model):
    """One LA's local annual review rules as this school works with them (the SENCO edits)."""

    school = models.ForeignKey(
        "sencoweb.School", on_delete=models.CASCADE, related_name="la_rule_profiles"
    )
    la_code = models.CharField("LA code", max_length=3)
    la_name = models.CharField("Local authority", max_length=100)
    report_to_la_days = models.PositiveSmallIntegerField(
        "Review report to the LA within (days of the meeting)",
        default=engine.STATUTORY_REPORT_DAYS,
        help_text="At most 14 (SEND Regs 2014 reg 20(7)); some LAs ask for 7 or 10.",
    )
    invitation_lead_days = models.PositiveSmallIntegerField(
        "Invitations sent at least (days before the meeting)",
        default=engine.STATUTORY_NOTICE_DAYS,
        help_text="At least 14 (reg 20(3)).",
    )
    advice_request_lead_days = models.PositiveSmallIntegerField(
        "Advice requested (days before the meeting)",
        default=28,
        help_text="Local practice, usually about 4 weeks; more than the circulation lead time.",
    )
    advice_circulation_lead_days = models.PositiveSmallIntegerField(
        "Advice circulated at least (days before the meeting)",
        default=engine.STATUTORY_CIRCULATION_DAYS,
        help_text="At least 14 (reg 20(4)).",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["la_name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "la_code"], name="la_rule_profile_unique"),
        ]

    def __str__(self):
        return f"{self.la_name} ({self.la_code})"

    def as_engine(self) -> engine.LaRuleProfile:
        return engine.LaRuleProfile(
            **{name: getattr(self, name) for name in RULE_FIELDS}, name=self.la_name
        )

    def clean(self):
        # The engine owns the rules: translate its message to the field it is about.
        try:
            self.as_engine()
        except ValueError as exc:
            message = str(exc)
            field = next((f for f in RULE_FIELDS if f in message.split(":")[-1]), None)
            # Say it with the form's labels, not the engine's argument names.
            for name in sorted(RULE_FIELDS, key=len, reverse=True):
                label = str(self._meta.get_field(name).verbose_name)
                message = message.replace(name, f'"{label}"')
            raise ValidationError({field: message} if field else message) from None


class RequestedBy(models.TextChoices):
    PARENT = "parent", "Parent"
    YOUNG_PERSON = "young_person", "Young person (16 to 25)"
    SCHOOL = "school", "School"
    OTHER = "other", "Other"


class EhcRequest(models.Model):
    """A request for an EHC needs assessment and what the LA did with it (DOMAIN.md 3.2)."""

    class Stage(models.TextChoices):
        AWAITING_DECISION = "awaiting", "Awaiting decision to assess"
        REFUSED = "refused", "LA decided not to assess"
        ASSESSING = "assessing", "Assessing"
        NOT_ISSUING = "not_issuing", "LA decided not to issue a plan"
        DRAFT = "draft", "Draft plan issued"
        FINAL = "final", "Final plan issued"

    school = models.ForeignKey("sencoweb.School", on_delete=models.CASCADE, related_name="+")
    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="ehc_requests")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.CharField(max_length=16, choices=RequestedBy.choices)
    requester_name = models.CharField("Name of who asked", max_length=200, blank=True)
    la_code = models.CharField("LA code", max_length=3)
    la_name = models.CharField("Local authority", max_length=100)
    received_on = models.DateField("Date the LA received the request")
    decision_to_assess_on = models.DateField(
        "Date of the decision whether to assess", null=True, blank=True
    )
    decided_to_assess = models.BooleanField("LA agreed to assess", null=True, blank=True)
    advice_requested_on = models.DateField("LA asked for advice on", null=True, blank=True)
    advice_received_on = models.DateField("School's advice returned on", null=True, blank=True)
    draft_issued_on = models.DateField("Draft plan issued on", null=True, blank=True)
    representations_received_on = models.DateField(
        "Family's comments on the draft received on", null=True, blank=True
    )
    final_issued_on = models.DateField("Final plan issued on", null=True, blank=True)
    decision_not_to_issue_on = models.DateField(
        "LA decided not to issue a plan on", null=True, blank=True
    )
    exception_reason = models.TextField(
        "Reason a time limit was missed",
        blank=True,
        help_text="The exceptions of SEND Regs reg 10(4) and 13(3), e.g. a school closure.",
    )
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-received_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_to_assess__isnull=True)
                | Q(decision_to_assess_on__isnull=False),
                name="ehc_request_decision_has_date",
            ),
        ]

    def __str__(self):
        return f"EHC needs assessment request received {self.received_on:%d %b %Y}"

    def engine_kwargs(self) -> dict:
        return {
            "request_received": self.received_on,
            "decision_to_assess": self.decision_to_assess_on,
            "decided_to_assess": self.decided_to_assess,
            "advice_requested": self.advice_requested_on,
            "advice_received": self.advice_received_on,
            "draft_issued": self.draft_issued_on,
            "representations_received": self.representations_received_on,
            "final_issued": self.final_issued_on,
            "decision_not_to_issue": self.decision_not_to_issue_on,
        }

    def deadlines(self) -> list[engine.Deadline]:
        return engine.needs_assessment_deadlines(**self.engine_kwargs())

    @property
    def stage(self) -> str:
        if self.final_issued_on:
            return self.Stage.FINAL
        if self.decision_not_to_issue_on:
            return self.Stage.NOT_ISSUING
        if self.decided_to_assess is False:
            return self.Stage.REFUSED
        if self.draft_issued_on:
            return self.Stage.DRAFT
        if self.decided_to_assess:
            return self.Stage.ASSESSING
        return self.Stage.AWAITING_DECISION

    def get_stage_display(self) -> str:
        return self.Stage(self.stage).label

    @property
    def is_closed(self) -> bool:
        return self.stage in (self.Stage.FINAL, self.Stage.NOT_ISSUING, self.Stage.REFUSED)

    def clean(self):
        # The engine checks the order of the dates; show its message beside the field it names.
        # Without the date the request was received the form already says it is needed (the
        # engine counts from it and would fail on None).
        if self.received_on is None:
            return
        try:
            self.deadlines()
        except ValueError as exc:
            message = str(exc)
            field = next(
                (f for p, f in REQUEST_ERROR_FIELDS.items() if message.startswith(p)), None
            )
            message = humanise_engine_message(message, self, REQUEST_ERROR_FIELDS)
            raise ValidationError({field: message} if field else message) from None


def humanise_engine_message(message: str, instance, fields: dict) -> str:
    """The engine names its arguments (final_issued); say it the way the form labels do."""
    extra = {"request_received": "the date the LA received the request"}
    for arg, field in sorted(fields.items(), key=lambda kv: -len(kv[0])):
        if arg.isidentifier():
            label = str(instance._meta.get_field(field).verbose_name)
            message = message.replace(arg, f'"{label}"')
    for arg, label in extra.items():
        message = message.replace(arg, label)
    return message


REQUEST_ERROR_FIELDS = {
    "decision_to_assess": "decision_to_assess_on",
    "advice_received": "advice_received_on",
    "advice_requested": "advice_requested_on",
    "draft_issued": "draft_issued_on",
    "representations_received": "representations_received_on",
    "final_issued": "final_issued_on",
    "decision_not_to_issue": "decision_not_to_issue_on",
    "The LA decided not to assess": "decided_to_assess",
    "The LA cannot both": "decision_not_to_issue_on",
    "Give the date": "decision_to_assess_on",
}


class EhcPlanQuerySet(SchoolScopedQuerySet):
    def issued(self):
        return self.filter(status=EhcPlan.Status.ISSUED)

    def current(self):
        """The plan in force (issued, not superseded or ceased) for each pupil."""
        return self.issued().filter(pupil__archived_at__isnull=True)


class EhcPlan(models.Model):
    """One version of a pupil's EHC plan. An amendment is a new version; the old one is kept
    (superseded), never overwritten."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ISSUED = "issued", "Issued (in force)"
        SUPERSEDED = "superseded", "Superseded by an amended plan"
        CEASED = "ceased", "Ceased"

    class BudgetType(models.TextChoices):
        NONE = "", "No personal budget"
        NOTIONAL = "notional", "Notional arrangement"
        DIRECT = "direct", "Direct payment"
        THIRD_PARTY = "third_party", "Third-party arrangement"
        MIXED = "mixed", "A mix of these"

    class Transfer(models.TextChoices):
        AUTO = "", "Work it out from the year group"
        NONE = "none", "No phase transfer this year"
        SCHOOL = "school", "Phase transfer (deadline 15 February)"
        POST16 = "post16", "Secondary to post-16 (deadline 31 March)"

    school = models.ForeignKey("sencoweb.School", on_delete=models.CASCADE, related_name="+")
    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="ehc_plans")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    version = models.PositiveSmallIntegerField(default=1)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="next_version"
    )
    request = models.ForeignKey(
        EhcRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="plans"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    la_code = models.CharField("LA code", max_length=3)
    la_name = models.CharField("Local authority", max_length=100)
    la_case_officer = models.CharField("LA case officer", max_length=200, blank=True)
    issued_on = models.DateField("Date issued", null=True, blank=True)
    first_issued_on = models.DateField(
        "Date the first plan was issued",
        null=True,
        blank=True,
        help_text="Reviews are due within 12 months of this or of the last review.",
    )
    ceased_on = models.DateField("Date the plan ceased", null=True, blank=True)
    ceased_reason = models.CharField("Why the plan ceased", max_length=300, blank=True)

    section_a = models.TextField("A. Views, interests and aspirations", blank=True)
    section_b = models.TextField("B. Special educational needs", blank=True)
    section_c = models.TextField("C. Health needs related to the SEN", blank=True)
    section_d = models.TextField("D. Social care needs", blank=True)
    section_g = models.TextField("G. Health provision", blank=True)
    section_h1 = models.TextField("H1. Social care provision (CSDPA 1970 s.2)", blank=True)
    section_h2 = models.TextField("H2. Other social care provision", blank=True)
    named_setting = models.CharField("I. Named school or setting", max_length=200, blank=True)
    setting_type = models.CharField("I. Type of setting", max_length=100, blank=True)
    budget_type = models.CharField(
        "J. Personal budget", max_length=12, choices=BudgetType.choices, blank=True
    )
    budget_amount = models.DecimalField(
        "J. Personal budget amount (£ per year)",
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
    )
    budget_covers = models.TextField("J. Needs and outcomes the personal budget meets", blank=True)
    budget_school_consent = models.BooleanField(
        "School agrees to direct-payment provision on its premises", default=False
    )
    section_k = models.TextField("K. Advice and information (list of appendices)", blank=True)

    # The element 3 top-up that comes with this plan (DOMAIN.md 5.1). The money is on the
    # provision app's TopUpFunding record, the one record the budget, the governors' report and
    # the census top-up indicator read; the plan only links to it. An amendment keeps the links
    # of the records still being paid (services_ehc.ehc_plan_amend), so one record can be linked
    # to several versions of a plan.
    top_ups = models.ManyToManyField(
        "provision.TopUpFunding",
        blank=True,
        related_name="ehc_plans",
        verbose_name="Top-up funding (element 3)",
    )

    phase_transfer = models.CharField(
        "Phase transfer", max_length=6, choices=Transfer.choices, blank=True, default=""
    )
    # A plan that came with the pupil in the transition pack of the school they moved from
    # (reports.transition): which school and pack, and the last annual review held there, from
    # which the 12 months to the next review run until one is held here.
    imported_from = models.CharField(
        "Imported from",
        max_length=300,
        blank=True,
        help_text="The previous school's transition pack this plan was imported from",
    )
    last_review_before_import = models.DateField(
        "Last annual review at the previous school", null=True, blank=True
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EhcPlanQuerySet.as_manager()

    class Meta:
        ordering = ["pupil", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["pupil", "version"], name="ehc_plan_version_unique"),
            models.UniqueConstraint(
                fields=["pupil"],
                condition=Q(status="issued"),
                name="ehc_plan_one_in_force",
            ),
            models.CheckConstraint(
                condition=~Q(status="issued") | Q(issued_on__isnull=False),
                name="ehc_plan_issued_has_date",
            ),
        ]
        indexes = [models.Index(fields=["school", "status"], name="ehc_plan_school_status")]

    SECTIONS = SECTION_HEADINGS  # for templates: {{ plan.SECTIONS.c }}

    def __str__(self):
        return f"EHC plan v{self.version} ({self.get_status_display()})"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def review_anchor(self):
        """The date the 12-month clock started: the first plan's issue date."""
        return self.first_issued_on or self.issued_on


class EhcOutcome(models.Model):
    """Section E: an outcome sought, with the broad area and when it should be achieved."""

    class Area(models.TextChoices):
        CI = "CI", "Communication and interaction"
        CL = "CL", "Cognition and learning"
        SEMH = "SEMH", "Social, emotional and mental health"
        SP = "SP", "Sensory and/or physical"
        PFA = "PFA", "Preparing for adulthood"

    plan = models.ForeignKey(EhcPlan, on_delete=models.CASCADE, related_name="outcomes")
    order = models.PositiveSmallIntegerField(default=0)
    area = models.CharField(max_length=4, choices=Area.choices)
    outcome = models.TextField()
    by_when = models.CharField("By when", max_length=60, blank=True)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.outcome[:60]


class EhcProvisionItem(models.Model):
    """Section F: specified and quantified special educational provision."""

    plan = models.ForeignKey(EhcPlan, on_delete=models.CASCADE, related_name="provision_items")
    order = models.PositiveSmallIntegerField(default=0)
    provision = models.TextField("What is provided")
    hours_per_week = models.DecimalField(
        "Hours a week", max_digits=5, decimal_places=2, null=True, blank=True
    )
    frequency = models.CharField(
        "How often", max_length=100, blank=True, help_text="e.g. 3 x 30 minutes a week"
    )
    provided_by = models.CharField("Who provides it", max_length=200, blank=True)
    group_size = models.CharField("Group size", max_length=30, blank=True)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return self.provision[:60]


class AnnualReview(models.Model):
    """One review cycle of an EHC plan: the meeting, the report, the LA's decision and (for an
    amendment) the final amended plan. Interim reviews are recorded but do not restart the
    12-month clock."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", "Annual review"
        INTERIM = "interim", "Interim review"

    class Outcome(models.TextChoices):
        MAINTAIN = "maintain", "Maintain the plan unchanged"
        AMEND = "amend", "Amend the plan"
        CEASE = "cease", "Cease the plan"

    school = models.ForeignKey("sencoweb.School", on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(EhcPlan, on_delete=models.CASCADE, related_name="reviews")
    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="ehc_reviews")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.ANNUAL)
    last_review_on = models.DateField(
        "Previous review meeting",
        null=True,
        blank=True,
        help_text="Filled in from the last review; the 12 months run from it.",
    )
    advice_requested_on = models.DateField("Advice requested on", null=True, blank=True)
    invitations_sent_on = models.DateField("Invitations sent on", null=True, blank=True)
    advice_circulated_on = models.DateField("Advice circulated on", null=True, blank=True)
    meeting_on = models.DateField("Meeting date", null=True, blank=True)
    attendees = models.TextField(blank=True)
    pupil_views = models.TextField("Child or young person's views", blank=True)
    parent_views = models.TextField("Parents' views", blank=True)
    progress = models.TextField("Progress towards the section E outcomes", blank=True)
    recommendation = models.CharField(
        "School's recommendation", max_length=8, choices=Outcome.choices, blank=True
    )
    report_sent_on = models.DateField("Report sent to the LA on", null=True, blank=True)
    la_decision_on = models.DateField("LA decision received on", null=True, blank=True)
    la_outcome = models.CharField("LA decision", max_length=8, choices=Outcome.choices, blank=True)
    amendment_proposals_on = models.DateField(
        "Proposed amendments received on", null=True, blank=True
    )
    representations_received_on = models.DateField(
        "Family's comments on the amendments sent on", null=True, blank=True
    )
    final_amended_plan_on = models.DateField("Final amended plan issued on", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-meeting_on", "-created_at"]
        indexes = [models.Index(fields=["school", "pupil"], name="ehc_review_school_pupil")]

    def __str__(self):
        when = f"{self.meeting_on:%d %b %Y}" if self.meeting_on else "not yet held"
        return f"{self.get_kind_display()} ({when})"

    @property
    def is_complete(self) -> bool:
        if not self.meeting_on:
            return False
        if self.kind == self.Kind.INTERIM:
            return True
        if self.la_outcome == self.Outcome.AMEND:
            return self.final_amended_plan_on is not None
        return bool(self.la_outcome and self.la_decision_on)

    def deadlines(self, *, profile: engine.LaRuleProfile, plan_issued, pupil_dob=None):
        if self.kind == self.Kind.INTERIM:
            return []
        return engine.annual_review_deadlines(
            plan_issued=plan_issued,
            last_review=self.last_review_on,
            meeting=self.meeting_on,
            pupil_dob=pupil_dob,
            profile=profile,
            invitations_sent=self.invitations_sent_on,
            advice_requested=self.advice_requested_on,
            advice_circulated=self.advice_circulated_on,
            report_sent=self.report_sent_on,
            la_decision=self.la_decision_on,
            la_outcome=self.la_outcome or None,
            amendment_proposals=self.amendment_proposals_on,
            representations_received=self.representations_received_on,
            final_amended_plan=self.final_amended_plan_on,
        )


class EhcReminderSent(models.Model):
    """One reminder email about one deadline to one person: the record that makes the daily
    reminder task safe to run twice."""

    school = models.ForeignKey("sencoweb.School", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ref = models.CharField(max_length=120)  # "<object uuid>:<deadline key>:<due>:<stage>"
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "ref"], name="ehc_reminder_once"),
        ]

    def __str__(self):
        return self.ref
