"""Hooks into the register (visibility, chronology) and the home-page panel."""

from django.urls import reverse
from django.utils import timezone

from pupils.hooks import ChronologyEntry

from . import selectors
from .models import Enrolment


def visible_pupil_ids(membership):
    """A member of staff sees the pupils of the groups they deliver."""
    return Enrolment.objects.filter(
        group__staff=membership, group__school_id=membership.school_id
    ).values("pupil_id")


def chronology(pupil) -> list[ChronologyEntry]:
    out = []
    for e in Enrolment.objects.filter(pupil=pupil).select_related("group__intervention"):
        url = reverse("provision:pupil", args=[pupil.public_id])
        out.append(ChronologyEntry(e.starts_on, "Provision", f"Started {e.group.title}", url=url))
        if e.ends_on:
            detail = ""
            if e.entry_score is not None and e.exit_score is not None:
                detail = f"Entry {e.entry_score}, exit {e.exit_score}"
            out.append(
                ChronologyEntry(e.ends_on, "Provision", f"Left {e.group.title}", detail, url)
            )
    return out


def today_panel(request) -> dict:
    day = timezone.localdate()
    sessions = selectors.today_sessions(request.membership, day)
    return {"sessions": sessions, "day": day}
