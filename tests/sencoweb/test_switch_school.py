from django.urls import reverse

from sencoweb.models import Membership
from tests.factories import MembershipFactory, PupilFactory, SchoolFactory
from tests.helpers import client_for


def test_shared_senco_switches_school_and_sees_only_that_school(senco, school):
    second = SchoolFactory(name="Little Harbour Primary")
    MembershipFactory(user=senco.user, school=second, role="senco")
    here = PupilFactory(school=school, last_name="Alpha", sen_status="K")
    there = PupilFactory(school=second, last_name="Bravo", sen_status="K")
    client = client_for(senco)

    home = client.get(reverse("home")).content.decode()
    assert 'id="school-switcher"' in home

    response = client.post(reverse("switch_school"), {"school": str(second.public_id)})
    assert response.status_code == 302
    assert client.session["sencoweb_school_id"] == second.pk
    # Everything now scopes to the second school.
    assert client.get(reverse("pupils:detail", args=[there.public_id])).status_code == 200
    assert client.get(reverse("pupils:detail", args=[here.public_id])).status_code == 404


def test_cannot_switch_to_a_school_without_membership(senco, other_school):
    client = client_for(senco)
    response = client.post(reverse("switch_school"), {"school": str(other_school.public_id)})
    assert response.status_code == 404
    assert client.session["sencoweb_school_id"] == senco.school_id


def test_inactive_membership_does_not_count(senco):
    Membership.objects.filter(pk=senco.pk).update(is_active=False)
    client = client_for(senco)
    assert client.get(reverse("home")).status_code == 403


def test_switch_needs_post(senco):
    assert client_for(senco).get(reverse("switch_school")).status_code == 405
