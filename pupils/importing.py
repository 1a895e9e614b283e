"""Import pupils from a school MIS export (CSV or XLSX) or the SEN part of a DfE common transfer
file (CTF XML). DOMAIN.md 2, 6.2-6.3 and 10.3.

The same three steps serve the command line and the browser:
1. `parse_file` (bytes -> ParsedImport): every row read, every problem listed by row and column
   in words a school office understands. No database access.
2. `import_plan`: compare with the school's live pupils (by UPN): create, update or unchanged,
   with the changes for each pupil.
3. `import_commit`: write the plan in one transaction. A file with any problem writes nothing.

An existing pupil the file takes off the SEN register (K or E to N or monitoring) goes through
the same hook as a SENCO's status decision (hooks.on_off_register), in the import's transaction:
higher apps end what ran for them on the register (reviews: the open support plan). The preview
says what will end (hooks.off_register_preview); the result, the done page and the audit say
what ended.

The MIS is the school's source of truth for the census, so an import may code a pupil E before
the EHC plan is recorded here: that is a warning (census readiness lists it), not an error.
"""

import codecs
import csv
import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from sencoweb.models import append_audit_event

from . import hooks
from . import upn as upn_rules
from .census import pupil_ids_with_ehc_plan
from .codes import ON_REGISTER, SenType
from .models import Need, Pupil, StatusDecision, TeachingGroup, class_order_key

MIS_SOURCE = "MIS import"
MAX_ROWS = 20000
# A MIS export of MAX_ROWS pupils unpacks to a few tens of MB; a zip bomb to gigabytes.
MAX_XLSX_UNPACKED_BYTES = 100 * 1024 * 1024

