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
