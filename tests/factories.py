"""Factories for the core and the register. Each app's tests add their own next to them."""

import datetime as dt

import factory
from factory.django import DjangoModelFactory

from pupils import upn
from pupils.models import Concern, Need, Pupil, TeachingGroup
from sencoweb.models import Membership, School, Trust, User

PASSWORD = "correct-horse-battery-1"


class TrustFactory(DjangoModelFactory):
    class Meta:
        model = Trust
        django_get_or_create = ("name",)

    name = "Riverside Learning Trust"


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School

    name = factory.Sequence(lambda n: f"Test School {n}")
    urn = factory.Sequence(lambda n: f"{100000 + n:06d}")
    la_code = "801"
    la_name = "Bristol"
    estab = factory.Sequence(lambda n: f"{2000 + n % 7000:04d}")
    phase = School.Phase.PRIMARY


def _plain_name(kind: str) -> str:
    """A British first or last name without an apostrophe: tests look for names in pages,
    where "O'Brien" is rightly escaped as "O&#x27;Brien" (escaping has tests of its own)."""
    fake = factory.Faker._get_faker(locale="en_GB")
    return getattr(fake, kind)().replace("'", "")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.LazyFunction(lambda: _plain_name("first_name"))
    last_name = factory.LazyFunction(lambda: _plain_name("last_name"))
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(PASSWORD)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    school = factory.SubFactory(SchoolFactory)
    role = "teacher"


class TeachingGroupFactory(DjangoModelFactory):
    class Meta:
        model = TeachingGroup

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Class {n}")


class PupilFactory(DjangoModelFactory):
    class Meta:
        model = Pupil

    school = factory.SubFactory(SchoolFactory)
    upn = factory.Sequence(lambda n: upn.make("801", "2001", 20, n))
    first_name = factory.LazyFunction(lambda: _plain_name("first_name"))
    last_name = factory.LazyFunction(lambda: _plain_name("last_name"))
    date_of_birth = dt.date(2016, 3, 14)
    gender = "M"
    nc_year = "5"
    sen_status = "N"


class NeedFactory(DjangoModelFactory):
    class Meta:
        model = Need

    pupil = factory.SubFactory(PupilFactory)
    sen_type = "SLCN"
    rank = 1
    starts_on = dt.date(2025, 9, 4)


class ConcernFactory(DjangoModelFactory):
    class Meta:
        model = Concern

    pupil = factory.SubFactory(PupilFactory)
    school = factory.SelfAttribute("pupil.school")
    raised_by = factory.SubFactory(UserFactory)
    area = "CL"
    what_seen = "Finds it hard to hold a sentence in mind long enough to write it."
