"""Demo pupils in national proportions (DOMAIN.md 2.6 and 9.4): about 13% on SEN support (K),
3% with EHC plans (E), a few on the monitoring list; primary needs in the January 2025 mix;
boys about 61% of K and 71% of E; FSM higher among pupils with SEN."""

import datetime as dt

from faker import Faker

from sencoweb.models import academic_year_of

from . import upn as upn_codes
from .models import Concern, Need, Pupil, StatusDecision, TeachingGroup

K_NEEDS = [
    ("SLCN", 26),
    ("SEMH", 20),
    ("MLD", 14),
    ("SPLD", 12),
    ("ASD", 12),
    ("OTH", 4),
    ("PD", 3),
    ("HI", 2),
    ("VI", 1),
    ("SLD", 1),
    ("NSA", 2),
    ("MSI", 1),
    ("DS", 1),
    ("PMLD", 1),
]
E_NEEDS = [
    ("ASD", 34),
    ("SLCN", 20),
    ("SEMH", 14),
    ("SLD", 9),
    ("MLD", 6),
    ("PD", 5),
    ("SPLD", 3),
    ("PMLD", 2),
    ("HI", 2),
    ("VI", 1),
    ("DS", 2),
    ("OTH", 2),
]
SECONDARY_NEED = ["SLCN", "SEMH", "SPLD", "MLD", "ASD"]

PRIMARY_YEARS = ["R", "1", "2", "3", "4", "5", "6"]
SECONDARY_YEARS = ["7", "8", "9", "10", "11"]

REASONS = {
    "K": "Assessment over two terms shows progress well below peers despite quality-first teaching; "
    "needs additional and different provision.",
    "E": "EHC plan issued by the local authority.",
    "M": "Teacher concern; watching closely for a half term before deciding.",
}


def _weighted(rng, pairs):
    total = sum(w for _, w in pairs)
    pick = rng.uniform(0, total)
    for value, weight in pairs:
        pick -= weight
        if pick <= 0:
            return value
    return pairs[-1][0]


def _dob_for_year(rng, year_code: str, academic_year: int) -> dt.date:
    offset = {"R": 0}.get(year_code)
    nc = offset if offset is not None else int(year_code)
    # Age on 31 August before the school year = NC year + 4.
    birth_year = academic_year - (nc + 5)
    start = dt.date(birth_year, 9, 1)
    return start + dt.timedelta(days=rng.randrange(365))


def seed(ctx):
    for school in ctx.schools:
        if Pupil.objects.for_school(school).exists():
            continue
        _seed_school(ctx, school)


