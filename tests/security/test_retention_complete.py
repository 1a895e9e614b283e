"""Retention destroys everything held about a pupil past their date: rows in every app, their
change history, their files on disk and their transition pack runs, and the audit chain still
verifies (SECURITY.md "Retention and deletion")."""

import datetime as dt

import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from provision.models import ProvisionGroup, SessionLog
from pupils.models import Pupil, PupilDocument
from reports.models import ReportRun, ReportRunPart
from reviews.models import ContributionLink, EhcPlan
from sencoweb.models import AuditEvent, Notification
from tests.security.lifecycle import make_rich_pupil, pupil_links


@pytest.fixture
def rich(school, senco, taught_pupil):
    return make_rich_pupil(school, senco, taught_pupil)


def test_destruction_removes_every_pupil_linked_row_file_and_pack(
    rich, school, senco, django_capture_on_commit_callbacks
):
    rich.archived_at = timezone.now()
    rich.retention_until = dt.date(2000, 1, 1)
    rich.save()
    files = [
        PupilDocument.objects.get().file.name,
        ContributionLink.objects.get().report.name,
        ReportRun.objects.get(type=ReportRun.Type.TRANSITION_PACK).file.name,
        ReportRunPart.objects.get().file.name,
    ]
    assert all(default_storage.exists(name) for name in files)
    concern = rich.concerns.get()
    for url in (
        reverse("pupils:detail", args=[rich.public_id]),
        reverse("pupils:concern_triage", args=[concern.public_id]),
        reverse("pupils:concerns"),
    ):
        Notification.objects.create(school=school, user=senco.user, title=f"About {rich}", url=url)
    call_command("retention", "--dry-run")
    assert Pupil.objects.filter(pk=rich.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("retention", "--confirm")
    assert not Pupil.objects.filter(pk=rich.pk).exists()
    for label, name in pupil_links():
        model = apps.get_model(label)
        left = model._base_manager.filter(**{f"{name}__in": [rich.pk]})
        assert not left.exists(), f"{label} still holds rows of the destroyed pupil"
    assert ProvisionGroup.objects.exists()  # a group shared with others stays, unlinked
    assert not Pupil.history.filter(id=rich.pk).exists()
    assert not ContributionLink.objects.exists() and not EhcPlan.objects.exists()
    assert not SessionLog.attended.through.objects.filter(pupil_id=rich.pk).exists()
    assert not ReportRun.objects.filter(type=ReportRun.Type.TRANSITION_PACK).exists()
    assert not ReportRunPart.objects.exists()
    assert [name for name in files if default_storage.exists(name)] == []
    # Notifications that link to the pupil or their records go; one that links nowhere stays.
    assert list(Notification.objects.values_list("url", flat=True)) == [reverse("pupils:concerns")]
    record = AuditEvent.objects.get(object_type="retention")
    assert record.detail["records"]["files"] == 2
    assert record.detail["records"]["reports.ReportRun"] == 1
    call_command("verify_audit")
