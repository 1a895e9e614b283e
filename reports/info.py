"""The SEN information report (SEND Regulations 2014, Schedule 1): the school's own answers plus
live figures. Public, so only anonymised, suppressed aggregates go in it."""

from django.utils import timezone

from pupils.codes import Area

from . import selectors
from . import suppression as sup
from .governors import status_summary
from .models import InfoReport


def info_report_for(school) -> InfoReport:
    report, _ = InfoReport.objects.get_or_create(school=school)
    return report


def live_figures(school) -> dict:
    threshold = sup.threshold_for(school)
    profile = selectors.profile_live(school)
    # The same suppression as the governors' report, so the two together reveal nothing.
    status = {r["key"]: r for r in status_summary(profile, threshold)["rows"]}
    k, e, all_sen = status["K"]["count"], status["E"]["count"], status["SEN"]["count"]
    areas = selectors.by_area(profile, selectors.area_map_for(school))
    return {
        "as_of": profile.as_of,
        "roll": sup.count(profile.roll, threshold),
        "all_sen": all_sen,
        "all_sen_pct": sup.percent(all_sen, profile.roll),
        "sen_support": k,
        "sen_support_pct": sup.percent(k, profile.roll),
        "ehc_plan": e,
        "ehc_plan_pct": sup.percent(e, profile.roll),
        "areas": [Area(a).label for a in Area.values if a != "NA" and any(areas[a].values())],
        "threshold": threshold,
    }


def info_report_context(school) -> dict:
    report = info_report_for(school)
    return {
        "school": school,
        "report": report,
        "items": report.items(),
        "figures": live_figures(school),
        "generated_on": timezone.localdate(),
    }


def _shown(value):
    if isinstance(value, bool):  # "published"
        return "Yes" if value else "No"
    return value


def info_report_history(report: InfoReport) -> list[dict]:
    """Every saved version of the report, newest first, each with who saved it and what changed
    from the version before: [{at, by, created, changes: [{label, old, new}]}]. Two queries."""
    tracked = [*InfoReport.ITEM_FIELDS, "published"]
    labels = {
        name: InfoReport._meta.get_field(name).verbose_name for name in InfoReport.ITEM_FIELDS
    }
    labels["published"] = "Published on the school's website"
    records = list(
        report.history.select_related("history_user").order_by("history_date", "history_id")
    )
    versions, before = [], None
    for record in records:
        changes = []
        for name in tracked:
            old = getattr(before, name) if before is not None else None
            new = getattr(record, name)
            if old == new or (before is None and not new):
                continue  # unchanged; or, for a new report, not written yet
            changes.append({"label": labels[name], "old": _shown(old), "new": _shown(new)})
        versions.append(
            {"at": record.history_date, "by": record.history_user, "created": before is None,
             "changes": changes}
        )  # fmt: skip
        before = record
    return versions[::-1]
