"""The provision map as a PDF, built as a report run: the same rows as the screen, the map page's
grouping and filters, costs only for those who may see them, for the SENCO and head only.
Checked on the PDF's own text (pdftotext)."""

import shutil
import subprocess

import pytest
from django.urls import reverse

from reports.models import ReportRun
from sencoweb.models import AuditEvent
from tests.factories import PupilFactory
from tests.helpers import client_for
from tests.provision.factories import GroupFactory, InterventionFactory, enrol

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils"),
]
BUILD = reverse("reports:build_provision_map")


def build(member, capture, **filters):
    """Ask for the map PDF as the map page's button does; the run is built on commit."""
    with capture(execute=True):
        response = client_for(member).post(BUILD, filters)
    assert response.status_code == 302
    run = ReportRun.objects.get(type=ReportRun.Type.PROVISION_MAP, requested_by=member.user)
    assert response["Location"] == reverse("reports:run", args=[run.public_id])
    return run


class PdfText(str):
    """The PDF's text, where `words in text` ignores spacing and line breaks: a cell's text
    wraps at widths that depend on the (random) names in the other columns, so "Reading
    catch-up" can come out as "Reading catch-" and "up" on the next line."""

    def __contains__(self, words):
        return "".join(words.split()) in "".join(str(self).split())


def pdf_text(run, tmp_path) -> PdfText:
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE, run.error
    path = tmp_path / "map.pdf"
    path.write_bytes(run.file.read())
    out = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True)
    return PdfText(out.stdout)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def groups(school, ta, taught_pupil):
    reading = GroupFactory(school=school, staff=ta, intervention=InterventionFactory(
        school=school, name="Reading catch-up", area="CL", wave=2))  # fmt: skip
    enrol(reading, taught_pupil, PupilFactory(school=school, sen_status="K", first_name="Zara"))
    calm = GroupFactory(school=school, staff=ta, intervention=InterventionFactory(
        school=school, name="Calm club", area="SEMH", wave=3))  # fmt: skip
    enrol(calm, PupilFactory(school=school, sen_status="E", first_name="Yusuf"))
    return reading, calm


def test_senco_builds_the_map_pdf_with_costs(
    senco, groups, tmp_path, django_capture_on_commit_callbacks
):
    run = build(senco, django_capture_on_commit_callbacks)
    text = pdf_text(run, tmp_path)
    for words in ("Provision map", "Reading catch-up", "Calm club", "Amara", "Zara", "Yusuf",
                  "Cost to date", "£"):  # fmt: skip
        assert words in text
    assert run.filename.startswith("provision-map-") and run.filename.endswith(".pdf")
    assert AuditEvent.objects.filter(action="create", summary__contains="Provision map").exists()
    download = client_for(senco).get(reverse("reports:run_download", args=[run.public_id]))
    assert download.status_code == 200


def test_filters_and_grouping_carry_into_the_pdf(
    senco, groups, tmp_path, django_capture_on_commit_callbacks
):
    run = build(senco, django_capture_on_commit_callbacks, by="area", wave="3", area="bogus")
    assert run.parameters == {"by": "area", "area": "", "wave": "3"}  # unknown values dropped
    text = pdf_text(run, tmp_path)
    assert "grouped by area of need" in text and "wave 3" in text
    assert "Calm club" in text and "Reading catch-up" not in text


def test_costs_leave_the_pdf_when_the_member_may_not_see_them(
    senco, groups, tmp_path, django_capture_on_commit_callbacks, monkeypatch
):
    from sencoweb import roles

    caps = roles.ROLE_CAPABILITIES["senco"] - {"provision.view_costs"}
    monkeypatch.setitem(roles.ROLE_CAPABILITIES, "senco", caps)
    text = pdf_text(build(senco, django_capture_on_commit_callbacks), tmp_path)
    assert "Calm club" in text and "£" not in text and "Cost to date" not in text


@pytest.mark.parametrize(
    "role,status",
    [("senco", 302), ("head", 302), ("teacher", 403), ("ta", 403), ("governor", 403)],
)
def test_map_pdf_by_role(cast, role, status):
    assert client_for(cast[role]).post(BUILD).status_code == status
    assert client_for(cast[role]).get(BUILD).status_code in (403, 405)


def test_another_schools_map_pdf_shows_none_of_ours(
    outsider, groups, tmp_path, django_capture_on_commit_callbacks
):
    text = pdf_text(build(outsider, django_capture_on_commit_callbacks), tmp_path)
    assert "Reading catch-up" not in text and "Amara" not in text


def test_the_map_page_offers_the_pdf_with_its_filters_to_those_who_may_build_it(
    senco, teacher, groups
):
    page = client_for(senco).get(reverse("provision:map"), {"by": "wave", "area": "SEMH"})
    html = page.content.decode()
    assert f'action="{BUILD}"' in html and 'name="by" value="wave"' in html
    assert 'name="area" value="SEMH"' in html
    assert BUILD not in client_for(teacher).get(reverse("provision:map")).content.decode()


def test_build_report_command_writes_the_map(school, groups, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "map.pdf"
    call_command("build_report", "provision_map", "--school", school.urn, "--out", str(out))
    assert out.read_bytes()[:4] == b"%PDF"


def test_a_member_who_lost_access_gets_an_actionable_error(
    senco, groups, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client_for(senco).post(BUILD)
    senco.delete()  # left the school before a worker built it
    for callback in callbacks:
        callback()
    run = ReportRun.objects.get(type=ReportRun.Type.PROVISION_MAP)
    assert run.status == ReportRun.Status.FAILED
    assert "no longer have access" in run.error
