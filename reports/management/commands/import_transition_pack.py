"""Import a transition pack (.json) as a new pupil with their SEN history."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.transition import PackError, parse_pack, transition_pack_import
from sencoweb.models import AuditEvent, School, User, append_audit_event


class Command(BaseCommand):
    help = "Import a SENCo Web transition pack JSON file into a school."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--school", required=True, help="The receiving school's URN")
        parser.add_argument("--user", help="Username recorded as the importer (default: a SENCO)")

    def handle(self, *args, **opts):
        school = School.objects.filter(urn=opts["school"]).first()
        if school is None:
            raise CommandError(f"No school with URN {opts['school']}")
        users = User.objects.filter(memberships__school=school)
        user = (users.filter(username=opts["user"]) if opts["user"]
                else users.filter(memberships__role="senco")).first()  # fmt: skip
        if user is None:
            raise CommandError("No user to record as the importer: pass --user USERNAME")
        try:
            data = parse_pack(Path(opts["file"]).read_bytes())
            result = transition_pack_import(school=school, data=data, by=user)
        except (OSError, PackError) as exc:
            raise CommandError(str(exc)) from exc
        pupil = result.pupil
        append_audit_event(
            school=school, user=user, username=user.username, action=AuditEvent.Action.IMPORT,
            object_type="pupils.Pupil", object_id=str(pupil.public_id),
            summary=f"Imported a transition pack (command line): {result.summary}"[:300],
            pupil_id=pupil.public_id,
        )  # fmt: skip
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {pupil.display_name} ({pupil.public_id}): {result.summary}"
            )
        )
