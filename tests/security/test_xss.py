"""Cross-site scripting: hostile text typed into every free-text field of a pupil's records
comes back escaped on every page that shows it.

Generic on purpose: every text field of every record of the pupil is filled, and every GET page
of the project that the URL matrix can fill in is opened, so new fields and pages are covered
as the apps grow."""

import pytest
from django.db import models
from django.urls import reverse

from pupils.models import Pupil
from tests.factories import ConcernFactory, NeedFactory
from tests.helpers import client_for

from . import url_fixtures as fx
from .test_url_matrix import ROUTES, declaration

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
PAYLOAD = f"{SCRIPT}{IMG}"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"

SKIP_FIELDS = {"upn", "gender", "nc_year", "sen_status"}


def _free_text_fields(model):
    return [
        f.attname
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField)
        and not f.choices
        and not f.unique
        and f.name not in SKIP_FIELDS
        and not f.name.endswith(("_id", "token", "hash"))
    ]


def _poison(obj):
    fields = _free_text_fields(type(obj))
    values = {}
    for name in fields:
        field = type(obj)._meta.get_field(name)
        values[name] = PAYLOAD[: field.max_length] if field.max_length else PAYLOAD
    type(obj).objects.filter(pk=obj.pk).update(**values)
    return fields


@pytest.fixture
def poisoned(matrix_cast, senco):
    pupil = matrix_cast.pupil
    NeedFactory(pupil=pupil)
    ConcernFactory(pupil=pupil, raised_by=senco.user)
    touched = {"pupils.Pupil": _poison(pupil)}
    for rel in Pupil._meta.related_objects:
        if rel.many_to_many or rel.one_to_one or rel.related_model.__name__.startswith("Hist"):
            continue
        for obj in rel.related_model.objects.filter(**{rel.field.name: pupil}):
            touched[rel.related_model._meta.label] = _poison(obj)
    return touched


def _pages():
    for route in ROUTES:
        decl = declaration(route)
        if decl is None or decl[0] == "public" or route.name.startswith("privacy:"):
            continue
        if any(k not in fx.FACTORIES for k in route.kwargs):
            continue
        yield route


@pytest.mark.parametrize("who", ["senco", "teacher"])
def test_hostile_text_is_escaped_on_every_page(poisoned, matrix_cast, who):
    client = client_for(matrix_cast.members[who])
    checked, shown_escaped = [], []
    for route in _pages():
        values = {k: fx.FACTORIES[k].make(matrix_cast) for k in route.kwargs}
        url = reverse(route.name, kwargs=values)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        assert SCRIPT not in html, f"{url} shows raw <script> from a free-text field"
        assert "<img src=x onerror" not in html, f"{url} shows a raw <img onerror>"
        checked.append(url)
        if ESCAPED in html:
            shown_escaped.append(url)
    assert checked
    # The pupil page shows the profile: the payload must be there, escaped.
    detail = reverse("pupils:detail", args=[matrix_cast.pupil.public_id])
    assert detail in shown_escaped, f"the escaped payload was not on {detail}"


def test_the_poison_reached_the_free_text_fields(poisoned):
    assert "about_me" in poisoned["pupils.Pupil"]
    assert poisoned.get("pupils.Concern")
