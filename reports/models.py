"""Reports own three things: report runs (every generated document, built by a Celery job),
census snapshots (frozen aggregate counts for trends) and the school's SEN information report.
Reports only read other apps' data; these are the only rows this app writes."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from sencoweb.models import SchoolScopedQuerySet


class ReportRun(models.Model):
    """One generated document.

    queued -> running (claimed by exactly one worker with a conditional UPDATE) -> done | failed.
    failed -> queued again on Retry; a run stuck in running past the task time limit is swept to
    failed. Files live under MEDIA_ROOT and are served only through the access-checked view.

    A year group's packs are fanned out: the claim creates one ReportRunPart per pupil and the run
    stays running while workers build the parts (the sweep looks after its parts, not the run);
    whoever finishes the last part claims the assembly (`assembly_started_at`) and joins them into
    the run's file."""

    class Type(models.TextChoices):
        GOVERNORS = "governors_report", "Governors' annual SEN report"
        INFO = "info_report", "SEN information report"
        TRANSITION_PACK = "transition_pack", "Transition pack"
        TRANSITION_COHORT = "transition_cohort", "Transition packs for a year group"
        PROVISION_MAP = "provision_map", "Provision map"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    # Types with no personal data in them: governors may download these.
    ANONYMISED_TYPES = frozenset({Type.GOVERNORS, Type.INFO})

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    school = models.ForeignKey("sencoweb.School", on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=24, choices=Type.choices)
    parameters = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveIntegerField(default=0)  # out of `total`
    total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="reports/%Y/%m/", blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Set by the one process that joins a fanned-out run's parts (a conditional UPDATE).
    assembly_started_at = models.DateTimeField(null=True, blank=True)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The sweep: runs still running after the time limit.
            models.Index(fields=["status", "started_at"], name="reportrun_sweep"),
            # "Recent runs" on the reports page.
            models.Index(fields=["school", "-created_at"], name="reportrun_recent"),
        ]

    def __str__(self):
        return f"{self.get_type_display()} ({self.get_status_display()})"

    @property
    def is_anonymised(self) -> bool:
        return self.type in self.ANONYMISED_TYPES

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.progress / self.total) if self.total else 0

    @property
    def title(self) -> str:
        from pupils.codes import NcYear
        from sencoweb.models import academic_year_label

        p = self.parameters or {}
        if self.type == self.Type.GOVERNORS and str(p.get("year", "")).isdigit():
            return f"{self.get_type_display()}, {academic_year_label(int(p['year']))}"
        if self.type == self.Type.TRANSITION_COHORT and p.get("year_group"):
            label = dict(NcYear.choices).get(p["year_group"], p["year_group"])
            return f"Transition packs, {label}"
        return self.get_type_display()

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1] if self.file else ""


