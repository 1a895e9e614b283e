"""Need-to-know access to EHC records (DOMAIN.md 8.3; issues 5 and 8). The whole record (every
section of a plan, its other versions and top-up, the needs assessment requests and the LA's
steps, the annual reviews) is for staff with ehc.view_full: the SENCO, the head and the trust's
SEND lead. A teacher or TA of the pupil sees the classroom view of the plan in force: sections B,
E and F and its dates. A teacher of another class gets a 404 where a teacher of the pupil would
be let in, and a 403 (as any teacher) on the pages no teacher may open; another school's member
gets a 404; a governor a 403."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reviews.models import EhcOutcome, EhcPlan
from sencoweb import roles
from sencoweb.models import AuditEvent
from tests.factories import MembershipFactory, TeachingGroupFactory
from tests.helpers import client_for

from .ehc_factories import (
    AnnualReviewFactory,
    EhcPlanFactory,
    EhcRequestFactory,
    ProvisionItemFactory,
)

pytestmark = pytest.mark.django_db

# Distinctive text in every section a teacher must not see, and in those they must.
HIDDEN = {
    "section_a": "ASPIRATION-A wants to be a vet",
    "section_c": "HEALTH-C epilepsy medication regime",
    "section_d": "SOCIAL-D parents separated, child in need plan",
    "section_g": "HEALTHPROV-G community paediatrician review",
    "section_h1": "CSDPA-H1 short breaks at Oak House",
    "section_h2": "SOCIALPROV-H2 family support worker",
    "named_setting": "SETTING-I Oakfield Primary",
    "budget_covers": "BUDGET-J direct payment for a tutor",
    "section_k": "ADVICE-K educational psychologist report 2025",
    "la_case_officer": "OFFICER Jo Bloggs",
}
SHOWN = {
    "section_b": "NEEDS-B speech, language and communication",
}
OUTCOME = "OUTCOME-E read a short text aloud with confidence"
PROVISION = "PROVISION-F daily precision teaching with a trained TA"


@pytest.fixture
def plan(school, class_group):
    plan = EhcPlanFactory(
        pupil__school=school,
        pupil__first_name="Amara",
        version=2,  # amended once: version 1 is superseded where a test needs it
        budget_type=EhcPlan.BudgetType.DIRECT,
        budget_amount=1200,
        **HIDDEN,
        **SHOWN,
    )
    plan.pupil.teaching_groups.add(class_group)
    EhcOutcome.objects.create(plan=plan, area="CL", outcome=OUTCOME, by_when="July 2027")
    ProvisionItemFactory(plan=plan, provision=PROVISION)
    return plan


@pytest.fixture
def other_teacher(school):
    """A teacher of another class in the same school."""
    member = MembershipFactory(school=school, role=roles.TEACHER)
    TeachingGroupFactory(school=school, name="6C").staff.add(member.user)
    return member


@pytest.fixture
def who(cast, other_teacher):
    return {**cast, "other_teacher": other_teacher}


def _get(member, url):
    return client_for(member).get(url)


# --------------------------------------------------------------------------- every page, every role

FULL_ROLES = ("senco", "head", "trustlead")


def _expect(page: str, role: str) -> int:
    """The answer each role gets on each EHC page of a pupil the teacher and TA teach."""
    if role == "outsider":
        return 404
    if role == "governor":
        return 403
    if role in FULL_ROLES:
        return 200
    # teacher, ta, other_teacher
    if page == "plan_in_force":
        return 404 if role == "other_teacher" else 200
    if page in ("plan_superseded", "plan_draft", "plan_ceased"):
        return 404 if role == "other_teacher" else 403
    return 403  # pupil_ehc, request_detail, review_edit: no teacher's whatever the pupil


PAGES = [
    "plan_in_force",
    "plan_superseded",
    "plan_draft",
    "plan_ceased",
    "pupil_ehc",
    "request_detail",
    "review_edit",
]
ROLES = ["senco", "head", "trustlead", "teacher", "ta", "other_teacher", "outsider", "governor"]


def _url(page, plan):
    pupil = plan.pupil
    if page == "plan_in_force":
        return reverse("reviews:plan_detail", args=[plan.public_id])
    if page == "plan_superseded":
        old = EhcPlanFactory(pupil=pupil, version=1, status=EhcPlan.Status.SUPERSEDED)
        return reverse("reviews:plan_detail", args=[old.public_id])
    if page == "plan_draft":
        draft = EhcPlanFactory(pupil=pupil, version=3, status=EhcPlan.Status.DRAFT, issued_on=None)
        return reverse("reviews:plan_detail", args=[draft.public_id])
    if page == "plan_ceased":
        plan.status = EhcPlan.Status.CEASED
        plan.ceased_on = dt.date(2026, 3, 20)
        plan.ceased_reason = "Moved out of the area"
        plan.save()
        return reverse("reviews:plan_detail", args=[plan.public_id])
    if page == "pupil_ehc":
        return reverse("reviews:pupil_ehc", args=[pupil.public_id])
    if page == "request_detail":
        ehc_request = EhcRequestFactory(pupil=pupil)
        return reverse("reviews:request_detail", args=[ehc_request.public_id])
    if page == "review_edit":
        review = AnnualReviewFactory(plan=plan, meeting_on=dt.date(2026, 11, 2))
        return reverse("reviews:review_edit", args=[review.public_id])
    raise AssertionError(page)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_each_ehc_page_answers_each_role(who, plan, page, role):
    url = _url(page, plan)
    assert _get(who[role], url).status_code == _expect(page, role), (page, role)


def test_trust_lead_is_still_read_only(trustlead, plan):
    """ehc.view_full lets the trust's SEND lead read the whole record, and change nothing."""
    assert roles.role_can(roles.TRUST, "ehc.view_full")
    assert not roles.role_can(roles.TRUST, "ehc.edit")
    page = _get(trustlead, reverse("reviews:plan_detail", args=[plan.public_id]))
    assert page.status_code == 200 and HIDDEN["section_c"] in page.content.decode()
    assert 'id="amend-plan"' not in page.content.decode()
    review = AnnualReviewFactory(plan=plan)
    assert (
        _get(trustlead, reverse("reviews:review_edit", args=[review.public_id])).context["form"]
        is None
    )
    client = client_for(trustlead)
    assert client.post(reverse("reviews:plan_amend", args=[plan.public_id])).status_code == 403
    url = reverse("reviews:review_edit", args=[review.public_id])
    assert client.post(url, {}).status_code == 403


