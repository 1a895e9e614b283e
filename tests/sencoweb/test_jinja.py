"""The Jinja2 row partials must write exactly what the Django templates they replaced wrote."""

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template, engines
from hypothesis import given
from hypothesis import strategies as st
from jinja2 import UndefinedError

from sencoweb import jinja
from sencoweb.urltools import url_of


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_dates_match_django_date_filter(day):
    django_out = Template('{{ d|date:"j M Y" }}|{{ d|date:"D j M Y" }}').render(Context({"d": day}))
    assert f"{jinja._format_date(day)}|{jinja._format_date(day, 'D j M Y')}" == django_out


@given(st.decimals(min_value=0, max_value=Decimal("9999999"), places=2))
def test_money_matches_floatformat_2g(value):
    assert jinja._money(value) == Template('{{ v|floatformat:"2g" }}').render(Context({"v": value}))


def test_rows_escape_what_users_typed():
    env = engines["jinja2"].env
    html = env.from_string("<td>{{ name }}</td>").render(name='<script>alert("x")</script>')
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_a_missing_variable_is_an_error_not_an_empty_cell():
    with pytest.raises(UndefinedError):
        engines["jinja2"].env.from_string("{{ pupil.nickname }}").render(pupil=object())


def test_url_of_matches_reverse():
    from uuid import uuid4

    from django.urls import reverse

    pid = uuid4()
    assert url_of("pupils:detail")(pid) == reverse("pupils:detail", args=[pid])


def test_partial_returns_markup_for_a_django_page(db):
    out = jinja.partial("pupils/register_rows.jinja", {"pupils": [], "years": {}, "statuses": {}})
    assert "No pupils match these filters." in out
    assert Template("{{ rows }}").render(Context({"rows": out})) == str(out)  # not escaped again


@pytest.mark.parametrize(
    "status,days_left,words",
    [
        ("overdue", -1, "Overdue by 1 day<"),
        ("overdue", -12, "Overdue by 12 days<"),
        ("due_soon", 0, "Due today"),
        ("due_soon", 1, "1 day left"),
        ("due_soon", 5, "5 days left"),
        ("upcoming", 20, "20 days left"),
        ("done", 3, "Done<"),
        ("not_recorded", -5, "Not recorded"),
    ],
)
def test_deadline_badges_say_the_same_on_every_page(status, days_left, words):
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    dtl = render_to_string(
        "reviews/deadlines_status.html", {"status": status, "days_left": days_left}
    )
    row = SimpleNamespace(
        school=None,
        pupil=SimpleNamespace(display_name="A Pupil", nc_year="7"),
        url="/x/",
        subject="Annual review",
        deadline=SimpleNamespace(
            label="Meeting", rule="r", source="s", due=dt.date(2026, 1, 5), statutory=True
        ),
    )
    rows = jinja.partial(
        "reviews/deadlines_rows.jinja",
        {"rows": [(row, status, days_left)], "all_schools": False, "years": {}, "window": 30},
    )
    assert words in dtl and words in rows
    assert dtl.strip() in rows


def test_site_header_marks_the_page_and_shows_the_role_menu(senco, teacher):
    from django.urls import reverse

    from tests.helpers import client_for

    html = client_for(senco).get(reverse("pupils:register")).content.decode()
    register = f'aria-current="page" href="{reverse("pupils:register")}"'
    assert register in html and html.count('aria-current="page"') == 1
    assert "(SENCO)" in html and 'id="sign-out"' in html and 'name="csrfmiddlewaretoken"' in html
    assert 'id="current-school"' in html  # one school: its name, no switcher
    teacher_html = client_for(teacher).get(reverse("pupils:my_classes")).content.decode()
    assert reverse("pupils:register") not in teacher_html  # not in a teacher's menu


def test_site_header_for_a_signed_out_visitor_has_no_menu(client):
    from django.urls import reverse

    html = client.get(reverse("login")).content.decode()
    assert "SENCo Web" in html and 'id="main-nav"' not in html


def test_select_writes_what_djangos_own_template_writes():
    """templates/jinja2_forms writes a select's options itself (sencoweb.jinja.FormRenderer):
    the HTML must be the stock renderer's, for groups, a chosen option, attributes that are
    True or False, a multiple select, text that needs escaping, and a widget with its own
    option template (which is still used)."""
    from django import forms
    from django.forms.renderers import Jinja2

    class Starred(forms.Select):
        option_template_name = "django/forms/widgets/radio_option.html"

    class Choices(forms.Form):
        plain = forms.ChoiceField(choices=[("", "Any"), ("K", "SEN support"), ("E", "EHC plan")])
        grouped = forms.ChoiceField(
            choices=[("Areas", [("a", "<b>Cognition & learning</b>"), ("b", 'Say "hi"')]),
                     ("c", "Other")],
            widget=forms.Select(attrs={"class": "form-select", "required": True,
                                       "disabled": False, "data-x": "1 < 2"}),
        )  # fmt: skip
        many = forms.MultipleChoiceField(choices=[(1, "One"), (2, "Two"), (3, "Three")])
        own = forms.ChoiceField(choices=[("x", "X")], widget=Starred)

    data = {"plain": "K", "grouped": "b", "many": ["1", "3"], "own": "x"}
    form, stock = Choices(data), Choices(data, renderer=Jinja2())
    assert isinstance(form.renderer, jinja.FormRenderer)
    ours = {name: form[name].as_widget() for name in form.fields}
    for name in form.fields:
        assert ours[name] == stock[name].as_widget(), name
    assert "selected>SEN support</option>" in ours["plain"]
