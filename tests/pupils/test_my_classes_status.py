"""My classes on a tablet: a pupil's SEN status is said in words ('SEN support (K)'), not as a
census letter whose meaning was only in a hover title, which a finger cannot reach."""

import re

import pytest
from django.urls import reverse

from tests.factories import PupilFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def test_status_reads_in_words(teacher, school, class_group):
    for status in ("K", "E"):
        PupilFactory(school=school, sen_status=status).teaching_groups.add(class_group)
    html = client_for(teacher).get(reverse("pupils:my_classes")).content.decode()
    cells = re.findall(r'<td data-label="Status">(.*?)</td>', html, re.S)
    words = sorted(re.sub(r"<[^>]+>", "", cell).strip() for cell in cells)
    assert words == ["EHC plan (E)", "SEN support (K)"]
