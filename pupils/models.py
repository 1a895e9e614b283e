"""The SEN register: pupils, teaching groups, status decisions, ranked needs, concerns and the
one-page profile. A pupil's status changes only through a StatusDecision (pupils.services)."""

import datetime as dt
import re
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from sencoweb.models import SchoolScopedQuerySet

from .codes import CENSUS_CODE, DEFAULT_AREA, ON_REGISTER, Area, Gender, NcYear, SenStatus, SenType


class TeachingGroup(models.Model):
    """A registration group, class or set. Teachers and TAs see the pupils of their groups."""

    class Kind(models.TextChoices):
        REGISTRATION = "reg", "Registration group"
        CLASS = "class", "Class or set"

    school = models.ForeignKey(
        "sencoweb.School", on_delete=models.CASCADE, related_name="teaching_groups"
    )
    name = models.CharField(max_length=60)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.CLASS)
    subject = models.CharField(max_length=60, blank=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="teaching_groups"
    )

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="teaching_group_unique_name"),
        ]

    def __str__(self):
        return self.name


# "RW", "Class 1A", "Year 3", "10En2", "7X/Ma1": an optional word, then R (Reception) not followed
# by a lower-case letter ("Robins" is a name), or a year number of one or two digits.
_CLASS_NAME = re.compile(
    r"(?:(?i:class|form|year|yr)\s*)?(R(?:eception)?(?![a-z])|\d{1,2}(?!\d))(.*)"
)


def _natural(text: str) -> list:
    """'En10' after 'En2': numbers compare as numbers (re.split alternates text and digits)."""
    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", text)]


def class_order_key(name: str) -> tuple:
    """Sort key for class and group names in school order: Reception first, then by year
    number, then by the rest of the name ("RW", "1A", "1B", "2C" ... "6B", "7X", "10A"), then
    any other name alphabetically ("Hedgehogs", "Nurture group")."""
    found = _CLASS_NAME.fullmatch(name.strip())
    if found is None:
        return (1, 0, _natural(name), name)
    year = 0 if found[1].startswith("R") else int(found[1])
    return (0, year, _natural(found[2].strip()), name)


class PupilQuerySet(SchoolScopedQuerySet):
    def current(self):
        return self.filter(archived_at__isnull=True)

    def on_register(self):
        return self.filter(sen_status__in=ON_REGISTER)

    def with_sen(self):
        """On the register or on the school's monitoring list."""
        return self.filter(sen_status__in=["K", "E", "M"])


# Retention of an archived pupil's SEN file (DOMAIN.md 8.2, IRMS toolkit). The last school the
# pupil attended keeps it to date of birth + 31 years; a school whose pupil moved to another
# school passes the whole file on and keeps it only until the transfer is done: this many days
# after the later of the leaving date and the date the file was sent, so the receiving school
# can confirm it arrived and ask for anything missing.
RETENTION_YEARS = 31
TRANSFER_KEEP_DAYS = 90


def dob_plus_retention(date_of_birth: dt.date) -> dt.date:
    try:
        return date_of_birth.replace(year=date_of_birth.year + RETENTION_YEARS)
    except ValueError:  # 29 February
        return date_of_birth.replace(year=date_of_birth.year + RETENTION_YEARS, day=28)


