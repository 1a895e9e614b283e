"""Writes for the provision map. Multi-step writes run in one transaction."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Enrolment, ProvisionGroup, SessionLog


@transaction.atomic
def group_create(*, school, data: dict, pupils=(), by=None) -> ProvisionGroup:
    """Set up a group; the staff rate is copied from the member's current hourly rate."""
    staff = data["staff"]
    group = ProvisionGroup(school=school, **data)
    if not data.get("hourly_rate"):
        group.hourly_rate = staff.hourly_rate or Decimal("0")
    group.full_clean()
    group.save()
    for pupil in pupils:
        enrolment_add(group=group, pupil=pupil, starts_on=group.starts_on)
    _enrol_exclusive_pupil(group, starts_on=group.starts_on)
    return group


@transaction.atomic
def group_update(*, group: ProvisionGroup, today: dt.date) -> ProvisionGroup:
    """Save an edited group; a pupil it is newly set up for joins it from today. Handed to
    another member of staff, it is costed at their rate, as a group set up for them would be
    (the page says who delivers it 'at £x an hour'); a member with no rate leaves it as it was.
    """
    before = ProvisionGroup.objects.filter(pk=group.pk).values_list("staff_id", flat=True).first()
    if before != group.staff_id and group.staff.hourly_rate:
        group.hourly_rate = group.staff.hourly_rate
    group.save()
    _enrol_exclusive_pupil(group, starts_on=min(max(group.starts_on, today), group.ends_on))
    return group


def _enrol_exclusive_pupil(group: ProvisionGroup, *, starts_on: dt.date) -> None:
    """A group set up for one pupil is charged to that pupil (DOMAIN.md 5.4), so they are in it:
    otherwise its cost would be on no pupil's row of the map. A pupil who once left the group
    is not brought back."""
    pupil = group.exclusive_to
    if pupil is not None and not group.enrolments.filter(pupil=pupil).exists():
        enrolment_add(group=group, pupil=pupil, starts_on=starts_on)


@transaction.atomic
def enrolment_add(*, group: ProvisionGroup, pupil, starts_on: dt.date) -> Enrolment:
    """Give the pupil a place in the group from `starts_on`. A pupil who left the group and
    re-joins it gets a new place from that day: the gap between the two is not time in the
    group, and the first place keeps its dates and its entry and exit measures."""
    if pupil.school_id != group.school_id:
        raise ValidationError("That pupil is not at this school.")
    _lock(group)
    clash = place_clash(group=group, pupil=pupil, starts_on=starts_on)
    if clash is not None:
        field = "pupil" if clash.ends_on is None else "starts_on"
        raise ValidationError({field: _clash_message(clash, pupil, starts_on)})
    return Enrolment.objects.create(group=group, pupil=pupil, starts_on=starts_on)


@transaction.atomic
def enrolment_save(*, enrolment: Enrolment) -> Enrolment:
    """Save a place's edited end date and measures (the measures form): it may not come to
    overlap another place of the same pupil in the group."""
    _lock(enrolment.group)
    clash = place_clash(
        group=enrolment.group,
        pupil=enrolment.pupil,
        starts_on=enrolment.starts_on,
        ends_on=enrolment.ends_on,
        exclude=enrolment.pk,
    )
    if clash is not None:
        raise ValidationError(
            {"ends_on": _clash_message(clash, enrolment.pupil, enrolment.starts_on, ending=True)}
        )
    enrolment.save()
    return enrolment


def _lock(group: ProvisionGroup) -> None:
    """Changes to a group's places wait for each other (PostgreSQL; SQLite writes one at a
    time anyway), so two requests cannot both find a date free and both take it."""
    list(ProvisionGroup.objects.select_for_update().filter(pk=group.pk).values_list("pk"))


def place_clash(
    *, group: ProvisionGroup, pupil, starts_on: dt.date, ends_on=None, exclude=None
) -> Enrolment | None:
    """Another place of the pupil in the group whose dates overlap `starts_on` to `ends_on`
    (None: open, no end yet), or None. Both ends of a place are days in it."""
    places = Enrolment.objects.filter(group=group, pupil=pupil).exclude(pk=exclude)
    if ends_on is not None:
        places = places.filter(starts_on__lte=ends_on)
    return (
        places.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
        .order_by("starts_on")
        .first()
    )


def _clash_message(clash: Enrolment, pupil, starts_on: dt.date, *, ending=False) -> str:
    """What stands in the way, in words: `ending` when a place's end date is being set."""
    name = pupil.display_name
    if clash.starts_on > starts_on and ending:
        return (
            f"{name} has another place in this group from {_day(clash.starts_on)}: "
            "this place must end before then."
        )
    if clash.ends_on is None:
        if clash.starts_on > timezone.localdate():
            return f"{name} already has a place in this group from {_day(clash.starts_on)}."
        return f"{name} has been in this group since {_day(clash.starts_on)}."
    was = f"{name} was in this group from {_day(clash.starts_on)} to {_day(clash.ends_on)}"
    if clash.starts_on > starts_on:
        return f"{was}: a place from {_day(starts_on)} would overlap it."
    next_day = clash.ends_on + dt.timedelta(days=1)
    return f"{was}: a new place can start on {_day(next_day)} at the earliest."


