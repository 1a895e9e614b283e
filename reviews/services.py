"""Multi-step writes for the graduated approach. Each service is `<entity>_<action>`, keyword-only
and atomic; views call these and nothing else writes cycles, versions, reviews or links."""

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from pupils.codes import ON_REGISTER
from pupils.models import Pupil
from sencoweb.models import Membership
from sencoweb.urltools import in_school

from .models import ContributionLink, Outcome, PlanVersion, Review, ReviewSettings, SupportCycle
from .models.cycles import hash_token
from .next_review import pupil_next_review_sync

UNFINISHED = (Outcome.Rating.PARTLY, Outcome.Rating.NOT_YET, "")


@transaction.atomic
def cycle_open(
    *, pupil: Pupil, by, teacher_responsible=None, teacher_may_edit: bool = False
) -> SupportCycle:
    if pupil.sen_status not in ON_REGISTER:
        raise ValidationError("Only a pupil on the SEN register can have a support plan cycle.")
    if pupil.is_archived:
        raise ValidationError("This pupil has left: their records are read only.")
    if SupportCycle.objects.filter(pupil=pupil).open().exists():
        raise ValidationError("This pupil already has an open cycle: review it first.")
    last = SupportCycle.objects.filter(pupil=pupil).order_by("-number").first()
    cycle = SupportCycle.objects.create(
        school=pupil.school,
        pupil=pupil,
        number=(last.number + 1) if last else 1,
        previous=last,
        teacher_responsible=teacher_responsible,
        teacher_may_edit=teacher_may_edit,
        opened_by=by,
    )
    return cycle


def cycle_update(*, cycle: SupportCycle, data: dict) -> SupportCycle:
    """Assessment and planning fields. A new review date moves the pupil's next review and lets
    a fresh reminder go out."""
    if not cycle.is_open:
        raise ValidationError("This cycle has been reviewed and closed.")
    # From the database: a ModelForm bound to this cycle has already set the new date on it.
    old_date = (
        SupportCycle.objects.filter(pk=cycle.pk).values_list("review_date", flat=True).first()
    )
    for field, value in data.items():
        setattr(cycle, field, value)
    if cycle.status == SupportCycle.Status.ASSESS and (
        cycle.teacher_assessment or cycle.standardised_scores or cycle.agency_advice
    ):
        # Evidence is in: the cycle moves on to planning.
        cycle.status = SupportCycle.Status.PLANNING
    with transaction.atomic():
        if cycle.review_date != old_date:
            cycle.reminder_sent_for = None
        cycle.full_clean(exclude=["pupil", "school", "opened_by", "previous"])
        cycle.save()
        if cycle.review_date != old_date:
            pupil_next_review_sync(pupil=cycle.pupil)
    return cycle


def outcome_save(*, cycle: SupportCycle, outcome: Outcome) -> Outcome:
    if not cycle.is_open:
        raise ValidationError("This cycle has been reviewed and closed.")
    outcome.cycle = cycle
    if outcome.pk is None:
        outcome.order = cycle.outcomes.count() + 1
    if cycle.status == SupportCycle.Status.ASSESS:
        cycle.status = SupportCycle.Status.PLANNING
        cycle.save(update_fields=["status"])
    outcome.save()
    return outcome


def outcome_delete(*, outcome: Outcome) -> None:
    if not outcome.cycle.is_open:
        raise ValidationError("This cycle has been reviewed and closed.")
    outcome.delete()


def plan_snapshot(cycle: SupportCycle) -> dict:
    return {
        "outcomes": [o.snapshot() for o in cycle.outcomes.all()],
        "assessment": {
            "assessed_on": cycle.assessed_on.isoformat() if cycle.assessed_on else "",
            "assessed_by": cycle.assessed_by,
            "teacher_assessment": cycle.teacher_assessment,
            "standardised_scores": cycle.standardised_scores,
            "agency_advice": cycle.agency_advice,
            "pupil_views": cycle.pupil_views,
            "parent_views": cycle.parent_views,
        },
        "teacher": str(cycle.teacher_responsible or ""),
    }


def plan_has_changes(cycle: SupportCycle) -> bool:
    """True when the outcomes or review date differ from the last issued version."""
    latest = cycle.versions.first()
    if latest is None:
        return True
    return (
        latest.snapshot.get("outcomes") != plan_snapshot(cycle)["outcomes"]
        or latest.review_date != cycle.review_date
    )


