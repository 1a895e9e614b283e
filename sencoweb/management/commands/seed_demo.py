"""Load a realistic demo trust. Deterministic for a given --seed (and --today); idempotent."""

import datetime as dt
import importlib
import os

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from sencoweb import demo


class Command(BaseCommand):
    help = (
        "Create the demo trust: two small primaries sharing a SENCO and a secondary, with staff, "
        "pupils in national proportions and data for every feature. Safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--pupils", type=int, default=1000, help="Pupils at the secondary")
        parser.add_argument(
            "--schools",
            type=int,
            default=3,
            help="Schools in the trust (beyond 3: extra secondaries of --pupils each)",
        )
        parser.add_argument(
            "--today",
            type=dt.date.fromisoformat,
            default=None,
            help="Pretend today is this date (YYYY-MM-DD)",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if any school exists already (used by make run)",
        )

    def handle(self, *args, **options):
        from sencoweb.history import record_baselines
        from sencoweb.models import School

        if options["if_empty"] and School.objects.exists():
            self.stdout.write("Data already present: demo data not loaded.")
            return
        if options["pupils"] < 50:
            raise CommandError("--pupils must be at least 50")
        password = os.environ.get("DEMO_PASSWORD") or settings.DEMO_PASSWORD_DEFAULT
        today = options["today"] or dt.date.today()
        ctx = demo.make_context(
            seed=options["seed"], today=today, password=password, stdout=self.stdout
        )
        with transaction.atomic():
            demo.seed(ctx, secondary_pupils=options["pupils"], schools=max(3, options["schools"]))
            for config in apps.get_app_configs():
                if config.name == "sencoweb":
                    continue
                try:
                    module = importlib.import_module(f"{config.name}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.demo":
                        raise
                    continue
                self.stdout.write(f"Seeding {config.verbose_name}...")
                module.seed(ctx)
            # The demo bulk-creates its records, which writes no versions: give each a first
            # one, so a change made while trying the app shows from what to what.
            record_baselines()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready. Sign in as senco, teacher, ta, head, governor or trustlead "
                f"with the password {password!r} (set DEMO_PASSWORD to change it)."
            )
        )