# --------------------------------------------------------------------------------------------
# What we return


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the file. row None = the whole file."""

    row: int | None
    column: str
    message: str
    where: str = "Row"

    def __str__(self) -> str:
        place = ", ".join(
            part
            for part in (f"{self.where} {self.row}" if self.row is not None else "", self.column)
            if part
        )
        return f"{place}: {self.message}" if place else self.message


@dataclass
class NeedIn:
    rank: int
    code: str
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None


@dataclass
class StatusIn:
    starts_on: dt.date
    code: str  # N, K or E
    original: str  # as the file has it (historic S, A, P are stored as E or K)


@dataclass
class PupilIn:
    """One pupil as the file has it. `values` holds only the columns the file has, so a file
    without (say) an EAL column leaves EAL alone."""

    row: int
    upn: str
    values: dict[str, Any] = field(default_factory=dict)
    needs: list[NeedIn] | None = None  # None: the file says nothing about needs
    history: list[StatusIn] = field(default_factory=list)  # CTF only
    warnings: list[Problem] = field(default_factory=list)

    @property
    def name(self) -> str:
        first = self.values.get("preferred_name") or self.values.get("first_name", "")
        return f"{first} {self.values.get('last_name', '')}".strip() or self.upn


@dataclass
class ParsedImport:
    kind: str  # "mis" or "ctf"
    filename: str
    pupils: list[PupilIn] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. columns we ignored
    source_school: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def warnings(self) -> list[Problem]:
        return [w for p in self.pupils for w in p.warnings]


class ImportRefused(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the file: nothing was imported.")


class PlanChanged(Exception):
    """The register changed between the preview and the confirmation."""


# --------------------------------------------------------------------------------------------
# Columns of a MIS export

# Logical column -> accepted headers, compared after `_header_key` (case, spaces, dots, _ and -).
COLUMNS: dict[str, tuple[str, ...]] = {
    "upn": ("upn", "unique pupil number"),
    "last_name": ("surname", "legal surname", "last name", "lastname", "family name"),
    "first_name": (
        "forename",
        "legal forename",
        "forenames",
        "legal forenames",
        "first name",
        "firstname",
    ),
    "preferred_name": ("preferred name", "preferred forename", "known as", "chosen name"),
    "date_of_birth": ("dob", "date of birth", "birth date", "birthdate"),
    "gender": ("gender", "sex"),
    "nc_year": ("year", "nc year", "year group", "ncyearactual", "national curriculum year"),
    "reg_group": ("reg", "reg group", "registration group", "form", "tutor group"),
    "teaching_groups": ("teaching groups", "teaching group", "classes", "sets"),
    "sen_status": ("sen provision", "sen status", "sen"),
    "primary_need": ("primary need", "sen need 1", "sen type 1", "primary sen need", "need 1"),
    "secondary_need": (
        "secondary need",
        "sen need 2",
        "sen type 2",
        "secondary sen need",
        "need 2",
    ),
    "eal": ("eal", "english as an additional language"),
    "fsm": ("fsm", "free school meals", "fsm eligible"),
    "looked_after": ("looked after", "cla", "lac", "in care", "child looked after"),
    "pupil_premium": ("pupil premium", "pp"),
}

LABELS = {
    "upn": "UPN",
    "last_name": "Surname",
    "first_name": "Forename",
    "preferred_name": "Preferred name",
    "date_of_birth": "Date of birth",
    "gender": "Gender",
    "nc_year": "Year group",
    "reg_group": "Registration group",
    "teaching_groups": "Teaching groups",
    "sen_status": "SEN provision",
    "primary_need": "Primary need",
    "secondary_need": "Secondary need",
    "eal": "EAL",
    "fsm": "FSM",
    "looked_after": "Looked after",
    "pupil_premium": "Pupil premium",
}

REQUIRED = ("upn", "last_name", "first_name", "date_of_birth", "gender", "nc_year")
# Plain model fields an import may write, in display order.
PUPIL_FIELDS = (
    "first_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "gender",
    "nc_year",
    "eal",
    "fsm",
    "pupil_premium",
    "looked_after",
)


def _header_key(text: str) -> str:
    text = str(text or "").strip().lower().replace(".", "")
    return re.sub(r"[\s_\-]+", " ", text).strip()


_HEADER_LOOKUP = {alias: key for key, aliases in COLUMNS.items() for alias in aliases}

# --------------------------------------------------------------------------------------------
# Values


class BadValue(ValueError):
    pass


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _quoted(value) -> str:
    text = _text(value)
    return f"'{text[:60]}'"


EXCEL_EPOCH = dt.date(1899, 12, 30)
_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
_YMD = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z?)?")
_DMY_SHORT = re.compile(r"\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2}")
_SERIAL = re.compile(r"\d{4,5}(?:\.0+)?")


def parse_date(value) -> dt.date:
    """A date from a MIS export: a real date cell, an Excel serial number, DD/MM/YYYY or ISO."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise BadValue(f"{_quoted(value)} is not a date")
    if isinstance(value, int | float):
        return _from_serial(value)
    text = _text(value)
    if not text:
        raise BadValue("is missing")
    if _SERIAL.fullmatch(text):
        return _from_serial(float(text))
    match = _DMY.fullmatch(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        match = _YMD.fullmatch(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
        elif _DMY_SHORT.fullmatch(text):
            raise BadValue(f"{_quoted(text)} has a two-digit year: write it as DD/MM/YYYY")
        else:
            for fmt in ("%d %b %Y", "%d %B %Y", "%Y%m%d"):
                try:
                    return dt.datetime.strptime(text, fmt).date()
                except ValueError:
                    continue
            raise BadValue(
                f"{_quoted(text)} is not a date: write it as DD/MM/YYYY, e.g. 14/03/2016"
            )
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise BadValue(f"{_quoted(text)} is not a real date") from None


def _from_serial(number: float) -> dt.date:
    # Excel counts days from 30/12/1899 (its 1900 leap-year bug is before any pupil's birth).
    if not 1 <= number < 2958466:
        raise BadValue(f"{_quoted(number)} is not a date")
    return EXCEL_EPOCH + dt.timedelta(days=int(number))


def parse_dob(value, today: dt.date) -> dt.date:
    born = parse_date(value)
    if born > today:
        raise BadValue(f"{_quoted(value)} is in the future")
    if born < today.replace(year=today.year - 26, day=min(today.day, 28)):
        raise BadValue(f"{_quoted(value)} is not a plausible date of birth for a pupil")
    return born


_GENDERS = {
    "m": "M",
    "male": "M",
    "boy": "M",
    "f": "F",
    "female": "F",
    "girl": "F",
    "x": "X",
    "u": "X",
    "other": "X",
    "unknown": "X",
    "not known": "X",
    "not recorded": "X",
    "indeterminate": "X",
}


def parse_gender(value) -> str:
    text = _text(value).lower()
    if not text:
        raise BadValue("is missing")
    if text in _GENDERS:
        return _GENDERS[text]
    raise BadValue(f"{_quoted(value)} is not a gender we know: use M, F or X")


_YEAR_WORDS = {
    "r": "R",
    "rec": "R",
    "reception": "R",
    "yr r": "R",
    "year r": "R",
    "n1": "N1",
    "nursery 1": "N1",
    "n2": "N2",
    "nursery 2": "N2",
    "e1": "E1",
    "e2": "E2",
    "x": "X",
}
_YEAR_NUMBER = re.compile(r"(?:nc year|year|yr|y)?\s*0*(\d{1,2})")


def parse_year(value) -> str:
    text = re.sub(r"\s+", " ", _text(value).lower())
    if not text:
        raise BadValue("is missing")
    if text in _YEAR_WORDS:
        return _YEAR_WORDS[text]
    match = _YEAR_NUMBER.fullmatch(text)
    if match and 1 <= int(match.group(1)) <= 14:
        return str(int(match.group(1)))
    raise BadValue(f"{_quoted(value)} is not a year group: use R, 1 to 14, N1, N2 or X")


_STATUS_WORDS = {
    "n": "N",
    "no": "N",
    "none": "N",
    "no sen": "N",
    "not sen": "N",
    "not on register": "N",
    "k": "K",
    "sen support": "K",
    "support": "K",
    "e": "E",
    "ehc plan": "E",
    "ehcp": "E",
    "ehc": "E",
    "education health and care plan": "E",
    "m": "M",
    "monitoring": "M",
}
_HISTORIC_STATUS = {
    "s": "S (statement)",
    "statement": "S (statement)",
    "a": "A (School Action)",
    "school action": "A (School Action)",
    "p": "P (School Action Plus)",
    "school action plus": "P (School Action Plus)",
}


def parse_status(value) -> str:
    """N, K or E from a code or the words MIS exports use ("SEN Support", "K - SEN support",
    "EHC Plan"). A blank cell means no SEN."""
    text = re.sub(r"[^a-z0-9 ]+", " ", _text(value).lower())
    words = text.split()
    if not words:
        return "N"
    candidates = [" ".join(words), " ".join(words[1:]), " ".join(words[:-1])]
    if len(words[0]) == 1:
        candidates.insert(0, words[0])
    for candidate in candidates:
        if candidate in _HISTORIC_STATUS:
            raise BadValue(
                f"{_quoted(value)} is {_HISTORIC_STATUS[candidate]}, a code no longer used "
                "in the census: use K (SEN support) or E (EHC plan)"
            )
        if candidate in _STATUS_WORDS:
            return _STATUS_WORDS[candidate]
    raise BadValue(
        f"{_quoted(value)} is not an SEN provision: use N (no SEN), K (SEN support) or E (EHC plan)"
    )


_NEED_WORDS = {label.lower(): code for code, label in SenType.choices}
_NEED_WORDS.update({"asc": "ASD", "autism": "ASD", "autistic spectrum condition": "ASD"})
_RETIRED_NEEDS = {"BESD": "BESD was replaced by SEMH in 2014: use SEMH"}


def parse_need(value) -> str:
    """A DfE SEN type code (any case) or its description; '' for a blank cell."""
    text = _text(value)
    if not text:
        return ""
    code = text.upper().replace(" ", "")
    if code in SenType.values:
        return code
    if code in _RETIRED_NEEDS:
        raise BadValue(f"{_quoted(value)}: {_RETIRED_NEEDS[code]}")
    word = re.sub(r"\s+", " ", text.lower())
    if word in _NEED_WORDS:
        return _NEED_WORDS[word]
    raise BadValue(
        f"{_quoted(value)} is not a DfE SEN type code: use one of {', '.join(SenType.values)}"
    )


_YES = {"y", "yes", "true", "t", "1", "eligible"}
_NO = {"", "n", "no", "false", "f", "0", "not eligible"}


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise BadValue(f"{_quoted(value)} is not yes or no: use Y or N")


def parse_name(value, *, required: bool = True) -> str:
    # Kept exactly as typed (apostrophes, accents, capitals): only outer spaces go.
    text = _text(value)
    if not text:
        if required:
            raise BadValue("is missing")
        return ""
    if len(text) > 100:
        raise BadValue("is longer than 100 characters")
    if not any(char.isalpha() for char in text):
        raise BadValue(f"{_quoted(value)} does not look like a name")
    return text


def parse_group_name(value) -> str:
    text = re.sub(r"\s+", " ", _text(value))
    if len(text) > 60:
        raise BadValue(f"{_quoted(value)} is longer than 60 characters")
    return text


def parse_groups(value) -> list[str]:
    names: list[str] = []
    for part in re.split(r"[;,]", _text(value)):
        name = parse_group_name(part)
        if name and name not in names:
            names.append(name)
    return names


def parse_upn(value) -> str:
    raw = _text(value)
    if not raw:
        raise BadValue("is missing: every pupil needs a UPN so a later import can find them")
    if upn_rules.normalise(raw) in {f"UN{n}" for n in range(1, 6)}:
        raise BadValue(f"{_quoted(raw)} is a placeholder, not a UPN")
    try:
        return upn_rules.validate(raw)
    except upn_rules.UpnError as error:
        raise BadValue(str(error)) from None


# --------------------------------------------------------------------------------------------
# Reading a table (CSV or XLSX)


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without a byte-order mark), UTF-16 (Excel's "Unicode text"), else
    Windows-1252, which is what older MIS and Excel on Windows write."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _read_csv(data: bytes) -> list[list[Any]]:
    text = decode_text(data).replace("\x00", "")
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max(",;\t|", key=first_line.count) if first_line else ","
    if first_line.count(delimiter) == 0:
        delimiter = ","
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _open_workbook(data: bytes):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data), read_only=True, data_only=True)


