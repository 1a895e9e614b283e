"""Demo provision (DOMAIN.md 9): a catalogue of about 20 interventions across the four areas,
groups run by the school's TAs (the demo `ta` at Oakfield has sessions every weekday), a term of
logged sessions with cancellations, entry and exit scores, a budget, top-ups, training and the
SENCO's qualification. Everything goes in with bulk_create."""

import datetime as dt
from decimal import Decimal

from pupils.models import Pupil
from sencoweb.models import Membership

from . import costs, selectors
from .models import (
    Enrolment,
    Intervention,
    ProvisionGroup,
    SenBudget,
    SencoQualification,
    SessionLog,
    TopUpFunding,
    TrainingRecord,
)

# name, area, wave, group size, minutes, sessions a week, weeks, who, measure, (min, max)
CATALOGUE = [
    (
        "NELI (Nuffield Early Language Intervention)",
        "CI",
        2,
        3,
        30,
        3,
        20,
        "ta",
        "standardised",
        None,
    ),
    ("Talk Boost KS1", "CI", 2, 4, 30, 3, 10, "ta", "scale", (0, 20)),
    # Groups take interventions in this order and every third (from the third) has ended with
    # exit scores: a small primary's six or seven groups include this reading-age one, ended,
    # so its Impact page shows a ratio gain.
    ("Read Write Inc. Fresh Start", "CL", 2, 4, 30, 4, 16, "ta", "reading_age", None),
    ("Colourful Semantics", "CI", 3, 3, 20, 2, 12, "ta", "scale", (0, 10)),
    ("Lego-based therapy", "CI", 3, 4, 45, 1, 12, "ta", "scale", (1, 5)),
    ("Social Stories", "CI", 3, 1, 15, 2, 8, "hlta", "scale", (1, 5)),
    ("Precision Teaching", "CL", 3, 1, 10, 5, 12, "ta", "scale", (0, 60)),
    ("Talk Boost KS2", "CI", 2, 4, 30, 3, 10, "ta", "scale", (0, 20)),
    ("Toe by Toe", "CL", 3, 1, 20, 5, 16, "ta", "reading_age", None),
    ("Lexia", "CL", 2, 6, 30, 3, 20, "ta", "standardised", None),
    ("1st Class@Number", "CL", 2, 4, 30, 3, 12, "hlta", "standardised", None),
    ("Numicon intervention", "CL", 2, 4, 30, 3, 10, "ta", "standardised", None),
    ("Speed Up! handwriting", "CL", 2, 6, 30, 2, 10, "ta", "scale", (0, 40)),
    ("ELSA", "SEMH", 3, 1, 45, 1, 8, "ta", "sdq", None),
    ("Nurture group", "SEMH", 3, 8, 60, 4, 30, "hlta", "boxall", None),
    ("Zones of Regulation", "SEMH", 2, 6, 30, 1, 10, "ta", "sdq", None),
    ("Drawing and Talking", "SEMH", 3, 1, 30, 1, 12, "ta", "sdq", None),
    ("Sensory circuits", "SP", 2, 8, 15, 5, 12, "ta", "scale", (1, 5)),
    ("Write from the Start", "SP", 2, 4, 20, 3, 12, "ta", "scale", (0, 30)),
    ("Touch-typing", "SP", 3, 1, 20, 3, 10, "ta", "scale", (0, 60)),
]
PLACES = ["Library", "Nurture room", "Room 4", "Quiet room", "Hall corner", "SEN base"]
REASONS = ["staff_absent", "staff_absent", "pupil_absent", "trip", "room", "other"]
NOTES = [
    "",
    "",
    "",
    "Good focus today.",
    "Needed a movement break halfway.",
    "Finished the unit.",
    "Hard to settle after lunch.",
]
MAX_GROUPS = 120  # per school: keeps benchmark-size secondaries fast


def seed(ctx) -> None:
    for school in ctx.schools:
        if Intervention.objects.for_school(school).exists():
            continue
        _seed_school(ctx, school)


