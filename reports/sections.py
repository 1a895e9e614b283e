"""Report sections fed by the provision and reviews apps: provision delivered, spend against
budget, outcomes and impact, EHC plans, staff training. Used by the governors' report and the
dashboards alike. Every count of pupils goes through reports.suppression; sessions, hours,
money and staff training are not pupil counts and are shown as they are.

A section is a dict: key, title, available, note, facts [(label, str)], table
(suppression.Table or None), first_col, chart (SVG or None), link (named dashboards only)."""

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

from django.db.models import Count, Q

from pupils.codes import Area

from . import charts
from . import suppression as sup
from .selectors import school_year_bounds


def _section(key, title, **kw) -> dict:
    return {"key": key, "title": title, "available": True, "note": "", "facts": [],
            "table": None, "plain": None, "first_col": "", "chart": None, "link": kw.pop("link", None), **kw}  # fmt: skip


def _missing(key: str, title: str, what: str) -> dict:
    return _section(
        key, title, available=False,
        note=f"{what} is not recorded in SENCo Web yet, so this section has no figures.",
    )  # fmt: skip


def _money(value) -> str:
    return "not set" if value is None else f"£{Decimal(value):,.0f}"


def provision_section(school, year: int, threshold: int) -> dict:
    from provision.models import Enrolment, ProvisionGroup, SessionLog
    from provision.selectors import calendar_for

    start, end = school_year_bounds(year)
    today = min(dt.date.today(), end)
    groups = list(
        ProvisionGroup.objects.filter(school=school, starts_on__lte=end, ends_on__gte=start)
        .select_related("intervention")
        .order_by()
    )
    if not groups:
        s = _section("provision", "Provision delivered")
        s["note"] = "No intervention groups ran in this school year."
        return s
    calendar = calendar_for(school)
    logs = (
        SessionLog.objects.filter(group__in=groups, date__gte=start, date__lte=today)
        .values("group_id", "status")
        .annotate(n=Count("id"))
    )
    held, cancelled = Counter(), Counter()
    for row in logs:
        (held if row["status"] == SessionLog.Status.HELD else cancelled)[row["group_id"]] += row[
            "n"
        ]
    planned = {g.pk: len(calendar.dates(g, since=start, until=today)) for g in groups}
    # A group whose dates touch the year only in a holiday (one starting in late August), or
    # that has not started yet, had no session in it: it is not counted as running.
    groups = [g for g in groups if planned[g.pk] or held[g.pk] or cancelled[g.pk]]
    if not groups:
        s = _section("provision", "Provision delivered")
        s["note"] = "No intervention groups ran in this school year."
        return s
    # Each pupil counts once, under the area of the first intervention they joined, so the
    # table's total is the number of pupils (a pupil in a language group and a reading group
    # would otherwise be two of the total).
    area_of = {}
    for pupil_id, group_area in (
        Enrolment.objects.filter(group__in=groups)
        .order_by("starts_on", "pk")
        .values_list("pupil_id", "group__intervention__area")
    ):
        area_of.setdefault(pupil_id, group_area)
    pupils_by_area = Counter(area_of.values())
    rows = defaultdict(lambda: {"groups": 0, "planned": 0, "held": 0, "hours": Decimal(0)})
    for g in groups:
        r = rows[g.intervention.area]
        r["groups"] += 1
        r["planned"] += planned[g.pk]
        r["held"] += held[g.pk]
        r["hours"] += Decimal(held[g.pk] * g.session_minutes) / 60
    areas = [a for a in Area.values if a in rows]
    table = sup.suppress_table(
        [Area(a).label for a in areas],
        ["Pupils"],
        [[pupils_by_area[a]] for a in areas],
        threshold,
    )
    total_planned = sum(r["planned"] for r in rows.values())
    total_held = sum(r["held"] for r in rows.values())
    total_hours = sum(r["hours"] for r in rows.values())
    s = _section("provision", "Provision delivered", first_col="Area of need")
    s["note"] = (
        f"Intervention groups from {start:%-d %B %Y} to {today:%-d %B %Y}. In the table each "
        "pupil counts once, under the area of the first intervention they joined."
    )
    s["facts"] = [
        ("Intervention groups", str(len(groups))),
        ("Pupils receiving an intervention", table.totals[-1].display),
        ("Sessions planned to date" if today < end else "Sessions planned", f"{total_planned:,}"),
        ("Sessions held", f"{total_held:,}"),
        ("Delivered as planned", sup.percent(total_held, total_planned, places=0)),
        ("Sessions cancelled", f"{sum(cancelled.values()):,}"),
        ("Hours of intervention delivered", f"{total_hours:,.0f}"),
    ]
    s["table"] = table
    s["chart"] = charts.hbar(
        [(Area(a).label, rows[a]["held"], f"{rows[a]['held']}/{rows[a]['planned']}")
         for a in areas],
        title="Sessions held out of sessions planned, by area of need",
    )  # fmt: skip
    return s


