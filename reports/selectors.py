"""Aggregate reads for reports and dashboards. Every function returns counts built with a fixed
number of GROUP BY queries, so the cost of a page does not grow with the number of pupils."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from pupils.codes import NC_YEAR_ORDER, Area, NcYear, SenType
from pupils.models import Concern, Need, Pupil, StatusDecision, area_map_for
from sencoweb.models import academic_year_label

from .models import CensusSnapshot

# DfE, Special educational needs in England, January 2025 (DOMAIN.md 2.6).
NATIONAL = {"K": 14.2, "E": 5.3, "SEN": 19.5}
NATIONAL_SOURCE = "DfE, Special educational needs in England, January 2025"
STATUSES = ("K", "E")
STATUS_LABEL = {"K": "SEN support", "E": "EHC plan"}


def school_year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 9, 1), dt.date(year + 1, 8, 31)


def census_date_for(year: int) -> dt.date:
    """The spring census day of school year `year`: the third Thursday of January."""
    first = dt.date(year + 1, 1, 1)
    first_thursday = first + dt.timedelta(days=(3 - first.weekday()) % 7)
    return first_thursday + dt.timedelta(weeks=2)


@dataclass
class Profile:
    """Who is on the register, in aggregate. No pupil ids anywhere in here."""

    as_of: dt.date
    source: str  # live | snapshot | computed
    roll: int = 0
    status: dict = field(default_factory=dict)  # {"K": n, "E": n, "M": n}
    by_need: dict = field(default_factory=dict)  # {"SLCN": {"K": n, "E": n}}
    by_year: dict = field(default_factory=dict)  # {"5": {"K": n, "E": n, "roll": n}}

    @property
    def sen_total(self) -> int:
        return self.status.get("K", 0) + self.status.get("E", 0)

    def pct(self, status: str) -> float | None:
        if not self.roll:
            return None
        n = self.sen_total if status == "SEN" else self.status.get(status, 0)
        return 100 * n / self.roll

    def as_json(self) -> dict:
        return {"roll": self.roll, "status": self.status, "by_need": self.by_need,
                "by_year": self.by_year}  # fmt: skip


def _current(school):
    return Pupil.objects.for_school(school).filter(archived_at__isnull=True, left_on__isnull=True)


def profile_live(school) -> Profile:
    """The register today: three GROUP BY queries."""
    profile = Profile(as_of=timezone.localdate(), source="live")
    pupils = _current(school)
    for row in pupils.values("nc_year", "sen_status").annotate(n=Count("id")):
        year = profile.by_year.setdefault(row["nc_year"], {"K": 0, "E": 0, "roll": 0})
        year["roll"] += row["n"]
        profile.roll += row["n"]
        profile.status[row["sen_status"]] = profile.status.get(row["sen_status"], 0) + row["n"]
        if row["sen_status"] in STATUSES:
            year[row["sen_status"]] += row["n"]
    needs = (
        Need.objects.filter(pupil__in=pupils.filter(sen_status__in=STATUSES), rank=1)
        .filter(ends_on__isnull=True)
        .values("sen_type", "pupil__sen_status")
        .annotate(n=Count("id"))
    )
    for row in needs:
        need = profile.by_need.setdefault(row["sen_type"], {"K": 0, "E": 0})
        need[row["pupil__sen_status"]] += row["n"]
    return profile


def profile_computed(school, day: dt.date) -> Profile:
    """The register as it stood on `day`, rebuilt from dated status decisions and needs.

    Used when no census snapshot was taken; the report says so, because a decision recorded
    late changes the past figure."""
    profile = Profile(as_of=day, source="computed")
    on_roll = Pupil.objects.for_school(school).filter(
        Q(joined_on__isnull=True) | Q(joined_on__lte=day),
        Q(left_on__isnull=True) | Q(left_on__gt=day),
    )
    status_on = {}
    decisions = (
        StatusDecision.objects.filter(pupil__in=on_roll, decided_on__lte=day)
        .order_by("pupil_id", "decided_on", "recorded_at")
        .values_list("pupil_id", "to_status")
    )
    for pupil_id, to_status in decisions:
        status_on[pupil_id] = to_status  # the last one wins
    undecided = on_roll.exclude(pk__in=list(status_on)).filter(
        sen_status_since__lte=day, status_decisions__isnull=True
    )
    for pupil_id, status in undecided.values_list("pk", "sen_status"):
        status_on[pupil_id] = status
    years = dict(on_roll.values_list("pk", "nc_year"))
    profile.roll = len(years)
    for pupil_id, nc_year in years.items():
        status = status_on.get(pupil_id, "N")
        profile.status[status] = profile.status.get(status, 0) + 1
        year = profile.by_year.setdefault(nc_year, {"K": 0, "E": 0, "roll": 0})
        year["roll"] += 1
        if status in STATUSES:
            year[status] += 1
    primary = (
        Need.objects.filter(pupil__in=on_roll, rank=1, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=day))
        .values_list("pupil_id", "sen_type")
    )
    for pupil_id, sen_type in primary:
        status = status_on.get(pupil_id, "N")
        if status in STATUSES:
            need = profile.by_need.setdefault(sen_type, {"K": 0, "E": 0})
            need[status] += 1
    return profile


def profile_for_year(school, year: int) -> Profile:
    """The census profile of a school year: the frozen snapshot if one was taken, else
    computed from decisions as of the census date."""
    day = census_date_for(year)
    snap = CensusSnapshot.objects.for_school(school).filter(census_date=day).first()
    if snap:
        return Profile(
            as_of=day,
            source="snapshot",
            roll=snap.on_roll,
            status={"K": snap.sen_support, "E": snap.ehc_plan},
            by_need=snap.by_need,
            by_year=snap.by_year,
        )
    return profile_computed(school, day)


def trend(school, year: int, years: int = 3) -> list[dict]:
    out = []
    today = timezone.localdate()
    for y in range(year - years + 1, year + 1):
        if census_date_for(y) > today:
            # This year's census has not happened yet: today's register stands in for it.
            p, label = profile_live(school), f"Now ({today:%b %Y})"
        else:
            p, label = profile_for_year(school, y), f"Jan {y + 1}"
        out.append({"year": y, "label": label, "profile": p,
                    "school_year": academic_year_label(y)})  # fmt: skip
    return out


def by_area(profile: Profile, area_map: dict) -> dict:
    out = {a: {"K": 0, "E": 0} for a in Area.values}
    for sen_type, counts in profile.by_need.items():
        area = area_map.get(sen_type, "NA")
        for s in STATUSES:
            out[area][s] += counts.get(s, 0)
    return out


def concerns_in_year(school, year: int) -> dict:
    start, end = school_year_bounds(year)
    concerns = Concern.objects.for_school(school).filter(
        raised_at__date__gte=start, raised_at__date__lte=end
    )
    by_outcome = dict(concerns.values_list("outcome").annotate(n=Count("id")))
    by_area_rows = concerns.values("area", "outcome").annotate(n=Count("id"))
    by_area_out: dict = defaultdict(dict)
    for row in by_area_rows:
        by_area_out[row["area"]][row["outcome"]] = row["n"]
    return {"by_outcome": by_outcome, "by_area": dict(by_area_out)}


def need_label(code: str) -> str:
    try:
        return SenType(code).label
    except ValueError:
        return code


def year_label(code: str) -> str:
    try:
        return NcYear(code).label
    except ValueError:
        return code


def year_sort(codes) -> list[str]:
    return sorted(codes, key=lambda c: NC_YEAR_ORDER.get(c, 99))


def snapshot_take(school, day: dt.date | None = None) -> CensusSnapshot:
    """Freeze today's aggregate register (counts only) for a census date."""
    profile = profile_live(school)
    day = day or profile.as_of
    snap, _ = CensusSnapshot.objects.update_or_create(
        school=school,
        census_date=day,
        defaults={
            "on_roll": profile.roll,
            "sen_support": profile.status.get("K", 0),
            "ehc_plan": profile.status.get("E", 0),
            "by_need": profile.by_need,
            "by_year": profile.by_year,
            "source": "live",
            "taken_at": timezone.now(),
        },
    )
    return snap


__all__ = ["area_map_for", "NATIONAL"]
