"""python manage.py import_pupils --school URN FILE [--dry-run] [--user USERNAME]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pupils import importing
from sencoweb.models import Membership, School, User


class Command(BaseCommand):
    help = (
        "Import pupils from a MIS export (CSV or XLSX) or a common transfer file (XML) into one "
        "school. All or nothing: a file with any problem changes nothing and exits non-zero."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--school", required=True, help="The school's six-digit URN")
        parser.add_argument("--dry-run", action="store_true", help="Show the changes only")
        parser.add_argument(
            "--user",
            help="Username recorded on status decisions (default: the school's first SENCO)",
        )

    def handle(self, *args, file: Path, school: str, dry_run: bool, user: str | None, **options):
        school_obj = School.objects.filter(urn=school).first()
        if school_obj is None:
            raise CommandError(f"No school has URN {school}.")
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        parsed = importing.parse_file(file.read_bytes(), file.name)
        if not parsed.ok:
            for problem in parsed.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"Nothing was imported: {len(parsed.problems)} problem(s) in {file.name}."
            )
        plan = importing.import_plan(school=school_obj, parsed=parsed)
        for item in plan.items:
            changes = "; ".join(f"{c.label}: {c.old} -> {c.new}" for c in item.changes)
            line = f"{item.action:9} {item.incoming.upn} {item.incoming.name}"
            self.stdout.write(f"{line}  {changes}" if changes else line)
            for warning in item.warnings:
                self.stdout.write(f"          warning: {warning}")
            for line in item.ending:  # leaving the SEN register ends this in other apps
                self.stdout.write(f"          {line}")
        counts = plan.counts
        summary = (
            f"{counts['create']} to create, {counts['update']} to update, "
            f"{counts['unchanged']} unchanged"
        )
        if dry_run:
            self.stdout.write(f"Dry run: {summary}. Nothing was changed.")
            return
        result = importing.import_commit(
            school=school_obj, parsed=parsed, user=self._recorder(school_obj, user)
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {file.name}: {len(result.created)} created, {len(result.updated)} "
                f"updated, {result.unchanged} unchanged, {result.decisions} status decisions."
            )
        )
        for pupil, lines in result.ended:
            for line in lines:
                self.stdout.write(f"{pupil}: {line}")

    def _recorder(self, school, username):
        if username:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"No user is called {username}.")
            return user
        membership = (
            Membership.objects.active()
            .filter(school=school, role="senco")
            .select_related("user")
            .order_by("pk")
            .first()
        )
        if membership is None:
            raise CommandError(f"{school} has no SENCO: name the importing user with --user.")
        return membership.user
