"""Demo support plan cycles at every stage for pupils on SEN support (K): assessing, plan
drafted, issued, review due this week, overdue, and reviewed with the next cycle open and
outcomes carried forward; plus contribution links (one submitted). Bulk inserts, idempotent."""

import datetime as dt
import hashlib

from django.utils import timezone

from provision.models import Enrolment
from provision.selectors import calendar_for
from pupils.models import Pupil

from .models import ContributionLink, Outcome, PlanVersion, Review, SupportCycle
from .next_review import pupils_next_review_sync
from .selectors import teachers_by_pupil
from .services import end_of_day

# Per school, at most this many K pupils get cycles: enough for every stage and a real
# calendar, without making a 50,000-pupil benchmark seed slow.
MAX_PER_SCHOOL = 120

OUTCOMES = {
    "CL": (
        "Reads a short passage at their reading level aloud with 95% accuracy",
        "Three running records in a row at 95% or better",
        "Pre-teach key vocabulary; coloured overlay; reading buddy",
        "Reading intervention, 3 x 20 minutes a week",
    ),
    "CI": (
        "Asks an adult for help using a help card when stuck",
        "Uses the help card in 4 of 5 observed lessons",
        "Visual timetable; give processing time; check understanding with 'show me'",
        "Speech and language group, 2 x 30 minutes a week",
    ),
    "SEMH": (
        "Uses a calm-down strategy to return to learning within 5 minutes",
        "Returns to learning within 5 minutes on 8 of 10 logged occasions",
        "Meet and greet each morning; a named safe space; warn before transitions",
        "ELSA sessions weekly",
    ),
    "SP": (
        "Forms letters correctly when writing a sentence on lined paper",
        "Legible handwriting in 3 consecutive pieces of independent writing",
        "Writing slope; pencil grip; extra time to copy from the board",
        "Fine motor skills group, 3 x 15 minutes a week",
    ),
}
AREAS = list(OUTCOMES)
STAGES = ["assess", "planning", "issued", "due_week", "overdue", "reviewed"]


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def school_day_snapper(school):
    """(day, step) -> the nearest school day from `day`, stepping by `step` (+1 forward, -1
    back): a weekday, inside a term and outside a half term where the school's term dates
    reach; a weekday beyond them. Reviews are meetings with parents: never in a weekend or a
    holiday."""
    cal = calendar_for(school)
    known = cal.open_days or []
    first = min((a for a, _ in known), default=None)
    last = max((b for _, b in known), default=None)

    def is_school_day(day):
        if day.weekday() > 4:
            return False
        if first is None or not first <= day <= last:
            return True
        in_term = any(a <= day <= b for a, b in known)
        return in_term and not any(a <= day <= b for a, b in cal.closed)

    def snap(day, step=1):
        for _ in range(120):  # the longest holiday is about six weeks
            if is_school_day(day):
                return day
            day += dt.timedelta(days=step)
        return day

    return snap


def seed(ctx):
    for school in ctx.schools:
        if SupportCycle.objects.for_school(school).exists():
            continue
        _seed_school(ctx, school)
    try:
        from . import demo_ehc
    except ImportError:
        return
    demo_ehc.seed(ctx)


def _class_teacher(pupil, teachers, index, rows):
    """The pupil's class teacher where the demo's groups say who that is, else one of the
    teachers who teach them (a secondary pupil has several), so reminders and the class plans
    page reach someone who teaches the pupil; else one of the school's teachers. `rows`: the
    pupil's (group, teacher) pairs from selectors.teachers_by_pupil."""
    from .selectors import class_teacher_from

    found = class_teacher_from(pupil.reg_group_id, rows)
    by_id = {t.pk: t for t in teachers}
    if found in by_id:
        return by_id[found]
    teaching = [by_id[pk] for pk in sorted({user for _, user in rows}) if pk in by_id]
    pool = teaching or teachers
    return pool[index % len(pool)] if pool else None


