"""Builders: (run, step) -> (filename, bytes). The Celery task, the management command and the
tests all call these, so a document is built the same way everywhere. A year group's packs are
also described as parts (FAN_OUT), which report runs build one task per pupil (services)."""

import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from sencoweb.models import academic_year_of

from . import rendering
from .models import ReportRun
from .services import BuildError


def _year(run) -> int:
    year = run.parameters.get("year") or academic_year_of(timezone.localdate())
    try:
        return int(year)
    except (TypeError, ValueError):
        raise BuildError(
            f"“{year}” is not a school year: give the year it starts, e.g. 2025."
        ) from None


def governors_html(school, year: int) -> str:
    from .governors import governors_report_context

    return render_to_string("reports/governors_report.html", governors_report_context(school, year))


def build_governors(run, step):
    year = _year(run)
    step(0, 2)
    html = governors_html(run.school, year)
    step(1, 2)
    pdf = rendering.render_pdf(html)
    step(2, 2)
    return f"governors-sen-report-{slugify(run.school.name)}-{year}-{(year + 1) % 100:02d}.pdf", pdf


def build_info(run, step):
    from .info import info_report_context

    step(0, 1)
    pdf = rendering.render_template_pdf(
        "reports/info_report_pdf.html", info_report_context(run.school)
    )
    step(1, 1)
    return f"sen-information-report-{slugify(run.school.name)}.pdf", pdf


def build_provision_map(run, step):
    """The provision map as the person who asked sees it: their school's pupils they may see,
    and staff costs only if they may see those (decided again here, from their membership)."""
    from provision.selectors import MAP_GROUPINGS, map_filters, provision_map
    from pupils.codes import Area
    from pupils.models import Pupil
    from sencoweb import jinja
    from sencoweb.models import Membership

    can_costs = True  # build_report on the server (no one asked through the app)
    if run.requested_by_id is not None:
        membership = (
            Membership.objects.active()
            .filter(school=run.school, user_id=run.requested_by_id)
            .first()
        )
        if membership is None or not membership.can("provision.view"):
            raise BuildError("You no longer have access to this school's provision map.")
        if not membership.can("register.view_all"):
            raise BuildError("The provision map PDF covers the whole school; ask your SENCO.")
        can_costs = membership.can("provision.view_costs")
    today = timezone.localdate()
    filters = map_filters(run.parameters)
    step(0, 2)
    data = provision_map(
        run.school, pupils=Pupil.objects.for_school(run.school), today=today, **filters
    )
    ctx = {**data, **filters, "can_costs": can_costs, "can_manage": False, "today": today}
    described = [f"grouped by {MAP_GROUPINGS[filters['by']].lower()}"]
    if filters["area"]:
        described.append(Area(filters["area"]).label)
    if filters["wave"]:
        described.append(f"wave {filters['wave']}")
    html = render_to_string(
        "reports/provision_map_pdf.html",
        {
            **ctx,
            "school": run.school,
            "described": ", ".join(described),
            "sections_html": jinja.partial("provision/map_sections.jinja", ctx),
            "footer": f"{run.school.name}: provision map, {today:%-d %B %Y}",
        },
    )
    step(1, 2)
    pdf = rendering.render_pdf(html)
    step(2, 2)
    return f"provision-map-{slugify(run.school.name)}-{today.isoformat()}.pdf", pdf


def _pack_files(pupil, school, today: dt.date) -> list[tuple[str, bytes]]:
    from .transition import pack_context, pack_data, pack_filename_stem

    data = pack_data(pupil, school=school, today=today)
    stem = pack_filename_stem(pupil)
    html = render_to_string(
        "reports/transition_pack_pdf.html", {**pack_context(data), "school": school}
    )
    return [
        (f"{stem}.pdf", rendering.render_pdf(html)),
        (f"{stem}.json", json.dumps(data, indent=2, ensure_ascii=False).encode()),
    ]


