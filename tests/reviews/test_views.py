"""Every graduated-approach view for each role, and another school's SENCO gets a 404."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import ReviewSettings, SupportCycle
from sencoweb.models import AuditEvent
from tests.factories import PupilFactory
from tests.helpers import client_for

from .cycle_helpers import issued_cycle, open_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(taught_pupil, senco):
    return issued_cycle(taught_pupil, senco.user)


def _read_urls(cycle):
    return [
        reverse("reviews:pupil_cycles", args=[cycle.pupil.public_id]),
        reverse("reviews:cycle_detail", args=[cycle.public_id]),
        reverse("reviews:version_detail", args=[cycle.public_id, 1]),
        reverse("reports:plan_pdf", args=[cycle.public_id]),
    ]


@pytest.mark.parametrize("role", ["senco", "teacher", "ta", "head", "trustlead"])
def test_staff_who_see_the_pupil_can_read_the_plan(cast, cycle, class_group, role):
    client = client_for(cast[role])
    for url in _read_urls(cycle):
        response = client.get(url)
        assert response.status_code == 200, url
    assert AuditEvent.objects.filter(object_id=str(cycle.public_id), action="download").exists()


def test_governor_is_refused_and_outsider_gets_404(cast, cycle):
    for url in _read_urls(cycle):
        assert client_for(cast["governor"]).get(url).status_code == 403
        assert client_for(cast["outsider"]).get(url).status_code == 404


def test_teacher_of_another_class_gets_404(school, cycle):
    from tests.factories import MembershipFactory

    other = MembershipFactory(school=school, role="teacher")
    for url in _read_urls(cycle):
        assert client_for(other).get(url).status_code == 404


def test_pdf_contains_the_outcomes(senco, cycle):
    from reports import views_plan  # noqa: F401  (the view lives in reports)

    response = client_for(senco).get(reverse("reports:plan_pdf", args=[cycle.public_id]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_senco_plans_a_cycle_through_the_views(senco, taught_pupil):
    client = client_for(senco)
    response = client.post(reverse("reviews:cycle_open", args=[taught_pupil.public_id]))
    cycle = SupportCycle.objects.get(pupil=taught_pupil)
    assert response.status_code == 302
    url = reverse("reviews:cycle_assess", args=[cycle.public_id])
    bad = client.post(url, {"assessed_on": "2999-01-01", "teacher_assessment": "x"})
    assert bad.status_code == 422
    assert "cannot be in the future" in bad.content.decode()
    client.post(url, {"teacher_assessment": "Reading well below peers", "assessed_by": "CT"})
    add = reverse("reviews:outcome_add", args=[cycle.public_id])
    bad = client.post(add, {"area": "CL", "description": "short"})
    assert bad.status_code == 422
    assert "full sentence" in bad.content.decode()
    client.post(
        add,
        {
            "area": "CL",
            "description": "Reads 40 high-frequency words by sight",
            "success_criterion": "40/40 on two checks",
            "strategies": "Word wall",
        },
    )
    due = (timezone.localdate() + dt.timedelta(days=40)).isoformat()
    client.post(
        reverse("reviews:cycle_settings", args=[cycle.public_id]),
        {"review_date": due, "teacher_may_edit": "on"},
    )
    client.post(reverse("reviews:plan_issue_version", args=[cycle.public_id]))
    cycle.refresh_from_db()
    taught_pupil.refresh_from_db()
    assert cycle.status == "issued" and cycle.teacher_may_edit
    assert taught_pupil.next_review_due.isoformat() == due
    page = client.get(reverse("reviews:cycle_detail", args=[cycle.public_id])).content.decode()
    assert "Reads 40 high-frequency words" in page and "Version 1" in page


def test_teacher_cannot_edit_unless_allowed(teacher, senco, taught_pupil, school):
    cycle = open_cycle(taught_pupil, senco.user)
    client = client_for(teacher)
    url = reverse("reviews:outcome_add", args=[cycle.public_id])
    assert client.get(url).status_code == 403
    SupportCycle.objects.filter(pk=cycle.pk).update(teacher_may_edit=True)
    assert client.get(url).status_code == 200
    # The school-wide setting lets teachers open cycles too.
    pupil = PupilFactory(school=school, sen_status="K")
    pupil.teaching_groups.add(*taught_pupil.teaching_groups.all())
    open_url = reverse("reviews:cycle_open", args=[pupil.public_id])
    assert client.post(open_url).status_code == 403
    ReviewSettings.objects.update_or_create(school=school, defaults={"teachers_may_edit": True})
    assert client.post(open_url).status_code == 302


def test_ta_can_never_edit(ta, senco, taught_pupil, class_group):
    cycle = open_cycle(taught_pupil, senco.user, teacher_may_edit=True)
    assert (
        client_for(ta).get(reverse("reviews:cycle_assess", args=[cycle.public_id])).status_code
        == 403
    )


def test_review_view_closes_and_carries_forward(senco, cycle):
    client = client_for(senco)
    url = reverse("reviews:cycle_review", args=[cycle.public_id])
    assert client.get(url).status_code == 200
    a, b = cycle.outcomes.all()
    data = {
        "meeting_date": timezone.localdate().isoformat(),
        "attendees": "Mum, SENCO",
        "next_step": "continue",
        f"rating_{a.public_id.hex}": "achieved",
        f"progress_{a.public_id.hex}": "2",
        f"rating_{b.public_id.hex}": "not_yet",
        f"progress_{b.public_id.hex}": "0",
    }
    missing = client.post(url, data)
    assert missing.status_code == 422
    assert "Set a review date for the next cycle" in missing.content.decode()
    data["next_review_date"] = (timezone.localdate() + dt.timedelta(weeks=12)).isoformat()
    assert client.post(url, data).status_code == 302
    cycle.refresh_from_db()
    assert cycle.status == "closed"
    assert cycle.next_cycle.outcomes.get().carried_from == b


def test_the_progress_scale_says_what_its_numbers_mean(senco, cycle):
    """-2 to +2 means nothing on its own: the form and the closed plan give each number words."""
    client = client_for(senco)
    form = client.get(reverse("reviews:cycle_review", args=[cycle.public_id])).content.decode()
    assert ">+2 (much more than expected)</option>" in form
    assert ">0 (as expected)</option>" in form
    assert ">-2 (much less than expected)</option>" in form
    a, b = cycle.outcomes.all()
    SupportCycle.objects.filter(pk=cycle.pk).update(status="closed")
    a.rating, a.progress = "achieved", 2
    a.save()
    b.rating, b.progress = "not_yet", -1
    b.save()
    page = client.get(reverse("reviews:cycle_detail", args=[cycle.public_id])).content.decode()
    assert "progress +2 (much more than expected)" in page
    assert "progress -1 (less than expected)" in page


def test_chronology_lists_the_cycle(senco, cycle):
    from reviews.registry import chronology_for

    titles = [e.title for e in chronology_for(cycle.pupil)]
    assert "Support plan 1 opened" in titles and "Support plan 1 issued" in titles


def test_profile_chronology_shows_every_step_of_a_day_in_order(senco, cycle):
    """A whole cycle run in one day (opened, issued, amended, views received, reviewed, next
    cycle opened) reads newest first on the profile, in the order the steps were taken."""
    from reviews import services

    outcome = cycle.outcomes.first()
    outcome.strategies = "Visual timetable"
    services.outcome_save(cycle=cycle, outcome=outcome)
    services.plan_issue(cycle=cycle, by=senco.user, change_note="Added a visual timetable")
    link, token = services.contribution_link_create(
        cycle=cycle, kind="pupil", recipient_name="Amara", by=senco.user
    )
    services.contribution_submit(link=link, answers={"feel_school": "happy"})
    ratings = [
        services.OutcomeRating(outcome=o, rating="partly", progress=1) for o in cycle.outcomes.all()
    ]
    services.review_close(
        cycle=cycle,
        by=senco.user,
        meeting_date=timezone.localdate(),
        attendees="Mum\nSENCO",
        next_step="continue",
        ratings=ratings,
        next_review_date=timezone.localdate() + dt.timedelta(weeks=12),
    )
    page = client_for(senco).get(reverse("pupils:detail", args=[cycle.pupil.public_id]))
    body = page.content.decode()
    steps = [
        "Support plan 2 opened",
        "Support plan 1 reviewed",
        "Views for support plan 1 received (pupil)",
        "Support plan 1 issued (version 2)",
        "Support plan 1 issued<",
        "Support plan 1 opened",
    ]
    places = [body.find(step) for step in steps]
    assert -1 not in places, dict(zip(steps, places, strict=True))
    assert places == sorted(places), dict(zip(steps, places, strict=True))


def test_class_plans_show_issued_strategies_to_the_teacher(teacher, cycle, class_group):
    page = client_for(teacher).get(reverse("reviews:class_plans")).content.decode()
    assert "Pre-teach key words" in page
    assert cycle.pupil.display_name in page
    assert "Review overdue" not in page


def test_class_plans_mark_an_overdue_review(teacher, cycle, class_group):
    import datetime as dt

    from django.utils import timezone

    type(cycle).objects.filter(pk=cycle.pk).update(
        review_date=timezone.localdate() - dt.timedelta(days=1)
    )
    page = client_for(teacher).get(reverse("reviews:class_plans")).content.decode()
    assert f'id="overdue-{cycle.pupil.public_id}">Review overdue</span>' in page


def _value_of(html: str, name: str) -> str:
    import re

    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert found, name
    value = re.search(r'value="([^"]*)"', found.group(0))
    return value.group(1) if value else ""


def test_edit_forms_show_saved_dates_so_saving_keeps_them(senco, cycle):
    """A type="date" input shows only an ISO value: any other format shows blank, and saving the
    form unchanged would erase the date."""
    client = client_for(senco)
    outcome = cycle.outcomes.first()
    outcome.target_date = dt.date(2027, 2, 10)
    outcome.save()
    cycle.assessed_on = dt.date(2026, 1, 5)
    cycle.save()
    edit = reverse("reviews:outcome_edit", args=[cycle.public_id, outcome.public_id])
    assert _value_of(client.get(edit).content.decode(), "target_date") == "2027-02-10"
    settings_page = client.get(reverse("reviews:cycle_settings", args=[cycle.public_id]))
    assert _value_of(settings_page.content.decode(), "review_date") == (
        cycle.review_date.isoformat()
    )
    assess = client.get(reverse("reviews:cycle_assess", args=[cycle.public_id]))
    assert _value_of(assess.content.decode(), "assessed_on") == "2026-01-05"
    review = client.get(reverse("reviews:cycle_review", args=[cycle.public_id])).content.decode()
    assert _value_of(review, "meeting_date") == timezone.localdate().isoformat()


def test_review_form_offers_only_real_next_steps(senco, cycle):
    page = client_for(senco).get(reverse("reviews:cycle_review", args=[cycle.public_id]))
    html = page.content.decode()
    assert 'name="next_step" value=""' not in html and "---------" not in html
    assert 'name="next_step" value="continue"' in html


def test_review_meeting_before_the_plan_was_issued_is_refused(senco, cycle):
    client = client_for(senco)
    a, b = cycle.outcomes.all()
    data = {
        "meeting_date": "2020-01-15",
        "attendees": "Mum, SENCO",
        "next_step": "leave",
        f"rating_{a.public_id.hex}": "achieved",
        f"progress_{a.public_id.hex}": "2",
        f"rating_{b.public_id.hex}": "achieved",
        f"progress_{b.public_id.hex}": "1",
    }
    response = client.post(reverse("reviews:cycle_review", args=[cycle.public_id]), data)
    assert response.status_code == 422
    assert response.context["form"].errors["meeting_date"] == [
        f"The review meeting cannot be before the plan was issued "
        f"({timezone.localdate():%-d %B %Y}): check the date."
    ]
    cycle.refresh_from_db()
    assert cycle.status == "issued" and not a.__class__.objects.filter(pk=a.pk, rating="achieved")


def test_outcome_dated_before_the_plan_and_parents_told_in_future_are_refused(senco, cycle):
    client = client_for(senco)
    add = reverse("reviews:outcome_add", args=[cycle.public_id])
    response = client.post(
        add,
        {
            "area": "CL",
            "description": "Reads 40 high-frequency words by sight",
            "success_criterion": "40/40 on two checks",
            "target_date": "2020-01-01",
        },
    )
    assert response.status_code == 422
    assert "before the plan was opened" in response.context["form"].errors["target_date"][0]
    missing = client.post(add, {"area": "CL", "description": "Reads 40 words by sight"})
    assert missing.context["form"].errors["success_criterion"] == [
        "Say how everyone will know the outcome is achieved (e.g. '8 of 10 times')."
    ]
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = client.post(
        reverse("reviews:cycle_settings", args=[cycle.public_id]),
        {"review_date": cycle.review_date.isoformat(), "parents_notified_on": future},
    )
    assert response.status_code == 422
    assert "in the future" in response.context["form"].errors["parents_notified_on"][0]


def test_issued_version_shows_the_review_by_date_as_a_date(senco, taught_pupil):
    from reviews import services

    cycle = open_cycle(taught_pupil, senco.user)
    services.cycle_update(cycle=cycle, data={"review_date": dt.date(2027, 3, 1)})
    from .cycle_helpers import add_outcome

    outcome = add_outcome(cycle)
    outcome.target_date = dt.date(2027, 2, 10)
    outcome.save()
    services.plan_issue(cycle=cycle, by=senco.user)
    page = client_for(senco).get(reverse("reviews:version_detail", args=[cycle.public_id, 1]))
    html = page.content.decode()
    assert "10 Feb 2027" in html and "2027-02-10" not in html


def test_the_day_parents_were_told_shows_on_the_plan(senco, cycle):
    """CoP 6.48: parents must be told of the plan. The date saved on the plan's form shows on
    the plan, and its absence is visible too."""
    url = reverse("reviews:cycle_detail", args=[cycle.public_id])
    client = client_for(senco)
    assert "Parents told about the plan: not recorded" in client.get(url).content.decode()
    told = timezone.localdate() - dt.timedelta(days=2)
    SupportCycle.objects.filter(pk=cycle.pk).update(parents_notified_on=told)
    body = client.get(url).content.decode()
    assert f"Parents told about the plan {told:%-d %b %Y}" in body


def test_review_form_starts_the_pupil_and_parent_voice_from_views_sent_in(senco, cycle):
    """Views that came back through links are not lost between steps: they start the review's
    record of the pupil's and the parents' voice, which the SENCO then edits."""
    from reviews import services

    for kind, answers in (
        ("pupil", {"feel_school": "ok", "feel_learning": "happy", "good_at": "Football"}),
        ("parent", {"going_well": "Loves the reading club", "worries": ""}),
        ("professional", {"role": "EP", "summary": "Working memory weakness"}),
    ):
        link, _ = services.contribution_link_create(
            cycle=cycle, kind=kind, recipient_name="Someone", by=senco.user
        )
        services.contribution_submit(link=link, answers=answers)
    response = client_for(senco).get(reverse("reviews:cycle_review", args=[cycle.public_id]))
    form = response.context["form"]
    assert form["pupil_voice"].value() == (
        "How do you feel at school? OK\n"
        "How do you feel about your learning? Happy\n"
        "I am good at... Football"
    )
    assert (
        form["parent_voice"].value() == "What is going well for your child? Loves the reading club"
    )
    assert "Working memory" not in form["pupil_voice"].value() + form["parent_voice"].value()
    body = response.content.decode()
    assert "Started from the views sent in before the meeting" in body
    # The answers as sent in read "OK", not "Ok".
    assert " OK</dd>" in body and "Ok</dd>" not in body


def test_opening_a_plan_offers_the_class_teacher_as_responsible(senco, teacher, taught_pupil):
    """The class teacher stays responsible (CoP 6.52): they are chosen already, so the reminder
    before the review goes to someone who teaches the pupil."""
    from tests.factories import MembershipFactory, TeachingGroupFactory

    url = reverse("reviews:pupil_cycles", args=[taught_pupil.public_id])
    client = client_for(senco)
    page = client.get(url).content.decode()
    assert f'<option value="{teacher.user_id}" selected>' in page
    # Two teachers share the pupil's classes and none is their registration group's: no guess.
    other = MembershipFactory(school=senco.school, role="teacher")
    group = TeachingGroupFactory(school=senco.school, name="Maths set 2")
    group.staff.add(other.user)
    taught_pupil.teaching_groups.add(group)
    assert " selected>" not in client.get(url).content.decode()
    # The registration group's teacher decides it.
    taught_pupil.reg_group = group
    taught_pupil.save()
    assert f'<option value="{other.user_id}" selected>' in client.get(url).content.decode()


def test_the_teacher_named_responsible_sees_the_pupil_and_the_plan(senco, school, cycle):
    """A SENCO may name a teacher who teaches the pupil in no recorded group (a subject teacher,
    a new class): the reminders go to them, so the links must open for them."""
    from tests.factories import MembershipFactory

    other = MembershipFactory(school=school, role="teacher")
    plan_url = reverse("reviews:cycle_detail", args=[cycle.public_id])
    profile_url = reverse("pupils:detail", args=[cycle.pupil.public_id])
    assert client_for(other).get(plan_url).status_code == 404
    SupportCycle.objects.filter(pk=cycle.pk).update(teacher_responsible=other.user)
    assert client_for(other).get(plan_url).status_code == 200
    assert client_for(other).get(profile_url).status_code == 200
    # Only while the plan is open.
    SupportCycle.objects.filter(pk=cycle.pk).update(status="closed")
    assert client_for(other).get(profile_url).status_code == 404
