"""Subject access export: everything held about one pupil, as JSON and as a PDF.

The gathering is generic: it walks every model with a foreign key to Pupil (and their own
child records) through Django's _meta, so a model another app adds later is included without
changing this file. Records linked to the pupil without a visible reverse accessor (a session
register's many-to-many `attended`, a provision group set up for this pupil alone) come as
sections of their own, without their child records; a record's many-to-many links to other
records (an EHC plan's top-up funding) are named on its row. It never follows records that
belong to other pupils (a provision group's other members are third-party data), and it adds
the pupil's field history, the audit trail of who opened or changed the record, and the in-app
notifications staff were sent about the pupil ('New concern about <name>').

`NOT_EXPORTED` names the models that point at a pupil but are not exported as records, each
with the reason; tests/security/test_privacy.py fails when a new pupil-linked model is neither
exported nor listed there.
"""

import json
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from pupils.access import pupil_for_read
from pupils.models import Concern, Pupil
from pupils.selectors import change_history
from sencoweb.access import audit, capability_required
from sencoweb.models import AuditEvent, Notification, with_pupil_names
from sencoweb.retention import (
    UUID_IN_URL,
    pupils_due_for_destruction,
    pupils_on_legal_hold,
    transfers_not_yet_sent,
)

from .rendering import render_template_pdf

MAX_DEPTH = 3
SKIP_FIELDS = {"password", "token_hash"}

# Models that link to a pupil but are not exported as records of their own, and why.
NOT_EXPORTED = {
    "pupils.HistoricalPupil": "in the change history (every version, field by field)",
    "pupils.HistoricalNeed": "in the change history",
    "pupils.HistoricalContact": "in the change history",
    "pupils.HistoricalLiaisonEntry": "in the change history",
    "pupils.HistoricalInvolvement": "in the change history",
    "pupils.HistoricalAccessArrangement": "in the change history",
}


def _plain(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "name"):  # FieldFile
        return value.name or ""
    return str(value)


def _row(obj, skip_fk_to=None) -> dict:
    row = {}
    m2m = [f for f in obj._meta.many_to_many if f.related_model is not Pupil]
    for field in obj._meta.concrete_fields:
        if field.name in SKIP_FIELDS or field.primary_key:
            continue  # the internal row number means nothing to a reader; public ids stay
        if field.choices:
            row[field.verbose_name] = getattr(obj, f"get_{field.name}_display")()
        elif field.is_relation:
            if skip_fk_to is not None and field.related_model is skip_fk_to:
                continue
            row[field.verbose_name] = _plain(getattr(obj, field.name))
        else:
            row[field.verbose_name] = _plain(field.value_from_object(obj))
    for field in m2m:  # links to other records (a plan's top-up funding); never other pupils
        row[field.verbose_name] = [str(o) for o in getattr(obj, field.name).all()]
    return row


def _points_at_pupil(model) -> bool:
    return any(
        f.is_relation and f.many_to_one and f.related_model is Pupil
        for f in model._meta.concrete_fields
    )


def _children(obj, depth: int, seen: set, public_ids: set) -> list[dict]:
    """Sections for the one-to-many records under obj; adds each record's public id (if it has
    one) to public_ids."""
    sections = []
    if depth > MAX_DEPTH:
        return sections
    for rel in obj._meta.related_objects:
        model = rel.related_model
        if rel.many_to_many or model in seen:
            continue
        if model._meta.app_label == "sencoweb" or model.__name__.startswith("Historical"):
            continue
        if depth > 0 and _points_at_pupil(model):
            continue  # collected from the pupil directly, filtered to this pupil only
        accessor = rel.get_accessor_name()
        if rel.one_to_one:
            child = getattr(obj, accessor, None) if hasattr(obj, accessor) else None
            items = [child] if child is not None else []
        else:
            items = list(getattr(obj, accessor).all())
        if not items:
            continue
        section = {
            "record_type": str(model._meta.verbose_name_plural).capitalize(),
            "model": model._meta.label,
            "rows": [],
        }
        for item in items:
            if getattr(item, "public_id", None):
                public_ids.add(str(item.public_id))
            section["rows"].append(
                {
                    "fields": _row(item, skip_fk_to=obj.__class__),
                    "records": _children(
                        item, depth + 1, seen | {model, obj.__class__}, public_ids
                    ),
                }
            )
        sections.append(section)
    return sections


# What a hidden link's section is called (the model's own name otherwise).
LINK_LABELS = {
    "provision.SessionLog": "Sessions attended (provision session register)",
    "provision.ProvisionGroup": "Provision groups set up for this pupil alone",
}


def _hidden_links(pupil: Pupil) -> list[dict]:
    """Sections for records that point at the pupil with no reverse accessor the walk in
    `_children` follows: a hidden foreign key (a provision group set up for this pupil alone) or
    a many-to-many (the sessions the pupil attended). Their own rows only: a session's other
    attendees and a group's other members are other pupils."""
    sections = []
    for rel in Pupil._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and rel.is_relation and not rel.concrete):
            continue
        model = rel.related_model
        if model._meta.label in NOT_EXPORTED or model._meta.app_label == "sencoweb":
            continue
        if not (rel.many_to_many or rel.hidden):
            continue  # followed by _children
        if model is Pupil or model._meta.auto_created:
            continue  # many-to-many link tables: their rows are the links followed here
        items = list(model._default_manager.filter(**{rel.field.name: pupil}))
        if not items:
            continue
        label = LINK_LABELS.get(model._meta.label, str(model._meta.verbose_name_plural))
        sections.append(
            {
                "record_type": label[:1].upper() + label[1:],
                "model": model._meta.label,
                "rows": [{"fields": _row(item, skip_fk_to=Pupil), "records": []} for item in items],
            }
        )
    return sections


