"""Writes to the register. Multi-step changes run in one transaction; rule breaks raise
ValidationError keyed by form field so the form can show the message next to the field."""

import datetime as dt
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone

from sencoweb.models import Membership, Notification
from sencoweb.security import validate_upload

from . import hooks
from .codes import ON_REGISTER, SenStatus
from .models import (
    AccessArrangement,
    Concern,
    Contact,
    Involvement,
    Need,
    Pupil,
    PupilDocument,
    StatusDecision,
    dob_plus_retention,
)


def _active_rank1(pupil: Pupil) -> Need | None:
    return pupil.needs.active().filter(rank=1).first()


def status_decision_problems(*, pupil: Pupil, to_status: str) -> list[str]:
    """The census rules for a status (DOMAIN.md 2.2-2.4): every one the change would break."""
    if to_status == pupil.sen_status:
        return [f"{pupil.display_name} already has this status: choose a different one."]
    problems = []
    if to_status in (SenStatus.SUPPORT, SenStatus.EHCP):
        primary = _active_rank1(pupil)
        if primary is None:
            problems.append(
                "SEN support and EHC plans need a primary (rank 1) need: add the need first."
            )
        elif to_status == SenStatus.EHCP and primary.sen_type == "NSA":
            problems.append(
                "'No specialist assessment' (NSA) is only valid with SEN support (K): record the "
                "assessed primary need before moving to an EHC plan."
            )
    if to_status == SenStatus.EHCP and not hooks.has_ehc_plan(pupil):
        problems.append(
            "A pupil is coded E only once the EHC plan has been issued: record the issued plan "
            "first (until then the pupil stays on SEN support)."
        )
    return problems


def status_decision_check(*, pupil: Pupil, to_status: str) -> None:
    problems = status_decision_problems(pupil=pupil, to_status=to_status)
    if problems:
        raise ValidationError({"to_status": problems})


@transaction.atomic
def status_decision_record(
    *,
    pupil: Pupil,
    to_status: str,
    decided_on: dt.date,
    reason: str,
    evidence: str,
    decided_by: str,
    parents_informed: bool,
    parents_informed_on: dt.date | None,
    by,
) -> StatusDecision:
    pupil = Pupil.objects.select_for_update().get(pk=pupil.pk)
    # Every problem at once, each on its field, so one correction is enough.
    errors: dict[str, list[str]] = {}
    if problems := status_decision_problems(pupil=pupil, to_status=to_status):
        errors["to_status"] = problems
    today = timezone.localdate()
    # The history is read in date order (the profile, reports rebuilt from decisions), so a
    # decision dated before the current status began would make that history contradict it.
    latest = pupil.status_decisions.order_by("-decided_on").values_list("decided_on", flat=True)
    floor = max((d for d in (pupil.sen_status_since, latest.first()) if d), default=None)
    if decided_on > today:
        errors["decided_on"] = ["The decision date cannot be in the future."]
    elif floor and decided_on < floor:
        errors["decided_on"] = [
            f"{pupil.display_name} has had their current status "
            f"({pupil.get_sen_status_display()}) since {floor.day} {floor:%b %Y}: a new decision "
            "cannot be dated before that."
        ]
    if parents_informed and parents_informed_on is None:
        errors["parents_informed_on"] = ["Give the date parents were informed."]
    elif parents_informed_on and parents_informed_on < decided_on:
        errors["parents_informed_on"] = [
            "Parents cannot be informed before the decision was taken."
        ]
    elif parents_informed_on and parents_informed_on > today:
        errors["parents_informed_on"] = ["The date parents were informed cannot be in the future."]
    if errors:
        raise ValidationError(errors)
    if not parents_informed:
        parents_informed_on = None
    decision = StatusDecision.objects.create(
        pupil=pupil,
        decided_on=decided_on,
        from_status=pupil.sen_status,
        to_status=to_status,
        reason=reason,
        evidence=evidence,
        decided_by=decided_by,
        parents_informed=parents_informed,
        parents_informed_on=parents_informed_on,
        recorded_by=by,
    )
    pupil.sen_status = to_status
    pupil.sen_status_since = decided_on
    # CFA s.68: evidence that parents were told when SEN provision started.
    pupil.date_parents_notified = parents_informed_on
    pupil.save(update_fields=["sen_status", "sen_status_since", "date_parents_notified"])
    # Off the register (N or monitoring): other apps end what ran for the pupil on it, in this
    # transaction (hooks.off_register_handlers). `decision.ended` says what they did, for the
    # SENCO and the audit detail.
    decision.ended = hooks.on_off_register(pupil, decision) if to_status not in ON_REGISTER else []
    return decision