def spend_section(school, year: int, threshold: int) -> dict:
    from provision.selectors import budget_summary

    b = budget_summary(school, year)
    s = _section("spend", "Spend against the notional SEN budget")
    s["note"] = (f"Financial year {b['label']}. Costs are staff time at hourly rates with "
                 "on-costs, plus resources and external services, as recorded on the provision map.")  # fmt: skip
    top_up_pupils = len({t.pupil_id for t in b["top_ups"]})
    s["facts"] = [
        ("Notional SEN budget", _money(b["amount"])),
        ("Planned cost of provision", _money(b["planned"])),
        ("Cost of provision delivered so far", _money(b["delivered"])),
        ("Budget remaining after planned provision", _money(b["remaining"])),
        ("Top-up funding received (element 3)", _money(b["top_up_total"])),
        ("Pupils with top-up funding", sup.count(top_up_pupils, threshold).display),
    ]
    if b["amount"]:
        s["chart"] = charts.hbar(
            [("Notional budget", float(b["amount"]), _money(b["amount"])),
             ("Planned", float(b["planned"]), _money(b["planned"])),
             ("Delivered so far", float(b["delivered"]), _money(b["delivered"]))],
            title="Notional SEN budget against planned and delivered provision",
        )  # fmt: skip
    else:
        s["note"] += " No notional SEN budget has been entered for this year."
    return s


def outcomes_section(school, year: int, threshold: int) -> dict:
    from provision.selectors import intervention_effectiveness
    from reviews.models import Outcome

    start, end = school_year_bounds(year)
    ratings = dict(
        Outcome.objects.filter(
            cycle__school=school,
            cycle__review__meeting_date__gte=start,
            cycle__review__meeting_date__lte=end,
        )
        .exclude(rating="")
        .values_list("rating")
        .annotate(n=Count("id"))
    )
    labels = [(k, label) for k, label in Outcome.Rating.choices]
    rating_table = sup.suppress_table(
        ["Support plan outcomes at review"], [label for _, label in labels],
        [[ratings.get(k, 0) for k, _ in labels]], threshold,
    )  # fmt: skip
    s = _section("outcomes", "Outcomes and impact", first_col="Outcomes")
    s["table"] = rating_table
    rows = []
    for e in intervention_effectiveness(school, exited_between=(start, end)):
        if not e["measured"]:
            continue
        # Children, not places: one measured in two places of a group is still one child.
        measured = sup.count(e["measured_pupils"], threshold)
        # A mean over fewer pupils than the threshold could describe one child: hide it too.
        gain = (
            "—"
            if measured.value is None
            else (f"{e['mean_gain']:+}" if e["mean_gain"] is not None else "—")
        )
        rows.append((e["intervention"].name, measured.display, gain,
                     sup.percent(e["improved"], e["measured"], places=0)))  # fmt: skip
    # Many interventions with a handful of pupils each would fill a page with "fewer than 5"
    # and dashes: they share one line.
    few = [r for r in rows if r[1] == sup.fewer_than(threshold)]
    if len(few) > 1:
        rows = [r for r in rows if r not in few]
        label = f"{len(few)} {'other ' if rows else ''}interventions"
        rows.append((label, f"{sup.fewer_than(threshold)} each", "—", "—"))
    if rows:
        s["plain"] = {
            "caption": "Interventions: entry-to-exit gains of pupils who finished in this period",
            "head": ["Intervention", "Pupils measured", "Mean gain", "Improved"],
            "rows": rows,
        }
    total = sum(ratings.values())
    # "yet" only while the year is still going: a finished year had none.
    none_yet = " (none reviewed yet)" if dt.date.today() <= end else " (none reviewed)"
    gains = (
        "entry-to-exit gains of pupils who left an intervention in the same period below"
        if rows
        else "no pupil left an intervention with entry and exit scores in that period"
    )
    s["note"] = (f"Outcomes of support plans reviewed between {start:%-d %B %Y} and {end:%-d %B %Y}"
                 f"{'' if total else none_yet}; {gains}.")  # fmt: skip
    achieved = ratings.get(Outcome.Rating.ACHIEVED, 0)
    if total:
        s["chart"] = charts.hbar(
            [(label, cell.value, cell.display) for (_, label), cell in
             zip(labels, rating_table.rows[0][:-1], strict=True)],
            title="Support plan outcomes at review",
        )  # fmt: skip
        share = sup.percent(sup.count(achieved, threshold), total, places=0)
        if share != "—":
            s["facts"].insert(0, ("Outcomes achieved in full", share))
    return s


