"""The provision map (DOMAIN.md 5 and 9): an interventions catalogue, groups that deliver them
with a named member of staff and a timetable, enrolments with entry/exit measures, a session
register (delivered vs planned), budget and top-up income, staff training and the SENCO's
qualification. Costs are computed by provision.costs (pure functions), never stored twice."""

import datetime as dt
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from pupils.codes import Area
from sencoweb.models import SchoolScopedQuerySet

from . import costs, measures

WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri")]


class Intervention(models.Model):
    """A catalogue entry: what the school offers, its typical dosage and how impact is measured."""

    class Wave(models.IntegerChoices):
        ONE = 1, "Wave 1 (quality-first teaching)"
        TWO = 2, "Wave 2 (small-group catch-up)"
        THREE = 3, "Wave 3 (targeted, individual)"

    class Deliverer(models.TextChoices):
        TA = "ta", "Teaching assistant"
        HLTA = "hlta", "HLTA"
        TEACHER = "teacher", "Teacher"
        EXTERNAL = "external", "External specialist"

    class Measure(models.TextChoices):
        STANDARDISED = "standardised", "Standardised score"
        READING_AGE = "reading_age", "Reading or spelling age (months)"
        SDQ = "sdq", "SDQ total difficulties (0-40)"
        BOXALL = "boxall", "Boxall Profile"
        SCALE = "scale", "School-defined scale"

    school = models.ForeignKey("sencoweb.School", on_delete=models.CASCADE, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=120)
    area = models.CharField("Area of need", max_length=4, choices=Area.choices)
    wave = models.PositiveSmallIntegerField(choices=Wave.choices, default=Wave.TWO)
    description = models.TextField(blank=True)
    group_size = models.PositiveSmallIntegerField(default=1, help_text="1 for one-to-one")
    session_minutes = models.PositiveSmallIntegerField("Session length (minutes)", default=30)
    sessions_per_week = models.PositiveSmallIntegerField(default=3)
    default_weeks = models.PositiveSmallIntegerField(default=10)
    delivered_by = models.CharField(
        "Who delivers", max_length=10, choices=Deliverer.choices, default=Deliverer.TA
    )
    measure = models.CharField(
        "Entry and exit measure", max_length=14, choices=Measure.choices, blank=True
    )
    scale_min = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    scale_max = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["area", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="intervention_unique_name"),
            models.CheckConstraint(
                condition=Q(group_size__gte=1), name="intervention_group_size_positive"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def measure_unit(self) -> str:
        """What an entry or exit figure is: 'reading age in months', 'school scale, 1 to 5'."""
        unit = measures.MEASURE_UNIT.get(self.measure, "")
        if self.measure == self.Measure.SCALE and None not in (self.scale_min, self.scale_max):
            unit += f", {measures.plain(self.scale_min)} to {measures.plain(self.scale_max)}"
        return unit

    @property
    def gain_unit(self) -> str:
        return measures.GAIN_UNIT.get(self.measure, "")

    def clean(self):
        if self.measure == self.Measure.SCALE:
            if self.scale_min is None or self.scale_max is None:
                raise ValidationError({"scale_max": "A school-defined scale needs a min and max."})
            if self.scale_min >= self.scale_max:
                raise ValidationError({"scale_max": "The maximum must be above the minimum."})


class ProvisionGroup(models.Model):
    """One running instance of an intervention: who delivers it, when and where, for whom."""

    school = models.ForeignKey("sencoweb.School", on_delete=models.CASCADE, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    intervention = models.ForeignKey(Intervention, on_delete=models.PROTECT, related_name="groups")
    name = models.CharField(max_length=120, blank=True, help_text="Optional, e.g. 'Year 3 group'")
    staff = models.ForeignKey(
        "sencoweb.Membership",
        on_delete=models.PROTECT,
        related_name="provision_groups",
        help_text="The member of staff who delivers the sessions",
    )
    # Weekday digits, Monday = 0: "024" is Monday, Wednesday and Friday.
    days = models.CharField(max_length=7)
    start_time = models.TimeField()
    session_minutes = models.PositiveSmallIntegerField()
    place = models.CharField(max_length=80, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    # Copied from the member's rate when the group is set up, so later pay changes do not
    # rewrite the cost of provision already delivered (DOMAIN.md 5.4 step 1).
    hourly_rate = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("0"))
    exclusive_to = models.ForeignKey(
        "pupils.Pupil",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Set up for one high-needs pupil: the whole cost is charged to them",
    )
    resource_cost = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0"))
    external_cost = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on", "start_time"]
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__lte=F("ends_on")), name="provision_group_starts_before_ends"
            ),
        ]
        indexes = [models.Index(fields=["school", "staff"], name="provision_group_staff")]

    def __str__(self):
        return self.name or self.intervention.name

    @property
    def title(self) -> str:
        if self.name:
            return f"{self.intervention.name}: {self.name}"
        return self.intervention.name

    @property
    def weekdays(self) -> list[int]:
        return sorted({int(d) for d in self.days})

    @property
    def days_label(self) -> str:
        names = dict(WEEKDAYS)
        return ", ".join(names.get(d, "?") for d in self.weekdays)

    @property
    def end_time(self) -> dt.time:
        start = dt.datetime.combine(dt.date(2000, 1, 1), self.start_time)
        return (start + dt.timedelta(minutes=self.session_minutes)).time()

    @property
    def session_cost(self) -> Decimal:
        return costs.session_cost(self.session_minutes, self.hourly_rate)

    def runs_on(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on and day.weekday() in self.weekdays


class Enrolment(models.Model):
    """A place: a pupil in a group from one date to another, with its own entry/exit measures.
    A pupil who leaves a group and later re-joins it has a second place (a stint) from the day
    they re-join; the first keeps its dates and measures. Two places of one pupil in one group
    never overlap (provision.services.place_clash, under a lock on the group); the database
    allows at most one open place (no end date) per pupil and group."""

    group = models.ForeignKey(ProvisionGroup, on_delete=models.CASCADE, related_name="enrolments")
    pupil = models.ForeignKey(
        "pupils.Pupil", on_delete=models.CASCADE, related_name="provision_enrolments"
    )
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    entry_score = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    entry_on = models.DateField(null=True, blank=True)
    exit_score = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    exit_on = models.DateField(null=True, blank=True)
    impact_note = models.TextField(blank=True)

    class Meta:
        ordering = ["pupil__last_name", "pupil__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "pupil"],
                condition=Q(ends_on__isnull=True),
                name="enrolment_one_open_place",
                violation_error_message="The pupil already has an open place in this group.",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__lte=F("ends_on")),
                name="enrolment_starts_before_ends",
            ),
        ]

    def __str__(self):
        return f"{self.pupil} in {self.group}"

    def active_on(self, day: dt.date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)

    @property
    def gain(self):
        return measures.score_gain(
            self.group.intervention.measure, self.entry_score, self.exit_score
        )

    @property
    def ratio_gain(self):
        if self.group.intervention.measure != Intervention.Measure.READING_AGE:
            return None
        return measures.ratio_gain(self.entry_score, self.exit_score, self.entry_on, self.exit_on)

    @property
    def ratio_gain_words(self) -> str:
        return measures.ratio_gain_words(self.ratio_gain)


