"""Transition packs: the JSON round-trips into another school; bad files get a clear message."""

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from pupils.models import Need, Pupil, StatusDecision
from reports.builders import build
from reports.models import ReportRun
from reports.transition import SCHEMA_ID, pack_data, parse_pack
from tests.factories import NeedFactory, PupilFactory
from tests.helpers import client_for


@pytest.fixture
def leaver(senco):
    pupil = PupilFactory(school=senco.school, nc_year="6", sen_status="K", upn="A801200120001",
                         about_me="I like trains.", what_helps="Visual timetable.")  # fmt: skip
    NeedFactory(pupil=pupil, sen_type="SLCN", rank=1)
    NeedFactory(pupil=pupil, sen_type="SEMH", rank=2)
    StatusDecision.objects.create(pupil=pupil, decided_on="2024-10-01", from_status="N",
                                  to_status="K", reason="Assessment", decided_by="SENCO",
                                  recorded_by=senco.user)  # fmt: skip
    return pupil


def test_pack_matches_the_documented_schema(leaver, senco):
    data = pack_data(leaver, school=senco.school)
    schema = json.loads(Path("reports/schema/transition_pack_v2.json").read_text())
    assert data["$schema"] == SCHEMA_ID == schema["$id"]
    assert data["schema_version"] == schema["properties"]["schema_version"]["const"] == 2
    assert set(schema["required"]) <= set(data)
    assert set(schema["properties"]["pupil"]["required"]) <= set(data["pupil"])
    assert {"current_plan", "reviews", "provision", "ehc_plan"} >= set(data["not_recorded"])


def test_cohort_zip_has_a_pdf_and_json_per_pupil(leaver, senco):
    run = ReportRun.objects.create(school=senco.school, type="transition_cohort",
                                   parameters={"year_group": "6"})  # fmt: skip
    steps = []
    name, data = build(run, lambda d, t: steps.append((d, t)))
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert len(names) == 2 and {n.rsplit(".", 1)[1] for n in names} == {"pdf", "json"}
    assert steps[-1] == (1, 1)


def test_import_creates_the_pupil_with_history(leaver, senco, outsider, tmp_path):
    path = tmp_path / "pack.json"
    path.write_text(json.dumps(pack_data(leaver, school=senco.school)))
    call_command("import_transition_pack", str(path), school=outsider.school.urn)
    pupil = Pupil.objects.for_school(outsider.school).get(upn="A801200120001")
    assert pupil.sen_status == "K" and pupil.about_me == "I like trains."
    assert list(
        Need.objects.filter(pupil=pupil).values_list("sen_type", flat=True).order_by("rank")
    ) == ["SLCN", "SEMH"]
    assert StatusDecision.objects.get(pupil=pupil).recorded_by == outsider.user


def test_browser_upload_imports_and_rejects_bad_files(leaver, senco, outsider, governor):
    client = client_for(outsider)
    url = reverse("reports:pack_import")
    bad = client.post(url, {"file": SimpleUploadedFile("x.json", b"{not json")})
    assert bad.status_code == 422 and b"not JSON" in bad.content
    payload = json.dumps(pack_data(leaver, school=senco.school)).encode()
    ok = client.post(url, {"file": SimpleUploadedFile("pack.json", payload)})
    assert ok.status_code == 302
    assert Pupil.objects.for_school(outsider.school).filter(upn=leaver.upn).exists()
    again = client.post(url, {"file": SimpleUploadedFile("pack.json", payload)})
    assert again.status_code == 422 and b"already on this school" in again.content
    assert client_for(governor).get(url).status_code == 403


def test_parse_rejects_other_json():
    with pytest.raises(ValueError, match="not a SENCo Web transition pack"):
        parse_pack(b'{"hello": 1}')


def test_pack_includes_provision_and_plan_sections_when_recorded(leaver, senco):
    data = pack_data(leaver, school=senco.school)
    # The reviews and provision apps are installed: their sections are "none", not "unknown".
    assert data["not_recorded"] == []
    assert data["reviews"] == [] and data["provision"] == []
    assert data["current_plan"] is None and data["ehc_plan"] is None


def test_build_report_command_for_a_year_group(leaver, senco, tmp_path):
    out = tmp_path / "y6.zip"
    call_command("build_report", "transition_cohort", school=senco.school.urn, year_group="6",
                 out=str(out))  # fmt: skip
    assert len(zipfile.ZipFile(out).namelist()) == 2
