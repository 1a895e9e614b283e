"""Freeze each school's aggregate register for a census date (counts only, no pupil ids)."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from reports.selectors import snapshot_take
from sencoweb.models import School


class Command(BaseCommand):
    help = "Take a census snapshot of the SEN register (aggregate counts only)."

    def add_arguments(self, parser):
        parser.add_argument("--school", help="URN (default: every school)")
        parser.add_argument("--date", help="Census date YYYY-MM-DD (default: today)")

    def handle(self, *args, **opts):
        schools = School.objects.all()
        if opts["school"]:
            schools = schools.filter(urn=opts["school"])
            if not schools:
                raise CommandError(f"No school with URN {opts['school']}")
        day = dt.date.fromisoformat(opts["date"]) if opts["date"] else None
        for school in schools:
            snap = snapshot_take(school, day)
            self.stdout.write(
                f"{school.name}: {snap.census_date} K={snap.sen_support} E={snap.ehc_plan} of {snap.on_roll}"
            )
