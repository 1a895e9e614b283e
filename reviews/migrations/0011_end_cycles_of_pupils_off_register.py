"""Support plan cycles left open for pupils already taken off the SEN register (N or the
monitoring list) before a status decision ended them (reviews.services.cycle_end) end as that
decision would have ended them: on the day the pupil's current status began, with their links
that still work revoked, and the register's next review cleared unless an EHC plan is in force."""

from django.db import migrations
from django.utils import timezone


def end_cycles(apps, schema_editor):
    SupportCycle = apps.get_model("reviews", "SupportCycle")
    ContributionLink = apps.get_model("reviews", "ContributionLink")
    EhcPlan = apps.get_model("reviews", "EhcPlan")
    Pupil = apps.get_model("pupils", "Pupil")
    now = timezone.now()
    stale = (
        SupportCycle.objects.exclude(status="closed")
        .filter(pupil__sen_status__in=["N", "M"])
        .select_related("pupil")
    )
    for cycle in stale:
        pupil = cycle.pupil
        latest = pupil.status_decisions.order_by("-decided_on").first()
        ended_on = pupil.sen_status_since or (latest.decided_on if latest else now.date())
        ContributionLink.objects.filter(
            cycle=cycle, submitted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ).update(revoked_at=now)
        cycle.status = "closed"
        cycle.closed_at = now
        cycle.ended_reason = "left_register"
        cycle.ended_on = ended_on
        cycle.save(update_fields=["status", "closed_at", "ended_reason", "ended_on"])
        if not EhcPlan.objects.filter(pupil=pupil, status="issued").exists():
            Pupil.objects.filter(pk=pupil.pk).update(next_review_due=None)


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0010_cycle_ended_off_register"),
    ]

    operations = [migrations.RunPython(end_cycles, migrations.RunPython.noop)]
