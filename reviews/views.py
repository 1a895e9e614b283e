"""Views for the graduated approach: fetch (access helper), form, service, redirect."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from pupils.access import PupilHasLeft, pupil_for_read, visible_pupils
from pupils.codes import ON_REGISTER, SenStatus
from sencoweb.access import audit, capability_required, get_scoped_or_404, has_capability
from sencoweb.models import User

from . import selectors, services
from .cycle_access import cycle_for_read, cycle_for_write, link_for_manage, may_edit
from .forms import (
    ANSWER_LABELS,
    PUBLIC_FORMS,
    AssessForm,
    ContributionLinkForm,
    IssueForm,
    OpenCycleForm,
    OutcomeForm,
    PlanSettingsForm,
    ReviewForm,
    ReviewSettingsForm,
    default_next_review,
    voice_from,
)
from .models import ContributionLink, EhcRequest, Outcome, Review, ReviewSettings

READ = ("plans.view",)
WRITE = ("plans.edit", "plans.edit_when_allowed")


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@capability_required(*READ)
def pupil_cycles(request, pupil_id):
    pupil = pupil_for_read(request, pupil_id)
    cycles = list(selectors.cycles_for_pupil(pupil=pupil))
    audit(request, "view", pupil, summary=f"Viewed the support plans of {pupil}")
    can_open = (
        may_edit(request)
        and not any(c.is_open for c in cycles)
        and pupil.on_register
        and not pupil.is_archived
    )
    return render(
        request,
        "reviews/pupil_cycles.html",
        {
            "pupil": pupil,
            "cycles": cycles,
            "can_open": can_open,
            "open_form": OpenCycleForm(
                school=request.school,
                initial={"teacher_responsible": selectors.class_teacher_of(pupil)},
            )
            if can_open
            else None,
            "can_delegate": request.membership.can("plans.edit"),
            "today": timezone.localdate(),
        },
    )


@require_POST
@capability_required(*WRITE)
def open_cycle(request, pupil_id):
    pupil = pupil_for_read(request, pupil_id)
    if not may_edit(request):
        raise PermissionDenied
    if pupil.is_archived:
        raise PupilHasLeft(pupil)
    form = OpenCycleForm(request.POST, school=request.school)
    if not form.is_valid():
        messages.error(request, "Choose a teacher from the list.")
        return redirect("reviews:pupil_cycles", pupil.public_id)
    teacher_id = form.cleaned_data["teacher_responsible"]
    try:
        cycle = services.cycle_open(
            pupil=pupil,
            by=request.user,
            teacher_responsible=User.objects.filter(pk=teacher_id).first() if teacher_id else None,
            teacher_may_edit=form.cleaned_data["teacher_may_edit"]
            and request.membership.can("plans.edit"),
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("reviews:pupil_cycles", pupil.public_id)
    audit(request, "create", cycle, summary=f"Opened support plan cycle {cycle.number}")
    messages.success(request, "Cycle opened. Start with the assessment.")
    return redirect("reviews:cycle_detail", cycle.public_id)


def next_actions(request, cycle, review) -> list[dict]:
    """What a review leaves to do when it agreed the pupil leaves SEN support or an EHC needs
    assessment is requested. A status changes only through a dated decision, and a request is
    its own record: the review links to them, prefilled, for whoever may make them."""
    if review is None or review.next_step not in (
        Review.NextStep.LEAVE,
        Review.NextStep.REQUEST_EHCNA,
    ):
        return []
    pupil = cycle.pupil
    if pupil.is_archived:
        return []  # left the school: the record is read only, nothing more to record here
    name = pupil.display_name
    if review.next_step == Review.NextStep.LEAVE:
        if pupil.sen_status not in ON_REGISTER:
            return [
                {
                    "id": "decision-done",
                    "done": True,
                    "text": f"Decision recorded. {name}'s status: "
                    f"{pupil.get_sen_status_display()}"
                    + (
                        f", since {pupil.sen_status_since:%-d %B %Y}."
                        if pupil.sen_status_since
                        else "."
                    ),
                    "label": "Open the profile",
                    "url": reverse("pupils:detail", args=[pupil.public_id]),
                }
            ]
        if not has_capability(request, "register.edit"):
            return [
                {
                    "id": "decision-todo",
                    "text": f"The SENCO records the decision to remove "
                    f"{name} from the SEN register.",
                }
            ]
        base = reverse("pupils:decision_new", args=[pupil.public_id])
        query = {"review": str(cycle.public_id)}
        return [
            {
                "id": "decision-leave",
                "label": f"Record the decision to remove {name} from the SEN register",
                "url": f"{base}?{urlencode({'to': SenStatus.NONE, **query})}",
                "text": "The status changes only once this dated decision is recorded. Tell the "
                "parents or carers of the decision and record the date they were informed.",
            },
            {
                "id": "decision-monitor",
                "label": f"Or move {name} to the school's monitoring list (census N)",
                "url": f"{base}?{urlencode({'to': SenStatus.MONITORING, **query})}",
                "secondary": True,
            },
        ]
    made = (
        EhcRequest.objects.filter(pupil=pupil, created_at__gte=review.recorded_at)
        .order_by("created_at")
        .first()
    )
    if made is not None:
        done = {
            "id": "ehc-request-done",
            "done": True,
            "text": f"EHC needs assessment request recorded for {name}.",
        }
        if has_capability(request, "ehc.view_full"):  # a teacher may not open the request
            done.update(
                label="Open the request",
                url=reverse("reviews:request_detail", args=[made.public_id]),
            )
        return [done]
    if not has_capability(request, "ehc.edit"):
        return [
            {
                "id": "ehc-request-todo",
                "text": f"The SENCO records the EHC needs assessment request for {name}.",
            }
        ]
    url = reverse("reviews:request_new", args=[pupil.public_id])
    return [
        {
            "id": "ehc-request-start",
            "label": f"Start the EHC needs assessment request for {name}",
            "url": f"{url}?{urlencode({'review': str(cycle.public_id)})}",
            "text": "Record it once it has gone to the local authority: the statutory 6, 16 and "
            "20 week dates run from the day the LA receives it.",
        }
    ]


@capability_required(*READ)
def cycle_detail(request, cycle_id):
    cycle = cycle_for_read(request, cycle_id, detail=True)
    audit(request, "view", cycle, summary=f"Viewed {cycle}")
    outcomes = list(cycle.outcomes.all())
    linked = selectors.linked_provision(outcomes, school=request.school, pupil=cycle.pupil)
    for o in outcomes:
        o.linked = linked.get(o.provision_group_id)
        o.link_missing = bool(o.provision_group_id) and o.linked is None
    versions = list(cycle.versions.all())
    links = list(cycle.contribution_links.all())
    review = getattr(cycle, "review", None) if not cycle.is_open else None
    # A pupil who has left keeps their plan as it stood: nothing on the page changes it.
    writable = cycle.is_open and not cycle.pupil.is_archived
    return render(
        request,
        "reviews/cycle_detail.html",
        {
            "cycle": cycle,
            "pupil": cycle.pupil,
            "outcomes": outcomes,
            "versions": versions,
            "links": links,
            "today": timezone.localdate(),
            "can_edit": may_edit(request, cycle) and writable,
            "can_manage_links": request.membership.can("plans.edit") and writable,
            "has_changes": writable and bool(outcomes) and services.plan_has_changes(cycle),
            "review": review,
            "next_actions": next_actions(request, cycle, review),
            "issue_form": IssueForm(),
            "link_form": ContributionLinkForm(),
            # What a link made with the days left blank gets: the school's default.
            "link_closes": services.contribution_link_expiry(cycle=cycle) if writable else None,
            "answer_labels": ANSWER_LABELS,
            "can_view_provision": request.membership.can("provision.view"),
        },
    )


def _form_page(request, *, cycle, form, title, status=200):
    return render(
        request,
        "reviews/form.html",
        {"cycle": cycle, "pupil": cycle.pupil, "form": form, "title": title},
        status=status,
    )


@capability_required(*WRITE)
def edit_assessment(request, cycle_id):
    cycle = cycle_for_write(request, cycle_id)
    form = AssessForm(request.POST or None, instance=cycle)
    if request.method == "POST" and form.is_valid():
        try:
            services.cycle_update(
                cycle=cycle, data={f: form.cleaned_data[f] for f in AssessForm.Meta.fields}
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            audit(request, "update", cycle, summary=f"Recorded the assessment for {cycle}")
            messages.success(request, "Assessment saved.")
            return redirect("reviews:cycle_detail", cycle.public_id)
    status = 422 if request.method == "POST" else 200
    return _form_page(request, cycle=cycle, form=form, title="Assess", status=status)


@capability_required(*WRITE)
def edit_plan_settings(request, cycle_id):
    cycle = cycle_for_write(request, cycle_id)
    form = PlanSettingsForm(
        request.POST or None,
        instance=cycle,
        school=request.school,
        can_delegate=request.membership.can("plans.edit"),
    )
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in form.fields}
        try:
            services.cycle_update(cycle=cycle, data=data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            audit(request, "update", cycle, summary=f"Changed review date and staff for {cycle}")
            messages.success(request, "Plan details saved.")
            return redirect("reviews:cycle_detail", cycle.public_id)
    status = 422 if request.method == "POST" else 200
    return _form_page(
        request, cycle=cycle, form=form, title="Review date, parents told and staff", status=status
    )


def _outcome_form_view(request, cycle, outcome):
    form = OutcomeForm(
        request.POST or None,
        instance=outcome,
        pupil=cycle.pupil,
        opened_on=timezone.localtime(cycle.opened_at).date(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.outcome_save(cycle=cycle, outcome=form.save(commit=False))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            audit(request, "update" if outcome else "create", saved, pupil=cycle.pupil)
            messages.success(request, "Outcome saved.")
            return redirect("reviews:cycle_detail", cycle.public_id)
    status = 422 if request.method == "POST" else 200
    title = "Change outcome" if outcome else "Add an outcome"
    return _form_page(request, cycle=cycle, form=form, title=title, status=status)


@capability_required(*WRITE)
def add_outcome(request, cycle_id):
    cycle = cycle_for_write(request, cycle_id)
    return _outcome_form_view(request, cycle, None)


@capability_required(*WRITE)
def edit_outcome(request, cycle_id, outcome_id):
    cycle = cycle_for_write(request, cycle_id)
    outcome = get_scoped_or_404(Outcome.objects.filter(cycle=cycle), public_id=outcome_id)
    return _outcome_form_view(request, cycle, outcome)


@require_POST
@capability_required(*WRITE)
def delete_outcome(request, cycle_id, outcome_id):
    cycle = cycle_for_write(request, cycle_id)
    outcome = get_scoped_or_404(Outcome.objects.filter(cycle=cycle), public_id=outcome_id)
    audit(request, "delete", outcome, pupil=cycle.pupil)
    try:
        services.outcome_delete(outcome=outcome)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    return redirect("reviews:cycle_detail", cycle.public_id)


@require_POST
@capability_required(*WRITE)
def issue_plan(request, cycle_id):
    cycle = cycle_for_write(request, cycle_id)
    form = IssueForm(request.POST)
    form.is_valid()
    try:
        version = services.plan_issue(
            cycle=cycle, by=request.user, change_note=form.cleaned_data.get("change_note", "")
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        audit(request, "update", cycle, summary=f"Issued version {version.number} of {cycle}")
        messages.success(request, f"Version {version.number} of the plan issued.")
    return redirect("reviews:cycle_detail", cycle.public_id)


@capability_required(*READ)
def version_detail(request, cycle_id, number):
    cycle = cycle_for_read(request, cycle_id)
    version = get_scoped_or_404(cycle.versions.select_related("issued_by"), number=number)
    audit(request, "view", cycle, summary=f"Viewed version {number} of {cycle}")
    return render(
        request,
        "reviews/version_detail.html",
        {"cycle": cycle, "pupil": cycle.pupil, "version": version},
    )


@capability_required(*WRITE)
def close_review(request, cycle_id):
    cycle = cycle_for_write(request, cycle_id, detail=True)
    if cycle.status != cycle.Status.ISSUED:
        messages.error(request, "Only an issued plan can be reviewed.")
        return redirect("reviews:cycle_detail", cycle.public_id)
    outcomes = list(cycle.outcomes.all())
    submitted = [link for link in cycle.contribution_links.all() if link.submitted_at is not None]
    kinds = ContributionLink.Kind
    form = ReviewForm(
        request.POST or None,
        outcomes=outcomes,
        initial={
            "meeting_date": min(cycle.review_date, timezone.localdate()),
            "next_review_date": default_next_review(),
            # What the pupil and parents sent in starts their voice at the meeting, to edit.
            "pupil_voice": voice_from([x for x in submitted if x.kind == kinds.PUPIL]),
            "parent_voice": voice_from([x for x in submitted if x.kind == kinds.PARENT]),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ratings = [
            services.OutcomeRating(
                outcome=o,
                rating=data[f"rating_{o.public_id.hex}"],
                progress=data[f"progress_{o.public_id.hex}"],
                comment=data[f"comment_{o.public_id.hex}"],
            )
            for o in outcomes
        ]
        try:
            review = services.review_close(
                cycle=cycle,
                by=request.user,
                ratings=ratings,
                next_review_date=data.get("next_review_date"),
                **{f: data[f] for f in ReviewForm.Meta.fields},
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            audit(request, "update", cycle, summary=f"Recorded the review of {cycle}")
            todo = [
                a
                for a in next_actions(request, cycle, review)
                if a.get("url") and not a.get("done")
            ]
            if todo:
                # Leaving the register or asking for an EHC needs assessment is a record of its
                # own: the message and the closed cycle's page lead to it.
                messages.success(
                    request,
                    format_html(
                        'Review recorded and the cycle closed. Next: <a class="alert-link" href="{}">{}</a>.',
                        todo[0]["url"],
                        todo[0]["label"],
                    ),
                )
                return redirect("reviews:cycle_detail", cycle.public_id)
            messages.success(request, "Review recorded and the cycle closed.")
            return redirect("reviews:pupil_cycles", cycle.pupil.public_id)
    return render(
        request,
        "reviews/review_form.html",
        {
            "cycle": cycle,
            "pupil": cycle.pupil,
            "form": form,
            "submitted": submitted,
            "answer_labels": ANSWER_LABELS,
        },
        status=422 if request.method == "POST" else 200,
    )


# Contribution links (staff side) ------------------------------------------------------------


@require_POST
@capability_required("plans.edit")
def create_link(request, cycle_id):
    cycle = cycle_for_write(request, cycle_id)
    form = ContributionLinkForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "Check the link details: "
            + "; ".join(f"{form.fields[k].label}: {' '.join(v)}" for k, v in form.errors.items()),
        )
        return redirect("reviews:cycle_detail", cycle.public_id)
    try:
        link, token = services.contribution_link_create(
            cycle=cycle,
            by=request.user,
            kind=form.cleaned_data["kind"],
            recipient_name=form.cleaned_data["recipient_name"],
            recipient_email=form.cleaned_data["recipient_email"],
            days=form.cleaned_data["days"],
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect("reviews:cycle_detail", cycle.public_id)
    url = services.contribution_url(token)
    if link.recipient_email:
        send_mail(
            f"{request.school.name}: your views for {cycle.pupil.first_name}'s review",
            (
                f"Dear {link.recipient_name},\n\n{request.school.name} would like your views "
                f"before {cycle.pupil.first_name}'s support plan review. Please use this "
                f"private link (it works once and closes on "
                f"{timezone.localtime(link.expires_at):%-d %B %Y}):\n\n{url}\n"
            ),
            None,
            [link.recipient_email],
        )
    audit(request, "create", link, pupil=cycle.pupil, summary=f"Created a {link.kind} link")
    return render(
        request,
        "reviews/link_created.html",
        {"cycle": cycle, "pupil": cycle.pupil, "link": link, "url": url},
    )


@require_POST
@capability_required("plans.edit")
def revoke_link(request, link_id):
    link = link_for_manage(request, link_id)
    if services.contribution_link_revoke(link=link):
        audit(request, "update", link, pupil=link.cycle.pupil, summary="Revoked a link")
        messages.success(request, f"The link for {link.recipient_name} no longer works.")
    else:
        messages.info(request, "That link was already used or revoked.")
    return redirect("reviews:cycle_detail", link.cycle.public_id)


@capability_required("documents.view")  # full external reports: not for teachers (DOMAIN 8.3)
def contribution_report(request, link_id):
    """A report uploaded through a link: staff who may see the pupil's plans only."""
    link = get_scoped_or_404(
        ContributionLink.objects.for_school(request.school)
        .filter(cycle__pupil__in=visible_pupils(request).values("pk"))
        .exclude(report="")
        .select_related("cycle__pupil"),
        public_id=link_id,
    )
    audit(request, "download", link, pupil=link.cycle.pupil, summary=link.report_name)
    try:
        handle = link.report.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=link.report_name or "report")


