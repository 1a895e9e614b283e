"""Staff accounts of the current school: who may sign in, with which role (people.manage: the
SENCO and the head). The rules live in forms_people.py; memberships are never deleted, only
deactivated, because the audit trail and the records point at the people who made them."""

import smtplib

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import people, roles
from .access import audit, capability_required, get_scoped_or_404
from .forms_people import HEAD_NOTE, TRUST_NOTE, AddMemberForm, EditMemberForm
from .models import Membership, User


def _state(membership: Membership) -> dict:
    return {
        "role": membership.role,
        "job_title": membership.job_title,
        "is_active": membership.is_active,
    }


def _name(user) -> str:
    return user.get_full_name() or user.username


def _with_two_factor(user_ids) -> set:
    """Users among these with a confirmed second factor (what twofactor.has_confirmed_device
    answers for one user, in two queries for the whole list)."""
    return set(
        TOTPDevice.objects.filter(user_id__in=user_ids, confirmed=True).values_list(
            "user_id", flat=True
        )
    ) | set(
        StaticDevice.objects.filter(user_id__in=user_ids, confirmed=True).values_list(
            "user_id", flat=True
        )
    )


def _members(school):
    return Membership.objects.filter(school=school).select_related("user")


@capability_required(people.MANAGE)
def member_list(request):
    members = sorted(
        _members(request.school),
        key=lambda m: (not m.is_active, m.user.last_name.lower(), m.user.first_name.lower()),
    )
    secured = _with_two_factor([m.user_id for m in members])
    for m in members:
        m.has_two_factor = m.user_id in secured
        m.invited = not m.user.has_usable_password()
    return render(
        request,
        "sencoweb/people/list.html",
        {"members": members, "trust_note": TRUST_NOTE, "head_note": HEAD_NOTE},
    )


@capability_required(people.MANAGE)
def member_add(request):
    form = AddMemberForm(request.POST or None, editor=request.membership)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            user = form.existing_user
            new_user = user is None
            if new_user:
                user = User(
                    username=data["username"],
                    email=data["email"],
                    first_name=data["first_name"].strip(),
                    last_name=data["last_name"].strip(),
                )
                user.set_unusable_password()
                user.save()
            membership = Membership.objects.create(
                user=user,
                school=request.school,
                role=data["role"],
                job_title=data["job_title"].strip(),
            )
            audit(
                request,
                "create",
                membership,
                summary=f"Staff account: added {_name(user)} as {membership.get_role_display()}",
                detail={
                    "before": None,
                    "after": _state(membership),
                    "user": user.username,
                    "new_user": new_user,
                },
            )
        try:
            link = people.send_welcome(user, request.school, by=request.user)
        except (OSError, smtplib.SMTPException):
            link = False
        if link is False:
            sent = (
                f"The email to {user.email} could not be sent: open their row and send it "
                "again once email works."
            )
        elif link:
            sent = f"An email with a link to set their password was sent to {user.email}."
        else:
            sent = (
                f"They already have an account (user name {user.username}); an email telling "
                f"them was sent to {user.email}."
            )
        messages.success(
            request,
            f"Added {_name(user)} (user name {user.username}) as "
            f"{membership.get_role_display()}. {sent}",
        )
        return redirect("people:list")
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "sencoweb/people/add.html",
        {"form": form, "trust_note": TRUST_NOTE, "head_note": HEAD_NOTE},
        status=status,
    )


@capability_required(people.MANAGE)
def member_edit(request, membership_id):
    membership = get_scoped_or_404(_members(request.school), pk=membership_id)
    user = membership.user
    ctx = {
        "member": membership,
        "trust_note": TRUST_NOTE,
        "head_note": HEAD_NOTE,
        "is_self": membership.pk == request.membership.pk,
        "invited": not user.has_usable_password(),
    }
    if membership.role == roles.TRUST:
        # Read only here: see TRUST_NOTE.
        if request.method == "POST":
            messages.error(request, TRUST_NOTE)
        return render(
            request,
            "sencoweb/people/edit.html",
            ctx,
            status=403 if request.method == "POST" else 200,
        )
    if request.method == "POST" and request.POST.get("action") == "resend":
        if not ctx["invited"]:
            messages.info(request, f"{_name(user)} has already set a password.")
            return redirect("people:edit", membership_id=membership.pk)
        people.send_welcome(user, request.school, by=request.user)
        audit(
            request,
            "update",
            membership,
            summary=f"Staff account: set-password email sent again to {_name(user)}",
            detail={"sent": "set-password email", "to": user.email},
        )
        messages.success(request, f"A new set-password link was sent to {user.email}.")
        return redirect("people:list")
    before = _state(membership)
    form = EditMemberForm(request.POST or None, instance=membership, editor=request.membership)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            membership = form.save()
            after = _state(membership)
            if after != before:
                audit(
                    request,
                    "update",
                    membership,
                    summary=f"Staff account of {_name(user)}: "
                    + ", ".join(k.replace("_", " ") for k in after if after[k] != before[k]),
                    detail={"before": before, "after": after, "user": user.username},
                )
        if after == before:
            messages.info(request, f"Nothing changed for {_name(user)}.")
        else:
            messages.success(request, f"Saved {_name(user)}: {_describe(membership)}.")
        if membership.pk == request.membership.pk and not (
            membership.is_active and membership.can(people.MANAGE)
        ):
            return redirect("home")  # they can no longer open the list
        return redirect("people:list")
    ctx["form"] = form
    status = 422 if request.method == "POST" else 200
    return render(request, "sencoweb/people/edit.html", ctx, status=status)


def _describe(membership: Membership) -> str:
    text = membership.get_role_display()
    if membership.job_title:
        text += f" ({membership.job_title})"
    return text + ("" if membership.is_active else ", deactivated")