class Pupil(models.Model):
    class LeftFor(models.TextChoices):
        """How a pupil left: whether this school stays the last school (and keeps the file)."""

        SCHOOL = "school", "Moved to another school (the SEN file goes with them)"
        HOME = "home", "Elective home education"
        ABROAD = "abroad", "Moved abroad"
        POST16 = "post16", "Post-16: college, training or work"
        OTHER = "other", "Left education, or another destination"

    school = models.ForeignKey("sencoweb.School", on_delete=models.PROTECT, related_name="pupils")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    upn = models.CharField("UPN", max_length=13, blank=True)
    former_upns = models.JSONField(default=list, blank=True)
    first_name = models.CharField("Legal first name", max_length=100)
    last_name = models.CharField("Legal last name", max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    gender = models.CharField(max_length=1, choices=Gender.choices)
    nc_year = models.CharField("Year group", max_length=2, choices=NcYear.choices)
    reg_group = models.ForeignKey(
        TeachingGroup,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="registered_pupils",
        verbose_name="Registration group",
    )
    teaching_groups = models.ManyToManyField(TeachingGroup, blank=True, related_name="pupils")

    eal = models.BooleanField("English as an additional language", default=False)
    fsm = models.BooleanField("Free school meals", default=False)
    pupil_premium = models.BooleanField(default=False)
    looked_after = models.BooleanField(default=False)
    previously_looked_after = models.BooleanField(default=False)

    # Current status, written only by pupils.services.status_decision_record.
    sen_status = models.CharField(max_length=1, choices=SenStatus.choices, default=SenStatus.NONE)
    sen_status_since = models.DateField(null=True, blank=True)
    date_parents_notified = models.DateField(null=True, blank=True)
    sen_unit_member = models.BooleanField("Member of SEN unit", default=False)
    resourced_provision_member = models.BooleanField("Member of resourced provision", default=False)
    # The census top-up indicator (DOMAIN.md 2.5) is not stored: it is whether a TopUpFunding
    # record is current on the day (provision), through pupils.hooks.top_up_indicators.
    disability_or_medical = models.TextField(
        "Disability or medical conditions",
        blank=True,
        help_text="Recorded separately from SEN: a disability is SEN only if it calls for special "
        "educational provision.",
    )
    # Maintained by the reviews app when a plan or review date changes.
    next_review_due = models.DateField(null=True, blank=True, db_index=True)

    # One-page profile (DOMAIN.md 6.4), read by everyone who teaches the pupil.
    about_me = models.TextField("About me", blank=True)
    strengths = models.TextField("What people like and admire about me", blank=True)
    important_to_me = models.TextField("What is important to me", blank=True)
    what_helps = models.TextField("What helps me", blank=True)
    what_does_not_help = models.TextField("What does not help me", blank=True)
    how_i_communicate = models.TextField("How I communicate", blank=True)
    profile_updated_at = models.DateTimeField(null=True, blank=True)

    joined_on = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True)
    destination = models.CharField(max_length=200, blank=True)
    # Blank for pupils archived before this was asked: they keep the file to DOB + 31 years.
    left_for = models.CharField(
        "How the pupil left", max_length=8, choices=LeftFor.choices, blank=True
    )
    file_sent_on = models.DateField(
        "SEN file sent on",
        null=True,
        blank=True,
        help_text="The date the SEN file went to the receiving school (transition pack, CTF)",
    )
    archived_at = models.DateTimeField(null=True, blank=True)
    retention_until = models.DateField(null=True, blank=True)
    legal_hold = models.BooleanField(
        default=False, help_text="Keep past the retention date (litigation or tribunal)"
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = PupilQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "upn"],
                condition=Q(archived_at__isnull=True) & ~Q(upn=""),
                name="pupil_live_upn_unique_per_school",
            ),
        ]
        indexes = [
            # The register: current pupils of a school by status, sorted by name.
            models.Index(
                fields=["school", "sen_status", "last_name", "first_name"], name="pupil_register"
            ),
            models.Index(fields=["school", "upn"], name="pupil_school_upn"),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.preferred_name or self.first_name} {self.last_name}"

    @property
    def census_code(self) -> str:
        return CENSUS_CODE[self.sen_status]

    @property
    def on_register(self) -> bool:
        return self.sen_status in ON_REGISTER

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    @property
    def moved_school(self) -> bool:
        return self.left_for == self.LeftFor.SCHOOL

    def retention_date(self) -> dt.date:
        """When this school's copy of the SEN file may be destroyed (DOMAIN.md 8.2)."""
        if self.moved_school and self.file_sent_on:
            transfer_done = max(self.file_sent_on, self.left_on or self.file_sent_on)
            return transfer_done + dt.timedelta(days=TRANSFER_KEEP_DAYS)
        return dob_plus_retention(self.date_of_birth)

    @property
    def retention_basis(self) -> str:
        """Why the record is kept until its retention date, in words for the SENCO and the
        system administrator."""
        if self.moved_school and self.file_sent_on:
            text = f"SEN file transferred to {self.destination} on {self.file_sent_on:%-d %b %Y}"
            if self.left_on and self.left_on > self.file_sent_on:
                text += f" (left {self.left_on:%-d %b %Y})"
            return f"{text}: kept {TRANSFER_KEEP_DAYS} days after the transfer"
        if self.moved_school:
            return (
                f"Moved to {self.destination} but the SEN file is not recorded as sent: date of "
                "birth + 31 years until it is"
            )
        if self.left_for:
            return f"Last school ({self.get_left_for_display()}): date of birth + 31 years"
        return "Date of birth + 31 years"

    @property
    def year_9_starts_on(self) -> dt.date:
        """1 September of the school year the pupil is, was or will be in Year 9. Counted from
        their current year group where it is a number (so a pupil taught out of their age
        group counts from the group they are in), else from their date of birth."""
        today = timezone.localdate()
        this_year = today.year if today.month >= 9 else today.year - 1
        year = 0 if self.nc_year == NcYear.R else self.nc_year
        if str(year).isdigit():
            return dt.date(this_year + 9 - int(year), 9, 1)
        dob = self.date_of_birth  # September to August birthdays share a year group
        cohort = dob.year if dob.month >= 9 else dob.year - 1
        return dt.date(cohort + 14, 9, 1)

    def age_on(self, day) -> int:
        years = day.year - self.date_of_birth.year
        if (day.month, day.day) < (self.date_of_birth.month, self.date_of_birth.day):
            years -= 1
        return years


