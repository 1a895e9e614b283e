"""Retention: archived pupils past their retention date are destroyed only by a deliberate
command (`manage.py retention --confirm`), never automatically, and never while on legal hold.

The date depends on how the pupil left (DOMAIN.md 8.2), set by pupils when they are archived:
the last school keeps the SEN file to date of birth + 31 years; a school whose pupil moved to
another school keeps it only a short time after the file was sent. Each pupil's
`retention_basis` says which, in words, for the list and the command.

The destruction leaves an audit row with counts per record type and no personal data, as a
destruction certificate (DOMAIN.md 8.2). Pupil is looked up through the app registry because
sencoweb sits below pupils and must not import it.
"""

import re
from collections import Counter
from collections.abc import Callable
from datetime import date

from django.apps import apps
from django.db import models, router, transaction
from django.db.models.deletion import Collector

from .models import AuditEvent, Notification, append_audit_event

# (school, [pupil public ids]) -> {record type: count}: higher apps destroy what they hold about
# the pupils outside the foreign keys the collector follows (reports: a pupil's transition pack
# runs and their PDFs). Called inside the destruction's transaction; registered in ready().
destroy_hooks: list[Callable] = []


def _pupil_model():
    return apps.get_model("pupils", "Pupil")


def pupils_due_for_destruction(*, today: date, school=None):
    """Archived pupils whose retention date has passed and who are not on legal hold."""
    pupils = _pupil_model().objects.filter(
        archived_at__isnull=False,
        retention_until__isnull=False,
        retention_until__lt=today,
        legal_hold=False,
    )
    if school is not None:
        pupils = pupils.filter(school=school)
    return pupils.select_related("school").order_by("school__name", "retention_until")


def pupils_on_legal_hold(*, today: date, school=None):
    pupils = _pupil_model().objects.filter(
        archived_at__isnull=False, retention_until__lt=today, legal_hold=True
    )
    if school is not None:
        pupils = pupils.filter(school=school)
    return pupils.select_related("school")


def transfers_not_yet_sent(*, school=None):
    """Archived pupils who moved to another school but whose SEN file is not recorded as sent:
    kept to date of birth + 31 years until it is, which a school passing the file on should not
    do."""
    pupils = _pupil_model().objects.filter(
        archived_at__isnull=False, left_for="school", file_sent_on__isnull=True
    )
    if school is not None:
        pupils = pupils.filter(school=school)
    return pupils.select_related("school").order_by("school__name", "left_on")


def _collect(pupils) -> tuple[Counter, dict]:
    """Counts per record type of everything deleting these pupils deletes, and the primary
    keys per model (to remove their simple_history copies too)."""
    collector = Collector(using=router.db_for_write(_pupil_model()))
    collector.collect(list(pupils))
    counts, keys = Counter(), {}
    for model, objects in collector.data.items():
        counts[model._meta.label] += len(objects)
        keys.setdefault(model, set()).update(o.pk for o in objects)
    for qs in collector.fast_deletes:
        counts[qs.model._meta.label] += qs.count()
        keys.setdefault(qs.model, set()).update(qs.values_list("pk", flat=True))
    return counts, keys


def _files(keys: dict) -> list:
    """(storage, name) of every file held by the rows being destroyed (documents, contribution
    reports): deleting a row leaves its file on disk."""
    out = []
    for model, pks in keys.items():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        if not fields or not pks:
            continue
        for names in model._base_manager.filter(pk__in=pks).values_list(
            *[f.attname for f in fields]
        ):
            out += [(f.storage, name) for f, name in zip(fields, names, strict=True) if name]
    return out


def _delete_files(files: list) -> None:
    for storage, name in files:
        storage.delete(name)


UUID_IN_URL = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _notifications_destroy(school, keys: dict) -> dict:
    """Staff notifications that link to a destroyed record (a concern to triage, the pupil's
    page) name the pupil in their title: they go with the records."""
    ids = {
        str(public_id)
        for model, pks in keys.items()
        if any(f.name == "public_id" for f in model._meta.concrete_fields) and pks
        for public_id in model._base_manager.filter(pk__in=pks).values_list("public_id", flat=True)
    }
    linked = [
        pk
        for pk, url in Notification.objects.filter(school=school)
        .exclude(url="")
        .values_list("pk", "url")
        if ids.intersection(UUID_IN_URL.findall(url))
    ]
    deleted = Notification.objects.filter(pk__in=linked).delete()[0] if linked else 0
    return {"sencoweb.Notification": deleted} if deleted else {}


def _history_model(model):
    history = getattr(model, "history", None)
    return getattr(history, "model", None) if history is not None else None


def _pupil_history_models():
    """Historical models of records that belong to a pupil (a `pupil` foreign key)."""
    pupil = _pupil_model()
    return [
        model.history.model
        for model in apps.get_models()
        if _history_model(model) is not None
        and any(getattr(f, "related_model", None) is pupil for f in model._meta.fields)
        and any(f.name == "pupil" for f in model._meta.fields)
    ]


def retention_destroy(*, today: date, by: str = "retention command") -> dict:
    """Delete every pupil due for destruction with all their records, per school, in one
    transaction each. Returns {school name: {record type: count}}."""
    done = {}
    due = list(pupils_due_for_destruction(today=today))
    by_school: dict = {}
    for pupil in due:
        by_school.setdefault(pupil.school, []).append(pupil)
    for school, pupils in by_school.items():
        with transaction.atomic():
            ids = [p.pk for p in pupils]
            # Re-read under the lock: a legal hold set a moment ago still wins.
            locked = list(
                pupils_due_for_destruction(today=today, school=school)
                .filter(pk__in=ids)
                .select_for_update(of=("self",))
            )
            if not locked:
                continue
            counts, keys = _collect(locked)
            files = _files(keys)
            locked_ids = [p.pk for p in locked]  # delete() sets pk to None
            public_ids = [p.public_id for p in locked]
            counts.update(_notifications_destroy(school, keys))
            for hook in destroy_hooks:
                counts.update(hook(school, public_ids))
            for pupil in locked:
                pupil.delete()
            # Historical (simple_history) rows are copies of the records: destroy them too,
            # after the delete (which itself writes a last historical row).
            for model, pks in keys.items():
                history_model = _history_model(model)
                if history_model is not None and pks:
                    pk_name = model._meta.pk.attname
                    history_model.objects.filter(**{f"{pk_name}__in": pks}).delete()
            # Versions of records removed earlier (a contact deleted as entered by mistake) are
            # not found by the collector, but still name the pupil.
            for history_model in _pupil_history_models():
                history_model.objects.filter(pupil_id__in=locked_ids).delete()
            # The files go once the rows are gone for good: a rollback keeps both.
            transaction.on_commit(lambda files=files: _delete_files(files))
            counts["files"] += len(files)
            append_audit_event(
                school=school,
                username=by[:150],
                action=AuditEvent.Action.DELETE,
                object_type="retention",
                summary=f"Destroyed the records of {len(locked)} pupil(s) past their retention "
                f"date ({today.isoformat()})",
                detail={"pupils": len(locked), "records": dict(sorted(counts.items()))},
            )
            done[school.name] = dict(counts)
    return done
