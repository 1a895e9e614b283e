"""Create a school, or update it when its URN is already known (run it again to rename).

    manage.py create_school --urn 123456 --name "Oakfield Primary" --la-code 801 \\
        --la-name Bristol --phase primary --estab 2041
"""

import re

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from sencoweb.models import School

PHASES = [value for value, _ in School.Phase.choices]


class Command(BaseCommand):
    help = "Create a school, or update the school with this URN."

    def add_arguments(self, parser):
        parser.add_argument("--urn", required=True, help="Six-digit unique reference number")
        parser.add_argument("--name", required=True)
        parser.add_argument("--la-code", required=True, help="Three-digit local authority number")
        parser.add_argument("--la-name", required=True, help="Local authority name")
        parser.add_argument("--phase", required=True, help=" | ".join(PHASES))
        parser.add_argument(
            "--estab",
            help="Four-digit DfE establishment number (needed to create a school; kept if "
            "left out when updating)",
        )

    def handle(self, *args, **opts):
        urn = opts["urn"].strip()
        la_code = opts["la_code"].strip()
        estab = (opts["estab"] or "").strip()
        name = opts["name"].strip()
        la_name = opts["la_name"].strip()
        phase = opts["phase"].strip().lower()
        problems = []
        if not re.fullmatch(r"[0-9]{6}", urn):
            problems.append(f"--urn must be six digits (got {urn!r})")
        if not re.fullmatch(r"[0-9]{3}", la_code):
            problems.append(f"--la-code must be three digits (got {la_code!r})")
        if opts["estab"] is not None and not re.fullmatch(r"[0-9]{4}", estab):
            problems.append(f"--estab must be four digits (got {estab!r})")
        if phase not in PHASES:
            problems.append(f"--phase must be one of {', '.join(PHASES)} (got {phase!r})")
        if not name:
            problems.append("--name must not be empty")
        if not la_name:
            problems.append("--la-name must not be empty")
        if len(name) > 200 or len(la_name) > 100:
            problems.append("--name is at most 200 characters and --la-name at most 100")
        existing = School.objects.filter(urn=urn).first() if not problems else None
        if not problems and existing is None and not estab:
            problems.append("--estab is needed to create a school (four digits)")
        if problems:
            raise CommandError("Nothing saved:\n  " + "\n  ".join(problems))

        values = {"name": name, "la_code": la_code, "la_name": la_name, "phase": phase}
        if estab:
            values["estab"] = estab
        with transaction.atomic():
            if existing is None:
                school = School.objects.create(urn=urn, **values)
                self.stdout.write(f"Created school {school.name} (URN {urn}).")
                return
            changed = {
                field: (getattr(existing, field), value)
                for field, value in values.items()
                if getattr(existing, field) != value
            }
            if not changed:
                self.stdout.write(f"School {existing.name} (URN {urn}) is up to date.")
                return
            for field, (_, value) in changed.items():
                setattr(existing, field, value)
            existing.save(update_fields=list(changed))
        lines = [f"  {field}: {old!r} -> {new!r}" for field, (old, new) in changed.items()]
        self.stdout.write(f"Updated school {existing.name} (URN {urn}):\n" + "\n".join(lines))
