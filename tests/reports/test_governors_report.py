"""The governors' report is anonymised: no name, UPN or date of birth; small counts hidden."""

import datetime as dt
import shutil
import subprocess

import pytest

from reports.builders import governors_html
from reports.models import ReportRun
from reports.rendering import render_pdf
from tests.factories import NeedFactory, PupilFactory


@pytest.fixture
def register(school):
    """30 pupils: 12 on SEN support with SLCN, 3 with EHC plans (a small, hideable count)."""
    pupils = []
    for i in range(30):
        status = "K" if i < 12 else "E" if i < 15 else "N"
        pupil = PupilFactory(
            school=school, first_name=f"Zebedee{i}", last_name=f"Quorn{i}",
            date_of_birth=dt.date(2015, 2, 17), sen_status=status, nc_year="6" if i % 2 else "5",
        )  # fmt: skip
        if status != "N":
            NeedFactory(pupil=pupil, sen_type="SLCN" if i < 14 else "ASD")
        pupils.append(pupil)
    return pupils


def _assert_anonymous(text, pupils):
    for p in pupils:
        assert p.first_name not in text
        assert p.last_name not in text
        assert p.upn not in text
    for form in ("2015-02-17", "17/02/2015", "17 February 2015", "17 Feb 2015"):
        assert form not in text


def test_no_personal_data_and_small_counts_suppressed(school, register):
    html = governors_html(school, 2026)
    _assert_anonymous(html, register)
    assert "fewer than 5" in html  # 3 EHC plans
    assert ">3<" not in html.replace(" ", "")
    assert "withheld" in html  # secondary suppression in the need table
    assert "14.2%" in html and "5.3%" in html


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
def test_pdf_text_has_no_personal_data(school, register, tmp_path):
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(render_pdf(governors_html(school, 2026)))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    _assert_anonymous(text, register)
    assert "fewer than 5" in text
    assert "Annual SEN report to governors" in text


def test_threshold_is_per_school(school, register):
    school.suppression_threshold = 3
    school.save()
    from reports.governors import governors_report_context

    rows = governors_report_context(school, 2026)["status"]["rows"]
    assert [r["count"].display for r in rows] == ["12", "3", "15"]  # 3 is no longer hidden


def test_a_hidden_ehc_count_cannot_be_worked_out_from_the_total(school, register):
    from reports.governors import governors_report_context

    ctx = governors_report_context(school, 2026)
    assert [r["count"].display for r in ctx["status"]["rows"]] == ["withheld", "fewer than 5", "15"]
    now = ctx["trend"]["rows"][-1]
    assert (now["K"].display, now["E"].display) == ("withheld", "fewer than 5")


def test_trend_without_snapshots_says_it_was_computed(school, register):
    html = governors_html(school, 2026)
    assert "No census snapshot was taken" in html


def test_build_report_command_writes_a_pdf(school, register, tmp_path):
    from django.core.management import call_command

    out = tmp_path / "g.pdf"
    call_command(
        "build_report", ReportRun.Type.GOVERNORS, school=school.urn, year=2025, out=str(out)
    )
    assert out.read_bytes()[:4] == b"%PDF"
