"""A support plan cycle can end because the pupil left the school (reviews.services.
cycle_end_on_leaving, a pupils.hooks.leaving_handlers entry): ended_reason 'left_school'.

Cycles left open for pupils who had already left (archived) before that handler existed end as
it would have ended them: on the leaving date (their links stay as they are: a left pupil's
links are closed already); then the register's next review is recomputed by 0012's frozen copy
of the rule (only the pupils whose date changes are written). Running it again changes
nothing."""

import importlib

from django.db import migrations, models
from django.utils import timezone


def end_cycles_of_leavers(apps, schema_editor):
    SupportCycle = apps.get_model("reviews", "SupportCycle")
    now = timezone.now()
    stale = (
        SupportCycle.objects.exclude(status="closed")
        .filter(pupil__archived_at__isnull=False)
        .select_related("pupil")
    )
    ended = 0
    for cycle in stale:
        pupil = cycle.pupil
        cycle.status = "closed"
        cycle.closed_at = now
        cycle.ended_reason = "left_school"
        cycle.ended_on = pupil.left_on or timezone.localtime(pupil.archived_at).date()
        cycle.save(update_fields=["status", "closed_at", "ended_reason", "ended_on"])
        ended += 1
    if ended:
        rule = importlib.import_module("reviews.migrations.0012_next_review_earliest")
        rule.recompute(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0012_next_review_earliest"),
    ]

    operations = [
        migrations.AlterField(
            model_name="supportcycle",
            name="ended_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("left_register", "Left the SEN register"),
                    ("left_school", "Left the school"),
                ],
                max_length=16,
            ),
        ),
        migrations.RunPython(end_cycles_of_leavers, migrations.RunPython.noop),
    ]
