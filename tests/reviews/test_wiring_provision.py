"""Wiring between reviews and provision: EHC section F against the sessions logged on the
provision map, and support plan outcomes linked to provision groups."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from provision import services as provision_services
from reviews import selectors_ehc as sel
from tests.helpers import client_for
from tests.provision.factories import GroupFactory, enrol

from .ehc_factories import EhcPlanFactory, ProvisionItemFactory

pytestmark = pytest.mark.django_db


def _log_sessions(group, senco, days):
    for day in days:
        provision_services.session_log(group=group, date=day, membership=senco)


@pytest.fixture
def plan_with_delivery(senco, ta):
    """A plan specifying 3 h a week; a 30-minute group, 12 held sessions in the last 6 weeks
    (6 h in all, 1 h a week), plus one session before the window that must not count."""
    today = dt.date.today()
    plan = EhcPlanFactory(pupil__school=senco.school)
    ProvisionItemFactory(plan=plan, hours_per_week=Decimal("2"))
    ProvisionItemFactory(plan=plan, hours_per_week=Decimal("1"))
    group = GroupFactory(
        school=senco.school,
        staff=ta,
        days="01234",
        starts_on=today - dt.timedelta(weeks=10),
        ends_on=today + dt.timedelta(days=30),
    )
    enrol(group, plan.pupil)
    window = [today - dt.timedelta(days=n) for n in range(1, 40, 3)][:12]
    _log_sessions(group, senco, window + [today - dt.timedelta(weeks=8)])
    return plan


def test_section_f_counts_logged_sessions_in_the_window(plan_with_delivery):
    result = sel.section_f_vs_delivery(plan_with_delivery)
    assert result["specified_per_week"] == Decimal("3")
    assert result["delivered_per_week"] == Decimal("1.00")
    assert result["gap"] == Decimal("-2.00")
    assert result["shortfall"] is True


def test_section_f_without_sessions_is_zero_delivered(school):
    plan = EhcPlanFactory(pupil__school=school)
    ProvisionItemFactory(plan=plan, hours_per_week=Decimal("1"))
    result = sel.section_f_vs_delivery(plan)
    assert result["delivered_per_week"] == Decimal("0")
    assert result["shortfall"] is True


def test_section_f_no_shortfall_without_specified_hours(school):
    plan = EhcPlanFactory(pupil__school=school)
    ProvisionItemFactory(plan=plan, hours_per_week=None)
    assert sel.section_f_vs_delivery(plan)["shortfall"] is False


def test_plan_page_shows_specified_delivered_and_shortfall(senco, plan_with_delivery):
    response = client_for(senco).get(
        reverse("reviews:plan_detail", args=[plan_with_delivery.public_id])
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Specified in section F" in html
    assert "3 h a week" in html and "1 h a week" in html
    assert 'id="section-f-shortfall"' in html and "2 h a week short of the plan" in html
    assert "-2 h" not in html  # a shortfall is not negative


# --------------------------------------------------------------------------- outcomes -> groups


@pytest.fixture
def cycle_with_group(senco, ta, taught_pupil):
    from .cycle_helpers import open_cycle

    today = dt.date.today()
    cycle = open_cycle(taught_pupil, senco.user)
    group = GroupFactory(
        school=senco.school,
        staff=ta,
        name="Lexia Y4",
        days="01234",
        starts_on=today - dt.timedelta(days=13),
    )
    enrol(group, taught_pupil)
    _log_sessions(group, senco, [today - dt.timedelta(days=n) for n in (1, 2, 3)])
    return cycle, group


def _outcome_post(group_id=""):
    return {
        "area": "CL",
        "description": "Reads a short passage aloud with 90% accuracy",
        "success_criterion": "8 of 10 weekly probes",
        "strategies": "Pre-teach key words",
        "provision": "Lexia",
        "provision_group_id": group_id,
        "target_date": "",
    }


def test_outcome_form_offers_only_the_pupils_current_groups(senco, ta, cycle_with_group):
    cycle, group = cycle_with_group
    other_pupil_group = GroupFactory(school=senco.school, staff=ta, name="Someone else's")
    ended = GroupFactory(
        school=senco.school,
        staff=ta,
        name="Finished last term",
        starts_on=dt.date.today() - dt.timedelta(days=90),
        ends_on=dt.date.today() - dt.timedelta(days=30),
    )
    enrol(ended, cycle.pupil)
    response = client_for(senco).get(reverse("reviews:outcome_add", args=[cycle.public_id]))
    choices = dict(response.context["form"].fields["provision_group_id"].choices)
    assert str(group.public_id) in choices and "Lexia Y4" in choices[str(group.public_id)]
    assert str(other_pupil_group.public_id) not in choices
    assert str(ended.public_id) not in choices


def test_outcome_form_refuses_a_group_the_pupil_is_not_in(senco, ta, cycle_with_group):
    cycle, _ = cycle_with_group
    other = GroupFactory(school=senco.school, staff=ta)
    response = client_for(senco).post(
        reverse("reviews:outcome_add", args=[cycle.public_id]), _outcome_post(other.public_id)
    )
    assert response.status_code == 422
    assert "provision_group_id" in response.context["form"].errors
    assert not cycle.outcomes.exists()


def test_linked_group_shows_delivered_against_planned_on_the_cycle_page(
    senco, teacher, cycle_with_group
):
    cycle, group = cycle_with_group
    response = client_for(senco).post(
        reverse("reviews:outcome_add", args=[cycle.public_id]), _outcome_post(group.public_id)
    )
    assert response.status_code == 302
    assert cycle.outcomes.get().provision_group_id == group.public_id
    page = client_for(senco).get(reverse("reviews:cycle_detail", args=[cycle.public_id]))
    html = page.content.decode()
    planned = page.context["outcomes"][0].linked["stats"].planned_to_date
    assert planned >= 3
    assert "Lexia Y4" in html and f"3 of {planned} planned sessions delivered" in html
    assert reverse("provision:group", args=[group.public_id]) in html
    # The pupil's class teacher sees the same delivery on the plan.
    teacher_html = (
        client_for(teacher)
        .get(reverse("reviews:cycle_detail", args=[cycle.public_id]))
        .content.decode()
    )
    assert f"3 of {planned} planned sessions delivered" in teacher_html


def test_editing_keeps_the_link_after_the_group_ends(senco, cycle_with_group):
    cycle, group = cycle_with_group
    client_for(senco).post(
        reverse("reviews:outcome_add", args=[cycle.public_id]), _outcome_post(group.public_id)
    )
    outcome = cycle.outcomes.get()
    group.ends_on = dt.date.today() - dt.timedelta(days=1)
    group.save()
    response = client_for(senco).get(
        reverse("reviews:outcome_edit", args=[cycle.public_id, outcome.public_id])
    )
    assert str(group.public_id) in dict(
        response.context["form"].fields["provision_group_id"].choices
    )


def test_outcome_form_without_groups_has_no_group_field(senco, taught_pupil):
    from .cycle_helpers import open_cycle

    cycle = open_cycle(taught_pupil, senco.user)
    response = client_for(senco).get(reverse("reviews:outcome_add", args=[cycle.public_id]))
    assert "provision_group_id" not in response.context["form"].fields


def test_linked_group_says_how_many_sessions_the_pupil_attended(senco, cycle_with_group):
    """The group's delivery is not the pupil's: the plan says what they attended of the
    sessions held while they had a place."""
    from provision.models import SessionLog

    cycle, group = cycle_with_group
    client_for(senco).post(
        reverse("reviews:outcome_add", args=[cycle.public_id]), _outcome_post(group.public_id)
    )
    SessionLog.objects.filter(group=group).first().attended.remove(cycle.pupil)
    html = (
        client_for(senco)
        .get(reverse("reviews:cycle_detail", args=[cycle.public_id]))
        .content.decode()
    )
    assert "Attended 2 of the 3 sessions held while in the group." in html