def _check_unpacked_size(data: bytes) -> None:
    """Refuse a zip bomb before openpyxl inflates it. zipfile never reads past the size each
    entry declares, so the declared sizes are the most that can be unpacked."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise BadValue(
            f"The workbook unpacks to more than {MAX_XLSX_UNPACKED_BYTES // (1024 * 1024)} MB, "
            "far more than a MIS export: export the pupils again from the MIS, or save the "
            "sheet as CSV."
        )


def _read_xlsx(data: bytes) -> list[list[Any]]:
    _check_unpacked_size(data)
    workbook = _open_workbook(data)
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for row in sheet.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS + 1:
                break
        return rows
    finally:
        workbook.close()


def read_table(data: bytes, filename: str) -> list[list[Any]]:
    """Rows of cells. Raises BadValue with a message for the whole file."""
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise BadValue(
            "This is an old Excel (.xls) file: open it in Excel and save as .xlsx or CSV."
        )
    if data.startswith(b"PK\x03\x04") or filename.lower().endswith(".xlsx"):
        try:
            return _read_xlsx(data)
        except BadValue:
            raise
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError):
            raise BadValue("The file could not be read as an Excel workbook (.xlsx).") from None
    try:
        return _read_csv(data)
    except csv.Error as error:
        raise BadValue(f"The file could not be read as CSV ({error}).") from None


# --------------------------------------------------------------------------------------------
# Parsing a MIS export


def parse_file(data: bytes, filename: str, *, today: dt.date | None = None) -> ParsedImport:
    """Parse a MIS export or a CTF, chosen by content (an XML file starts with '<')."""
    today = today or timezone.localdate()
    head = data.lstrip(codecs.BOM_UTF8)[:200].lstrip()
    if filename.lower().endswith(".xml") or head.startswith(b"<"):
        return parse_ctf(data, filename, today=today)
    return parse_mis(data, filename, today=today)


def parse_mis(data: bytes, filename: str, *, today: dt.date) -> ParsedImport:
    result = ParsedImport(kind="mis", filename=filename)
    try:
        rows = read_table(data, filename)
    except BadValue as error:
        result.problems.append(Problem(None, "", str(error)))
        return result
    header_index = next((i for i, row in enumerate(rows) if any(_text(cell) for cell in row)), None)
    if header_index is None:
        result.problems.append(Problem(None, "", "The file is empty."))
        return result
    columns = _map_header(rows[header_index], result)
    if result.problems:
        return result
    data_rows = rows[header_index + 1 :]
    if len(data_rows) > MAX_ROWS:
        result.problems.append(
            Problem(
                None, "", f"The file has more than {MAX_ROWS} rows: split it into smaller files."
            )
        )
        return result
    first_row_of_upn: dict[str, int] = {}
    for offset, cells in enumerate(data_rows):
        number = header_index + offset + 2  # the row number a spreadsheet shows
        if not any(_text(cell) for cell in cells):
            continue  # blank lines are common at the end of exports
        row = {key: (cells[i] if i < len(cells) else None) for key, i in columns.items()}
        pupil = _parse_mis_row(number, row, result, today)
        if pupil is None:
            continue
        if pupil.upn in first_row_of_upn:
            result.problems.append(
                Problem(
                    number,
                    "UPN",
                    f"{pupil.upn} is also on row {first_row_of_upn[pupil.upn]}: each pupil "
                    "should appear once",
                )
            )
            continue
        first_row_of_upn[pupil.upn] = number
        result.pupils.append(pupil)
    if not result.pupils and not result.problems:
        result.problems.append(Problem(None, "", "The file has a header row but no pupils."))
    return result


def _map_header(header: list[Any], result: ParsedImport) -> dict[str, int]:
    columns: dict[str, int] = {}
    ignored = []
    for index, cell in enumerate(header):
        title = _text(cell)
        key = _HEADER_LOOKUP.get(_header_key(title))
        if key is None:
            if title:
                ignored.append(title)
            continue
        if key in columns:
            result.problems.append(
                Problem(
                    None,
                    "",
                    f"Two columns both look like {LABELS[key]} ('{_text(header[columns[key]])}' "
                    f"and '{title}'): remove one of them.",
                )
            )
            continue
        columns[key] = index
    for key in REQUIRED:
        if key not in columns:
            accepted = " or ".join(f"'{a.title()}'" for a in COLUMNS[key][:3])
            result.problems.append(
                Problem(None, "", f"The file has no {LABELS[key]} column (we look for {accepted}).")
            )
    if ("primary_need" in columns or "secondary_need" in columns) and "sen_status" not in columns:
        result.problems.append(
            Problem(
                None,
                "",
                "The file has SEN need columns but no SEN provision column: add 'SEN provision' "
                "(N, K or E) so the needs can be checked.",
            )
        )
    if ignored:
        result.notes.append("Columns not used: " + ", ".join(ignored[:20]))
    return columns


_PARSERS = {
    "last_name": parse_name,
    "first_name": parse_name,
    "preferred_name": lambda v: parse_name(v, required=False),
    "gender": parse_gender,
    "nc_year": parse_year,
    "reg_group": parse_group_name,
    "teaching_groups": parse_groups,
    "sen_status": parse_status,
    "primary_need": parse_need,
    "secondary_need": parse_need,
    "eal": parse_bool,
    "fsm": parse_bool,
    "looked_after": parse_bool,
    "pupil_premium": parse_bool,
}


def _parse_mis_row(number: int, row: dict, result: ParsedImport, today) -> PupilIn | None:
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    upn = ""
    for key, raw in row.items():
        try:
            if key == "upn":
                upn = parse_upn(raw)
            elif key == "date_of_birth":
                values[key] = parse_dob(raw, today)
            else:
                values[key] = _PARSERS[key](raw)
        except BadValue as error:
            problems.append(Problem(number, LABELS[key], str(error)))
        except Exception:  # noqa: BLE001 - junk must become a row problem, never a crash
            problems.append(Problem(number, LABELS[key], f"{_quoted(raw)} could not be read"))
    pupil = PupilIn(row=number, upn=upn, values=values)
    _age_warning(pupil, today)
    if "sen_status" in values:
        unreadable = {p.column for p in problems}
        problems += _check_mis_needs(pupil, values, primary_unreadable="Primary need" in unreadable)
    result.problems.extend(problems)
    return pupil if not problems else None


def year_group_by_age(born: dt.date, today: dt.date) -> int:
    """The National Curriculum year a child born on `born` is in this school year, by age on
    31 August before it started (Reception = 0; DOMAIN.md 10.2)."""
    start_year = today.year if today.month >= 9 else today.year - 1
    age = start_year - born.year - ((born.month, born.day) > (8, 31))
    return age - 4


def _age_warning(pupil: PupilIn, today: dt.date, where: str = "Row") -> None:
    """A year group two or more years from the pupil's age is usually a mistyped date of birth
    (or day and month swapped by Excel), not a pupil taught out of their year group: worth a
    look before importing, but not a refusal."""
    born, year = pupil.values.get("date_of_birth"), pupil.values.get("nc_year")
    if born is None or year is None or not (year == "R" or str(year).isdigit()):
        return
    actual = 0 if year == "R" else int(year)
    expected = year_group_by_age(born, today)
    if abs(actual - expected) >= 2:
        by_age = "Reception" if expected == 0 else f"Year {expected}"
        in_file = "Reception" if actual == 0 else f"Year {actual}"
        if expected < 0:
            by_age = "not yet of school age"
        pupil.warnings.append(
            Problem(
                pupil.row,
                "Date of birth",
                f"Born {born:%d/%m/%Y}, which is {by_age} by age, but the file says {in_file}: "
                "check the date of birth and the year group",
                where=where,
            )
        )


def _check_mis_needs(pupil: PupilIn, values: dict, *, primary_unreadable: bool) -> list[Problem]:
    """The census rules on ranked needs (DOMAIN.md 2.4), for one row of a MIS export."""
    number = pupil.row
    status = values["sen_status"]
    primary = values.pop("primary_need", "")
    secondary = values.pop("secondary_need", "")
    problems = []
    if status in ("K", "E"):
        if not primary and not primary_unreadable:
            problems.append(
                Problem(
                    number,
                    "Primary need",
                    f"is missing: a pupil coded {status} needs a primary SEN type for the census",
                )
            )
        if secondary and secondary == primary:
            problems.append(
                Problem(number, "Secondary need", f"{secondary} is the same as the primary need")
            )
        if primary == "NSA" and status != "K":
            problems.append(
                Problem(
                    number,
                    "Primary need",
                    "NSA (no specialist assessment) is only valid with SEN support (K)",
                )
            )
        if secondary == "NSA":
            problems.append(
                Problem(
                    number, "Secondary need", "NSA may only be the primary need, never the second"
                )
            )
        if secondary and not primary and not primary_unreadable:
            problems.append(Problem(number, "Secondary need", "is given without a primary need"))
        pupil.needs = [NeedIn(1, primary)] + ([NeedIn(2, secondary)] if secondary else [])
        if status == "E":
            pupil.warnings.append(
                Problem(number, "SEN provision", "coded E: check an EHC plan is recorded here")
            )
    elif primary or secondary:
        pupil.warnings.append(
            Problem(
                number,
                "SEN need",
                "needs are ignored because the pupil is not coded K or E",
            )
        )
    return problems


# --------------------------------------------------------------------------------------------
# Parsing a common transfer file


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(element, *names):
    """The first direct child with one of these local names (CTF files may use namespaces)."""
    if element is None:
        return None
    for name in names:
        for child in element:
            if _local(child.tag) == name:
                return child
    return None


def _child_text(element, *names) -> str:
    found = _child(element, *names)
    return (found.text or "").strip() if found is not None else ""


def _children(element, name) -> list:
    return [c for c in element if _local(c.tag) == name] if element is not None else []


_CTF_HISTORIC = {"S": "E", "A": "K", "P": "K"}


def parse_ctf(data: bytes, filename: str, *, today: dt.date) -> ParsedImport:
    """The pupils and their SEN history from a CTF (DOMAIN.md 6.2-6.3)."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    result = ParsedImport(kind="ctf", filename=filename)
    try:
        # No DTD at all: a real CTF never has one, and DTDs carry entity bombs and external
        # entities ("billion laughs", XXE).
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        result.problems.append(
            Problem(
                None,
                "",
                "This XML file declares a DTD or entities, which a common transfer file never "
                "does. We refused to read it for safety: ask the sending school to export it again.",
            )
        )
        return result
    except (ParseError, ValueError) as error:
        result.problems.append(Problem(None, "", f"This is not a readable XML file ({error})."))
        return result
    if _local(root.tag) != "CTfile":
        result.problems.append(
            Problem(
                None,
                "",
                f"This is not a common transfer file: it starts with <{_local(root.tag)}>, "
                "not <CTfile>.",
            )
        )
        return result
    source = _child(_child(root, "Header"), "SourceSchool")
    result.source_school = _child_text(source, "SchoolName") or "the previous school"
    pupil_elements = [e for e in root.iter() if _local(e.tag) == "Pupil"]
    if not pupil_elements:
        result.problems.append(Problem(None, "", "The file has no pupils."))
        return result
    seen: dict[str, int] = {}
    for number, element in enumerate(pupil_elements, start=1):
        try:
            pupil = _parse_ctf_pupil(number, element, result, today)
        except Exception:  # noqa: BLE001 - a malformed record is a problem, not a crash
            result.problems.append(
                Problem(number, "", "this pupil's record could not be read", where="Pupil")
            )
            continue
        if pupil is None:
            continue
        if pupil.upn in seen:
            result.problems.append(
                Problem(
                    number,
                    "UPN",
                    f"{pupil.upn} is also pupil {seen[pupil.upn]} in this file",
                    where="Pupil",
                )
            )
            continue
        seen[pupil.upn] = number
        result.pupils.append(pupil)
    return result


