"""What the role-by-URL matrix (test_url_matrix.py) needs to know about URLs.

Adding a view? Decorate it with `@capability_required(...)` (or `membership_required`) and, if
its URL takes a kwarg the matrix has not seen before, add a factory for that kwarg below with
`@kwarg("name")`. Public pages (no sign-in) go in PUBLIC with the reason they are public.

A factory gets the Cast (school, members, a pupil the teacher and TA teach) and returns the
value to put in the URL. Objects must belong to cast.school and, where possible, to
cast.pupil, so every role with the capability can see them; list the roles that still cannot
(need-to-know scoping) in `hidden_from`.
"""

from dataclasses import dataclass, field

FACTORIES: dict[str, "KwargFactory"] = {}


@dataclass
class KwargFactory:
    make: object
    is_object: bool = True  # identifies a record (outsiders must get a 404)
    hidden_from: frozenset = field(default_factory=frozenset)


def kwarg(name: str, *, is_object: bool = True, hidden_from=()):
    def register(fn):
        FACTORIES[name] = KwargFactory(fn, is_object, frozenset(hidden_from))
        return fn

    return register


# URL names (with namespace) that anyone may open without signing in, and why.
PUBLIC = {
    "login": "The sign-in page",
    "logout": "Signing out must work for everyone (POST only)",
    "password_reset": "Forgotten-password request (sends an email only to a known address)",
    "password_reset_done": "Confirmation page after requesting a reset",
    "password_reset_confirm": "Reached from the emailed one-off link; the token is the access",
    "password_reset_complete": "Confirmation page after a reset",
    "healthz": "Load balancer health check; reports only ok/error",
    "reports:info_public": "The SEN information report schools must publish on their website",
}

# Names reached by signed-in users of any role (or none), checked by login_required.
SIGNED_IN_ONLY = {
    "password_change": "Every user may change their own password",
    "password_change_done": "Confirmation after changing one's own password",
    "two_factor": "Every user may set up two-factor sign-in for their own account",
    "two_factor_verify": "The second sign-in step for one's own account",
    "two_factor_recovery_codes": "Own recovery codes",
    "two_factor_disable": "Own two-factor device",
    "home": "Home page; a user without a membership sees a 'no school' page",
}

# Whole namespaces that are not school pages at all.
SKIPPED_NAMESPACES = {
    "admin": "Django admin: only is_staff superusers, never a school role (tested separately)",
}

# Per-URL exceptions to the derived expectation: {url_name: {principal: status, ...}}.
# Say why next to each one.
OVERRIDES: dict[str, dict[str, int]] = {
    # Only the group's own member of staff (the TA) or the SENCO logs its sessions; a teacher
    # who may see the group but does not deliver it gets a 404 (provision.services.can_log).
    "provision:session": {"teacher": 404},
    "provision:session_quick": {"teacher": 404},
    # An empty POST names no school: 404, the same answer as naming another school.
    "switch_school": {
        p: 404 for p in ("senco", "teacher", "ta", "head", "governor", "trust", "outsider")
    },
}


# --- kwarg factories ---------------------------------------------------------------------


@kwarg("pupil_id")
def _pupil_id(cast):
    return cast.pupil.public_id


@kwarg("pk", hidden_from=("teacher", "ta", "head", "governor", "trust"))
def _notification_pk(cast):
    # sencoweb's notification_read is the only bare <pk> URL: a notification of the user.
    from sencoweb.models import Notification

    return Notification.objects.create(school=cast.school, user=cast.senco.user, title="x").pk


@kwarg("uidb64", is_object=False)
def _uidb64(cast):
    return "MQ"


@kwarg("token", is_object=False)
def _token(cast):
    return "set-password"


@kwarg("fmt", is_object=False)
def _fmt(cast):
    return "json"


# --- reviews: the graduated approach (support plan cycles, contribution links, calendar) ----

PUBLIC["reviews:contribute"] = (
    "A parent's, pupil's or professional's one-off contribution link: the token is the access"
)
PUBLIC["reviews:ical_feed"] = "A user's private iCalendar feed: the token is the access"


def _cycle(cast):
    from reviews.models import SupportCycle
    from tests.reviews.cycle_helpers import issued_cycle

    existing = SupportCycle.objects.filter(pupil=cast.pupil).first()
    return existing or issued_cycle(cast.pupil, cast.senco.user)


@kwarg("cycle_id")
def _cycle_id(cast):
    return _cycle(cast).public_id


@kwarg("outcome_id")
def _outcome_id(cast):
    return _cycle(cast).outcomes.first().public_id


