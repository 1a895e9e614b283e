import datetime as dt

from django.core.management import call_command

from pupils.models import Need, Pupil
from sencoweb.models import Membership, School, User

TODAY = dt.date(2026, 11, 20)


def _snapshot():
    return sorted(
        Pupil.objects.values_list("upn", "first_name", "last_name", "sen_status", "nc_year")
    )


def test_seed_is_idempotent_and_deterministic(db, settings):
    call_command("seed_demo", "--pupils", "120", "--today", TODAY.isoformat(), "--seed", "7")
    first = _snapshot()
    counts = (
        Pupil.objects.count(),
        Need.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    )
    call_command("seed_demo", "--pupils", "120", "--today", TODAY.isoformat(), "--seed", "7")
    assert _snapshot() == first
    assert (
        Pupil.objects.count(),
        Need.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
    ) == counts


def test_seed_makes_the_demo_cast_and_national_mix(db):
    call_command("seed_demo", "--pupils", "1000", "--today", TODAY.isoformat())
    assert School.objects.count() == 3
    senco = User.objects.get(username="senco")
    assert senco.memberships.filter(role="senco").count() == 2  # the shared SENCO
    for name in ("teacher", "ta", "head", "governor", "trustlead"):
        assert User.objects.filter(username=name).exists()
    secondary = School.objects.get(phase="secondary")
    pupils = Pupil.objects.for_school(secondary)
    assert pupils.count() == 1000
    k_share = pupils.filter(sen_status="K").count() / 1000
    e_share = pupils.filter(sen_status="E").count() / 1000
    assert 0.10 < k_share < 0.17 and 0.015 < e_share < 0.05
    # Every pupil on the register has a primary need (census rule).
    on_register = pupils.filter(sen_status__in=["K", "E"])
    assert on_register.exclude(needs__rank=1).count() == 0
    # Terms start and end on school days (an autumn term ending on Saturday 19 December was not).
    from sencoweb.models import Term

    assert all(t.starts_on.weekday() < 5 and t.ends_on.weekday() < 5 for t in Term.objects.all())
    # Bulk-created, yet every versioned record has a first version to compare changes with.
    assert Pupil.history.count() == Pupil.objects.count()
    assert Need.history.count() == Need.objects.count()


def test_if_empty_leaves_existing_data_alone(db):
    from tests.factories import SchoolFactory

    SchoolFactory()
    call_command("seed_demo", "--if-empty")
    assert School.objects.count() == 1
