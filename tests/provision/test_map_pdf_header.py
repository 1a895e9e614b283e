"""The provision map PDF's running header names the section a page continues ("Year 3"), not
the section and its row count run together ("Year 3 30"); a section of one row says "(1 row)".
Checked on the PDF's text."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from reports.models import ReportRun
from tests.factories import PupilFactory
from tests.helpers import client_for

from .factories import GroupFactory, enrol

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils"),
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_running_header_is_the_section_name_alone(
    senco, ta, school, tmp_path, django_capture_on_commit_callbacks
):
    group = GroupFactory(school=school, staff=ta)
    enrol(group, *(PupilFactory(school=school, sen_status="K", nc_year="3") for _ in range(30)))
    enrol(group, PupilFactory(school=school, sen_status="K", nc_year="4"))
    with django_capture_on_commit_callbacks(execute=True):
        client_for(senco).post(reverse("reports:build_provision_map"), {"by": "year"})
    run = ReportRun.objects.get(type=ReportRun.Type.PROVISION_MAP)
    assert run.status == ReportRun.Status.DONE, run.error
    path = tmp_path / "map.pdf"
    path.write_bytes(run.file.read())
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True
    ).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) >= 2  # 30 rows of Year 3 run onto a second page
    assert "Year 3 (30 rows)" in pages[0]
    header = pages[1].strip().splitlines()[0].strip()
    assert header == "Year 3"
    assert "Year 4 (1 row)" in text
