"""The governors' annual SEN report: anonymised aggregates only. Every number passes through
reports.suppression before it reaches a template or a chart."""

import datetime as dt

from django.utils import timezone

from pupils.codes import Area, SenType
from pupils.models import Concern, area_map_for
from sencoweb.models import academic_year_label

from . import charts, sections, selectors
from . import suppression as sup
from .selectors import NATIONAL, NATIONAL_SOURCE, STATUS_LABEL, STATUSES

CONCERN_OUTCOMES = [
    (Concern.Outcome.REGISTER, "Added to the SEN register"),
    (Concern.Outcome.MONITOR, "Monitoring"),
    (Concern.Outcome.NFA, "No further action"),
    (Concern.Outcome.OPEN, "Awaiting triage"),
]


def status_summary(profile: selectors.Profile, threshold: int) -> dict:
    """K, E and all with SEN, with % of roll, against national figures. K + E = all, so the
    three are suppressed together: one hidden count would otherwise be a subtraction away."""
    table = sup.suppress_table(
        ["All"], ["K", "E"], [[profile.status.get("K", 0), profile.status.get("E", 0)]], threshold
    )
    cells = dict(zip(("K", "E", "SEN"), table.rows[0], strict=True))
    rows = []
    for key, label in (("K", "SEN support (K)"), ("E", "EHC plan (E)"), ("SEN", "All with SEN")):
        cell = cells[key]
        shown = cell.value is not None and profile.roll >= sup.MIN_DENOMINATOR
        rows.append({"key": key, "label": label, "count": cell,
                     "percent": sup.percent(cell, profile.roll),
                     "pct_value": profile.pct(key) if shown else None,
                     "national": NATIONAL[key]})  # fmt: skip
    chart = charts.compare_bars(
        [(r["label"], r["pct_value"], r["national"]) for r in rows],
        title="Share of pupils on the SEN register: this school against national",
    )
    return {"rows": rows, "roll": sup.count(profile.roll, threshold), "chart": chart}


def need_and_area_tables(
    profile: selectors.Profile, area_map: dict, threshold: int
) -> tuple[sup.Table, sup.Table]:
    """Pupils by primary need and by broad area. Each area is the sum of its needs, so the two
    are suppressed together: otherwise an area of 8 beside a need of 7 reveals a hidden 1."""
    codes = [c for c in SenType.values if any(profile.by_need.get(c, {}).values())]
    parent_of = [area_map.get(c, "NA") for c in codes]
    areas = [a for a in Area.values if a in parent_of]
    needs, by_area = sup.suppress_nested(
        [selectors.need_label(c) for c in codes],
        parent_of,
        areas,
        [STATUS_LABEL[s] for s in STATUSES],
        [[profile.by_need[c].get(s, 0) for s in STATUSES] for c in codes],
        threshold,
    )
    needs.row_keys = codes
    by_area.row_keys = areas
    by_area.row_labels = [Area(a).label for a in areas]
    return needs, by_area


def year_table(profile: selectors.Profile, threshold: int) -> dict:
    codes = selectors.year_sort(profile.by_year)
    table = sup.suppress_table(
        [selectors.year_label(c) for c in codes],
        [STATUS_LABEL[s] for s in STATUSES],
        [[profile.by_year[c].get(s, 0) for s in STATUSES] for c in codes],
        threshold,
    )
    table.row_keys = codes
    # Share of each year group with SEN: only where the total is shown and the year has 10+.
    percents = [
        sup.percent(row[-1], profile.by_year[c].get("roll", 0))
        for c, row in zip(codes, table.rows, strict=True)
    ]
    table.percents = percents
    return {"table": table}


def table_chart(table: sup.Table, title: str) -> str:
    return charts.hbar(
        [(label, row[-1].value, row[-1].display) for label, row in
         zip(table.row_labels, table.rows, strict=True)],
        title=title,
    )  # fmt: skip