def _seed_school(ctx, school):
    rng = ctx.rng(f"pupils:{school.urn}")
    fake = Faker("en_GB")
    fake.seed_instance(f"{ctx.seed}:{school.urn}")
    year = academic_year_of(ctx.today)
    primary = school.phase == "primary"
    years = PRIMARY_YEARS if primary else SECONDARY_YEARS
    teachers = ctx.staff_of(school, "teacher")
    tas = ctx.staff_of(school, "ta")

    # Groups: primary, one class per year (R to 6); secondary, five tutor groups a year plus
    # English and maths sets that the subject teachers teach.
    groups = {}
    for _y_index, y in enumerate(years):
        letters = ["W"] if primary else ["A", "B", "C", "D", "E"]
        for letter in letters:
            name = f"{'Class ' if primary else ''}{y}{letter}"
            kind = TeachingGroup.Kind.CLASS if primary else TeachingGroup.Kind.REGISTRATION
            groups[(y, letter)] = TeachingGroup.objects.create(school=school, name=name, kind=kind)
    sets = {}
    if not primary:
        for y in years:
            for subject in ("English", "Maths"):
                for n in (1, 2, 3):
                    sets[(y, subject, n)] = TeachingGroup.objects.create(
                        school=school, name=f"{y}{subject[:2]}{n}", subject=subject
                    )
    # Staff: the named demo teacher teaches Class 5W; each teacher gets a class or sets.
    through = TeachingGroup.staff.through
    links = []
    group_list = list(groups.values())
    for i, teacher in enumerate(teachers):
        if teacher.username == "teacher":
            target = groups[("5", "W")]
        else:
            target = group_list[i % len(group_list)]
        links.append(through(teachinggroup_id=target.pk, user_id=teacher.pk))
    for i, set_group in enumerate(sets.values()):
        if teachers:
            links.append(
                through(teachinggroup_id=set_group.pk, user_id=teachers[i % len(teachers)].pk)
            )
    for i, ta in enumerate(tas):
        target = (
            groups[("5", "W")] if ta.username == "ta" else group_list[(i * 2 + 1) % len(group_list)]
        )
        links.append(through(teachinggroup_id=target.pk, user_id=ta.pk))
    through.objects.bulk_create(links, ignore_conflicts=True)

    n = ctx.pupils_per_school[school.urn]
    pupils = []
    for i in range(n):
        y = years[i % len(years)]
        letter = "W" if primary else "ABCDE"[(i // len(years)) % 5]
        roll = rng.random()
        status = "E" if roll < 0.03 else "K" if roll < 0.16 else "M" if roll < 0.19 else "N"
        boy_share = {"E": 0.71, "K": 0.61}.get(status, 0.49)
        gender = "M" if rng.random() < boy_share else "F"
        first = fake.first_name_male() if gender == "M" else fake.first_name_female()
        fsm_share = {"E": 0.438, "K": 0.393}.get(status, 0.222)
        fsm = rng.random() < fsm_share
        pupils.append(
            Pupil(
                school=school,
                upn=upn_codes.make(
                    school.la_code, school.estab, year - (int(y) if y.isdigit() else 0), i
                ),
                first_name=first,
                last_name=fake.last_name(),
                date_of_birth=_dob_for_year(rng, y, year),
                gender=gender,
                nc_year=y,
                reg_group=groups[(y, letter)],
                eal=rng.random() < 0.2,
                fsm=fsm,
                pupil_premium=fsm or rng.random() < 0.05,
                looked_after=rng.random() < (0.04 if status in "KE" else 0.005),
                sen_status=status,
                sen_status_since=ctx.today - dt.timedelta(days=rng.randrange(30, 900))
                if status != "N"
                else None,
                joined_on=dt.date(year - (int(y) if y.isdigit() else 0), 9, 3),
            )
        )
    # A handful of apostrophes and accents, as real MIS exports have.
    for pupil, (first, last) in zip(
        pupils[:4],
        [("Siobhán", "O'Neill"), ("Zoë", "Brontë"), ("José", "Muñoz"), ("Chloé", "D'Souza")],
        strict=False,
    ):
        pupil.first_name, pupil.last_name = first, last
    Pupil.objects.bulk_create(pupils, batch_size=1000)
    pupils = list(Pupil.objects.for_school(school).select_related("reg_group"))

    memberships = []
    pupil_groups = Pupil.teaching_groups.through
    for p in pupils:
        memberships.append(pupil_groups(pupil_id=p.pk, teachinggroup_id=p.reg_group_id))
        if not primary:
            for subject in ("English", "Maths"):
                band = 3 if p.sen_status in "KE" and rng.random() < 0.6 else rng.choice((1, 2, 3))
                memberships.append(
                    pupil_groups(
                        pupil_id=p.pk, teachinggroup_id=sets[(p.nc_year, subject, band)].pk
                    )
                )
    pupil_groups.objects.bulk_create(memberships, batch_size=2000)

    senco = ctx.staff_of(school, "senco")[0]
    needs, decisions, concerns = [], [], []
    for p in pupils:
        if p.sen_status in ("K", "E"):
            primary_need = _weighted(rng, E_NEEDS if p.sen_status == "E" else K_NEEDS)
            starts = p.sen_status_since
            needs.append(
                Need(
                    pupil=p,
                    sen_type=primary_need,
                    rank=1,
                    starts_on=starts,
                    description=f"Identified {starts:%B %Y}.",
                    created_by=senco,
                )
            )
            if primary_need != "NSA" and rng.random() < 0.35:
                second = rng.choice([c for c in SECONDARY_NEED if c != primary_need])
                needs.append(
                    Need(pupil=p, sen_type=second, rank=2, starts_on=starts, created_by=senco)
                )
            path = ["N", "K"] if p.sen_status == "K" else ["N", "K", "E"]
            for index in range(1, len(path)):
                decided = p.sen_status_since - dt.timedelta(days=200 * (len(path) - 1 - index))
                decisions.append(
                    StatusDecision(
                        pupil=p,
                        decided_on=decided,
                        from_status=path[index - 1],
                        to_status=path[index],
                        reason=REASONS[path[index]],
                        evidence="Teacher assessment, standardised scores, parent meeting.",
                        decided_by=f"{senco.get_full_name()} (SENCO) with the class teacher",
                        parents_informed=True,
                        parents_informed_on=decided + dt.timedelta(days=3),
                        recorded_by=senco,
                    )
                )
        elif p.sen_status == "M":
            decisions.append(
                StatusDecision(
                    pupil=p,
                    decided_on=p.sen_status_since,
                    from_status="N",
                    to_status="M",
                    reason=REASONS["M"],
                    decided_by=f"{senco.get_full_name()} (SENCO)",
                    recorded_by=senco,
                )
            )
    Need.objects.bulk_create(needs, batch_size=2000)
    StatusDecision.objects.bulk_create(decisions, batch_size=2000)
    for p in pupils:
        if p.sen_status in ("K", "E"):
            p.date_parents_notified = p.sen_status_since + dt.timedelta(days=3)
    Pupil.objects.bulk_update(
        [p for p in pupils if p.sen_status in ("K", "E")],
        ["date_parents_notified"],
        batch_size=1000,
    )

    # Open concerns for the SENCO to triage, raised by class teachers.
    raisers = teachers or [senco]
    candidates = [p for p in pupils if p.sen_status in ("N", "M")]
    for p in rng.sample(candidates, min(6, len(candidates))):
        concerns.append(
            Concern(
                school=school,
                pupil=p,
                raised_by=rng.choice(raisers),
                area=rng.choice(["CI", "CL", "SEMH", "SP"]),
                what_seen="Struggles to follow multi-step instructions and often loses track mid-task; "
                "work is much shorter than peers'.",
                evidence="Book look and two weeks of observation notes.",
                parents_aware=rng.random() < 0.5,
                raised_at=dt.datetime.combine(
                    ctx.today - dt.timedelta(days=rng.randrange(1, 20)),
                    dt.time(15, 30),
                    tzinfo=dt.UTC,
                ),
            )
        )
    Concern.objects.bulk_create(concerns)
    ctx.log(
        f"  {school.name}: {len(pupils)} pupils, {sum(p.sen_status == 'K' for p in pupils)} K, "
        f"{sum(p.sen_status == 'E' for p in pupils)} E"
    )
