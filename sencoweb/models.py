"""Core models: the tenant (School), people (User, Membership), school calendar, audit and
in-app notifications. Every other app points here with string foreign keys."""

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import F, Q
from django.utils import timezone

from . import roles


class SchoolScopedQuerySet(models.QuerySet):
    """Every query about a school's records starts here."""

    def for_school(self, school):
        return self.filter(school=school)


class Trust(models.Model):
    name = models.CharField(max_length=200, unique=True)

    def __str__(self):
        return self.name


class School(models.Model):
    class Phase(models.TextChoices):
        NURSERY = "nursery", "Nursery"
        PRIMARY = "primary", "Primary"
        MIDDLE = "middle", "Middle"
        SECONDARY = "secondary", "Secondary"
        ALL_THROUGH = "all_through", "All-through"
        SPECIAL = "special", "Special"
        POST16 = "post16", "16 plus"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    urn = models.CharField(
        "URN", max_length=6, unique=True, help_text="Six-digit unique reference number"
    )
    la_code = models.CharField(
        "LA code", max_length=3, help_text="Three-digit local authority number"
    )
    la_name = models.CharField("Local authority", max_length=100)
    estab = models.CharField("DfE establishment number", max_length=4)
    phase = models.CharField(max_length=16, choices=Phase.choices)
    trust = models.ForeignKey(
        Trust, null=True, blank=True, on_delete=models.SET_NULL, related_name="schools"
    )
    has_sen_unit = models.BooleanField("Has an LA-recognised SEN unit", default=False)
    has_resourced_provision = models.BooleanField(
        "Has LA-recognised resourced provision", default=False
    )
    # Counts below this are shown as "fewer than N" in anonymised outputs (DOMAIN.md 8.4).
    suppression_threshold = models.PositiveSmallIntegerField(default=5)
    # Per-pupil cost above which additional support is a candidate for top-up (DOMAIN.md 5).
    top_up_threshold = models.DecimalField(max_digits=8, decimal_places=2, default=6000)
    financial_year_starts_in_september = models.BooleanField(
        default=False,
        help_text="Academies: budget year September to August; maintained: April to March",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(urn__regex=r"^[0-9]{6}$"), name="school_urn_six_digits"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def laestab(self) -> str:
        return f"{self.la_code}{self.estab}"


class User(AbstractUser):
    """Staff user. Pupils and parents never sign in; they use one-off contribution links."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Private token for the iCalendar feed of review dates (rotate by regenerating).
    calendar_token = models.CharField(max_length=43, blank=True, db_index=True)

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return self.get_full_name() or self.username

    def schools(self):
        return School.objects.filter(memberships__user=self, memberships__is_active=True).distinct()


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Membership(models.Model):
    """One user's role at one school. A shared SENCO has several."""

    Role = models.TextChoices("Role", [(value, label) for value, label in roles.ROLE_CHOICES])

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=roles.ROLE_CHOICES)
    job_title = models.CharField(max_length=100, blank=True)
    is_active = models.BooleanField(default=True)
    # Hourly rate including on-costs, for costing provision this person delivers (DOMAIN.md 5.4).
    hourly_rate = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["school__name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "school"], name="membership_one_per_user_school"
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}, {self.school})"

    def can(self, capability: str) -> bool:
        return roles.role_can(self.role, capability)

    @property
    def role_in_brackets(self) -> str:
        """The role to put in brackets after the person's name (the site header)."""
        return roles.role_in_brackets(self.role)

    @property
    def needs_two_factor(self) -> bool:
        return self.role in roles.TWO_FACTOR_ROLES


class Term(models.Model):
    """A school's term dates (DOMAIN.md 10.1); school-day rules count on these."""

    class Name(models.TextChoices):
        AUTUMN = "autumn", "Autumn"
        SPRING = "spring", "Spring"
        SUMMER = "summer", "Summer"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="terms")
    academic_year = models.PositiveSmallIntegerField(
        help_text="The year the school year starts, e.g. 2026 for 2026/27"
    )
    name = models.CharField(max_length=8, choices=Name.choices)
    starts_on = models.DateField()
    ends_on = models.DateField()
    half_term_starts = models.DateField(null=True, blank=True)
    half_term_ends = models.DateField(null=True, blank=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "academic_year", "name"], name="term_one_per_name"
            ),
            models.CheckConstraint(
                condition=Q(starts_on__lte=F("ends_on")), name="term_starts_before_ends"
            ),
        ]

    def __str__(self):
        return (
            f"{self.get_name_display()} {self.academic_year}/{(self.academic_year + 1) % 100:02d}"
        )