def test_only_full_roles_hold_the_capability():
    holders = {role for role, _ in roles.ROLE_CHOICES if roles.role_can(role, "ehc.view_full")}
    assert holders == {roles.SENCO, roles.HEAD, roles.TRUST}


# --------------------------------------------------------------------------- the classroom view


@pytest.mark.parametrize("role", ["teacher", "ta"])
def test_classroom_view_shows_b_e_f_and_nothing_else(cast, plan, role):
    AnnualReviewFactory(plan=plan, meeting_on=dt.date(2026, 11, 2), la_outcome="maintain")
    EhcRequestFactory(pupil=plan.pupil)
    response = _get(cast[role], reverse("reviews:plan_detail", args=[plan.public_id]))
    page = response.content.decode()
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "reviews/ehc_plan_classroom.html"
    for text in [*SHOWN.values(), OUTCOME, PROVISION]:
        assert text in page, text
    for name, text in HIDDEN.items():
        assert text not in page, name
    for heading in ("C. Health", "D. Social care", "G. Health", "H1.", "H2.", "J. Personal"):
        assert heading not in page, heading
    assert "1,200" not in page and "Top-up" not in page and "Bristol" not in page
    assert reverse("reviews:pupil_ehc", args=[plan.pupil.public_id]) not in page
    assert "/reviews/ehc/review/" not in page and "/reviews/ehc/request/" not in page
    assert "Versions" not in page
    assert 'id="classroom-note"' in page and "kept by the SENCO" in page
    assert "In force" in page or "in force" in page
    event = AuditEvent.objects.filter(action="view", pupil_id=plan.pupil.public_id).latest("pk")
    assert event.summary.startswith("Viewed the classroom view of EHC plan v2")


def test_senco_sees_the_whole_plan(senco, plan):
    page = _get(senco, reverse("reviews:plan_detail", args=[plan.public_id])).content.decode()
    for text in [*HIDDEN.values(), *SHOWN.values(), OUTCOME, PROVISION]:
        assert text in page, text


def test_classroom_view_query_count_does_not_grow(teacher, plan, django_assert_num_queries):
    url = reverse("reviews:plan_detail", args=[plan.public_id])
    client = client_for(teacher)
    client.get(url)  # warm up: the first request writes the session

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for i in range(4):
        EhcOutcome.objects.create(plan=plan, area="SEMH", outcome=f"Outcome {i}")
        ProvisionItemFactory(plan=plan, provision=f"Provision {i}")
        AnnualReviewFactory(plan=plan, meeting_on=dt.date(2026, 1, 10 + i))
    with django_assert_num_queries(small):
        client.get(url)


