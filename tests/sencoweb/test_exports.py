import io

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from sencoweb.exports import csv_bytes, safe_cell, xlsx_bytes


def test_formulas_are_neutralised():
    for bad in ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]:
        assert safe_cell(bad).startswith("'")
    assert safe_cell("O'Neill") == "O'Neill"
    assert safe_cell(None) == ""


@given(st.text())
def test_no_cell_ever_starts_with_a_formula_character(text):
    assert not safe_cell(text).startswith(("=", "+", "-", "@", "\t", "\r", "\n"))


def test_csv_and_xlsx_are_safe():
    rows = [["=cmd|' /C calc'!A0", "Zoë"]]
    assert b"'=cmd" in csv_bytes(["a", "b"], rows)
    sheet = load_workbook(io.BytesIO(xlsx_bytes(["a", "b"], rows))).active
    assert sheet["A2"].value.startswith("'=") and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == "Zoë"