class ClosureDay(models.Model):
    """A weekday in term when pupils are not in school: an INSET day, a bank holiday that falls
    in term, or an unplanned closure (DOMAIN.md 10.1, 10: "INSET days, closures"). No provision
    session is planned on it and it is not counted as a school day."""

    class Kind(models.TextChoices):
        INSET = "inset", "INSET day"
        BANK_HOLIDAY = "bank_holiday", "Bank holiday"
        CLOSURE = "closure", "Closure"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="closure_days")
    date = models.DateField()
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.INSET)
    note = models.CharField(
        max_length=120, blank=True, help_text="e.g. staff training, polling station, snow"
    )

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["school", "date"], name="closure_day_one_per_date")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.date:%-d %B %Y}"

    @property
    def label(self) -> str:
        if not self.note:
            return self.get_kind_display()
        if self.kind == self.Kind.BANK_HOLIDAY:  # its note is its name
            return self.note
        return f"{self.get_kind_display()}: {self.note}"


@dataclass
class CalendarDays:
    """One school's open ranges (terms minus their half-term breaks) and closure days."""

    open_ranges: list = field(default_factory=list)
    closures: dict = field(default_factory=dict)  # {date: ClosureDay.Kind label}

    def closure_on(self, day: date) -> str | None:
        return self.closures.get(day)

    def in_term(self, day: date) -> bool:
        return any(start <= day <= end for start, end in self.open_ranges)


def calendar_days(schools) -> dict:
    """{school id: CalendarDays} from the schools' terms and closure days, in one query (a
    UNION: the pages that plan sessions pin their query counts). Schools with neither are
    left out."""
    null_date = models.Value(None, output_field=models.DateField())
    terms = (
        Term.objects.filter(school__in=schools)
        .order_by()
        .values_list(
            "school_id",
            "starts_on",
            "ends_on",
            "half_term_starts",
            "half_term_ends",
            models.Value("", output_field=models.CharField()),
        )
    )
    closures = (
        ClosureDay.objects.filter(school__in=schools)
        .order_by()
        .values_list("school_id", "date", "date", null_date, null_date, "kind")
    )
    kinds = dict(ClosureDay.Kind.choices)
    out: dict = {}
    for school_id, start, end, ht_start, ht_end, kind in terms.union(closures, all=True):
        days = out.setdefault(school_id, CalendarDays())
        if kind:
            days.closures[start] = kinds.get(kind, kind)
        elif ht_start and ht_end:
            one = timedelta(days=1)
            days.open_ranges += [
                r for r in ((start, ht_start - one), (ht_end + one, end)) if r[0] <= r[1]
            ]
        else:
            days.open_ranges.append((start, end))
    for days in out.values():
        days.open_ranges.sort()
    return out


def academic_year_of(day: date) -> int:
    """The school year a date falls in, named by its starting year (Sept to Aug)."""
    return day.year if day.month >= 9 else day.year - 1


def academic_year_label(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit events cannot be changed")

    def delete(self):
        raise PermissionError("Audit events cannot be deleted")

    def trail_of(self, school):
        """What the school's audit trail shows: its own events, and its staff's sign-ins,
        sign-outs and failed sign-ins, which happen before a school is chosen and so are kept
        without one (a failed sign-in by the user name typed, as there is no user yet)."""
        staff = Membership.objects.filter(school=school)
        return self.filter(
            models.Q(school=school)
            | models.Q(school__isnull=True, user_id__in=staff.values("user_id"))
            | models.Q(
                school__isnull=True,
                user__isnull=True,
                username__in=staff.values("user__username"),
            )
        )


class AuditEvent(models.Model):
    """Append-only audit trail. Each row carries the hash of the row before it, so any edit or
    deletion made outside the app breaks the chain (`manage.py verify_audit` finds it).

    A pupil is named by `pupil_id` and PUPIL_TOKEN in the summary, never by name (rows outlive
    the record: see with_pupil_names)."""

    PUPIL_TOKEN = "[pupil]"
    DESTROYED = "[a pupil whose record was destroyed]"

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Deleted"
        EXPORT = "export", "Exported"
        DOWNLOAD = "download", "Downloaded"
        IMPORT = "import", "Imported"
        SIGN_IN = "sign_in", "Signed in"
        SIGN_OUT = "sign_out", "Signed out"
        SIGN_IN_FAILED = "sign_in_failed", "Failed sign-in"
        DISCLOSE = "disclose", "Disclosed"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    school = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)  # kept if the user is later renamed
    action = models.CharField(max_length=16, choices=Action.choices)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True, db_index=True)
    summary = models.CharField(max_length=300, blank=True)
    pupil_id = models.UUIDField(
        null=True, blank=True, db_index=True
    )  # the pupil the event concerns
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    row_hash = models.CharField(max_length=64, unique=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["school", "-at"], name="audit_school_recent")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.object_type}"

    def save(self, *args, **kwargs):
        if self.pk:
            raise PermissionError("Audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events cannot be deleted")

    def payload(self) -> str:
        return json.dumps(
            [
                self.at.isoformat(),
                self.school_id,
                self.user_id,
                self.username,
                self.action,
                self.object_type,
                self.object_id,
                self.summary,
                str(self.pupil_id or ""),
                self.ip_address or "",
                self.path,
                self.detail,
            ],
            sort_keys=True,
            default=str,
        )

    def compute_hash(self) -> str:
        return hashlib.sha256((self.prev_hash + self.payload()).encode()).hexdigest()


