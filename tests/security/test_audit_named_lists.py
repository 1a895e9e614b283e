"""Pages that list named pupils with their SEN provision or review dates leave an audit row
when opened, like the register does (SECURITY.md: every opening of pupil records is audited)."""

import pytest
from django.urls import reverse

from sencoweb.models import AuditEvent
from tests.factories import PupilFactory
from tests.helpers import client_for
from tests.provision.factories import GroupFactory, enrol

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(school, ta):
    group = GroupFactory(school=school, staff=ta)
    enrol(group, PupilFactory(school=school, sen_status="K"))
    return group


@pytest.mark.parametrize(
    ("url_name", "who"),
    [
        ("provision:map", "senco"),
        ("provision:today", "ta"),
        ("provision:staff_timetable", "senco"),
        ("reviews:calendar", "senco"),
    ],
)
def test_opening_a_named_list_is_audited(request, group, ta, url_name, who):
    member = request.getfixturevalue(who)
    args = [ta.user.public_id] if url_name == "provision:staff_timetable" else []
    url = reverse(url_name, args=args)
    client = client_for(member)
    before = AuditEvent.objects.count()
    response = client.get(url)
    assert response.status_code == 200
    event = AuditEvent.objects.order_by("-pk").first()
    assert AuditEvent.objects.count() == before + 1, f"{url_name} left no audit row"
    assert event.action == AuditEvent.Action.VIEW
    assert event.user_id == member.user_id and event.school_id == member.school_id
    assert event.path == url
