"""A workbook that unpacks to far more than any MIS export (a zip bomb) is refused before it is
opened: a 20 MB upload of one repeated letter would otherwise unpack to gigabytes in memory."""

import io
import zipfile

import pytest
from openpyxl import Workbook

from pupils import importing
from reports import transition

SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns='
    b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
    b'<c r="A1" t="inlineStr"><is><t>'
)
SHEET_TAIL = b"</t></is></c></row></sheetData></worksheet>"


def _bomb(megabytes: int) -> bytes:
    book = Workbook()
    book.active.append(["UPN", "Surname"])
    plain = io.BytesIO()
    book.save(plain)
    source = zipfile.ZipFile(io.BytesIO(plain.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(item, source.read(item.filename))
                continue
            with archive.open(item.filename, "w", force_zip64=True) as sheet:
                sheet.write(SHEET_HEAD)
                for _ in range(megabytes):
                    sheet.write(b"A" * 1024 * 1024)
                sheet.write(SHEET_TAIL)
    return out.getvalue()


def test_a_workbook_that_unpacks_too_far_is_refused_unopened(monkeypatch):
    monkeypatch.setattr(importing, "MAX_XLSX_UNPACKED_BYTES", 2 * 1024 * 1024)
    data = _bomb(3)
    assert len(data) < 20 * 1024  # kilobytes on the wire
    opened = []
    monkeypatch.setattr(importing, "_open_workbook", lambda data: opened.append(1))
    result = importing.parse_file(data, "export.xlsx")
    assert not opened
    assert [p.message for p in result.problems] == [
        "The workbook unpacks to more than 2 MB, far more than a MIS export: export the pupils "
        "again from the MIS, or save the sheet as CSV."
    ]


def test_an_ordinary_workbook_still_reads():
    book = Workbook()
    book.active.append(["UPN", "Surname"])
    book.active.append(["A123", "Smith"])
    plain = io.BytesIO()
    book.save(plain)
    assert importing.read_table(plain.getvalue(), "export.xlsx")[1] == ["A123", "Smith"]


def test_a_pack_nested_too_deep_is_refused_not_a_crash():
    with pytest.raises(transition.PackError):
        transition.parse_pack(b"[" * 200_000)