@transaction.atomic
def need_add(
    *, pupil: Pupil, sen_type: str, rank: int, starts_on: dt.date, description: str, by
) -> Need:
    if starts_on > timezone.localdate():
        # A need counts (register, census readiness) from the moment it is saved.
        raise ValidationError(
            {"starts_on": "A need cannot start in the future: give the date it was identified."}
        )
    active = list(pupil.needs.active().select_for_update())
    if any(n.rank == rank for n in active):
        raise ValidationError(
            {"rank": f"There is already an active rank {rank} need: end it or choose another rank."}
        )
    free = len(active) + 1
    if rank > free:
        # A gap would leave the pupil without a primary (rank 1) need, or the census without
        # a secondary one, while the page still showed a list numbered 1, 2, ...
        raise ValidationError(
            {
                "rank": f"The next free rank is {free}: ranks have no gaps (1 is the primary "
                "need). Add it there; Move up on the profile changes the order."
            }
        )
    if any(n.sen_type == sen_type for n in active):
        raise ValidationError({"sen_type": "This need is already recorded and active."})
    if sen_type == "NSA":
        if rank != 1:
            raise ValidationError({"sen_type": "NSA can only be the primary (rank 1) need."})
        if pupil.sen_status == SenStatus.EHCP:
            raise ValidationError({"sen_type": "NSA is only valid with SEN support (K)."})
    need = Need(
        pupil=pupil,
        sen_type=sen_type,
        rank=rank,
        starts_on=starts_on,
        description=description,
        created_by=by,
    )
    need.full_clean()
    need.save()
    return need


@transaction.atomic
def need_end(*, need: Need, ends_on: dt.date, by) -> Need:
    if ends_on < need.starts_on:
        raise ValidationError({"ends_on": "A need cannot end before it started."})
    if ends_on > timezone.localdate():
        # An ended need stops counting at once, while reports read the date: they must agree.
        raise ValidationError(
            {"ends_on": "The end date cannot be in the future: end the need on the day it ends."}
        )
    pupil = need.pupil
    others = list(pupil.needs.active().exclude(pk=need.pk).order_by("rank"))
    if not others and pupil.sen_status in (SenStatus.SUPPORT, SenStatus.EHCP):
        raise ValidationError(
            {
                "ends_on": f"{pupil.display_name} is on the register and needs a primary need: "
                "add the new need first, or change their status."
            }
        )
    need.ends_on = ends_on
    need.save(update_fields=["ends_on"])
    # Close the gap so the next need moves up (rank 2 becomes the primary need).
    _renumber(pupil, others)
    return need


def _renumber(pupil: Pupil, ordered: list[Need]) -> None:
    if ordered and ordered[0].sen_type != "NSA" and any(n.sen_type == "NSA" for n in ordered):
        raise ValidationError("NSA can only be the primary (rank 1) need.")
    if ordered and ordered[0].sen_type == "NSA" and pupil.sen_status == SenStatus.EHCP:
        raise ValidationError("NSA is only valid with SEN support (K).")
    ids = [n.pk for n in ordered]
    # Park the ranks out of the way first: the one-active-per-rank constraint holds per row.
    Need.objects.filter(pk__in=ids).update(rank=F("rank") + 1000)
    for index, need in enumerate(ordered, start=1):
        Need.objects.filter(pk=need.pk).update(rank=index)
        need.rank = index