def can_log(membership, group: ProvisionGroup) -> bool:
    """Only the group's own member of staff logs its sessions, or the SENCO (manage)."""
    if membership is None or membership.school_id != group.school_id:
        return False
    if membership.can("provision.manage"):
        return True
    return membership.can("provision.log_session") and group.staff_id == membership.pk


@transaction.atomic
def session_log(
    *,
    group: ProvisionGroup,
    date: dt.date,
    membership,
    held: bool = True,
    reason: str = "",
    note: str = "",
    attended_ids=None,
) -> SessionLog:
    """Record (or correct) the session of `group` on `date`. Attendance defaults to every pupil
    enrolled that day; `attended_ids` (pupil pks) narrows it. Logging twice updates."""
    if not can_log(membership, group):
        raise PermissionDenied
    if not group.starts_on <= date <= group.ends_on:
        raise ValidationError(
            {
                "date": f"The group runs from {_day(group.starts_on)} to {_day(group.ends_on)}: "
                f"it has no session on {_day(date)}."
            }
        )
    if date > dt.date.today():
        raise ValidationError({"date": "You cannot log a session in the future."})
    if not held and not reason:
        raise ValidationError({"reason": "Say why the session was cancelled."})
    enrolled = [e.pupil_id for e in group.enrolments.all() if e.active_on(date)]
    if held and attended_ids is not None:
        wanted = {int(i) for i in attended_ids}
        enrolled = [pk for pk in enrolled if pk in wanted]
    if held and not enrolled:
        # A session nobody came to was not delivered: its staff time would count as delivered
        # while no pupil's share carried it, so the costs would no longer add up.
        raise ValidationError(
            {"attended": "Nobody was there: choose Cancelled, with the reason 'Pupils absent'."}
        )
    status = SessionLog.Status.HELD if held else SessionLog.Status.CANCELLED
    session, _ = SessionLog.objects.update_or_create(
        group=group,
        date=date,
        defaults={
            "status": status,
            "reason": "" if held else reason,
            "note": note[:300],
            "logged_by": membership.user,
        },
    )
    if held:
        session.attended.set(enrolled)  # group.enrolments may be prefetched
    else:
        session.attended.clear()
    return session


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def enrolment_end(*, enrolment: Enrolment, ends_on: dt.date) -> Enrolment:
    if ends_on < enrolment.starts_on:
        raise ValidationError({"ends_on": "The end date is before the pupil started."})
    enrolment.ends_on = ends_on
    enrolment.save(update_fields=["ends_on"])
    return enrolment


def _and(names: list[str]) -> str:
    return ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]


def end_places_on_leaving_preview(pupil) -> list[str]:
    """pupils.hooks.leaving_previews: the groups whose places leaving would end (a place still
    running or to come, in a group not over yet), and a group set up for them alone, said on
    the leaving form before the SENCO records it. One query whatever the number of groups."""
    today = timezone.localdate()
    place_open = Q(enrolments__ends_on__isnull=True) | Q(enrolments__ends_on__gt=today)
    groups = list(
        ProvisionGroup.objects.filter(
            (Q(enrolments__pupil=pupil) & place_open) | Q(exclusive_to=pupil),
            ends_on__gte=today,
        )
        .select_related("intervention")
        .distinct()
        .order_by("starts_on", "start_time", "pk")
    )
    solo = [g for g in groups if g.exclusive_to_id == pupil.pk]
    shared = [g.title for g in groups if g.exclusive_to_id != pupil.pk]
    lines = []
    if shared:
        places = "places" if len(shared) > 1 else "place"
        lines.append(f"Their {places} in {_and(shared)} will end on the leaving date.")
    lines.extend(f"{g.title}, set up for them alone, will end on the leaving date." for g in solo)
    return lines


def end_places_on_leaving(pupil) -> list[str]:
    """A pupil who left is not on a session register after their leaving date, nor charged a
    share of it: their places in groups end that day, and a group set up for them alone ends
    too (pupils.hooks.leaving_handlers; runs inside the leaving's transaction)."""
    left_on = pupil.left_on
    done = []
    places = (
        Enrolment.objects.filter(pupil=pupil)
        .exclude(ends_on__lte=left_on)
        .select_related("group__intervention")
        .order_by("group__starts_on")
    )
    for place in places:
        group = place.group
        if place.starts_on > left_on:
            # Sessions of an earlier place in the same group are not this place's.
            if not group.sessions.filter(attended=pupil, date__gte=place.starts_on).exists():
                place.delete()
                done.append(
                    f"Taken off {group.title}, which they were to join on {_day(place.starts_on)}."
                )
                continue
            place.ends_on = place.starts_on
        else:
            place.ends_on = left_on
        place.save(update_fields=["ends_on"])
        done.append(f"Their place in {group.title} ends on {_day(place.ends_on)}.")
    solo = ProvisionGroup.objects.filter(exclusive_to=pupil, ends_on__gt=left_on)
    for group in solo.select_related("intervention"):
        if group.starts_on > left_on:
            done.append(
                f"{group.title}, set up for them alone, starts after they left: delete it from "
                "the provision map if it will not run."
            )
            continue
        group.ends_on = left_on
        group.save(update_fields=["ends_on"])
        done.append(f"{group.title}, set up for them alone, ends on {_day(left_on)}.")
    return done
