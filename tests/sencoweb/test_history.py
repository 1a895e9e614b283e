"""sencoweb.history: a record's versions as lines a person reads (who, which field, from, to)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sencoweb.history import EMPTY, record_baselines, versions
from tests.factories import PupilFactory, TeachingGroupFactory

pytestmark = pytest.mark.django_db


def test_versions_name_the_fields_with_readable_values_newest_first(school, senco):
    pupil = PupilFactory(school=school, sen_status="N", looked_after=False)
    group = TeachingGroupFactory(school=school, name="7B")
    pupil._history_user = senco.user
    pupil.sen_status, pupil.looked_after, pupil.reg_group = "K", True, group
    pupil.save()
    pupil.about_me = "I like trains."
    pupil.save()
    pupil.save()  # nothing changed: no line

    newest, middle, created = versions(pupil.history, hide=("updated_at",))
    assert created.kind == "Created" and created.changes == []
    assert middle.kind == "Changed" and middle.who == senco.user.get_full_name()
    shown = {c.label: (c.old, c.new) for c in middle.changes}
    assert shown["SEN status"] == ("Not on the SEN register", "SEN support (K)")
    assert shown["Looked after"] == ("No", "Yes")
    assert shown["Registration group"][0] == EMPTY and "7B" in shown["Registration group"][1]
    (about,) = newest.changes
    assert (about.label, about.old, about.new, about.long) == (
        "About me", EMPTY, "I like trains.", True
    )  # fmt: skip


def test_queries_do_not_grow_with_the_versions(school):
    pupil = PupilFactory(school=school)
    groups = [TeachingGroupFactory(school=school, name=f"G{n}") for n in range(6)]
    for group in groups[:2]:
        pupil.reg_group = group
        pupil.save()
    with CaptureQueriesContext(connection) as few:
        versions(pupil.history)
    for group in groups[2:]:
        pupil.reg_group = group
        pupil.save()
    with CaptureQueriesContext(connection) as many:
        assert len(versions(pupil.history)) == 7
    assert len(many.captured_queries) == len(few.captured_queries) == 2


def test_records_without_versions_get_a_baseline_and_then_show_from_what(school):
    from pupils.models import Pupil

    (pupil,) = Pupil.objects.bulk_create([PupilFactory.build(school=school, about_me="Quiet")])
    assert versions(pupil.history) == []  # bulk-created: no versions at all
    assert record_baselines() >= 1
    assert record_baselines() == 0  # only records with none
    pupil.about_me = "Chatty"
    pupil.save()
    changed, began = versions(pupil.history)
    assert began.kind == "History began" and began.who == "—"
    assert [(c.old, c.new) for c in changed.changes] == [("Quiet", "Chatty")]


def test_a_first_change_with_nothing_before_it_says_so(school):
    from pupils.models import Pupil

    (pupil,) = Pupil.objects.bulk_create([PupilFactory.build(school=school)])
    pupil.about_me = "Loves football"
    pupil.save()
    (only,) = versions(pupil.history)
    assert only.kind == "Changed" and only.changes == []
    assert only.note == "The version before this change was not recorded."
