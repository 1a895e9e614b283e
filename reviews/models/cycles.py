"""The graduated approach (CoP 6.44-6.56): assess, plan, do, review cycles for pupils on SEN
support, their outcomes, frozen plan versions, review meetings and contributions gathered
through one-off links.

A cycle moves ASSESS -> PLANNING -> ISSUED -> CLOSED. Issuing freezes the outcomes into a
PlanVersion; amending an issued plan and issuing again makes the next version, so earlier
versions stay readable. Closing the review opens the next cycle (reviews.services). A cycle can
also end without a review, at any stage: when a status decision takes the pupil off the SEN
register, or the pupil leaves the school, it is closed with an `ended_reason` and the date
(reviews.services.cycle_end)."""

import datetime as dt
import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from pupils.codes import Area
from sencoweb.models import SchoolScopedQuerySet

__all__ = [
    "ContributionLink",
    "Outcome",
    "PlanVersion",
    "Review",
    "PROGRESS_SCALE",
    "ReviewSettings",
    "SupportCycle",
    "hash_token",
    "progress_label",
]


class ReviewSettings(models.Model):
    """A school's choices for the graduated approach (one row per school, made on demand)."""

    school = models.OneToOneField(
        "sencoweb.School", on_delete=models.CASCADE, related_name="review_settings"
    )
    teachers_may_edit = models.BooleanField(
        "Class teachers may open and edit support plans for pupils they teach", default=False
    )
    # A link is for one review: by default it stays open until the end of the review day, so
    # the chaser (chase_days_before) always finds it open. A school may close links after a
    # fixed number of days instead; the chaser then goes that many days before the link closes.
    links_until_review = models.BooleanField(
        "Contribution links stay open until the day of the review", default=True
    )
    link_days = models.PositiveSmallIntegerField(
        "Otherwise, links stay open for (days)", default=14
    )
    chase_days_before = models.PositiveSmallIntegerField(
        "Chase missing contributions this many days before the review (or before the link "
        "closes, if sooner)",
        default=5,
    )
    reminder_days_before = models.PositiveSmallIntegerField(
        "Remind staff this many days before a review", default=7
    )

    objects = SchoolScopedQuerySet.as_manager()

    def __str__(self):
        return f"Review settings for {self.school}"

    @classmethod
    def for_school(cls, school) -> "ReviewSettings":
        found, _ = cls.objects.get_or_create(school=school)
        return found


class SupportCycleQuerySet(SchoolScopedQuerySet):
    def open(self):
        return self.exclude(status=SupportCycle.Status.CLOSED)


