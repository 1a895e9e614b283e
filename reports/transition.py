"""Transition packs: everything the next school needs about one pupil's SEN (DOMAIN.md 6.4), as
a dict of the documented schema (docs/transition-pack-schema.md,
reports/schema/transition_pack_v2.json), rendered to PDF and JSON; and the importer that turns a
pack received from another school (schema version 1 or 2) into a pupil with their history.

Sections whose data SENCo Web does not hold yet are listed in `not_recorded`, so the receiving
school knows the difference between "none" and "not recorded"."""

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from pupils.codes import CENSUS_CODE, DEFAULT_AREA, NcYear, SenStatus, SenType
from pupils.models import (
    AccessArrangement,
    Agency,
    AgencyKind,
    Contact,
    ImportedEvent,
    Involvement,
    Need,
    Professional,
    Pupil,
    PupilDocument,
    StatusDecision,
)

SCHEMA_BASE = "https://sencoweb.org/schema/transition-pack/v"
SCHEMA_VERSION = 2
SCHEMA_ID = f"{SCHEMA_BASE}{SCHEMA_VERSION}"
# Versions the importer reads; older ones are brought up to the current shape first.
READABLE_VERSIONS = (1, 2)
PROFILE_FIELDS = ("about_me", "strengths", "important_to_me", "what_helps",
                  "what_does_not_help", "how_i_communicate")  # fmt: skip
PROFILE_LABELS = {f: Pupil._meta.get_field(f).verbose_name for f in PROFILE_FIELDS}


def _d(value) -> str | None:
    if value is None:
        return None
    return value.isoformat()


def cohort_pupils(school):
    """Pupils a pack can be built for: current, with SEN or on the monitoring list."""
    return (
        Pupil.objects.for_school(school)
        .filter(archived_at__isnull=True, sen_status__in=["K", "E", "M"])
        .order_by("last_name", "first_name")
    )


def pack_filename_stem(pupil) -> str:
    # Names in file names are what a receiving SENCO expects; the ZIP is itself access-checked.
    return f"transition-pack-{slugify(pupil.last_name)}-{slugify(pupil.first_name)}-{str(pupil.public_id)[:8]}"


def _later_sections(pupil) -> tuple[dict, list[str]]:
    """Plan, reviews, provision and EHC data from the reviews and provision apps."""
    from . import pack_sections

    return pack_sections.collect(pupil)


