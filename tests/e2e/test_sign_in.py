import pytest

from tests.e2e.conftest import assert_accessible, screenshot

ROLES = ["senco", "teacher", "ta", "head", "governor", "trustlead"]


@pytest.mark.parametrize("username", ROLES)
def test_each_role_signs_in_sees_home_and_signs_out(cast, sign_in, page, username):
    member = cast[username]
    sign_in(username)
    assert page.inner_text("#home-role") == member.get_role_display()
    assert member.school.name in page.inner_text("main")
    assert_accessible(page)
    screenshot(page, f"home-{username}")
    page.click("#user-menu")
    page.click("#sign-out")
    page.wait_for_selector("text=You have signed out")
    page.goto(page.url.split("/accounts")[0] + "/")
    assert "/accounts/login/" in page.url


def test_sign_in_page_is_accessible_and_rejects_a_bad_password(db, live_server, page):
    page.goto(f"{live_server.url}/accounts/login/")
    assert_accessible(page)
    page.fill("#id_username", "nobody")
    page.fill("#id_password", "wrong")
    page.click("#sign-in")
    assert "correct username and password" in page.inner_text("main")
    screenshot(page, "sign-in-error")


def test_shared_senco_switches_school(senco, sign_in, page):
    from tests.factories import MembershipFactory, SchoolFactory

    second = SchoolFactory(name="Little Harbour Primary")
    MembershipFactory(user=senco.user, school=second, role="senco")
    sign_in("senco")
    page.select_option("#school-select", label="Little Harbour Primary")
    page.wait_for_selector("text=You are now working in Little Harbour Primary")
    assert "Little Harbour Primary" in page.inner_text("main")
    screenshot(page, "school-switched")
