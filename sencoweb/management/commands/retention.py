"""List (--dry-run) or destroy (--confirm) archived pupils past their retention date."""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError
from django.utils import timezone

from sencoweb.retention import (
    pupils_due_for_destruction,
    pupils_on_legal_hold,
    retention_destroy,
    transfers_not_yet_sent,
)


class Command(BaseCommand):
    help = (
        "Archived pupils past their retention date (not on legal hold), with why each is due "
        "(the SEN file was transferred to another school, or date of birth + 31 years). "
        "--dry-run lists them; "
        "--confirm destroys them with all their records and writes a destruction record to the "
        "audit trail."
    )

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument("--dry-run", action="store_true", help="Only list who is due")
        mode.add_argument("--confirm", action="store_true", help="Destroy the records listed")
        parser.add_argument("--today", help="Pretend today is YYYY-MM-DD (for checking)")

    def handle(self, *args, dry_run=False, confirm=False, today=None, **options):
        day = timezone.localdate()
        if today:
            try:
                day = timezone.datetime.fromisoformat(today).date()
            except ValueError:
                raise CommandError(f"--today {today!r}: use YYYY-MM-DD") from None
        due = list(pupils_due_for_destruction(today=day))
        held = pupils_on_legal_hold(today=day).count()
        for pupil in due:
            # Why each is due: a file passed on to the next school, or DOB + 31 years.
            self.stdout.write(
                f"{pupil.school.name}\t{pupil.public_id}\tarchived {pupil.archived_at:%Y-%m-%d}"
                f"\tretain until {pupil.retention_until:%Y-%m-%d}\t{pupil.retention_basis}"
            )
        self.stdout.write(f"{len(due)} pupil(s) past their retention date as of {day}.")
        if held:
            self.stdout.write(f"{held} more past their date are kept: legal hold.")
        unsent = transfers_not_yet_sent().count()
        if unsent:
            self.stdout.write(
                f"{unsent} pupil(s) moved to another school with no date recorded for sending "
                "their SEN file: kept to date of birth + 31 years until the SENCO records it."
            )
        if dry_run or not due:
            if dry_run:
                self.stdout.write("Dry run: nothing was deleted. Run with --confirm to destroy.")
            return
        try:
            done = retention_destroy(today=day)
        except ProtectedError as exc:
            raise CommandError(
                f"Nothing was deleted: other records still point at these pupils ({exc})"
            ) from None
        for school, counts in done.items():
            total = sum(counts.values())
            self.stdout.write(self.style.SUCCESS(f"{school}: destroyed {total} records"))