# Contribution links (public side, no account) -----------------------------------------------


def _gone(request, reason, status, **extra):
    response = render(
        request, "reviews/contribute_gone.html", {"reason": reason, **extra}, status=status
    )
    response["Cache-Control"] = "no-store"
    return response


@never_cache
def contribute(request, link_token):
    link = services.contribution_link_find(link_token)
    if link is None:
        return _gone(request, "unknown", 404)
    state = link.state()
    if state == "submitted":
        return _gone(request, "submitted", 410)
    if state != "open":
        return _gone(request, state, 410)
    form_class = PUBLIC_FORMS[link.kind]
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        answers = {k: v for k, v in form.cleaned_data.items() if k != "report"}
        if services.contribution_submit(
            link=link, answers=answers, report=form.cleaned_data.get("report")
        ):
            audit(
                request,
                "create",
                link,
                pupil=link.cycle.pupil,
                school=link.school,
                summary=f"{link.get_kind_display()} contribution received through a link",
            )
            # The thank-you page speaks to whoever filled in the form (a child, on the pupil
            # form): only the first name, which the form itself already showed.
            return _gone(
                request,
                "thanks",
                200,
                kind=link.kind,
                first_name=link.cycle.pupil.preferred_name or link.cycle.pupil.first_name,
            )
        # Closed while the form was being filled in (sent twice, revoked, the review held, the
        # pupil left): say what the link says now, never "thank you" for answers not kept.
        fresh = services.contribution_link_find(link_token)
        state = fresh.state() if fresh is not None else "unknown"
        return _gone(request, state, 404 if fresh is None else 410)
    response = render(
        request,
        f"reviews/contribute_{link.kind}.html",
        {
            "form": form,
            "first_name": link.cycle.pupil.preferred_name or link.cycle.pupil.first_name,
            "school_name": link.school.name,
            "expires_at": link.expires_at,
        },
        status=422 if request.method == "POST" else 200,
    )
    response["Cache-Control"] = "no-store"
    return response


