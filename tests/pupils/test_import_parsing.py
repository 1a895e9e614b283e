"""Parsing MIS exports: messy real files, messages by row and column, junk never crashes."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pupils import importing
from tests.pupils.fixtures.builders import FIXTURES, HEADER, csv_bytes, make_upn, row, xlsx_bytes

TODAY = dt.date(2026, 1, 10)


def parse(data, name="export.csv"):
    return importing.parse_file(data, name, today=TODAY)


def messages(parsed):
    return [str(p) for p in parsed.problems]


# One table of messy exports, each of which must import cleanly with these exact values.
MESSY = [
    ("utf-8 with BOM", csv_bytes([row(1)], bom=True), "export.csv", {}),
    (
        "windows-1252 accents",
        csv_bytes([row(1, Surname="Nuñez", Forename="Zoë")], encoding="cp1252"),
        "export.csv",
        {"last_name": "Nuñez", "first_name": "Zoë"},
    ),
    (
        "apostrophes and hyphens kept exactly",
        csv_bytes([row(1, Surname="O'Brien-Smyth ", Forename=" Mary-Jane")]),
        "export.csv",
        {"last_name": "O'Brien-Smyth", "first_name": "Mary-Jane"},
    ),
    (
        "excel serial date in CSV",
        csv_bytes([row(1, DOB="42443")]),
        "export.csv",
        {"date_of_birth": dt.date(2016, 3, 14)},
    ),
    (
        "ISO date",
        csv_bytes([row(1, DOB="2016-03-14")]),
        "export.csv",
        {"date_of_birth": dt.date(2016, 3, 14)},
    ),
    (
        "date with a time",
        csv_bytes([row(1, DOB="14/03/2016 00:00:00")]),
        "export.csv",
        {"date_of_birth": dt.date(2016, 3, 14)},
    ),
    (
        "mixed case codes and words",
        csv_bytes([row(1, **{"SEN provision": "sen support", "Primary need": " spld "})]),
        "export.csv",
        {"sen_status": "K"},
    ),
    (
        "EHC plan in words, K - style prefix",
        csv_bytes([row(1, **{"SEN provision": "E - EHC Plan", "Primary need": "asd"})]),
        "export.csv",
        {"sen_status": "E"},
    ),
    (
        "semicolon separated file",
        csv_bytes([row(1, **{"Teaching groups": "5B, Maths 2"})], delimiter=";"),
        "export.csv",
        {"teaching_groups": ["5B", "Maths 2"]},
    ),
    (
        "trailing spaces everywhere",
        csv_bytes([row(1, Year=" Year 5 ", Gender=" f ", EAL=" Yes ")]),
        "export.csv",
        {"nc_year": "5", "gender": "F", "eal": True},
    ),
    (
        "reception and year words",
        csv_bytes([row(1, Year="Reception")]),
        "export.csv",
        {"nc_year": "R"},
    ),
    (
        "xlsx with real dates and numbers",
        xlsx_bytes([row(1, DOB=dt.datetime(2016, 3, 14), Year=5)]),
        "export.xlsx",
        {"date_of_birth": dt.date(2016, 3, 14), "nc_year": "5"},
    ),
    (
        "xlsx with a serial number date",
        xlsx_bytes([row(1, DOB=42443)]),
        "export.xlsx",
        {"date_of_birth": dt.date(2016, 3, 14)},
    ),
]


@pytest.mark.parametrize("label,data,name,expected", MESSY, ids=[m[0] for m in MESSY])
def test_messy_exports_import_cleanly(label, data, name, expected):
    parsed = parse(data, name)
    assert parsed.ok, messages(parsed)
    assert len(parsed.pupils) == 1
    pupil = parsed.pupils[0]
    assert pupil.upn == make_upn(1)
    for key, value in expected.items():
        assert pupil.values[key] == value, key


def test_blank_lines_are_skipped_and_rows_keep_spreadsheet_numbers():
    data = csv_bytes([row(1), ["" for _ in HEADER], row(2), row(3, DOB="31/02/2015")])
    parsed = parse(data)
    assert messages(parsed) == ["Row 5, Date of birth: '31/02/2015' is not a real date"]


def test_header_spellings_are_recognised_case_insensitively():
    header = [
        "upn",
        "LAST NAME",
        "First Name",
        "Date Of Birth",
        "Sex",
        "NC Year",
        "Registration Group",
        "Classes",
        "SEN Status",
        "SEN need 1",
        "SEN need 2",
        "CLA",
    ]
    data = csv_bytes(
        [
            [
                make_upn(1),
                "Okafor",
                "Amara",
                "14/03/2016",
                "F",
                "Y5",
                "5B",
                "5B;Art",
                "K",
                "MLD",
                "",
                "Y",
            ]
        ],
        header=header,
    )
    parsed = parse(data)
    assert parsed.ok, messages(parsed)
    values = parsed.pupils[0].values
    assert values["looked_after"] is True
    assert values["teaching_groups"] == ["5B", "Art"]
    assert parsed.pupils[0].needs[0].code == "MLD"


def test_sample_fixture_parses():
    parsed = parse((FIXTURES / "mis_export.csv").read_bytes())
    assert parsed.ok, messages(parsed)
    assert [p.values["last_name"] for p in parsed.pupils] == ["O'Brien", "Nguyễn", "Smith-Jones"]
    assert parsed.pupils[2].values["date_of_birth"] == dt.date(2016, 7, 4)


def test_every_problem_is_listed_by_row_and_column():
    rows = [
        row(1),
        row(2, UPN="A801200119002"),  # wrong check letter
        row(1),  # duplicate of row 2
        row(4, DOB="31/02/2015", Gender="Q", Year="Year 15"),
        row(5, **{"SEN provision": "E", "Primary need": "NSA"}),
        row(6, **{"SEN provision": "K", "Primary need": ""}),
        row(7, **{"Primary need": "XYZ", "Secondary need": "nsa"}),
        row(8, **{"SEN provision": "S"}),
        row(9, EAL="maybe", Surname=""),
        row(10, DOB="14/03/16"),
        row(11, UPN=""),
    ]
    found = messages(parse(csv_bytes(rows)))
    expected = [
        "Row 3, UPN: A801200119002 has the wrong check letter",
        f"Row 4, UPN: {make_upn(1)} is also on row 2",
        "Row 5, Date of birth: '31/02/2015' is not a real date",
        "Row 5, Gender: 'Q' is not a gender we know",
        "Row 5, Year group: 'Year 15' is not a year group",
        "Row 6, Primary need: NSA (no specialist assessment) is only valid with SEN support (K)",
        "Row 7, Primary need: is missing: a pupil coded K needs a primary SEN type",
        "Row 8, Primary need: 'XYZ' is not a DfE SEN type code",
        "Row 8, Secondary need: NSA may only be the primary need",
        "Row 9, SEN provision: 'S' is S (statement), a code no longer used",
        "Row 10, Surname: is missing",
        "Row 10, EAL: 'maybe' is not yes or no",
        "Row 11, Date of birth: '14/03/16' has a two-digit year",
        "Row 12, UPN: is missing",
    ]
    for text in expected:
        assert any(f.startswith(text) for f in found), (text, found)
    assert len(found) == len(expected)


def test_e_without_plan_is_a_warning_not_an_error():
    parsed = parse(csv_bytes([row(1, **{"SEN provision": "EHCP", "Primary need": "ASD"})]))
    assert parsed.ok
    assert "EHC plan" in str(parsed.warnings[0])


def test_missing_required_columns_are_named():
    data = csv_bytes([[make_upn(1), "Okafor"]], header=["UPN", "Surname"])
    found = messages(parse(data))
    assert "The file has no Forename column (we look for 'Forename' or 'Legal Forename'" in found[0]
    assert any("Date of birth" in f for f in found)


def test_need_columns_without_status_column_are_refused():
    header = ["UPN", "Surname", "Forename", "DOB", "Gender", "Year", "Primary need"]
    data = csv_bytes([[make_upn(1), "A", "B", "14/03/2016", "M", "5", "SLCN"]], header=header)
    assert "no SEN provision column" in messages(parse(data))[0]


@pytest.mark.parametrize(
    "data,name,message",
    [
        (b"", "x.csv", "The file is empty."),
        (b"\xd0\xcf\x11\xe0junk", "x.xls", "old Excel (.xls)"),
        (b"PK\x03\x04not really a zip", "x.xlsx", "could not be read as an Excel workbook"),
        (",".join(HEADER).encode(), "x.csv", "header row but no pupils"),
    ],
)
def test_unreadable_files_get_one_clear_message(data, name, message):
    parsed = parse(data, name)
    assert not parsed.ok
    assert message in str(parsed.problems[0])


junk_cell = st.one_of(
    st.text(max_size=25),
    st.sampled_from(["", " ", "31/02/2015", "K", "E", "NSA", "0", "99999999", "=1+1", "\x00"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(junk_cell, min_size=0, max_size=len(HEADER) + 2), max_size=8))
def test_junk_rows_never_raise_they_become_row_problems(rows):
    for data, name in ((csv_bytes(rows), "junk.csv"), (xlsx_bytes(_xlsx_safe(rows)), "junk.xlsx")):
        parsed = parse(data, name)
        non_blank = [r for r in rows if any(c.replace("\x00", "").strip() for c in r)]
        # Every row either became a pupil or has at least one problem naming its row.
        assert len(parsed.pupils) <= len(non_blank)
        if len(parsed.pupils) < len(non_blank):
            assert parsed.problems
        for problem in parsed.problems:
            assert str(problem)


def _xlsx_safe(rows):
    # openpyxl refuses control characters in cells: a real XLSX cannot contain them anyway.
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    # A leading "=" would be stored as a formula with no value: keep the text as text.
    return [[ILLEGAL_CHARACTERS_RE.sub("", c).lstrip("=") for c in r] for r in rows]


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(data):
    for name in ("x.csv", "x.xlsx", "x.xml"):
        parsed = parse(data, name)
        assert parsed.pupils or parsed.problems