def _parse_ctf_pupil(number, element, result, today) -> PupilIn | None:
    basics = _child(element, "BasicDetails")
    problems: list[Problem] = []

    def read(label, parse, *names):
        raw = _child_text(element, *names) or _child_text(basics, *names)
        try:
            return parse(raw)
        except BadValue as error:
            problems.append(Problem(number, label, str(error), where="Pupil"))
            return None

    upn = read("UPN", parse_upn, "UPN") or ""
    values = {
        "last_name": read("Surname", parse_name, "Surname"),
        "first_name": read("Forename", parse_name, "Forename"),
        "date_of_birth": read("Date of birth", lambda v: parse_dob(v, today), "DOB"),
        "gender": read("Gender", parse_gender, "Sex", "Gender"),
        "nc_year": read("Year group", parse_year, "NCyearActual"),
    }
    preferred = _child_text(basics, "PreferredForename") or _child_text(
        element, "PreferredForename"
    )
    if preferred and preferred != values["first_name"]:
        values["preferred_name"] = preferred[:100]
    in_care = _child_text(_child(element, "LookedAfter"), "InCare")
    if in_care:
        values["looked_after"] = in_care.lower() in ("true", "1", "yes", "y")

    pupil = PupilIn(row=number, upn=upn, values=values)
    _age_warning(pupil, today, where="Pupil")
    sen = _child(element, "SENhistory")
    pupil.needs = []
    for period in _children(sen, "SEN"):
        raw_code = _child_text(period, "SENprovision").upper()
        if raw_code not in ("N", "K", "E", "S", "A", "P"):
            problems.append(
                Problem(
                    number,
                    "SEN provision",
                    f"'{raw_code}' is not an SEN provision code (N, K or E)",
                    where="Pupil",
                )
            )
            continue
        start = _safe(parse_date, _child_text(period, "StartDate"))
        if start is None:
            problems.append(
                Problem(number, "SEN start date", "is missing or not a date", where="Pupil")
            )
            continue
        pupil.history.append(StatusIn(start, _CTF_HISTORIC.get(raw_code, raw_code), raw_code))
    pupil.history.sort(key=lambda s: s.starts_on)
    active_ranks: set[int] = set()
    for need in _children(_child(sen, "SENneeds"), "SENneed"):
        try:
            code = parse_need(_child_text(need, "SENtype"))
            rank = int(_child_text(need, "SENtypeRank") or "0")
        except (BadValue, ValueError) as error:
            problems.append(Problem(number, "SEN need", str(error) or "unreadable", where="Pupil"))
            continue
        if not code or rank < 1:
            problems.append(
                Problem(number, "SEN need", "needs an SEN type and a rank from 1", where="Pupil")
            )
            continue
        starts = _safe(parse_date, _child_text(need, "NeedStartDate"))
        ends = _safe(parse_date, _child_text(need, "NeedEndDate"))
        if ends is None:
            if rank in active_ranks:
                problems.append(
                    Problem(number, "SEN need", f"two current needs at rank {rank}", where="Pupil")
                )
                continue
            active_ranks.add(rank)
        pupil.needs.append(NeedIn(rank, code, starts, ends))
    status = pupil.history[-1].code if pupil.history else "N"
    if status in ("K", "E") and 1 not in active_ranks:
        pupil.warnings.append(
            Problem(number, "SEN need", "no primary need in the file: add one", where="Pupil")
        )
    if any(
        n.code == "NSA" and n.ends_on is None and (status != "K" or n.rank > 1) for n in pupil.needs
    ):
        pupil.warnings.append(
            Problem(number, "SEN need", "NSA is only valid at rank 1 with K", where="Pupil")
        )
    if status == "E":
        pupil.warnings.append(
            Problem(number, "SEN provision", "coded E: record the EHC plan here", where="Pupil")
        )
    result.problems.extend(problems)
    return pupil if not problems else None


