"""The benchmark sizes (bench/run.py) need a secondary of more than 1,000 pupils: a UPN has three
serial digits, so serials must count within a year group, not across the roll."""

from django.core.management import call_command
from django.db.models import Count

from pupils.models import Pupil
from pupils.upn import check_letter
from sencoweb.models import School


def test_seed_builds_a_secondary_of_more_than_1000_pupils_with_valid_unique_upns(db):
    call_command("seed_demo", "--pupils", "1100", "--today", "2026-11-20", "--seed", "3")
    secondary = School.objects.get(phase="secondary")
    pupils = Pupil.objects.for_school(secondary)
    assert pupils.count() >= 1100
    assert not pupils.values("upn").annotate(n=Count("id")).filter(n__gt=1).exists()
    for upn in pupils.values_list("upn", flat=True)[:50]:
        assert upn[0] == check_letter(upn[1:])
