"""Write a subject access export (JSON + PDF) of everything held about one pupil."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from pupils.models import Pupil
from reports.sar import subject_access_files
from sencoweb.models import AuditEvent, append_audit_event


class Command(BaseCommand):
    help = "Subject access export of one pupil: writes <name>.json and <name>.pdf into --out."

    def add_arguments(self, parser):
        parser.add_argument("--pupil", required=True, help="The pupil's record ID (UUID)")
        parser.add_argument("--out", required=True, help="Directory to write the files into")

    def handle(self, *args, pupil, out, **options):
        try:
            subject = Pupil.objects.select_related("school").get(public_id=pupil)
        except (Pupil.DoesNotExist, ValueError, ValidationError):
            raise CommandError(f"No pupil with record ID {pupil!r}") from None
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        base, json_bytes, pdf = subject_access_files(subject)
        (folder / f"{base}.json").write_bytes(json_bytes)
        (folder / f"{base}.pdf").write_bytes(pdf)
        append_audit_event(
            school=subject.school,
            username="subject_access_export command",
            action=AuditEvent.Action.DISCLOSE,
            object_type=subject._meta.label,
            object_id=str(subject.public_id),
            pupil_id=subject.public_id,
            summary="Subject access export written by the command line",
        )
        self.stdout.write(self.style.SUCCESS(f"Wrote {folder / base}.json and .pdf"))