def _safe(parse, raw):
    try:
        return parse(raw) if raw else None
    except BadValue:
        return None


# --------------------------------------------------------------------------------------------
# Planning: what the import would change


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class PupilPlan:
    incoming: PupilIn
    pupil: Pupil | None
    action: str  # "create", "update" or "unchanged"
    changes: list[Change] = field(default_factory=list)
    status: str = "N"  # the status after the import
    active_needs: dict[int, str] | None = None  # rank -> code after the import; None = untouched
    reg_group: str | None = None  # None = untouched
    teaching_groups: list[str] | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # An existing pupil whose status the import changes to one off the register (N or
    # monitoring): the import runs the off-register hook for them, as a status decision would.
    leaves_register: bool = False
    # What that will end in other apps, in the future tense (hooks.off_register_preview).
    ending: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    parsed: ParsedImport
    items: list[PupilPlan]

    def count(self, action: str) -> int:
        return sum(1 for item in self.items if item.action == action)

    @property
    def counts(self) -> dict[str, int]:
        return {a: self.count(a) for a in ("create", "update", "unchanged")}

    @property
    def ending(self) -> list[PupilPlan]:
        """The pupils for whom taking them off the register ends something."""
        return [item for item in self.items if item.ending]

    @property
    def fingerprint(self) -> str:
        """Identifies what the preview showed, so a confirmation cannot apply something else
        (nor end a support plan other than the one the preview said would end)."""
        payload = [
            (i.incoming.upn, i.action, [(c.label, c.old, c.new) for c in i.changes], i.ending)
            for i in self.items
        ]
        return hashlib.sha256(json.dumps(payload).encode()).hexdigest()


