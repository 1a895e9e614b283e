"""The catalogue and qualification forms speak a SENCO's words, not the model's field names
('Is active', 'Default weeks', 'Scale min', 'Previous senco months')."""

import pytest
from django.urls import reverse

from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def test_intervention_form_labels(senco):
    html = client_for(senco).get(reverse("provision:intervention_new")).content.decode()
    for words in ("Sessions a week", "Typical length (weeks)", "Scale from", "Scale to",
                  "Only for a school-defined scale", "In use (untick to retire it"):  # fmt: skip
        assert words in html
    for model_words in ("Is active", "Default weeks", "Scale min", "Sessions per week"):
        assert model_words not in html


def test_qualification_form_labels(senco):
    html = client_for(senco).get(reverse("provision:qualification")).content.decode()
    assert "Months as a SENCO before this appointment" in html
    assert "the three-year rule does not apply" in html
    assert "Previous senco months" not in html
