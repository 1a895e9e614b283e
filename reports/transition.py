"""Transition packs: everything the next school needs about one pupil's SEN (DOMAIN.md 6.4), as
a dict of the documented schema (docs/transition-pack-schema.md,
reports/schema/transition_pack_v1.json), rendered to PDF and JSON; and the importer that turns a
pack received from another school into a pupil with their history.

Sections whose data SENCo Web does not hold yet are listed in `not_recorded`, so the receiving
school knows the difference between "none" and "not recorded"."""

import datetime as dt
import json

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from pupils.codes import CENSUS_CODE, NcYear, SenStatus, SenType
from pupils.models import AccessArrangement, Contact, Involvement, Need, Pupil, StatusDecision

SCHEMA_ID = "https://sencoweb.org/schema/transition-pack/v1"
SCHEMA_VERSION = 1
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
                "professional": i.professional.name if i.professional else "",
                "role": i.professional.role if i.professional else "",
                "referral_date": _d(i.referral_date),
                "status": i.get_status_display(),
                "discharged_on": _d(i.discharged_on),
            }
            for i in involvements
        ],  # fmt: skip
        "access_arrangements": [
            {
                "arrangement": a.get_kind_display(),
                "normal_way_of_working": a.normal_way_of_working,
                "approved_on": _d(a.approved_on),
                "expires_on": _d(a.expires_on),
                "notes": a.notes,
            }
            for a in arrangements
        ],  # fmt: skip
        **later,
        "not_recorded": not_recorded,
    }


def pack_context(pack: dict) -> dict:
    rows = [(PROFILE_LABELS[f], pack["profile"].get(f)) for f in PROFILE_FIELDS]
    return {"pack": pack, "profile_rows": [(label, text) for label, text in rows if text]}


# ---- import -------------------------------------------------------------------------------


class PackError(ValueError):
    """The file is not a transition pack SENCo Web can import; the message says why."""


_REQUIRED_PUPIL = ("first_name", "last_name", "date_of_birth", "gender", "nc_year")


def _date(value, where: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise PackError(f"{where}: “{value}” is not a date (use YYYY-MM-DD).") from None


def parse_pack(raw: bytes | str) -> dict:
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise PackError(
            "The file is not JSON. Upload the .json file from the pack ZIP, not the PDF."
        ) from None
    if not isinstance(data, dict) or data.get("$schema") != SCHEMA_ID:
        raise PackError(
            "The file is not a SENCo Web transition pack (its $schema is missing or different)."
        )
    if data.get("schema_version") != SCHEMA_VERSION:
        raise PackError(
            f"The pack uses schema version {data.get('schema_version')!r}; this SENCo Web reads version {SCHEMA_VERSION}."
        )
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
    for need in data.get("needs") or []:
        if need.get("sen_type") not in SenType.values:
            raise PackError(f"Unknown SEN type {need.get('sen_type')!r} in needs.")
    return data


@transaction.atomic
def transition_pack_import(*, school, data: dict, by) -> Pupil:
    """Create the pupil at this school with their profile, needs and status history. All or
    nothing: any bad row rolls the whole import back."""
    p = data["pupil"]
    source = data.get("source_school", {}).get("name") or "previous school"
    upn = (p.get("upn") or "").strip().upper()
    if upn and Pupil.objects.for_school(school).filter(upn=upn, archived_at__isnull=True).exists():
        raise PackError(f"A pupil with UPN {upn} is already on this school's roll.")
    status = p.get("sen_status") or "N"
    profile = data.get("profile") or {}
    pupil = Pupil.objects.create(
        school=school,
        upn=upn,
        first_name=p["first_name"][:100],
        last_name=p["last_name"][:100],
        preferred_name=(p.get("preferred_name") or "")[:100],
        date_of_birth=_date(p["date_of_birth"], "Date of birth"),
        gender=p["gender"][:1],
        nc_year=p["nc_year"],
        eal=bool(p.get("eal")),
        fsm=bool(p.get("fsm")),
        looked_after=bool(p.get("looked_after")),
        previously_looked_after=bool(p.get("previously_looked_after")),
        sen_status=status,
        sen_status_since=_date(p.get("sen_status_since"), "SEN status since"),
        disability_or_medical=p.get("disability_or_medical") or "",
        joined_on=timezone.localdate(),
        **{f: profile.get(f) or "" for f in PROFILE_FIELDS},
        profile_updated_at=timezone.now() if any(profile.get(f) for f in PROFILE_FIELDS) else None,
    )
    StatusDecision.objects.bulk_create(
        StatusDecision(
            pupil=pupil,
            decided_on=_date(d.get("decided_on"), "Status history"),
            from_status=d["from_status"],
            to_status=d["to_status"],
            reason=f"{d.get('reason') or ''}\n(Imported from {source}'s transition pack.)".strip(),
            decided_by=(d.get("decided_by") or source)[:200],
            parents_informed=bool(d.get("parents_informed_on")),
            parents_informed_on=_date(d.get("parents_informed_on"), "Status history"),
            recorded_by=by,
        )
        for d in data.get("status_history") or []
        if d.get("from_status") != d.get("to_status")
    )
    Need.objects.bulk_create(
        Need(
            pupil=pupil,
            sen_type=n["sen_type"],
            rank=int(n.get("rank") or 1),
            starts_on=_date(n.get("starts_on"), "Needs") or timezone.localdate(),
            ends_on=_date(n.get("ends_on"), "Needs"),
            description=n.get("description") or "",
            created_by=by,
        )
        for n in data.get("needs") or []
    )
    Contact.objects.bulk_create(
        Contact(
            pupil=pupil,
            name=c.get("name", "")[:200],
            relationship=(c.get("relationship") or "")[:60],
            parental_responsibility=bool(c.get("parental_responsibility")),
            phone=(c.get("phone") or "")[:40],
            email=c.get("email") or "",
            language=(c.get("language") or "")[:60],
            needs_interpreter=bool(c.get("needs_interpreter")),
        )
        for c in data.get("contacts") or []
        if c.get("name")
    )
    return pupil