class SessionLog(models.Model):
    """One planned session, as the member of staff recorded it. One row per group per day:
    logging again updates it."""

    class Status(models.TextChoices):
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    class Reason(models.TextChoices):
        STAFF_ABSENT = "staff_absent", "Staff absent"
        PUPIL_ABSENT = "pupil_absent", "Pupils absent"
        TRIP = "trip", "Trip or event"
        ROOM = "room", "Room unavailable"
        OTHER = "other", "Other"

    group = models.ForeignKey(ProvisionGroup, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.HELD)
    reason = models.CharField(max_length=14, choices=Reason.choices, blank=True)
    note = models.CharField(max_length=300, blank=True)
    attended = models.ManyToManyField("pupils.Pupil", blank=True, related_name="+")
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    logged_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["group", "date"], name="session_once_per_group_day"),
            models.CheckConstraint(
                condition=Q(status="held", reason="") | Q(status="cancelled") & ~Q(reason=""),
                name="session_cancelled_has_reason",
            ),
        ]

    def __str__(self):
        return f"{self.group} on {self.date:%d %b %Y}: {self.get_status_display()}"


class SenBudget(models.Model):
    """The notional SEN budget for one financial year, as the LA notified it (DOMAIN.md 5.1)."""

    school = models.ForeignKey("sencoweb.School", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(help_text="The year the financial year starts in")
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    notes = models.TextField(blank=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["school", "year"], name="sen_budget_one_per_year"),
        ]

    def __str__(self):
        return f"Notional SEN budget {self.year}: £{self.amount}"