class ReportRunPart(models.Model):
    """One piece of a fanned-out run (a pupil's pack in a year group's ZIP), built by its own
    task so several workers share one run.

    queued -> running (conditional UPDATE; `attempts` counts claims and fences the finish, so a
    part requeued by the sweep cannot be finished by the worker it was taken from) -> done |
    failed. A failed part fails its run; Retry requeues failed parts and keeps done ones. Parts,
    rows and files, are deleted once the run's file is assembled. Reached only through its run,
    which is school-scoped."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    run = models.ForeignKey(ReportRun, on_delete=models.CASCADE, related_name="parts")
    key = models.CharField(max_length=64)  # what the part is of: a pupil's public_id
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(upload_to="reports/parts/%Y/%m/", blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "key"], name="reportrunpart_one_per_key")
        ]
        indexes = [
            # The sweep: parts running past the time limit (and, by status, queued ones).
            models.Index(fields=["status", "started_at"], name="reportrunpart_sweep"),
        ]

    def __str__(self):
        return f"Part {self.key} of run {self.run_id} ({self.get_status_display()})"


class CensusSnapshot(models.Model):
    """Aggregate counts frozen on a census date, for trends. Holds counts only, never pupil ids,
    so it can be kept after the pupils it counted have left and been deleted."""

    school = models.ForeignKey("sencoweb.School", on_delete=models.CASCADE, related_name="+")
    census_date = models.DateField()
    on_roll = models.PositiveIntegerField()
    sen_support = models.PositiveIntegerField()  # census K
    ehc_plan = models.PositiveIntegerField()  # census E
    # {"SLCN": {"K": 3, "E": 1}, ...} by primary need; {"5": {"K": 2, "E": 0, "roll": 30}} by year
    by_need = models.JSONField(default=dict, blank=True)
    by_year = models.JSONField(default=dict, blank=True)
    source = models.CharField(
        max_length=16,
        choices=[("live", "Taken from the register"), ("imported", "Entered from a census return")],
        default="live",
    )
    taken_at = models.DateTimeField(default=timezone.now)

    objects = SchoolScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-census_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "census_date"], name="census_snapshot_one_per_date"
            ),
            models.CheckConstraint(
                condition=Q(sen_support__lte=models.F("on_roll"))
                & Q(ehc_plan__lte=models.F("on_roll")),
                name="census_snapshot_counts_within_roll",
            ),
        ]

    def __str__(self):
        return f"Census {self.census_date}"


class InfoReport(models.Model):
    """The school's SEN information report (SEND Regulations 2014, Schedule 1). One per school,
    versioned by django-simple-history so the change log the DfE expects is kept."""

    school = models.OneToOneField(
        "sencoweb.School", on_delete=models.CASCADE, related_name="info_report"
    )
    item_1 = models.TextField("1. Kinds of SEN the school provides for", blank=True)
    item_2 = models.TextField("2. Identifying and assessing pupils with SEN", blank=True)
    item_3 = models.TextField("3. Making provision for pupils with SEN (overview)", blank=True)
    item_3a = models.TextField("3(a) Evaluating the effectiveness of provision", blank=True)
    item_3b = models.TextField("3(b) Assessing and reviewing progress", blank=True)
    item_3c = models.TextField("3(c) Approach to teaching pupils with SEN", blank=True)
    item_3d = models.TextField("3(d) Adapting the curriculum and learning environment", blank=True)
    item_3e = models.TextField("3(e) Additional learning support", blank=True)
    item_3f = models.TextField(
        "3(f) Taking part in activities alongside pupils without SEN", blank=True
    )
    item_3g = models.TextField("3(g) Emotional, mental and social development", blank=True)
    item_4 = models.TextField("4. The SENCO's name and contact details", blank=True)
    item_5 = models.TextField("5. Staff expertise and training", blank=True)
    item_6 = models.TextField("6. Securing equipment and facilities", blank=True)
    item_7 = models.TextField("7. Consulting and involving parents", blank=True)
    item_8 = models.TextField("8. Consulting and involving young people", blank=True)
    item_9 = models.TextField("9. Complaints about SEN provision", blank=True)
    item_10 = models.TextField("10. Involving other bodies", blank=True)
    item_11 = models.TextField("11. Support services for parents (including SENDIASS)", blank=True)
    item_12 = models.TextField("12. Transitions and preparing for adulthood", blank=True)
    item_13 = models.TextField(
        "13. Where the local authority publishes its Local Offer", blank=True
    )
    published = models.BooleanField(
        default=False, help_text="Show it at the school's public address"
    )
    published_on = models.DateField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])
    objects = SchoolScopedQuerySet.as_manager()

    ITEM_FIELDS = [
        "item_1",
        "item_2",
        "item_3",
        "item_3a",
        "item_3b",
        "item_3c",
        "item_3d",
        "item_3e",
        "item_3f",
        "item_3g",
        "item_4",
        "item_5",
        "item_6",
        "item_7",
        "item_8",
        "item_9",
        "item_10",
        "item_11",
        "item_12",
        "item_13",
    ]

    def __str__(self):
        return f"SEN information report, {self.school}"

    def items(self) -> list[dict]:
        return [
            {
                "field": name,
                "label": self._meta.get_field(name).verbose_name,
                "text": getattr(self, name),
            }
            for name in self.ITEM_FIELDS
        ]

    @property
    def missing(self) -> list[str]:
        return [i["label"] for i in self.items() if not i["text"].strip()]
