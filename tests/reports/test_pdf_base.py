"""The shared PDF base (templates/reports/pdf_base.html), used by every PDF: plan, transition
pack, governors' report, SAR, provision map. Checked on the PDF itself (pdffonts, pdftotext)."""

import shutil
import subprocess

import pytest
from django.template import engines

from reports.rendering import render_pdf

pytestmark = pytest.mark.skipif(
    not (shutil.which("pdffonts") and shutil.which("pdftotext")), reason="needs poppler-utils"
)

LONG = """{% extends "reports/pdf_base.html" %}
{% block title %}Test{% endblock %}{% block footer_left %}Running footer{% endblock %}
{% block body %}<h1>A long document</h1>
<h2>First section</h2>{% for i in rows %}<p>Paragraph {{ i }} of the first section.</p>{% endfor %}
<h2>Second section</h2><p>The end.</p>{% endblock %}"""


@pytest.fixture
def long_pdf(tmp_path):
    html = engines["django"].from_string(LONG).render({"rows": range(120)})
    path = tmp_path / "long.pdf"
    path.write_bytes(render_pdf(html))
    return path


def test_running_header_and_page_numbers_use_the_body_font(long_pdf):
    fonts = subprocess.run(["pdffonts", str(long_pdf)], capture_output=True, text=True).stdout
    names = [line.split()[0] for line in fonts.splitlines()[2:]]
    assert names and all("Sans" in name for name in names), fonts


def test_the_header_names_the_section_the_page_starts_in(long_pdf):
    pages = subprocess.run(["pdftotext", "-layout", str(long_pdf), "-"], capture_output=True,
                           text=True).stdout.split("\f")  # fmt: skip
    assert len([p for p in pages if p.strip()]) >= 3
    # Page 2 is all first section: its header says so, and its footer numbers the page.
    assert "First section" in pages[1].splitlines()[0] and "Page 2 of" in pages[1]
    # The page where the second section begins, part way down, starts in the first one.
    last = next(p for p in pages if "Second section" in p)
    assert last.index("of the first section") < last.index("Second section")
    assert "First section" in last.splitlines()[0]


NARROW = """{% extends "reports/pdf_base.html" %}{% block body %}
<table><thead><tr><th>Primary need</th><th class="num">SEN support</th><th class="num">EHC plan</th>
<th class="num">Total</th></tr></thead><tbody>{% for i in rows %}<tr>
<th>Social, emotional and mental health difficulties of a long name</th>
<td class="num suppressed">fewer than 5</td><td class="num suppressed">fewer than 5</td>
<td class="num suppressed">withheld</td></tr>{% endfor %}</tbody></table>{% endblock %}"""


def test_a_suppressed_count_stays_on_one_line_in_a_narrow_column(tmp_path):
    html = engines["django"].from_string(NARROW).render({"rows": range(3)})
    path = tmp_path / "narrow.pdf"
    path.write_bytes(render_pdf(html))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True).stdout  # fmt: skip
    assert text.count("fewer than 5") == 6, text
