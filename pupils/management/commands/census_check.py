"""python manage.py census_check --school URN: exits non-zero when the census would fail."""

from django.core.management.base import BaseCommand, CommandError

from pupils import census
from sencoweb.models import School


class Command(BaseCommand):
    help = "List what would fail the January school census for one school."

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, help="The school's six-digit URN")

    def handle(self, *args, school: str, **options):
        school_obj = School.objects.filter(urn=school).first()
        if school_obj is None:
            raise CommandError(f"No school has URN {school}.")
        problems = census.census_problems(school_obj)
        for group in census.group_problems(problems):
            self.stdout.write(f"{group['title']} ({len(group['problems'])})")
            for problem in group["problems"]:
                pupil = problem.pupil
                self.stdout.write(
                    f"  {pupil.upn or '(no UPN)'} {pupil.last_name}, {pupil.first_name}: "
                    f"{problem.message}"
                )
        if problems:
            raise CommandError(f"{len(problems)} census problem(s) at {school_obj.name}.")
        self.stdout.write(self.style.SUCCESS(f"{school_obj.name}: ready for the census."))
