"""Scoped reads for the graduated approach. Each returns ready-joined data so a page's query
count does not grow with its rows."""

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace

from django.db.models import Prefetch, Q
from django.utils import timezone

from provision import selectors as provision_selectors
from provision.models import ProvisionGroup
from pupils.access import visible_pupils
from sencoweb.models import Membership, Term

from .models import ContributionLink, Outcome, PlanVersion, SupportCycle


def class_teacher_of(pupil) -> int | None:
    """The id of the pupil's class teacher, to be responsible for a new plan (CoP 6.52): the
    one teacher of their registration group, else the one teacher of all their groups; None
    when there is no single answer. One query."""
    from pupils.models import Pupil

    groups = Q(teachinggroup_id__in=Pupil.teaching_groups.through.objects.filter(
        pupil_id=pupil.pk
    ).values("teachinggroup_id"))  # fmt: skip
    if pupil.reg_group_id:
        groups |= Q(teachinggroup_id=pupil.reg_group_id)
    rows = set(_teachers_of_groups(pupil.school_id).filter(groups))
    return class_teacher_from(pupil.reg_group_id, rows)


def _teachers_of_groups(school_id):
    """(group id, user id) of the school's groups' staff who are its active teachers."""
    from pupils.models import TeachingGroup

    return (
        TeachingGroup.staff.through.objects.filter(teachinggroup__school_id=school_id)
        .filter(
            user__memberships__school_id=school_id,
            user__memberships__role="teacher",
            user__memberships__is_active=True,
        )
        .values_list("teachinggroup_id", "user_id")
    )


def class_teacher_from(reg_group_id, rows) -> int | None:
    """class_teacher_of's rule over the (group id, teacher id) pairs of one pupil's groups."""
    in_reg_group = {user for group, user in rows if group == reg_group_id}
    everyone = {user for _, user in rows}
    for found in (in_reg_group, everyone):
        if len(found) == 1:
            return found.pop()
    return None


def teachers_by_pupil(school) -> dict:
    """{pupil id: {(group id, teacher id), ...}} for every pupil of the school, in two queries
    (the demo gives each plan to a teacher of the pupil)."""
    from pupils.models import Pupil

    staff: dict = {}
    for group_id, user_id in _teachers_of_groups(school.pk):
        staff.setdefault(group_id, set()).add(user_id)
    out: dict = {}
    for pupil_id, group_id in Pupil.teaching_groups.through.objects.filter(
        pupil__school=school
    ).values_list("pupil_id", "teachinggroup_id"):
        out.setdefault(pupil_id, set()).update((group_id, u) for u in staff.get(group_id, ()))
    for pupil_id, group_id in Pupil.objects.for_school(school).values_list("pk", "reg_group_id"):
        out.setdefault(pupil_id, set()).update((group_id, u) for u in staff.get(group_id, ()))
    return out


def cycles_for_pupil(*, pupil):
    return (
        SupportCycle.objects.filter(pupil=pupil)
        .select_related("teacher_responsible", "review")
        .prefetch_related("outcomes")
        .order_by("-number")
    )


def review_of_pupil(*, pupil, cycle_id):
    """The review that closed one of this pupil's cycles, or None (another pupil's or school's
    cycle, or one not yet reviewed)."""
    from .models import Review

    return (
        Review.objects.filter(
            cycle__public_id=cycle_id,
            cycle__pupil=pupil,
            cycle__school_id=pupil.school_id,
            cycle__status=SupportCycle.Status.CLOSED,
        )
        .select_related("cycle")
        .first()
    )


def review_agreed(review) -> str:
    """One line for a record that follows a review: when, which plan, what was agreed."""
    step = review.get_next_step_display()
    return (
        f"Agreed at the review of support plan {review.cycle.number} on "
        f"{review.meeting_date:%-d %B %Y}: {step[:1].lower()}{step[1:]}."
    )


def cycle_for_detail(queryset):
    return queryset.select_related(
        "pupil", "teacher_responsible", "opened_by", "previous"
    ).prefetch_related(
        Prefetch("outcomes", queryset=Outcome.objects.select_related("carried_from")),
        Prefetch("versions", queryset=PlanVersion.objects.select_related("issued_by")),
        Prefetch(
            "contribution_links",
            queryset=ContributionLink.objects.select_related("created_by"),
        ),
    )


def half_term_end(school, today: dt.date) -> dt.date:
    """The last day of the current half term from the school's term dates, else 6 weeks on."""
    terms = Term.objects.for_school(school).filter(
        starts_on__lte=today + dt.timedelta(days=60), ends_on__gte=today
    )
    for term in terms.order_by("starts_on"):
        if term.starts_on > today:
            # A holiday: this "half term" is the next one's first half.
            today = term.starts_on
        if term.half_term_starts and today < term.half_term_starts:
            return term.half_term_starts - dt.timedelta(days=1)
        return term.ends_on
    return today + dt.timedelta(weeks=6)


@dataclass
class Calendar:
    overdue: list
    this_week: list
    this_half_term: list
    half_term_ends: dt.date
    week_ends: dt.date