@kwarg("number", is_object=False)
def _version_number(cast):
    return 1


@kwarg("link_id")
def _link_id(cast):
    from django.core.files.base import ContentFile

    from reviews import services

    link, _ = services.contribution_link_create(
        cycle=_cycle(cast), kind="parent", recipient_name="Parent", by=cast.senco.user
    )
    link.report.save("matrix.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    return link.public_id


@kwarg("link_token", is_object=False)
def _link_token(cast):
    from reviews import services

    _, token = services.contribution_link_create(
        cycle=_cycle(cast), kind="parent", recipient_name="Parent", by=cast.senco.user
    )
    return token


@kwarg("feed_token", is_object=False)
def _feed_token(cast):
    from reviews import services

    return services.calendar_token_rotate(user=cast.senco.user)


# A class teacher holds plans.edit_when_allowed, but may edit a support plan only when the
# SENCO allows it (school setting or the cycle's flag); in the matrix nobody has allowed it.
for _name in (
    "cycle_open",
    "cycle_assess",
    "cycle_settings",
    "outcome_add",
    "outcome_edit",
    "outcome_delete",
    "plan_issue_version",
    "cycle_review",
):
    OVERRIDES[f"reviews:{_name}"] = {"teacher": 403}


# --- factories for the apps' records ---------------------------------------------------------
# Each builds one record of the cast's school, for the taught pupil where there is a pupil.
# `_once` keeps one record per cast so related kwargs (cycle_id + outcome_id) agree.


def _once(cast, key, build):
    cache = cast.__dict__.setdefault("_made", {})
    if key not in cache:
        cache[key] = build()
    return cache[key]


def _today():
    from django.utils import timezone

    return timezone.localdate()


@kwarg("need_id")
def _need_id(cast):
    from tests.factories import NeedFactory

    return _once(
        cast, "need", lambda: cast.pupil.needs.first() or NeedFactory(pupil=cast.pupil)
    ).public_id


@kwarg("concern_id")
def _concern_id(cast):
    from tests.factories import ConcernFactory

    return _once(
        cast, "concern", lambda: ConcernFactory(pupil=cast.pupil, raised_by=cast.teacher.user)
    ).public_id


# contact_id, involvement_id and arrangement_id also address the delete confirmations
# (pupils:*_delete, GET here); the POST that deletes is tested per role in
# tests/pupils/test_delete_records.py.
@kwarg("contact_id")
def _contact_id(cast):
    from pupils.models import Contact

    return _once(
        cast, "contact", lambda: Contact.objects.create(pupil=cast.pupil, name="Ms Carer")
    ).public_id


@kwarg("entry_id")
def _entry_id(cast):
    from pupils.models import LiaisonEntry

    return _once(
        cast,
        "liaison",
        lambda: LiaisonEntry.objects.create(
            pupil=cast.pupil,
            kind=LiaisonEntry.Kind.choices[0][0],
            happened_on=_today(),
            summary="Phoned home",
            follow_up="Send the plan",
            recorded_by=cast.senco.user,
        ),
    ).public_id


def _agency(cast):
    from pupils.models import Agency, AgencyKind

    return _once(
        cast,
        "agency",
        lambda: Agency.objects.create(
            school=cast.school, name="Speech and Language", kind=AgencyKind.choices[0][0]
        ),
    )


@kwarg("agency_id")
def _agency_id(cast):
    return _agency(cast).public_id


@kwarg("involvement_id")
def _involvement_id(cast):
    from pupils.models import Involvement

    return _once(
        cast,
        "involvement",
        lambda: Involvement.objects.create(
            pupil=cast.pupil, agency=_agency(cast), referral_date=_today()
        ),
    ).public_id


@kwarg("document_id")
def _document_id(cast):
    from django.core.files.base import ContentFile

    from pupils.models import PupilDocument

    def build():
        document = PupilDocument(
            pupil=cast.pupil,
            title="EP report",
            original_name="report.pdf",
            content_type="application/pdf",
            size=12,
            uploaded_by=cast.senco.user,
        )
        document.file.save("report.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
        document.save()
        return document

    return _once(cast, "document", build).public_id


@kwarg("arrangement_id")
def _arrangement_id(cast):
    from pupils.models import AccessArrangement

    return _once(
        cast,
        "arrangement",
        lambda: AccessArrangement.objects.create(
            pupil=cast.pupil,
            kind=AccessArrangement.Kind.choices[0][0],
            route=AccessArrangement.Route.choices[0][0],
            recorded_by=cast.senco.user,
        ),
    ).public_id


# provision


def _group(cast):
    from tests.provision.factories import GroupFactory, enrol

    def build():
        group = GroupFactory(school=cast.school, staff=cast.ta)
        enrol(group, cast.pupil)
        return group

    return _once(cast, "group", build)


@kwarg("group_id")
def _group_id(cast):
    return _group(cast).public_id


@kwarg("intervention_id")
def _intervention_id(cast):
    return _group(cast).intervention.public_id


@kwarg("enrolment_id")
def _enrolment_id(cast):
    return _group(cast).enrolments.get(pupil=cast.pupil).public_id


@kwarg("date", is_object=False)
def _date(cast):
    return _today().isoformat()


@kwarg("member_id", hidden_from=("teacher",))
def _member_id(cast):
    # A TA's timetable: the TA, and those who manage provision, may open it.
    return cast.ta.user.public_id


@kwarg("membership_id")
def _membership_id(cast):
    # The people pages (people.manage: SENCO and head) edit a teacher's membership of the school.
    return cast.teacher.pk


# reviews: EHC


@kwarg("request_id")
def _request_id(cast):
    from tests.reviews.ehc_factories import EhcRequestFactory

    return _once(cast, "ehc_request", lambda: EhcRequestFactory(pupil=cast.pupil)).public_id


def _plan(cast):
    """The plan in force of the pupil the teacher and TA teach. Need-to-know (DOMAIN.md 8.3):
    its address gives them the classroom view (sections B, E and F), which is why they get a
    200 there; pupil_ehc, request_detail and review_edit declare ehc.view_full, so the matrix
    expects their 403 from the declaration. A draft, superseded or ceased version is a 403 for
    them too: tests/reviews/test_ehc_need_to_know.py checks those answers role by role."""
    from tests.reviews.ehc_factories import EhcPlanFactory

    return _once(cast, "ehc_plan", lambda: EhcPlanFactory(pupil=cast.pupil))


@kwarg("plan_id")
def _plan_id(cast):
    return _plan(cast).public_id


@kwarg("top_up_id")
def _top_up_id(cast):
    """A top-up record that comes with the cast's EHC plan (reviews:plan_top_up_edit)."""
    from provision.models import TopUpFunding

    def build():
        record = TopUpFunding.objects.create(
            school=cast.school, pupil=cast.pupil, la_name="Bristol", amount=5400, starts_on=_today()
        )
        _plan(cast).top_ups.add(record)
        return record

    return _once(cast, "top_up", build).pk


@kwarg("review_id")
def _review_id(cast):
    from tests.reviews.ehc_factories import AnnualReviewFactory

    return _once(cast, "annual_review", lambda: AnnualReviewFactory(plan=_plan(cast))).public_id


@kwarg("profile_id")
def _profile_id(cast):
    from reviews.models import LaRuleProfile

    return _once(
        cast,
        "la_profile",
        lambda: LaRuleProfile.objects.create(school=cast.school, la_code="801", la_name="Bristol"),
    ).pk


# reports


@kwarg("run_id")
def _run_id(cast):
    """A finished governors' report (anonymised: governors may download it too)."""
    from django.core.files.base import ContentFile

    from tests.reports.factories import ReportRunFactory

    def build():
        run = ReportRunFactory(school=cast.school, requested_by=cast.senco.user, status="done")
        run.file.save("governors.pdf", ContentFile(b"%PDF-1.4 report"))
        return run

    return _once(cast, "run", build).public_id


@kwarg("school_id", is_object=False)
def _school_id(cast):
    """The school's published SEN information report."""
    from reports.models import InfoReport

    InfoReport.objects.update_or_create(school=cast.school, defaults={"published": True})
    return cast.school.public_id


# sencoweb: the school's settings and term dates


@kwarg("term_id")
def _term_id(cast):
    """One of the school's terms (school:term_edit, school:term_delete)."""
    import datetime as dt

    from sencoweb.models import Term

    return _once(
        cast,
        "term",
        lambda: Term.objects.create(
            school=cast.school,
            academic_year=2020,
            name="autumn",
            starts_on=dt.date(2020, 9, 2),
            ends_on=dt.date(2020, 12, 18),
        ),
    ).pk


@kwarg("closure_id")
def _closure_id(cast):
    """One of the school's closure days (school:closure_delete)."""
    import datetime as dt

    from sencoweb.models import ClosureDay

    return _once(
        cast,
        "closure",
        lambda: ClosureDay.objects.create(school=cast.school, date=dt.date(2020, 10, 5)),
    ).pk


@kwarg("year", is_object=False)
def _school_year(cast):
    """A school year by its starting year (school:bank_holidays_add)."""
    return 2020
