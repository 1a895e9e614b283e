"""My classes on a tablet: a pupil's SEN status is said in words ('SEN support (K)'), not as a
census letter whose meaning was only in a hover title, which a finger cannot reach."""

import re

import pytest
from django.urls import reverse

from tests.factories import NeedFactory, PupilFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def test_status_reads_in_words(teacher, school, class_group):
    for status in ("K", "E"):
        PupilFactory(school=school, sen_status=status).teaching_groups.add(class_group)
    html = client_for(teacher).get(reverse("pupils:my_classes")).content.decode()
    cells = re.findall(r'<td data-label="Status">(.*?)</td>', html, re.S)
    words = sorted(re.sub(r"<[^>]+>", "", cell).strip() for cell in cells)
    assert words == ["EHC plan (E)", "SEN support (K)"]


def test_needs_read_in_words_with_their_code(teacher, school, class_group):
    """'SLCN, ASD' meant nothing to a teacher on a tablet: each need is named as the DfE names it,
    with its code after, from pupils.codes (no query more: the page's pin in test_views holds)."""
    pupil = PupilFactory(school=school, sen_status="K")
    pupil.teaching_groups.add(class_group)
    NeedFactory(pupil=pupil, sen_type="SLCN", rank=1)
    NeedFactory(pupil=pupil, sen_type="ASD", rank=2)
    html = client_for(teacher).get(reverse("pupils:my_classes")).content.decode()
    cell = re.search(r'<td class="needs" data-label="Needs">(.*?)</td>', html, re.S).group(1)
    needs = [re.sub(r"<[^>]+>", "", li).strip() for li in re.findall(r"<li>(.*?)</li>", cell)]
    assert needs == [
        "Speech, language and communication needs (SLCN)",
        "Autistic spectrum disorder (ASD)",
    ]
