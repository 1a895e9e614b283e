"""Census rules on status decisions and needs (DOMAIN.md 2.2-2.4), archive and retention."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from pupils import hooks, services
from pupils.models import Need, Pupil
from sencoweb.models import Notification
from tests.factories import ConcernFactory, NeedFactory, PupilFactory

TODAY = dt.date.today()


def decide(pupil, to, by, **extra):
    data = {
        "pupil": pupil,
        "to_status": to,
        "decided_on": TODAY,
        "reason": "Two terms of assessment",
        "evidence": "",
        "decided_by": "SENCO",
        "parents_informed": True,
        "parents_informed_on": TODAY,
        "by": by,
    }
    data.update(extra)
    return services.status_decision_record(**data)


@pytest.fixture
def pupil(school):
    return PupilFactory(school=school)


def test_k_needs_a_rank_1_need(pupil, senco):
    with pytest.raises(ValidationError) as err:
        decide(pupil, "K", senco.user)
    assert "primary (rank 1) need" in str(err.value.message_dict["to_status"])
    NeedFactory(pupil=pupil, rank=1, sen_type="SLCN")
    decision = decide(pupil, "K", senco.user)
    pupil.refresh_from_db()
    assert (pupil.sen_status, pupil.sen_status_since, pupil.date_parents_notified) == (
        "K",
        TODAY,
        TODAY,
    )
    assert (decision.from_status, decision.to_status) == ("N", "K")


def test_ended_rank_1_need_does_not_count(pupil, senco):
    NeedFactory(pupil=pupil, rank=1, ends_on=dt.date(2025, 12, 1))
    with pytest.raises(ValidationError):
        decide(pupil, "K", senco.user)


def test_e_needs_an_issued_plan(pupil, senco, monkeypatch):
    NeedFactory(pupil=pupil, rank=1, sen_type="ASD")
    with pytest.raises(ValidationError) as err:
        decide(pupil, "E", senco.user)
    assert "record the issued plan first" in err.value.message_dict["to_status"][0]
    monkeypatch.setattr(hooks, "ehc_plan_checkers", [lambda p: p.pk == pupil.pk])
    decide(pupil, "E", senco.user)
    assert Pupil.objects.get(pk=pupil.pk).sen_status == "E"


def test_nsa_only_with_k(pupil, senco, monkeypatch):
    monkeypatch.setattr(hooks, "ehc_plan_checkers", [lambda p: True])
    services.need_add(
        pupil=pupil, sen_type="NSA", rank=1, starts_on=TODAY, description="", by=senco.user
    )
    with pytest.raises(ValidationError) as err:
        decide(pupil, "E", senco.user)
    assert "NSA" in err.value.message_dict["to_status"][0]
    decide(pupil, "K", senco.user)


def test_nsa_only_at_rank_1_and_never_for_e(school, senco):
    pupil = PupilFactory(school=school)
    NeedFactory(pupil=pupil, rank=1)
    with pytest.raises(ValidationError) as err:
        services.need_add(
            pupil=pupil, sen_type="NSA", rank=2, starts_on=TODAY, description="", by=senco.user
        )
    assert "rank 1" in err.value.message_dict["sen_type"][0]
    ehc = PupilFactory(school=school, sen_status="E")
    with pytest.raises(ValidationError):
        services.need_add(
            pupil=ehc, sen_type="NSA", rank=1, starts_on=TODAY, description="", by=senco.user
        )


def test_one_active_need_per_rank(pupil, senco):
    NeedFactory(pupil=pupil, rank=1, sen_type="SLCN")
    with pytest.raises(ValidationError) as err:
        services.need_add(
            pupil=pupil, sen_type="SEMH", rank=1, starts_on=TODAY, description="", by=senco.user
        )
    assert "already an active rank 1" in err.value.message_dict["rank"][0]


def test_parents_informed_needs_a_date_and_decision_not_in_future(pupil, senco):
    NeedFactory(pupil=pupil, rank=1)
    with pytest.raises(ValidationError) as err:
        decide(pupil, "K", senco.user, parents_informed_on=None)
    assert "parents_informed_on" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        decide(pupil, "K", senco.user, decided_on=TODAY + dt.timedelta(days=2))
    assert "decided_on" in err.value.message_dict


def test_decision_cannot_be_dated_before_the_current_status_began(school, senco):
    # A backdated decision left "Not on the register since 1 Jan 2025" above a history saying
    # K from Sep 2025, and reports rebuilt from dated decisions still counted the pupil as K.
    pupil = PupilFactory(school=school)
    NeedFactory(pupil=pupil, rank=1)
    began = TODAY - dt.timedelta(days=30)
    decide(pupil, "K", senco.user, decided_on=began, parents_informed_on=began)
    with pytest.raises(ValidationError) as err:
        decide(
            pupil, "N", senco.user, decided_on=began - dt.timedelta(days=1), parents_informed=False
        )
    assert "cannot be dated before" in str(err.value.message_dict["decided_on"])
    pupil.refresh_from_db()
    assert pupil.sen_status == "K" and pupil.status_decisions.count() == 1
    decide(pupil, "N", senco.user, decided_on=began, parents_informed=False)  # same day is fine
    # A status set without a decision (an import) dates from sen_status_since.
    imported = PupilFactory(school=school, sen_status="M", sen_status_since=began)
    with pytest.raises(ValidationError):
        decide(imported, "N", senco.user, decided_on=began - dt.timedelta(days=1))


def test_need_dates_cannot_be_in_the_future(pupil, senco):
    # A need saved with a future start counted at once on the register and census readiness;
    # one ended in the future left the register at once while reports still counted it.
    tomorrow = TODAY + dt.timedelta(days=1)
    with pytest.raises(ValidationError) as err:
        services.need_add(
            pupil=pupil, sen_type="SLCN", rank=1, starts_on=tomorrow, description="", by=senco.user
        )
    assert "future" in str(err.value.message_dict["starts_on"])
    assert not pupil.needs.exists()
    first = NeedFactory(pupil=pupil, rank=1, starts_on=TODAY - dt.timedelta(days=10))
    NeedFactory(pupil=pupil, rank=2, sen_type="SEMH", starts_on=TODAY - dt.timedelta(days=10))
    with pytest.raises(ValidationError) as err:
        services.need_end(need=first, ends_on=tomorrow, by=senco.user)
    assert "future" in str(err.value.message_dict["ends_on"])
    first.refresh_from_db()
    assert first.ends_on is None and first.rank == 1


def test_same_status_is_refused(pupil, senco):
    with pytest.raises(ValidationError):
        decide(pupil, "N", senco.user)


def test_ending_primary_need_promotes_the_next(school, senco):
    pupil = PupilFactory(school=school, sen_status="K")
    first = NeedFactory(pupil=pupil, rank=1, sen_type="SLCN")
    second = NeedFactory(pupil=pupil, rank=2, sen_type="SEMH")
    services.need_end(need=first, ends_on=TODAY, by=senco.user)
    second.refresh_from_db()
    assert second.rank == 1
    with pytest.raises(ValidationError) as err:
        services.need_end(need=second, ends_on=TODAY, by=senco.user)
    assert "primary need" in err.value.message_dict["ends_on"][0]


def test_move_up_swaps_ranks(school, senco):
    pupil = PupilFactory(school=school)
    a = NeedFactory(pupil=pupil, rank=1, sen_type="SLCN")
    b = NeedFactory(pupil=pupil, rank=2, sen_type="SEMH")
    services.need_move_up(need=b, by=senco.user)
    assert dict(Need.objects.filter(pupil=pupil).values_list("sen_type", "rank")) == {
        "SEMH": 1,
        "SLCN": 2,
    }
    a.refresh_from_db()
    assert a.rank == 2


def test_concern_triage_monitor_records_a_decision_and_notifies(school, senco, teacher):
    pupil = PupilFactory(school=school)
    concern = services.concern_raise(
        pupil=pupil,
        by=teacher.user,
        area="CL",
        what_seen="Reading well below peers",
        evidence="",
        parents_aware=True,
    )
    assert Notification.objects.filter(user=senco.user, title__contains="New concern").exists()
    services.concern_triage(concern=concern, outcome="monitor", reason="Watch", by=senco.user)
    pupil.refresh_from_db()
    assert pupil.sen_status == "M"
    assert pupil.status_decisions.get().to_status == "M"
    assert Notification.objects.filter(user=teacher.user, title__contains="Monitor").exists()
    with pytest.raises(ValidationError):
        services.concern_triage(concern=concern, outcome="nfa", reason="x", by=senco.user)


def test_concern_nfa_changes_no_status(school, senco):
    concern = ConcernFactory(pupil=PupilFactory(school=school))
    services.concern_triage(concern=concern, outcome="nfa", reason="Typical", by=senco.user)
    assert concern.pupil.status_decisions.count() == 0


def test_archive_sets_retention_dob_plus_31(school, senco):
    pupil = PupilFactory(school=school, date_of_birth=dt.date(2012, 2, 29), sen_status="K")
    services.pupil_archive(
        pupil=pupil, left_on=TODAY, left_for="post16", destination="Elm College", by=senco.user
    )
    pupil.refresh_from_db()
    assert pupil.retention_until == dt.date(2043, 2, 28)
    assert pupil.is_archived
    assert not Pupil.objects.for_school(school).current().filter(pk=pupil.pk).exists()


def test_access_arrangement_expires_26_months_on(school, senco):
    from pupils.models import AccessArrangement

    aa = AccessArrangement(
        pupil=PupilFactory(school=school),
        kind="et25",
        normal_way_of_working="Uses extra time in class tests",
        approved_on=dt.date(2025, 10, 31),
        score_1=82,
        score_2=88,
    )
    services.access_arrangement_save(arrangement=aa, by=senco.user)
    assert aa.expires_on == dt.date(2027, 12, 31)
    assert aa.route == "aao"
    assert aa.meets_extra_time_criteria is True
    aa.score_2 = 92
    assert aa.meets_extra_time_criteria is False
