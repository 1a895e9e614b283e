"""A TA logs a week of sessions on a phone; the SENCO's map shows delivered vs planned and cost."""

import datetime as dt
from decimal import Decimal

import pytest

from provision.models import Enrolment, Intervention, ProvisionGroup, SessionLog
from tests.factories import PupilFactory

from .conftest import assert_accessible, screenshot

pytestmark = pytest.mark.django_db(transaction=True)


def _monday_two_weeks_ago():
    today = dt.date.today()
    return today - dt.timedelta(days=today.weekday() + 7)


@pytest.fixture
def ta_group(school, ta):
    ta.hourly_rate = Decimal("17.20")
    ta.save()
    intervention = Intervention.objects.create(
        school=school,
        name="Talk Boost KS2",
        area="CI",
        group_size=4,
        measure="scale",
        scale_min=0,
        scale_max=20,
    )
    start = _monday_two_weeks_ago()
    group = ProvisionGroup.objects.create(
        school=school,
        intervention=intervention,
        staff=ta,
        days="01234",
        start_time=dt.time(9, 10),
        session_minutes=30,
        place="Library",
        starts_on=start,
        ends_on=start + dt.timedelta(weeks=6),
        hourly_rate=Decimal("17.20"),
    )
    for name in ("Amara", "Ben", "Chloe", "Dylan"):
        pupil = PupilFactory(school=school, first_name=name, sen_status="K", nc_year="4")
        Enrolment.objects.create(group=group, pupil=pupil, starts_on=start)
    return group


def test_ta_logs_a_week_on_a_phone(sign_in, page, live_server, ta_group, senco):
    page.set_viewport_size({"width": 390, "height": 844})
    monday = _monday_two_weeks_ago()
    sign_in("ta", to=f"/provision/today/?date={monday.isoformat()}")
    page.wait_for_function("window.htmx !== undefined")
    # Monday: one tap, everyone here (htmx swaps the card in place).
    page.click("button.quick-held")
    page.wait_for_selector(".session-card.is-logged")
    assert "4 of 4 here" in page.inner_text(".session-status")
    screenshot(page, "provision_ta_monday_logged")
    # Tuesday to Thursday: next day, one tap each.
    for _ in range(3):
        page.click("#next-day")
        page.click("button.quick-held")
        page.wait_for_selector(".session-card.is-logged")
    # Wednesday again: Ben was away (untick him) with a note.
    page.goto(
        f"{live_server.url}/provision/today/?date={(monday + dt.timedelta(days=2)).isoformat()}"
    )
    page.wait_for_function("window.htmx !== undefined")
    page.click(".session-details summary")
    page.click("label.attendee:has-text('Ben')")
    page.fill("input[name=note]", "Ben at the dentist")
    screenshot(page, "provision_ta_detail_form")
    page.click("button.save-session")
    page.wait_for_selector("text=3 of 4 here")
    # Friday: cancelled for a trip.
    page.goto(
        f"{live_server.url}/provision/today/?date={(monday + dt.timedelta(days=4)).isoformat()}"
    )
    page.wait_for_function("window.htmx !== undefined")
    page.click(".session-details summary")
    page.click("label:has-text('Cancelled')")
    page.select_option("select[name=reason]", "trip")
    page.click("button.save-session")
    page.wait_for_selector("text=Trip or event")
    screenshot(page, "provision_ta_friday_cancelled")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    logs = SessionLog.objects.filter(group=ta_group).order_by("date")
    assert [log.status for log in logs] == ["held"] * 4 + ["cancelled"]
    assert logs[2].attended.count() == 3 and logs[2].note == "Ben at the dentist"