def review_calendar(*, pupils, school, today: dt.date) -> Calendar:
    """Open cycles of the given (already visible) pupils, bucketed by review date."""
    week_ends = today + dt.timedelta(days=6 - today.weekday())
    ht_end = max(half_term_end(school, today), week_ends)
    cycles = list(
        SupportCycle.objects.for_school(school)
        .open()
        .filter(pupil__in=pupils.values("pk"), review_date__lte=ht_end)
        .select_related("pupil", "pupil__reg_group", "teacher_responsible")
        .order_by("review_date", "pupil__last_name")
    )
    return Calendar(
        overdue=[c for c in cycles if c.review_date < today],
        this_week=[c for c in cycles if today <= c.review_date <= week_ends],
        this_half_term=[c for c in cycles if week_ends < c.review_date <= ht_end],
        half_term_ends=ht_end,
        week_ends=week_ends,
    )


def current_strategies_for(pupils) -> dict:
    """pupil id -> the outcomes and strategies of the pupil's issued plan, as issued (the latest
    frozen version, not a draft being amended). One query whatever the number of pupils."""
    versions = (
        PlanVersion.objects.filter(
            cycle__pupil__in=pupils, cycle__status=SupportCycle.Status.ISSUED
        )
        .select_related("cycle__pupil")
        .order_by("cycle_id", "number")
    )
    latest: dict = {}
    for version in versions:
        latest[version.cycle_id] = version
    out = {}
    for version in latest.values():
        cycle = version.cycle
        out[cycle.pupil_id] = {
            "cycle": cycle,
            "version": version,
            "outcomes": version.outcomes,
            "review_date": version.review_date,
        }
    return out


def class_plans(*, request):
    """The pupils this member teaches who have an issued plan, with its strategies."""
    pupils = list(
        visible_pupils(request)
        .current()
        .filter(support_cycles__status=SupportCycle.Status.ISSUED)
        .select_related("reg_group")
        .order_by("last_name", "first_name")
    )
    plans = current_strategies_for([p.pk for p in pupils])
    return [(p, plans[p.pk]) for p in pupils if p.pk in plans]


def feed_cycles_for_user(user):
    """Open cycles with a review date, of the pupils the user may see in each of their schools
    (a shared SENCO gets both schools in one feed)."""
    out = []
    memberships = Membership.objects.active().filter(user=user).select_related("school")
    for membership in memberships:
        if not membership.can("plans.view"):
            continue
        fake_request = SimpleNamespace(membership=membership, school=membership.school, user=user)
        out.extend(
            SupportCycle.objects.for_school(membership.school)
            .open()
            .filter(
                review_date__isnull=False,
                pupil__in=visible_pupils(fake_request).current().values("pk"),
            )
            .select_related("pupil", "school")
            .order_by("review_date")
        )
    return out


# --------------------------------------------------------------------------- provision links


def provision_group_choices(pupil, *, keep=None, today: dt.date | None = None) -> list[tuple]:
    """(public id, label) of the provision groups the pupil is in now, for an outcome to link
    to; `keep` (an outcome's current link) stays offered after the group ends. One query."""
    today = today or timezone.localdate()
    current = Q(
        enrolments__pupil=pupil,
        enrolments__starts_on__lte=today,
        ends_on__gte=today,
    ) & (Q(enrolments__ends_on__isnull=True) | Q(enrolments__ends_on__gte=today))
    if keep:
        current |= Q(public_id=keep)
    groups = (
        ProvisionGroup.objects.for_school(pupil.school)
        .filter(current)
        .select_related("intervention", "staff__user")
        .distinct()
        .order_by("starts_on", "start_time")
    )
    return [
        (
            str(g.public_id),
            f"{g.title} ({g.days_label}, {g.session_minutes} min, "
            f"{g.staff.user.get_full_name() or g.staff.user.username})",
        )
        for g in groups
    ]


def linked_provision(outcomes, *, school, today: dt.date | None = None, pupil=None) -> dict:
    """{provision group public id: {"group", "stats", "attended"}} for the groups these
    outcomes link to, with delivered (held) against planned-to-date sessions and, for the
    plan's pupil, (sessions held while they had a place, sessions they attended). A fixed
    handful of queries."""
    ids = {o.provision_group_id for o in outcomes if o.provision_group_id}
    if not ids:
        return {}
    today = today or timezone.localdate()
    groups = list(provision_selectors.group_queryset(school).filter(public_id__in=ids))
    stats = provision_selectors.group_stats(groups, school=school, today=today)
    attended = provision_selectors.pupil_attendance(pupil, groups) if pupil else {}
    return {
        g.public_id: {"group": g, "stats": stats[g.pk], "attended": attended.get(g.pk)}
        for g in groups
    }


def provision_for_parents(outcomes, *, school) -> dict[str, dict]:
    """{provision group public id (str): what the plan tells parents about it} for the groups
    these outcomes (snapshot dicts or Outcome rows) link to: the intervention, how often and
    who delivers it, by role. Only these fields leave here: staff names and hourly rates are
    not for parents. One query."""
    ids = set()
    for o in outcomes:
        value = o.get("provision_group_id") if isinstance(o, dict) else o.provision_group_id
        if value:
            ids.add(str(value))
    if not ids:
        return {}
    groups = (
        ProvisionGroup.objects.for_school(school)
        .filter(public_id__in=ids)
        .select_related("intervention", "staff")
    )
    out = {}
    for g in groups:
        times = len(g.weekdays)
        often = "Once a week" if times == 1 else f"{times} times a week"
        out[str(g.public_id)] = {
            "name": g.intervention.name,
            "how_often": f"{often} ({g.days_label}), {g.session_minutes} minutes each time",
            "delivered_by": g.staff.job_title or g.staff.get_role_display(),
            "starts_on": g.starts_on,
            "ends_on": g.ends_on,
        }
    return out