def _show(value) -> str:
    if value is None or value == "":
        return "-"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _live_pupils_by_upn(school, upns: Iterable[str]) -> dict[str, Pupil]:
    from django.db.models import Prefetch

    pupils = (
        Pupil.objects.for_school(school)
        .current()
        .filter(upn__in=list(upns))
        .select_related("reg_group")
        .prefetch_related(
            "teaching_groups",
            Prefetch("needs", queryset=Need.objects.active(), to_attr="active_needs"),
        )
    )
    return {p.upn: p for p in pupils}


def import_plan(*, school, parsed: ParsedImport) -> ImportPlan:
    existing = _live_pupils_by_upn(school, (p.upn for p in parsed.pupils))
    with_plan = pupil_ids_with_ehc_plan(p for p in existing.values() if p.sen_status == "E")
    items = [
        _plan_pupil(incoming, existing.get(incoming.upn), parsed, with_plan)
        for incoming in parsed.pupils
    ]
    return ImportPlan(parsed=parsed, items=items)


def _plan_pupil(incoming: PupilIn, pupil: Pupil | None, parsed, with_plan) -> PupilPlan:
    values = incoming.values
    item = PupilPlan(incoming=incoming, pupil=pupil, action="create" if pupil is None else "update")
    item.warnings = [w.message for w in incoming.warnings if "EHC plan" not in w.message]
    for name in PUPIL_FIELDS:
        if name not in values:
            continue
        new = values[name]
        old = getattr(pupil, name) if pupil else None
        item.fields[name] = new
        if pupil is None or old != new:
            label = Pupil._meta.get_field(name).verbose_name
            if pupil is not None or new not in ("", False, None):
                item.changes.append(Change(label.capitalize(), _show(old), _show(new)))
    if "reg_group" in values:
        old = pupil.reg_group.name if pupil and pupil.reg_group else ""
        item.reg_group = values["reg_group"]
        if old != item.reg_group:
            item.changes.append(Change("Registration group", _show(old), _show(item.reg_group)))
    if "teaching_groups" in values:
        names = [g.name for g in pupil.teaching_groups.all()] if pupil else []
        old_groups = sorted(names, key=class_order_key)  # shown in school order: RW, 1A, ...
        item.teaching_groups = values["teaching_groups"]
        if old_groups != sorted(item.teaching_groups, key=class_order_key):
            item.changes.append(
                Change(
                    "Teaching groups",
                    ", ".join(old_groups) or "-",
                    ", ".join(sorted(item.teaching_groups, key=class_order_key)) or "-",
                )
            )
    _plan_status_and_needs(item, incoming, pupil, parsed)
    if item.status == "E" and (pupil is None or pupil.pk not in with_plan):
        item.warnings.append(
            "Coded E but no EHC plan is recorded here yet: the census check will list this "
            "pupil until the plan is added."
        )
    if pupil is not None and not item.changes:
        item.action = "unchanged"
    item.leaves_register = (
        pupil is not None and item.status != pupil.sen_status and item.status not in ON_REGISTER
    )
    if item.leaves_register:
        # Reads only, for the few pupils a file takes off the register.
        item.ending = hooks.off_register_preview(pupil)
    return item


