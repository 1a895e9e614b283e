"""Dashboards: the head's (named, with drill-downs), the governors' (anonymised, suppressed, no
drill-down) and the trust lead's across schools. A fixed number of aggregate queries each."""

import datetime as dt
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from pupils.models import Concern, Pupil, area_map_for

from . import charts, governors, sections, selectors
from . import suppression as sup
from .selectors import NATIONAL, STATUSES, school_year_bounds


def _url(name: str, **query) -> str | None:
    """A drill-down link, if the page it points to exists (other apps add them)."""
    if not name:
        return None
    try:
        url = reverse(name)
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode(query)}" if query else url


def reviews_due(school, today: dt.date) -> dict:
    """Pupils on the register (or the monitoring list) whose next review, a support plan review
    or an EHC annual review, is overdue or due in four weeks: the same pupils the register lists
    when filtered by "review due by" (the dashboard's drill-down)."""
    pupils = (
        Pupil.objects.for_school(school).current().with_sen().filter(next_review_due__isnull=False)
    )
    soon = today + dt.timedelta(days=28)
    overdue = pupils.filter(next_review_due__lt=today).count()
    due_soon = pupils.filter(next_review_due__gte=today, next_review_due__lte=soon).count()
    return {"overdue": overdue, "due_soon": due_soon}


def year_sections(school, year: int, threshold: int) -> tuple[list[dict], dt.datetime]:
    """The year-to-date sections (provision, spend, outcomes, EHC, training) and when they were
    worked out. They walk a year of sessions and costs, most of a dashboard's time, and change
    slowly, so they are kept for DASHBOARD_CACHE_SECONDS in the shared cache (Redis in
    production, so every web process sees the same figures). Counts on the register, reviews and
    concerns stay live. The key carries the school and the suppression threshold, so a school
    never sees another's figures and governors never see unsuppressed ones."""
    key = f"reports:dashboard-sections:v1:{school.pk}:{year}:{threshold}"
    cached = cache.get(key) if settings.DASHBOARD_CACHE_SECONDS else None
    if cached is None:
        cached = (sections.governor_sections(school, year, threshold), timezone.now())
        if settings.DASHBOARD_CACHE_SECONDS:
            cache.set(key, cached, settings.DASHBOARD_CACHE_SECONDS)
    return cached


def school_dashboard(school, *, named: bool) -> dict:
    # Named dashboards show exact counts (the head can open the pupils anyway); anonymised ones
    # go through the same suppression as the governors' report.
    threshold = sup.threshold_for(school) if not named else 1
    today = timezone.localdate()
    profile = selectors.profile_live(school)
    status = governors.status_summary(profile, threshold)
    needs, areas = governors.need_and_area_tables(profile, area_map_for(school), threshold)
    years = governors.year_table(profile, threshold)["table"]
    ctx = {
        "school": school,
        "today": today,
        "threshold": sup.threshold_for(school),
        "profile": profile,
        "status": status,
        "areas": areas,
        "areas_chart": governors.table_chart(areas, "By broad area of primary need"),
        "needs": needs,
        "needs_chart": governors.table_chart(needs, "By primary need"),
        "years": years,
        "years_chart": governors.table_chart(years, "By year group"),
        "links": {},
    }
    ctx["extra_sections"], ctx["sections_as_at"] = year_sections(
        school, selectors_year(today), threshold
    )
    if named:
        due = reviews_due(school, today)
        open_concerns = (
            Concern.objects.for_school(school).filter(outcome=Concern.Outcome.OPEN).count()
        )
        ctx.update(
            {
                "reviews": due,
                "reviews_chart": charts.hbar(
                    [
                        ("Overdue", due["overdue"], str(due["overdue"])),
                        ("Due in 4 weeks", due["due_soon"], str(due["due_soon"])),
                    ],
                    title="Reviews overdue and due soon",
                    colour=charts.PALETTE[1],
                ),  # fmt: skip
                "open_concerns": open_concerns,
                "links": {
                    "K": _url("pupils:register", sen_status="K"),
                    "E": _url("pupils:register", sen_status="E"),
                    "register": _url("pupils:register"),
                    "concerns": _url("pupils:concerns"),
                    "reviews": _url("reviews:calendar"),
                    "overdue": _url(
                        "pupils:register",
                        review_before=(today - dt.timedelta(days=1)).isoformat(),
                        sort="review",
                    ),
                    "due_soon": _url(
                        "pupils:register",
                        review_from=today.isoformat(),
                        review_before=(today + dt.timedelta(days=28)).isoformat(),
                        sort="review",
                    ),
                    "deadlines": _url("reviews:deadlines"),
                    "provision": _url("provision:map"),
                },
            }
        )
        for row in status["rows"]:
            row["link"] = ctx["links"].get(row["key"])
        for table, param in ((areas, "area"), (needs, "primary_need"), (years, "nc_year")):
            _link_cells(table, param)
        section_links = {
            "provision": ("provision:map", "Open the provision map"),
            "spend": ("provision:budget", "Open the SEN budget"),
            "outcomes": ("provision:effectiveness", "Open the impact of interventions"),
            "ehc": ("reviews:ehc_overview", "Open EHC plans and needs assessments"),
            "training": ("provision:staff", "Open staff training"),
        }
        for section in ctx["extra_sections"]:
            name, label = section_links.get(section["key"], ("", ""))
            if section["available"]:
                section["link"], section["link_label"] = _url(name), label
    return ctx


