"""The provision map as a PDF: the same rows as the screen, costs only for those who may see them,
a teacher's copy only with their own pupils, and every download audited. Checked on the PDF's
own text (pdftotext)."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from sencoweb.models import AuditEvent
from tests.factories import PupilFactory
from tests.helpers import client_for
from tests.provision.factories import GroupFactory, InterventionFactory, enrol

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils"),
]
URL = reverse("reports:provision_map_pdf")


def pdf_text(response, tmp_path) -> str:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "map.pdf"
    path.write_bytes(response.content)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True)
    return out.stdout


@pytest.fixture
def groups(school, ta, taught_pupil):
    reading = GroupFactory(school=school, staff=ta, intervention=InterventionFactory(
        school=school, name="Reading catch-up", area="CL", wave=2))  # fmt: skip
    enrol(reading, taught_pupil, PupilFactory(school=school, sen_status="K", first_name="Zara"))
    calm = GroupFactory(school=school, staff=ta, intervention=InterventionFactory(
        school=school, name="Calm club", area="SEMH", wave=3))  # fmt: skip
    enrol(calm, PupilFactory(school=school, sen_status="E", first_name="Yusuf"))
    return reading, calm


def test_senco_downloads_the_map_with_costs(senco, groups, tmp_path):
    response = client_for(senco).get(URL)
    assert response["Content-Disposition"].startswith('attachment; filename="provision-map-')
    text = pdf_text(response, tmp_path)
    for words in ("Provision map", "Reading catch-up", "Calm club", "Amara", "Zara", "Yusuf",
                  "Cost to date", "£"):  # fmt: skip
        assert words in text
    assert AuditEvent.objects.filter(
        action="download", summary="Downloaded the provision map (PDF)"
    ).exists()


def test_filters_and_grouping_carry_into_the_pdf(senco, groups, tmp_path):
    text = pdf_text(client_for(senco).get(URL, {"by": "area", "wave": "3"}), tmp_path)
    assert "grouped by area of need" in text and "wave 3" in text
    assert "Calm club" in text and "Reading catch-up" not in text


def test_teacher_gets_only_their_pupils_and_no_costs(teacher, groups, tmp_path):
    text = pdf_text(client_for(teacher).get(URL), tmp_path)
    assert "Amara" in text  # in the teacher's class
    assert "Zara" not in text and "Yusuf" not in text
    assert "£" not in text and "Cost to date" not in text


@pytest.mark.parametrize(
    "role,status",
    [("senco", 200), ("head", 200), ("teacher", 200), ("ta", 200), ("trustlead", 200),
     ("governor", 403)],
)  # fmt: skip
def test_map_pdf_by_role(cast, role, status):
    assert client_for(cast[role]).get(URL).status_code == status


def test_another_schools_map_pdf_shows_none_of_ours(outsider, groups, tmp_path):
    text = pdf_text(client_for(outsider).get(URL), tmp_path)
    assert "Reading catch-up" not in text and "Amara" not in text


def test_the_map_page_links_its_pdf_with_the_same_filters(senco, groups):
    page = client_for(senco).get(reverse("provision:map"), {"by": "wave", "area": "SEMH"})
    assert f'href="{URL}?by=wave&amp;area=SEMH"' in page.content.decode()
