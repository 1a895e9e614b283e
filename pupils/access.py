"""Fetch-and-authorise for pupil records. Another school's pupil, or one a teacher does not
teach, is a 404 exactly like a missing one."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from sencoweb.access import get_scoped_or_404

from . import hooks
from .models import Pupil


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
    user = request.user
    condition = Q(teaching_groups__staff=user) | Q(reg_group__staff=user)
    for source in hooks.visibility_sources:
        condition |= Q(pk__in=source(membership))
    # A subquery keeps the result distinct without DISTINCT on the outer query.
    return pupils.filter(pk__in=Pupil.objects.filter(condition).values("pk"))


def pupil_for_read(request, pupil_id) -> Pupil:
    return get_scoped_or_404(visible_pupils(request), public_id=pupil_id)


def pupil_for_write(request, pupil_id, capability: str = "register.edit") -> Pupil:
    if request.membership is None or not request.membership.can(capability):
        # Another school's id is still a 404, so an outsider learns nothing.
        pupil_for_read(request, pupil_id)
        raise PermissionDenied
    return pupil_for_read(request, pupil_id)
