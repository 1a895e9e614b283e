"""Demo data for the core: a trust, two small primaries sharing a SENCO, a secondary, staff and
term dates. seed_demo calls this first, then each app's own `demo.seed(ctx)` in app order."""

import datetime as dt
from dataclasses import dataclass, field
from random import Random

from django.contrib.auth.hashers import make_password

from .models import ClosureDay, Membership, School, Term, Trust, User, academic_year_of
from .schooldays import easter_sunday
from .services_school import bank_holidays_missing

PRIMARY_A = {
    "urn": "140001",
    "name": "Oakfield Primary School",
    "estab": "2041",
    "pupils": 210,
    "phase": School.Phase.PRIMARY,
}
PRIMARY_B = {
    "urn": "140002",
    "name": "Little Harbour Primary School",
    "estab": "2087",
    "pupils": 140,
    "phase": School.Phase.PRIMARY,
}
SECONDARY = {
    "urn": "140003",
    "name": "Riverside Academy",
    "estab": "4012",
    "pupils": 1000,
    "phase": School.Phase.SECONDARY,
    "has_resourced_provision": True,
}


@dataclass
class DemoContext:
    """What every app's seed receives. `rng(name)` gives each app its own deterministic stream,
    so adding data in one app does not change another app's demo data."""

    seed: int
    today: dt.date
    password_hash: str
    schools: list = field(default_factory=list)
    pupils_per_school: dict = field(default_factory=dict)
    staff: dict = field(default_factory=dict)  # (school urn, role) -> [User]
    stdout: object = None

    def rng(self, name: str) -> Random:
        return Random(f"{self.seed}:{name}")

    def staff_of(self, school, role) -> list:
        return self.staff.get((school.urn, role), [])

    def log(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message)


STAFF_NAMES = [
    ("Priya", "Shah"),
    ("Tom", "Bennett"),
    ("Grace", "Adeyemi"),
    ("Owen", "Price"),
    ("Hannah", "Murphy"),
    ("Daniel", "Kowalski"),
    ("Sophie", "Clarke"),
    ("Ravi", "Patel"),
    ("Megan", "Hughes"),
    ("Liam", "O'Connor"),
    ("Aisha", "Rahman"),
    ("Chloe", "Evans"),
    ("Joseph", "Nowak"),
    ("Ellie", "Wright"),
    ("Marcus", "Green"),
    ("Zara", "Hussain"),
]


def _user(ctx, username, first, last):
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "email": f"{username}@demo.sencoweb.test",
            "password": ctx.password_hash,
        },
    )
    return user


def _member(ctx, user, school, role, title="", rate=None):
    Membership.objects.get_or_create(
        user=user,
        school=school,
        defaults={"role": role, "job_title": title, "hourly_rate": rate},
    )
    ctx.staff.setdefault((school.urn, role), [])
    if user not in ctx.staff[(school.urn, role)]:
        ctx.staff[(school.urn, role)].append(user)


def default_terms(school, year: int) -> list[Term]:
    """Typical English term dates for the school year starting in September `year`."""

    def monday_on_or_after(day):
        return day + dt.timedelta(days=(7 - day.weekday()) % 7)

    def weekday_on_or_before(day):  # a term ends on a school day, not a Saturday
        return day - dt.timedelta(days=max(day.weekday() - 4, 0))

    autumn_start = monday_on_or_after(dt.date(year, 9, 1)) + dt.timedelta(days=2)
    oct_half = monday_on_or_after(dt.date(year, 10, 24))
    autumn_end = weekday_on_or_before(dt.date(year, 12, 19))
    spring_start = monday_on_or_after(dt.date(year + 1, 1, 5))
    feb_half = monday_on_or_after(dt.date(year + 1, 2, 14))
    east = easter_sunday(year + 1)
    spring_end = east - dt.timedelta(days=9)
    summer_start = east + dt.timedelta(days=8)
    may_half = monday_on_or_after(dt.date(year + 1, 5, 25))
    summer_end = weekday_on_or_before(dt.date(year + 1, 7, 22))
    return [
        Term(
            school=school,
            academic_year=year,
            name="autumn",
            starts_on=autumn_start,
            ends_on=autumn_end,
            half_term_starts=oct_half,
            half_term_ends=oct_half + dt.timedelta(days=4),
        ),
        Term(
            school=school,
            academic_year=year,
            name="spring",
            starts_on=spring_start,
            ends_on=spring_end,
            half_term_starts=feb_half,
            half_term_ends=feb_half + dt.timedelta(days=4),
        ),
        Term(
            school=school,
            academic_year=year,
            name="summer",
            starts_on=summer_start,
            ends_on=summer_end,
            half_term_starts=may_half,
            half_term_ends=may_half + dt.timedelta(days=4),
        ),
    ]