@transaction.atomic
def need_move_up(*, need: Need, by) -> None:
    """Swap a need with the one ranked above it."""
    ordered = list(need.pupil.needs.active().select_for_update().order_by("rank"))
    index = next(i for i, n in enumerate(ordered) if n.pk == need.pk)
    if index == 0:
        return
    ordered[index - 1], ordered[index] = ordered[index], ordered[index - 1]
    _renumber(need.pupil, ordered)


def _notify(*, school, users, title: str, body: str = "", url: str = "") -> None:
    Notification.objects.bulk_create(
        [Notification(school=school, user=u, title=title, body=body, url=url) for u in users]
    )


def _triage_users(school):
    from django.contrib.auth import get_user_model

    roles = [
        role
        for role, _ in Membership._meta.get_field("role").choices
        if Membership(role=role).can("concerns.triage")
    ]
    return get_user_model().objects.filter(
        memberships__school=school, memberships__is_active=True, memberships__role__in=roles
    )


@transaction.atomic
def concern_raise(
    *, pupil: Pupil, by, area: str, what_seen: str, evidence: str, parents_aware: bool
) -> Concern:
    concern = Concern.objects.create(
        school=pupil.school,
        pupil=pupil,
        raised_by=by,
        area=area,
        what_seen=what_seen,
        evidence=evidence,
        parents_aware=parents_aware,
    )
    url = reverse("pupils:concern_triage", args=[concern.public_id])
    _notify(
        school=pupil.school,
        users=_triage_users(pupil.school).exclude(pk=by.pk),
        title=f"New concern about {pupil.display_name}",
        body=f"Raised by {by.get_full_name() or by.username}: {concern.get_area_display()}.",
        url=url,
    )
    # The link names the concern (its row on the list): a subject access export and the
    # retention command find the notification by the record's public id in its link.
    _notify(
        school=pupil.school,
        users=[by],
        title=f"Your concern about {pupil.display_name} was sent to the SENCO",
        url=f"{reverse('pupils:concerns')}#concern-{concern.public_id}",
    )
    return concern


@transaction.atomic
def concern_triage(*, concern: Concern, outcome: str, reason: str, by) -> Concern:
    if concern.outcome != Concern.Outcome.OPEN:
        raise ValidationError({"outcome": "This concern has already been triaged."})
    if outcome not in (Concern.Outcome.MONITOR, Concern.Outcome.REGISTER, Concern.Outcome.NFA):
        raise ValidationError({"outcome": "Choose monitor, add to the register or no action."})
    pupil = concern.pupil
    if outcome == Concern.Outcome.MONITOR and pupil.sen_status == SenStatus.NONE:
        status_decision_record(
            pupil=pupil,
            to_status=SenStatus.MONITORING,
            decided_on=timezone.localdate(),
            reason=f"Concern raised by {concern.raised_by}: {reason}",
            evidence=concern.evidence,
            decided_by=f"{by.get_full_name() or by.username} (triage of a staff concern)",
            parents_informed=False,
            parents_informed_on=None,
            by=by,
        )
    if outcome == Concern.Outcome.REGISTER and pupil.sen_status not in ON_REGISTER:
        # Not done until the status decision is recorded (concern_added_to_register): a SENCO
        # who leaves the decision form has not added the pupil, so the concern stays open with
        # the reason kept for next time, and nobody is told it was added.
        concern.triage_reason = reason
        concern.save(update_fields=["triage_reason"])
        return concern
    return _concern_close(concern, outcome=outcome, reason=reason, by=by)


def concern_added_to_register(*, concern: Concern, by) -> Concern | None:
    """The status decision that puts the concern's pupil on the register has been recorded:
    the concern is triaged 'add to the register' and both people are told. Nothing for a
    concern already triaged."""
    if concern.outcome != Concern.Outcome.OPEN:
        return None
    return _concern_close(
        concern, outcome=Concern.Outcome.REGISTER, reason=concern.triage_reason, by=by
    )


