"""The fixed cast: a SENCO, teacher, TA, head and governor of one school, and a user of another
school ("outsider", who must get a 404 for everything of the first school)."""

import pytest

from sencoweb.models import Membership

from .factories import (
    PASSWORD,
    MembershipFactory,
    PupilFactory,
    SchoolFactory,
    TeachingGroupFactory,
)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: ids are reused after a rollback, so a cached
    dashboard of an earlier test's school could otherwise show up in a later one."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def school(db):
    return SchoolFactory(name="Oakfield Primary")


@pytest.fixture
def other_school(db):
    return SchoolFactory(name="Elsewhere Academy")


def _member(school, role, username):
    return MembershipFactory(school=school, role=role, user__username=username)


@pytest.fixture
def senco(school) -> Membership:
    return _member(school, "senco", "senco")


@pytest.fixture
def teacher(school) -> Membership:
    return _member(school, "teacher", "teacher")


@pytest.fixture
def ta(school) -> Membership:
    return _member(school, "ta", "ta")


@pytest.fixture
def head(school) -> Membership:
    return _member(school, "head", "head")


@pytest.fixture
def governor(school) -> Membership:
    return _member(school, "governor", "governor")


@pytest.fixture
def trustlead(school) -> Membership:
    return _member(school, "trust", "trustlead")


@pytest.fixture
def outsider(other_school) -> Membership:
    """A SENCO at another school: full rights there, none here."""
    return _member(other_school, "senco", "outsider")


@pytest.fixture
def cast(senco, teacher, ta, head, governor, trustlead, outsider):
    return {
        "senco": senco,
        "teacher": teacher,
        "ta": ta,
        "head": head,
        "governor": governor,
        "trustlead": trustlead,
        "outsider": outsider,
    }


@pytest.fixture
def class_group(school, teacher, ta):
    group = TeachingGroupFactory(school=school, name="5B")
    group.staff.add(teacher.user, ta.user)
    return group


@pytest.fixture
def taught_pupil(school, class_group):
    pupil = PupilFactory(school=school, first_name="Amara", last_name="Okafor", sen_status="K")
    pupil.teaching_groups.add(class_group)
    return pupil


@pytest.fixture
def password():
    return PASSWORD