GENESIS_HASH = "0" * 64


class AuditChainHead(models.Model):
    """A single row locked while appending, so concurrent writers (several web and worker
    processes) still build one unbroken chain."""

    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self):
        return self.last_hash


def with_pupil_names(events) -> list:
    """The events, each with `.shown_summary`: its summary with the pupil's current name for
    the token, or DESTROYED once the record is gone. One query for the page's pupils."""
    from django.apps import apps

    events = list(events)
    ids = {e.pupil_id for e in events if e.pupil_id and AuditEvent.PUPIL_TOKEN in e.summary}
    names = {}
    if ids:
        pupil = apps.get_model("pupils", "Pupil")
        names = {
            pid: f"{preferred or first} {last}"
            for pid, preferred, first, last in pupil.objects.filter(public_id__in=ids).values_list(
                "public_id", "preferred_name", "first_name", "last_name"
            )
        }
    for e in events:
        name = names.get(e.pupil_id, AuditEvent.DESTROYED)
        e.shown_summary = e.summary.replace(AuditEvent.PUPIL_TOKEN, name)
    return events


def append_audit_event(**fields) -> AuditEvent:
    event = AuditEvent(**fields)
    if event.at is None:
        event.at = timezone.now()
    if connection.vendor == "postgresql" and _append_in_one_statement(event):
        return event
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event.prev_hash = head.last_hash
        event.row_hash = event.compute_hash()
        models.Model.save(event, force_insert=True)
        AuditChainHead.objects.filter(pk=1).update(last_hash=event.row_hash)
    return event


_APPEND_SQL = None


def _append_sql() -> str:
    """Lock the chain head, insert the row with its hash worked out in SQL from the head's, and
    move the head: one statement. Every page that shows a pupil appends a row, and the head is
    one row every writer waits for, so it is held for one statement instead of five round trips
    (BEGIN, SELECT ... FOR UPDATE, INSERT, UPDATE, COMMIT). The hash is the one compute_hash()
    gives: sha256 of the previous hash followed by the payload, as UTF-8."""
    global _APPEND_SQL
    if _APPEND_SQL is None:
        fields = [f for f in AuditEvent._meta.concrete_fields if f.name not in _HASH_FIELDS]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        values = ", ".join(f"CAST(%s AS {_cast_type(f)})" for f in fields)
        event, head = AuditEvent._meta.db_table, AuditChainHead._meta.db_table
        _APPEND_SQL = (
            f"WITH head AS (SELECT last_hash FROM {head} WHERE id = 1 FOR UPDATE), "
            f"ins AS (INSERT INTO {event} ({columns}, prev_hash, row_hash) "
            f"SELECT {values}, head.last_hash, "
            "encode(sha256(convert_to(head.last_hash || %s, 'UTF8')), 'hex') FROM head "
            "RETURNING id, prev_hash, row_hash), "
            f"moved AS (UPDATE {head} SET last_hash = ins.row_hash FROM ins WHERE {head}.id = 1) "
            "SELECT id, prev_hash, row_hash FROM ins"
        )
    return _APPEND_SQL


_HASH_FIELDS = {"id", "prev_hash", "row_hash"}


def _cast_type(field) -> str:
    # An explicit CAST to varchar(n) cuts a long value short without a word, and the stored
    # row would then not match the hash of what was given: cast to varchar, so the column's own
    # limit refuses it as the ORM's INSERT would.
    if isinstance(field, models.CharField):
        return "varchar"
    return field.db_type(connection)


def _append_in_one_statement(event: AuditEvent) -> bool:
    """PostgreSQL: append `event` in one statement (_append_sql); False if there is no chain
    head yet (a new database), for the caller to create it the portable way."""
    fields = [f for f in AuditEvent._meta.concrete_fields if f.name not in _HASH_FIELDS]
    params = [f.get_db_prep_save(getattr(event, f.attname), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(_append_sql(), [*params, event.payload()])
        row = cursor.fetchone()
    if row is None:
        return False
    event.pk, event.prev_hash, event.row_hash = row
    event._state.adding = False
    event._state.db = connection.alias
    return True


class NotificationQuerySet(SchoolScopedQuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app message to one member of staff at one school."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    created_at = models.DateTimeField(default=timezone.now)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "school", "read_at"], name="notification_inbox")]

    def __str__(self):
        return self.title

    def clean(self):
        if self.url and not self.url.startswith("/"):
            raise ValidationError({"url": "Notification links must stay inside the app"})