class TopUpFundingQuerySet(SchoolScopedQuerySet):
    def current_on(self, day: dt.date):
        """Records being paid on `day` (started, not yet ended)."""
        return self.filter(starts_on__lte=day).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))


class TopUpFunding(models.Model):
    """Element 3 income from the LA's high needs block for one pupil (DOMAIN.md 5.1): the one
    record of it. The budget and the governors' report count it, a record current on census day
    sets the pupil's census top-up indicator, and the EHC plan it comes with links to it
    (reviews.EhcPlan.top_ups); top-up paid without a plan is recorded on the budget page."""

    school = models.ForeignKey("sencoweb.School", on_delete=models.CASCADE, related_name="+")
    pupil = models.ForeignKey("pupils.Pupil", on_delete=models.CASCADE, related_name="top_ups")
    la_name = models.CharField("Local authority", max_length=100)
    band = models.CharField("Band or level", max_length=40, blank=True)
    amount = models.DecimalField("Annual amount", max_digits=9, decimal_places=2)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    with_ehc_plan = models.BooleanField(default=True)

    objects = TopUpFundingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]

    def __str__(self):
        return f"Top-up £{self.amount} for {self.pupil}"


class TrainingRecord(models.Model):
    """Staff training (EEF: TAs need 5-30 hours per intervention, DOMAIN.md 9.1)."""

    school = models.ForeignKey("sencoweb.School", on_delete=models.CASCADE, related_name="+")
    course = models.CharField(max_length=160)
    provider = models.CharField(max_length=120, blank=True)
    date = models.DateField()
    hours = models.DecimalField(max_digits=5, decimal_places=1)
    intervention = models.ForeignKey(
        Intervention, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attendees = models.ManyToManyField("sencoweb.Membership", related_name="training")

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-date"]

    def __str__(self):
        return f"{self.course} ({self.date:%d %b %Y})"


class SencoQualification(models.Model):
    """The SENCO's mandatory qualification (SEND Regs reg 49(4), DOMAIN.md 1.7)."""

    class Qualification(models.TextChoices):
        NPQ = "npq", "NPQ for SENCOs"
        NASENCO = "nasenco", "NASENCO (National Award)"
        IN_PROGRESS = "in_progress", "In progress"
        NONE = "none", "Not started"

    school = models.ForeignKey("sencoweb.School", on_delete=models.CASCADE, related_name="+")
    membership = models.OneToOneField(
        "sencoweb.Membership", on_delete=models.CASCADE, related_name="senco_qualification"
    )
    qualification = models.CharField(
        max_length=12, choices=Qualification.choices, default=Qualification.NONE
    )
    appointed_on = models.DateField("Appointed as SENCO on")
    achieved_on = models.DateField(null=True, blank=True)
    previous_senco_months = models.PositiveSmallIntegerField(
        default=0, help_text="Months as a SENCO before this appointment, anywhere"
    )

    objects = SchoolScopedQuerySet.as_manager()

    def __str__(self):
        return f"{self.membership.user}: {self.get_qualification_display()}"

    @property
    def rule_applies(self) -> bool:
        return measures.senco_rule_applies(self.appointed_on, self.previous_senco_months)

    @property
    def deadline(self) -> dt.date:
        return measures.senco_deadline(self.appointed_on)

    @property
    def is_qualified(self) -> bool:
        return self.qualification in (self.Qualification.NPQ, self.Qualification.NASENCO)