def trend_section(school, year: int, threshold: int) -> dict:
    points = selectors.trend(school, year)
    rows = []
    for p in points:
        prof = p["profile"]
        # Suppressed exactly as section 1 is, so no figure here undoes a hidden one there.
        k, e, all_sen = sup.suppress_table(
            ["All"], ["K", "E"], [[prof.status.get("K", 0), prof.status.get("E", 0)]], threshold
        ).rows[0]
        big = prof.roll >= sup.MIN_DENOMINATOR
        rows.append({"label": p["label"], "school_year": p["school_year"], "source": prof.source,
                     "roll": sup.count(prof.roll, threshold), "K": k, "E": e, "SEN": all_sen,
                     "SEN_pct": sup.percent(all_sen, prof.roll),
                     "SEN_val": prof.pct("SEN") if all_sen.value is not None and big else None,
                     "K_pct": sup.percent(k, prof.roll), "E_pct": sup.percent(e, prof.roll),
                     "K_val": prof.pct("K") if k.value is not None and big else None,
                     "E_val": prof.pct("E") if e.value is not None and big else None})  # fmt: skip
    chart = charts.line_chart(
        [r["label"] for r in rows],
        [
            ("All with SEN", [r["SEN_val"] for r in rows]),
            ("SEN support", [r["K_val"] for r in rows]),
            ("National, all", [NATIONAL["SEN"]] * len(rows)),
            ("National, K", [NATIONAL["K"]] * len(rows)),
        ],
        title="Share of pupils with SEN at each January census",
    )
    computed = [r for r in rows if r["source"] == "computed"]
    return {"rows": rows, "chart": chart, "computed": computed}


def concerns_section(school, year: int, threshold: int) -> dict:
    data = selectors.concerns_in_year(school, year)
    areas = [a for a in Area.values if a in data["by_area"]]
    table = sup.suppress_table(
        [Area(a).label for a in areas],
        [label for _, label in CONCERN_OUTCOMES],
        [[data["by_area"][a].get(o, 0) for o, _ in CONCERN_OUTCOMES] for a in areas],
        threshold,
    )
    return {"table": table, "total": table.totals[-1] if table.totals else sup.count(0, threshold)}


def governors_report_context(school, year: int, *, today: dt.date | None = None) -> dict:
    threshold = sup.threshold_for(school)
    today = today or timezone.localdate()
    current_year = today.year if today.month >= 9 else today.year - 1
    if year >= current_year:
        profile = selectors.profile_live(school)
        profile_note = f"Figures from the register on {profile.as_of:%-d %B %Y}."
    else:
        profile = selectors.profile_for_year(school, year)
        profile_note = {
            "snapshot": f"Figures frozen at the census on {profile.as_of:%-d %B %Y}.",
            "computed": "No census snapshot was taken for this year: figures are worked out from "
            f"the dated status decisions as they stood on {profile.as_of:%-d %B %Y}.",
        }.get(profile.source, "")
    area_map = area_map_for(school)
    needs, areas = need_and_area_tables(profile, area_map, threshold)
    years = year_table(profile, threshold)
    start, end = selectors.school_year_bounds(year)
    ctx = {
        "school": school,
        "year": year,
        "year_label": academic_year_label(year),
        "period": f"{start:%-d %B %Y} to {end:%-d %B %Y}",
        "generated_on": today,
        "threshold": threshold,
        "fewer_than": sup.fewer_than(threshold),
        "min_denominator": sup.MIN_DENOMINATOR,
        "national_source": NATIONAL_SOURCE,
        "profile": profile,
        "profile_note": profile_note,
        "status": status_summary(profile, threshold),
        "areas": areas,
        "areas_chart": table_chart(areas, "Pupils with SEN by broad area of primary need"),
        "needs": needs,
        "needs_chart": table_chart(needs, "Pupils with SEN by primary need"),
        "years": years,
        "years_chart": table_chart(years["table"], "Pupils with SEN by year group"),
        "trend": trend_section(school, year, threshold),
        "concerns": concerns_section(school, year, threshold),
        "extra_sections": sections.governor_sections(school, year, threshold),
    }
    return ctx