@transaction.atomic
def plan_issue(*, cycle: SupportCycle, by, change_note: str = "") -> PlanVersion:
    """Freeze the plan as issued. Issuing again after changes makes the next version."""
    cycle = SupportCycle.objects.select_for_update().get(pk=cycle.pk)
    if not cycle.is_open:
        raise ValidationError("This cycle has been reviewed and closed.")
    if not cycle.outcomes.exists():
        raise ValidationError("Add at least one outcome before issuing the plan.")
    if cycle.review_date is None:
        raise ValidationError("Set a review date before issuing the plan.")
    latest = cycle.versions.first()
    if latest is not None and not plan_has_changes(cycle):
        raise ValidationError("Nothing has changed since the last version was issued.")
    if latest is not None and not change_note.strip():
        raise ValidationError("Say what changed in this amended plan.")
    version = PlanVersion.objects.create(
        cycle=cycle,
        number=(latest.number + 1) if latest else 1,
        issued_by=by,
        change_note=change_note.strip()[:300],
        review_date=cycle.review_date,
        snapshot=plan_snapshot(cycle),
    )
    cycle.status = SupportCycle.Status.ISSUED
    cycle.issued_at = cycle.issued_at or version.issued_at
    cycle.save(update_fields=["status", "issued_at"])
    pupil_next_review_sync(pupil=cycle.pupil)
    return version


@dataclass
class OutcomeRating:
    outcome: Outcome
    rating: str
    progress: int | None
    comment: str = ""


@transaction.atomic
def review_close(
    *,
    cycle: SupportCycle,
    by,
    meeting_date: dt.date,
    attendees: str,
    next_step: str,
    ratings: list[OutcomeRating],
    pupil_voice: str = "",
    parent_voice: str = "",
    summary: str = "",
    next_review_date: dt.date | None = None,
) -> Review:
    """Record the review meeting, rate each outcome, close the cycle and (unless the pupil
    leaves the register) open the next one with the unfinished outcomes carried forward."""
    cycle = SupportCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.status != SupportCycle.Status.ISSUED:
        raise ValidationError("Only an issued plan can be reviewed.")
    issued_on = timezone.localtime(cycle.issued_at).date() if cycle.issued_at else None
    if issued_on and meeting_date < issued_on:
        # A review of a plan that did not exist yet: almost always a mistyped year.
        raise ValidationError(
            {
                "meeting_date": f"The review meeting cannot be before the plan was issued "
                f"({issued_on:%-d %B %Y}): check the date."
            }
        )
    for item in ratings:
        if item.outcome.cycle_id != cycle.pk:
            raise ValidationError("An outcome does not belong to this plan.")
        if item.progress is not None and not -2 <= item.progress <= 2:
            raise ValidationError("Progress runs from -2 to +2.")
        item.outcome.rating = item.rating
        item.outcome.progress = item.progress
        item.outcome.review_comment = item.comment
        item.outcome.save(update_fields=["rating", "progress", "review_comment"])
    review = Review(
        cycle=cycle,
        meeting_date=meeting_date,
        attendees=attendees,
        pupil_voice=pupil_voice,
        parent_voice=parent_voice,
        summary=summary,
        next_step=next_step,
        recorded_by=by,
    )
    review.full_clean(exclude=["cycle", "recorded_by"])
    review.save()
    cycle.status = SupportCycle.Status.CLOSED
    cycle.closed_at = timezone.now()
    cycle.save(update_fields=["status", "closed_at"])
    if next_step != Review.NextStep.LEAVE:
        _open_next_cycle(cycle=cycle, by=by, review_date=next_review_date)
    pupil_next_review_sync(pupil=cycle.pupil)
    return review


