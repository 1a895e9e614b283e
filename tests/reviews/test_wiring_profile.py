"""The pupil profile's "Plans and provision" card: links registered by reviews (support plans,
EHC) and provision through pupils.hooks.profile_links, shown only to those who may follow them."""

import datetime as dt

import pytest
from django.urls import reverse

from provision.panels import profile_links as provision_links
from pupils import hooks
from reviews import hooks_ehc, registry
from tests.helpers import client_for
from tests.provision.factories import GroupFactory, enrol

from .cycle_helpers import issued_cycle
from .ehc_factories import EhcPlanFactory

pytestmark = pytest.mark.django_db


def _profile(member, pupil):
    return client_for(member).get(reverse("pupils:detail", args=[pupil.public_id]))


def test_sources_are_registered():
    for source in (registry.profile_links, hooks_ehc.profile_links, provision_links):
        assert source in hooks.profile_links


def test_profile_links_to_plans_ehc_and_provision_with_outcomes(senco, ta, taught_pupil):
    issued_cycle(taught_pupil, senco.user, outcomes=2)
    EhcPlanFactory(pupil=taught_pupil, school=taught_pupil.school)
    group = GroupFactory(school=senco.school, staff=ta, name="Lexia Y4")
    enrol(group, taught_pupil)
    response = _profile(senco, taught_pupil)
    html = response.content.decode()
    assert 'id="plans-provision"' in html and "Plans and provision" in html
    for name in ("reviews:pupil_cycles", "reviews:pupil_ehc", "provision:pupil"):
        assert reverse(name, args=[taught_pupil.public_id]) in html, name
    assert "Support plan 1: Plan issued (do)" in html
    assert "Outcome number 2: reads a passage aloud accurately" in html
    assert "EHC plan in force, issued 12 Jan 2026" in html
    assert "Now in: Talk Boost" in html and "Lexia Y4" in html


def test_teacher_sees_the_links_of_their_pupil(teacher, taught_pupil):
    html = _profile(teacher, taught_pupil).content.decode()
    assert reverse("reviews:pupil_cycles", args=[taught_pupil.public_id]) in html
    assert reverse("provision:pupil", args=[taught_pupil.public_id]) in html
    assert "In no provision group now" in html


def test_member_without_capabilities_gets_no_links(school, taught_pupil):
    from types import SimpleNamespace

    member = SimpleNamespace(can=lambda cap: False)
    request = SimpleNamespace(membership=member, school=school)
    assert hooks.profile_links_for(request, taught_pupil) == []


def test_ended_group_is_not_current(senco, ta, taught_pupil):
    group = GroupFactory(
        school=senco.school,
        staff=ta,
        starts_on=dt.date.today() - dt.timedelta(days=90),
        ends_on=dt.date.today() - dt.timedelta(days=10),
    )
    enrol(group, taught_pupil)
    links = {link.label: link for link in hooks.profile_links_for(_req(senco), taught_pupil)}
    assert links["Provision"].detail == "In no provision group now"


def _req(member):
    from types import SimpleNamespace

    return SimpleNamespace(membership=member, school=member.school)
