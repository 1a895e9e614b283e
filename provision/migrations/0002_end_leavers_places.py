"""Places of pupils who left before leaving ended them (provision.services
.end_places_on_leaving) end on their leaving day, as they would have."""

from django.db import migrations
from django.db.models import F, Q


def end_places(apps, schema_editor):
    Enrolment = apps.get_model("provision", "Enrolment")
    open_after_leaving = Enrolment.objects.filter(
        pupil__archived_at__isnull=False, pupil__left_on__isnull=False
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gt=F("pupil__left_on")))
    for place in open_after_leaving.select_related("pupil"):
        place.ends_on = max(place.starts_on, place.pupil.left_on)
        place.save(update_fields=["ends_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("provision", "0001_provision_map"),
        ("pupils", "0006_imported_events"),
    ]

    operations = [migrations.RunPython(end_places, migrations.RunPython.noop)]
