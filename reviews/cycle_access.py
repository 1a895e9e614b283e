"""Fetch-and-authorise for support plan cycles. A cycle of another school, or of a pupil the
member does not teach, is a 404 exactly like a missing one; seeing it but lacking the right to
change it is a 403."""

from django.core.exceptions import PermissionDenied

from pupils.access import PupilHasLeft, visible_pupils
from sencoweb.access import get_scoped_or_404

from . import selectors
from .models import ContributionLink, ReviewSettings, SupportCycle


def cycles_visible(request):
    if request.membership is None or not request.membership.can("plans.view"):
        return SupportCycle.objects.none()
    return SupportCycle.objects.for_school(request.school).filter(
        pupil__in=visible_pupils(request).values("pk")
    )


def may_edit(request, cycle: SupportCycle | None = None) -> bool:
    """The SENCO always; a class teacher when the school or this cycle allows it (they can
    only reach pupils they teach: visibility is checked before this)."""
    membership = request.membership
    if membership is None:
        return False
    if membership.can("plans.edit"):
        return True
    if not membership.can("plans.edit_when_allowed"):
        return False
    if cycle is not None and cycle.teacher_may_edit:
        return True
    return ReviewSettings.for_school(request.school).teachers_may_edit


def cycle_for_read(request, cycle_id, *, detail: bool = False) -> SupportCycle:
    queryset = cycles_visible(request)
    queryset = selectors.cycle_for_detail(queryset) if detail else queryset.select_related("pupil")
    return get_scoped_or_404(queryset, public_id=cycle_id)


def cycle_for_write(request, cycle_id, *, detail: bool = False) -> SupportCycle:
    cycle = cycle_for_read(request, cycle_id, detail=detail)
    if not may_edit(request, cycle):
        raise PermissionDenied
    if cycle.pupil.is_archived:
        # The pupil has left: their plans are kept as they stood, read only.
        raise PupilHasLeft(cycle.pupil)
    return cycle


def link_for_manage(request, link_id) -> ContributionLink:
    """Contribution links are the SENCO's (plans.edit); a left pupil's are read only."""
    link = get_scoped_or_404(
        ContributionLink.objects.for_school(request.school)
        .filter(cycle__in=cycles_visible(request))
        .select_related("cycle__pupil"),
        public_id=link_id,
    )
    if not request.membership.can("plans.edit"):
        raise PermissionDenied
    if link.cycle.pupil.is_archived:
        # Their links closed when they left (ContributionLink.state); the record is read only.
        raise PupilHasLeft(link.cycle.pupil)
    return link
