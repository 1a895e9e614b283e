"""Reads for the provision map. Each builds its numbers from a fixed handful of queries, so a
page's query count does not grow with the number of groups, pupils or sessions.

Other apps (reports, reviews) use: delivered_hours_by_pupil, provision_for_pupil, stint_shares,
provision_map_rows, budget_summary, intervention_effectiveness."""

import datetime as dt
import math
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import Count, F, Prefetch, Q, Window

from pupils.codes import Area, NcYear
from pupils.models import class_order_key
from sencoweb.models import CalendarDays, Membership, calendar_days

from . import costs, measures
from .models import (
    Enrolment,
    Intervention,
    ProvisionGroup,
    SenBudget,
    SessionLog,
    TopUpFunding,
)

ZERO = Decimal("0.00")
Attendance = SessionLog.attended.through


@dataclass
class Calendar:
    """Term dates of a school: sessions are planned only inside terms, outside half-terms."""

    open_days: list | None
    closed: list
    # Groups mostly share a term's dates and weekdays: walk the calendar once per pattern.
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    def dates(self, group, *, until: dt.date | None = None, since: dt.date | None = None):
        start = max(group.starts_on, since) if since else group.starts_on
        end = min(group.ends_on, until) if until else group.ends_on
        if end < start:
            return []
        key = (tuple(group.weekdays), start, end)
        if key not in self._memo:
            self._memo[key] = costs.session_dates(
                group.weekdays, start, end, open_days=self.open_days, closed=self.closed
            )
        return list(self._memo[key])


def calendar_for(school, days: CalendarDays | None = None) -> Calendar:
    """Terms outside their half terms, less the closure days (INSET days, bank holidays in
    term); with no term dates, every weekday but a closure day. `days`: the school's
    calendar_days() if already loaded."""
    if days is None:
        days = calendar_days([school]).get(school.pk, CalendarDays())
    closed = [(day, day) for day in sorted(days.closures)]
    return Calendar(open_days=days.open_ranges or None, closed=closed)


@dataclass
class GroupStats:
    planned: int = 0  # sessions over the whole group
    planned_to_date: int = 0
    held: int = 0
    cancelled: int = 0
    pupils: int = 0
    planned_cost: Decimal = ZERO
    cost_to_date: Decimal = ZERO
    weekly_hours: Decimal = ZERO
    reasons: dict = field(default_factory=dict)

    @property
    def unlogged(self) -> int:
        return max(self.planned_to_date - self.held - self.cancelled, 0)

    @property
    def delivery_pct(self) -> int:
        if not self.planned_to_date:
            return 0
        return min(round(100 * self.held / self.planned_to_date), 100)


def group_queryset(school):
    return (
        ProvisionGroup.objects.for_school(school)
        .select_related("intervention", "staff__user", "exclusive_to")
        .prefetch_related(
            Prefetch("enrolments", queryset=Enrolment.objects.select_related("pupil"))
        )
    )


def groups_for(membership, *, pupils=None):
    """Groups this member may see: all of them for those who see the whole register, otherwise
    the groups they deliver and those with a pupil they may see."""
    qs = group_queryset(membership.school)
    if membership.can("register.view_all") or membership.can("provision.manage"):
        return qs
    condition = Q(staff=membership)
    if pupils is not None:
        condition |= Q(pk__in=Enrolment.objects.filter(pupil__in=pupils).values("group_id"))
    return qs.filter(condition)


def group_stats(groups, *, school, today: dt.date, calendar: Calendar | None = None) -> dict:
    """{group pk: GroupStats} for an already-fetched list of groups (2 queries)."""
    calendar = calendar or calendar_for(school)
    ids = [g.pk for g in groups]
    counts = defaultdict(dict)
    reasons = defaultdict(dict)
    if ids:
        for row in (
            SessionLog.objects.filter(group_id__in=ids)
            .values("group_id", "status", "reason")
            .annotate(n=Count("id"))
        ):
            bucket = counts[row["group_id"]]
            bucket[row["status"]] = bucket.get(row["status"], 0) + row["n"]
            if row["reason"]:
                reasons[row["group_id"]][row["reason"]] = row["n"]
    out = {}
    for group in groups:
        planned = calendar.dates(group)
        to_date = [d for d in planned if d <= today]
        held = counts[group.pk].get(SessionLog.Status.HELD, 0)
        enrolled = [e for e in group.enrolments.all()]
        extras = group.resource_cost + group.external_cost
        out[group.pk] = GroupStats(
            planned=len(planned),
            planned_to_date=len(to_date),
            held=held,
            cancelled=counts[group.pk].get(SessionLog.Status.CANCELLED, 0),
            # Pupils, not places: one who left and re-joined has two places in the group.
            pupils=len({e.pupil_id for e in enrolled if e.ends_on is None or e.ends_on >= today}),
            planned_cost=costs.group_cost(
                staff=costs.sessions_cost(
                    sessions=len(planned),
                    session_minutes=group.session_minutes,
                    hourly_rate=group.hourly_rate,
                ),
                resources=group.resource_cost,
                external=group.external_cost,
            ),
            cost_to_date=costs.group_cost(
                staff=costs.sessions_cost(
                    sessions=held,
                    session_minutes=group.session_minutes,
                    hourly_rate=group.hourly_rate,
                ),
                resources=extras if group.starts_on <= today else ZERO,
            ),
            weekly_hours=costs.weekly_hours(
                session_minutes=group.session_minutes, sessions_per_week=len(group.weekdays)
            ),
            reasons=reasons[group.pk],
        )
    return out