def _concern_close(concern: Concern, *, outcome: str, reason: str, by) -> Concern:
    pupil = concern.pupil
    concern.outcome = outcome
    concern.triage_reason = reason
    concern.triaged_by = by
    concern.triaged_at = timezone.now()
    concern.save(update_fields=["outcome", "triage_reason", "triaged_by", "triaged_at"])
    detail_url = reverse("pupils:detail", args=[pupil.public_id])
    title = f"Concern about {pupil.display_name}: {concern.get_outcome_display()}"
    _notify(
        school=concern.school, users=[concern.raised_by], title=title, body=reason, url=detail_url
    )
    if by.pk != concern.raised_by_id:
        _notify(school=concern.school, users=[by], title=title, body=reason, url=detail_url)
    return concern


def retention_date(date_of_birth: dt.date) -> dt.date:
    """Date of birth + 31 years: the last school's retention date for the SEN file."""
    return dob_plus_retention(date_of_birth)


def _leaving_problems(*, pupil: Pupil, left_on, left_for, destination, file_sent_on) -> dict:
    problems = {}
    if pupil.joined_on and left_on < pupil.joined_on:
        problems["left_on"] = "The leaving date is before the pupil joined."
    if left_for == Pupil.LeftFor.SCHOOL:
        if not destination.strip():
            problems["destination"] = "Name the school the pupil moved to."
        if file_sent_on and file_sent_on > timezone.localdate():
            problems["file_sent_on"] = (
                "This date is in the future: record it once the file has been sent."
            )
    elif file_sent_on:
        problems["file_sent_on"] = (
            "Only the file of a pupil who moved to another school is sent on: leave this empty, "
            "or choose 'Moved to another school'."
        )
    return problems


@transaction.atomic
def pupil_archive(
    *,
    pupil: Pupil,
    left_on: dt.date,
    left_for: str,
    destination: str = "",
    file_sent_on: dt.date | None = None,
    legal_hold: bool | None = None,
    by,
) -> list[str]:
    """The pupil has left: off the register, kept read only until their retention date, which
    depends on how they left (DOMAIN.md 8.2). `legal_hold` None leaves the hold as it is.
    Other apps close what was still running (hooks.leaving_handlers); returns what they did."""
    if pupil.is_archived:
        raise ValidationError({"left_on": "This pupil has already left."})
    _save_leaving(
        pupil,
        left_on=left_on,
        left_for=left_for,
        destination=destination,
        file_sent_on=file_sent_on,
        legal_hold=legal_hold,
        extra={"archived_at": timezone.now()},
    )
    return hooks.on_leaving(pupil)


@transaction.atomic
def pupil_leaving_update(
    *,
    pupil: Pupil,
    left_on: dt.date,
    left_for: str,
    destination: str = "",
    file_sent_on: dt.date | None = None,
    legal_hold: bool | None = None,
    by,
) -> dict:
    """Correct the leaving details of a pupil who has left (or record the date their file was
    sent, or a legal hold); the retention date follows. Returns {field: (before, after)}."""
    if not pupil.is_archived:
        raise ValidationError({"left_on": "This pupil has not left: archive them first."})
    fields = ["left_on", "left_for", "destination", "file_sent_on", "legal_hold", "retention_until"]
    before = {f: getattr(pupil, f) for f in fields}
    _save_leaving(
        pupil,
        left_on=left_on,
        left_for=left_for,
        destination=destination,
        file_sent_on=file_sent_on,
        legal_hold=legal_hold,
    )
    return {f: (before[f], getattr(pupil, f)) for f in fields if before[f] != getattr(pupil, f)}


def _save_leaving(pupil, *, left_on, left_for, destination, file_sent_on, legal_hold, extra=None):
    problems = _leaving_problems(
        pupil=pupil,
        left_on=left_on,
        left_for=left_for,
        destination=destination,
        file_sent_on=file_sent_on,
    )
    if problems:
        raise ValidationError(problems)
    pupil.left_on = left_on
    pupil.left_for = left_for
    pupil.destination = destination.strip()
    pupil.file_sent_on = file_sent_on
    if legal_hold is not None:
        pupil.legal_hold = legal_hold
    for field, value in (extra or {}).items():
        setattr(pupil, field, value)
    pupil.retention_until = pupil.retention_date()
    pupil.save(
        update_fields=[
            "left_on",
            "left_for",
            "destination",
            "file_sent_on",
            "legal_hold",
            "retention_until",
            "updated_at",
            *(extra or {}),
        ]
    )