def _open_next_cycle(*, cycle: SupportCycle, by, review_date) -> SupportCycle:
    # The review feeds the next "assess" stage (CoP 6.54): start in planning with its evidence.
    review = cycle.review
    nxt = SupportCycle.objects.create(
        school=cycle.school,
        pupil=cycle.pupil,
        number=cycle.number + 1,
        previous=cycle,
        status=SupportCycle.Status.PLANNING,
        teacher_responsible=cycle.teacher_responsible,
        teacher_may_edit=cycle.teacher_may_edit,
        assessed_on=review.meeting_date,
        assessed_by=f"Review meeting: {', '.join(review.attendees.splitlines())}"[:200],
        teacher_assessment=review.summary,
        pupil_views=review.pupil_voice,
        parent_views=review.parent_voice,
        review_date=review_date,
        opened_by=by,
    )
    carried = [
        Outcome(
            cycle=nxt,
            order=index,
            area=o.area,
            description=o.description,
            strategies=o.strategies,
            provision=o.provision,
            provision_group_id=o.provision_group_id,
            success_criterion=o.success_criterion,
            carried_from=o,
        )
        for index, o in enumerate(
            (o for o in cycle.outcomes.all() if o.rating in UNFINISHED), start=1
        )
    ]
    Outcome.objects.bulk_create(carried)
    return nxt


