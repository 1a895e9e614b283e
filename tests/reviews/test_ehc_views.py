"""EHC views: who may see and change what, outsiders get 404, and the deadlines page's query
count does not grow with the number of plans."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pupils import hooks
from reviews.deadlines import add_months, review_period_end
from reviews.models import AnnualReview, EhcPlan, EhcRequest, LaRuleProfile
from tests.factories import MembershipFactory, PupilFactory, SchoolFactory, TeachingGroupFactory
from tests.helpers import client_for

from .ehc_factories import AnnualReviewFactory, EhcPlanFactory, EhcRequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(school, class_group):
    plan = EhcPlanFactory(pupil__school=school, pupil__first_name="Amara")
    plan.pupil.teaching_groups.add(class_group)
    return plan


@pytest.fixture
def untaught_plan(school):
    return EhcPlanFactory(pupil__school=school, pupil__first_name="Bilal")


# --------------------------------------------------------------------------- read access by role


@pytest.mark.parametrize(
    "who, status",
    [
        ("senco", 200),
        ("head", 200),
        # The whole EHC record is not theirs (DOMAIN.md 8.3): the classroom view of the plan is
        # (test_ehc_need_to_know.py).
        ("teacher", 403),
        ("ta", 403),
        ("trustlead", 200),
        ("governor", 403),
        ("outsider", 404),
    ],
)
def test_pupil_ehc_page_by_role(cast, plan, who, status):
    response = client_for(cast[who]).get(reverse("reviews:pupil_ehc", args=[plan.pupil.public_id]))
    assert response.status_code == status


@pytest.mark.parametrize("who, status", [("senco", 200), ("teacher", 404), ("outsider", 404)])
def test_untaught_pupil_is_404_for_a_teacher(cast, untaught_plan, who, status):
    url = reverse("reviews:plan_detail", args=[untaught_plan.public_id])
    assert client_for(cast[who]).get(url).status_code == status


def test_outsider_gets_404_for_every_record(outsider, plan):
    review = AnnualReviewFactory(plan=plan)
    ehc_request = EhcRequestFactory(pupil=plan.pupil)
    client = client_for(outsider)
    for url in (
        reverse("reviews:plan_detail", args=[plan.public_id]),
        reverse("reviews:plan_edit", args=[plan.public_id]),
        reverse("reviews:review_edit", args=[review.public_id]),
        reverse("reviews:request_detail", args=[ehc_request.public_id]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("reviews:plan_amend", args=[plan.public_id])).status_code == 404
    assert client.post(reverse("reviews:review_new", args=[plan.public_id])).status_code == 404


def test_plan_page_shows_sections_and_audits(senco, plan):
    response = client_for(senco).get(reverse("reviews:plan_detail", args=[plan.public_id]))
    assert response.status_code == 200
    assert b"Speech, language and communication needs." in response.content
    assert b"Section F specifies no weekly hours to compare" in response.content
    from sencoweb.models import AuditEvent

    assert AuditEvent.objects.filter(action="view", pupil_id=plan.pupil.public_id).exists()


# SEND Regs 2014 reg 12(1), as DOMAIN.md 3.3 names the sections.
REG_12_SECTIONS = [
    "A. Views, interests and aspirations",
    "B. Special educational needs",
    "C. Health needs related to the SEN",
    "D. Social care needs related to the SEN or a disability",
    "E. Outcomes sought, including for adult life",
    "F. Special educational provision",
    "G. Health provision reasonably required by the learning difficulties or disabilities",
    "H1. Social care provision under the Chronically Sick and Disabled Persons Act 1970 s.2",
    "H2. Any other social care provision reasonably required",
    "I. Name and type of school or institution",
    "J. Personal budget",
    "K. Advice and information gathered during the assessment",
]


def test_plan_sections_a_to_k_carry_their_reg_12_names(senco, plan):
    client = client_for(senco)
    page = client.get(reverse("reviews:plan_detail", args=[plan.public_id])).content.decode()
    pupil_page = client.get(reverse("reviews:pupil_ehc", args=[plan.pupil.public_id]))
    draft = EhcPlanFactory(pupil__school=senco.school, status=EhcPlan.Status.DRAFT, issued_on=None)
    form = client.get(reverse("reviews:plan_edit", args=[draft.public_id])).content.decode()
    for heading in REG_12_SECTIONS:
        assert heading in page, heading
    assert REG_12_SECTIONS[5] in pupil_page.content.decode()  # section F beside delivery
    for heading in REG_12_SECTIONS[:4] + REG_12_SECTIONS[6:9] + REG_12_SECTIONS[11:]:
        assert heading in form, heading


def test_teacher_cannot_write(teacher, plan):
    client = client_for(teacher)
    assert client.post(reverse("reviews:plan_amend", args=[plan.public_id])).status_code == 403
    assert client.post(reverse("reviews:review_new", args=[plan.public_id])).status_code == 403
    assert (
        client.get(reverse("reviews:request_new", args=[plan.pupil.public_id])).status_code == 403
    )
    review = AnnualReviewFactory(plan=plan)
    response = client.post(reverse("reviews:review_edit", args=[review.public_id]), {})
    assert response.status_code == 403


# --------------------------------------------------------------------------- recording a plan


def test_senco_records_and_issues_a_plan(senco, taught_pupil):
    client = client_for(senco)
    assert not hooks.has_ehc_plan(taught_pupil)
    response = client.post(reverse("reviews:plan_new", args=[taught_pupil.public_id]))
    plan = EhcPlan.objects.get(pupil=taught_pupil)
    assert response.url == reverse("reviews:plan_edit", args=[plan.public_id])
    data = {
        "la_code": "801",
        "la_name": "Bristol",
        "section_b": "Language disorder",
        "named_setting": "Oakfield Primary",
        "budget_type": "",
        "phase_transfer": "",
        "outcomes-TOTAL_FORMS": "1",
        "outcomes-INITIAL_FORMS": "0",
        "outcomes-0-area": "CI",
        "outcomes-0-outcome": "Amara will follow two-step instructions in class",
        "outcomes-0-by_when": "July 2027",
        "provision-TOTAL_FORMS": "1",
        "provision-INITIAL_FORMS": "0",
        "provision-0-provision": "Small-group language sessions",
        "provision-0-hours_per_week": "1.5",
        "provision-0-provided_by": "TA trained by the SALT",
    }
    response = client.post(reverse("reviews:plan_edit", args=[plan.public_id]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    plan.refresh_from_db()
    assert plan.outcomes.count() == 1 and plan.provision_items.get().hours_per_week == 1.5
    assert not hooks.has_ehc_plan(taught_pupil), "a draft does not allow status E"
    client.post(reverse("reviews:plan_issue", args=[plan.public_id]), {"issued_on": "2026-10-05"})
    plan.refresh_from_db()
    assert plan.status == "issued" and plan.first_issued_on == dt.date(2026, 10, 5)
    assert hooks.has_ehc_plan(taught_pupil)
    taught_pupil.refresh_from_db()
    assert taught_pupil.next_review_due == dt.date(2027, 10, 4)  # 12 months starting 5 Oct


def test_plan_form_errors_show_next_to_the_field(senco, taught_pupil):
    client = client_for(senco)
    client.post(reverse("reviews:plan_new", args=[taught_pupil.public_id]))
    plan = EhcPlan.objects.get(pupil=taught_pupil)
    data = {
        "la_code": "801",
        "la_name": "Bristol",
        "budget_type": "direct",
        "outcomes-TOTAL_FORMS": "0",
        "outcomes-INITIAL_FORMS": "0",
        "provision-TOTAL_FORMS": "0",
        "provision-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("reviews:plan_edit", args=[plan.public_id]), data)
    assert response.status_code == 422
    assert response.context["form"].errors["budget_amount"]


# --------------------------------------------------------------------------- requests


def test_request_records_and_shows_statutory_dates(senco, taught_pupil):
    client = client_for(senco)
    data = {
        "requested_by": "parent",
        "la_code": "801",
        "la_name": "Bristol",
        "received_on": "2026-09-14",
        "decided_to_assess": "unknown",
    }
    response = client.post(reverse("reviews:request_new", args=[taught_pupil.public_id]), data)
    ehc_request = EhcRequest.objects.get(pupil=taught_pupil)
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "Mon 26 Oct 2026" in page  # week 6: decision whether to assess
    assert "Mon 1 Feb 2027" in page  # week 20: final plan
    assert ehc_request.stage == "awaiting"


def test_request_dates_out_of_order_are_explained_at_the_field(senco, taught_pupil):
    data = {
        "requested_by": "school",
        "la_code": "801",
        "la_name": "Bristol",
        "received_on": "2026-09-14",
        "decision_to_assess_on": "2026-09-01",
        "decided_to_assess": "true",
    }
    response = client_for(senco).post(
        reverse("reviews:request_new", args=[taught_pupil.public_id]), data
    )
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "cannot be before" in errors["decision_to_assess_on"][0]
    assert "decision_to_assess" not in errors["decision_to_assess_on"][0].split('"')[0]


def test_request_without_the_received_date_says_it_is_needed(senco, taught_pupil):
    """An empty form was a 500: the deadline engine counted from a missing date."""
    response = client_for(senco).post(
        reverse("reviews:request_new", args=[taught_pupil.public_id]),
        {"requested_by": "school", "decision_to_assess_on": "2026-09-01"},
    )
    assert response.status_code == 422
    assert "received_on" in response.context["form"].errors


def test_request_dates_in_the_future_are_refused(senco, taught_pupil):
    """A final plan "issued" next month would close the request and drop its deadlines."""
    received = timezone.localdate() - dt.timedelta(days=100)
    ehc_request = EhcRequestFactory(pupil=taught_pupil, received_on=received)
    soon = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    data = {
        "requested_by": "school",
        "la_code": "801",
        "la_name": "Bristol",
        "received_on": received.isoformat(),
        "decided_to_assess": "unknown",
        "final_issued_on": soon,
    }
    url = reverse("reviews:request_detail", args=[ehc_request.public_id])
    response = client_for(senco).post(url, data)
    assert response.status_code == 422
    assert response.context["form"].errors["final_issued_on"] == [
        "This date is in the future: record it once it has happened."
    ]
    ehc_request.refresh_from_db()
    assert ehc_request.final_issued_on is None and ehc_request.stage == "awaiting"


def test_plan_issue_date_must_be_real(senco, taught_pupil):
    received = timezone.localdate() - dt.timedelta(days=100)
    source = EhcRequestFactory(pupil=taught_pupil, received_on=received)
    client = client_for(senco)
    client.post(reverse("reviews:plan_new", args=[taught_pupil.public_id]))
    plan = EhcPlan.objects.get(pupil=taught_pupil)
    assert plan.request == source
    url = reverse("reviews:plan_issue", args=[plan.public_id])
    future = (timezone.localdate() + dt.timedelta(days=60)).isoformat()
    page = client.post(url, {"issued_on": future}, follow=True).content.decode()
    assert "That date is in the future" in page
    before = (received - dt.timedelta(days=1)).isoformat()
    page = client.post(url, {"issued_on": before}, follow=True).content.decode()
    assert "cannot be issued before the LA received the request" in page
    plan.refresh_from_db()
    assert plan.status == "draft" and plan.issued_on is None
    page = client.post(url, {}, follow=True).content.decode()
    assert "Give the date the LA issued the plan." in page


# --------------------------------------------------------------------------- annual reviews


def _days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def test_review_completion_and_engine_errors(senco, plan):
    # Dates of things done are in the past whatever day the test runs.
    plan.issued_on = plan.first_issued_on = _days_ago(330)
    plan.save()
    meeting = _days_ago(30)
    client = client_for(senco)
    response = client.post(reverse("reviews:review_new", args=[plan.public_id]))
    review = AnnualReview.objects.get(plan=plan)
    assert response.url == reverse("reviews:review_edit", args=[review.public_id])
    bad = {"meeting_on": meeting.isoformat(), "report_sent_on": _days_ago(40).isoformat()}
    response = client.post(response.url, bad)
    assert response.status_code == 422
    assert "cannot be before the meeting" in response.context["form"].errors["report_sent_on"][0]
    good = {
        "invitations_sent_on": _days_ago(48).isoformat(),
        "advice_circulated_on": _days_ago(45).isoformat(),
        "meeting_on": meeting.isoformat(),
        "report_sent_on": _days_ago(23).isoformat(),
        "la_decision_on": _days_ago(10).isoformat(),
        "la_outcome": "maintain",
    }
    assert (
        client.post(reverse("reviews:review_edit", args=[review.public_id]), good).status_code
        == 302
    )
    review.refresh_from_db()
    assert review.is_complete
    plan.pupil.refresh_from_db()
    assert plan.pupil.next_review_due == review_period_end(meeting, 12)


def test_review_dates_of_things_done_cannot_be_in_the_future(senco, plan):
    plan.issued_on = plan.first_issued_on = _days_ago(330)
    plan.save()
    review = AnnualReviewFactory(plan=plan)
    url = reverse("reviews:review_edit", args=[review.public_id])
    soon = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    response = client_for(senco).post(
        url, {"meeting_on": soon, "invitations_sent_on": soon, "advice_requested_on": soon}
    )
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert errors["invitations_sent_on"] == [
        "This date is in the future: record it once it has happened."
    ]
    assert "meeting_on" not in errors  # a meeting can be booked ahead
    review.refresh_from_db()
    assert review.invitations_sent_on is None


def test_review_steps_before_the_meeting_cannot_follow_it(senco, plan):
    plan.issued_on = plan.first_issued_on = _days_ago(330)
    plan.save()
    review = AnnualReviewFactory(plan=plan)
    url = reverse("reviews:review_edit", args=[review.public_id])
    client = client_for(senco)
    late = client.post(
        url,
        {"meeting_on": _days_ago(20).isoformat(), "invitations_sent_on": _days_ago(18).isoformat()},
    )
    assert late.status_code == 422
    message = late.context["form"].errors["invitations_sent_on"][0]
    assert message.startswith('"Invitations sent on"') and "after the meeting" in message
    swapped = client.post(
        url,
        {
            "advice_requested_on": _days_ago(30).isoformat(),
            "advice_circulated_on": _days_ago(35).isoformat(),
        },
    )
    assert swapped.status_code == 422
    assert (
        'cannot be before "Advice requested on"'
        in (swapped.context["form"].errors["advice_circulated_on"][0])
    )
    early = client.post(url, {"meeting_on": _days_ago(400).isoformat()})
    assert (
        early.context["form"]
        .errors["meeting_on"][0]
        .endswith(f"must come after the plan was issued ({_days_ago(330):%-d %B %Y}).")
    )


def test_deadlines_page_drops_steps_before_a_held_meeting(senco, plan):
    """Invitations never recorded for a meeting already held are shown on the review as not
    recorded, and are not listed as overdue tasks on the deadlines page."""
    plan.issued_on = plan.first_issued_on = _days_ago(330)
    plan.save()
    review = AnnualReviewFactory(plan=plan, meeting_on=_days_ago(20))
    client = client_for(senco)
    page = client.get(reverse("reviews:deadlines")).content.decode()
    assert "Invitations to the review meeting sent" not in page
    assert "LA decides to maintain, amend or cease the plan" in page
    review_page = client.get(reverse("reviews:review_edit", args=[review.public_id]))
    assert "Not recorded" in review_page.content.decode()


# --------------------------------------------------------------------------- LA rules


def test_la_rules_validated_by_the_engine(senco, head, teacher):
    url = reverse("reviews:la_rules")
    assert client_for(teacher).get(url).status_code == 403
    assert client_for(head).get(url).status_code == 200
    data = {
        "la_code": "801",
        "la_name": "Bristol",
        "report_to_la_days": "21",
        "invitation_lead_days": "14",
        "advice_request_lead_days": "28",
        "advice_circulation_lead_days": "14",
    }
    response = client_for(senco).post(url, data)
    assert response.status_code == 422
    assert "within 2 weeks" in response.context["form"].errors["report_to_la_days"][0]
    assert "report_to_la_days" not in response.context["form"].errors["report_to_la_days"][0]
    data["report_to_la_days"] = "10"
    assert client_for(senco).post(url, data).status_code == 302
    assert LaRuleProfile.objects.get(school=senco.school).report_to_la_days == 10
    # The same LA again is explained at the field (the database would refuse it: a 500).
    again = client_for(senco).post(url, data)
    assert again.status_code == 422
    assert "already saved" in again.context["form"].errors["la_code"][0]
    # ... and the "Add an LA" form no longer offers the school's LA once it has rules.
    assert client_for(senco).get(url).context["form"]["la_code"].value() in (None, "")
    profile = LaRuleProfile.objects.get(school=senco.school)
    edit = reverse("reviews:la_rule_edit", args=[profile.pk])
    assert client_for(senco).post(edit, {**data, "report_to_la_days": "7"}).status_code == 302


# --------------------------------------------------------------------------- deadlines page


def _plans(school, n, group=None):
    for i in range(n):
        plan = EhcPlanFactory(pupil__school=school, issued_on=dt.date(2025, 12, 1 + i))
        AnnualReviewFactory(plan=plan, meeting_on=dt.date(2026, 11, 2))
        EhcRequestFactory(pupil=PupilFactory(school=school), received_on=dt.date(2026, 10, 1))
        if group:
            plan.pupil.teaching_groups.add(group)


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_deadlines_query_count_is_constant(senco, django_assert_num_queries):
    client = client_for(senco)
    url = reverse("reviews:deadlines")
    client.get(url)  # warm up: the first request writes the session
    _plans(senco.school, 2)
    small = _count(client, url)
    _plans(senco.school, 6)
    assert _count(client, url) == small
    with django_assert_num_queries(small):
        response = client.get(url)
    assert len({row.pupil.pk for row, *_ in response.context["rows"]}) == 8 * 2


def test_deadlines_teacher_sees_only_taught_pupils(teacher, senco, plan, untaught_plan):
    rows = client_for(teacher).get(reverse("reviews:deadlines")).context["rows"]
    pupils = {row.pupil.pk for row, *_ in rows}
    assert pupils == {plan.pupil.pk}
    rows = client_for(senco).get(reverse("reviews:deadlines")).context["rows"]
    assert {row.pupil.pk for row, *_ in rows} == {plan.pupil.pk, untaught_plan.pupil.pk}


def test_a_pupil_taught_twice_over_has_each_deadline_once(teacher, senco, plan, school):
    """Taught in a class and in their registration group by the same teacher: without DISTINCT
    the visibility subqueries must still give each deadline once."""
    tutor_group = TeachingGroupFactory(school=school, name="10T")
    tutor_group.staff.add(teacher.user)
    plan.pupil.reg_group = tutor_group
    plan.pupil.save()
    teacher_rows = client_for(teacher).get(reverse("reviews:deadlines")).context["rows"]
    senco_rows = client_for(senco).get(reverse("reviews:deadlines")).context["rows"]
    assert teacher_rows and len(teacher_rows) == len(senco_rows)
    keys = [(row.subject, row.deadline.label) for row, *_ in teacher_rows]
    assert len(keys) == len(set(keys))


def test_deadlines_across_schools_for_a_shared_senco(senco, plan, governor):
    second = SchoolFactory(name="Little Harbour")
    MembershipFactory(user=senco.user, school=second, role="senco")
    other = EhcPlanFactory(pupil__school=second)
    # A school where the same user is only a governor does not count.
    third = SchoolFactory()
    MembershipFactory(user=senco.user, school=third, role="governor")
    hidden = EhcPlanFactory(pupil__school=third)
    client = client_for(senco)
    here = {r.pupil.pk for r, *_ in client.get(reverse("reviews:deadlines")).context["rows"]}
    assert here == {plan.pupil.pk}
    response = client.get(reverse("reviews:deadlines") + "?scope=all")
    everywhere = {r.pupil.pk for r, *_ in response.context["rows"]}
    assert everywhere == {plan.pupil.pk, other.pupil.pk}
    assert hidden.pupil.pk not in everywhere
    assert b"All my schools" in response.content


def test_deadlines_page_roles(cast, plan):
    url = reverse("reviews:deadlines")
    assert client_for(cast["governor"]).get(url).status_code == 403
    outsider_rows = client_for(cast["outsider"]).get(url).context["rows"]
    assert outsider_rows == []
    overview = client_for(cast["head"]).get(reverse("reviews:ehc_overview"))
    assert overview.status_code == 200 and plan.pupil.last_name in overview.content.decode()


def test_teacher_group_sees_plan_in_overview_only_if_taught(teacher, plan, untaught_plan):
    content = client_for(teacher).get(reverse("reviews:ehc_overview")).content.decode()
    # A teacher's link opens the classroom view of the plan, not the whole EHC record.
    assert reverse("reviews:plan_detail", args=[plan.public_id]) in content
    assert reverse("reviews:pupil_ehc", args=[plan.pupil.public_id]) not in content
    assert reverse("reviews:plan_detail", args=[untaught_plan.public_id]) not in content
    assert untaught_plan.pupil.first_name not in content


def test_unused_group_factory_is_harmless(school):
    # TeachingGroupFactory is shared with the register tests; a group with no staff sees nothing.
    TeachingGroupFactory(school=school)


def test_home_panel_counts_overdue_deadlines(senco, teacher, class_group):
    # Issued years ago and never reviewed: the review is overdue whatever the date today.
    taught = EhcPlanFactory(pupil__school=senco.school, issued_on=dt.date(2020, 1, 6))
    taught.pupil.teaching_groups.add(class_group)
    EhcPlanFactory(pupil__school=senco.school, issued_on=dt.date(2020, 1, 6))

    def panel(member):
        response = client_for(member).get(reverse("home"))
        assert response.status_code == 200
        return next(p for p in response.context["panels"] if p["key"] == "ehc_deadlines")

    assert panel(senco)["overdue"] == 2 * panel(teacher)["overdue"] > 0
    # The number reaches the page: the panel template reads its values from `panel`.
    html = client_for(senco).get(reverse("home")).content.decode()
    assert f'id="deadlines-overdue">{panel(senco)["overdue"]} overdue</span>' in html


def test_home_panel_names_the_next_deadline_without_lowercasing_la(senco):
    # The review falls due in 19 days, so the invitations are the next step (5 days away).
    # The label is shown as written: a lowercased one read "sent to the la".
    issued = add_months(timezone.localdate() + dt.timedelta(days=20), -12)
    plan = EhcPlanFactory(pupil__school=senco.school, issued_on=issued)
    html = client_for(senco).get(reverse("home")).content.decode()
    assert f"{plan.pupil.display_name}, Invitations to the review meeting sent" in html


def test_one_record_with_impossible_dates_does_not_break_the_lists(senco, plan, caplog):
    """A review saved with dates the engine refuses (say, by an older version) is left out of
    the deadlines page and home panel, with a warning in the log, instead of a 500."""
    AnnualReviewFactory(plan=plan, meeting_on=_days_ago(20), report_sent_on=_days_ago(30))
    other = EhcPlanFactory(pupil__school=senco.school, issued_on=dt.date(2020, 1, 6))
    client = client_for(senco)
    assert client.get(reverse("home")).status_code == 200
    page = client.get(reverse("reviews:deadlines"))
    assert page.status_code == 200
    assert other.pupil.display_name in page.content.decode()
    assert "review dates the engine refuses" in caplog.text


def test_home_panel_says_none_rather_than_a_coloured_zero(senco):
    html = client_for(senco).get(reverse("home")).content.decode()
    assert 'id="deadlines-overdue">None overdue</span>' in html
    assert 'id="deadlines-due-soon">None due in 14 days</span>' in html
    assert "text-bg-warning" not in html and "text-bg-danger" not in html
