"""Demo pupils in national proportions (DOMAIN.md 2.6 and 9.4): about 13% on SEN support (K),
3% with EHC plans (E), a few on the monitoring list; primary needs in the January 2025 mix;
boys about 61% of K and 71% of E; FSM higher among pupils with SEN."""

import datetime as dt

from faker import Faker

from sencoweb.models import academic_year_of

from . import upn as upn_codes
from .models import (
    AccessArrangement,
    Agency,
    Concern,
    Contact,
    Involvement,
    LiaisonEntry,
    Need,
    Professional,
    Pupil,
    StatusDecision,
    TeachingGroup,
    add_months,
)

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
        if not Pupil.objects.for_school(school).exists():
            _seed_school(ctx, school)
        if not Agency.objects.for_school(school).exists():
            _seed_records(ctx, school)


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
                    school.la_code,
                    school.estab,
                    year - (int(y) if y.isdigit() else 0),
                    # serial within the year group: a UPN has 3 serial digits, a 2,000 roll has 400 a year
                    i // len(years),
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


AGENCIES = [
    ("City Educational Psychology Service", "ep", "Dr Priya Shah", "Educational psychologist"),
    (
        "Children's Speech and Language Therapy",
        "salt",
        "Tom Briggs",
        "Speech and language therapist",
    ),
    ("Children's Occupational Therapy", "ot", "Hannah Lee", "Occupational therapist"),
    (
        "CAMHS (child and adolescent mental health)",
        "camhs",
        "Dr Ade Bello",
        "Clinical psychologist",
    ),
    ("Sensory Support Service", "sensory", "Maria Costa", "Qualified teacher of the deaf"),
    ("Local authority SEN team", "la_sen", "Jo Whitfield", "SEN caseworker"),
    ("Community Paediatrics", "paeds", "Dr Neil Grant", "Community paediatrician"),
]
AGENCY_FOR_NEED = {
    "SLCN": "salt",
    "ASD": "paeds",
    "SEMH": "camhs",
    "HI": "sensory",
    "VI": "sensory",
    "MSI": "sensory",
    "PD": "ot",
    "SPLD": "ep",
    "MLD": "ep",
    "SLD": "ep",
    "PMLD": "ep",
    "DS": "paeds",
    "OTH": "ep",
    "NSA": "ep",
}
PROFILE = {
    "SLCN": (
        "Short, clear instructions one at a time; visual prompts; time to answer.",
        "Long verbal explanations; being put on the spot in front of the class.",
    ),
    "ASD": (
        "A visual timetable and warning before changes; a quiet space at break.",
        "Sudden changes, loud busy rooms, vague instructions.",
    ),
    "SEMH": (
        "A calm, consistent adult; a 'time out' card; praise in private.",
        "Public sanctions; being rushed; unstructured times without a plan.",
    ),
    "SPLD": (
        "Coloured overlay, word banks, extra time to read, typing longer pieces.",
        "Copying from the board; reading aloud without warning.",
    ),
    "MLD": (
        "Pre-teaching key words; concrete resources; small steps with checks.",
        "Too much on a worksheet; moving on before secure.",
    ),
}
DEFAULT_PROFILE = (
    "Seat near the front; check understanding quietly; chunk tasks.",
    "Being singled out; too many instructions at once.",
)
ABOUT = [
    "I love football and drawing.",
    "I like animals, especially my dog.",
    "I enjoy Lego and building things.",
    "I like music and dancing.",
    "I like gaming and I am good at maths puzzles.",
]


