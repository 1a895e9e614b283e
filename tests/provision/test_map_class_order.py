"""The provision map grouped by class: sections in school order (Reception, then by year, then
any other name; pupils with no class last), not string order ("Class RW" after "Class 6B")."""

import re

import pytest
from django.urls import reverse

from tests.factories import PupilFactory, TeachingGroupFactory
from tests.helpers import client_for

from .factories import GroupFactory, enrol

pytestmark = pytest.mark.django_db


def test_map_by_class_lists_the_classes_in_school_order(senco, school):
    group = GroupFactory(school=school, staff=senco)
    pupils = [PupilFactory(school=school, sen_status="K")]  # no class
    for name in ["Class 6B", "Class RW", "Class 10A", "Owls", "Class 1A"]:
        reg = TeachingGroupFactory(school=school, name=name)
        pupils.append(PupilFactory(school=school, sen_status="K", reg_group=reg))
    enrol(group, *pupils)
    page = client_for(senco).get(reverse("provision:map"), {"by": "class"}).content.decode()
    headings = re.findall(r'<span class="map-heading">([^<]+)</span>', page)
    assert headings == ["Class RW", "Class 1A", "Class 6B", "Class 10A", "Owls", "No class"]