def profile_update(*, pupil: Pupil, data: dict, by) -> Pupil:
    for field, value in data.items():
        setattr(pupil, field, value)
    pupil.profile_updated_at = timezone.now()
    pupil.save(update_fields=[*data.keys(), "profile_updated_at", "updated_at"])
    return pupil


# What a pupil's file accepts: extension -> the content type it is served with.
DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
}
# The upload form's own wording for each refusal of the shared gate (by its error code).
_DOCUMENT_REFUSALS = {
    "file_type": "Upload a PDF, Word (.docx), PNG or JPEG file.",
    "empty": "The file is empty.",
    "file_size": "The file is larger than the {limit} limit.",
    "file_content": "This file is not really a .{ext} file.",
}


def document_check(upload) -> str:
    """Return the content type, or raise ValidationError on the `file` field. The checks are
    sencoweb.security.validate_upload's (extension, size, and contents that match)."""
    try:
        validate_upload(upload, allowed=tuple(DOCUMENT_TYPES))
    except ValidationError as error:
        message = _DOCUMENT_REFUSALS.get(error.code)
        if message is None:
            raise ValidationError({"file": error.messages}) from error
        ext = PurePath(upload.name or "").suffix.lower().lstrip(".")
        limit = filesizeformat(settings.UPLOAD_MAX_BYTES)
        raise ValidationError({"file": message.format(ext=ext, limit=limit)}) from error
    return DOCUMENT_TYPES[PurePath(upload.name).suffix.lower().lstrip(".")]


@transaction.atomic
def document_upload(
    *, pupil: Pupil, upload, kind: str, title: str, dated, involvement, by
) -> PupilDocument:
    content_type = document_check(upload)
    document = PupilDocument(
        pupil=pupil,
        involvement=involvement,
        kind=kind,
        title=title,
        dated=dated,
        original_name=upload.name[-200:],
        content_type=content_type,
        size=upload.size,
        uploaded_by=by,
    )
    document.file.save("upload", upload, save=False)
    document.save()
    return document


def access_arrangement_save(*, arrangement: AccessArrangement, by) -> AccessArrangement:
    if not arrangement.route:
        arrangement.route = (
            AccessArrangement.Route.AAO
            if arrangement.kind in AccessArrangement.AAO_KINDS
            else AccessArrangement.Route.DELEGATED
        )
    if arrangement.pk is None:
        arrangement.recorded_by = by
    arrangement.save()
    return arrangement


# --- Removing records entered by mistake ---------------------------------------------------


@transaction.atomic
def contact_delete(*, contact: Contact, by) -> list[str]:
    """Delete a parent or carer entered by mistake. Liaison entries that named them stay in the
    log (dated evidence of contact with the family) without the name; their ids are returned
    so the audit row says which entries lost it."""
    unlinked = [str(i) for i in contact.liaison.values_list("public_id", flat=True)]
    contact.delete()
    return unlinked


@transaction.atomic
def involvement_delete(*, involvement: Involvement, by) -> list[str]:
    """Delete an agency involvement entered by mistake. A report the agency sent is still
    evidence about the pupil, so its documents stay on the pupil's file, unlinked, rather
    than being deleted with the involvement; their ids are returned for the audit row."""
    documents = PupilDocument.objects.filter(involvement=involvement)
    kept = [str(i) for i in documents.values_list("public_id", flat=True)]
    documents.update(involvement=None)  # explicit: not left to the foreign key's SET_NULL
    involvement.delete()
    return kept


def access_arrangement_delete(*, arrangement: AccessArrangement, by) -> None:
    arrangement.delete()