def _seed_records(ctx, school):
    """Profiles, parents and carers, liaison, agencies, involvements, access arrangements and a
    few archived leavers. Bulk writes only: the secondary can have tens of thousands of pupils."""
    rng = ctx.rng(f"pupils-records:{school.urn}")
    fake = Faker("en_GB")
    fake.seed_instance(f"{ctx.seed}:records:{school.urn}")
    senco = ctx.staff_of(school, "senco")[0]
    agencies = {}
    for name, kind, person, role in AGENCIES:
        agency = Agency.objects.create(
            school=school,
            name=name,
            kind=kind,
            phone=fake.phone_number(),
            email=f"referrals@{kind.replace('_', '')}.example.org",
            referral_notes="Referral form via the LA portal; parental consent needed.",
        )
        Professional.objects.create(
            agency=agency,
            name=person,
            role=role,
            email=f"{person.split()[-1].lower()}@{kind.replace('_', '')}.example.org",
        )
        agencies[kind] = agency
    pros = {p.agency_id: p for p in Professional.objects.filter(agency__school=school)}

    register = list(Pupil.objects.for_school(school).current().with_sen().prefetch_related("needs"))
    primary_need = {
        p.pk: next((n.sen_type for n in p.needs.all() if n.rank == 1), None) for p in register
    }
    contacts, liaison, involvements, arrangements = [], [], [], []
    for p in register:
        need = primary_need[p.pk]
        helps, hinders = PROFILE.get(need, DEFAULT_PROFILE)
        p.about_me = rng.choice(ABOUT)
        p.strengths = "Kind to others, keeps trying, a good sense of humour."
        p.important_to_me = "My family, my friends, knowing what is happening next."
        p.what_helps = helps
        p.what_does_not_help = hinders
        p.how_i_communicate = "I may say I'm fine when I'm not: check in quietly."
        p.profile_updated_at = dt.datetime.combine(
            p.sen_status_since or ctx.today, dt.time(12), tzinfo=dt.UTC
        )
        surname = p.last_name
        contacts.append(
            Contact(
                pupil=p,
                name=f"{fake.first_name_female()} {surname}",
                relationship="Mother",
                phone=fake.phone_number(),
                email=f"{surname.lower().replace(' ', '')}@example.com",
                preferred_contact=rng.choice(["phone", "email", "text"]),
            )
        )
        if rng.random() < 0.6:
            contacts.append(
                Contact(
                    pupil=p,
                    name=f"{fake.first_name_male()} {surname}",
                    relationship="Father",
                    phone=fake.phone_number(),
                    preferred_contact="phone",
                    lives_with_pupil=rng.random() < 0.7,
                )
            )
        if p.sen_status in ("K", "E"):
            for k in range(rng.randint(1, 3)):
                happened = ctx.today - dt.timedelta(days=rng.randrange(5, 200))
                due = happened + dt.timedelta(days=14)
                liaison.append(
                    LiaisonEntry(
                        pupil=p,
                        kind=rng.choice(["meeting", "call", "email", "letter"]),
                        happened_on=happened,
                        recorded_by=senco,
                        summary="Termly SEN support review with parents: progress against outcomes "
                        "discussed; next steps agreed."
                        if k == 0
                        else "Update on how the week went.",
                        follow_up="Send home the updated support plan" if k == 0 else "",
                        follow_up_due=due if k == 0 else None,
                        follow_up_done_on=due
                        if k == 0 and due < ctx.today and rng.random() < 0.7
                        else None,
                    )
                )
            if need and rng.random() < (0.8 if p.sen_status == "E" else 0.35):
                agency = agencies[AGENCY_FOR_NEED.get(need, "ep")]
                status = rng.choice(["referred", "waiting", "active", "active", "discharged"])
                referred = ctx.today - dt.timedelta(days=rng.randrange(30, 500))
                involvements.append(
                    Involvement(
                        pupil=p,
                        agency=agency,
                        professional=pros.get(agency.pk),
                        referral_date=referred,
                        status=status,
                        next_appointment=ctx.today + dt.timedelta(days=rng.randrange(7, 90))
                        if status in ("waiting", "active")
                        else None,
                        discharged_on=referred + dt.timedelta(days=200)
                        if status == "discharged"
                        else None,
                        notes="Assessment report received and shared with the class teacher."
                        if status in ("active", "discharged")
                        else "",
                    )
                )
        if p.nc_year in ("10", "11") and p.sen_status in ("K", "E") and rng.random() < 0.55:
            kind = rng.choice(["et25", "et25", "rest", "reader", "wp", "room"])
            approved = ctx.today - dt.timedelta(days=rng.randrange(30, 780))
            assessed = approved - dt.timedelta(days=20)
            formal = kind in AccessArrangement.AAO_KINDS
            arrangements.append(
                AccessArrangement(
                    pupil=p,
                    kind=kind,
                    route="aao" if formal else "delegated",
                    normal_way_of_working="Teacher notes from English, maths and science show this "
                    "has been the normal way of working in lessons and mocks since Year 9.",
                    assessor_name="J Patel" if formal else "",
                    assessor_qualification="l7" if formal else "",
                    qualification_checked_on=assessed - dt.timedelta(days=30) if formal else None,
                    assessed_on=assessed if formal else None,
                    score_1_test="Reading speed" if formal else "",
                    score_1=rng.randint(74, 84) if formal else None,
                    score_2_test="Writing speed" if formal else "",
                    score_2=rng.randint(78, 89) if formal else None,
                    aao_reference=f"AAO{rng.randint(100000, 999999)}" if formal else "",
                    approved_on=approved,
                    expires_on=add_months(approved, 26),
                    recorded_by=senco,
                )
            )
    Pupil.objects.bulk_update(
        register,
        [
            "about_me",
            "strengths",
            "important_to_me",
            "what_helps",
            "what_does_not_help",
            "how_i_communicate",
            "profile_updated_at",
        ],
        batch_size=1000,
    )
    Contact.objects.bulk_create(contacts, batch_size=2000)
    LiaisonEntry.objects.bulk_create(liaison, batch_size=2000)
    Involvement.objects.bulk_create(involvements, batch_size=2000)
    AccessArrangement.objects.bulk_create(arrangements, batch_size=2000)

    # A few leavers, archived with the retention date their route gives (DOMAIN.md 8.2): one
    # moved school and had their file sent a term ago (due for destruction), one moved lately
    # and the file is not recorded as sent yet, one left for home education (DOB + 31 years).
    leavers = [p for p in register if p.sen_status == "K"][-3:]
    now = dt.datetime.combine(ctx.today, dt.time(9), tzinfo=dt.UTC)
    routes = [
        (Pupil.LeftFor.SCHOOL, "Elm Park Academy (URN 140001)", 100, 95),
        (Pupil.LeftFor.SCHOOL, "Brookside School (URN 120002)", 12, None),
        (Pupil.LeftFor.HOME, "", 40, None),
    ]
    for p, (left_for, destination, days_ago, sent_days_ago) in zip(leavers, routes, strict=False):
        p.left_on = ctx.today - dt.timedelta(days=days_ago + rng.randrange(3))
        p.left_for = left_for
        p.destination = destination
        p.file_sent_on = ctx.today - dt.timedelta(days=sent_days_ago) if sent_days_ago else None
        p.archived_at = now
        p.retention_until = p.retention_date()
    Pupil.objects.bulk_update(
        leavers,
        ["left_on", "left_for", "destination", "file_sent_on", "archived_at", "retention_until"],
    )
    ctx.log(
        f"  {school.name}: {len(contacts)} contacts, {len(liaison)} liaison entries, "
        f"{len(involvements)} involvements, {len(arrangements)} access arrangements, "
        f"{len(leavers)} archived leavers"
    )
