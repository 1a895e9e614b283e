"""A review that agrees the pupil leaves the register, or that an EHC needs assessment is
requested, leads the SENCO to the record that does it: the dated status decision (with the
review's date and reason filled in) or the EHC request. "Continue" leads nowhere new."""

import datetime as dt
import html
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import EhcRequest
from tests.factories import PupilFactory
from tests.helpers import client_for

from .cycle_helpers import issued_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(taught_pupil, senco):
    return issued_cycle(taught_pupil, senco.user)


def _review(client, cycle, step):
    data = {
        "meeting_date": timezone.localdate().isoformat(),
        "attendees": "Mrs Okafor (parent)\nMs Reid (SENCO)",
        "summary": "Reading now at age-related expectations; no extra provision needed.",
        "next_step": step,
        "next_review_date": (timezone.localdate() + dt.timedelta(weeks=12)).isoformat(),
    }
    for o in cycle.outcomes.all():
        data[f"rating_{o.public_id.hex}"] = "achieved"
        data[f"progress_{o.public_id.hex}"] = "2"
    return client.post(reverse("reviews:cycle_review", args=[cycle.public_id]), data)


def _link(page: str, element_id: str) -> str:
    """The href of the link with this id (unescaped), or ""."""
    marker = f'id="{element_id}"'
    if marker not in page:
        return ""
    tag_start = page.rfind("<a ", 0, page.index(marker))
    tag = page[tag_start : page.index(">", page.index(marker))]
    href = tag.split('href="', 1)[1].split('"', 1)[0]
    return html.unescape(href)


def test_leaving_the_register_links_to_the_prefilled_decision(senco, cycle):
    client = client_for(senco)
    response = _review(client, cycle, "leave")
    detail = reverse("reviews:cycle_detail", args=[cycle.public_id])
    assert response.status_code == 302 and response.url == detail

    page = client.get(detail).content.decode()
    leave = _link(page, "decision-leave")
    assert "Record the decision to remove Amara Okafor from the SEN register" in page
    url = urlparse(leave)
    assert url.path == reverse("pupils:decision_new", args=[cycle.pupil.public_id])
    assert parse_qs(url.query) == {"to": ["N"], "review": [str(cycle.public_id)]}
    monitor = parse_qs(urlparse(_link(page, "decision-monitor")).query)
    assert monitor == {"to": ["M"], "review": [str(cycle.public_id)]}
    # The success message carries the same link.
    assert page.count(html.escape(leave)) == 2
    assert "parents or carers" in page

    form = client.get(leave).context["form"]
    assert form.initial["to_status"] == "N"
    assert form.initial["decided_on"] == timezone.localdate()
    assert form.initial["reason"].startswith("Agreed at the review of support plan 1 on")
    assert form.initial["reason"].endswith(": leave the SEN register.")
    assert form.initial["evidence"].startswith("Reading now at age-related")
    assert form.initial["decided_by"] == "Review meeting: Mrs Okafor (parent), Ms Reid (SENCO)"


def test_once_the_decision_is_recorded_the_page_says_so(senco, cycle):
    client = client_for(senco)
    _review(client, cycle, "leave")
    detail = reverse("reviews:cycle_detail", args=[cycle.public_id])
    leave = _link(client.get(detail).content.decode(), "decision-leave")
    form = client.get(leave).context["form"]
    data = {**form.initial, "parents_informed": "on"}
    data["parents_informed_on"] = data["decided_on"] = timezone.localdate().isoformat()
    assert client.post(leave, data).status_code == 302
    cycle.pupil.refresh_from_db()
    assert cycle.pupil.sen_status == "N"
    page = client.get(detail).content.decode()
    assert 'id="decision-leave"' not in page
    assert "Decision recorded. Amara Okafor&#x27;s status: Not on the SEN register" in page


