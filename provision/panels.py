"""Hooks into the register (visibility, chronology) and the home-page panel."""

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from pupils.hooks import ChronologyEntry, once_per_pupil

from . import selectors
from .models import Enrolment, TopUpFunding


def top_up_indicator(day):
    """pupils.hooks.top_up_indicators: the pupil has a top-up record current on `day`."""
    return Exists(TopUpFunding.objects.current_on(day).filter(pupil=OuterRef("pk")))


def visible_pupil_ids(membership):
    """A member of staff sees the pupils of the groups they deliver."""
    return Enrolment.objects.filter(
        group__staff=membership, group__school_id=membership.school_id
    ).values("pupil_id")


def _enrolments(pupil) -> list:
    """The pupil's enrolments with their groups, loaded once for the chronology and the card."""
    return once_per_pupil(
        pupil,
        "provision:enrolments",
        lambda: list(
            Enrolment.objects.filter(pupil=pupil)
            .select_related("group__intervention")
            .order_by("group__starts_on")
        ),
    )


def chronology(pupil) -> list[ChronologyEntry]:
    out = []
    seen = set()  # groups met already: a later place in one is the pupil re-joining it
    for e in sorted(_enrolments(pupil), key=lambda e: e.starts_on):
        url = reverse("provision:pupil", args=[pupil.public_id])
        verb = "Re-joined" if e.group_id in seen else "Started"
        seen.add(e.group_id)
        out.append(ChronologyEntry(e.starts_on, "Provision", f"{verb} {e.group.title}", url=url))
        if e.ends_on:
            detail = ""
            if e.entry_score is not None and e.exit_score is not None:
                detail = f"Entry {e.entry_score}, exit {e.exit_score}"
            out.append(
                ChronologyEntry(e.ends_on, "Provision", f"Left {e.group.title}", detail, url)
            )
    return out


def profile_links(request, pupil) -> list:
    """pupils.hooks.profile_links: the pupil's provision, with the groups they are in now (the
    enrolments the chronology loads)."""
    if not request.membership.can("provision.view"):
        return []
    today = timezone.localdate()
    current = [
        e.group.title
        for e in _enrolments(pupil)
        if e.starts_on <= today
        and e.group.ends_on >= today
        and not (e.ends_on and e.ends_on < today)
    ]
    detail = "Now in: " + ", ".join(current) if current else "In no provision group now"
    return [("Provision", reverse("provision:pupil", args=[pupil.public_id]), detail)]


def today_panel(request) -> dict:
    day = timezone.localdate()
    sessions = selectors.today_sessions(request.membership, day)
    day_off = selectors.day_off(request.school, day) if sessions else None
    if day_off:
        sessions = [item for item in sessions if item["log"]]
    return {"sessions": sessions, "day": day, "day_off": day_off}