def _zip(files: list[tuple[str, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zf:
        for name, data in files:
            zf.writestr(name, data)
    return buffer.getvalue()


def part_zip(files: list[tuple[str, bytes]]) -> bytes:
    # Stored, not deflated: a part is joined into the run's ZIP, which compresses once.
    return _zip(files, zipfile.ZIP_STORED)


def join_zips(parts: Iterable[bytes]) -> bytes:
    """One ZIP holding every file of the part ZIPs, in the order given."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for data in parts:
            with zipfile.ZipFile(io.BytesIO(data)) as part:
                for info in part.infolist():
                    out.writestr(info.filename, part.read(info))
    return buffer.getvalue()


def build_transition_pack(run, step):
    from .transition import cohort_pupils, pack_filename_stem

    pupil = cohort_pupils(run.school).filter(public_id=run.parameters.get("pupil")).first()
    if pupil is None:
        raise BuildError("That pupil is no longer on this school's records, so no pack was built.")
    step(0, 1)
    files = _pack_files(pupil, run.school, timezone.localdate())
    step(1, 1)
    return f"{pack_filename_stem(pupil)}.zip", _zip(files)


def cohort_keys(run) -> list[str]:
    """The pupils of the year group, in the order their packs go into the ZIP."""
    from .transition import cohort_pupils

    year_group = str(run.parameters.get("year_group", ""))
    keys = [
        str(pk)
        for pk in cohort_pupils(run.school)
        .filter(nc_year=year_group)
        .values_list("public_id", flat=True)
    ]
    if not keys:
        raise BuildError(
            f"No pupil in year group {year_group or '(none chosen)'} is on the SEN register or "
            "the monitoring list, so there are no packs to build. Choose another year group."
        )
    return keys


def cohort_part(run, key: str) -> list[tuple[str, bytes]]:
    """One pupil's PDF and JSON."""
    from .transition import cohort_pupils

    pupil = cohort_pupils(run.school).filter(public_id=key).first()
    if pupil is None:
        raise BuildError(
            "A pupil of this year group left the SEN register or the school's roll while the "
            "packs were being built, so their pack was not made. Press Retry to build the packs "
            "for the year group as it is now; the packs already built are kept."
        )
    return _pack_files(pupil, run.school, timezone.localdate())


def cohort_zip_name(run) -> str:
    label = "year-" + slugify(str(run.parameters.get("year_group", "")))
    return f"transition-packs-{slugify(run.school.name)}-{label}.zip"


def build_transition_cohort(run, step):
    """The whole year group in this process, one pack after another (the management command).
    Report runs fan the same parts out to the workers instead (FAN_OUT, services)."""
    keys = cohort_keys(run)
    files: list[tuple[str, bytes]] = []
    step(0, len(keys))
    for i, key in enumerate(keys, start=1):
        files += cohort_part(run, key)
        step(i, len(keys))
    return cohort_zip_name(run), _zip(files)


@dataclass(frozen=True)
class FanOut:
    """A run built as parts, one task each, joined into one ZIP: keys(run) names the parts (or
    raises BuildError), part(run, key) builds one part's files, name(run) names the ZIP, and the
    keys are recorded in order in the run's parameters under keys_param."""

    keys: Callable[[ReportRun], list[str]]
    part: Callable[[ReportRun, str], list[tuple[str, bytes]]]
    name: Callable[[ReportRun], str]
    keys_param: str


FAN_OUT = {
    # "pupils": the run page lists the year group's packs from it.
    ReportRun.Type.TRANSITION_COHORT: FanOut(
        keys=cohort_keys, part=cohort_part, name=cohort_zip_name, keys_param="pupils"
    ),
}


BUILDERS = {
    ReportRun.Type.GOVERNORS: build_governors,
    ReportRun.Type.INFO: build_info,
    ReportRun.Type.TRANSITION_PACK: build_transition_pack,
    ReportRun.Type.TRANSITION_COHORT: build_transition_cohort,
    ReportRun.Type.PROVISION_MAP: build_provision_map,
}


def build(run, step) -> tuple[str, bytes]:
    try:
        builder = BUILDERS[run.type]
    except KeyError:
        raise BuildError(f"SENCo Web does not know how to build “{run.type}”.") from None
    return builder(run, step)
