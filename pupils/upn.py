"""Unique Pupil Number validation (DfE UPN guide v1.2; DOMAIN.md 10.3).

The check letter is sum(value(char_i) * i for i in 2..13) mod 23, mapped to the 23 allowed
letters (A-Z without I, O and S)."""

import re

LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
SYNTAX = re.compile(r"^[A-HJ-NP-RT-Z][0-9]{11}[0-9A-HJ-NP-RT-Z]$")


class UpnError(ValueError):
    pass


def normalise(raw: str) -> str:
    return re.sub(r"\s+", "", raw or "").upper()


def check_letter(body: str) -> str:
    """The check letter for characters 2-13 of a UPN."""
    total = 0
    for position, char in enumerate(body, start=2):
        value = int(char) if char.isdigit() else LETTERS.index(char)
        total += value * position
    return LETTERS[total % 23]


def validate(raw: str) -> str:
    """Return the normalised UPN or raise UpnError with a message a school office understands."""
    upn = normalise(raw)
    if len(upn) != 13:
        raise UpnError(f"A UPN has 13 characters; {raw.strip()!r} has {len(upn)}.")
    if not SYNTAX.match(upn):
        raise UpnError(
            f"{upn} is not a UPN: it must be a letter, 11 digits, then a digit or letter "
            "(the letters I, O and S are never used)."
        )
    if upn[0] != check_letter(upn[1:]):
        # The right letter is not suggested on purpose: the mistake is more often a digit, and
        # changing the letter to fit would make a wrong UPN (perhaps another child's) look valid.
        raise UpnError(
            f"{upn} has the wrong check letter: a character was probably copied wrongly. Copy "
            "the UPN again from the MIS or the pupil's previous school; do not just change the "
            "first letter."
        )
    return upn


def is_temporary(upn: str) -> bool:
    return normalise(upn)[-1:].isalpha()


def make(la_code: str, estab: str, year: int, serial: int) -> str:
    """Build a valid permanent UPN (used by the demo data and tests)."""
    body = f"{la_code:0>3}{estab:0>4}{year % 100:02d}{serial % 1000:03d}"
    return check_letter(body) + body