class SupportCycle(models.Model):
    class Status(models.TextChoices):
        ASSESS = "assess", "Assess"
        PLANNING = "planning", "Planning"
        ISSUED = "issued", "Plan issued (do)"
        CLOSED = "closed", "Reviewed"

    class EndReason(models.TextChoices):
        """Why a cycle closed without a review ("" for a cycle closed at its review meeting)."""

        LEFT_REGISTER = "left_register", "Left the SEN register"
        LEFT_SCHOOL = "left_school", "Left the school"

    school = models.ForeignKey("sencoweb.School", on_delete=models.CASCADE, related_name="+")
    pupil = models.ForeignKey(
        "pupils.Pupil", on_delete=models.CASCADE, related_name="support_cycles"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ASSESS)
    previous = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_cycle"
    )
    teacher_responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The class or subject teacher stays responsible every day (CoP 6.52)",
    )
    teacher_may_edit = models.BooleanField("The class teacher may edit this plan", default=False)

    # Assess: what was found and by whom.
    assessed_on = models.DateField(null=True, blank=True)
    assessed_by = models.CharField("Assessed by", max_length=200, blank=True)
    teacher_assessment = models.TextField("Teacher assessment", blank=True)
    standardised_scores = models.TextField("Standardised scores", blank=True)
    agency_advice = models.TextField("Advice from specialists and agencies", blank=True)
    pupil_views = models.TextField("The pupil's views", blank=True)
    parent_views = models.TextField("Parents' or carers' views", blank=True)

    # Plan and do.
    review_date = models.DateField(null=True, blank=True, db_index=True)
    parents_notified_on = models.DateField(null=True, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    # The review date a reminder went out for (idempotent reminders, reset by a new date).
    reminder_sent_for = models.DateField(null=True, blank=True)

    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    # A cycle closed without a review: why, and the day it ended (the status decision's date).
    ended_reason = models.CharField(max_length=16, choices=EndReason.choices, blank=True)
    ended_on = models.DateField(null=True, blank=True)

    objects = SupportCycleQuerySet.as_manager()

    class Meta:
        ordering = ["pupil", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["pupil", "number"], name="cycle_number_per_pupil"),
            # One cycle at a time: the next opens when the review closes.
            models.UniqueConstraint(
                fields=["pupil"], condition=~Q(status="closed"), name="cycle_one_open_per_pupil"
            ),
            # Only a closed cycle has ended, and an ended cycle says when.
            models.CheckConstraint(
                condition=Q(ended_reason="") | Q(status="closed", ended_on__isnull=False),
                name="cycle_ended_is_closed_with_date",
            ),
        ]
        indexes = [
            # The review calendar: a school's open cycles by review date.
            models.Index(fields=["school", "status", "review_date"], name="cycle_calendar"),
        ]

    def __str__(self):
        return f"Support plan {self.number} for {self.pupil}"

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.CLOSED

    @property
    def is_ended(self) -> bool:
        """Closed without a review (the pupil left the SEN register)."""
        return bool(self.ended_reason)

    @property
    def stage(self) -> str:
        """The badge's CSS stage: the status, or "ended" for a cycle closed without review."""
        return "ended" if self.is_ended else self.status

    @property
    def ended_because(self) -> str:
        """The end reason within a sentence: "left the SEN register"."""
        reason = self.get_ended_reason_display()
        return f"{reason[:1].lower()}{reason[1:]}"

    @property
    def stage_label(self) -> str:
        """What a badge or list says: "Reviewed" only for a cycle that was reviewed."""
        if self.is_ended:
            return f"Ended: {self.ended_because} on {self.ended_on:%-d %b %Y}"
        return self.get_status_display()

    def review_state(self, today) -> str:
        """overdue / due (within 7 days) / scheduled / none, for badges."""
        if not self.is_open or self.review_date is None:
            return "none"
        if self.review_date < today:
            return "overdue"
        if (self.review_date - today).days <= 7:
            return "due"
        return "scheduled"


# The review's progress scale, as in goal attainment scaling: progress against what was
# expected when the outcome was set. Each number carries its words wherever it is shown.
PROGRESS_SCALE = {
    -2: "much less than expected",
    -1: "less than expected",
    0: "as expected",
    1: "more than expected",
    2: "much more than expected",
}


def progress_label(value: int | None) -> str:
    """'+1 (more than expected)'; '' when not rated."""
    if value is None:
        return ""
    number = f"{value:+d}" if value else "0"
    return f"{number} ({PROGRESS_SCALE.get(value, '')})"


class Outcome(models.Model):
    """A measurable outcome (target) for one cycle, tied to a broad area of need."""

    class Rating(models.TextChoices):
        ACHIEVED = "achieved", "Achieved"
        PARTLY = "partly", "Partly achieved"
        NOT_YET = "not_yet", "Not yet"

    cycle = models.ForeignKey(SupportCycle, on_delete=models.CASCADE, related_name="outcomes")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    order = models.PositiveSmallIntegerField(default=0)
    area = models.CharField("Area of need", max_length=4, choices=Area.choices)
    description = models.TextField(
        "Outcome", help_text="What the pupil will be able to do, written so it can be measured"
    )
    strategies = models.TextField(
        "Strategies in class", blank=True, help_text="What every adult does, every day"
    )
    provision = models.CharField(
        "Provision that delivers it", max_length=200, blank=True, help_text="e.g. Lexia, 3x20 min"
    )
    # A provision group's public id (reviews.selectors.provision_group_choices): a plain UUID,
    # not a foreign key, so issued plan versions keep the link if the group is deleted.
    provision_group_id = models.UUIDField(null=True, blank=True)
    success_criterion = models.TextField("How we will know it is achieved", blank=True)
    target_date = models.DateField("Review by", null=True, blank=True)
    carried_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_into"
    )

    # Filled at the review.
    rating = models.CharField(max_length=8, choices=Rating.choices, blank=True)
    progress = models.SmallIntegerField(null=True, blank=True)  # -2..+2
    review_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__isnull=True) | Q(progress__gte=-2, progress__lte=2),
                name="outcome_progress_scale",
            ),
        ]

    def __str__(self):
        return self.description[:80]

    @property
    def area_label(self) -> str:
        return self.get_area_display()

    @property
    def progress_label(self) -> str:
        return progress_label(self.progress)

    @property
    def carried_forward(self) -> bool:
        return self.carried_from_id is not None

    def snapshot(self) -> dict:
        return {
            "id": str(self.public_id),
            "area": self.area,
            "area_label": self.get_area_display(),
            "description": self.description,
            "strategies": self.strategies,
            "provision": self.provision,
            "provision_group_id": str(self.provision_group_id or ""),
            "success_criterion": self.success_criterion,
            "target_date": self.target_date.isoformat() if self.target_date else "",
            "carried_forward": self.carried_from_id is not None,
        }


