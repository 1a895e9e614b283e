"""Transition pack sections from the reviews and provision apps (plan, reviews, provision,
EHC plan). Each returns None when the app does not record that data yet, and the pack lists it
under `not_recorded`."""

LATER_SECTIONS = {
    "current_plan": "Current support plan and outcomes",
    "reviews": "Review history",
    "provision": "Provision history (hours and costs)",
    "ehc_plan": "EHC plan summary",
}


def collect(pupil) -> tuple[dict, list[str]]:
    out: dict = {}
    not_recorded: list[str] = []
    for key, fn in SECTION_BUILDERS.items():
        value = fn(pupil)
        if value is None:
            not_recorded.append(key)
            out[key] = [] if key in ("reviews", "provision") else None
        else:
            out[key] = value
    return out, not_recorded


def _not_yet(pupil):
    return None


SECTION_BUILDERS = {
    "current_plan": _not_yet,
    "reviews": _not_yet,
    "provision": _not_yet,
    "ehc_plan": _not_yet,
}
