"""Raising a concern with bad input: empty fields and whitespace are refused next to the field,
an essay is refused with a limit the teacher can act on, and HTML comes back escaped."""

import re

import pytest
from django.urls import reverse

from pupils.forms import ConcernForm
from pupils.models import Concern
from tests.factories import PupilFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

LIMIT = ConcernForm.TEXT_LIMIT


def _post(teacher, pupil, **data):
    base = {"pupil": pupil.public_id, "area": "CL", "what_seen": "Loses track mid-task"}
    return client_for(teacher).post(reverse("pupils:concern_new"), {**base, **data})


def test_empty_and_blank_what_seen_is_refused(teacher, taught_pupil):
    for blank in ("", "   \n  "):
        response = _post(teacher, taught_pupil, what_seen=blank)
        assert response.status_code == 422
        assert "Describe what you have seen" in response.content.decode()
    no_pupil = {"pupil": "", "area": "CL", "what_seen": "Loses track mid-task"}
    response = client_for(teacher).post(reverse("pupils:concern_new"), no_pupil)
    assert response.status_code == 422
    assert "Choose the pupil you are concerned about." in response.content.decode()
    assert not Concern.objects.exists()


def test_very_long_text_is_refused_with_the_limit(teacher, taught_pupil):
    response = _post(teacher, taught_pupil, what_seen="x" * (LIMIT + 1))
    assert response.status_code == 422
    html = response.content.decode()
    assert f"Keep this to {LIMIT:,} characters (it has {LIMIT + 1})" in html
    assert f'maxlength="{LIMIT}"' in html
    response = _post(teacher, taught_pupil, evidence="y" * (LIMIT + 1))
    assert response.status_code == 422
    assert not Concern.objects.exists()
    assert _post(teacher, taught_pupil, what_seen="x" * LIMIT).status_code == 302


def test_hostile_html_comes_back_escaped(teacher, senco, taught_pupil):
    hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    assert _post(teacher, taught_pupil, what_seen=hostile, evidence=hostile).status_code == 302
    for member in (teacher, senco):
        html = client_for(member).get(reverse("pupils:concerns")).content.decode()
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "<script>alert(1)" not in html and "<img src=x" not in html


def test_area_is_not_chosen_for_the_teacher(teacher, taught_pupil):
    """The area list starts blank: a hurried teacher who never opens it is asked to choose, not
    filed under the first area (Communication and interaction) without knowing."""
    html = client_for(teacher).get(reverse("pupils:concern_new")).content.decode()
    assert '<option value="" selected>Choose the area that fits best</option>' in html
    assert ">Choose a pupil</option>" in html
    response = _post(teacher, taught_pupil, area="")
    assert response.status_code == 422
    assert "Choose the area of need that fits best." in response.content.decode()
    assert not Concern.objects.exists()
    assert _post(teacher, taught_pupil, area="SEMH").status_code == 302
    assert Concern.objects.get().area == "SEMH"


def _cancel_href(response) -> str:
    return re.search(
        r'<a class="btn btn-link" href="([^"]*)">Cancel</a>', response.content.decode()
    )[1]


def test_cancel_goes_back_to_the_pupil_the_form_was_opened_from(
    teacher, outsider, taught_pupil, school
):
    client = client_for(teacher)
    new = reverse("pupils:concern_new")
    detail = reverse("pupils:detail", args=[taught_pupil.public_id])
    from_pupil = f"{new}?pupil={taught_pupil.public_id}"
    assert _cancel_href(client.get(from_pupil)) == detail
    # Sent with a mistake, the form still leads back to the pupil.
    refused = client.post(from_pupil, {"pupil": taught_pupil.public_id, "area": "CL"})
    assert refused.status_code == 422 and _cancel_href(refused) == detail
    # Opened from the list, a pupil one does not teach, another school's or nonsense: the list.
    stranger = PupilFactory(school=school)
    concerns = reverse("pupils:concerns")
    for value in ("", str(stranger.public_id), "not-a-uuid"):
        assert _cancel_href(client.get(new, {"pupil": value} if value else {})) == concerns
    assert _cancel_href(client_for(outsider).get(from_pupil)) == concerns