class StatusDecision(models.Model):
    """A dated decision to change a pupil's SEN status, with its reason and evidence.

    Rows are never edited: a mistake is corrected by a further decision."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="status_decisions")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    decided_on = models.DateField()
    from_status = models.CharField(max_length=1, choices=SenStatus.choices)
    to_status = models.CharField(max_length=1, choices=SenStatus.choices)
    reason = models.TextField()
    evidence = models.TextField(blank=True)
    decided_by = models.CharField(
        max_length=200, help_text="Who took the decision (names and roles)"
    )
    parents_informed = models.BooleanField(default=False)
    parents_informed_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-decided_on", "-recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_status=F("to_status")), name="decision_changes_status"
            ),
            models.CheckConstraint(
                condition=Q(parents_informed=False) | Q(parents_informed_on__isnull=False),
                name="decision_parents_informed_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.get_from_status_display()} to {self.get_to_status_display()} on {self.decided_on}"


class NeedQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ends_on__isnull=True)


class Need(models.Model):
    """A ranked DfE SEN type. Rank 1 is the primary need; the census takes ranks 1 and 2."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="needs")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sen_type = models.CharField("SEN type", max_length=4, choices=SenType.choices)
    rank = models.PositiveSmallIntegerField()
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Field-level history (who changed what from what), shown on the pupil's change history.
    history = HistoricalRecords()

    objects = NeedQuerySet.as_manager()

    class Meta:
        ordering = ["ends_on", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["pupil", "rank"],
                condition=Q(ends_on__isnull=True),
                name="need_one_active_per_rank",
            ),
            models.CheckConstraint(condition=Q(rank__gte=1), name="need_rank_positive"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__lte=F("ends_on")),
                name="need_starts_before_ends",
            ),
        ]

    def __str__(self):
        return f"{self.rank}. {self.get_sen_type_display()}"

    @property
    def default_area(self) -> str:
        return DEFAULT_AREA[self.sen_type]


