"""A group handed to another member of staff is costed at the new member's hourly rate (the
group page said 'Delivered by <new member> at <the previous member's rate> an hour'); an edit
that keeps the member keeps the rate the group was set up with."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import MembershipFactory
from tests.helpers import client_for

from .factories import GroupFactory, group_form_data

pytestmark = pytest.mark.django_db


def _edit(senco, group, **changes):
    data = group_form_data(
        group.school, group.staff, intervention=group.intervention.pk,
        starts_on=group.starts_on.isoformat(), ends_on=group.ends_on.isoformat(), **changes,
    )  # fmt: skip
    response = client_for(senco).post(reverse("provision:group_edit", args=[group.public_id]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    group.refresh_from_db()


def test_new_member_of_staff_brings_their_rate(school, senco, ta):
    group = GroupFactory(school=school, staff=ta, hourly_rate=Decimal("17.20"))
    hlta = MembershipFactory(school=school, role="ta", hourly_rate=Decimal("21.50"))
    _edit(senco, group, staff=hlta.pk)
    assert group.staff == hlta and group.hourly_rate == Decimal("21.50")
    page = client_for(senco).get(reverse("provision:group", args=[group.public_id]))
    assert "at £21.50 an hour" in page.content.decode()


def test_same_member_keeps_the_groups_rate(school, senco, ta):
    ta.hourly_rate = Decimal("19.00")  # a pay rise after the group was set up
    ta.save()
    group = GroupFactory(school=school, staff=ta, hourly_rate=Decimal("17.20"))
    _edit(senco, group, place="Library")
    assert group.hourly_rate == Decimal("17.20")


def test_new_member_without_a_rate_leaves_it(school, senco, ta):
    group = GroupFactory(school=school, staff=ta, hourly_rate=Decimal("17.20"))
    other = MembershipFactory(school=school, role="ta", hourly_rate=None)
    _edit(senco, group, staff=other.pk)
    assert group.staff == other and group.hourly_rate == Decimal("17.20")
