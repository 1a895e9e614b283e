"""Fetch-and-authorise for pupil records. Another school's pupil, or one a teacher does not
teach, is a 404 exactly like a missing one."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from sencoweb.access import get_scoped_or_404

from . import hooks
from .models import Pupil, TeachingGroup


def taught_condition(user, field: str = "pk") -> Q:
    """Pupils in a teaching group or registration group the user teaches, as two subqueries on
    indexed columns. (One OR across two joins made PostgreSQL join every pupil to every group
    before filtering; subqueries also never repeat a pupil, so no DISTINCT is needed.)"""
    groups = TeachingGroup.objects.filter(staff=user).values("pk")
    in_class = Pupil.teaching_groups.through.objects.filter(teachinggroup_id__in=groups)
    in_registration = Pupil.objects.filter(reg_group_id__in=groups)
    return Q(**{f"{field}__in": in_class.values("pupil_id")}) | Q(
        **{f"{field}__in": in_registration.values("pk")}
    )


def visible_pupils(request):
    """Pupils of the current school that this member may see (archived included)."""
    membership = request.membership
    if membership is None:
        return Pupil.objects.none()
    pupils = Pupil.objects.for_school(request.school)
    if membership.can("register.view_all"):
        return pupils
    if not membership.can("register.view_taught"):
        return Pupil.objects.none()
    condition = taught_condition(request.user)
    for source in hooks.visibility_sources:
        condition |= Q(pk__in=source(membership))
    return pupils.filter(condition)


def pupil_for_read(request, pupil_id) -> Pupil:
    return get_scoped_or_404(visible_pupils(request), public_id=pupil_id)


class PupilHasLeft(PermissionDenied):
    """A write to the record of a pupil who has left. The record is kept read only for
    retention; the 403 page shows this message."""

    def __init__(self, pupil: Pupil):
        left = f" on {pupil.left_on:%-d %B %Y}" if pupil.left_on else ""
        super().__init__(
            f"{pupil.display_name} left{left}. Their record is kept read only until its "
            "retention date: nothing can be added to it or changed. Only the leaving details "
            "(and a legal hold) can still be corrected, from the pupil's profile."
        )


def pupil_for_write(
    request, pupil_id, capability: str = "register.edit", *, allow_archived: bool = False
) -> Pupil:
    """The pupil, for a member who may make this change. A pupil who has left is read only
    (PupilHasLeft), except for what archiving itself needs (`allow_archived`)."""
    if request.membership is None or not request.membership.can(capability):
        # Another school's id is still a 404, so an outsider learns nothing.
        pupil_for_read(request, pupil_id)
        raise PermissionDenied
    pupil = pupil_for_read(request, pupil_id)
    if pupil.is_archived and not allow_archived:
        raise PupilHasLeft(pupil)
    return pupil