# --------------------------------------------------------------------------- chronology and card


def _profile(member, pupil):
    return _get(member, reverse("pupils:detail", args=[pupil.public_id]))


def test_chronology_for_a_teacher_keeps_only_the_plan_itself(senco, teacher, plan):
    pupil = plan.pupil
    EhcRequestFactory(
        pupil=pupil,
        received_on=dt.date(2025, 9, 1),
        decision_to_assess_on=dt.date(2025, 10, 13),
        decided_to_assess=True,
        la_name="LA-NAME Bristol",
    )
    AnnualReviewFactory(plan=plan, meeting_on=dt.date(2026, 11, 2), la_outcome="maintain")
    old = EhcPlanFactory(
        pupil=pupil, version=1, status=EhcPlan.Status.SUPERSEDED, issued_on=dt.date(2025, 1, 6)
    )

    def ehc(member):
        return [e for e in _profile(member, pupil).context["chronology"] if e.kind == "EHC"]

    mine = ehc(teacher)
    titles = [e.title for e in mine]
    assert sorted(titles) == ["Amended EHC plan issued (version 2)", "EHC plan issued"]
    assert not any("assessment" in t or "LA decided" in t or "review" in t for t in titles)
    assert all(e.detail == "" for e in mine)  # no named setting (section I)
    links = {e.url for e in mine if e.url}
    assert links == {reverse("reviews:plan_detail", args=[plan.public_id])}
    assert reverse("reviews:plan_detail", args=[old.public_id]) not in links

    theirs = {e.title: e for e in ehc(senco)}
    assert "LA decided to assess" in theirs
    assert "Annual review meeting" in theirs
    assert any(t.startswith("EHC needs assessment requested") for t in theirs)
    assert theirs["LA decided to assess"].detail == "LA-NAME Bristol"
    page = _profile(teacher, pupil).content.decode()
    assert "LA-NAME" not in page and "LA decided" not in page


def test_a_ceased_plan_is_on_a_teachers_chronology_without_the_reason(senco, teacher, plan):
    plan.status = EhcPlan.Status.CEASED
    plan.ceased_on = dt.date(2026, 3, 20)
    plan.ceased_reason = "REASON family moved abroad"
    plan.save()
    mine = [e for e in _profile(teacher, plan.pupil).context["chronology"] if e.kind == "EHC"]
    assert {e.title for e in mine} == {"Amended EHC plan issued (version 2)", "EHC plan ceased"}
    assert all(not e.url and not e.detail for e in mine)
    theirs = [e for e in _profile(senco, plan.pupil).context["chronology"] if e.kind == "EHC"]
    assert ("EHC plan ceased", "REASON family moved abroad") in [
        (e.title, e.detail) for e in theirs
    ]


def test_plans_card_links_a_teacher_to_the_classroom_view(senco, teacher, ta, plan):
    classroom = reverse("reviews:plan_detail", args=[plan.public_id])
    whole = reverse("reviews:pupil_ehc", args=[plan.pupil.public_id])
    for member in (teacher, ta):
        links = {link.url: link for link in _profile(member, plan.pupil).context["plan_links"]}
        assert classroom in links and whole not in links
        assert links[classroom].label == "EHC plan: outcomes and provision"
    links = {link.url for link in _profile(senco, plan.pupil).context["plan_links"]}
    assert whole in links


def test_no_ehc_link_on_a_teachers_card_without_a_plan_in_force(teacher, plan):
    plan.status = EhcPlan.Status.CEASED
    plan.ceased_on = dt.date(2026, 3, 20)
    plan.save()
    links = [link.url for link in _profile(teacher, plan.pupil).context["plan_links"]]
    assert not any("/reviews/ehc/" in url for url in links)


def test_profile_query_count_is_the_same_for_a_teacher_and_the_senco(senco, teacher, plan):
    """Hiding entries costs nothing: the sources load the same records for everyone."""
    EhcRequestFactory(pupil=plan.pupil)
    AnnualReviewFactory(plan=plan, meeting_on=dt.date(2026, 11, 2))
    counts = []
    for member in (senco, teacher):
        client = client_for(member)
        url = reverse("pupils:detail", args=[plan.pupil.public_id])
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