def _seed_school(ctx, school):
    rng = ctx.rng(f"reviews:{school.urn}")
    sencos = ctx.staff_of(school, "senco")
    teachers = ctx.staff_of(school, "teacher")
    if not sencos:
        return
    senco = sencos[0]
    pupils = list(Pupil.objects.for_school(school).filter(sen_status="K").order_by("pk"))[
        :MAX_PER_SCHOOL
    ]
    today = ctx.today
    now = timezone.now()
    snap = school_day_snapper(school)
    teaching_rows = teachers_by_pupil(school)
    first_cycles, plans = [], []
    for index, pupil in enumerate(pupils):
        stage = STAGES[index % len(STAGES)]
        opened = today - dt.timedelta(days=rng.randint(20, 80))
        # Future reviews move forward to the next school day, past ones back to the last.
        review_date = {
            "assess": None,
            "planning": snap(today + dt.timedelta(days=rng.randint(30, 70))),
            "issued": snap(today + dt.timedelta(days=rng.randint(10, 60))),
            # This week's school days still to come (Friday at the latest).
            "due_week": snap(
                today + dt.timedelta(days=rng.randint(0, max(0, 4 - today.weekday())))
            ),
            "overdue": snap(today - dt.timedelta(days=rng.randint(1, 21)), -1),
            "reviewed": snap(today - dt.timedelta(days=rng.randint(7, 30)), -1),
        }[stage]
        status = {
            "assess": "assess",
            "planning": "planning",
            "reviewed": "closed",
        }.get(stage, "issued")
        if review_date and review_date < today:
            # A plan that has been (or should have been) reviewed ran for 6 to 12 weeks first.
            opened = min(opened, review_date - dt.timedelta(days=rng.randint(42, 84)))
        # Assessed a week after opening, issued a few days later: never after today.
        issued_on = min(opened + dt.timedelta(days=rng.randint(10, 14)), today)
        issued_at = timezone.make_aware(dt.datetime.combine(issued_on, dt.time(15, 30)))
        area = AREAS[rng.randrange(len(AREAS))]
        second = AREAS[(AREAS.index(area) + 1) % len(AREAS)]
        cycle = SupportCycle(
            school=school,
            pupil=pupil,
            number=1,
            status=status,
            teacher_responsible=_class_teacher(
                pupil, teachers, index, teaching_rows.get(pupil.pk, set())
            ),
            assessed_on=opened + dt.timedelta(days=7) if status != "assess" else None,
            assessed_by="Class teacher and SENCO" if status != "assess" else "",
            teacher_assessment=""
            if status == "assess"
            else "Progress well below peers over two terms despite adapted teaching.",
            standardised_scores="" if status == "assess" else f"Reading SS {rng.randint(70, 84)}",
            pupil_views="" if status == "assess" else "I like it when I can work with a partner.",
            parent_views="" if status == "assess" else "Homework is a struggle at home.",
            review_date=review_date,
            issued_at=None if status in ("assess", "planning") else issued_at,
            opened_by=senco,
            opened_at=timezone.make_aware(dt.datetime.combine(opened, dt.time(9))),
            closed_at=(
                timezone.make_aware(dt.datetime.combine(review_date, dt.time(16)))
                if status == "closed"
                else None
            ),
        )
        first_cycles.append(cycle)
        plans.append((cycle, stage, [area, second] if status != "assess" else []))
    SupportCycle.objects.bulk_create(first_cycles)

    # An outcome is linked to the provision group that works on it, as a SENCO links them on
    # the plan: a group the pupil is in whose intervention is for the outcome's area of need.
    delivering = {}
    for pupil_id, area, group_id in (
        Enrolment.objects.filter(group__school=school, ends_on__isnull=True)
        .order_by("group__starts_on", "pk")
        .values_list("pupil_id", "group__intervention__area", "group__public_id")
    ):
        delivering.setdefault((pupil_id, area), group_id)
    outcomes, versions, reviews = [], [], []
    for cycle, _stage, areas in plans:
        for order, area in enumerate(areas, start=1):
            text, criterion, strategies, provision = OUTCOMES[area]
            outcome = Outcome(
                cycle=cycle,
                order=order,
                area=area,
                description=text,
                success_criterion=criterion,
                strategies=strategies,
                provision=provision,
                provision_group_id=delivering.get((cycle.pupil_id, area)),
            )
            if cycle.status == "closed":
                outcome.rating = "achieved" if order == 1 else "partly"
                outcome.progress = 2 if order == 1 else 1
            outcomes.append(outcome)
    Outcome.objects.bulk_create(outcomes)
    by_cycle: dict = {}
    for outcome in outcomes:
        by_cycle.setdefault(outcome.cycle_id, []).append(outcome)

    next_cycles, carried_src = [], []
    for cycle, _stage, _areas in plans:
        if cycle.status in ("issued", "closed"):
            versions.append(
                PlanVersion(
                    cycle=cycle,
                    number=1,
                    issued_at=cycle.issued_at,
                    issued_by=senco,
                    review_date=cycle.review_date,
                    snapshot={"outcomes": [o.snapshot() for o in by_cycle.get(cycle.pk, [])]},
                )
            )
        if cycle.status == "closed":
            reviews.append(
                Review(
                    cycle=cycle,
                    meeting_date=cycle.review_date,
                    attendees="Parent\nClass teacher\nSENCO",
                    pupil_voice="Reading is getting easier.",
                    parent_voice="Much happier going to school.",
                    summary="First outcome achieved; handwriting still developing.",
                    next_step="continue",
                    recorded_by=senco,
                    recorded_at=cycle.closed_at,
                )
            )
            nxt = SupportCycle(
                school=school,
                pupil=cycle.pupil,
                number=2,
                previous=cycle,
                status="planning",
                teacher_responsible=cycle.teacher_responsible,
                assessed_on=cycle.review_date,
                assessed_by="Review meeting",
                teacher_assessment="First outcome achieved; handwriting still developing.",
                review_date=snap(today + dt.timedelta(weeks=rng.randint(8, 12))),
                opened_by=senco,
                opened_at=cycle.closed_at,  # closing the review opens the next cycle
            )
            next_cycles.append(nxt)
            carried_src.append(
                (nxt, [o for o in by_cycle.get(cycle.pk, []) if o.rating != "achieved"])
            )
    PlanVersion.objects.bulk_create(versions)
    Review.objects.bulk_create(reviews)
    SupportCycle.objects.bulk_create(next_cycles)
    Outcome.objects.bulk_create(
        [
            Outcome(
                cycle=nxt,
                order=n,
                area=o.area,
                description=o.description,
                success_criterion=o.success_criterion,
                strategies=o.strategies,
                provision=o.provision,
                provision_group_id=o.provision_group_id,
                carried_from=o,
            )
            for nxt, olds in carried_src
            for n, o in enumerate(olds, start=1)
        ]
    )

    # Contribution links before the reviews due this week: one parent's views came back.
    links = []
    due = [c for c, stage, _ in plans if stage == "due_week"][:3]
    for n, cycle in enumerate(due):
        parent = f"{('Mrs', 'Mr', 'Ms')[n % 3]} {cycle.pupil.last_name}"
        for kind, name in (("parent", parent), ("pupil", cycle.pupil.first_name)):
            submitted = n == 0 and kind == "parent"
            links.append(
                ContributionLink(
                    school=school,
                    cycle=cycle,
                    kind=kind,
                    recipient_name=name,
                    recipient_email="parent@demo.sencoweb.test" if kind == "parent" else "",
                    # Demo tokens are unusable: the raw token was never kept.
                    token_hash=_hash(f"demo:{school.urn}:{cycle.pupil_id}:{kind}:{rng.random()}"),
                    created_by=senco,
                    created_at=now - dt.timedelta(days=3),
                    # The default: open until the end of the review day.
                    expires_at=max(end_of_day(cycle.review_date), now + dt.timedelta(hours=1)),
                    submitted_at=now - dt.timedelta(days=1) if submitted else None,
                    answers={
                        "going_well": "Enjoys the reading group and talks about it at home.",
                        "worries": "Still finds spelling homework stressful.",
                        "helps_at_home": "Short bursts with a timer.",
                    }
                    if submitted
                    else {},
                )
            )
    ContributionLink.objects.bulk_create(links)

    # Pupil.next_review_due by the one rule (reviews.next_review), as every writer sets it.
    pupils_next_review_sync(
        pupils=Pupil.objects.for_school(school).filter(support_cycles__isnull=False).distinct()
    )
    ctx.log(f"  {school.name}: {len(first_cycles) + len(next_cycles)} support plan cycles")
