"""The register's demo seed fills its records realistically, and a second run changes nothing."""

import datetime as dt

import pytest

from pupils import demo as pupils_demo
from pupils.models import AccessArrangement, Agency, Contact, Involvement, LiaisonEntry, Pupil
from sencoweb import demo

MODELS = (Agency, Contact, LiaisonEntry, Involvement, AccessArrangement, Pupil)


@pytest.mark.django_db
def test_seed_fills_register_records_idempotently():
    ctx = demo.make_context(seed=2026, today=dt.date(2026, 3, 2), password="pw-demo-123456")
    demo.seed(ctx, secondary_pupils=300)
    pupils_demo.seed(ctx)
    counts = [m.objects.count() for m in MODELS]
    assert all(counts), counts
    assert Pupil.objects.filter(archived_at__isnull=False, retention_until__isnull=False).exists()
    assert not AccessArrangement.objects.exclude(pupil__nc_year__in=["10", "11"]).exists()
    assert Pupil.objects.with_sen().exclude(what_helps="").exists()
    pupils_demo.seed(ctx)
    assert [m.objects.count() for m in MODELS] == counts