def _plan_status_and_needs(item: PupilPlan, incoming: PupilIn, pupil, parsed) -> None:
    current = pupil.sen_status if pupil else "N"
    item.status = current
    if parsed.kind == "ctf":
        wanted = incoming.history[-1].code if incoming.history else ("N" if pupil is None else None)
    else:
        wanted = incoming.values.get("sen_status")
    # Our "monitoring" list is census N: a MIS saying N must not wipe it.
    if wanted is not None and not (wanted == "N" and current == "M"):
        item.status = wanted
    if item.status != current:
        item.changes.append(Change("SEN status", current, item.status))
    if incoming.needs is None or item.status not in ("K", "E"):
        return
    old = {n.rank: n.sen_type for n in pupil.active_needs} if pupil else {}
    if parsed.kind == "ctf":
        new = {n.rank: n.code for n in incoming.needs if n.ends_on is None}
        managed = set(old) | set(new)
    else:
        new = {n.rank: n.code for n in incoming.needs if n.code}
        managed = {1, 2}
    item.active_needs = new
    for rank in sorted(managed):
        if old.get(rank, "") != new.get(rank, ""):
            label = {1: "Primary need", 2: "Secondary need"}.get(rank, f"Need rank {rank}")
            item.changes.append(Change(label, _show(old.get(rank)), _show(new.get(rank))))


# --------------------------------------------------------------------------------------------
# Committing


@dataclass
class ImportResult:
    created: list[Pupil]
    updated: list[Pupil]
    unchanged: int
    decisions: int
    # (pupil, what other apps ended because the import took them off the register)
    ended: list[tuple[Pupil, list[str]]] = field(default_factory=list)


def import_commit(
    *,
    school,
    parsed: ParsedImport,
    user,
    today: dt.date | None = None,
    expected_fingerprint: str | None = None,
) -> ImportResult:
    """Write the import in one transaction: all of it, or (with any problem) nothing."""
    if parsed.problems:
        raise ImportRefused(parsed.problems)
    today = today or timezone.localdate()
    with transaction.atomic():
        plan = import_plan(school=school, parsed=parsed)
        if expected_fingerprint and plan.fingerprint != expected_fingerprint:
            raise PlanChanged(
                "The register changed since the preview was made: check the preview again."
            )
        groups = _GroupCache(school)
        result = ImportResult(
            created=[], updated=[], unchanged=plan.count("unchanged"), decisions=0
        )
        for item in plan.items:
            if item.action == "unchanged":
                continue
            pupil, closed = _apply(
                item,
                school=school,
                parsed=parsed,
                user=user,
                today=today,
                groups=groups,
                result=result,
            )
            (result.created if item.action == "create" else result.updated).append(pupil)
            if closed:
                result.ended.append((pupil, closed))
            detail = {"changes": [[c.label, c.old, c.new] for c in item.changes]}
            if closed:
                detail["closed"] = closed  # as a status decision's audit row keeps them
            append_audit_event(
                school=school,
                user=user,
                username=user.get_username(),
                action="import",
                object_type="pupils.Pupil",
                object_id=str(pupil.public_id),
                summary=f"{'Created' if item.action == 'create' else 'Updated'} {pupil} from "
                f"{parsed.filename}"[:300],
                pupil_id=pupil.public_id,
                detail=detail,
            )
        append_audit_event(
            school=school,
            user=user,
            username=user.get_username(),
            action="import",
            object_type="",
            object_id="",
            summary=(
                f"Imported {parsed.filename}: {len(result.created)} created, "
                f"{len(result.updated)} updated, {result.unchanged} unchanged"
            )[:300],
            detail={
                "kind": parsed.kind,
                "decisions": result.decisions,
                **(
                    {"closed": [f"{p}: {line}" for p, lines in result.ended for line in lines]}
                    if result.ended
                    else {}
                ),
            },
        )
    return result


