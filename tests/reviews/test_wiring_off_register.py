"""The status decision form and the pages that show a support plan, when a decision takes the
pupil off the SEN register: the form warns what will end, the decision says back what ended,
and the cycle reads "Ended: left the SEN register on <date>" on its page, the pupil's list of
plans, the profile's card and chronology; the register's next review column is empty."""

import html

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews import services
from reviews.models import Review, SupportCycle
from sencoweb.models import AuditEvent
from tests.helpers import client_for

from .cycle_helpers import issued_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(taught_pupil, senco):
    cycle = issued_cycle(taught_pupil, senco.user, review_in_days=20)
    for name in ("Mrs Okafor", "Mr Okafor"):
        services.contribution_link_create(
            cycle=cycle, kind="parent", recipient_name=name, by=senco.user
        )
    return cycle


def _decision_url(pupil, query=""):
    return reverse("pupils:decision_new", args=[pupil.public_id]) + query


def _data(to):
    today = timezone.localdate().isoformat()
    return {"to_status": to, "decided_on": today, "reason": "Now in line", "decided_by": "SENCO"}


def _text(response) -> str:
    return html.unescape(response.content.decode())


def test_the_form_says_what_will_end(senco, cycle, taught_pupil):
    page = _text(client_for(senco).get(_decision_url(taught_pupil, "?to=N")))
    assert (
        f"Support plan 1 (review due {cycle.review_date:%-d %b %Y}) will end, and 2 "
        "contribution links will be revoked."
    ) in page


def test_recording_the_decision_ends_the_plan_and_says_so(senco, cycle, taught_pupil):
    client = client_for(senco)
    response = client.post(_decision_url(taught_pupil), _data("N"), follow=True)
    page = _text(response)
    today = timezone.localdate()
    ended = (
        f"Support plan 1 (review due {cycle.review_date:%-d %b %Y}) ended: left the SEN "
        f"register on {today:%-d %b %Y}; 2 contribution links revoked."
    )
    assert ended in page
    event = AuditEvent.objects.get(object_type="pupils.StatusDecision")
    assert event.detail == {"closed": [ended]}
    # The profile: the plans card and the chronology.
    assert f"Support plan 1: Ended: left the SEN register on {today:%-d %b %Y}" in page
    assert "Support plan 1 ended: Left the SEN register" in page
    assert "Latest support plan" in page and "Current support plan" not in page
    assert "Next review" not in page


def test_the_ended_plan_reads_as_ended_not_reviewed(senco, cycle, taught_pupil):
    client = client_for(senco)
    client.post(_decision_url(taught_pupil), _data("M"))
    today = timezone.localdate()
    detail = _text(client.get(reverse("reviews:cycle_detail", args=[cycle.public_id])))
    assert f'id="cycle-stage">Ended: left the SEN register on {today:%-d %b %Y}<' in detail
    assert "stage-ended" in detail and "Reviewed" not in detail
    assert 'id="cycle-ended"' in detail and 'aria-current="step"' not in detail
    assert (
        f"Not reviewed: the plan ended on {today:%-d %b %Y} when Amara left the SEN register "
        f"(the review had been due {cycle.review_date:%-d %b %Y})."
    ) in detail
    assert 'id="record-review"' not in detail and 'id="edit-assess"' not in detail
    assert 'id="new-link"' not in detail
    assert detail.count(">Revoked<") == 2
    # Issued versions stay readable.
    version = client.get(reverse("reviews:version_detail", args=[cycle.public_id, 1]))
    assert version.status_code == 200
    listing = _text(client.get(reverse("reviews:pupil_cycles", args=[taught_pupil.public_id])))
    assert f"Ended: left the SEN register on {today:%-d %b %Y}" in listing
    assert "Left the SEN register (not reviewed)" in listing
    assert "Next review due" not in listing
    # Monitoring pupils stay on the register page, with no review date.
    register = _text(client.get(reverse("pupils:register")))
    assert "Okafor" in register and f"{cycle.review_date:%-d %b %Y}" not in register
    due = client.get(reverse("pupils:register"), {"review_before": cycle.review_date.isoformat()})
    assert "Okafor" not in _text(due)


def test_leaving_agreed_at_a_review_ends_nothing_more(senco, cycle, taught_pupil):
    services.review_close(
        cycle=cycle,
        by=senco.user,
        meeting_date=timezone.localdate(),
        attendees="Mrs Okafor\nSENCO",
        next_step=Review.NextStep.LEAVE,
        ratings=[
            services.OutcomeRating(outcome=o, rating="achieved", progress=1)
            for o in cycle.outcomes.all()
        ],
    )
    client = client_for(senco)
    url = _decision_url(taught_pupil, f"?to=N&review={cycle.public_id}")
    form_page = client.get(url)
    assert 'id="off-register-warning"' not in form_page.content.decode()
    data = {**form_page.context["form"].initial, "decided_on": timezone.localdate().isoformat()}
    page = _text(client.post(url, data, follow=True))
    assert "ended: left the SEN register" not in page
    assert AuditEvent.objects.get(object_type="pupils.StatusDecision").detail == {}
    cycle.refresh_from_db()
    assert cycle.stage_label == "Reviewed" and not cycle.is_ended
    assert SupportCycle.objects.filter(pupil=taught_pupil).count() == 1


def test_the_transition_pack_says_the_plan_ended(senco, cycle, taught_pupil):
    from reports.pack_sections import current_plan

    client_for(senco).post(_decision_url(taught_pupil), _data("N"))
    plan = current_plan(taught_pupil)
    today = timezone.localdate()
    assert plan["status"] == f"Ended: left the SEN register on {today:%-d %b %Y}"
    assert plan["closed"] is True