# Calendar and class plans ------------------------------------------------------------------


@capability_required(*READ)
def calendar(request):
    today = timezone.localdate()
    data = selectors.review_calendar(
        pupils=visible_pupils(request).current(), school=request.school, today=today
    )
    feed_url = None
    if request.user.calendar_token:
        feed_url = request.build_absolute_uri(
            reverse("reviews:ical_feed", args=[request.user.calendar_token])
        )
    audit(request, "view", None, summary="Viewed the review calendar")
    return render(
        request,
        "reviews/calendar.html",
        {"cal": data, "today": today, "feed_url": feed_url},
    )


@require_POST
@capability_required(*READ)
def rotate_calendar_token(request):
    had = bool(request.user.calendar_token)
    services.calendar_token_rotate(user=request.user)
    audit(request, "update", request.user, summary="Calendar feed link created or rotated")
    messages.success(
        request,
        "New private feed link made; the old one no longer works."
        if had
        else "Private feed link made.",
    )
    return redirect("reviews:calendar")


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


@never_cache
def ical_feed(request, feed_token):
    if len(feed_token) < 32:
        raise Http404
    user = User.objects.filter(calendar_token=feed_token, is_active=True).first()
    if user is None:
        raise Http404
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//SENCo Web//Reviews//EN",
        "CALSCALE:GREGORIAN",
        "X-WR-CALNAME:SEN reviews",
    ]
    for cycle in selectors.feed_cycles_for_user(user):
        pupil = cycle.pupil
        # First name and initial only: calendars are synced to phones and shared widely.
        name = f"{pupil.preferred_name or pupil.first_name} {pupil.last_name[:1]}."
        day = cycle.review_date
        lines += [
            "BEGIN:VEVENT",
            f"UID:cycle-{cycle.public_id}@sencoweb",
            f"DTSTAMP:{stamp}",
            f"DTSTART;VALUE=DATE:{day:%Y%m%d}",
            f"SUMMARY:{_ics_text(f'Support plan review: {name}')}",
            f"DESCRIPTION:{_ics_text(cycle.school.name)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    response = HttpResponse(
        "\r\n".join(lines) + "\r\n", content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="sen-reviews.ics"'
    return response


@capability_required(*READ)
def class_plans(request):
    rows = selectors.class_plans(request=request)
    audit(request, "view", None, summary=f"Viewed class plan strategies ({len(rows)} pupils)")
    return render(
        request, "reviews/class_plans.html", {"rows": rows, "today": timezone.localdate()}
    )


@capability_required("plans.edit")
def review_settings(request):
    """The school's choices for support plans and reviews (one row per school)."""
    found = ReviewSettings.for_school(request.school)
    form = ReviewSettingsForm(request.POST or None, instance=found)
    if request.method == "POST" and form.is_valid():
        changed = form.changed_data
        form.save()
        audit(
            request,
            "update",
            found,
            summary="Changed the review settings: " + (", ".join(changed) or "no change"),
            detail={name: form.cleaned_data[name] for name in changed},
        )
        messages.success(request, "Review settings saved.")
        return redirect("reviews:settings")
    return render(
        request,
        "reviews/settings.html",
        {"form": form},
        status=422 if form.errors else 200,
    )
