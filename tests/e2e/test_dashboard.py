from tests.e2e.conftest import assert_accessible, screenshot
from tests.factories import NeedFactory, PupilFactory


def test_head_and_governor_dashboards(head, governor, sign_in, page, browser):
    for i in range(16):
        pupil = PupilFactory(school=head.school, sen_status="K" if i < 13 else "E",
                             nc_year=str(1 + i % 6))  # fmt: skip
        NeedFactory(pupil=pupil, sen_type=["SLCN", "ASD", "SEMH", "MLD"][i % 4])
    sign_in("head", to="/reports/dashboard/")
    assert "School dashboard" in page.inner_text("h1")
    assert page.locator("svg.chart").count() >= 4
    assert_accessible(page)
    screenshot(page, "dashboard-head")
    page.context.clear_cookies()
    sign_in("governor", to="/reports/dashboard/")
    assert page.locator("#anonymised-note").is_visible()
    assert "fewer than 5" in page.inner_text("main")
    assert_accessible(page)
    screenshot(page, "dashboard-governor")


def test_every_count_on_the_head_dashboard_opens_exactly_those_pupils(
    head, sign_in, page, live_server
):
    """Follow each drill-down of the register, need, area and year-group tables: the register
    it opens lists as many pupils as the count the head clicked. A monitoring pupil with the
    same need is not counted (the register shows monitoring too, so the link filters status)."""
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    for i in range(9):
        pupil = PupilFactory(
            school=head.school, sen_status="K" if i < 6 else "E", nc_year=str(1 + i % 3),
            next_review_due=[today - dt.timedelta(days=3), today + dt.timedelta(days=20),
                             today + dt.timedelta(days=40)][i % 3] if i < 6 else None,
        )  # fmt: skip
        NeedFactory(pupil=pupil, sen_type=["SLCN", "ASD", "MLD"][i % 3])
    monitored = PupilFactory(school=head.school, sen_status="M", nc_year="1")
    NeedFactory(pupil=monitored, sen_type="SLCN")
    sign_in("head", to="/reports/dashboard/")
    links = page.eval_on_selector_all(
        "#main table a, #drill-overdue, #drill-due-soon",
        "els => els.map(e => [e.textContent.trim(), e.getAttribute('href')])",
    )
    assert len(links) >= 11, links
    hrefs = dict((href, count) for count, href in links)
    assert [c for h, c in hrefs.items() if "review_from" in h] == ["2"]  # not 40 days on
    for count, href in links:
        page.goto(live_server.url + href)
        shown = page.inner_text("#register-counts").split()[0]
        assert shown == count, (href, count, shown)
    screenshot(page, "dashboard-drill-down")


def test_trust_lead_compares_schools_and_the_year_figures_arrive(
    trustlead, other_school, sign_in, page
):
    """The comparison shows at once; each school's year figures follow (htmx), per school."""
    from tests.factories import MembershipFactory

    MembershipFactory(user=trustlead.user, school=other_school, role="trust")
    for school in (trustlead.school, other_school):
        PupilFactory(school=school, sen_status="K")
    sign_in("trustlead", to="/reports/dashboard/trust/")
    page.wait_for_selector("#trust-year")
    rows = page.locator("#trust-year tbody tr")
    assert rows.count() == 2
    assert other_school.name in page.inner_text("#trust-year")
    assert "Working out" not in page.inner_text("main")
    assert_accessible(page)
    screenshot(page, "dashboard-trust")
