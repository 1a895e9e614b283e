"""Classes are listed for choosing in school order: Reception, then by year number, then by
name, then any other name alphabetically ("Class RW" before "Class 1A", "6B" before "10A"), not
in string order, where "Class RW" came after "Class 6B" and "10A" before "7A"."""

import re

import pytest
from django.urls import reverse

from pupils.models import class_order_key
from tests.factories import NeedFactory, PupilFactory, TeachingGroupFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def test_reception_first_then_year_number_then_name_then_other_names():
    names = ["Class 6B", "Hedgehogs", "10A", "Class RW", "7X", "Class 1B", "Robins", "Class 1A",
             "2C", "Year 3", "Reception", "10En10", "10En2", "Nurture group"]  # fmt: skip
    assert sorted(names, key=class_order_key) == [
        "Reception", "Class RW", "Class 1A", "Class 1B", "2C", "Year 3", "Class 6B", "7X",
        "10A", "10En2", "10En10", "Hedgehogs", "Nurture group", "Robins",
    ]  # fmt: skip


def _options(page: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S).group(0)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select)


def test_register_class_filter_lists_classes_in_school_order(senco, school):
    for name in ["Class 6B", "Class RW", "Class 10A", "Class 1A", "Hedgehogs", "Class 2C"]:
        PupilFactory(school=school, sen_status="K", reg_group=TeachingGroupFactory(
            school=school, name=name))  # fmt: skip
    page = client_for(senco).get(reverse("pupils:register")).content.decode()
    assert _options(page, "reg_group") == [
        "Any", "Class RW", "Class 1A", "Class 2C", "Class 6B", "Class 10A", "Hedgehogs",
    ]  # fmt: skip


def test_register_class_filter_still_filters(senco, school):
    rw = TeachingGroupFactory(school=school, name="Class RW")
    six = TeachingGroupFactory(school=school, name="Class 6B")
    NeedFactory(pupil=PupilFactory(school=school, sen_status="K", last_name="Kapoor", reg_group=rw))
    NeedFactory(pupil=PupilFactory(school=school, sen_status="K", last_name="Evans", reg_group=six))
    page = client_for(senco).get(reverse("pupils:register"), {"reg_group": rw.pk})
    text = page.content.decode()
    assert "Kapoor" in text and "Evans" not in text
    assert re.search(rf'<option value="{rw.pk}" selected>Class RW</option>', text)


def test_my_classes_lists_the_groups_in_school_order(teacher, school):
    for name in ["Class 6B", "Class RW", "10Ma1", "7X", "Gardening club"]:
        TeachingGroupFactory(school=school, name=name).staff.add(teacher.user)
    page = client_for(teacher).get(reverse("pupils:my_classes")).content.decode()
    headings = re.findall(r'<h2 class="h5 mb-0" id="group-\d+">([^<]+?)\s*<', page)
    assert headings == ["Class RW", "Class 6B", "7X", "10Ma1", "Gardening club"]


def test_the_import_shows_teaching_groups_in_school_order(senco, school):
    import datetime as dt

    from pupils import importing
    from tests.pupils.fixtures.builders import csv_bytes, row

    today = dt.date(2026, 1, 10)
    first = importing.parse_file(
        csv_bytes([row(1, **{"Teaching groups": "10Ma1; 7En2"})]), "a.csv", today=today
    )
    importing.import_commit(school=school, parsed=first, user=senco.user, today=today)
    again = importing.parse_file(
        csv_bytes([row(1, **{"Teaching groups": "10Ma2; 7En1; Class RW"})]), "b.csv", today=today
    )
    plan = importing.import_plan(school=school, parsed=again)
    (change,) = [c for c in plan.items[0].changes if c.label == "Teaching groups"]
    assert (change.old, change.new) == ("7En2, 10Ma1", "Class RW, 7En1, 10Ma2")
