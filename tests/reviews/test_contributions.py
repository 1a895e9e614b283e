"""Contribution links: hashed tokens, once per person, expiry, revocation, no data leaks,
uploads checked and served only to staff."""

import datetime as dt
from urllib.parse import urlparse

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reviews import services
from reviews.models import ContributionLink, ReviewSettings, SupportCycle
from tests.helpers import client_for

from .cycle_helpers import issued_cycle

pytestmark = pytest.mark.django_db

PARENT_ANSWERS = {"going_well": "She loves the reading club", "worries": "Spelling homework"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def cycle(taught_pupil, senco):
    return issued_cycle(taught_pupil, senco.user)


def _link(cycle, senco, kind="parent", email="mum@example.org"):
    return services.contribution_link_create(
        cycle=cycle, kind=kind, recipient_name="Mrs Okafor", recipient_email=email, by=senco.user
    )


def _url(token):
    return reverse("reviews:contribute", args=[token])


def test_only_the_hash_is_stored_and_the_form_shows_only_the_first_name(cycle, senco):
    link, token = _link(cycle, senco)
    assert token not in link.token_hash and len(link.token_hash) == 64
    # The default: open until the end of the review day.
    assert link.expires_at == services.end_of_day(cycle.review_date)
    page = Client().get(_url(token))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Amara" in body
    assert "Okafor" not in body.replace("Mrs Okafor", "")  # the pupil's surname never shows
    assert cycle.school.name in body
    assert "Reads a passage" not in body  # nothing of the plan
    assert "no-store" in page["Cache-Control"]


def test_parent_submits_once_with_a_report_then_sees_thank_you(cycle, senco, teacher):
    link, token = _link(cycle, senco)
    upload = SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf")
    response = Client().post(_url(token), {**PARENT_ANSWERS, "report": upload})
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    link.refresh_from_db()
    assert link.answers["going_well"] == "She loves the reading club"
    assert link.report.name.startswith("contributions/") and link.report_name == "report.pdf"
    again = Client().post(_url(token), {"going_well": "Overwritten!"})
    assert again.status_code == 410
    assert "She loves" not in again.content.decode()
    link.refresh_from_db()
    assert link.answers["going_well"] == "She loves the reading club"
    # Staff who see the pupil can read the views and download the report; others cannot.
    detail = client_for(senco).get(reverse("reviews:cycle_detail", args=[cycle.public_id]))
    assert "She loves the reading club" in detail.content.decode()
    report_url = reverse("reviews:contribution_report", args=[link.public_id])
    got = client_for(senco).get(report_url)
    assert got.status_code == 200 and b"".join(got.streaming_content) == PDF
    # Teachers read the views on the cycle page but not professionals' full reports.
    assert client_for(teacher).get(report_url).status_code == 403


def test_report_download_refused_to_outsiders_and_governors(cycle, senco, outsider, governor):
    link, token = _link(cycle, senco)
    upload = SimpleUploadedFile("report.pdf", PDF)
    Client().post(_url(token), {**PARENT_ANSWERS, "report": upload})
    url = reverse("reviews:contribution_report", args=[link.public_id])
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(governor).get(url).status_code == 403
    assert Client().get(url).status_code == 302  # to sign-in


def test_bad_uploads_are_refused_next_to_the_field(cycle, senco):
    link, token = _link(cycle, senco)
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf")
    response = Client().post(_url(token), {**PARENT_ANSWERS, "report": fake})
    assert response.status_code == 422
    link.refresh_from_db()
    assert link.submitted_at is None


def test_a_professional_may_send_only_their_report(cycle, senco):
    """The page says 'type it below, attach your report, or both': a report alone is enough."""
    link, token = _link(cycle, senco, kind="professional")
    upload = SimpleUploadedFile("ep-report.pdf", PDF, content_type="application/pdf")
    response = Client().post(_url(token), {"role": "Educational psychologist", "report": upload})
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    link.refresh_from_db()
    assert link.submitted_at is not None and link.report_name == "ep-report.pdf"


def test_a_professional_sending_neither_views_nor_report_is_told_next_to_the_field(cycle, senco):
    link, token = _link(cycle, senco, kind="professional")
    response = Client().post(_url(token), {"role": "Educational psychologist"})
    assert response.status_code == 422
    body = response.content.decode()
    assert 'id="id_summary_error"' in body and "or attach your report below" in body
    assert 'aria-describedby="id_summary_help id_summary_error"' in body
    link.refresh_from_db()
    assert link.submitted_at is None


def test_parent_form_names_the_school_and_explains_a_missing_answer(cycle, senco):
    link, token = _link(cycle, senco)
    page = Client().get(_url(token)).content.decode()
    assert f"{cycle.school.name} would like to hear from you" in page
    response = Client().post(_url(token), {"worries": "Spelling"})
    assert response.status_code == 422
    assert "Please tell us at least one thing that is going well." in response.content.decode()
    assert "This field is required" not in response.content.decode()


def test_oversized_upload_refused(cycle, senco, settings):
    settings.UPLOAD_MAX_BYTES = 100
    link, token = _link(cycle, senco)
    big = SimpleUploadedFile("report.pdf", PDF + b"0" * 200)
    response = Client().post(_url(token), {**PARENT_ANSWERS, "report": big})
    assert response.status_code == 422


def test_expired_link_is_gone(cycle, senco):
    link, token = _link(cycle, senco)
    ContributionLink.objects.filter(pk=link.pk).update(
        created_at=timezone.now() - dt.timedelta(days=20),
        expires_at=timezone.now() - dt.timedelta(days=1),
    )
    for response in (Client().get(_url(token)), Client().post(_url(token), PARENT_ANSWERS)):
        assert response.status_code == 410
        assert "expired" in response.content.decode()
    link.refresh_from_db()
    assert link.submitted_at is None


def test_revoked_link_is_gone(cycle, senco):
    link, token = _link(cycle, senco)
    client = client_for(senco)
    client.post(reverse("reviews:link_revoke", args=[link.public_id]))
    response = Client().post(_url(token), PARENT_ANSWERS)
    assert response.status_code == 410
    assert "no longer in use" in response.content.decode()


def test_wrong_token_is_a_friendly_404(db):
    response = Client().get(_url("not-a-real-token-at-all"))
    assert response.status_code == 404
    assert "could not find" in response.content.decode()


def test_pupil_form_uses_faces(cycle, senco):
    link, token = _link(cycle, senco, kind="pupil", email="")
    body = Client().get(_url(token)).content.decode()
    assert "<svg" in body and "How do you feel at school?" in body
    response = Client().post(
        _url(token), {"feel_school": "happy", "feel_learning": "ok", "helps": "quiet corner"}
    )
    assert response.status_code == 200
    link.refresh_from_db()
    assert link.answers["feel_school"] == "happy"
    # The thank-you page speaks to the child, not to a parent about "views" and "links".
    thanks = response.content.decode()
    assert "Thank you, Amara!" in thanks and "Your teachers will read" in thanks
    assert "This link has now closed" not in thanks


def test_pupil_form_ties_a_missing_face_to_its_question(cycle, senco):
    """'Please pick a face.' is read with the question it answers (it was tied to nothing)."""
    _, token = _link(cycle, senco, kind="pupil", email="")
    response = Client().post(_url(token), {"helps": "quiet corner"})
    body = response.content.decode()
    assert 'aria-describedby="id_feel_school_error"' in body
    assert body.count('id="id_feel_school_error"') == 1
    assert 'name="feel_school" value="happy" id="id_feel_school_0" aria-invalid="true"' in body


def test_parent_thank_you_is_the_plain_one(cycle, senco):
    _, token = _link(cycle, senco)
    thanks = Client().post(_url(token), PARENT_ANSWERS).content.decode()
    assert "Your views have reached the school" in thanks and "Amara!" not in thanks


def test_only_the_senco_makes_and_revokes_links(cycle, senco, teacher, mailoutbox):
    url = reverse("reviews:link_create", args=[cycle.public_id])
    data = {
        "kind": "parent",
        "recipient_name": "Mr Okafor",
        "days": 7,
        "recipient_email": "dad@example.org",
    }
    assert client_for(teacher).post(url, data).status_code == 403
    response = client_for(senco).post(url, data)
    assert response.status_code == 200
    link = ContributionLink.objects.get()
    assert (link.expires_at - link.created_at).days == 7
    assert mailoutbox[0].to == ["dad@example.org"]
    token_url = response.context["url"]
    assert token_url in mailoutbox[0].body
    assert Client().get(urlparse(token_url).path).status_code == 200


def test_chasers_go_once_when_nothing_came_back(cycle, senco, mailoutbox):
    SupportCycle.objects.filter(pk=cycle.pk).update(
        review_date=timezone.localdate() + dt.timedelta(days=4)
    )
    waiting, _ = _link(cycle, senco)
    done, done_token = _link(cycle, senco, email="gran@example.org")
    Client().post(_url(done_token), PARENT_ANSWERS)
    no_email, _ = _link(cycle, senco, email="")
    assert services.contributions_chase() == 0  # not on the day the links were sent
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert services.contributions_chase(today=tomorrow, now=_at(tomorrow)) == 1
    assert services.contributions_chase(today=tomorrow, now=_at(tomorrow)) == 0
    assert [m.to for m in mailoutbox] == [["mum@example.org"]]
    waiting.refresh_from_db()
    assert waiting.chased_at is not None


def test_no_chaser_while_the_review_is_far_off(cycle, senco, mailoutbox):
    _link(cycle, senco)
    assert services.contributions_chase() == 0


def test_tasks_wrap_the_services(cycle, senco):
    from reviews import tasks
    from sencoweb.celery import app

    assert tasks.chase_contributions.delay().get() == 0
    assert "reviews-chase-contributions" in app.conf.beat_schedule


def _at(day: dt.date) -> dt.datetime:
    """Seven in the morning of a day, when beat runs the chaser."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(7, 15)))


def test_a_link_sent_weeks_before_the_review_is_chased_with_the_defaults(
    taught_pupil, senco, mailoutbox
):
    cycle = issued_cycle(taught_pupil, senco.user, review_in_days=70)
    page = client_for(senco).get(reverse("reviews:cycle_detail", args=[cycle.public_id]))
    assert f"it closes at the end of {cycle.review_date:%-d %b %Y}, the day of the review" in (
        page.content.decode()
    )
    client_for(senco).post(
        reverse("reviews:link_create", args=[cycle.public_id]),
        {"kind": "parent", "recipient_name": "Mrs Okafor", "recipient_email": "mum@example.org"},
    )
    link = ContributionLink.objects.get()
    mailoutbox.clear()
    review = cycle.review_date
    chase_day = review - dt.timedelta(
        days=ReviewSettings.for_school(cycle.school).chase_days_before
    )
    before = chase_day - dt.timedelta(days=1)
    assert services.contributions_chase(today=before, now=_at(before)) == 0
    assert services.contributions_chase(today=chase_day, now=_at(chase_day)) == 1
    assert mailoutbox[0].to == ["mum@example.org"]
    assert f"expires on {review:%-d %B %Y}" in mailoutbox[0].body
    link.refresh_from_db()
    assert link.chased_at is not None and link.state(now=_at(chase_day)) == "open"


def test_a_link_that_closes_before_the_review_is_chased_before_it_closes(
    taught_pupil, senco, mailoutbox
):
    ReviewSettings.objects.create(
        school=taught_pupil.school, links_until_review=False, link_days=14, chase_days_before=5
    )
    cycle = issued_cycle(taught_pupil, senco.user, review_in_days=70)
    link, _ = _link(cycle, senco)
    closes = timezone.localtime(link.expires_at).date()
    assert closes == timezone.localdate() + dt.timedelta(days=14)
    day = closes - dt.timedelta(days=6)
    assert services.contributions_chase(today=day, now=_at(day)) == 0
    day = closes - dt.timedelta(days=5)
    assert services.contributions_chase(today=day, now=_at(day)) == 1


def test_no_chaser_on_the_day_a_link_is_sent(cycle, senco, mailoutbox):
    SupportCycle.objects.filter(pk=cycle.pk).update(
        review_date=timezone.localdate() + dt.timedelta(days=2)
    )
    _link(cycle, senco)
    assert services.contributions_chase() == 0
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert services.contributions_chase(today=tomorrow, now=_at(tomorrow)) == 1


def test_a_plan_with_no_review_date_gets_the_schools_days(taught_pupil, senco):
    from .cycle_helpers import open_cycle

    cycle = open_cycle(taught_pupil, senco.user)
    link, _ = _link(cycle, senco)
    assert link.expires_at - link.created_at == dt.timedelta(days=14)
