"""Report sections fed by the provision and reviews apps. Each says honestly what it covers:
where the data is not recorded in SENCo Web yet, the section says so rather than showing zero.

A section is a dict: key, title, available, note, facts [(label, Cell or str)], table
(suppression.Table or None), chart (SVG or None)."""

from django.apps import apps


def _missing(key: str, title: str, what: str) -> dict:
    return {
        "key": key,
        "title": title,
        "available": False,
        "note": f"{what} is not recorded in SENCo Web yet, so this section has no figures.",
        "facts": [],
        "table": None,
        "chart": None,
    }


def _has_models(app_label: str, *names: str) -> bool:
    try:
        for name in names:
            apps.get_model(app_label, name)
    except LookupError:
        return False
    return True


def governor_sections(school, year: int, threshold: int) -> list[dict]:
    return [
        _missing("provision", "Provision delivered", "Provision data"),
        _missing("spend", "Spend against the notional SEN budget", "Budget and cost data"),
        _missing("outcomes", "Outcomes and impact", "Review outcome and intervention data"),
        _missing("ehc", "EHC plans and statutory timescales", "EHC plan data"),
        _missing("training", "Staff training and the SENCO", "Staff training data"),
    ]