def test_continue_leads_to_no_decision(senco, cycle):
    client = client_for(senco)
    response = _review(client, cycle, "continue")
    assert response.url == reverse("reviews:pupil_cycles", args=[cycle.pupil.public_id])
    page = client.get(reverse("reviews:cycle_detail", args=[cycle.public_id])).content.decode()
    assert 'id="next-action"' not in page
    assert reverse("pupils:decision_new", args=[cycle.pupil.public_id]) not in page
    assert reverse("reviews:request_new", args=[cycle.pupil.public_id]) not in page


def test_ehc_request_outcome_links_to_a_prefilled_request(senco, cycle):
    client = client_for(senco)
    response = _review(client, cycle, "ehcna")
    detail = reverse("reviews:cycle_detail", args=[cycle.public_id])
    assert response.url == detail
    page = client.get(detail).content.decode()
    assert reverse("pupils:decision_new", args=[cycle.pupil.public_id]) not in page
    start = urlparse(_link(page, "ehc-request-start"))
    assert start.path == reverse("reviews:request_new", args=[cycle.pupil.public_id])
    assert parse_qs(start.query) == {"review": [str(cycle.public_id)]}
    assert "Start the EHC needs assessment request for Amara Okafor" in page
    form = client.get(f"{start.path}?{start.query}").context["form"]
    assert form.initial["notes"].endswith(": request an EHC needs assessment.")

    EhcRequest.objects.create(
        school=cycle.school,
        pupil=cycle.pupil,
        requested_by="school",
        la_code="999",
        la_name="Test LA",
        received_on=timezone.localdate(),
        created_by=senco.user,
    )
    page = client.get(detail).content.decode()
    assert 'id="ehc-request-start"' not in page and 'id="ehc-request-done"' in page


def test_staff_who_may_not_change_the_status_get_no_link(senco, teacher, cycle, class_group):
    _review(client_for(senco), cycle, "leave")
    page = client_for(teacher).get(reverse("reviews:cycle_detail", args=[cycle.public_id]))
    html_text = page.content.decode()
    assert page.status_code == 200
    assert reverse("pupils:decision_new", args=[cycle.pupil.public_id]) not in html_text
    assert "The SENCO records the decision to remove Amara Okafor" in html_text


def test_a_review_of_another_pupil_prefills_nothing(senco, outsider, cycle, school):
    client = client_for(senco)
    _review(client, cycle, "leave")
    other = PupilFactory(school=school, sen_status="K")
    url = reverse("pupils:decision_new", args=[other.public_id])
    form = client.get(f"{url}?to=N&review={cycle.public_id}").context["form"]
    assert "reason" not in form.initial and "decided_on" not in form.initial
    request_url = reverse("reviews:request_new", args=[other.public_id])
    form = client.get(f"{request_url}?review={cycle.public_id}").context["form"]
    assert not form.initial.get("notes")
    # Another school's SENCO cannot open the pupil's decision form at all.
    leave = reverse("pupils:decision_new", args=[cycle.pupil.public_id])
    assert client_for(outsider).get(f"{leave}?review={cycle.public_id}").status_code == 404


def test_leaving_asks_for_no_primary_need_and_the_detour_keeps_the_review(senco, cycle):
    client = client_for(senco)
    _review(client, cycle, "leave")
    url = reverse("pupils:decision_new", args=[cycle.pupil.public_id])
    # The pupil has no rank 1 need: that matters for K and E only, not for leaving.
    for status in ("N", "M"):
        page = client.get(f"{url}?to={status}&review={cycle.public_id}")
        assert "notice_url" not in page.context and "primary (rank 1) need" not in (
            page.content.decode()
        )
    # Any other route through the need form keeps the review in its address.
    page = client.get(f"{url}?to=K&review={cycle.public_id}")
    assert f"review={cycle.public_id}" in page.context["notice_url"]


def test_a_pupil_who_has_left_the_school_gets_no_link(senco, cycle):
    client = client_for(senco)
    _review(client, cycle, "leave")
    cycle.pupil.archived_at = timezone.now()
    cycle.pupil.left_on = timezone.localdate()
    cycle.pupil.save()
    page = client.get(reverse("reviews:cycle_detail", args=[cycle.public_id])).content.decode()
    assert 'id="next-action"' not in page