def _notifications(pupil: Pupil, public_ids: set[str]) -> list[dict]:
    """The in-app messages staff were sent about the pupil: those whose link names the pupil or
    one of the pupil's own records in this export (a concern to triage), found by the public id
    in the link as the retention command finds them. Not those linking to a record shared with
    other pupils (a session register): nothing links there now, and it would not be about this
    pupil alone."""
    rows = Notification.objects.filter(school=pupil.school)
    linked = [
        pk
        for pk, url in rows.exclude(url="").values_list("pk", "url")
        if public_ids.intersection(UUID_IN_URL.findall(url))
    ]
    about = Q(pk__in=linked)
    # Before the link named the concern, 'Your concern about <name> was sent to the SENCO' linked
    # to the concerns list alone: such a message is this pupil's when it went to the person who
    # raised a concern about them, in the same moment, and names them.
    for concern in Concern.objects.filter(pupil=pupil).only("raised_by_id", "raised_at"):
        about |= Q(
            url=reverse("pupils:concerns"),
            user_id=concern.raised_by_id,
            title=f"Your concern about {pupil.display_name} was sent to the SENCO",
            created_at__gte=concern.raised_at,
            created_at__lte=concern.raised_at + timedelta(minutes=1),
        )
    found = rows.filter(about).select_related("user").order_by("created_at", "pk")
    return [
        {
            "when": _plain(n.created_at),
            "to": n.user.get_full_name() or n.user.username,
            "title": n.title,
            "message": n.body,
            "read": n.read_at is not None,
            "read_at": _plain(n.read_at),
        }
        for n in found
    ]


def subject_access_data(pupil: Pupil) -> dict:
    """Everything held about one pupil, as plain JSON-ready data."""
    # Every version of the record and of the records kept with it (needs, contacts, liaison,
    # agencies, access arrangements), oldest first, with each field's value before and after.
    history = [
        {
            "when": _plain(v.at),
            "who": v.who,
            "record": v.record,
            "change": v.kind.lower(),
            "changed_fields": [c.label for c in v.changes],
            "changes": [{"field": c.label, "from": c.old, "to": c.new} for c in v.changes],
        }
        for v in reversed(change_history(pupil=pupil))
    ]
    groups = [
        {"group": str(g), "kind": g.get_kind_display() if hasattr(g, "get_kind_display") else ""}
        for g in pupil.teaching_groups.all()
    ]
    access_log = [
        {
            "when": _plain(e.at),
            "who": e.username,
            "action": e.get_action_display(),
            "summary": e.shown_summary,
        }
        for e in with_pupil_names(
            AuditEvent.objects.filter(pupil_id=pupil.public_id).order_by("id")
        )
    ]
    public_ids = {str(pupil.public_id)}
    records = _children(pupil, 0, {Pupil}, public_ids) + _hidden_links(pupil)
    return {
        "generated_at": timezone.now().isoformat(),
        "school": pupil.school.name,
        "pupil": _row(pupil),
        "teaching_groups": groups,
        "records": records,
        "change_history": history,
        "access_log": access_log,
        "notifications": _notifications(pupil, public_ids),
        "notes": (
            "Subject access export from SENCo Web. Before disclosure, review for third-party "
            "information (other pupils, family members, professionals' opinions) and for any "
            "exemption under DPA 2018 Schedule 3 (serious harm)."
        ),
    }


def subject_access_files(pupil: Pupil) -> tuple[str, bytes, bytes]:
    """(base file name, JSON bytes, PDF bytes)."""
    data = subject_access_data(pupil)
    json_bytes = json.dumps(data, indent=2, ensure_ascii=False).encode()
    pdf = render_template_pdf("reports/sar.html", {"data": data, "pupil": pupil})
    base = f"subject-access-{slugify(pupil.last_name)}-{timezone.localdate():%Y%m%d}"
    return base, json_bytes, pdf


@capability_required("privacy.manage")
def subject_access_download(request, pupil_id, fmt):
    if fmt not in ("json", "pdf"):
        raise Http404
    pupil = pupil_for_read(request, pupil_id)
    base, json_bytes, pdf = subject_access_files(pupil)
    audit(
        request,
        AuditEvent.Action.DISCLOSE,
        pupil,
        summary=f"Subject access export ({fmt.upper()}) of {pupil}",
    )
    content, ctype = (json_bytes, "application/json") if fmt == "json" else (pdf, "application/pdf")
    response = HttpResponse(content, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{base}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


@capability_required("privacy.manage")
def retention_due(request):
    """Archived pupils past their retention date: destroyed only by the retention command."""
    today = timezone.localdate()
    due = pupils_due_for_destruction(today=today, school=request.school)
    held = pupils_on_legal_hold(today=today, school=request.school)
    unsent = transfers_not_yet_sent(school=request.school)
    audit(request, AuditEvent.Action.VIEW, summary="Viewed the pupils due for destruction")
    return render(
        request,
        "reports/sar_retention.html",
        {"due": due, "held": held, "unsent": unsent, "today": today},
    )
