from django.shortcuts import render

from sencoweb.access import audit, capability_required

from .access import pupil_for_read


@capability_required("register.view_all", "register.view_taught")
def pupil_detail(request, pupil_id):
    pupil = pupil_for_read(request, pupil_id)
    audit(request, "view", pupil, summary=f"Viewed the profile of {pupil}")
    return render(request, "pupils/detail.html", {"pupil": pupil})
