"""Census readiness: what would fail the January (spring) school census (DOMAIN.md 2.2-2.5, 10.3).

`census_problems(school)` reads every live pupil with its active needs in two queries, whatever
the number of pupils, and returns one CensusProblem per failing rule and pupil."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import Prefetch

from . import hooks, upn
from .models import Need, Pupil

# Stable keys so the page, the command and tests can group problems.
NO_PRIMARY_NEED = "no_primary_need"
NSA_NOT_K = "nsa_not_k"
NSA_NOT_RANK_1 = "nsa_not_rank_1"
E_WITHOUT_PLAN = "e_without_plan"
UNIT_WITHOUT_PROVISION = "unit_without_provision"
RP_WITHOUT_PROVISION = "rp_without_provision"
TEMPORARY_UPN = "temporary_upn"
MISSING_UPN = "missing_upn"
INVALID_UPN = "invalid_upn"
DUPLICATE_UPN = "duplicate_upn"

TITLES = {
    NO_PRIMARY_NEED: "SEN support or EHC plan without a primary (rank 1) need",
    NSA_NOT_K: "NSA used with an EHC plan",
    NSA_NOT_RANK_1: "NSA recorded below rank 1",
    E_WITHOUT_PLAN: "Coded E without an EHC plan record",
    UNIT_WITHOUT_PROVISION: "SEN unit member, but the school has no SEN unit",
    RP_WITHOUT_PROVISION: "Resourced provision member, but the school has no resourced provision",
    TEMPORARY_UPN: "Temporary UPN",
    MISSING_UPN: "No UPN",
    INVALID_UPN: "UPN fails the check letter",
    DUPLICATE_UPN: "UPN shared with another pupil",
}


@dataclass(frozen=True)
class CensusProblem:
    pupil: Pupil
    key: str
    message: str

    @property
    def title(self) -> str:
        return TITLES[self.key]


def _third_thursday_of_january(year: int) -> dt.date:
    first = dt.date(year, 1, 1)
    return first + dt.timedelta(days=(3 - first.weekday()) % 7 + 14)


def spring_census_day(today: dt.date) -> dt.date:
    """The next spring census day: the third Thursday in January (DOMAIN.md 2.1)."""
    day = _third_thursday_of_january(today.year)
    return day if day >= today else _third_thursday_of_january(today.year + 1)


def pupil_ids_with_ehc_plan(pupils) -> set[int]:
    """Ids of the pupils with an EHC plan record, through pupils.hooks.ehc_plan_checkers.

    A checker may offer a bulk form as an attribute `many(pupils) -> set of pupil ids`, which
    keeps this to one query per checker; otherwise it is asked pupil by pupil."""
    pupils = list(pupils)
    found: set[int] = set()
    for check in hooks.ehc_plan_checkers:
        many = getattr(check, "many", None)
        if many is not None:
            found |= set(many(pupils))
        else:
            found |= {p.pk for p in pupils if p.pk not in found and check(p)}
    return found


def census_pupils(school):
    """Live pupils with their active needs, ready for the checks (two queries)."""
    return (
        Pupil.objects.for_school(school)
        .current()
        .prefetch_related(
            Prefetch(
                "needs", queryset=Need.objects.active().order_by("rank"), to_attr="active_needs"
            )
        )
        .order_by("last_name", "first_name", "pk")
    )


def top_up_indicated(school, census_day: dt.date) -> list[Pupil]:
    """Live pupils the census top-up indicator will be set for: LA top-up (element 3) current on
    census day, read from the top-up records through pupils.hooks (one query). A pupil without
    an EHC plan may have it; the census then raises a query the LA explains (DOMAIN.md 2.5)."""
    return list(
        Pupil.objects.for_school(school)
        .current()
        .annotate(top_up_funded=hooks.top_up_indicator(census_day))
        .filter(top_up_funded=True)
        .order_by("last_name", "first_name", "pk")
    )


def census_problems(school) -> list[CensusProblem]:
    pupils = list(census_pupils(school))
    upn_counts = Counter(p.upn for p in pupils if p.upn)
    with_plan = pupil_ids_with_ehc_plan(p for p in pupils if p.sen_status == "E")
    problems: list[CensusProblem] = []

    def add(pupil, key, message):
        problems.append(CensusProblem(pupil, key, message))

    for pupil in pupils:
        code = pupil.census_code
        needs = pupil.active_needs
        if code in ("K", "E"):
            if not any(n.rank == 1 for n in needs):
                add(
                    pupil,
                    NO_PRIMARY_NEED,
                    f"Coded {code} but has no active primary need: add a rank 1 SEN type.",
                )
            for need in needs:
                if need.sen_type != "NSA":
                    continue
                if code == "E":
                    add(
                        pupil,
                        NSA_NOT_K,
                        "NSA (no specialist assessment) is only valid with SEN support (K); "
                        "a pupil with an EHC plan has an assessed need.",
                    )
                if need.rank > 1:
                    add(
                        pupil,
                        NSA_NOT_RANK_1,
                        f"NSA is recorded at rank {need.rank}; it may only be the primary need.",
                    )
        if pupil.sen_status == "E" and pupil.pk not in with_plan:
            add(
                pupil,
                E_WITHOUT_PLAN,
                "Coded E but no issued EHC plan is recorded: record the plan, or keep the pupil "
                "on K until the plan is issued.",
            )
        if pupil.sen_unit_member and not school.has_sen_unit:
            add(
                pupil,
                UNIT_WITHOUT_PROVISION,
                "Marked as a member of an SEN unit, but the school has no LA-recognised SEN unit.",
            )
        if pupil.resourced_provision_member and not school.has_resourced_provision:
            add(
                pupil,
                RP_WITHOUT_PROVISION,
                "Marked as in resourced provision, but the school has no LA-recognised "
                "resourced provision.",
            )
        if not pupil.upn:
            add(pupil, MISSING_UPN, "Has no UPN: every pupil on roll needs one.")
            continue
        try:
            upn.validate(pupil.upn)
        except upn.UpnError as error:
            add(pupil, INVALID_UPN, str(error))
            continue
        if upn.is_temporary(pupil.upn):
            add(
                pupil,
                TEMPORARY_UPN,
                f"{pupil.upn} is a temporary UPN: ask the previous school or the LA for the "
                "permanent one.",
            )
        if upn_counts[pupil.upn] > 1:
            add(pupil, DUPLICATE_UPN, f"{pupil.upn} is used by more than one current pupil.")
    return problems


def group_problems(problems: list[CensusProblem]) -> list[dict]:
    """Problems grouped by rule, in the order of TITLES."""
    groups = {key: [] for key in TITLES}
    for problem in problems:
        groups[problem.key].append(problem)
    return [
        {"key": key, "title": TITLES[key], "problems": items}
        for key, items in groups.items()
        if items
    ]
