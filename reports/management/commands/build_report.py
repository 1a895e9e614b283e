"""Build a report synchronously with the same builders the Celery job uses.

python manage.py build_report governors_report --school 123456 --year 2025 --out r.pdf
python manage.py build_report transition_cohort --school 123456 --year-group 6 --out y6.zip
python manage.py build_report provision_map --school 123456 --out map.pdf
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from reports.builders import build
from reports.models import ReportRun
from reports.services import BuildError
from sencoweb.models import School


class Command(BaseCommand):
    help = (
        "Build a report (governors_report, info_report, transition_pack, transition_cohort, "
        "provision_map)."
    )

    def add_arguments(self, parser):
        parser.add_argument("type", choices=ReportRun.Type.values)
        parser.add_argument("--school", required=True, help="The school's URN")
        parser.add_argument("--year", type=int, help="School year by its start, e.g. 2025")
        parser.add_argument("--year-group", help="National Curriculum year, e.g. 6")
        parser.add_argument("--pupil", help="Pupil UUID (transition_pack)")
        parser.add_argument("--out", required=True, help="Where to write the file")

    def handle(self, *args, **opts):
        school = School.objects.filter(urn=opts["school"]).first()
        if school is None:
            raise CommandError(f"No school with URN {opts['school']}")
        params = {}
        if opts["year"]:
            params["year"] = opts["year"]
        if opts["year_group"]:
            params["year_group"] = opts["year_group"]
        if opts["pupil"]:
            params["pupil"] = opts["pupil"]
        # An unsaved run: nothing is queued or stored, the builder just needs its parameters.
        run = ReportRun(school=school, type=opts["type"], parameters=params)

        def step(done, total):
            self.stdout.write(f"  {done}/{total}")

        try:
            name, data = build(run, step)
        except BuildError as exc:
            raise CommandError(str(exc)) from exc
        Path(opts["out"]).write_bytes(data)
        self.stdout.write(self.style.SUCCESS(f"Wrote {opts['out']} ({name}, {len(data):,} bytes)"))
