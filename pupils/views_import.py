"""Import pupils (upload -> preview -> confirm) and census readiness.

Between the preview and the confirmation the uploaded bytes wait in MEDIA_ROOT/imports/<uuid>
(never served); the session holds only the uuid, the file name and the school, so a
confirmation re-reads exactly the file that was previewed, for the school it was previewed for.
"""

import time
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from sencoweb.access import audit, capability_required

from . import census, importing
from .forms_import import ImportConfirmForm, ImportUploadForm

SESSION_KEY = "pupils_import_pending"
DONE_KEY = "pupils_import_done"


def _import_dir() -> Path:
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sweep_abandoned(max_age_hours: int = 24) -> None:
    """Files of previews nobody confirmed or cancelled: pupil data must not linger."""
    cutoff = time.time() - max_age_hours * 3600
    for path in _import_dir().iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def _pending(request) -> dict | None:
    pending = request.session.get(SESSION_KEY)
    if not pending or pending.get("school") != request.school.pk:
        return None
    try:
        token = uuid.UUID(pending["token"])  # never a path from the client
    except (KeyError, ValueError):
        return None
    path = _import_dir() / str(token)
    if not path.exists():
        return None
    return {**pending, "path": path}


def _discard_pending(request) -> None:
    pending = _pending(request)
    if pending:
        pending["path"].unlink(missing_ok=True)
    request.session.pop(SESSION_KEY, None)


def _parse_pending(pending) -> importing.ParsedImport:
    return importing.parse_file(pending["path"].read_bytes(), pending["name"])


@capability_required("register.import")
def import_upload(request):
    form = ImportUploadForm()
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return render(request, "pupils/import_upload.html", {"form": form}, status=422)
        upload = form.cleaned_data["file"]
        data = upload.read()
        parsed = importing.parse_file(data, upload.name)
        audit(
            request,
            "upload",
            summary=f"Uploaded {upload.name} to import ({len(parsed.problems)} problems)",
        )
        if not parsed.ok:
            context = {"form": ImportUploadForm(), "parsed": parsed}
            return render(request, "pupils/import_upload.html", context, status=422)
        _discard_pending(request)
        _sweep_abandoned()
        token = str(uuid.uuid4())
        (_import_dir() / token).write_bytes(data)
        request.session[SESSION_KEY] = {
            "token": token,
            "name": upload.name[:200],
            "school": request.school.pk,
        }
        return redirect("pupils:import_preview")
    return render(request, "pupils/import_upload.html", {"form": form})


@capability_required("register.import")
def import_preview(request):
    pending = _pending(request)
    if pending is None:
        messages.info(request, "Choose a file to import first.")
        return redirect("pupils:import")
    parsed = _parse_pending(pending)
    if not parsed.ok:  # cannot happen unless the file changed on disk; show the problems
        _discard_pending(request)
        context = {"form": ImportUploadForm(), "parsed": parsed}
        return render(request, "pupils/import_upload.html", context, status=422)
    plan = importing.import_plan(school=request.school, parsed=parsed)
    audit(request, "view", summary=f"Previewed the import of {parsed.filename}")
    context = {
        "plan": plan,
        "parsed": parsed,
        "changing": [i for i in plan.items if i.action != "unchanged"],
        "unchanged": [i for i in plan.items if i.action == "unchanged"],
        "form": ImportConfirmForm(initial={"fingerprint": plan.fingerprint}),
    }
    return render(request, "pupils/import_preview.html", context)


@require_POST
@capability_required("register.import")
def import_confirm(request):
    pending = _pending(request)
    form = ImportConfirmForm(request.POST)
    if pending is None or not form.is_valid():
        messages.warning(request, "There is no import waiting to be confirmed: upload the file.")
        return redirect("pupils:import")
    parsed = _parse_pending(pending)
    try:
        result = importing.import_commit(
            school=request.school,
            parsed=parsed,
            user=request.user,
            expected_fingerprint=form.cleaned_data["fingerprint"],
        )
    except importing.PlanChanged as error:
        messages.warning(request, str(error))
        return redirect("pupils:import_preview")
    except importing.ImportRefused:
        _discard_pending(request)
        context = {"form": ImportUploadForm(), "parsed": parsed}
        return render(request, "pupils/import_upload.html", context, status=422)
    _discard_pending(request)
    request.session[DONE_KEY] = {
        "school": request.school.pk,
        "filename": parsed.filename,
        "created": [[str(p.public_id), str(p)] for p in result.created],
        "updated": [[str(p.public_id), str(p)] for p in result.updated],
        "unchanged": result.unchanged,
        "decisions": result.decisions,
        # What ended for the pupils the import took off the register (listed on the done page).
        "ended": [[str(p.public_id), str(p), lines] for p, lines in result.ended],
    }
    ended = len(result.ended)
    messages.success(
        request,
        f"Imported {parsed.filename}: {len(result.created)} created, {len(result.updated)} "
        f"updated, {result.unchanged} unchanged."
        + (
            f" {ended} pupil{'' if ended == 1 else 's'} left the SEN register: what ended is "
            "listed below."
            if ended
            else ""
        ),
    )
    return redirect("pupils:import_done")


@require_POST
@capability_required("register.import")
def import_cancel(request):
    _discard_pending(request)
    messages.info(request, "The import was cancelled: nothing was changed.")
    return redirect("pupils:import")


@capability_required("register.import")
def import_done(request):
    done = request.session.get(DONE_KEY)
    if not done or done.get("school") != request.school.pk:
        return redirect("pupils:import")
    try:
        register_url = reverse("pupils:register")
    except NoReverseMatch:  # the register page may not be wired yet
        register_url = ""
    return render(request, "pupils/import_done.html", {"done": done, "register_url": register_url})


@capability_required("register.view_all")
def census_readiness(request):
    problems = census.census_problems(request.school)
    census_day = census.spring_census_day(timezone.localdate())
    audit(request, "view", summary=f"Viewed census readiness ({len(problems)} problems)")
    context = {
        "groups": census.group_problems(problems),
        "total": len(problems),
        "census_day": census_day,
        "top_up": census.top_up_indicated(request.school, census_day),
        "can_import": request.membership.can("register.import"),
    }
    return render(request, "pupils/census.html", context)