def _attendance_folded(group_ids, since=None, until=None) -> list[tuple]:
    """[(group pk, pupil pk, pupils present, sessions)] for the held sessions of the groups: how
    many sessions each pupil attended with that many pupils present. Folded in the database (a
    window count per session, then grouped), so the rows returned grow with pupils and group
    sizes, not with the sessions logged over the year (a term is thousands of attendances)."""
    if not group_ids:
        return []
    attended = Attendance.objects.filter(
        sessionlog__group_id__in=group_ids, sessionlog__status=SessionLog.Status.HELD
    )
    if since:
        attended = attended.filter(sessionlog__date__gte=since)
    if until:
        attended = attended.filter(sessionlog__date__lte=until)
    inner = attended.values(
        g=F("sessionlog__group_id"),
        p=F("pupil_id"),
        present=Window(Count("id"), partition_by=[F("sessionlog_id")]),
    )
    sql, params = inner.query.sql_with_params()
    # The ORM cannot group by a window's result, so the outer query is written here; the inner
    # one (filters, joins, quoting) is the ORM's own.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT g, p, present, COUNT(*) FROM ({sql}) attended GROUP BY g, p, present", params
        )
        return cursor.fetchall()


@dataclass
class PupilShare:
    """One pupil's part of one group: sessions attended, hours and their share of the cost."""

    attended: int = 0
    hours: Decimal = ZERO
    cost_to_date: Decimal = ZERO
    planned_cost: Decimal = ZERO


def _held_sessions(group_ids, since=None, until=None) -> dict:
    """{group pk: held sessions} between the dates."""
    if not group_ids:
        return {}
    held = SessionLog.objects.filter(group_id__in=group_ids, status=SessionLog.Status.HELD)
    if since:
        held = held.filter(date__gte=since)
    if until:
        held = held.filter(date__lte=until)
    return dict(held.values("group_id").annotate(n=Count("id")).values_list("group_id", "n"))