def closure_days(school, terms: list[Term], today: dt.date) -> list[ClosureDay]:
    """Three INSET days (the Friday before October half term, the first days of the spring
    and summer terms) and the bank holidays that fall in term; never the demo's today, so the
    TA's sessions are on."""
    by_name = {t.name: t for t in terms}
    inset = [
        by_name["autumn"].half_term_starts - dt.timedelta(days=3),
        by_name["spring"].starts_on,
        by_name["summer"].starts_on,
    ]
    days = [
        ClosureDay(school=school, date=d, kind=ClosureDay.Kind.INSET, note="Staff training")
        for d in inset
    ]
    year = terms[0].academic_year
    days += [
        ClosureDay(school=school, date=d, kind=ClosureDay.Kind.BANK_HOLIDAY, note=name)
        for d, name in bank_holidays_missing(terms, [], year).items()
        if d not in inset
    ]
    return [c for c in days if c.date != today]


def seed(ctx: DemoContext, *, secondary_pupils: int, schools: int = 3) -> None:
    trust, _ = Trust.objects.get_or_create(name="Riverside Learning Trust")
    specs = [PRIMARY_A, PRIMARY_B, {**SECONDARY, "pupils": secondary_pupils}]
    # Benchmarks at trust scale add further secondaries of the same size.
    for n in range(4, schools + 1):
        specs.append(
            {
                "urn": f"{140000 + n:06d}",
                "name": f"Trust Academy {n}",
                "estab": f"{4000 + n:04d}",
                "pupils": secondary_pupils,
                "phase": School.Phase.SECONDARY,
            }
        )
    for spec in specs:
        school, _ = School.objects.get_or_create(
            urn=spec["urn"],
            defaults={
                "name": spec["name"],
                "la_code": "801",
                "la_name": "Bristol",
                "estab": spec["estab"],
                "phase": spec["phase"],
                "trust": trust,
                "has_resourced_provision": spec.get("has_resourced_provision", False),
            },
        )
        ctx.schools.append(school)
        ctx.pupils_per_school[school.urn] = spec["pupils"]
        this_year = academic_year_of(ctx.today)
        for year in range(this_year - 2, this_year + 1):
            if not Term.objects.filter(school=school, academic_year=year).exists():
                terms = Term.objects.bulk_create(default_terms(school, year))
                ClosureDay.objects.bulk_create(closure_days(school, terms, ctx.today))

    oak, harbour, riverside = ctx.schools[:3]
    # The named demo accounts (README lists them).
    senco = _user(ctx, "senco", "Sarah", "Whitfield")
    _member(ctx, senco, oak, "senco", "SENCO (shared)", 42)
    _member(ctx, senco, harbour, "senco", "SENCO (shared)", 42)
    _member(ctx, _user(ctx, "teacher", "James", "Ellison"), oak, "teacher", "Year 5 teacher", 38)
    _member(ctx, _user(ctx, "ta", "Kerry", "Dawson"), oak, "ta", "Teaching assistant", 17.20)
    _member(ctx, _user(ctx, "head", "Helen", "Marsh"), oak, "head", "Headteacher", 55)
    _member(ctx, _user(ctx, "governor", "Peter", "Langley"), oak, "governor", "SEN governor")
    trustlead = _user(ctx, "trustlead", "Fiona", "Okoro")
    for school in ctx.schools:
        _member(ctx, trustlead, school, "trust", "Trust SEND lead")
    _member(ctx, _user(ctx, "secondary.senco", "Naveed", "Akhtar"), riverside, "senco", "SENCO", 45)
    _member(ctx, _user(ctx, "secondary.head", "Claire", "Dunn"), riverside, "head", "Principal", 60)
    _member(ctx, _user(ctx, "harbour.head", "Ian", "Fletcher"), harbour, "head", "Headteacher", 52)

    for school in ctx.schools[3:]:
        _member(ctx, _user(ctx, f"{school.urn}.senco", "Jo", "Reid"), school, "senco", "SENCO", 44)
        _member(
            ctx, _user(ctx, f"{school.urn}.head", "Sam", "Ward"), school, "head", "Principal", 58
        )

    # Further teachers and TAs so classes and provision groups have real staff.
    rng = ctx.rng("staff")
    for school in ctx.schools:
        n_teachers = 6 if school.phase == School.Phase.PRIMARY else 12
        n_tas = 4 if school.phase == School.Phase.PRIMARY else 8
        names = list(STAFF_NAMES)
        rng.shuffle(names)
        for i in range(n_teachers):
            first, last = names[i % len(names)]
            user = _user(ctx, f"{school.urn}.teacher{i + 1}", first, last)
            _member(
                ctx,
                user,
                school,
                "teacher",
                "Class teacher" if school.phase == "primary" else "Subject teacher",
                round(rng.uniform(35, 50), 2),
            )
        for i in range(n_tas):
            first, last = names[(i + n_teachers) % len(names)]
            user = _user(ctx, f"{school.urn}.ta{i + 1}", first, last)
            _member(ctx, user, school, "ta", "Teaching assistant", round(rng.uniform(15, 20), 2))
    # Governors for the other schools.
    for school in (harbour, riverside):
        _member(
            ctx,
            _user(ctx, f"{school.urn}.governor", "Alex", "Morgan"),
            school,
            "governor",
            "SEN governor",
        )


def make_context(*, seed: int, today: dt.date, password: str, stdout=None) -> DemoContext:
    return DemoContext(seed=seed, today=today, password_hash=make_password(password), stdout=stdout)
