"""Extension points that let higher apps (provision, reviews) extend the register without the
register importing them. Higher apps register in their AppConfig.ready()."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ChronologyEntry:
    """One dated event on a pupil's chronology. `kind` is a short label ("Review", "Plan");
    `url` is an in-app path or ""."""

    date: dt.date
    kind: str
    title: str
    detail: str = ""
    url: str = ""


# (membership) -> queryset of pupil ids the member may see besides their teaching groups
# (e.g. provision: pupils in the groups a TA delivers).
visibility_sources: list[Callable] = []

# (pupil) -> bool: does an issued EHC plan exist? Needed before status E (census rule).
ehc_plan_checkers: list[Callable] = []

# (pupil) -> list[ChronologyEntry]: events for the profile's chronology.
chronology_sources: list[Callable] = []


def has_ehc_plan(pupil) -> bool:
    return any(check(pupil) for check in ehc_plan_checkers)