def _seed_school(ctx, school):
    rng = ctx.rng(f"provision:{school.urn}")
    today = ctx.today
    interventions = Intervention.objects.bulk_create(
        [
            Intervention(
                school=school,
                name=name,
                area=area,
                wave=wave,
                group_size=size,
                session_minutes=minutes,
                sessions_per_week=per_week,
                default_weeks=weeks,
                delivered_by=who,
                measure=measure,
                scale_min=scale[0] if scale else None,
                scale_max=scale[1] if scale else None,
                description=f"Typical dosage: {per_week} x {minutes} min a week for {weeks} weeks.",
            )
            for name, area, wave, size, minutes, per_week, weeks, who, measure, scale in CATALOGUE
        ]
    )
    staff = list(
        Membership.objects.filter(school=school, role="ta", is_active=True).select_related("user")
    )
    if not staff:
        return
    named_ta = next((m for m in staff if m.user.username == "ta"), None)
    pupils = list(
        Pupil.objects.for_school(school)
        .filter(sen_status__in=["K", "E"], archived_at__isnull=True)
        .order_by("pk")
    )
    rng.shuffle(pupils)
    by_area = {}
    for i in interventions:
        by_area.setdefault(i.area, []).append(i)

    groups, members = [], []
    cursor = 0
    n_groups = min(MAX_GROUPS, max(6, len(pupils) // 3))
    for n in range(n_groups):
        intervention = interventions[n % len(interventions)]
        size = min(intervention.group_size, 4)
        chosen = pupils[cursor : cursor + size] or pupils[:size]
        cursor = (cursor + size) % max(len(pupils), 1)
        if not chosen:
            break
        # About a third of the groups ran last half-term and have ended with exit scores.
        ended = n % 3 == 2
        start = today - dt.timedelta(weeks=15 if ended else 9, days=today.weekday())
        end = today - dt.timedelta(days=7) if ended else today + dt.timedelta(weeks=4)
        member = staff[n % len(staff)]
        if named_ta is not None and n < 4:
            member = named_ta
        days = "".join(sorted(rng.sample("01234", min(intervention.sessions_per_week, 5))))
        if member is named_ta and not ended:
            days = "01234"  # the demo TA has something to log whichever day it is
        groups.append(
            ProvisionGroup(
                school=school,
                intervention=intervention,
                name=f"Group {n + 1}" if size > 1 else "",
                staff=member,
                days=days,
                start_time=dt.time(8 + (n % 6), 15 if n % 2 else 40),
                session_minutes=intervention.session_minutes,
                place=PLACES[n % len(PLACES)],
                starts_on=start,
                ends_on=end,
                hourly_rate=member.hourly_rate or Decimal("17.20"),
                exclusive_to=chosen[0] if size == 1 and chosen[0].sen_status == "E" else None,
                resource_cost=Decimal(rng.choice([0, 0, 25, 40, 95])),
            )
        )
        members.append(chosen)
    groups = ProvisionGroup.objects.bulk_create(groups)

    enrolments = []
    # One pupil of the first ended group left it for a few weeks (a hospital stay) and re-joined
    # it: two places, the first with only its entry score, and no sessions in between.
    away = {}  # (group index, pupil pk): (last day of the first place, first of the second)
    for n, (group, chosen) in enumerate(zip(groups, members, strict=True)):
        if group.ends_on < today and not group.exclusive_to_id and len(chosen) > 1:
            left_on = group.starts_on + dt.timedelta(weeks=3, days=4)
            back_on = group.starts_on + dt.timedelta(weeks=6)
            if back_on < group.ends_on:
                away[(n, chosen[-1].pk)] = (left_on, back_on)
            break
    for n, (group, chosen) in enumerate(zip(groups, members, strict=True)):
        measure = group.intervention.measure
        for pupil in chosen:
            entry, exit_ = _scores(rng, measure, group.intervention)
            ended = group.ends_on < today
            if (n, pupil.pk) in away:
                left_on, back_on = away[(n, pupil.pk)]
                # Assessed again on re-joining: part of the way to their exit score, so the
                # second place's gain (and ratio gain) is of the size the others show.
                step = Decimal("0.1") if measure == "scale" else Decimal(1)
                resumed = (entry + (exit_ - entry) * 2 / 5).quantize(step)
                enrolments += [
                    Enrolment(
                        group=group, pupil=pupil, starts_on=group.starts_on, ends_on=left_on,
                        entry_score=entry, entry_on=group.starts_on,
                        impact_note="Left for a hospital stay; no exit assessment.",
                    ),
                    Enrolment(
                        group=group, pupil=pupil, starts_on=back_on, ends_on=group.ends_on,
                        entry_score=resumed, entry_on=back_on,
                        exit_score=exit_, exit_on=group.ends_on,
                    ),
                ]  # fmt: skip
                continue
            enrolments.append(
                Enrolment(
                    group=group,
                    pupil=pupil,
                    starts_on=group.starts_on,
                    ends_on=group.ends_on if ended else None,
                    entry_score=entry,
                    entry_on=group.starts_on,
                    exit_score=exit_ if ended else None,
                    exit_on=group.ends_on if ended else None,
                )
            )
    Enrolment.objects.bulk_create(enrolments)

    # A term of logged sessions: most held, some cancelled, the odd pupil away.
    calendar = selectors.calendar_for(school)
    logs, attendance_plan = [], []
    for n, (group, chosen) in enumerate(zip(groups, members, strict=True)):
        for day in calendar.dates(group, until=today - dt.timedelta(days=1)):
            if rng.random() < 0.04:
                continue  # not logged
            held = rng.random() > 0.1
            logs.append(
                SessionLog(
                    group=group,
                    date=day,
                    status="held" if held else "cancelled",
                    reason="" if held else rng.choice(REASONS),
                    # How it went is for a session that ran ("Good focus today.").
                    note=rng.choice(NOTES) if held else "",
                    logged_by=group.staff.user,
                )
            )
            # The random draw comes first, so the pupil away draws as the others do.
            present = (
                [p for p in chosen if rng.random() > 0.08 and not _away(away, n, p, day)]
                if held
                else []
            )
            if held and not present:  # nobody came: that session was cancelled, pupils absent
                logs[-1].status, logs[-1].reason, logs[-1].note = "cancelled", "pupil_absent", ""
            attendance_plan.append(present)
    logs = SessionLog.objects.bulk_create(logs, batch_size=2000)
    through = SessionLog.attended.through
    through.objects.bulk_create(
        [
            through(sessionlog_id=log.pk, pupil_id=p.pk)
            for log, present in zip(logs, attendance_plan, strict=True)
            for p in present
        ],
        batch_size=5000,
    )

    sept = school.financial_year_starts_in_september
    year = costs.financial_year_of(today, september=sept)
    base = Decimal(60000) if school.phase == "primary" else Decimal(240000)
    SenBudget.objects.bulk_create(
        [
            SenBudget(school=school, year=year, amount=base, notes="Notified by the LA in March."),
            SenBudget(school=school, year=year - 1, amount=base - 2500),
        ]
    )
    # Top-up with an EHC plan is seeded with the plans (reviews.demo_ehc), linked to them. An
    # LA may also pay top-up without a plan (DOMAIN.md 5.1): two pupils on SEN support have it,
    # recorded here as it would be on the budget page.
    without_plan = [p for p in pupils if p.sen_status == "K"][:2]
    TopUpFunding.objects.bulk_create(
        [
            TopUpFunding(
                school=school,
                pupil=p,
                la_name=school.la_name,
                band=rng.choice(["Band 1", "Band 2"]),
                amount=Decimal(rng.choice([1800, 2400, 3200])),
                starts_on=today - dt.timedelta(days=rng.randint(60, 400)),
                with_ehc_plan=False,
            )
            for p in without_plan
        ]
    )
    courses = [
        ("Talk Boost KS2 training", "Speech and Language UK", 6),
        ("ELSA initial training", "Educational Psychology Service", 30),
        ("Precision Teaching refresher", "SENCO (in house)", 1.5),
        ("Autism awareness (Tier 1)", "Autism Education Trust", 3),
        ("Zones of Regulation", "LA outreach", 2),
    ]
    records = TrainingRecord.objects.bulk_create(
        [
            TrainingRecord(
                school=school,
                course=course,
                provider=provider,
                date=today - dt.timedelta(days=20 + 35 * i),
                hours=Decimal(str(hours)),
            )
            for i, (course, provider, hours) in enumerate(courses)
        ]
    )
    attendees = TrainingRecord.attendees.through
    attendees.objects.bulk_create(
        [
            attendees(trainingrecord_id=r.pk, membership_id=m.pk)
            for r in records
            for m in rng.sample(staff, min(len(staff), 3))
        ]
    )
    senco = Membership.objects.filter(school=school, role="senco").first()
    if senco is not None and not SencoQualification.objects.filter(membership=senco).exists():
        primary = school.phase == "primary"
        SencoQualification.objects.create(
            school=school,
            membership=senco,
            qualification="in_progress" if primary else "nasenco",
            appointed_on=dt.date(today.year - 2, 9, 1) if primary else dt.date(2016, 9, 1),
            achieved_on=None if primary else dt.date(2018, 7, 1),
        )


def _away(away, n, pupil, day) -> bool:
    gap = away.get((n, pupil.pk))
    return gap is not None and gap[0] < day < gap[1]


def _scores(rng, measure, intervention):
    if measure == "standardised":
        entry = rng.randint(70, 88)
        return Decimal(entry), Decimal(entry + rng.randint(-2, 9))
    if measure == "reading_age":
        entry = rng.randint(78, 120)  # months
        return Decimal(entry), Decimal(entry + rng.randint(3, 14))
    if measure == "sdq":
        entry = rng.randint(14, 26)
        return Decimal(entry), Decimal(max(entry - rng.randint(-1, 7), 0))
    if measure == "boxall":
        entry = rng.randint(40, 90)
        return Decimal(entry), Decimal(entry + rng.randint(0, 25))
    low, high = intervention.scale_min or 0, intervention.scale_max or 10
    entry = rng.uniform(float(low), float(low) + (float(high) - float(low)) * 0.5)
    exit_ = min(float(high), entry + rng.uniform(0, (float(high) - float(low)) * 0.4))
    return Decimal(str(round(entry, 1))), Decimal(str(round(exit_, 1)))