def _link_cells(table, param: str) -> None:
    """Each count on the head's dashboard opens the register filtered to exactly those pupils:
    the row's area, need or year group and the column's status (totals would also take in
    pupils on the monitoring list, so they stay plain)."""
    base = _url("pupils:register")
    if base is None or not table.row_keys:
        return
    table.links = [
        [_url("pupils:register", **{param: key, "sen_status": status}) if cell.value else None
         for status, cell in zip(STATUSES, row, strict=False)] + [None]
        for key, row in zip(table.row_keys, table.rows, strict=True)
    ]  # fmt: skip


def selectors_year(today: dt.date) -> int:
    return today.year if today.month >= 9 else today.year - 1


def _short(name: str, width: int = 22) -> str:
    return name if len(name) <= width else name[: width - 1].rstrip() + "…"


# The trust comparison's year-to-date columns: (section key, fact label) of each school's
# dashboard sections, so the comparison and the school's own dashboard cannot disagree.
TRUST_FACTS = {
    "delivered": ("provision", "Delivered as planned"),
    "hours": ("provision", "Hours of intervention delivered"),
    "budget": ("spend", "Notional SEN budget"),
    "spent": ("spend", "Cost of provision delivered so far"),
    "achieved": ("outcomes", "Outcomes achieved in full"),
    "ar_held": ("ehc", "Annual reviews held"),
    "ar_on_time": ("ehc", "Annual reviews held within 12 months"),
}


def _facts(sections: list[dict]) -> dict:
    """{column: the fact's value, or "—" where the school has no such figure}."""
    found = {(s["key"], label): value for s in sections for label, value in s["facts"]}
    return {col: found.get(where, "—") for col, where in TRUST_FACTS.items()}


def cross_school(schools) -> dict:
    """Each school's register against national and its reviews due (live, quick)."""
    rows = []
    today = timezone.localdate()
    for school in schools:
        profile = selectors.profile_live(school)
        rows.append({"school": school, "roll": profile.roll,
                     "K": profile.status.get("K", 0), "E": profile.status.get("E", 0),
                     "K_pct": profile.pct("K"), "E_pct": profile.pct("E"),
                     "reviews": reviews_due(school, today)})  # fmt: skip
    chart = charts.compare_bars(
        [(_short(r["school"].name), r["K_pct"], NATIONAL["K"]) for r in rows],
        title="SEN support by school against national",
        series=("SEN support %", "National 14.2%"),
    )
    chart_e = charts.compare_bars(
        [(_short(r["school"].name), r["E_pct"], NATIONAL["E"]) for r in rows],
        title="EHC plans by school against national",
        series=("EHC plan %", "National 5.3%"),
    )
    return {"rows": rows, "chart": chart, "chart_e": chart_e, "national": NATIONAL}


def cross_school_year(schools) -> dict:
    """Each school's year-to-date figures as its own dashboard shows them (provision delivered,
    spend, outcomes, EHC annual reviews), from the sections the dashboard keeps in the shared
    cache; a school whose figures are not kept yet has them worked out here (about 80 ms each,
    so the comparison page loads this part after the rest). Trust leads see named figures."""
    year = selectors_year(timezone.localdate())
    rows = [
        {"school": school, "year": _facts(year_sections(school, year, 1)[0])} for school in schools
    ]
    return {"rows": rows, "year_start": school_year_bounds(year)[0]}
