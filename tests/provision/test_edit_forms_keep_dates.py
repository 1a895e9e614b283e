"""Opening a saved record's form again shows its dates, and saving it unchanged keeps them.

A type="date" input shows only an ISO value (2027-02-10); given the en-GB rendering
(10/02/2027) the browser shows the field blank, so the next save posted nothing and erased the
date (or was refused for a missing required date). Each test opens the real edit page, submits
the form exactly as the browser would (every field as rendered), and checks the dates."""

import datetime as dt
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django import forms
from django.urls import reverse

from provision.models import Enrolment, ProvisionGroup, SencoQualification
from tests.factories import PupilFactory
from tests.helpers import client_for

from .factories import GroupFactory, enrol

pytestmark = pytest.mark.django_db


class _FormFields(HTMLParser):
    """The name/value pairs a browser would submit for the page's main form."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self.dates: dict[str, str] = {}
        self._select = None
        self._option = None
        self._textarea = None

    def _add(self, name, value):
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            kind = a.get("type", "text")
            value = a.get("value", "")
            if kind == "date":
                self.dates[name] = value
                # A browser drops a date input's value that is not YYYY-MM-DD (HTML's value
                # sanitisation): the field shows blank and is submitted empty.
                value = value if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else ""
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._add(name, a.get("value", "on"))
            elif kind not in ("submit", "button"):
                self._add(name, value)
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select:
            self._option = a
            if "selected" in a:
                self._add(self._select, a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self._add(name, "")

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _open(client, url) -> _FormFields:
    response = client.get(url)
    assert response.status_code == 200
    parsed = _FormFields()
    parsed.feed(response.content.decode())
    return parsed


def _resubmit(client, url, **changes):
    """Open the form, submit it as rendered (with `changes`); return (dates shown, response)."""
    shown = _open(client, url)
    data = {**shown.data, **{k: [v] for k, v in changes.items()}}
    return shown.dates, client.post(url, data)


@pytest.fixture
def group(school, ta, taught_pupil):
    g = GroupFactory(
        school=school,
        staff=ta,
        starts_on=dt.date.today() - dt.timedelta(days=20),
        ends_on=dt.date(2027, 2, 10),
        exclusive_to=None,
    )
    enrol(g, taught_pupil)
    return g


def test_group_edit_shows_and_keeps_its_dates(group, senco):
    url = reverse("provision:group_edit", args=[group.public_id])
    dates, response = _resubmit(client_for(senco), url)
    assert dates == {"starts_on": group.starts_on.isoformat(), "ends_on": "2027-02-10"}
    assert response.status_code == 302, response.content.decode()[:2000]
    saved = ProvisionGroup.objects.get(pk=group.pk)
    assert (saved.starts_on, saved.ends_on) == (group.starts_on, dt.date(2027, 2, 10))


def test_enrolment_measures_show_and_keep_their_dates(group, senco, taught_pupil):
    enrolment = Enrolment.objects.get(group=group, pupil=taught_pupil)
    enrolment.entry_score, enrolment.entry_on = Decimal("84"), group.starts_on
    enrolment.exit_score, enrolment.exit_on = Decimal("92"), dt.date.today()
    enrolment.ends_on = dt.date.today()
    enrolment.save()
    url = reverse("provision:enrolment", args=[enrolment.public_id])
    dates, response = _resubmit(client_for(senco), url, impact_note="Reads with more confidence")
    today = dt.date.today().isoformat()
    assert dates == {
        "entry_on": group.starts_on.isoformat(),
        "exit_on": today,
        "ends_on": today,
    }
    assert response.status_code == 302, response.content.decode()[:2000]
    enrolment.refresh_from_db()
    assert enrolment.entry_on == group.starts_on
    assert enrolment.exit_on == enrolment.ends_on == dt.date.today()
    assert enrolment.impact_note == "Reads with more confidence"


def test_senco_qualification_shows_and_keeps_its_dates(school, senco):
    SencoQualification.objects.create(
        school=school,
        membership=senco,
        qualification=SencoQualification.Qualification.NPQ,
        appointed_on=dt.date(2023, 9, 1),
        achieved_on=dt.date(2025, 7, 14),
    )
    url = reverse("provision:qualification")
    dates, response = _resubmit(client_for(senco), url)
    assert dates == {"appointed_on": "2023-09-01", "achieved_on": "2025-07-14"}
    assert response.status_code == 302, response.content.decode()[:2000]
    qual = SencoQualification.objects.get(school=school)
    assert (qual.appointed_on, qual.achieved_on) == (dt.date(2023, 9, 1), dt.date(2025, 7, 14))


def test_enrol_form_offers_its_start_date_and_keeps_it(group, senco, school):
    pupil = PupilFactory(school=school, sen_status="K", first_name="Dev")
    url = reverse("provision:group_enrol", args=[group.public_id])
    dates, response = _resubmit(client_for(senco), url, pupil=str(pupil.pk))
    assert dates == {"starts_on": dt.date.today().isoformat()}
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Enrolment.objects.get(group=group, pupil=pupil).starts_on == dt.date.today()


def _project_forms():
    """Every form class the project's apps define (imported, so all subclasses are known)."""
    import importlib

    for module in (
        "provision.forms",
        "pupils.forms",
        "reviews.forms",
        "reviews.forms_ehc",
        "reports.forms",
        "sencoweb.forms",
    ):
        importlib.import_module(module)
    seen, todo = set(), [forms.BaseForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    apps = ("provision.", "pupils.", "reviews.", "reports.", "sencoweb.")
    return sorted(
        (c for c in seen if c.__module__.startswith(apps)),
        key=lambda c: f"{c.__module__}.{c.__name__}",
    )


def test_every_date_input_in_the_project_carries_an_iso_value():
    """A guard for forms not opened above: each type="date" widget renders 10 Feb 2027 as
    2027-02-10, whatever the active language's date format."""
    checked = 0
    for form_class in _project_forms():
        for name, field in form_class.base_fields.items():
            widget = field.widget
            if getattr(widget, "input_type", "") != "date":
                continue
            checked += 1
            value = widget.format_value(dt.date(2027, 2, 10))
            assert value == "2027-02-10", f"{form_class.__module__}.{form_class.__name__}.{name}"
    assert checked > 20  # the walk found the project's forms