class PlanVersion(models.Model):
    """A frozen copy of the plan as issued. Never edited."""

    cycle = models.ForeignKey(SupportCycle, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    change_note = models.CharField("What changed", max_length=300, blank=True)
    review_date = models.DateField()
    snapshot = models.JSONField(default=dict)  # {"outcomes": [...], "assessment": {...}}

    class Meta:
        ordering = ["cycle", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "number"], name="plan_version_unique"),
        ]

    def __str__(self):
        return f"Version {self.number} of {self.cycle}"

    @property
    def outcomes(self) -> list:
        """The outcomes as issued; the review-by date back as a date (JSON keeps it ISO)."""
        out = []
        for o in self.snapshot.get("outcomes", []):
            target = o.get("target_date")
            if isinstance(target, str):
                o = {**o, "target_date": _iso_date(target)}
            out.append(o)
        return out


def _iso_date(value: str):
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


class Review(models.Model):
    """The review meeting that closes a cycle (CoP 6.54-6.56, 6.65)."""

    class NextStep(models.TextChoices):
        CONTINUE = "continue", "Continue with the plan (next cycle)"
        NEW_CYCLE = "new_cycle", "New cycle with changed outcomes"
        REQUEST_EHCNA = "ehcna", "Request an EHC needs assessment"
        LEAVE = "leave", "Leave the SEN register"

    cycle = models.OneToOneField(SupportCycle, on_delete=models.CASCADE, related_name="review")
    meeting_date = models.DateField()
    attendees = models.TextField(help_text="Names and roles, one a line")
    pupil_voice = models.TextField("The pupil's voice", blank=True)
    parent_voice = models.TextField("The parents' voice", blank=True)
    summary = models.TextField("Impact and what we learned", blank=True)
    next_step = models.CharField(max_length=10, choices=NextStep.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Review of {self.cycle} on {self.meeting_date}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ContributionLink(models.Model):
    """A one-off link for a parent, the pupil or a professional to give their views before a
    review. Only the hash of the token is stored; the link works once, expires and can be
    revoked, and shows nothing but the pupil's first name and the form."""

    class Kind(models.TextChoices):
        PARENT = "parent", "Parent or carer"
        PUPIL = "pupil", "Pupil"
        PROFESSIONAL = "professional", "Professional"

    school = models.ForeignKey("sencoweb.School", on_delete=models.CASCADE, related_name="+")
    cycle = models.ForeignKey(
        SupportCycle, on_delete=models.CASCADE, related_name="contribution_links"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    recipient_name = models.CharField("Name", max_length=200)
    recipient_email = models.EmailField("Email (for the reminder)", blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    chased_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    # What came back.
    answers = models.JSONField(default=dict, blank=True)
    report = models.FileField(upload_to="contributions/%Y/%m/", blank=True, max_length=200)
    report_name = models.CharField(max_length=200, blank=True)
    report_size = models.PositiveIntegerField(null=True, blank=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="contribution_expires_later"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} contribution for {self.cycle}"

    def state(self, now=None) -> str:
        """submitted, revoked, closed, expired or open: the one rule for whether a link still
        takes answers (the public page, the submission and the chaser all ask it). A link works
        only while it is unused, not revoked and not past its date, and while its review cycle
        is open and its pupil on roll: the review meeting closes the cycle's links, and so does
        the pupil leaving. The public page shows "closed" exactly as "revoked", so it tells
        nothing about the review or the pupil."""
        now = now or timezone.now()
        if self.submitted_at:
            return "submitted"
        if self.revoked_at:
            return "revoked"
        if not self.cycle.is_open or self.cycle.pupil.is_archived:
            return "closed"
        if self.expires_at <= now:
            return "expired"
        return "open"