class NeedAreaMapping(models.Model):
    """A school's own broad area for a SEN type (DS, OTH and NSA have no official area)."""

    school = models.ForeignKey("sencoweb.School", on_delete=models.CASCADE, related_name="+")
    sen_type = models.CharField(max_length=4, choices=SenType.choices)
    area = models.CharField(max_length=4, choices=Area.choices)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "sen_type"], name="need_area_one_per_type"),
        ]

    def __str__(self):
        return f"{self.sen_type} -> {self.area}"


def area_map_for(school) -> dict[str, str]:
    mapping = dict(DEFAULT_AREA)
    mapping.update(NeedAreaMapping.objects.for_school(school).values_list("sen_type", "area"))
    return mapping


class Concern(models.Model):
    """A member of staff's concern about a pupil, triaged by the SENCO."""

    class Outcome(models.TextChoices):
        OPEN = "open", "Awaiting triage"
        MONITOR = "monitor", "Monitor"
        REGISTER = "register", "Add to SEN register"
        NFA = "nfa", "No further action"

    school = models.ForeignKey("sencoweb.School", on_delete=models.CASCADE, related_name="+")
    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="concerns")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    area = models.CharField("Area of concern", max_length=4, choices=Area.choices)
    what_seen = models.TextField("What you have seen")
    evidence = models.TextField("Evidence (work, assessments, observations)", blank=True)
    parents_aware = models.BooleanField("Parents or carers know about this concern", default=False)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.OPEN)
    triage_reason = models.TextField(blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    triaged_at = models.DateTimeField(null=True, blank=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["school", "outcome"], name="concern_triage_queue")]

    def __str__(self):
        return f"Concern about {self.pupil} ({self.get_area_display()})"


def add_months(day, months: int):
    """The same day `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    import calendar

    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


class Contact(models.Model):
    """A parent or carer. Family detail: the SENCO and head see it, class teachers do not
    (DOMAIN.md 8.3)."""

    class Preference(models.TextChoices):
        PHONE = "phone", "Phone call"
        EMAIL = "email", "Email"
        TEXT = "text", "Text message"
        LETTER = "letter", "Letter"
        IN_PERSON = "person", "In person"

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="contacts")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    relationship = models.CharField(max_length=60, help_text="e.g. Mother, Father, Foster carer")
    parental_responsibility = models.BooleanField(default=True)
    lives_with_pupil = models.BooleanField(default=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    preferred_contact = models.CharField(
        "Preferred way to be contacted", max_length=8, choices=Preference.choices, default="phone"
    )
    language = models.CharField("Preferred language", max_length=60, blank=True)
    needs_interpreter = models.BooleanField(default=False)
    notes = models.TextField(
        blank=True, help_text="e.g. prefers meetings after 3pm; send letters to both parents"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Field-level history (who changed what from what), shown on the pupil's change history.
    history = HistoricalRecords()

    class Meta:
        ordering = ["-parental_responsibility", "name"]

    def __str__(self):
        return f"{self.name} ({self.relationship})"


class LiaisonEntry(models.Model):
    """One meeting, call, letter or email with a family, with any follow-up it needs."""

    class Kind(models.TextChoices):
        MEETING = "meeting", "Meeting"
        CALL = "call", "Phone call"
        LETTER = "letter", "Letter"
        EMAIL = "email", "Email"

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="liaison")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="liaison"
    )
    kind = models.CharField(max_length=8, choices=Kind.choices)
    happened_on = models.DateField("Date")
    summary = models.TextField()
    follow_up = models.CharField(max_length=300, blank=True)
    follow_up_due = models.DateField(null=True, blank=True)
    follow_up_done_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    # Field-level history (who changed what from what), shown on the pupil's change history.
    history = HistoricalRecords()

    class Meta:
        ordering = ["-happened_on", "-recorded_at"]
        verbose_name_plural = "liaison entries"

    def __str__(self):
        return f"{self.get_kind_display()} on {self.happened_on}"


class AgencyKind(models.TextChoices):
    EP = "ep", "Educational psychology"
    SALT = "salt", "Speech and language therapy"
    OT = "ot", "Occupational therapy"
    CAMHS = "camhs", "CAMHS"
    SENSORY = "sensory", "Sensory support"
    LA_SEN = "la_sen", "LA SEN team"
    PAEDIATRICS = "paeds", "Paediatrics"
    SOCIAL_CARE = "social", "Social care"
    OTHER = "other", "Other"


class Agency(models.Model):
    """An outside service in the school's directory."""

    school = models.ForeignKey("sencoweb.School", on_delete=models.CASCADE, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    kind = models.CharField("Type", max_length=8, choices=AgencyKind.choices)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    referral_notes = models.TextField("How to refer", blank=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        verbose_name_plural = "agencies"
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="agency_unique_name"),
        ]

    def __str__(self):
        return self.name


