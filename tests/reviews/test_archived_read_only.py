"""A pupil who has left keeps their support plans and EHC record as they stood: read only. Their
plan pages offer no change, every write is refused with the page that says why, their
contribution links close, and no reminder, calendar entry or overdue count is left behind."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pupils.models import Pupil
from pupils.services import pupil_archive
from reports.dashboards import reviews_due
from reviews import services, services_ehc
from reviews.models import (
    AnnualReview,
    ContributionLink,
    EhcPlan,
    EhcRequest,
    Outcome,
    Review,
    SupportCycle,
)
from tests.factories import PupilFactory
from tests.helpers import client_for

from .cycle_helpers import add_outcome, issued_cycle, open_cycle
from .ehc_factories import AnnualReviewFactory, EhcPlanFactory, EhcRequestFactory

pytestmark = pytest.mark.django_db

READ_ONLY = "read only"
PARENT_ANSWERS = {"going_well": "She loves the reading club", "worries": "Spelling homework"}


def _leave(pupil):
    """The pupil leaves through the register's own service (home education: the school keeps
    the file)."""
    pupil_archive(pupil=pupil, left_on=timezone.localdate(), left_for=Pupil.LeftFor.HOME, by=None)


def _today():
    return timezone.localdate()


def test_a_left_pupils_cycle_refuses_changes_with_a_clear_message(senco, taught_pupil):
    taught_pupil.sen_status = "K"
    taught_pupil.save()
    cycle = open_cycle(taught_pupil, senco.user)
    _leave(taught_pupil)
    client = client_for(senco)
    for name, data in [
        ("cycle_assess", {"teacher_assessment": "After leaving"}),
        ("outcome_add", {"area": "CL", "description": "Reads a passage aloud accurately"}),
    ]:
        response = client.post(reverse(f"reviews:{name}", args=[cycle.public_id]), data)
        assert response.status_code == 403, name
        assert READ_ONLY in response.content.decode()
    cycle.refresh_from_db()
    assert cycle.teacher_assessment != "After leaving"
    assert not Outcome.objects.filter(cycle=cycle).exists()
    # Still readable.
    assert client.get(reverse("reviews:cycle_detail", args=[cycle.public_id])).status_code == 200


def test_a_left_pupils_ehc_page_offers_no_new_request_or_plan(senco, taught_pupil):
    url = reverse("reviews:pupil_ehc", args=[taught_pupil.public_id])
    client = client_for(senco)
    request_new = reverse("reviews:request_new", args=[taught_pupil.public_id])
    assert request_new in client.get(url).content.decode()
    _leave(taught_pupil)
    body = client.get(url).content.decode()
    assert request_new not in body and 'id="record-plan"' not in body


# --------------------------------------------------------------------------- the plan pages


@pytest.mark.parametrize("who", ["senco", "teacher"])
def test_a_left_pupils_plan_page_offers_no_change(cast, taught_pupil, who):
    senco = cast["senco"]
    cycle = open_cycle(taught_pupil, senco.user, teacher_may_edit=True)
    services.cycle_update(
        cycle=cycle,
        data={
            "teacher_assessment": "Reading age behind",
            "review_date": _today() + dt.timedelta(30),
        },
    )
    outcome = add_outcome(cycle)
    link, _ = services.contribution_link_create(
        cycle=cycle, kind="parent", recipient_name="Mrs Okafor", by=senco.user
    )
    url = reverse("reviews:cycle_detail", args=[cycle.public_id])
    client = client_for(cast[who])
    # What an editor is offered on the plan of a pupil on roll...
    writes = [
        'id="edit-settings"',
        'id="edit-assess"',
        'id="add-outcome"',
        'id="issue-form"',
        reverse("reviews:outcome_edit", args=[cycle.public_id, outcome.public_id]),
        reverse("reviews:outcome_delete", args=[cycle.public_id, outcome.public_id]),
    ]
    if who == "senco":  # links are the SENCO's
        writes += ['id="new-link"', reverse("reviews:link_revoke", args=[link.public_id])]
    before = client.get(url).content.decode()
    for marker in writes:
        assert marker in before, marker
    assert "Waiting, closes" in before
    # ...is gone once they have left; the page says why, and the link shows as closed.
    _leave(taught_pupil)
    response = client.get(url)
    assert response.status_code == 200
    after = response.content.decode()
    for marker in writes:
        assert marker not in after, marker
    assert 'id="left-read-only"' in after and READ_ONLY in after
    assert "Waiting, closes" not in after and ">Closed<" in after


def test_a_left_pupils_issued_plan_offers_no_review_meeting(senco, taught_pupil):
    cycle = issued_cycle(taught_pupil, senco.user)
    client = client_for(senco)
    url = reverse("reviews:cycle_detail", args=[cycle.public_id])
    cycles_url = reverse("reviews:pupil_cycles", args=[taught_pupil.public_id])
    assert 'id="record-review"' in client.get(url).content.decode()
    assert "Next review due" in client.get(cycles_url).content.decode()
    _leave(taught_pupil)
    assert 'id="record-review"' not in client.get(url).content.decode()
    # No review is to come: the list of plans does not announce one.
    body = client.get(cycles_url).content.decode()
    assert "Next review due" not in body and 'id="left-read-only"' in body
    response = client.post(reverse("reviews:cycle_review", args=[cycle.public_id]), {})
    assert response.status_code == 403 and READ_ONLY in response.content.decode()
    assert not Review.objects.exists()


def test_no_support_plan_can_be_opened_for_a_left_pupil(senco, teacher, outsider, taught_pupil):
    page = reverse("reviews:pupil_cycles", args=[taught_pupil.public_id])
    url = reverse("reviews:cycle_open", args=[taught_pupil.public_id])
    client = client_for(senco)
    assert 'id="open-cycle"' in client.get(page).content.decode()
    _leave(taught_pupil)
    body = client.get(page).content.decode()
    assert 'id="open-cycle"' not in body and 'id="left-read-only"' in body
    response = client.post(url, {"teacher_responsible": ""})
    assert response.status_code == 403 and READ_ONLY in response.content.decode()
    # A teacher may not open plans here at all; another school does not see the pupil.
    assert client_for(teacher).post(url, {"teacher_responsible": ""}).status_code == 403
    assert client_for(outsider).post(url, {"teacher_responsible": ""}).status_code == 404
    assert not SupportCycle.objects.exists()


def test_a_left_pupils_link_cannot_be_revoked_either(senco, outsider, taught_pupil):
    cycle = issued_cycle(taught_pupil, senco.user)
    link, _ = services.contribution_link_create(
        cycle=cycle, kind="parent", recipient_name="Mrs Okafor", by=senco.user
    )
    _leave(taught_pupil)
    url = reverse("reviews:link_revoke", args=[link.public_id])
    assert client_for(outsider).post(url).status_code == 404
    response = client_for(senco).post(url)
    assert response.status_code == 403 and READ_ONLY in response.content.decode()
    link.refresh_from_db()
    assert link.revoked_at is None  # nothing written; the link is closed all the same
    assert link.state() == "closed"


# --------------------------------------------------------------------------- EHC writes


def _days_ago(n):
    return _today() - dt.timedelta(days=n)


@pytest.fixture
def ehc(senco, class_group):
    """A left pupil's plan in force, with an annual review in progress, a request and a draft
    amendment, all made while the pupil was on roll."""
    plan = EhcPlanFactory(
        pupil__school=senco.school,
        pupil__first_name="Amara",
        issued_on=_days_ago(330),
        first_issued_on=_days_ago(330),
    )
    plan.pupil.teaching_groups.add(class_group)
    review = AnnualReviewFactory(plan=plan)
    ehc_request = EhcRequestFactory(pupil=plan.pupil, received_on=_days_ago(400))
    draft = services_ehc.ehc_plan_amend(plan=plan, by=senco.user)
    _leave(plan.pupil)
    return {"plan": plan, "review": review, "request": ehc_request, "draft": draft}


def _refused(response):
    assert response.status_code == 403
    assert READ_ONLY in response.content.decode()


def test_annual_reviews_of_a_left_pupil_are_refused(senco, ehc):
    client = client_for(senco)
    plan, review = ehc["plan"], ehc["review"]
    for kind in ("annual", "interim"):
        _refused(client.post(reverse("reviews:review_new", args=[plan.public_id]), {"kind": kind}))
    assert AnnualReview.objects.count() == 1
    url = reverse("reviews:review_edit", args=[review.public_id])
    meeting = _days_ago(20).isoformat()
    _refused(client.post(url, {"meeting_on": meeting, "attendees": "After leaving"}))
    review.refresh_from_db()
    assert review.meeting_on is None and review.attendees != "After leaving"
    # Still readable, without the form.
    page = client.get(url)
    assert page.status_code == 200 and 'id="review-form"' not in page.content.decode()


def test_a_left_pupils_ehc_plan_cannot_be_edited_issued_or_amended(senco, ehc):
    client = client_for(senco)
    plan, draft = ehc["plan"], ehc["draft"]
    edit = reverse("reviews:plan_edit", args=[draft.public_id])
    _refused(client.get(edit))
    _refused(client.post(edit, {"la_code": "801", "la_name": "Bristol", "section_b": "Changed"}))
    _refused(
        client.post(
            reverse("reviews:plan_issue", args=[draft.public_id]),
            {"issued_on": _today().isoformat()},
        )
    )
    draft.refresh_from_db()
    assert draft.status == EhcPlan.Status.DRAFT and draft.section_b != "Changed"
    EhcPlan.objects.filter(pk=draft.pk).delete()  # amending needs no draft in the way
    _refused(client.post(reverse("reviews:plan_amend", args=[plan.public_id])))
    assert list(EhcPlan.objects.filter(pupil=plan.pupil)) == [plan]
    # The plan page offers none of it.
    body = client.get(reverse("reviews:plan_detail", args=[plan.public_id])).content.decode()
    assert 'id="amend-plan"' not in body


def test_a_left_pupils_draft_plan_page_and_links_lead_to_reading_only(senco, ehc):
    client = client_for(senco)
    draft = ehc["draft"]
    body = client.get(reverse("reviews:plan_detail", args=[draft.public_id])).content.decode()
    assert 'id="edit-plan"' not in body and 'id="issue-plan"' not in body
    page = client.get(reverse("reviews:pupil_ehc", args=[ehc["plan"].pupil.public_id]))
    body = page.content.decode()
    assert reverse("reviews:plan_edit", args=[draft.public_id]) not in body
    assert reverse("reviews:plan_detail", args=[draft.public_id]) in body


def test_a_left_pupils_needs_assessment_request_cannot_be_updated(senco, ehc):
    ehc_request = ehc["request"]
    url = reverse("reviews:request_detail", args=[ehc_request.public_id])
    client = client_for(senco)
    _refused(client.post(url, {"la_name": "Changed", "la_code": "801"}))
    ehc_request.refresh_from_db()
    assert ehc_request.la_name != "Changed"
    page = client.get(url)
    assert page.status_code == 200 and 'id="save-request"' not in page.content.decode()


def test_ehc_writes_on_a_left_pupil_keep_their_roles_and_school_rules(teacher, outsider, ehc):
    plan, review = ehc["plan"], ehc["review"]
    for member, status in ((teacher, 403), (outsider, 404)):
        client = client_for(member)
        assert client.post(reverse("reviews:review_new", args=[plan.public_id])).status_code == (
            status
        )
        url = reverse("reviews:review_edit", args=[review.public_id])
        assert client.post(url, {"attendees": "x"}).status_code == status
        url = reverse("reviews:request_detail", args=[ehc["request"].public_id])
        assert client.post(url, {"la_name": "x"}).status_code == status
    assert AnnualReview.objects.count() == 1 and EhcRequest.objects.count() == 1


# --------------------------------------------------------------------------- contribution links


def _url(token):
    return reverse("reviews:contribute", args=[token])


def _link(cycle, senco, email="mum@example.org"):
    return services.contribution_link_create(
        cycle=cycle,
        kind="parent",
        recipient_name="Mrs Okafor",
        recipient_email=email,
        by=senco.user,
    )


def _gone_message(response) -> tuple:
    """The heading and first paragraph of the public "link not available" page."""
    found = re.search(
        r'<h1 class="h3" id="gone">(.*?)</h1>\s*<p>(.*?)</p>', response.content.decode(), re.S
    )
    assert found, response.content.decode()[:2000]
    return found.groups()


def _close_review(cycle, senco):
    return services.review_close(
        cycle=cycle,
        by=senco.user,
        meeting_date=_today(),
        attendees="Mum\nSENCO",
        next_step=Review.NextStep.CONTINUE,
        ratings=[],
        next_review_date=_today() + dt.timedelta(weeks=12),
    )


def test_a_left_pupils_links_close_and_say_no_more_than_a_revoked_one(senco, taught_pupil):
    cycle = issued_cycle(taught_pupil, senco.user)
    link, token = _link(cycle, senco)
    revoked, revoked_token = _link(cycle, senco, email="gran@example.org")
    services.contribution_link_revoke(link=revoked)
    assert Client().get(_url(token)).status_code == 200
    _leave(taught_pupil)
    expected = _gone_message(Client().get(_url(revoked_token)))
    for response in (Client().get(_url(token)), Client().post(_url(token), PARENT_ANSWERS)):
        assert response.status_code == 410
        assert _gone_message(response) == expected
        body = response.content.decode()
        assert "Amara" not in body and "Okafor" not in body and "left" not in body.lower()
    link.refresh_from_db()
    assert link.submitted_at is None and link.answers == {}


def test_a_link_stops_when_the_review_meeting_closes_its_cycle(senco, taught_pupil):
    cycle = issued_cycle(taught_pupil, senco.user)
    link, token = _link(cycle, senco)
    assert link.expires_at > timezone.now()  # open until the end of the review day
    form = Client().get(_url(token))
    assert form.status_code == 200
    _close_review(cycle, senco)
    # The parent sends the form they opened before the meeting: nothing is kept, and they
    # are not thanked for it.
    response = Client().post(_url(token), PARENT_ANSWERS)
    assert response.status_code == 410 and "Thank you" not in response.content.decode()
    revoked, revoked_token = _link(cycle.next_cycle, senco, email="gran@example.org")
    services.contribution_link_revoke(link=revoked)
    assert _gone_message(response) == _gone_message(Client().get(_url(revoked_token)))
    assert Client().get(_url(token)).status_code == 410
    link.refresh_from_db()
    assert link.submitted_at is None and link.answers == {}
    # The reviewed cycle's page says the link closed, not that it is still waiting.
    page = client_for(senco).get(reverse("reviews:cycle_detail", args=[cycle.public_id]))
    body = page.content.decode()
    assert "Waiting, closes" not in body and ">Closed<" in body and "review held" in body


def test_answers_are_not_kept_when_the_cycle_closes_while_the_form_is_open(senco, taught_pupil):
    """The service checks the link's rule again under the cycle's lock: a link read while the
    cycle was open takes no answers once the meeting has closed it."""
    cycle = issued_cycle(taught_pupil, senco.user)
    _, token = _link(cycle, senco)
    link = services.contribution_link_find(token)
    assert link.state() == "open"
    _close_review(cycle, senco)
    assert services.contribution_submit(link=link, answers=PARENT_ANSWERS) is False
    link.refresh_from_db()
    assert link.submitted_at is None and link.answers == {}


def test_a_link_closed_while_the_form_is_sent_is_never_thanked_for(
    senco, taught_pupil, monkeypatch
):
    cycle = issued_cycle(taught_pupil, senco.user)
    link, token = _link(cycle, senco)
    real_submit = services.contribution_submit

    def revoked_meanwhile(**kwargs):
        ContributionLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now())
        return real_submit(**kwargs)

    monkeypatch.setattr(services, "contribution_submit", revoked_meanwhile)
    response = Client().post(_url(token), PARENT_ANSWERS)
    assert response.status_code == 410
    assert "Thank you" not in response.content.decode()
    assert "no longer in use" in response.content.decode()


def test_the_link_rule(senco, taught_pupil):
    cycle = issued_cycle(taught_pupil, senco.user)
    link, _ = _link(cycle, senco)
    now = timezone.now()
    assert link.state(now) == "open"
    assert link.state(link.expires_at) == "expired"
    SupportCycle.objects.filter(pk=cycle.pk).update(status=SupportCycle.Status.CLOSED)
    link = ContributionLink.objects.select_related("cycle__pupil").get(pk=link.pk)
    assert link.state(now) == "closed"
    link.revoked_at = now
    assert link.state(now) == "revoked"
    link.submitted_at = now
    assert link.state(now) == "submitted"


# --------------------------------------------------------------------------- reminders


def _at(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))


def test_no_chaser_for_a_left_pupils_links(senco, school, taught_pupil, mailoutbox):
    staying = PupilFactory(school=school, sen_status="K", first_name="Bilal")
    for pupil in (taught_pupil, staying):
        cycle = issued_cycle(pupil, senco.user, review_in_days=4)
        _link(cycle, senco, email=f"{pupil.first_name.lower()}.parent@example.org")
    _leave(taught_pupil)
    tomorrow = _today() + dt.timedelta(days=1)
    assert services.contributions_chase(today=tomorrow, now=_at(tomorrow)) == 1
    assert [m.to for m in mailoutbox] == [["bilal.parent@example.org"]]


def test_no_review_reminder_for_a_left_pupil(senco, school, taught_pupil, mailoutbox):
    staying = PupilFactory(school=school, sen_status="K", first_name="Bilal")
    for pupil in (taught_pupil, staying):
        issued_cycle(pupil, senco.user, review_in_days=3)
    _leave(taught_pupil)
    assert services.review_reminders_send() == 1
    assert "Bilal" in mailoutbox[0].subject and "Amara" not in mailoutbox[0].subject


def test_no_ehc_deadline_reminder_for_a_left_pupil(senco, school, mailoutbox):
    senco.user.email = "senco@example.org"
    senco.user.save()
    plans = []
    for first, last in (("Amara", "Okafor"), ("Bilal", "Hussain")):
        plan = EhcPlanFactory(
            pupil__school=school,
            pupil__first_name=first,
            pupil__last_name=last,
            issued_on=dt.date(2025, 12, 1),
        )
        AnnualReviewFactory(plan=plan, meeting_on=dt.date(2026, 11, 20))
        plans.append(plan)
    _leave(plans[0].pupil)
    sent = services_ehc.deadline_reminders_send(today=dt.date(2026, 11, 22))
    assert sent >= 1 and len(mailoutbox) == sent
    assert all("(BH)" in m.subject for m in mailoutbox)


# --------------------------------------------------------------------------- nothing overdue


def test_a_left_pupils_open_plan_counts_as_overdue_nowhere(senco, school, taught_pupil):
    """An open support plan and an EHC plan past their review dates, for a pupil who left and
    for one still on roll: only the second shows on the calendar, its feed, the home panels,
    the dashboards' count and the deadlines page."""
    staying = PupilFactory(school=school, sen_status="K", first_name="Bilal", last_name="Hussain")
    for pupil in (taught_pupil, staying):
        cycle = issued_cycle(pupil, senco.user)
        SupportCycle.objects.filter(pk=cycle.pk).update(review_date=_days_ago(3))
        Pupil.objects.filter(pk=pupil.pk).update(next_review_due=_days_ago(3))
        EhcPlanFactory(pupil=pupil, school=school, issued_on=dt.date(2020, 1, 6))
    _leave(taught_pupil)
    client = client_for(senco)

    cal = client.get(reverse("reviews:calendar")).context["cal"]
    assert [c.pupil for c in cal.overdue] == [staying]
    home = client.get(reverse("home"))
    panels = {p["key"]: p for p in home.context["panels"]}
    assert panels["reviews_calendar"]["overdue"] == 1
    ehc_overdue = panels["ehc_deadlines"]["overdue"]
    assert ehc_overdue >= 1
    assert reviews_due(school, _today())["overdue"] == 1
    deadlines = client.get(reverse("reviews:deadlines")).content.decode()
    assert "Hussain" in deadlines and "Okafor" not in deadlines
    client.post(reverse("reviews:calendar_token"))
    senco.user.refresh_from_db()
    feed = Client().get(reverse("reviews:ical_feed", args=[senco.user.calendar_token]))
    body = feed.content.decode()
    assert body.count("BEGIN:VEVENT") == 1 and "Bilal H." in body
    # The left pupil's profile does not announce a review still to come.
    profile = client.get(reverse("pupils:detail", args=[taught_pupil.public_id]))
    assert "review by" not in profile.content.decode()
