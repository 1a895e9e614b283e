"""The school's review settings page: the SENCO edits them, nobody else; each school has its own
row; changes are audited and take effect."""

import pytest
from django.urls import reverse

from reviews.models import ReviewSettings
from sencoweb import nav
from sencoweb.models import AuditEvent
from tests.helpers import client_for

from .cycle_helpers import open_cycle

URL = "/reviews/settings/"
GOOD = {
    "teachers_may_edit": "on",
    "links_until_review": "on",
    "link_days": "21",
    "chase_days_before": "3",
    "reminder_days_before": "10",
}


def test_url():
    assert reverse("reviews:settings") == URL


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("senco", 200),
        ("head", 403),
        ("trustlead", 403),
        ("teacher", 403),
        ("ta", 403),
        ("governor", 403),
    ],
)
def test_only_the_senco_may_open_or_save(cast, school, who, status):
    client = client_for(cast[who])
    assert client.get(URL).status_code == status
    if who != "senco":
        assert client.post(URL, GOOD).status_code == status
    assert not ReviewSettings.for_school(school).teachers_may_edit


def test_anonymous_goes_to_sign_in(client, school):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_senco_saves_and_it_is_audited(senco, school):
    client = client_for(senco)
    page = client.get(URL).content.decode()
    assert 'value="14"' in page  # the defaults, made on first visit
    response = client.post(URL, GOOD)
    assert response.status_code == 302 and response["Location"] == URL
    saved = ReviewSettings.for_school(school)
    assert (
        saved.teachers_may_edit,
        saved.link_days,
        saved.chase_days_before,
        saved.reminder_days_before,
    ) == (True, 21, 3, 10)
    event = AuditEvent.objects.get(action="update", object_type="reviews.ReviewSettings")
    assert event.user == senco.user and event.school == school
    assert event.detail == {
        "teachers_may_edit": True,
        "link_days": 21,
        "chase_days_before": 3,
        "reminder_days_before": 10,
    }
    assert "Review settings saved." in client.get(URL).content.decode()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("link_days", "0"),
        ("link_days", "61"),
        ("chase_days_before", "31"),
        ("reminder_days_before", "32"),
    ],
)
def test_out_of_range_numbers_are_refused(senco, school, field, value):
    response = client_for(senco).post(URL, {**GOOD, field: value})
    assert response.status_code == 422 and "Choose a number from" in response.content.decode()
    assert ReviewSettings.for_school(school).link_days == 14  # nothing saved


def test_each_school_edits_its_own_settings(senco, outsider, school, other_school):
    client_for(senco).get(URL)
    assert client_for(outsider).post(URL, {**GOOD, "link_days": "30"}).status_code == 302
    assert ReviewSettings.for_school(other_school).link_days == 30
    assert ReviewSettings.for_school(school).link_days == 14
    assert 'value="14"' in client_for(senco).get(URL).content.decode()


def test_letting_teachers_edit_takes_effect(senco, teacher, taught_pupil):
    cycle = open_cycle(taught_pupil, senco.user)
    assess = reverse("reviews:cycle_assess", args=[cycle.public_id])
    assert client_for(teacher).get(assess).status_code == 403
    client_for(senco).post(URL, GOOD)
    assert client_for(teacher).get(assess).status_code == 200


def test_the_reviews_menu_links_to_it_for_the_senco_only(senco, head, teacher):
    def labels(member):
        return {i["label"]: i for i in nav.items_for(member)}

    entry = labels(senco)["Review settings"]
    assert entry["url"] == URL and entry["group"] == "Plans and reviews"
    assert "Review settings" not in labels(head) and "Review settings" not in labels(teacher)
    assert URL in client_for(senco).get("/").content.decode()


def test_links_stay_open_until_the_review_by_default(senco, school):
    page = client_for(senco).get(URL).content.decode()
    assert (
        'name="links_until_review"' in page
        and "checked" in page.split('name="links_until_review"')[1].split(">")[0]
    )


@pytest.mark.parametrize(("days", "chase"), [("5", "5"), ("3", "7")])
def test_a_chaser_that_could_never_go_is_refused(senco, school, days, chase):
    data = {**GOOD, "link_days": days, "chase_days_before": chase}
    del data["links_until_review"]
    response = client_for(senco).post(URL, data)
    body = response.content.decode()
    assert response.status_code == 422
    assert f"Links open for {days} days cannot be chased {chase} days before they close" in body
    assert ReviewSettings.for_school(school).links_until_review  # nothing saved
    # Until the review, or a link that outlasts the chaser's days, is fine.
    assert client_for(senco).post(URL, {**data, "links_until_review": "on"}).status_code == 302
    data["link_days"] = str(int(chase) + 1)
    assert client_for(senco).post(URL, data).status_code == 302
    saved = ReviewSettings.for_school(school)
    assert (saved.links_until_review, saved.link_days) == (False, int(chase) + 1)