class Professional(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="professionals")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=100, blank=True, help_text="e.g. Educational psychologist")
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}, {self.agency.name}" if self.agency_id else self.name


class Involvement(models.Model):
    """An outside agency's work with one pupil, from referral to discharge."""

    class Status(models.TextChoices):
        REFERRED = "referred", "Referred"
        WAITING = "waiting", "On waiting list"
        ACTIVE = "active", "Active"
        DISCHARGED = "discharged", "Discharged"

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="involvements")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="involvements")
    professional = models.ForeignKey(
        Professional, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    referral_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REFERRED)
    next_appointment = models.DateField(null=True, blank=True)
    discharged_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Field-level history (who changed what from what), shown on the pupil's change history.
    history = HistoricalRecords()

    class Meta:
        ordering = ["-referral_date"]

    def __str__(self):
        return f"{self.agency} ({self.get_status_display()})"


def _document_path(instance, filename):
    # No part of the user's file name reaches the disk path.
    return f"pupil-documents/{instance.pupil.school_id}/{uuid.uuid4().hex}"


class PupilDocument(models.Model):
    """A report or letter about a pupil. Stored under MEDIA_ROOT; served only through the
    access-checked, audited pupils:document_download view."""

    class Kind(models.TextChoices):
        REPORT = "report", "Professional report"
        LETTER = "letter", "Letter"
        ASSESSMENT = "assessment", "Assessment"
        PLAN = "plan", "Plan or profile"
        OTHER = "other", "Other"

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="documents")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    involvement = models.ForeignKey(
        Involvement, null=True, blank=True, on_delete=models.SET_NULL, related_name="documents"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.REPORT)
    title = models.CharField(max_length=200)
    dated = models.DateField("Date of the document", null=True, blank=True)
    file = models.FileField(upload_to=_document_path, max_length=200)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self):
        return self.title