def pack_data(pupil, *, school, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    decisions = StatusDecision.objects.filter(pupil=pupil).order_by("decided_on", "recorded_at")
    needs = Need.objects.filter(pupil=pupil).order_by("ends_on", "rank", "starts_on")
    contacts = Contact.objects.filter(pupil=pupil)
    involvements = Involvement.objects.filter(pupil=pupil).select_related("agency", "professional")
    arrangements = AccessArrangement.objects.filter(pupil=pupil)
    later, not_recorded = _later_sections(pupil)
    return {
        "$schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "generated_at": timezone.now().isoformat(timespec="seconds"),
        "source_school": {
            "name": school.name,
            "urn": school.urn,
            "laestab": school.laestab,
            "la_name": school.la_name,
        },  # fmt: skip
        "pupil": {
            "upn": pupil.upn,
            "first_name": pupil.first_name,
            "last_name": pupil.last_name,
            "preferred_name": pupil.preferred_name,
            "date_of_birth": _d(pupil.date_of_birth),
            "gender": pupil.gender,
            "nc_year": pupil.nc_year,
            "eal": pupil.eal,
            "fsm": pupil.fsm,
            "looked_after": pupil.looked_after,
            "previously_looked_after": pupil.previously_looked_after,
            "sen_status": pupil.sen_status,
            "census_code": CENSUS_CODE[pupil.sen_status],
            "sen_status_since": _d(pupil.sen_status_since),
            "disability_or_medical": pupil.disability_or_medical,
        },
        "profile": {
            **{f: getattr(pupil, f) for f in PROFILE_FIELDS},
            "updated_at": pupil.profile_updated_at.isoformat(timespec="seconds")
            if pupil.profile_updated_at
            else None,
        },
        "status_history": [
            {
                "decided_on": _d(d.decided_on),
                "from_status": d.from_status,
                "to_status": d.to_status,
                "reason": d.reason,
                "evidence": d.evidence,
                "decided_by": d.decided_by,
                "parents_informed_on": _d(d.parents_informed_on),
            }
            for d in decisions
        ],  # fmt: skip
        "needs": [
            {
                "sen_type": n.sen_type,
                "rank": n.rank,
                "starts_on": _d(n.starts_on),
                "ends_on": _d(n.ends_on),
                "description": n.description,
            }
            for n in needs
        ],  # fmt: skip
        "contacts": [
            {
                "name": c.name,
                "relationship": c.relationship,
                "parental_responsibility": c.parental_responsibility,
                "phone": c.phone,
                "email": c.email,
                "preferred_contact": c.get_preferred_contact_display(),
                "language": c.language,
                "needs_interpreter": c.needs_interpreter,
            }
            for c in contacts
        ],  # fmt: skip
        "agencies": [
            {
                "agency": i.agency.name,
                "kind": i.agency.get_kind_display(),
                "kind_code": i.agency.kind,
                "agency_phone": i.agency.phone,
                "agency_email": i.agency.email,
                "professional": i.professional.name if i.professional else "",
                "role": i.professional.role if i.professional else "",
                "referral_date": _d(i.referral_date),
                "status": i.get_status_display(),
                "status_code": i.status,
                "discharged_on": _d(i.discharged_on),
            }
            for i in involvements
        ],  # fmt: skip
        "access_arrangements": [
            {
                "arrangement": a.get_kind_display(),
                "kind": a.kind,
                "route": a.route,
                "normal_way_of_working": a.normal_way_of_working,
                "assessed_on": _d(a.assessed_on),
                "assessor_name": a.assessor_name,
                "assessor_qualification": a.assessor_qualification,
                "score_1_test": a.score_1_test,
                "score_1": a.score_1,
                "score_2_test": a.score_2_test,
                "score_2": a.score_2,
                "aao_reference": a.aao_reference,
                "approved_on": _d(a.approved_on),
                "expires_on": _d(a.expires_on),
                "notes": a.notes,
            }
            for a in arrangements
        ],  # fmt: skip
        **later,
        "not_recorded": not_recorded,
    }


def pack_context(pack: dict, *, received_by=None) -> dict:
    """What the pack templates need. `received_by`: the school that received the pack, for the
    copy stored with an imported pupil."""
    from .pack_sections import EHC_TEXT_SECTIONS, ehc_headings

    rows = [(PROFILE_LABELS[f], pack["profile"].get(f)) for f in PROFILE_FIELDS]
    plan = pack.get("ehc_plan") or {}
    sections = plan.get("sections") or {}
    headings = ehc_headings()
    return {
        "pack": pack,
        "profile_rows": [(label, text) for label, text in rows if text],
        "ehc_headings": headings,
        "ehc_sections": [
            (headings[k], sections[k]) for k in EHC_TEXT_SECTIONS if sections.get(k)
        ],  # fmt: skip
        "received_by": received_by,
    }


# ---- import -------------------------------------------------------------------------------


class PackError(ValueError):
    """The file is not a transition pack SENCo Web can import; the message says why."""


_REQUIRED_PUPIL = ("first_name", "last_name", "date_of_birth", "gender", "nc_year")
_LIST_SECTIONS = ("status_history", "needs", "contacts", "agencies", "access_arrangements",
                  "reviews", "provision")  # fmt: skip


def _date(value, where: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except (TypeError, ValueError):
        raise PackError(f"{where}: “{value}” is not a date (use YYYY-MM-DD).") from None


def _text(value, length: int | None = None) -> str:
    text = "" if value is None else str(value).strip()
    return text[:length] if length else text


def _day(value: dt.date) -> str:
    return f"{value:%-d %B %Y}"


def _upgrade_v1(data: dict) -> dict:
    """A version 1 pack in the version 2 shape. Version 1 carried the EHC plan as a table of
    labelled lines (section E and F each joined with "; ") and no date of the last annual
    review: the latest EHC review meeting in its review history stands in for it."""
    import re

    data = {**data, "$schema": SCHEMA_ID, "schema_version": 2, "upgraded_from_version": 1}
    old = data.get("ehc_plan")
    if not isinstance(old, dict):
        return data
    provision = []
    for part in (old.get("provision (section F)") or "").split("; "):
        match = re.fullmatch(r"(.*) \(([0-9.]+) h/week\)", part.strip())
        text, hours = (match.group(1), match.group(2)) if match else (part.strip(), None)
        if text:
            provision.append({"provision": text, "hours_per_week": hours})
    ehc_reviews = [r.get("date") for r in data.get("reviews") or []
                   if isinstance(r, dict) and "(EHC plan)" in str(r.get("kind"))
                   and str(r.get("kind")).startswith("Annual") and r.get("date")]  # fmt: skip
    transfer = {"Phase transfer (deadline 15 February)": "school",
                "Secondary to post-16 (deadline 31 March)": "post16",
                "No phase transfer this year": "none"}  # fmt: skip
    data["ehc_plan"] = {
        "la_code": "",
        "la_name": old.get("local authority") or "",
        "version": old.get("version"),
        "first_issued_on": old.get("first issued"),
        "issued_on": old.get("this version issued"),
        "last_annual_review_on": max(ehc_reviews, default=None),
        "named_setting": old.get("named setting") or "",
        "phase_transfer": transfer.get(old.get("phase transfer"), ""),
        "sections": {"b": old.get("special educational needs (section B)") or ""},
        "outcomes": [{"area": "", "outcome": t.strip()}
                     for t in (old.get("outcomes (section E)") or "").split("; ") if t.strip()],
        "provision": provision,
    }  # fmt: skip
    return data


def parse_pack(raw: bytes | str) -> dict:
    """The pack as a dict of the current schema version, or PackError saying what is wrong."""
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise PackError(
            "The file is not JSON. Upload the .json file from the pack ZIP, not the PDF."
        ) from None
    except RecursionError:  # "[[[[..." nested deeper than any pack: refused, not a crash
        raise PackError("The file is not a SENCo Web transition pack.") from None
    schema = data.get("$schema") if isinstance(data, dict) else None
    if not isinstance(schema, str) or not schema.startswith(SCHEMA_BASE):
        raise PackError(
            "The file is not a SENCo Web transition pack (its $schema is missing or different)."
        )
    version = data.get("schema_version")
    if (
        type(version) is not int
        or version not in READABLE_VERSIONS
        or not schema.endswith(f"/v{version}")
    ):
        raise PackError(
            f"The pack uses schema version {version!r}; this SENCo Web reads versions "
            f"{', '.join(map(str, READABLE_VERSIONS))}."
        )
    if version == 1:
        data = _upgrade_v1(data)
    pupil = data.get("pupil")
    if not isinstance(pupil, dict):
        raise PackError("The pack has no pupil section.")
    missing = [f for f in _REQUIRED_PUPIL if not pupil.get(f)]
    if missing:
        raise PackError(f"The pupil section is missing {', '.join(missing)}.")
    if pupil.get("sen_status", "N") not in SenStatus.values:
        raise PackError(f"Unknown SEN status {pupil.get('sen_status')!r}.")
    if pupil["nc_year"] not in NcYear.values:
        raise PackError(f"Unknown year group {pupil['nc_year']!r}.")
    for key in _LIST_SECTIONS:
        rows = data.get(key)
        if rows is not None and not (
            isinstance(rows, list) and all(isinstance(r, dict) for r in rows)
        ):
            raise PackError(f"The {key} section should be a list of records.")
    for need in data.get("needs") or []:
        if need.get("sen_type") not in SenType.values:
            raise PackError(f"Unknown SEN type {need.get('sen_type')!r} in needs.")
    plan = data.get("ehc_plan")
    if plan is not None:
        if not isinstance(plan, dict):
            raise PackError("The ehc_plan section should be a record or null.")
        if not _date(plan.get("issued_on"), "EHC plan, date issued"):
            raise PackError("The EHC plan has no date it was issued (ehc_plan.issued_on).")
        if not _text(plan.get("la_name")):
            raise PackError("The EHC plan does not name its local authority (ehc_plan.la_name).")
    return data


@dataclass
class ImportResult:
    pupil: Pupil
    brought: list[str] = field(default_factory=list)  # what came in, for the page's message

    @property
    def summary(self) -> str:
        return ", ".join(self.brought)


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def transition_pack_import(*, school, data: dict, by) -> ImportResult:
    """Create the pupil at this school with what the pack brings (docs/transition-pack-schema.md,
    "Importing"). All or nothing: any bad row rolls the whole import back, and a pupil already on
    roll (the same UPN, or the same legal name and date of birth) is refused."""
    from .rendering import render_template_pdf

    _refuse_if_on_roll(school, data["pupil"])
    # The copy of the pack kept with the pupil (their review and provision history, read only).
    # Rendered first: a pack that cannot be rendered saves nothing.
    pdf = render_template_pdf(
        "reports/transition_pack_pdf.html", {**pack_context(data, received_by=school)}
    )
    saved: list[PupilDocument] = []
    try:
        with transaction.atomic():
            return _import(school=school, data=data, by=by, pdf=pdf, saved=saved)
    except IntegrityError:
        for document in saved:
            document.file.delete(save=False)
        raise PackError(
            "The pack could not be imported: it contradicts itself or a pupil already on roll "
            "(for example two current needs of the same rank). Nothing was saved."
        ) from None
    except Exception:
        for document in saved:
            document.file.delete(save=False)
        raise


def _refuse_if_on_roll(school, p: dict) -> None:
    current = Pupil.objects.for_school(school).filter(archived_at__isnull=True)
    upn = _text(p.get("upn")).upper()
    if upn and current.filter(upn=upn).exists():
        raise PackError(f"A pupil with UPN {upn} is already on this school's roll.")
    dob = _date(p.get("date_of_birth"), "Date of birth")
    same = current.filter(
        first_name__iexact=_text(p.get("first_name")),
        last_name__iexact=_text(p.get("last_name")),
        date_of_birth=dob,
    )
    if same.exists():
        raise PackError(
            f"{_text(p.get('first_name'))} {_text(p.get('last_name'))}, born {_day(dob)}, is "
            "already on this school's roll: this pack has been imported, or the pupil was "
            "added another way."
        )


def _import(*, school, data: dict, by, pdf: bytes, saved: list) -> ImportResult:
    today = timezone.localdate()
    p = data["pupil"]
    src = data.get("source_school") or {}
    source = _text(src.get("name")) or "the previous school"
    pack_day = _date(_text(data.get("generated_at"))[:10] or None, "Pack date") or today
    note = f"(Imported from {source}'s transition pack of {_day(pack_day)}.)"
    _refuse_if_on_roll(school, p)  # again, inside the transaction
    upn = _text(p.get("upn")).upper()
    profile = data.get("profile") or {}
    pupil = Pupil.objects.create(
        school=school,
        upn=upn,
        first_name=_text(p["first_name"], 100),
        last_name=_text(p["last_name"], 100),
        preferred_name=_text(p.get("preferred_name"), 100),
        date_of_birth=_date(p["date_of_birth"], "Date of birth"),
        gender=_text(p["gender"], 1),
        nc_year=p["nc_year"],
        eal=bool(p.get("eal")),
        fsm=bool(p.get("fsm")),
        looked_after=bool(p.get("looked_after")),
        previously_looked_after=bool(p.get("previously_looked_after")),
        sen_status=p.get("sen_status") or "N",
        sen_status_since=_date(p.get("sen_status_since"), "SEN status since"),
        disability_or_medical=_text(p.get("disability_or_medical")),
        joined_on=today,
        **{f: _text(profile.get(f)) for f in PROFILE_FIELDS},
        profile_updated_at=timezone.now() if any(profile.get(f) for f in PROFILE_FIELDS) else None,
    )
    result = ImportResult(pupil)
    if pupil.profile_updated_at:
        result.brought.append("one-page profile")
    decisions = StatusDecision.objects.bulk_create(
        StatusDecision(
            pupil=pupil,
            decided_on=_date(d.get("decided_on"), "Status history"),
            from_status=d["from_status"],
            to_status=d["to_status"],
            reason=f"{_text(d.get('reason'))}\n{note}".strip(),
            evidence=_text(d.get("evidence")),
            decided_by=_text(d.get("decided_by") or source, 200),
            parents_informed=bool(d.get("parents_informed_on")),
            parents_informed_on=_date(d.get("parents_informed_on"), "Status history"),
            recorded_by=by,
        )
        for d in data.get("status_history") or []
        if d.get("from_status") != d.get("to_status")
    )
    # When the parents were told of the current status, as status_decision_record keeps it.
    latest_first = sorted(decisions, key=lambda d: d.decided_on, reverse=True)
    told = [d.parents_informed_on for d in latest_first if d.to_status == pupil.sen_status]
    if told and told[0] is not None:
        pupil.date_parents_notified = told[0]
        pupil.save(update_fields=["date_parents_notified"])
    needs = Need.objects.bulk_create(
        Need(
            pupil=pupil,
            sen_type=n["sen_type"],
            rank=int(n.get("rank") or 1),
            starts_on=_date(n.get("starts_on"), "Needs") or today,
            ends_on=_date(n.get("ends_on"), "Needs"),
            description=_text(n.get("description")),
            created_by=by,
        )
        for n in data.get("needs") or []
    )
    preferences = {label: code for code, label in Contact.Preference.choices}
    contacts = Contact.objects.bulk_create(
        Contact(
            pupil=pupil,
            name=_text(c.get("name"), 200),
            relationship=_text(c.get("relationship"), 60),
            parental_responsibility=bool(c.get("parental_responsibility")),
            phone=_text(c.get("phone"), 40),
            email=_text(c.get("email"), 254),
            preferred_contact=preferences.get(c.get("preferred_contact"), "phone"),
            language=_text(c.get("language"), 60),
            needs_interpreter=bool(c.get("needs_interpreter")),
        )
        for c in data.get("contacts") or []
        if _text(c.get("name"))
    )
    involvements = _import_agencies(school, pupil, data.get("agencies") or [], source, pack_day)
    arrangements = _import_arrangements(
        pupil, data.get("access_arrangements") or [], source, pack_day, by
    )
    plan = _import_ehc_plan(school, pupil, data, source, pack_day, by)
    for count, one, many in (
        (len(decisions), "status decision", None),
        (len(needs), "need", None),
        (len(contacts), "contact", None),
        (len(involvements), "agency involvement", None),
        (len(arrangements), "past access arrangement", None),
    ):
        if count:
            result.brought.append(_plural(count, one, many))
    if plan is not None:
        result.brought.append(f"the EHC plan ({plan.la_name})")
    document = PupilDocument(
        pupil=pupil,
        kind=PupilDocument.Kind.OTHER,
        title=_text(f"Transition pack from {source} (as received)", 200),
        dated=pack_day,
        original_name=f"transition-pack-{slugify(source)[:60] or 'received'}.pdf",
        content_type="application/pdf",
        size=len(pdf),
        uploaded_by=by,
    )
    document.file.save("pack.pdf", ContentFile(pdf), save=False)
    saved.append(document)
    document.save()
    events = _import_history(pupil, data, source, pack_day, by, document)
    reviews = sum(e.kind == ImportedEvent.Kind.REVIEW for e in events)
    interventions = sum(e.title.endswith(" started") for e in events)
    if reviews:
        result.brought.append(_plural(reviews, "past review"))
    if interventions:
        result.brought.append(_plural(interventions, "past intervention"))
    result.brought.append("the pack itself (with review and provision history) under Documents")
    return result


def _import_history(pupil, data, source, pack_day, by, document) -> list[ImportedEvent]:
    """The review and provision history as read-only dated events at the previous school, for
    the profile's chronology. A row without a date stays only in the pack document."""

    def event(day, kind, title, detail=""):
        return ImportedEvent(pupil=pupil, happened_on=day, kind=kind, title=_text(title, 300),
                             detail=detail, source_school=_text(source, 200), pack_dated=pack_day,
                             pack_document=document, imported_by=by)  # fmt: skip

    events = []
    for row in data.get("reviews") or []:
        day = _date(row.get("date"), "Review history")
        if day is None:
            continue
        kind, step = _text(row.get("kind")) or "Review", _text(row.get("next_step"))
        events.append(event(day, ImportedEvent.Kind.REVIEW, f"{kind}: {step}" if step else kind,
                            _text(row.get("summary"))))  # fmt: skip
    for row in data.get("provision") or []:
        name = _text(row.get("intervention")) or "Intervention"
        starts = _date(row.get("starts_on"), f"Provision history ({name}), start")
        ends = _date(row.get("ends_on"), f"Provision history ({name}), end")
        group = _text(row.get("group"))
        if starts is not None:
            planned = f"Planned to end {_day(ends)}." if ends and ends > pack_day else ""
            detail = " ".join(t for t in (f"Group: {group}." if group else "", planned) if t)
            events.append(event(starts, ImportedEvent.Kind.PROVISION, f"{name} started", detail))
        if ends is not None and ends <= pack_day:
            events.append(
                event(ends, ImportedEvent.Kind.PROVISION, f"{name} ended", _provision_detail(row))
            )
    return ImportedEvent.objects.bulk_create(events)


def _provision_detail(row) -> str:
    """Sessions, hours, cost and entry/exit measures of one intervention, in words."""
    parts = []
    if _text(row.get("group")):
        parts.append(f"Group: {_text(row.get('group'))}.")
    sessions, hours = _text(row.get("sessions_attended")), _text(row.get("hours"))
    if sessions or hours:
        parts.append(
            ", ".join(t for t in (sessions and f"{sessions} sessions attended",
                                  hours and f"{hours} hours") if t) + "."
        )  # fmt: skip
    if _text(row.get("cost")):
        parts.append(f"Cost £{_text(row.get('cost'))}.")
    entry, exit_ = _text(row.get("entry")), _text(row.get("exit"))
    if entry or exit_:
        measure = _text(row.get("measure")) or "Measure"
        parts.append(f"{measure}: entry {entry or 'not recorded'}, exit {exit_ or 'not recorded'}.")
    return " ".join(parts)


def _choice(value, label, choices, labels: dict, default):
    """A code from the pack: the code itself (version 2) or its label (version 1)."""
    if value in choices:
        return value
    return labels.get(label, default)


def _import_agencies(school, pupil, rows, source, pack_day) -> list[Involvement]:
    """Each agency matched by name to this school's directory, or added to it."""
    kind_labels = {label: code for code, label in AgencyKind.choices}
    status_labels = {label: code for code, label in Involvement.Status.choices}
    out = []
    for row in rows:
        name = _text(row.get("agency"), 200)
        if not name:
            continue
        agency = Agency.objects.for_school(school).filter(name__iexact=name).first()
        if agency is None:
            agency = Agency.objects.create(
                school=school,
                name=name,
                kind=_choice(
                    row.get("kind_code"),
                    row.get("kind"),
                    AgencyKind.values,
                    kind_labels,
                    AgencyKind.OTHER,
                ),  # fmt: skip
                phone=_text(row.get("agency_phone"), 40),
                email=_text(row.get("agency_email"), 254),
            )
        professional = None
        if _text(row.get("professional")):
            professional = agency.professionals.filter(
                name__iexact=_text(row.get("professional"))
            ).first() or Professional.objects.create(
                agency=agency,
                name=_text(row.get("professional"), 200),
                role=_text(row.get("role"), 100),
            )
        status = _choice(row.get("status_code"), row.get("status"), Involvement.Status.values,
                         status_labels, Involvement.Status.REFERRED)  # fmt: skip
        label = Involvement.Status(status).label.lower()
        out.append(
            Involvement.objects.create(
                pupil=pupil,
                agency=agency,
                professional=professional,
                referral_date=_date(row.get("referral_date"), "Agencies") or pack_day,
                status=status,
                discharged_on=_date(row.get("discharged_on"), "Agencies"),
                notes=f"From {source}'s transition pack of {_day(pack_day)}: {label} there. "
                "Check with the service whether its work continues at this school.",
            )
        )
    return out


def _import_arrangements(pupil, rows, source, pack_day, by) -> list[AccessArrangement]:
    """Past arrangements, never approved ones: JCQ lets an arrangement carry over to a new
    centre only with fresh evidence that it is the candidate's normal way of working there, and
    a Form 8 rolls forward only after the new centre's checks (DOMAIN.md 7.2). So each comes in
    "not yet approved", with what the previous school recorded."""
    Kind = AccessArrangement.Kind
    kind_labels = {label: code for code, label in Kind.choices}
    qualifications = AccessArrangement.Qualification.values
    out = []
    for row in rows:
        kind = _choice(row.get("kind"), row.get("arrangement"), Kind.values, kind_labels,
                       Kind.OTHER)  # fmt: skip
        approved = _date(row.get("approved_on"), "Access arrangements")
        expires = _date(row.get("expires_on"), "Access arrangements")
        there = []
        if approved:
            there.append(f"approved there {_day(approved)}")
        if expires:
            there.append(f"{'expired' if expires < timezone.localdate() else 'valid there to'} "
                         f"{_day(expires)}")  # fmt: skip
        if _text(row.get("aao_reference")):
            there.append(f"AAO reference {_text(row.get('aao_reference'))}")
        # The profile shows the evidence field: what happened there, and what is needed here.
        evidence = [
            f"At {source}: {_text(row.get('normal_way_of_working')) or 'no evidence recorded'}",
            f"Past arrangement there (transition pack of {_day(pack_day)}): "
            f"{', '.join(there) or 'no approval recorded'}. Not approved at this centre: it "
            "needs fresh evidence that this is the candidate's normal way of working here, and "
            "a Form 8 rolls forward only after your checks (JCQ). Record them, and the approval "
            "date, here.",
        ]
        notes = []
        if kind == Kind.OTHER and _text(row.get("arrangement")) not in ("", Kind.OTHER.label):
            evidence.insert(0, f"Arrangement at {source}: {_text(row.get('arrangement'))}.")
        if _text(row.get("notes")):
            notes.append(f"Notes at {source}: {_text(row.get('notes'))}")
        score_1, score_2 = _score(row.get("score_1")), _score(row.get("score_2"))
        arrangement = AccessArrangement(
            pupil=pupil,
            kind=kind,
            route=AccessArrangement.Route.AAO
            if kind in AccessArrangement.AAO_KINDS
            else AccessArrangement.Route.DELEGATED,
            normal_way_of_working="\n".join(evidence),
            assessor_name=_text(row.get("assessor_name"), 200),
            assessor_qualification=row.get("assessor_qualification")
            if row.get("assessor_qualification") in qualifications
            else "",
            assessed_on=_date(row.get("assessed_on"), "Access arrangements"),
            score_1_test=_text(row.get("score_1_test"), 100),
            score_1=score_1,
            score_2_test=_text(row.get("score_2_test"), 100),
            score_2=score_2,
            approved_on=None,
            notes="\n".join(notes),
            recorded_by=by,
        )
        arrangement.save()
        out.append(arrangement)
    return out


def _score(value) -> int | None:
    try:
        score = int(value)
    except (TypeError, ValueError):
        return None
    return score if 0 <= score <= 200 else None


def _import_ehc_plan(school, pupil, data, source, pack_day, by):
    """The plan in force, as an issued plan of this school marked as imported: status E is then
    valid here, and its annual reviews fall due 12 months after the last one held there."""
    from reviews.models import EhcOutcome, EhcPlan, EhcProvisionItem, LaRuleProfile
    from reviews.services_ehc import pupil_next_review_sync

    row = data.get("ehc_plan")
    if not row:
        return None
    src = data.get("source_school") or {}
    la_name = _text(row.get("la_name"), 100)
    la_code = _text(row.get("la_code"), 3)
    if not la_code:  # version 1 packs: the LA's code from this school's rules or the sender's
        known = LaRuleProfile.objects.for_school(school).filter(la_name__iexact=la_name).first()
        if known is not None:
            la_code = known.la_code
        elif la_name.lower() == _text(src.get("la_name")).lower():
            la_code = _text(src.get("laestab"))[:3]
        elif la_name.lower() == school.la_name.lower():
            la_code = school.la_code
    issued = _date(row.get("issued_on"), "EHC plan, date issued")
    first = _date(row.get("first_issued_on"), "EHC plan, first issued") or issued
    last_review = _date(row.get("last_annual_review_on"), "EHC plan, last annual review")
    if first > issued:
        raise PackError(
            "The EHC plan's first issue date is after the date this version was issued."
        )
    sections = row.get("sections") or {}
    budget = row.get("personal_budget") or {}
    try:
        version = max(1, int(row.get("version") or 1))
    except (TypeError, ValueError):
        version = 1
    plan = EhcPlan.objects.create(
        school=school,
        pupil=pupil,
        version=version,
        status=EhcPlan.Status.ISSUED,
        la_code=la_code,
        la_name=la_name,
        la_case_officer=_text(row.get("la_case_officer"), 200),
        issued_on=issued,
        first_issued_on=first,
        last_review_before_import=last_review,
        named_setting=_text(row.get("named_setting"), 200),
        setting_type=_text(row.get("setting_type"), 100),
        **{
            f"section_{k}": _text(sections.get(k))
            for k in ("a", "b", "c", "d", "g", "h1", "h2", "k")
        },
        budget_type=budget.get("type") if budget.get("type") in EhcPlan.BudgetType.values else "",
        budget_amount=_money_or_none(budget.get("amount")) if budget.get("type") else None,
        budget_covers=_text(budget.get("covers")),
        imported_from=_text(
            f"{source} (URN {_text(src.get('urn')) or 'not given'}), transition pack of "
            f"{_day(pack_day)}",
            300,
        ),
        created_by=by,
    )
    areas = EhcOutcome.Area.values
    primary = next(
        (n["sen_type"] for n in sorted(data.get("needs") or [], key=lambda n: n.get("rank") or 99)
         if not n.get("ends_on")), None)  # fmt: skip
    fallback = DEFAULT_AREA.get(primary, "CL") if primary else "CL"
    fallback = fallback if fallback in areas else "CL"
    EhcOutcome.objects.bulk_create(
        EhcOutcome(
            plan=plan,
            order=i,
            area=o.get("area") if o.get("area") in areas else fallback,
            outcome=_text(o.get("outcome")),
            by_when=_text(o.get("by_when"), 60),
        )
        for i, o in enumerate(row.get("outcomes") or [])
        if isinstance(o, dict) and _text(o.get("outcome"))
    )
    EhcProvisionItem.objects.bulk_create(
        EhcProvisionItem(
            plan=plan,
            order=i,
            provision=_text(item.get("provision")),
            hours_per_week=_money_or_none(item.get("hours_per_week"), below=1000),
            frequency=_text(item.get("frequency"), 100),
            provided_by=_text(item.get("provided_by"), 200),
            group_size=_text(item.get("group_size"), 30),
        )
        for i, item in enumerate(row.get("provision") or [])
        if isinstance(item, dict) and _text(item.get("provision"))
    )
    pupil_next_review_sync(pupil=pupil)
    return plan


def _money_or_none(value, below: int = 10_000_000) -> Decimal | None:
    """A non-negative amount with two decimals that fits its column, else None."""
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None
    return amount if 0 <= amount < below else None