class _GroupCache:
    """Teaching groups by name, created as needed (one query to load them)."""

    def __init__(self, school):
        self.school = school
        self.by_name = {g.name: g for g in TeachingGroup.objects.for_school(school)}

    def get(self, name: str, kind: str) -> TeachingGroup:
        if name not in self.by_name:
            self.by_name[name] = TeachingGroup.objects.create(
                school=self.school, name=name, kind=kind
            )
        return self.by_name[name]


def _apply(
    item: PupilPlan, *, school, parsed, user, today, groups, result
) -> tuple[Pupil, list[str]]:
    """Write one pupil; returns them and what other apps ended because the import took them
    off the register."""
    pupil = item.pupil or Pupil(school=school, upn=item.incoming.upn)
    old_status = pupil.sen_status if item.pupil else "N"
    for name, value in item.fields.items():
        setattr(pupil, name, value)
    if item.reg_group is not None:
        pupil.reg_group = (
            groups.get(item.reg_group, TeachingGroup.Kind.REGISTRATION) if item.reg_group else None
        )
    if item.status != old_status:
        pupil.sen_status = item.status
        pupil.sen_status_since = (
            item.incoming.history[-1].starts_on
            if parsed.kind == "ctf" and item.pupil is None and item.incoming.history
            else today
        )
    pupil.save()
    if item.teaching_groups is not None:
        pupil.teaching_groups.set(
            [groups.get(name, TeachingGroup.Kind.CLASS) for name in item.teaching_groups]
        )
    decisions = _record_decisions(item, pupil, old_status, parsed, user, today)
    result.decisions += len(decisions)
    _sync_needs(item, pupil, parsed, user, today)
    closed = []
    if item.leaves_register:
        # As status_decision_record does, with the decision the import wrote (one per existing
        # pupil): other apps end what ran for the pupil on the register, in this transaction,
        # so a later row that fails undoes the ending too.
        closed = hooks.on_off_register(pupil, decisions[-1])
    return pupil, closed


def _record_decisions(item, pupil, old_status, parsed, user, today) -> list[StatusDecision]:
    when = f"{today.day} {today:%b %Y}"  # as the rest of the app writes a date
    decisions = []
    if parsed.kind == "ctf" and item.pupil is None:
        # A joining pupil brings the previous school's decisions with their own dates.
        previous = "N"
        for period in item.incoming.history:
            if period.code == previous:
                continue
            note = (
                f" (recorded there as {period.original})" if period.original != period.code else ""
            )
            decisions.append(
                StatusDecision(
                    pupil=pupil,
                    decided_on=period.starts_on,
                    from_status=previous,
                    to_status=period.code,
                    reason=f"Decision of {parsed.source_school}{note}; imported from the "
                    f"common transfer file on {when}",
                    decided_by=f"{parsed.source_school} (common transfer file)"[:200],
                    recorded_by=user,
                )
            )
            previous = period.code
    elif item.status != old_status:
        source = "MIS" if parsed.kind == "mis" else "the common transfer file"
        decisions.append(
            StatusDecision(
                pupil=pupil,
                decided_on=today,
                from_status=old_status,
                to_status=item.status,
                reason=f"Imported from {source} on {when}",
                decided_by=MIS_SOURCE if parsed.kind == "mis" else parsed.source_school[:200],
                recorded_by=user,
            )
        )
    return StatusDecision.objects.bulk_create(decisions)


def _sync_needs(item, pupil, parsed, user, today) -> None:
    if item.active_needs is None:
        return
    if parsed.kind == "ctf" and item.pupil is None:
        Need.objects.bulk_create(
            Need(
                pupil=pupil,
                sen_type=n.code,
                rank=n.rank,
                starts_on=n.starts_on
                or (n.ends_on if n.ends_on else pupil.sen_status_since or today),
                ends_on=n.ends_on,
                description=f"From {parsed.source_school}",
                created_by=user,
            )
            for n in item.incoming.needs
        )
        return
    old = {n.rank: n for n in (pupil.active_needs if item.pupil else [])}
    wanted = item.active_needs
    managed = (set(old) | set(wanted)) if parsed.kind == "ctf" else {1, 2}
    for rank in sorted(managed):
        current = old.get(rank)
        code = wanted.get(rank, "")
        if current is not None and current.sen_type == code:
            continue
        if current is not None:
            current.ends_on = max(today, current.starts_on)
            current.save(update_fields=["ends_on"])
        if code:
            Need.objects.create(
                pupil=pupil, sen_type=code, rank=rank, starts_on=today, created_by=user
            )
