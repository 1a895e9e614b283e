"""Scoped reads that return ready-joined querysets, so page query counts do not grow with rows."""

import datetime as dt

from django.db.models import OuterRef, Prefetch, Subquery
from django.urls import reverse

from . import hooks
from .codes import SenStatus
from .models import (
    AccessArrangement,
    Agency,
    Concern,
    Contact,
    Involvement,
    LiaisonEntry,
    Need,
    Pupil,
    StatusDecision,
    TeachingGroup,
    add_months,
    class_order_key,
)


def _need_at(rank: int):
    return Subquery(
        Need.objects.filter(pupil=OuterRef("pk"), rank=rank, ends_on__isnull=True).values(
            "sen_type"
        )[:1]
    )


def register_pupils(*, pupils):
    """Current pupils with SEN (K, E and the monitoring list), each with its primary and
    secondary need as columns: one query for any number of rows."""
    return (
        pupils.current()
        .with_sen()
        .select_related("reg_group")
        .annotate(primary_need=_need_at(1), secondary_need=_need_at(2))
    )


def register_counts(*, school) -> dict[str, int]:
    from django.db.models import Count

    rows = (
        Pupil.objects.for_school(school)
        .current()
        .with_sen()
        .values("sen_status")
        .annotate(n=Count("pk"))
    )
    counts = {"K": 0, "E": 0, "M": 0}
    counts.update({r["sen_status"]: r["n"] for r in rows})
    return counts


def my_classes(*, school, user) -> list[TeachingGroup]:
    """The member's groups in school order (Reception, Year 1 ...: class_order_key), each with
    its current SEN pupils and their active needs."""
    sen_pupils = (
        Pupil.objects.current()
        .with_sen()
        .prefetch_related(Prefetch("needs", queryset=Need.objects.active().order_by("rank")))
        .order_by("last_name", "first_name")
    )
    groups = (
        TeachingGroup.objects.for_school(school)
        .filter(staff=user)
        .prefetch_related(
            Prefetch("pupils", queryset=sen_pupils, to_attr="sen_pupils"),
            Prefetch("registered_pupils", queryset=sen_pupils, to_attr="sen_registered"),
        )
    )
    return sorted(groups, key=lambda g: class_order_key(g.name))


def concerns_for(*, request):
    concerns = Concern.objects.for_school(request.school).select_related(
        "pupil", "raised_by", "triaged_by"
    )
    if request.membership.can("concerns.triage"):
        return concerns
    return concerns.filter(raised_by=request.user)


def access_arrangements_expiring(*, school, today: dt.date, months: int = 3):
    return (
        AccessArrangement.objects.filter(
            pupil__school=school,
            pupil__archived_at__isnull=True,
            expires_on__isnull=False,
            expires_on__lte=add_months(today, months),
        )
        .select_related("pupil")
        .order_by("expires_on")
    )


def agencies_for(*, school):
    return Agency.objects.for_school(school).prefetch_related("professionals")


def chronology(*, pupil: Pupil, include_family: bool, can) -> list[hooks.ChronologyEntry]:
    """Everything dated about a pupil, newest first. Family contact and outside-agency work
    are left out for staff who only teach the pupil (DOMAIN.md 8.3); so is what a higher app's
    entry needs a capability for that the viewer lacks (`can`: the member's capability check,
    ChronologyEntry.as_seen)."""
    E = hooks.ChronologyEntry
    entries: list[E] = []
    for d in pupil.status_decisions.all():
        entries.append(
            E(
                d.decided_on,
                "Status",
                f"{d.get_from_status_display()} → {d.get_to_status_display()}",
                d.reason,
            )
        )
    for n in pupil.needs.all():
        entries.append(
            E(n.starts_on, "Need", f"Need added: {n.get_sen_type_display()}", n.description)
        )
        if n.ends_on:
            entries.append(E(n.ends_on, "Need", f"Need ended: {n.get_sen_type_display()}"))
    for c in pupil.concerns.all():
        entries.append(
            E(c.raised_at.date(), "Concern", f"Concern raised: {c.get_area_display()}", c.what_seen)
        )
        if c.triaged_at:
            entries.append(
                E(
                    c.triaged_at.date(),
                    "Concern",
                    f"Concern triaged: {c.get_outcome_display()}",
                    c.triage_reason,
                )
            )
    if include_family:
        for entry in pupil.liaison.all():
            entries.append(E(entry.happened_on, "Liaison", entry.get_kind_display(), entry.summary))
        for inv in pupil.involvements.all():
            entries.append(
                E(inv.referral_date, "Agency", f"Referred to {inv.agency.name}", inv.notes)
            )
            if inv.discharged_on:
                entries.append(E(inv.discharged_on, "Agency", f"Discharged by {inv.agency.name}"))
    # Reviews and provision at the previous school, from an imported transition pack.
    for event in pupil.imported_events.all():
        entries.append(
            E(
                event.happened_on,
                event.get_kind_display(),
                f"At {event.source_school}: {event.title}",
                event.detail,
            )
        )
    for source in hooks.chronology_sources:
        entries.extend(e for e in (entry.as_seen(can) for entry in source(pupil)) if e)
    if pupil.left_on:
        entries.append(E(pupil.left_on, "Left", "Left the school", pupil.destination))
    return sorted(entries, key=lambda e: e.date, reverse=True)