def pupil_shares(groups, stats: dict, *, since=None, until=None) -> dict:
    """{(group pk, pupil pk): PupilShare}. A held session's staff cost is shared between the
    pupils who attended it; a group for one pupil is charged to that pupil (DOMAIN.md 5.4): every
    held session of it, whether or not they were there (the member of staff's time was spent on
    the group that exists for them), so its pupils' costs add up to the group's cost."""
    ids = [g.pk for g in groups]
    by_pk = {g.pk: g for g in groups}
    shares = defaultdict(PupilShare)
    folded = _attendance_folded(ids, since, until)
    # Held sessions per group: a one-pupil group charges every one to its pupil. Asked for all
    # the groups shown, not only one-pupil ones, so a page's query count does not depend on
    # whether the school has any.
    held = _held_sessions(ids, since, until)
    # The pupils of each group, each once however many places (stints) they had in it: a share
    # is the pupil's part of the group over all their places.
    enrolled = {g.pk: sorted({e.pupil_id for e in g.enrolments.all()}) for g in groups}
    # Costs add up exactly, as whole numbers of 1/scale pence: a 20-minute session shared by
    # three is a ninth of the hourly rate, a recurring decimal. `scale` is divisible by 60 times
    # every number present and every group's size, and each pupil's total is rounded to the
    # penny once, half up, so neither the order of the sums nor a recurring decimal moves a
    # penny (integer sums are also much cheaper than Decimal or Fraction ones per row).
    sizes = {max(len(e), 1) for e in enrolled.values()}
    scale = 60 * math.lcm(1, *sizes, *{row[2] for row in folded})
    units = defaultdict(int)
    minutes = defaultdict(int)
    for group_id, pupil_id, present, sessions in folded:
        group = by_pk[group_id]
        key = (group_id, pupil_id)
        shares[key].attended += sessions
        minutes[key] += group.session_minutes * sessions
        if not group.exclusive_to_id:  # one-pupil groups: charged below, attended or not
            units[key] += (
                costs.pence(group.hourly_rate) * group.session_minutes * sessions * scale
            ) // (60 * present)
    for group in groups:
        members = enrolled[group.pk]
        extras = costs.pence(group.resource_cost + group.external_cost) * scale
        stat = stats.get(group.pk)
        started = stat is not None and group.starts_on <= (until or dt.date.today())
        if group.exclusive_to_id:
            # The pupil the group exists for carries all of it, even when the enrolment list
            # lacks them; anyone else who joins it is charged nothing.
            key = (group.pk, group.exclusive_to_id)
            share = shares[key]
            if stat is not None:
                share.planned_cost = costs.per_pupil_cost(stat.planned_cost, 1, exclusive=True)
            units[key] += (
                costs.pence(group.hourly_rate) * group.session_minutes * held.get(group.pk, 0)
            ) * (scale // 60)
            if started:
                units[key] += extras
            continue
        for pupil_id in members:
            key = (group.pk, pupil_id)
            share = shares[key]
            if stat is not None:
                share.planned_cost = costs.per_pupil_cost(stat.planned_cost, len(members))
            if started:
                units[key] += extras // max(len(members), 1)
    for key, share in shares.items():
        share.cost_to_date = costs.money_from_units(units[key], scale)
        share.hours = costs.hours(minutes[key]).quantize(Decimal("0.01"))
    return shares


@dataclass
class MapRow:
    """One pupil in one group. `stints`: their places in it, oldest first (a pupil who left and
    re-joined has two, each with its own dates and measures); `enrolment`: the one that counts
    now (current_stint). `share`: their part of the group over all the places."""

    pupil: object
    enrolment: Enrolment
    group: ProvisionGroup
    stats: GroupStats
    share: PupilShare
    stints: list = field(default_factory=list)

    @property
    def intervention(self):
        return self.group.intervention

    @property
    def class_name(self) -> str:
        return self.enrolment.class_name or ""

    def active_on(self, day: dt.date) -> bool:
        return any(e.active_on(day) for e in self.stints)


def current_stint(stints, today: dt.date):
    """Of one pupil's places in one group (oldest first): the one they are in today, else the
    last one that has started, else the first (they have not joined yet)."""
    started = [e for e in stints if e.starts_on <= today]
    for e in started:
        if e.active_on(today):
            return e
    return started[-1] if started else stints[0]


def stints_by_pupil(enrolments) -> dict:
    """{pupil pk: [their places, oldest first]} of one group's enrolments, the pupils in the
    order they come (the enrolments' order: by name)."""
    out = {}
    for e in enrolments:
        out.setdefault(e.pupil_id, []).append(e)
    for places in out.values():
        places.sort(key=lambda e: e.starts_on)
    return out


_PUPIL_SHOWN = {"id", "public_id", "school", "first_name", "preferred_name", "last_name",
                "sen_status", "nc_year", "reg_group"}  # fmt: skip


def _pupil_deferred():
    from pupils.models import Pupil

    return [f.name for f in Pupil._meta.concrete_fields if f.name not in _PUPIL_SHOWN]


def provision_map_rows(
    school,
    *,
    pupils=None,
    today: dt.date | None = None,
    area: str = "",
    wave: int | str = "",
    nc_year: str = "",
    current_only: bool = True,
) -> list[MapRow]:
    """One row per pupil per group: the provision map. A pupil who left a group and re-joined it
    is one row, with both places as its stints. `pupils` (a queryset) limits it to the pupils a
    member may see. Five queries whatever the size of the school."""
    today = today or dt.date.today()
    # Rows take their group from `groups` below, so the enrolments join only the pupil.
    enrolments = (
        Enrolment.objects.filter(group__school=school)
        .select_related("pupil")
        # A Pupil has some fifty columns, mostly long profile text; rows show a handful.
        .defer(*(f"pupil__{f}" for f in _pupil_deferred()), "impact_note")
        .annotate(class_name=F("pupil__reg_group__name"))
    )
    if pupils is not None:
        enrolments = enrolments.filter(pupil__in=pupils)
    if area:
        enrolments = enrolments.filter(group__intervention__area=area)
    if wave:
        enrolments = enrolments.filter(group__intervention__wave=wave)
    if nc_year:
        enrolments = enrolments.filter(pupil__nc_year=nc_year)
    if current_only:
        enrolments = enrolments.filter(group__ends_on__gte=today, group__starts_on__lte=today)
    enrolments = list(
        enrolments.order_by("pupil__last_name", "pupil__first_name", "group_id", "starts_on")
    )
    group_ids = {e.group_id for e in enrolments}
    # Stats and shares read only each enrolment's dates and pupil id: no pupils for the prefetch.
    groups = (
        list(
            ProvisionGroup.objects.for_school(school)
            .select_related("intervention", "staff__user", "exclusive_to")
            # Stats and shares read only each enrolment's dates and pupil.
            .prefetch_related(
                Prefetch(
                    "enrolments",
                    queryset=Enrolment.objects.only("group_id", "pupil_id", "starts_on", "ends_on"),
                )
            )
            .filter(pk__in=group_ids)
        )
        if group_ids
        else []
    )
    stats = group_stats(groups, school=school, today=today)
    shares = pupil_shares(groups, stats, until=today)
    by_pk = {g.pk: g for g in groups}
    stints = OrderedDict()  # (group, pupil): places, in the order of the rows
    for e in enrolments:
        e.group = by_pk[e.group_id]  # its gain reads the intervention's measure: no query
        stints.setdefault((e.group_id, e.pupil_id), []).append(e)
    return [
        MapRow(
            pupil=places[0].pupil,
            enrolment=current_stint(places, today),
            group=by_pk[group_id],
            stats=stats[group_id],
            share=shares[(group_id, pupil_id)],
            stints=places,
        )
        for (group_id, pupil_id), places in stints.items()
    ]


_AREA_LABELS = dict(Area.choices)
_YEAR_LABELS = dict(NcYear.choices)
MAP_GROUPINGS = OrderedDict(
    [("year", "Year group"), ("class", "Class"), ("area", "Area of need"), ("wave", "Wave"),
     ("intervention", "Intervention")]
)  # fmt: skip


def map_filters(query) -> dict:
    """The map's grouping and filters from a query string, anything unknown dropped."""
    by, area, wave = query.get("by", "year"), query.get("area", ""), query.get("wave", "")
    return {
        "by": by if by in MAP_GROUPINGS else "year",
        "area": area if area in _AREA_LABELS else "",
        "wave": wave if wave in ("1", "2", "3") else "",
    }


def _section_of(row, by) -> str:
    if by == "class":
        return row.class_name or "No class"
    if by == "area":
        return _AREA_LABELS.get(row.intervention.area, row.intervention.area)
    if by == "wave":
        return f"Wave {row.intervention.wave}"
    if by == "intervention":
        return row.intervention.name
    return _YEAR_LABELS.get(row.pupil.nc_year, row.pupil.nc_year)


def provision_map(school, *, pupils, today: dt.date, by="year", area="", wave="") -> dict:
    """The map as the screen and its PDF show it: {"sections": {heading: [MapRow]}, "totals"}."""
    rows = provision_map_rows(school, pupils=pupils, today=today, area=area, wave=wave)
    sections = OrderedDict()
    for row in sorted(rows, key=lambda r: (_section_of(r, by), r.pupil.last_name)):
        sections.setdefault(_section_of(row, by), []).append(row)
    if by == "year":  # Reception before Year 1, Year 2 before Year 10
        order = {label: i for i, label in enumerate(_YEAR_LABELS.values())}
        sections = OrderedDict(sorted(sections.items(), key=lambda kv: order.get(kv[0], 99)))
    elif by == "class":  # Class RW before Class 1A, 6B before 10A (class_order_key); no class last
        sections = OrderedDict(
            sorted(sections.items(), key=lambda kv: (kv[0] == "No class", class_order_key(kv[0])))
        )
    groups = {r.group.pk: r for r in rows}
    totals = {
        "pupils": len({r.pupil.pk for r in rows}),
        "groups": len(groups),
        "planned_to_date": sum(r.stats.planned_to_date for r in groups.values()),
        "held": sum(r.stats.held for r in groups.values()),
        "cancelled": sum(r.stats.cancelled for r in groups.values()),
        "cost_to_date": sum((r.stats.cost_to_date for r in groups.values()), costs.ZERO_MONEY),
        "planned_cost": sum((r.stats.planned_cost for r in groups.values()), costs.ZERO_MONEY),
    }
    return {"sections": sections, "totals": totals}


def delivered_hours_by_pupil(school, pupils, since: dt.date, until: dt.date) -> dict:
    """{pupil pk: hours of held sessions attended between the dates}."""
    rows = (
        Attendance.objects.filter(
            sessionlog__group__school=school,
            sessionlog__status=SessionLog.Status.HELD,
            sessionlog__date__gte=since,
            sessionlog__date__lte=until,
            pupil__in=pupils,
        )
        .values("pupil_id", "sessionlog__group__session_minutes")
        .annotate(n=Count("id"))
    )
    out = defaultdict(lambda: ZERO)
    for row in rows:
        out[row["pupil_id"]] += costs.hours(row["sessionlog__group__session_minutes"] * row["n"])
    return {pk: hours.quantize(Decimal("0.01")) for pk, hours in out.items()}


def provision_for_pupil(pupil, *, today: dt.date | None = None) -> list[MapRow]:
    """Every group the pupil has been in (current and past), with hours and cost."""
    from pupils.models import Pupil

    return provision_map_rows(
        pupil.school,
        pupils=Pupil.objects.filter(pk=pupil.pk),
        today=today,
        current_only=False,
    )


def stint_shares(pupil, rows: list[MapRow]) -> dict:
    """{enrolment pk: PupilShare} for every place on the pupil's rows (provision_for_pupil): a
    row's share divided between its places, for a record that lists each place on its own (the
    transition pack). Sessions attended and hours go by the dates of the sessions; the cost in
    proportion to the sessions attended (all to the last place if none were), so the places add
    up to the row's share to the penny. One query, run only when a group has several places."""
    out = {}
    split = [r for r in rows if len(r.stints) > 1]
    for r in rows:
        if len(r.stints) == 1:
            out[r.stints[0].pk] = r.share
    if not split:
        return out
    came = defaultdict(list)
    for group_id, day in Attendance.objects.filter(
        pupil_id=pupil.pk,
        sessionlog__status=SessionLog.Status.HELD,
        sessionlog__group_id__in=[r.group.pk for r in split],
    ).values_list("sessionlog__group_id", "sessionlog__date"):
        came[group_id].append(day)
    for r in split:
        counts = [0] * len(r.stints)
        for day in came[r.group.pk]:
            counts[_stint_of(r.stints, day)] += 1
        cost_parts = _divide(r.share.cost_to_date, counts)
        planned_parts = _divide(r.share.planned_cost, counts)
        for i, e in enumerate(r.stints):
            out[e.pk] = PupilShare(
                attended=counts[i],
                hours=costs.hours(counts[i] * r.group.session_minutes).quantize(Decimal("0.01")),
                cost_to_date=cost_parts[i],
                planned_cost=planned_parts[i],
            )
    return out


def _stint_of(stints, day: dt.date) -> int:
    """Which of the places (oldest first) a session on `day` belongs to: the one active that
    day, else the last that had started (a session logged outside the place's dates)."""
    index = 0
    for i, e in enumerate(stints):
        if e.active_on(day):
            return i
        if e.starts_on <= day:
            index = i
    return index


def _divide(amount: Decimal, weights: list[int]) -> list[Decimal]:
    """`amount` split in proportion to `weights`, in whole pence adding up to it exactly (the
    pennies left by rounding down go to the last part; no weight at all: all to the last)."""
    pennies = costs.pence(amount)
    total = sum(weights)
    if not total:
        parts = [0] * (len(weights) - 1) + [pennies]
    else:
        parts = [pennies * w // total for w in weights]
        parts[-1] += pennies - sum(parts)
    return [Decimal(p).scaleb(-2).quantize(costs.PENNY) for p in parts]


def pupil_totals(rows: list[MapRow], *, today: dt.date | None = None) -> dict:
    today = today or dt.date.today()
    return {
        "hours": sum((r.share.hours for r in rows), ZERO),
        "cost_to_date": sum((r.share.cost_to_date for r in rows), ZERO),
        "planned_cost": sum((r.share.planned_cost for r in rows), ZERO),
        # Only the groups the pupil is in today: not a place they left, nor a group that has
        # not started yet.
        "weekly_hours": sum(
            (
                r.stats.weekly_hours
                for r in rows
                if r.group.starts_on <= today <= r.group.ends_on and r.active_on(today)
            ),
            ZERO,
        ),
    }


def _planned_in_year(group, calendar: Calendar, start: dt.date, end: dt.date) -> Decimal:
    """A group's planned cost inside one financial year: its staff time for the sessions planned
    in the year, plus its resources and external costs in the year it starts."""
    extras = group.resource_cost + group.external_cost
    sessions = len(calendar.dates(group, since=start, until=end))
    return costs.group_cost(
        staff=costs.sessions_cost(
            sessions=sessions, session_minutes=group.session_minutes, hourly_rate=group.hourly_rate
        ),
        resources=extras if start <= group.starts_on <= end else ZERO,
    )


def _pupil_share_of(group, pupil_id, planned: Decimal) -> Decimal:
    """One pupil's part of a group's planned cost (DOMAIN.md 5.4): shared between the pupils
    enrolled, or all of it for the pupil a group was set up for (and none for anyone else)."""
    if group.exclusive_to_id:
        return planned if group.exclusive_to_id == pupil_id else ZERO
    # Pupils, not places: one who re-joined the group is one of those sharing it.
    return costs.per_pupil_cost(planned, len({e.pupil_id for e in group.enrolments.all()}))


def pupil_year_cost(pupil, rows: list[MapRow], *, today: dt.date) -> dict:
    """The pupil's planned additional support in the financial year of `today`, as the budget
    page counts it, against the top-up threshold (an amount a year, DOMAIN.md 5.1): their whole
    history of provision would flag a pupil whose two ordinary years add up past it. One query
    (the school's term dates)."""
    school = pupil.school
    sept = school.financial_year_starts_in_september
    year = costs.financial_year_of(today, september=sept)
    start, end = costs.financial_year_bounds(year, september=sept)
    calendar = calendar_for(school)
    cost = sum(
        (
            _pupil_share_of(r.group, pupil.pk, _planned_in_year(r.group, calendar, start, end))
            for r in rows
            if r.group.starts_on <= end and r.group.ends_on >= start
        ),
        ZERO,
    )
    return {
        "label": f"{start:%b %Y} to {end:%b %Y}",
        "cost": costs.money(cost),
        "above": costs.above_threshold(cost, school.top_up_threshold),
    }


def day_off(school, day: dt.date, days: CalendarDays | None = None) -> str | None:
    """Why no session is planned on `day` (a closure day's kind, a holiday), or None."""
    if days is None:
        days = calendar_days([school]).get(school.pk, CalendarDays())
    if day in days.closures:
        return days.closures[day]
    if days.open_ranges and not days.in_term(day):
        return "School holiday"
    return None


def pupil_attendance(pupil, groups) -> dict:
    """{group pk: (sessions held while the pupil had a place, sessions they attended)} for
    groups loaded with group_queryset (their places prefetched). Two queries."""
    places = {g.pk: [e for e in g.enrolments.all() if e.pupil_id == pupil.pk] for g in groups}
    ids = [pk for pk, mine in places.items() if mine]
    if not ids:
        return {}
    held = SessionLog.objects.filter(group__in=ids, status=SessionLog.Status.HELD)
    came = set(
        Attendance.objects.filter(sessionlog__in=held, pupil_id=pupil.pk).values_list(
            "sessionlog_id", flat=True
        )
    )
    out = {pk: [0, 0] for pk in ids}
    for log_id, group_id, day in held.values_list("pk", "group_id", "date"):
        if any(e.active_on(day) for e in places[group_id]):
            out[group_id][0] += 1
            out[group_id][1] += log_id in came
    return {pk: tuple(v) for pk, v in out.items()}


UNLOGGED_DAYS = 14


def unlogged_window(today: dt.date) -> tuple[dt.date, dt.date]:
    """The days a TA is reminded of: the two weeks before today (today is not owed yet)."""
    return today - dt.timedelta(days=UNLOGGED_DAYS), today - dt.timedelta(days=1)


def delivered_groups(membership, since: dt.date, until: dt.date) -> list:
    """The groups this member delivers that run at some time from `since` to `until`, with
    their places (group_queryset): the Today page's cards and its reminder share them."""
    return list(
        group_queryset(membership.school)
        .filter(staff=membership, starts_on__lte=until, ends_on__gte=since)
        .order_by("start_time")
    )


def unlogged_sessions(membership, today: dt.date, calendar: Calendar, groups=None) -> list:
    """Sessions of the groups this member delivers that were planned in the two weeks before
    `today`, while someone was in the group, and not logged, as (date, group), oldest first:
    what a TA still has to log. `groups`: delivered_groups() covering the window, if loaded.
    A fixed number of queries, whatever the number of groups and days."""
    since, until = unlogged_window(today)
    if groups is None:
        groups = delivered_groups(membership, since, until)
    groups = [g for g in groups if g.starts_on <= until and g.ends_on >= since]
    if not groups:
        return []
    logged = set(
        SessionLog.objects.filter(
            group__in=[g.pk for g in groups], date__range=(since, until)
        ).values_list("group_id", "date")
    )
    return sorted(
        (
            (day, group)
            for group in groups
            for day in calendar.dates(group, since=since, until=until)
            if (group.pk, day) not in logged
            and any(e.active_on(day) for e in group.enrolments.all())
        ),
        key=lambda item: (item[0], item[1].start_time),
    )


def today_sessions(membership, day: dt.date, groups=None):
    """The groups this member delivers that meet on `day`, each with its log (if any).
    `groups`: delivered_groups() covering `day`, if already loaded."""
    if groups is None:
        groups = list(
            group_queryset(membership.school)
            .filter(staff=membership, starts_on__lte=day, ends_on__gte=day)
            .filter(days__contains=str(day.weekday()))
            .order_by("start_time")
        )
    else:
        groups = [g for g in groups if g.runs_on(day)]
    logs = {
        s.group_id: s
        for s in SessionLog.objects.filter(
            group__in=[g.pk for g in groups], date=day
        ).prefetch_related("attended")
    }
    out = []
    for group in groups:
        enrolled = [e for e in group.enrolments.all() if e.active_on(day)]
        out.append({"group": group, "log": logs.get(group.pk), "pupils": enrolled})
    return out


def staff_load(membership, *, today: dt.date | None = None) -> dict:
    today = today or dt.date.today()
    groups = list(
        group_queryset(membership.school)
        .filter(staff=membership, ends_on__gte=today)
        .order_by("start_time")
    )
    stats = group_stats(groups, school=membership.school, today=today)
    grid = {day: [] for day in range(5)}
    for g in groups:
        for d in g.weekdays:
            if d in grid:
                grid[d].append(g)
    current = [g for g in groups if g.starts_on <= today]
    # Pupils in the groups now: not those whose enrolment ended or starts later, nor those who
    # have left the school (archived), whose enrolments stay for the record.
    pupils = {
        e.pupil_id
        for g in current
        for e in g.enrolments.all()
        if e.active_on(today) and e.pupil.archived_at is None
    }
    return {
        "groups": groups,
        "stats": stats,
        "grid": grid,
        "weekly_hours": sum((stats[g.pk].weekly_hours for g in current), ZERO),
        "pupils": len(pupils),
    }


def intervention_effectiveness(school, *, exited_between=None) -> list[dict]:
    """Per intervention: pupils measured at entry and exit, mean gain, mean ratio gain (reading
    ages) with its Brooks band, and the share of pupils who improved. Each place is its own
    entry and exit: a pupil who left a group and re-joined it is measured for each place, so
    `measured` (places) may exceed `measured_pupils`, and `pupils` counts each pupil once.
    `exited_between` (start, end) keeps only places that ended in that period (a report's
    school year): at the exit assessment, else the place's end date, else the group's."""
    # Only the scores and their dates, tagged with the intervention: no group or intervention
    # objects per enrolment.
    enrolments = Enrolment.objects.filter(group__school=school)
    if exited_between:
        enrolments = enrolments.filter(
            Q(exit_on__range=exited_between)
            | Q(exit_on__isnull=True, ends_on__range=exited_between)
            | Q(exit_on__isnull=True, ends_on__isnull=True, group__ends_on__range=exited_between)
        )
    enrolments = (
        enrolments.annotate(intervention_id=F("group__intervention_id"))
        .only("id", "pupil_id", "entry_score", "exit_score", "entry_on", "exit_on")
        .order_by()
    )
    by_intervention = defaultdict(list)
    for e in enrolments:
        by_intervention[e.intervention_id].append(e)
    out = []
    for intervention in Intervention.objects.for_school(school):
        rows = by_intervention.get(intervention.pk, [])
        measured = [e for e in rows if e.entry_score is not None and e.exit_score is not None]
        gains = [
            measures.score_gain(intervention.measure, e.entry_score, e.exit_score) for e in measured
        ]
        ratios = (
            [
                r
                for r in (
                    measures.ratio_gain(e.entry_score, e.exit_score, e.entry_on, e.exit_on)
                    for e in measured
                )
                if r is not None
            ]
            if intervention.measure == Intervention.Measure.READING_AGE
            else []
        )
        mean_gain = (sum(gains) / len(gains)).quantize(Decimal("0.1")) if gains else None
        mean_ratio = (sum(ratios) / len(ratios)).quantize(Decimal("0.1")) if ratios else None
        out.append(
            {
                "intervention": intervention,
                "pupils": len({e.pupil_id for e in rows}),
                "measured": len(measured),
                "measured_pupils": len({e.pupil_id for e in measured}),
                "mean_gain": mean_gain,
                "improved": sum(1 for g in gains if g > 0),
                "mean_ratio": mean_ratio,
                "brooks": measures.brooks_band(mean_ratio),
            }
        )
    return out


def budget_summary(school, year: int, *, today: dt.date | None = None) -> dict:
    """The notional SEN budget for a financial year against planned and delivered provision,
    top-up income, and pupils whose additional support exceeds the top-up threshold."""
    today = today or dt.date.today()
    sept = school.financial_year_starts_in_september
    start, end = costs.financial_year_bounds(year, september=sept)
    budget = SenBudget.objects.for_school(school).filter(year=year).first()
    # Costs need only the groups' own fields; of the pupils only what the candidates table shows
    # (a whole Pupil per enrolment was most of this function's time on the head's dashboard).
    enrolments = Enrolment.objects.select_related("pupil").only(
        "id", "group_id", "pupil_id", "pupil__id", "pupil__public_id", "pupil__first_name",
        "pupil__last_name", "pupil__preferred_name", "pupil__sen_status",
    )  # fmt: skip
    groups = list(
        ProvisionGroup.objects.for_school(school)
        .filter(starts_on__lte=end, ends_on__gte=start)
        .prefetch_related(Prefetch("enrolments", queryset=enrolments))
    )
    calendar = calendar_for(school)
    held = defaultdict(int)
    for row in (
        SessionLog.objects.filter(
            group__in=[g.pk for g in groups],
            status=SessionLog.Status.HELD,
            date__gte=start,
            date__lte=end,
        )
        .values("group_id")
        .annotate(n=Count("id"))
    ):
        held[row["group_id"]] = row["n"]
    planned_total = delivered_total = ZERO
    per_pupil = defaultdict(lambda: ZERO)
    pupils = {}
    for g in groups:
        extras = g.resource_cost + g.external_cost
        planned = _planned_in_year(g, calendar, start, end)
        planned_total += planned
        delivered_total += costs.sessions_cost(
            sessions=held[g.pk], session_minutes=g.session_minutes, hourly_rate=g.hourly_rate
        ) + (extras if start <= g.starts_on <= min(end, today) else ZERO)
        # Each pupil once: a pupil who re-joined the group has two places but one share.
        in_group = {e.pupil_id: e.pupil for e in g.enrolments.all()}
        for pupil_id, pupil in in_group.items():
            pupils[pupil_id] = pupil
            per_pupil[pupil_id] += _pupil_share_of(g, pupil_id, planned)
    threshold = school.top_up_threshold
    top_ups = list(
        TopUpFunding.objects.for_school(school)
        .filter(starts_on__lte=end)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=start))
        .select_related("pupil")
    )
    for t in top_ups:  # what each brings into this year, not its annual amount
        t.in_year = costs.pro_rata(t.amount, t.starts_on, t.ends_on, start, end)
    candidates = sorted(
        (
            {
                "pupil": pupils[pk],
                "cost": costs.money(total),
                "above": costs.above_threshold(total, threshold),
                "top_up": sum((t.in_year for t in top_ups if t.pupil_id == pk), ZERO),
            }
            for pk, total in per_pupil.items()
            if total > threshold
        ),
        key=lambda c: -c["cost"],
    )
    amount = budget.amount if budget else None
    return {
        "year": year,
        "label": f"{start:%b %Y} to {end:%b %Y}",
        "start": start,
        "end": end,
        "budget": budget,
        "amount": amount,
        "planned": costs.money(planned_total),
        "delivered": costs.money(delivered_total),
        "remaining": costs.money(amount - planned_total) if amount is not None else None,
        "planned_pct": min(round(100 * planned_total / amount), 100) if amount else 0,
        "delivered_pct": min(round(100 * delivered_total / amount), 100) if amount else 0,
        "over": amount is not None and planned_total > amount,
        "threshold": threshold,
        "candidates": candidates,
        "top_ups": top_ups,
        "top_up_total": sum((t.in_year for t in top_ups), ZERO),
        "groups": len(groups),
    }


def staff_members(school):
    return (
        Membership.objects.filter(school=school, is_active=True)
        .exclude(role__in=["governor", "trust"])
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
