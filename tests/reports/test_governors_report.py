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


def _pdf_pages(pdf: bytes, tmp_path) -> list[str]:
    path = tmp_path / "t.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    return text.split("\f")


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
def test_a_table_across_pages_has_one_totals_row_and_keeps_its_caption(tmp_path):
    """WeasyPrint repeats a <tfoot> on every page: a "Total" row halfway down a split table reads
    as the end of it. The header repeats; the totals come once, at the end."""
    from django.template import engines

    from reports import suppression as sup

    table = sup.suppress_table([f"Row {i}" for i in range(70)], ["K", "E"], [[10, 10]] * 70, 5)
    html = (
        engines["django"]
        .from_string(
            '{% extends "reports/pdf_base.html" %}{% block body %}'
            '<p style="height: 215mm">Filler</p>'
            '{% include "reports/_supp_table.html" with table=table caption="By need" %}'
            "{% endblock %}"
        )
        .render({"table": table})
    )
    pages = _pdf_pages(render_pdf(html), tmp_path)
    assert sum("Row 69" in p for p in pages) == 1 and not any("Row 69" in p for p in pages[:2])
    assert "".join(pages).count("1,400") == 1  # the grand total, once
    assert "1,400" in next(p for p in pages if "Row 69" in p)
    # The caption is on the page where the table's rows start, not alone at the foot of another.
    assert "Row 0" in next(p for p in pages if "By need" in p)


def test_intervention_gains_belong_to_the_report_year(school, senco):
    """A past year's report shows the gains of pupils who left an intervention in that year, not
    this year's: the section says which period its figures cover."""
    from decimal import Decimal

    from reports.sections import outcomes_section
    from tests.provision.factories import GroupFactory, enrol

    group = GroupFactory(
        school=school, staff=senco, starts_on=dt.date(2025, 9, 8), ends_on=dt.date(2026, 7, 17)
    )
    pupils = [PupilFactory(school=school, sen_status="K") for _ in range(7)]
    for i, e in enumerate(enrol(group, *pupils)):
        e.entry_score, e.exit_score = Decimal(80), Decimal(90)
        e.entry_on = dt.date(2025, 9, 8)
        e.exit_on = dt.date(2026, 7, 10) if i < 6 else dt.date(2026, 10, 1)  # one in 2026/27
        e.save()
    s = outcomes_section(school, 2025, 5)
    assert s["plain"]["rows"] == [(group.intervention.name, "6", "+10.0", "—")]
    assert "who left an intervention in the same period" in s["note"]
    later = outcomes_section(school, 2026, 5)
    assert later["plain"]["rows"] == [(group.intervention.name, "fewer than 5", "—", "—")]
    earlier = outcomes_section(school, 2024, 5)
    assert earlier["plain"] is None
    assert "no pupil left an intervention with entry and exit scores" in earlier["note"]


def test_a_group_that_only_touches_the_year_in_the_holidays_did_not_run_in_it(school, senco):
    """Groups starting in late August overlap the school year before by a fortnight of holiday:
    they are not 'intervention groups with 0 sessions planned' in that year's report."""
    from provision.models import SessionLog
    from reports.sections import provision_section
    from sencoweb.models import Term
    from tests.provision.factories import GroupFactory, enrol

    Term.objects.create(school=school, academic_year=2025, name="summer",
                        starts_on=dt.date(2026, 4, 13), ends_on=dt.date(2026, 7, 22))  # fmt: skip
    Term.objects.create(school=school, academic_year=2026, name="autumn",
                        starts_on=dt.date(2026, 9, 3), ends_on=dt.date(2026, 12, 18))  # fmt: skip
    summer = GroupFactory(school=school, staff=senco, days="0",
                          starts_on=dt.date(2026, 8, 17), ends_on=dt.date(2026, 11, 23))  # fmt: skip
    enrol(summer, PupilFactory(school=school, sen_status="K"))
    s = provision_section(school, 2025, 5)
    assert s["note"] == "No intervention groups ran in this school year." and not s["facts"]
    spring = GroupFactory(school=school, staff=senco, days="0",
                          starts_on=dt.date(2026, 4, 20), ends_on=dt.date(2026, 5, 18))  # fmt: skip
    enrol(spring, PupilFactory(school=school, sen_status="K"))
    SessionLog.objects.create(group=spring, date=dt.date(2026, 4, 20), status="held")
    facts = dict(provision_section(school, 2025, 5)["facts"])
    assert facts["Intervention groups"] == "1"
    assert facts["Sessions planned"] == "5" and facts["Sessions held"] == "1"  # five Mondays