def _plus_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def ehc_section(school, year: int, threshold: int) -> dict:
    from reviews.models import AnnualReview, EhcPlan, EhcRequest

    start, end = school_year_bounds(year)
    in_force = EhcPlan.objects.for_school(school).current().count()
    requests = EhcRequest.objects.for_school(school).filter(
        received_on__gte=start, received_on__lte=end
    )
    agreed = Q(decided_to_assess=True)
    req = requests.aggregate(
        made=Count("id"),
        agreed=Count("id", filter=agreed),
        refused=Count("id", filter=Q(decided_to_assess=False)),
        issued=Count("id", filter=agreed & Q(final_issued_on__isnull=False)),
        not_issued=Count(
            "id",
            filter=agreed & Q(final_issued_on__isnull=True, decision_not_to_issue_on__isnull=False),
        ),
    )
    req["awaiting"] = req["made"] - req["agreed"] - req["refused"]
    req["assessing"] = req["agreed"] - req["issued"] - req["not_issued"]
    reviews = list(
        AnnualReview.objects.filter(
            school=school, kind=AnnualReview.Kind.ANNUAL, meeting_on__gte=start, meeting_on__lte=end
        ).values_list("meeting_on", "last_review_on", "plan__first_issued_on", "plan__issued_on")
    )
    on_time = 0
    for meeting_on, last, first_issued, issued in reviews:
        base = last or first_issued or issued
        if base is None or meeting_on <= _plus_year(base):
            on_time += 1
    # Every count that is the sum of others is suppressed with them: "6 requests, 5 agreed"
    # must not give away one refusal, nor "15 reviews, 14 on time" one late review.
    cells = sup.suppress_sums(
        {**req, "held": len(reviews), "on_time": on_time, "late": len(reviews) - on_time},
        {"made": ["agreed", "refused", "awaiting"],
         "agreed": ["issued", "not_issued", "assessing"],
         "held": ["on_time", "late"]},
        threshold,
    )  # fmt: skip
    s = _section("ehc", "EHC plans and statutory timescales")
    s["note"] = (
        f"EHC needs assessment requests received by the local authority between {start:%-d %B %Y} and {end:%-d %B %Y}."
    )
    s["facts"] = [
        ("EHC plans in force now", _plans_in_force(school, in_force, threshold)),
        ("Requests for an EHC needs assessment", cells["made"].display),
        ("Local authority agreed to assess", cells["agreed"].display),
        ("Local authority refused to assess", cells["refused"].display),
        ("Awaiting the local authority's decision", cells["awaiting"].display),
        ("Final plans issued", cells["issued"].display),
        ("Decided not to issue a plan", cells["not_issued"].display),
        ("Assessment still under way", cells["assessing"].display),
        ("Annual reviews held", cells["held"].display),
        ("Annual reviews held within 12 months", cells["on_time"].display),
        ("Annual reviews held later", cells["late"].display),
    ]
    return s


def _plans_in_force(school, in_force: int, threshold: int) -> str:
    """Plans in force are, near enough, the register's pupils coded E. Where the register's
    figures hide E (beside a small SEN support count, as in a special school), showing the plans
    would let "all with SEN" minus plans give the hidden count away: it is withheld too."""
    from pupils.models import Pupil

    shown = sup.count(in_force, threshold)
    if shown.value is None or threshold <= 1:  # named figures hide nothing
        return shown.display
    status = dict(
        Pupil.objects.for_school(school)
        .filter(archived_at__isnull=True, left_on__isnull=True, sen_status__in=("K", "E"))
        .values_list("sen_status")
        .annotate(n=Count("id"))
        .order_by()
    )
    register = sup.suppress_table(
        ["All"], ["K", "E"], [[status.get("K", 0), status.get("E", 0)]], threshold
    )
    return sup.WITHHELD if register.rows[0][1].suppressed else shown.display


def training_section(school, year: int, threshold: int) -> dict:
    from provision.models import SencoQualification, TrainingRecord

    start, end = school_year_bounds(year)
    records = TrainingRecord.objects.filter(school=school, date__gte=start, date__lte=end)
    agg = records.aggregate(courses=Count("id", distinct=True), attendances=Count("attendees"))
    hours = sum((r.hours * r.n for r in records.annotate(n=Count("attendees"))), Decimal(0))
    qual = SencoQualification.objects.filter(school=school).first()
    s = _section("training", "Staff training and the SENCO")
    s["facts"] = [
        ("SEN training sessions", str(agg["courses"])),
        ("Staff attendances", str(agg["attendances"])),
        ("Hours of staff training (hours × attendees)", f"{hours:,.0f}"),
        ("SENCO's qualification", qual.get_qualification_display() if qual else "not recorded"),
    ]
    if qual:
        s["facts"].append(("SENCO appointed", f"{qual.appointed_on:%B %Y}"))
    courses = list(records.values_list("course", flat=True).distinct()[:12])
    if courses:
        s["note"] = "Courses: " + "; ".join(courses) + "."
    return s


BUILDERS = [
    ("provision", "Provision delivered", "Provision data", provision_section),
    ("spend", "Spend against the notional SEN budget", "Budget and cost data", spend_section),
    ("outcomes", "Outcomes and impact", "Review outcome and intervention data", outcomes_section),
    ("ehc", "EHC plans and statutory timescales", "EHC plan data", ehc_section),
    ("training", "Staff training and the SENCO", "Staff training data", training_section),
]


def governor_sections(school, year: int, threshold: int) -> list[dict]:
    out = []
    for key, title, what, fn in BUILDERS:
        try:
            out.append(fn(school, year, threshold))
        except ImportError:  # that app's models or selectors are not there (yet)
            out.append(_missing(key, title, what))
    return out
