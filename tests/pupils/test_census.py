"""Census readiness: the rules, the page (roles, links, query count) and the command."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from pupils import census, hooks
from tests.factories import NeedFactory, PupilFactory
from tests.helpers import client_for


def keys(school):
    return sorted((p.pupil.last_name, p.key) for p in census.census_problems(school))


@pytest.fixture
def no_plans(monkeypatch):
    monkeypatch.setattr(hooks, "ehc_plan_checkers", [])


def test_each_rule(school, no_plans):
    ok = PupilFactory(school=school, last_name="Fine", sen_status="K")
    NeedFactory(pupil=ok, rank=1, sen_type="SLCN")
    PupilFactory(school=school, last_name="NoNeed", sen_status="K")
    ended = PupilFactory(school=school, last_name="EndedNeed", sen_status="K")
    NeedFactory(pupil=ended, rank=1, ends_on=dt.date(2025, 12, 1))
    nsa_e = PupilFactory(school=school, last_name="NsaOnE", sen_status="E")
    NeedFactory(pupil=nsa_e, rank=1, sen_type="NSA")
    nsa_2 = PupilFactory(school=school, last_name="NsaRank2", sen_status="K")
    NeedFactory(pupil=nsa_2, rank=1, sen_type="MLD")
    NeedFactory(pupil=nsa_2, rank=2, sen_type="NSA")
    PupilFactory(school=school, last_name="Unit", sen_unit_member=True)
    PupilFactory(school=school, last_name="Resourced", resourced_provision_member=True)
    PupilFactory(school=school, last_name="Temp", upn="P93630012003A")
    PupilFactory(school=school, last_name="NoUpn", upn="")
    PupilFactory(school=school, last_name="BadUpn", upn="A801200119002")
    PupilFactory(school=school, last_name="Monitoring", sen_status="M")  # census N: fine
    PupilFactory(school=school, last_name="Gone", upn="", archived_at="2025-07-20T00:00Z")
    assert keys(school) == [
        ("BadUpn", census.INVALID_UPN),
        ("EndedNeed", census.NO_PRIMARY_NEED),
        ("NoNeed", census.NO_PRIMARY_NEED),
        ("NoUpn", census.MISSING_UPN),
        ("NsaOnE", census.E_WITHOUT_PLAN),
        ("NsaOnE", census.NSA_NOT_K),
        ("NsaRank2", census.NSA_NOT_RANK_1),
        ("Resourced", census.RP_WITHOUT_PROVISION),
        ("Temp", census.TEMPORARY_UPN),
        ("Unit", census.UNIT_WITHOUT_PROVISION),
    ]
    school.has_sen_unit = school.has_resourced_provision = True
    school.save()
    assert ("Unit", census.UNIT_WITHOUT_PROVISION) not in keys(school)
    assert ("Resourced", census.RP_WITHOUT_PROVISION) not in keys(school)


def test_e_with_a_plan_passes_through_the_hook(school, monkeypatch):
    pupil = PupilFactory(school=school, sen_status="E")
    NeedFactory(pupil=pupil, sen_type="ASD")
    monkeypatch.setattr(hooks, "ehc_plan_checkers", [lambda p: p.pk == pupil.pk])
    assert census.census_problems(school) == []


def test_duplicate_live_upns_are_flagged(school, other_school, no_plans):
    # The database refuses two live pupils with one UPN in a school; a pupil at another school
    # may share it (dual registration) and is not counted.
    PupilFactory(school=school, upn="B801200005001")
    PupilFactory(school=other_school, upn="B801200005001")
    assert census.census_problems(school) == []


def test_spring_census_day_is_the_third_thursday_of_january():
    assert census.spring_census_day(dt.date(2024, 10, 1)) == dt.date(2025, 1, 16)
    assert census.spring_census_day(dt.date(2025, 1, 16)) == dt.date(2025, 1, 16)
    assert census.spring_census_day(dt.date(2025, 1, 17)) == dt.date(2026, 1, 15)


@pytest.mark.parametrize("role", ["senco", "head", "trustlead"])
def test_whole_school_roles_see_the_page_with_links(cast, school, role, no_plans):
    pupil = PupilFactory(school=school, last_name="Needless", sen_status="K")
    response = client_for(cast[role]).get(reverse("pupils:census"))
    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("pupils:detail", args=[pupil.public_id]) in body
    assert "without a primary (rank 1) need" in body
    assert ('id="to-import"' in body) == (role == "senco")


@pytest.mark.parametrize("role", ["teacher", "ta", "governor"])
def test_other_roles_are_refused(cast, role):
    assert client_for(cast[role]).get(reverse("pupils:census")).status_code == 403


def test_outsider_sees_only_their_own_school(outsider, school):
    PupilFactory(school=school, last_name="Hidden", sen_status="K")
    body = client_for(outsider).get(reverse("pupils:census")).content.decode()
    assert "Hidden" not in body
    assert 'id="census-ok"' in body


def test_census_link_in_the_menu(senco, head, teacher):
    from sencoweb import nav

    def labels(member):
        return [item["label"] for item in nav.items_for(member)]

    assert "Census readiness" in labels(senco)
    assert "Census readiness" in labels(head)
    assert "Census readiness" not in labels(teacher)
    assert "Census readiness" in client_for(head).get(reverse("pupils:census")).content.decode()


def test_query_count_does_not_grow_with_pupils(senco, school, monkeypatch):
    # A bulk checker (`many`) keeps the EHC plan check to one query for every pupil.
    def checker(pupil):
        raise AssertionError("the bulk form should be used")

    checker.many = lambda pupils: set()
    monkeypatch.setattr(hooks, "ehc_plan_checkers", [checker])
    client = client_for(senco)

    def make(n):
        for _ in range(n):
            pupil = PupilFactory(school=school, sen_status="E", sen_unit_member=True)
            NeedFactory(pupil=pupil, sen_type="NSA", rank=2)

    make(2)
    client.get(reverse("pupils:census"))  # warm up per-session work (first request only)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("pupils:census")).status_code == 200
    make(20)
    with CaptureQueriesContext(connection) as many:
        assert client.get(reverse("pupils:census")).status_code == 200
    assert len(many) == len(few)


def test_command_exit_codes(school, no_plans, capsys):
    call_command("census_check", "--school", school.urn)
    assert "ready for the census" in capsys.readouterr().out
    pupil = PupilFactory(school=school, last_name="Needless", sen_status="E")
    with pytest.raises(CommandError, match="2 census problem"):
        call_command("census_check", "--school", school.urn)
    out = capsys.readouterr().out
    assert pupil.upn in out and "Coded E without an EHC plan record (1)" in out
    with pytest.raises(CommandError, match="No school has URN"):
        call_command("census_check", "--school", "000000")