class AccessArrangement(models.Model):
    """A JCQ exam access arrangement (DOMAIN.md 7.2). Approvals last 26 months."""

    class Kind(models.TextChoices):
        EXTRA_TIME_25 = "et25", "25% extra time"
        EXTRA_TIME_MORE = "et50", "More than 25% extra time"
        READER = "reader", "Reader / computer reader"
        SCRIBE = "scribe", "Scribe / speech recognition"
        WORD_PROCESSOR = "wp", "Word processor"
        REST_BREAKS = "rest", "Supervised rest breaks"
        SEPARATE_ROOM = "room", "Separate invigilation"
        PROMPTER = "prompter", "Prompter"
        COLOURED_OVERLAY = "overlay", "Coloured overlays / paper"
        MODIFIED_PAPERS = "modified", "Modified papers"
        OTHER = "other", "Other"

    class Route(models.TextChoices):
        DELEGATED = "delegated", "Delegated to the centre"
        AAO = "aao", "Application through Access Arrangements Online"

    class Qualification(models.TextChoices):
        NONE = "", "Not applicable"
        LEVEL7 = "l7", "Access arrangements assessor (Level 7, 100 hours)"
        HCPC = "hcpc", "HCPC-registered psychologist"
        APC = "apc", "Specialist assessor with an SpLD Assessment Practising Certificate"

    # Which kinds need an online application (the rest are delegated to the centre).
    AAO_KINDS = {"et25", "et50", "scribe", "modified"}
    VALID_MONTHS = 26

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="access_arrangements")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField("Arrangement", max_length=10, choices=Kind.choices)
    route = models.CharField(max_length=10, choices=Route.choices)
    normal_way_of_working = models.TextField(
        "Evidence of normal way of working",
        help_text="Dated observations and teacher notes showing this is how the pupil works",
    )
    assessor_name = models.CharField(max_length=200, blank=True)
    assessor_qualification = models.CharField(
        max_length=5, choices=Qualification.choices, blank=True
    )
    qualification_checked_on = models.DateField(null=True, blank=True)
    assessed_on = models.DateField(null=True, blank=True)
    score_1_test = models.CharField(
        "First test (speed of working area)", max_length=100, blank=True
    )
    score_1 = models.PositiveSmallIntegerField("First standardised score", null=True, blank=True)
    score_2_test = models.CharField("Second test (a different area)", max_length=100, blank=True)
    score_2 = models.PositiveSmallIntegerField("Second standardised score", null=True, blank=True)
    aao_reference = models.CharField("AAO application reference", max_length=40, blank=True)
    approved_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True, db_index=True)
    notes = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Field-level history (who changed what from what), shown on the pupil's change history.
    history = HistoricalRecords()

    class Meta:
        ordering = ["expires_on", "kind"]

    def __str__(self):
        return self.get_kind_display()

    def save(self, *args, **kwargs):
        self.expires_on = (
            add_months(self.approved_on, self.VALID_MONTHS) if self.approved_on else None
        )
        super().save(*args, **kwargs)

    @property
    def assessed_before_year_9(self) -> bool:
        """JCQ: an access arrangements assessment for GCSE must be carried out no earlier than
        the start of Year 9 (DOMAIN.md 7.2); an earlier one needs redoing."""
        return self.assessed_on is not None and self.assessed_on < self.pupil.year_9_starts_on

    @property
    def meets_extra_time_criteria(self) -> bool | None:
        """JCQ learning-difficulty route: two areas, both <= 84, or one <= 84 and one 85-89."""
        if self.score_1 is None or self.score_2 is None:
            return None
        low, high = sorted([self.score_1, self.score_2])
        return low <= 84 and high <= 89

    @property
    def extra_time_scores_fall_short(self) -> bool:
        """25% extra time recorded with two scores that do not meet the criteria: a warning,
        not a refusal, as other routes (EHC plan, professional evidence) need no scores."""
        return self.kind == self.Kind.EXTRA_TIME_25 and self.meets_extra_time_criteria is False


class ImportedEvent(models.Model):
    """A dated event of the pupil's SEN history at a previous school, brought in by a transition
    pack import (reports.transition): a support plan review, an EHC annual review, or an
    intervention starting or ending. Read only: it records what the sending school recorded,
    and the profile's chronology lists it as having happened there."""

    class Kind(models.TextChoices):
        REVIEW = "review", "Review"
        PROVISION = "provision", "Provision"

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="imported_events")
    happened_on = models.DateField("Date")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=300)
    detail = models.TextField(blank=True)
    source_school = models.CharField("Previous school", max_length=200)
    pack_dated = models.DateField("Date of the transition pack")
    pack_document = models.ForeignKey(
        PupilDocument,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="imported_events",
        verbose_name="Transition pack (as received)",
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["happened_on", "pk"]
        verbose_name = "event at a previous school"
        verbose_name_plural = "events at a previous school"

    def __str__(self):
        return f"At {self.source_school}: {self.title}"