def _links_still_open(cycle: SupportCycle, now):
    """The cycle's links that would still take answers: the ones ending the cycle revokes."""
    return ContributionLink.objects.filter(
        cycle=cycle, submitted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _cycle_named(cycle: SupportCycle) -> str:
    due = f" (review due {cycle.review_date:%-d %b %Y})" if cycle.review_date else ""
    return f"Support plan {cycle.number}{due}"


def cycle_end_preview(pupil: Pupil) -> list[str]:
    """pupils.hooks.off_register_previews: what ending the pupil's open cycle would do, said on
    the status decision form before the SENCO records a decision that takes the pupil off the
    register."""
    cycle = SupportCycle.objects.filter(pupil=pupil).open().first()
    if cycle is None:
        return []
    links = _links_still_open(cycle, timezone.now()).count()
    line = f"{_cycle_named(cycle)} will end"
    if links:
        line += f", and {_plural(links, 'contribution link')} will be revoked"
    return [line + "."]


def cycle_end(
    *, pupil: Pupil, ended_on: dt.date, reason: str, revoke_links: bool = True
) -> list[str]:
    """End the pupil's open cycle without a review (pupils.hooks.off_register_handlers, in the
    status decision's transaction): closed with the reason and date, its links that still work
    revoked, so its review date is no longer due anywhere (calendar, dashboard, register, iCal
    feed, class plans) and no reminder or chaser goes out for it. Issued versions stay as they
    are. Returns what was done, for the SENCO and the audit."""
    cycle = SupportCycle.objects.select_for_update().filter(pupil=pupil).open().first()
    if cycle is None:
        return []
    now = timezone.now()
    revoked = _links_still_open(cycle, now).update(revoked_at=now) if revoke_links else 0
    named = _cycle_named(cycle)
    cycle.status = SupportCycle.Status.CLOSED
    cycle.closed_at = now
    cycle.ended_reason = reason
    cycle.ended_on = ended_on
    cycle.save(update_fields=["status", "closed_at", "ended_reason", "ended_on"])
    pupil_next_review_sync(pupil=pupil)  # an EHC plan still in force keeps its review clock
    line = f"{named} ended: {cycle.ended_because} on {ended_on:%-d %b %Y}"
    if revoked:
        line += f"; {_plural(revoked, 'contribution link')} revoked"
    return [line + "."]


def cycle_end_off_register(pupil: Pupil, decision) -> list[str]:
    """pupils.hooks.off_register_handlers: a decision took the pupil off the SEN register."""
    return cycle_end(
        pupil=pupil, ended_on=decision.decided_on, reason=SupportCycle.EndReason.LEFT_REGISTER
    )


def cycle_end_on_leaving(pupil: Pupil) -> list[str]:
    """pupils.hooks.leaving_handlers: the pupil left the school (archived, in the leaving's
    transaction). Their open cycle ends on the leaving date, "Ended: left the school", instead
    of staying open with a review that will never be held. Its links are left as they are: a
    left pupil's links are closed already (ContributionLink.state), and their page says
    "Closed, <pupil> left" rather than "Revoked"."""
    return cycle_end(
        pupil=pupil,
        ended_on=pupil.left_on,
        reason=SupportCycle.EndReason.LEFT_SCHOOL,
        revoke_links=False,
    )


def cycle_end_on_leaving_preview(pupil: Pupil) -> list[str]:
    """pupils.hooks.leaving_previews: the open cycle that leaving would end, said on the
    leaving form before the SENCO records it (one query). No links are named: leaving closes
    them without revoking them (cycle_end_on_leaving)."""
    cycle = SupportCycle.objects.filter(pupil=pupil).open().first()
    return [f"{_cycle_named(cycle)} will end."] if cycle is not None else []


# Contributions -------------------------------------------------------------------------------


def contribution_link_create(
    *, cycle: SupportCycle, kind: str, recipient_name: str, recipient_email: str = "", by, days=None
) -> tuple[ContributionLink, str]:
    """Returns the link and the raw token. The token is shown once and never stored."""
    if not cycle.is_open:
        raise ValidationError("This cycle has been reviewed and closed.")
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    link = ContributionLink.objects.create(
        school=cycle.school,
        cycle=cycle,
        kind=kind,
        recipient_name=recipient_name,
        recipient_email=recipient_email,
        token_hash=hash_token(token),
        created_by=by,
        created_at=now,
        expires_at=contribution_link_expiry(cycle=cycle, days=days, now=now),
    )
    return link, token


def end_of_day(day: dt.date) -> dt.datetime:
    """The last minute of a school day, local time."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59)))


def contribution_link_expiry(*, cycle: SupportCycle, days: int | None = None, now=None):
    """When a new link closes: after `days` if given; otherwise at the end of the review day
    (the school's default), or after the school's number of days when it chose that or the
    plan has no review date still to come."""
    now = now or timezone.now()
    if days:
        return now + dt.timedelta(days=days)
    school_settings = ReviewSettings.for_school(cycle.school)
    if school_settings.links_until_review and cycle.review_date:
        closes = end_of_day(cycle.review_date)
        if closes > now + dt.timedelta(hours=1):
            return closes
    return now + dt.timedelta(days=school_settings.link_days)


def contribution_url(token: str) -> str:
    return settings.SITE_URL + reverse("reviews:contribute", args=[token])


def contribution_link_revoke(*, link: ContributionLink) -> bool:
    return (
        ContributionLink.objects.filter(
            pk=link.pk, revoked_at__isnull=True, submitted_at__isnull=True
        ).update(revoked_at=timezone.now())
        == 1
    )


def contribution_link_find(token: str) -> ContributionLink | None:
    if not token or len(token) > 100:
        return None
    return (
        ContributionLink.objects.select_related("cycle__pupil", "school")
        .filter(token_hash=hash_token(token))
        .first()
    )


def contribution_submit(*, link: ContributionLink, answers: dict, report=None) -> bool:
    """Store the answers if the link is still open (ContributionLink.state). Returns False when
    it can no longer be used. The cycle and pupil rows are locked first (the review meeting,
    review_close, locks the cycle; archiving updates the pupil), so answers never land on a
    cycle closed, or a pupil who left, while the form was being filled in; the conditional
    UPDATE claims the link so a double submit (two tabs, a replayed POST) stores only the
    first."""
    now = timezone.now()
    with transaction.atomic():
        cycle = (
            SupportCycle.objects.select_for_update().select_related("pupil").get(pk=link.cycle_id)
        )
        fresh = ContributionLink.objects.get(pk=link.pk)
        fresh.cycle = cycle
        if fresh.state(now) != "open":
            return False
        claimed = ContributionLink.objects.filter(
            pk=link.pk, submitted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
        ).update(submitted_at=now, answers=answers)
        if claimed != 1:
            return False
        if report is not None:
            link.report_name = report.name[:200]
            link.report_size = report.size
            # A random stored name: the uploader's file name is kept only as a label.
            suffix = report.name.rsplit(".", 1)[-1].lower()
            link.report.save(f"{link.public_id.hex}.{suffix}", report, save=False)
            ContributionLink.objects.filter(pk=link.pk).update(
                report=link.report.name, report_name=link.report_name, report_size=report.size
            )
    return True


def _school_sencos(school) -> list:
    return [
        m.user
        for m in Membership.objects.active()
        .filter(school=school, role="senco")
        .select_related("user")
    ]


def chase_due_on(link: ContributionLink, chase_days_before: int) -> dt.date:
    """The day a link's chaser goes: N days before the review or before the link closes,
    whichever comes first, so a link that closes well before the review is still chased while
    it works. Never the day the link was sent."""
    closes = timezone.localtime(link.expires_at).date()
    deadline = min(link.cycle.review_date, closes) if link.cycle.review_date else closes
    sent_on = timezone.localtime(link.created_at).date()
    return max(deadline - dt.timedelta(days=chase_days_before), sent_on + dt.timedelta(days=1))


def contributions_chase(*, today: dt.date | None = None, now=None) -> int:
    """Email a reminder for each open link with nothing back N days before the review (or
    before the link closes, if sooner: chase_due_on). Claims each link (chased_at) before
    sending, so a rerun or a second beat never sends twice."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    sent = 0
    links = (
        ContributionLink.objects.filter(
            submitted_at__isnull=True,
            revoked_at__isnull=True,
            chased_at__isnull=True,
            expires_at__gt=now,
            cycle__status=SupportCycle.Status.ISSUED,
            cycle__review_date__gte=today,
            cycle__pupil__archived_at__isnull=True,
        )
        .exclude(recipient_email="")
        .select_related("cycle__pupil", "school")
    )
    settings_by_school: dict = {}
    for link in links:
        if link.state(now) != "open":
            continue  # the query above narrows; the link's own rule decides
        school_settings = settings_by_school.get(link.school_id) or ReviewSettings.for_school(
            link.school
        )
        settings_by_school[link.school_id] = school_settings
        if today < chase_due_on(link, school_settings.chase_days_before):
            continue
        if ContributionLink.objects.filter(pk=link.pk, chased_at__isnull=True).update(
            chased_at=now
        ):
            send_mail(
                f"Reminder: your views for {link.cycle.pupil.first_name}'s review",
                (
                    f"Dear {link.recipient_name},\n\n"
                    f"{link.school.name} is reviewing {link.cycle.pupil.first_name}'s support "
                    f"plan on {link.cycle.review_date:%-d %B %Y}. We have not yet received your "
                    "views. Please use the link we sent you earlier (it works once and expires "
                    f"on {timezone.localtime(link.expires_at):%-d %B %Y}).\n\n"
                    "If you have lost the link, please contact the school's SENCO.\n"
                ),
                None,
                [link.recipient_email],
            )
            sent += 1
    return sent


def review_reminders_send(*, today: dt.date | None = None) -> int:
    """Email the responsible teacher and the SENCOs before each review. A cycle's reminder is
    claimed for its current review date, so moving the date lets one more reminder go out."""
    today = today or timezone.localdate()
    sent = 0
    horizon = today + dt.timedelta(days=31)
    cycles = (
        SupportCycle.objects.filter(
            status=SupportCycle.Status.ISSUED,
            review_date__gte=today,
            review_date__lte=horizon,
            pupil__archived_at__isnull=True,  # a pupil who has left has no review to come
        )
        .select_related("pupil", "school", "teacher_responsible")
        .order_by("school_id")
    )
    settings_by_school: dict = {}
    sencos_by_school: dict = {}
    for cycle in cycles:
        if cycle.reminder_sent_for == cycle.review_date:
            continue
        if cycle.school_id not in settings_by_school:
            settings_by_school[cycle.school_id] = ReviewSettings.for_school(cycle.school)
            sencos_by_school[cycle.school_id] = _school_sencos(cycle.school)
        if (cycle.review_date - today).days > settings_by_school[
            cycle.school_id
        ].reminder_days_before:
            continue
        claimed = (
            SupportCycle.objects.filter(pk=cycle.pk)
            .exclude(reminder_sent_for=cycle.review_date)
            .update(reminder_sent_for=cycle.review_date)
        )
        if not claimed:
            continue
        recipients = {u.email for u in sencos_by_school[cycle.school_id] if u.email}
        if cycle.teacher_responsible and cycle.teacher_responsible.email:
            recipients.add(cycle.teacher_responsible.email)
        if not recipients:
            continue
        pupil = cycle.pupil
        # Email leaves the system: first name and initial only, details behind the sign-in.
        send_mail(
            f"Support plan review on {cycle.review_date:%-d %B}: "
            f"{pupil.first_name} {pupil.last_name[:1]}.",
            (
                f"The support plan review for {pupil.first_name} {pupil.last_name[:1]}. "
                f"({cycle.school.name}) is on {cycle.review_date:%A %-d %B %Y}.\n\n"
                f"Open the plan: {settings.SITE_URL}"
                f"{in_school(reverse('reviews:cycle_detail', args=[cycle.public_id]), cycle.school)}\n"
            ),
            None,
            sorted(recipients),
        )
        sent += 1
    return sent


def calendar_token_rotate(*, user) -> str:
    user.calendar_token = secrets.token_urlsafe(32)
    user.save(update_fields=["calendar_token"])
    return user.calendar_token