def pupil_profile(*, pupils, pupil_id):
    """One pupil with everything the profile page shows, fetched in a fixed number of queries."""
    # Each list with what it points at joined in: one query a list, not one a list and link.
    # The census top-up indicator, as the register shows it, is a column of the pupil's query.
    from django.utils import timezone

    pupils = pupils.annotate(top_up_funded=hooks.top_up_indicator(timezone.localdate()))
    return pupils.select_related("reg_group").prefetch_related(
        Prefetch("needs", queryset=Need.objects.order_by("ends_on", "rank")),
        Prefetch("status_decisions", queryset=StatusDecision.objects.select_related("recorded_by")),
        Prefetch("concerns", queryset=Concern.objects.select_related("raised_by")),
        "contacts",
        Prefetch("liaison", queryset=LiaisonEntry.objects.select_related("contact")),
        Prefetch(
            "involvements", queryset=Involvement.objects.select_related("agency", "professional")
        ),
        "documents",
        "access_arrangements",
        "teaching_groups",
        "imported_events",
    )


def visible_concern_pupils(pupils):
    return pupils.current().order_by("last_name", "first_name")


def status_choices_for(pupil: Pupil):
    return [(v, label) for v, label in SenStatus.choices if v != pupil.sen_status]


def detail_url(pupil: Pupil) -> str:
    return reverse("pupils:detail", args=[pupil.public_id])


def change_history(*, pupil: Pupil) -> list:
    """Who changed what, from what to what, on the pupil's record and the records kept with it
    (needs, contacts, liaison, agencies, access arrangements), newest first. A fixed handful of
    queries whatever the length of the history."""
    from sencoweb.history import versions

    agencies = dict(Agency.objects.for_school(pupil.school).values_list("pk", "name"))
    # (history, what to call one record, fields not worth a line: timestamps the app sets)
    sources = [
        (pupil.history.all(), lambda h: "Pupil record", ("profile_updated_at",)),
        (
            Need.history.filter(pupil_id=pupil.pk),
            lambda h: f"Need: {h.get_sen_type_display()}",
            (),
        ),
        (
            Contact.history.filter(pupil_id=pupil.pk),
            lambda h: f"Parent or carer: {h.name}",
            (),
        ),
        (
            LiaisonEntry.history.filter(pupil_id=pupil.pk),
            lambda h: (
                f"Liaison: {h.get_kind_display()} on {h.happened_on.day} {h.happened_on:%b %Y}"
            ),
            (),
        ),
        (
            Involvement.history.filter(pupil_id=pupil.pk),
            lambda h: f"Agency: {agencies.get(h.agency_id, 'an agency')}",
            (),
        ),
        (
            AccessArrangement.history.filter(pupil_id=pupil.pk),
            lambda h: f"Access arrangement: {h.get_kind_display()}",
            (),
        ),
    ]
    out = []
    for history, title, hide in sources:
        out.extend(versions(history, hide=hide, title=title))
    return sorted(out, key=lambda v: v.at, reverse=True)