# --------------------------------------------------------------------------- overview and deadlines


def _recent_plan_with_request(plan):
    """A review and a needs assessment both with dates due soon, so both are on the page."""
    today = timezone.localdate()
    plan.issued_on = plan.first_issued_on = today - dt.timedelta(days=340)
    plan.save()
    return EhcRequestFactory(
        pupil=plan.pupil, received_on=today - dt.timedelta(days=30), la_name="LA-NAME Bristol"
    )


def test_deadlines_show_a_teacher_the_dates_and_link_only_the_classroom_view(senco, teacher, plan):
    ehc_request = _recent_plan_with_request(plan)
    url = reverse("reviews:deadlines")
    response = _get(teacher, url)
    page = response.content.decode()
    subjects = {row.subject for row, *_ in response.context["rows"]}
    assert {"EHC needs assessment", "Annual review"} <= subjects  # the dates are theirs
    request_url = reverse("reviews:request_detail", args=[ehc_request.public_id])
    assert request_url not in page and "/reviews/ehc/review/" not in page
    assert reverse("reviews:review_new", args=[plan.public_id]) not in page
    assert reverse("reviews:plan_detail", args=[plan.public_id]) in page
    assert "LA-NAME" not in page
    for row, *_ in response.context["rows"]:
        expected = "" if row.subject == "EHC needs assessment" else "/reviews/ehc/plan/"
        assert row.url.startswith(expected) if expected else row.url == ""
    senco_page = _get(senco, url).content.decode()
    assert request_url in senco_page


def test_overview_for_a_teacher_hides_the_la_setting_and_request(senco, teacher, plan):
    ehc_request = _recent_plan_with_request(plan)
    url = reverse("reviews:ehc_overview")
    page = _get(teacher, url).content.decode()
    assert "Bristol" not in page and HIDDEN["named_setting"] not in page
    assert reverse("reviews:request_detail", args=[ehc_request.public_id]) not in page
    assert reverse("reviews:plan_detail", args=[plan.public_id]) in page
    assert 'id="classroom-note"' in page
    senco_page = _get(senco, url).content.decode()
    assert HIDDEN["named_setting"] in senco_page
    assert reverse("reviews:request_detail", args=[ehc_request.public_id]) in senco_page


def test_support_plan_review_says_a_request_was_made_without_linking_a_teacher_to_it(
    senco, teacher, taught_pupil
):
    from reviews.models import Review

    from .cycle_helpers import issued_cycle

    cycle = issued_cycle(taught_pupil, senco.user)
    Review.objects.create(
        cycle=cycle,
        meeting_date=timezone.localdate(),
        summary="Agreed to ask for an assessment",
        next_step=Review.NextStep.REQUEST_EHCNA,
        recorded_by=senco.user,
    )
    cycle.status = "closed"
    cycle.save()
    ehc_request = EhcRequestFactory(pupil=taught_pupil)
    url = reverse("reviews:cycle_detail", args=[cycle.public_id])
    request_url = reverse("reviews:request_detail", args=[ehc_request.public_id])
    page = _get(teacher, url).content.decode()
    assert 'id="ehc-request-done"' in page and request_url not in page
    assert request_url in _get(senco, url).content.decode()


def test_an_entry_without_the_capability_is_seen_as_its_shorter_form():
    from pupils.hooks import ChronologyEntry as E

    short = E(dt.date(2026, 1, 1), "EHC", "EHC plan issued")
    entry = E(dt.date(2026, 1, 1), "EHC", "EHC plan issued", "Oakfield", "/x", "cap", short)
    assert entry.as_seen(lambda c: True) is entry
    assert entry.as_seen(lambda c: False) is short
    assert E(dt.date(2026, 1, 1), "EHC", "x", capability="cap").as_seen(lambda c: False) is None
    assert short.as_seen(lambda c: False) is short


def test_classroom_view_says_when_the_annual_review_is_overdue(teacher, plan):
    url = reverse("reviews:plan_detail", args=[plan.public_id])
    plan.issued_on = plan.first_issued_on = timezone.localdate() - dt.timedelta(days=400)
    plan.save()
    page = _get(teacher, url).content.decode()
    assert 'id="review-overdue"' in page and "annual review overdue" in page
    plan.issued_on = plan.first_issued_on = timezone.localdate() - dt.timedelta(days=30)
    plan.save()
    page = _get(teacher, url).content.decode()
    assert "next annual review due by" in page and 'id="review-overdue"' not in page
