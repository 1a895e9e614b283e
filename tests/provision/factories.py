import datetime as dt
from decimal import Decimal

import factory
from django.urls import reverse
from factory.django import DjangoModelFactory

from provision.models import Enrolment, Intervention, ProvisionGroup


class InterventionFactory(DjangoModelFactory):
    class Meta:
        model = Intervention

    name = factory.Sequence(lambda n: f"Talk Boost {n}")
    area = "CI"
    wave = 2
    group_size = 4
    session_minutes = 30
    sessions_per_week = 3
    default_weeks = 10
    measure = "standardised"


class GroupFactory(DjangoModelFactory):
    """Mon/Wed/Fri 09:10 for 30 minutes, over two school weeks ending today."""

    class Meta:
        model = ProvisionGroup

    intervention = factory.SubFactory(InterventionFactory, school=factory.SelfAttribute("..school"))
    days = "024"
    start_time = dt.time(9, 10)
    session_minutes = 30
    starts_on = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=13))
    ends_on = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=30))
    hourly_rate = Decimal("17.20")


def enrol(group, *pupils):
    return [
        Enrolment.objects.create(group=group, pupil=p, starts_on=group.starts_on) for p in pupils
    ]


def last_weekday(day, weekdays=(0, 2, 4)):
    """The latest of `day` and the days before it that falls on one of `weekdays`."""
    while day.weekday() not in weekdays:
        day -= dt.timedelta(days=1)
    return day


def log_url(group, day, quick=False):
    """The session register's URL for one group on one day (quick: the one-tap 'held')."""
    name = "provision:session_quick" if quick else "provision:session"
    return reverse(name, args=[group.public_id, day.isoformat()])


def group_form_data(school, ta, **extra):
    """What the group form posts: an intervention (a new one unless `intervention` is given, as
    a primary key) on Mon and Wed at 9:00 for 30 minutes, from today for ten weeks, delivered by
    `ta`; `extra` adds or replaces fields."""
    if "intervention" not in extra:
        extra["intervention"] = InterventionFactory(school=school).pk
    start = dt.date.today()
    return {
        "staff": ta.pk,
        "days": ["0", "2"],
        "start_time": "09:00",
        "session_minutes": "30",
        "starts_on": start.isoformat(),
        "ends_on": (start + dt.timedelta(weeks=10)).isoformat(),
        "resource_cost": "0",
        "external_cost": "0",
        **extra,
    }
