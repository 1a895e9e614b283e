"""Field-level change history for people to read: who changed which field of a record, from what,
to what (django-simple-history keeps the versions; this turns them into lines).

Generic over any model with `history = HistoricalRecords(...)`. A fixed number of queries: the
versions with their authors, then one query per kind of record a changed foreign key points
at (to show "7B" rather than "#412")."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models
from django.utils import timezone

KIND = {"+": "Created", "~": "Changed", "-": "Deleted"}
EMPTY = "(blank)"
# The reason on a first version written for a record that existed before it kept versions (or
# was bulk-created): the record as it stood then, so its next change shows from what to what.
BASELINE = "History began: the record as it stood"


@dataclass
class FieldChange:
    label: str
    old: str
    new: str
    long: bool = False  # long text: shown folded, in full


@dataclass
class Version:
    at: dt.datetime
    who: str
    kind: str
    reason: str
    record: str = ""  # which record, e.g. "Need: SLCN" (from `title`)
    changes: list[FieldChange] = field(default_factory=list)
    note: str = ""


def _is_long(f) -> bool:
    return isinstance(f, models.TextField)


# Field names Django turns into labels word by word ("sen status"): the sector's capitals.
ACRONYMS = {"sen": "SEN", "upn": "UPN", "eal": "EAL", "fsm": "FSM", "ehc": "EHC", "la": "LA"}


def _label(model, name: str) -> str:
    words = str(getattr(model._meta.get_field(name), "verbose_name", name)).split(" ")
    words = [ACRONYMS.get(w, w) for w in words]
    return words[0][:1].upper() + " ".join(words)[1:]


def _show(f, value, related: dict) -> str:
    if value in (None, "") or value == []:
        return EMPTY
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, models.BooleanField):
        return "Yes" if value else "No"
    if isinstance(f, models.ForeignKey):
        return related.get((f.related_model, value), f"#{value}")
    if isinstance(value, dt.datetime):
        return f"{value:%d %b %Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%d %b %Y}"
    return str(value)


def versions(history, *, hide: tuple[str, ...] = (), title=None) -> list[Version]:
    """Every version of the records in `history` (a record's `.history` manager, or a queryset of
    a historical model covering several records), newest first, each with the fields it changed.
    `hide` names fields never shown; `title(historical row)` names the record, if wanted."""
    rows = list(history.select_related("history_user").order_by("history_date", "history_id"))
    if not rows:
        return []
    model = rows[0].instance_type
    pk_name = model._meta.pk.attname
    pairs, wanted = [], defaultdict(set)
    previous = {}  # the version before, per record
    for row in rows:
        diffs = []
        before = previous.get(getattr(row, pk_name))
        if before is not None and row.history_type == "~":
            diffs = [c for c in row.diff_against(before).changes if c.field not in hide]
            for change in diffs:
                f = model._meta.get_field(change.field)
                if isinstance(f, models.ForeignKey):
                    wanted[f.related_model].update(v for v in (change.old, change.new) if v)
        pairs.append((row, diffs, before is None))
        previous[getattr(row, pk_name)] = row
    related = {
        (rel, obj.pk): str(obj)
        for rel, ids in wanted.items()
        for obj in rel._default_manager.filter(pk__in=ids)
    }
    out = []
    for row, diffs, first in pairs:
        version = Version(
            at=row.history_date,
            who=(row.history_user.get_full_name() or row.history_user.get_username())
            if row.history_user
            else "The system (import or scheduled job)",
            kind=KIND.get(row.history_type, row.history_type),
            reason=row.history_change_reason or "",
            record=title(row) if title else "",
        )
        if version.reason == BASELINE:
            version.kind, version.reason, version.who = "History began", "", "—"
        elif row.history_type == "~" and first:
            version.note = "The version before this change was not recorded."
        for change in diffs:
            f = model._meta.get_field(change.field)
            version.changes.append(
                FieldChange(
                    label=_label(model, change.field),
                    old=_show(f, change.old, related),
                    new=_show(f, change.new, related),
                    long=_is_long(f),
                )
            )
        if version.kind != "Changed" or version.changes or version.note:
            out.append(version)
    return out[::-1]


def record_baselines() -> int:
    """A first version for every record of a versioned model that has none (bulk-created, as the
    demo data is, or made before its model kept versions). Returns how many were written."""
    written, now = 0, timezone.now()
    for model in apps.get_models():
        history = getattr(model, "history", None)
        if history is None or not hasattr(history, "model"):
            continue
        historical = history.model
        pk = model._meta.pk.attname
        kept = {f.attname for f in historical._meta.fields}
        names = [f.attname for f in model._meta.concrete_fields if f.attname in kept]
        rows = [
            historical(
                history_date=now,
                history_type="+",
                history_change_reason=BASELINE,
                **{name: getattr(obj, name) for name in names},
            )
            for obj in model._base_manager.exclude(pk__in=historical.objects.values(pk)).iterator()
        ]
        historical.objects.bulk_create(rows, batch_size=2000)
        written += len(rows)
    return written
