"""A pupil with a row in every kind of record the app keeps about them, for the data lifecycle
tests (subject access export and retention: SECURITY.md, DOMAIN.md 8)."""

import datetime as dt
from decimal import Decimal

from django.apps import apps
from django.core.files.base import ContentFile
from django.utils import timezone

from provision.models import SessionLog, TopUpFunding
from pupils.models import (
    AccessArrangement,
    Agency,
    Contact,
    ImportedEvent,
    Involvement,
    LiaisonEntry,
    Pupil,
    PupilDocument,
    StatusDecision,
)
from reports.models import ReportRun, ReportRunPart
from reviews.models import ContributionLink, EhcPlan
from sencoweb.models import append_audit_event
from tests.factories import ConcernFactory, NeedFactory, PupilFactory
from tests.provision.factories import GroupFactory, enrol
from tests.reviews.cycle_helpers import issued_cycle
from tests.reviews.ehc_factories import (
    AnnualReviewFactory,
    EhcPlanFactory,
    EhcRequestFactory,
    ProvisionItemFactory,
)


def pupil_links():
    """(model label, field name) of every foreign key, one-to-one and many-to-many to Pupil."""
    return sorted(
        (model._meta.label, field.name)
        for model in apps.get_models(include_auto_created=False)
        for field in model._meta.get_fields()
        if field.is_relation
        and not field.auto_created
        and field.related_model is Pupil
        and model is not Pupil
    )


def make_rich_pupil(school, senco, pupil):
    """A row in every kind of record the app keeps about a pupil, for `pupil`."""
    user = senco.user
    today = timezone.localdate()
    NeedFactory(pupil=pupil)
    ConcernFactory(pupil=pupil, school=school, raised_by=user)
    StatusDecision.objects.create(pupil=pupil, decided_on=today, from_status="N", to_status="K",
                                  reason="Needs evidence", decided_by="SENCO", recorded_by=user)  # fmt: skip
    contact = Contact.objects.create(pupil=pupil, name="Grace Okafor", relationship="Mother")
    contact.phone = "07700 900123"
    contact.save()  # a change, for the change history
    LiaisonEntry.objects.create(pupil=pupil, contact=contact, kind="call", happened_on=today,
                                summary="Talked about the plan", recorded_by=user)  # fmt: skip
    agency = Agency.objects.create(school=school, name="Oakfield SALT", kind="salt")
    involvement = Involvement.objects.create(pupil=pupil, agency=agency, referral_date=today)
    AccessArrangement.objects.create(pupil=pupil, kind="rest", route="delegated",
                                     normal_way_of_working="Rest breaks in class",
                                     recorded_by=user)  # fmt: skip
    document = PupilDocument(pupil=pupil, involvement=involvement, title="SALT report",
                             original_name="salt.pdf", content_type="application/pdf", size=8,
                             uploaded_by=user)  # fmt: skip
    document.file.save("salt.pdf", ContentFile(b"%PDF-1.4"), save=False)
    document.save()
    ImportedEvent.objects.create(pupil=pupil, happened_on=dt.date(2025, 3, 1), kind="review",
                                 title="Support plan review: continue", source_school="Elm",
                                 pack_dated=dt.date(2025, 7, 1), pack_document=document,
                                 imported_by=user)  # fmt: skip
    cycle = issued_cycle(pupil, user)
    link = ContributionLink.objects.create(
        school=school, cycle=cycle, kind="parent", recipient_name="Grace Okafor",
        token_hash="a" * 64, created_by=user, expires_at=timezone.now() + dt.timedelta(days=9),
        submitted_at=timezone.now(), answers={"parent_views": "She loves the new group"},
    )  # fmt: skip
    link.report.save("ep.pdf", ContentFile(b"%PDF-1.4 report"))
    request = EhcRequestFactory(pupil=pupil, school=school)
    ceased = EhcPlanFactory(pupil=pupil, school=school, request=request,
                            status=EhcPlan.Status.CEASED, ceased_on=dt.date(2026, 7, 20),
                            ceased_reason="Needs met without a plan")  # fmt: skip
    top_up = TopUpFunding.objects.create(school=school, pupil=pupil, la_name="Bristol",
                                         amount=Decimal("6000"), starts_on=dt.date(2026, 1, 12),
                                         ends_on=dt.date(2026, 7, 20))  # fmt: skip
    ceased.top_ups.add(top_up)
    ProvisionItemFactory(plan=ceased)
    AnnualReviewFactory(plan=ceased, meeting_on=dt.date(2026, 6, 1))
    group = GroupFactory(school=school, staff=senco, exclusive_to=pupil)
    classmate = PupilFactory(school=school, first_name="Quentin", last_name="Classmate")
    enrol(group, pupil, classmate)
    session = SessionLog.objects.create(group=group, date=today, note="Good focus")
    session.attended.add(pupil, classmate)
    pack = ReportRun.objects.create(school=school, type=ReportRun.Type.TRANSITION_PACK,
                                    parameters={"pupil": str(pupil.public_id)})  # fmt: skip
    pack.file.save("pack.pdf", ContentFile(b"%PDF-1.4 pack"))
    cohort = ReportRun.objects.create(school=school, type=ReportRun.Type.TRANSITION_COHORT,
                                      status="running")  # fmt: skip
    part = ReportRunPart.objects.create(run=cohort, key=str(pupil.public_id))
    part.file.save("part.pdf", ContentFile(b"%PDF-1.4 part"))
    append_audit_event(school=school, username="senco", action="view", pupil_id=pupil.public_id,
                       summary="Opened the record")  # fmt: skip
    return pupil