def test_senco_map_shows_delivered_vs_planned_and_cost(sign_in, page, live_server, ta_group):
    from sencoweb.models import Membership
    from tests.factories import MembershipFactory

    monday = _monday_two_weeks_ago()
    for n in range(5):
        log = SessionLog.objects.create(group=ta_group, date=monday + dt.timedelta(days=n))
        log.attended.set([e.pupil for e in ta_group.enrolments.all()])
    senco = Membership.objects.filter(school=ta_group.school, role="senco").first() or (
        MembershipFactory(school=ta_group.school, role="senco", user__username="senco")
    )
    # A second year group, with longer words, is a section of its own.
    other = Intervention.objects.create(school=ta_group.school, area="CL", measure="scale",
                                        name="Precision Teaching for Number Bonds", group_size=1)  # fmt: skip
    group = ProvisionGroup.objects.create(
        school=ta_group.school, intervention=other, staff=ta_group.staff, days="2",
        start_time=dt.time(14, 0), session_minutes=10, place="Room 4", starts_on=monday,
        ends_on=monday + dt.timedelta(weeks=6), hourly_rate=Decimal("17.20"),
    )  # fmt: skip
    pupil = PupilFactory(school=ta_group.school, first_name="Maximilian-Alexander",
                         last_name="Featherstonehaugh", sen_status="K", nc_year="6")  # fmt: skip
    Enrolment.objects.create(group=group, pupil=pupil, starts_on=monday)
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(senco.user.username, to="/provision/")
    # Each section is a table of its own; on a wide screen their columns line up.
    lefts = page.eval_on_selector_all(
        ".map-table thead tr",
        "rows => rows.map(r => [...r.cells].map(c => Math.round(c.getBoundingClientRect().left)))",
    )
    assert len(lefts) == 2 and lefts[0] == lefts[1]
    page.set_viewport_size({"width": 1280, "height": 900})
    text = page.inner_text("#map-totals")
    assert "5 /" in text
    # Five 30-minute sessions at 17.20 = 43.00.
    assert "£43.00" in text
    assert "Talk Boost KS2" in page.inner_text("main")
    screenshot(page, "provision_senco_map")
    assert_accessible(page)
    page.click("text=Talk Boost KS2 >> nth=0")
    page.wait_for_selector("#group-delivery")
    assert "5 of" in page.inner_text("#group-delivery")
    screenshot(page, "provision_group_detail")
    # Editing the group shows its dates in the date pickers (ISO values; an en-GB one showed
    # blank), and saving it unchanged keeps them.
    page.click("a:has-text('Edit')")
    assert page.input_value("#id_starts_on") == monday.isoformat()
    assert page.input_value("#id_ends_on") == (monday + dt.timedelta(weeks=6)).isoformat()
    screenshot(page, "provision_group_edit_dates")
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Group saved.")
    ta_group.refresh_from_db()
    assert ta_group.starts_on == monday and ta_group.ends_on == monday + dt.timedelta(weeks=6)
    # The measures form of a pupil who left keeps the leaving date the same way.
    first = ta_group.enrolments.order_by("pupil__first_name").first()
    first.ends_on = monday + dt.timedelta(days=4)
    first.save()
    page.click(f"a[href$='/provision/enrolments/{first.public_id}/']")
    assert page.input_value("#id_ends_on") == first.ends_on.isoformat()
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Measures saved.")
    first.refresh_from_db()
    assert first.ends_on == monday + dt.timedelta(days=4)


def test_senco_builds_the_provision_map_pdf(
    sign_in, page, live_server, ta_group, settings, tmp_path
):
    from sencoweb.models import Membership
    from tests.factories import MembershipFactory

    settings.MEDIA_ROOT = tmp_path
    senco = Membership.objects.filter(school=ta_group.school, role="senco").first() or (
        MembershipFactory(school=ta_group.school, role="senco", user__username="senco")
    )
    sign_in(senco.user.username, to="/provision/?by=wave")
    page.click("#map-pdf")
    page.wait_for_selector("#run-download")
    assert "Provision map" in page.inner_text("main")
    assert_accessible(page)
    with page.expect_download() as info:
        page.click("#run-download")
    assert info.value.suggested_filename.startswith("provision-map-")
    with open(info.value.path(), "rb") as fh:
        assert fh.read(4) == b"%PDF"


def test_senco_re_adds_a_pupil_who_left(sign_in, page, live_server, ta_group, senco):
    """Amara left after the first week; re-added from the third Monday she has a second place
    (issue 6): the group page and her provision page show both, each with its dates. Ben, still
    in the group, cannot be added again: the form says since when, on the pupil field."""
    monday = _monday_two_weeks_ago()
    amara = ta_group.enrolments.get(pupil__first_name="Amara")
    amara.ends_on = monday + dt.timedelta(days=4)
    amara.save()
    back = monday + dt.timedelta(days=7)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(senco.user.username, to=f"/provision/groups/{ta_group.public_id}/enrol/")
    page.select_option(
        "#id_pupil", label=page.locator("#id_pupil option", has_text="Ben").inner_text()
    )
    page.fill("#id_starts_on", back.isoformat())
    page.click("button:has-text('Save')")
    assert page.title().startswith("Error: ")
    assert page.evaluate("document.activeElement.id") == "id_pupil"
    ben = ta_group.enrolments.get(pupil__first_name="Ben").pupil
    assert page.inner_text("#id_pupil_error") == (
        f"{ben.display_name} has been in this group since {monday.day} {monday:%b %Y}."
    )
    screenshot(page, "provision_enrol_already_in")
    assert_accessible(page)
    page.select_option(
        "#id_pupil", label=page.locator("#id_pupil option", has_text="Amara").inner_text()
    )
    page.fill("#id_starts_on", back.isoformat())
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=enrolled.")
    places = Enrolment.objects.filter(group=ta_group, pupil=amara.pupil).order_by("starts_on")
    assert [(p.starts_on, p.ends_on) for p in places] == [(monday, amara.ends_on), (back, None)]
    lines = page.locator("tr.place").all_inner_texts()
    mine = [line for line in lines if "re-joined" in line or f"From {back.day} {back:%b}" in line]
    assert len(mine) == 2, lines
    assert f"{monday.day} {monday:%b %Y} to {amara.ends_on.day} {amara.ends_on:%b %Y}" in mine[0]
    screenshot(page, "provision_group_rejoined")
    assert_accessible(page)
    page.click(f"a[href$='/provision/pupils/{amara.pupil.public_id}/']")
    page.wait_for_selector("#pupil-totals")
    rows = page.locator("tr.place").all_inner_texts()
    assert len(rows) == 2 and "left and re-joined" in rows[0]
    assert f"{back.day} {back:%b %Y} to" in rows[1]
    screenshot(page, "provision_pupil_rejoined")
    assert_accessible(page)
