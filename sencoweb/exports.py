"""CSV and XLSX downloads that are safe to open in a spreadsheet.

A cell starting with = + - @ (or a tab or carriage return) would run as a formula in Excel or
LibreOffice; we prefix it with an apostrophe (OWASP's advice for CSV injection)."""

import csv
import io
from collections.abc import Iterable

from django.http import HttpResponse
from django.utils import timezone

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value) -> str:
    if value is None:
        return ""
    text = str(value)
    if text.startswith(DANGEROUS_PREFIXES):
        return "'" + text
    return text


def csv_bytes(header: list[str], rows: Iterable[Iterable]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM so Excel reads UTF-8


def xlsx_bytes(header: list[str], rows: Iterable[Iterable], title: str = "Export") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([safe_cell(h) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        # Every value is written as text so nothing is ever evaluated as a formula.
        sheet.append([safe_cell(v) for v in row])
    for cell in sheet.iter_rows(min_row=2):
        for c in cell:
            c.data_type = "s"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def response(fmt: str, basename: str, header: list[str], rows: Iterable[Iterable]) -> HttpResponse:
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        content = xlsx_bytes(header, rows, title=basename)
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        fmt, content, mime = "csv", csv_bytes(header, rows), "text/csv; charset=utf-8"
    resp = HttpResponse(content, content_type=mime)
    resp["Content-Disposition"] = f'attachment; filename="{basename}-{stamp}.{fmt}"'
    resp["Cache-Control"] = "no-store"
    return resp
