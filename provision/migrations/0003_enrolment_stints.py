"""A pupil who re-joins a group gets a new place (a stint) from that day, so one pupil may have
several places in one group: the one-place-per-group rule becomes at most one open place (no
end date) per pupil and group. Existing data (one place per pair) satisfies it. That places do
not overlap is checked by provision.services under a lock on the group (an exclusion constraint
would be PostgreSQL only)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("provision", "0002_end_leavers_places"),
        ("pupils", "0007_remove_pupil_top_up_funded"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="enrolment",
            name="enrolment_once_per_group",
        ),
        migrations.AddConstraint(
            model_name="enrolment",
            constraint=models.UniqueConstraint(
                condition=models.Q(("ends_on__isnull", True)),
                fields=("group", "pupil"),
                name="enrolment_one_open_place",
                violation_error_message="The pupil already has an open place in this group.",
            ),
        ),
    ]
