"""Builders: (run, step) -> (filename, bytes). The Celery task, the management command and the
tests all call these, so a document is built the same way everywhere."""

import datetime as dt
import io
import json
import zipfile

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


def _zip(files: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files:
            zf.writestr(name, data)
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


def build_transition_cohort(run, step):
    from .transition import cohort_pupils

    year_group = str(run.parameters.get("year_group", ""))
    pupils = list(cohort_pupils(run.school).filter(nc_year=year_group))
    if not pupils:
        raise BuildError(
            f"No pupil in year group {year_group or '(none chosen)'} is on the SEN register or "
            "the monitoring list, so there are no packs to build. Choose another year group."
        )
    # Remember who is in the ZIP so the run page can open each pack.
    ReportRun.objects.filter(pk=run.pk).update(
        parameters={**run.parameters, "pupils": [str(p.public_id) for p in pupils]}
    )
    today = timezone.localdate()
    files: list[tuple[str, bytes]] = []
    step(0, len(pupils))
    for i, pupil in enumerate(pupils, start=1):
        files += _pack_files(pupil, run.school, today)
        step(i, len(pupils))
    label = "year-" + slugify(year_group)
    return f"transition-packs-{slugify(run.school.name)}-{label}.zip", _zip(files)


BUILDERS = {
    ReportRun.Type.GOVERNORS: build_governors,
    ReportRun.Type.INFO: build_info,
    ReportRun.Type.TRANSITION_PACK: build_transition_pack,
    ReportRun.Type.TRANSITION_COHORT: build_transition_cohort,
}


def build(run, step) -> tuple[str, bytes]:
    try:
        builder = BUILDERS[run.type]
    except KeyError:
        raise BuildError(f"SENCo Web does not know how to build “{run.type}”.") from None
    return builder(run, step)
