"""Browser journeys for reports: a governor downloads the annual report from the home page; a
SENCO builds the Year 6 transition packs, watches the progress bar complete and opens one; a
SENCO edits the SEN information report and reads its change history."""

import pytest

from tests.e2e.conftest import assert_accessible, screenshot
from tests.factories import NeedFactory, PupilFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_governor_downloads_the_annual_report_from_home(governor, sign_in, page):
    for i in range(14):
        pupil = PupilFactory(school=governor.school, sen_status="K" if i < 11 else "E")
        NeedFactory(pupil=pupil, sen_type="SLCN" if i % 3 else "SEMH")
    sign_in("governor")
    page.click("#prepare-governors-report")
    page.wait_for_selector("#run-download")
    assert page.get_attribute("progress.report-progress", "value") == "100"
    assert_accessible(page)
    screenshot(page, "reports-governor-run")
    page.goto(page.url.split("/reports")[0] + "/")
    with page.expect_download() as info:
        page.click("#download-governors-report")
    download = info.value
    assert download.suggested_filename.startswith("governors-sen-report-")
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as fh:
        assert fh.read(4) == b"%PDF"


def test_senco_builds_year_6_packs_and_opens_one(senco, sign_in, page):
    pupils = []
    for i in range(3):
        pupil = PupilFactory(school=senco.school, nc_year="6", sen_status="K",
                             first_name=f"Leaver{i}", what_helps="Time to process instructions.")  # fmt: skip
        NeedFactory(pupil=pupil, sen_type="SPLD")
        pupils.append(pupil)
    sign_in("senco", to="/reports/")
    page.select_option("#id_year_group", "6")
    page.click("#build-packs")
    page.wait_for_selector("#run-download")
    progress = page.locator("progress.report-progress")
    assert progress.get_attribute("value") == progress.get_attribute("max")
    assert page.locator("#pack-list li").count() == 3
    assert_accessible(page)
    screenshot(page, "reports-year6-packs")
    page.click("#pack-list a >> nth=0")
    page.wait_for_selector("text=Transition pack:")
    assert "Time to process instructions." in page.inner_text("main")
    # The profile's headings sit under the pack's section headings, not above them in size.
    section, item = page.evaluate(
        "() => ['.pack-body h2', '.pack-body .box h3'].map("
        "s => parseFloat(getComputedStyle(document.querySelector(s)).fontSize))"
    )
    assert item < section, (item, section)
    assert_accessible(page)
    screenshot(page, "reports-pack")


def test_a_failed_run_shows_its_error_and_can_be_retried_or_left(senco, sign_in, page):
    page.set_viewport_size({"width": 820, "height": 1000})
    sign_in("senco", to="/reports/")
    page.select_option("#id_year_group", "13")
    page.click("#build-packs")
    page.wait_for_selector("#run-error")
    assert "No pupil in year group 13" in page.inner_text("#run-error")
    assert_accessible(page)
    screenshot(page, "reports-run-failed-820")
    assert page.get_attribute("#run-back", "href") == "/reports/"
    PupilFactory(school=senco.school, nc_year="13", sen_status="K")
    page.click("#run-retry")
    page.wait_for_selector("#run-download")


def test_senco_edits_the_information_report_and_reads_its_changes(senco, sign_in, page):
    sign_in("senco", to="/reports/information-report/")
    page.fill("#id_item_1", "We provide for all four broad areas of need.")
    page.click("#save-info")
    page.wait_for_selector("text=Saved the SEN information report.")
    page.fill("#id_item_1", "We provide for all four broad areas, with a speech and language base.")
    page.click("#save-info")
    page.wait_for_selector("text=Saved the SEN information report.")
    page.click("#info-history")
    versions = page.locator("section.info-version")
    assert versions.count() >= 2
    newest = versions.nth(0)
    assert "1. Kinds of SEN the school provides for" in newest.inner_text()
    newest.locator("summary").first.click()
    assert "with a speech and language base" in newest.inner_text()
    assert "We provide for all four broad areas of need." in newest.inner_text()
    assert_accessible(page)
    screenshot(page, "reports-info-history")


def test_senco_imports_a_pack_with_its_ehc_plan_and_past_arrangements(
    senco, outsider, sign_in, page, tmp_path
):
    import datetime as dt
    import json

    from pupils.models import AccessArrangement
    from reports.transition import pack_data
    from tests.reviews.ehc_factories import EhcPlanFactory

    pupil = PupilFactory(school=senco.school, nc_year="6", sen_status="E", first_name="Imani",
                         last_name="Brooks", about_me="I like drawing.")  # fmt: skip
    NeedFactory(pupil=pupil, sen_type="SLCN")
    EhcPlanFactory(pupil=pupil, school=senco.school, issued_on=dt.date(2025, 3, 3))
    AccessArrangement.objects.create(pupil=pupil, kind="reader", route="delegated",
                                     normal_way_of_working="Reader in all tests.",
                                     approved_on=dt.date(2025, 9, 1), recorded_by=senco.user)  # fmt: skip
    path = tmp_path / "pack.json"
    path.write_text(json.dumps(pack_data(pupil, school=senco.school)))
    sign_in("outsider", to="/reports/transition/import/")
    page.set_input_files("#id_file", str(path))
    page.click("#import-pack")
    page.wait_for_selector("#chronology")
    main = page.inner_text("main")
    assert "Imported Imani Brooks" in main and "the EHC plan (Bristol)" in main
    assert "imported from" in page.inner_text("#plans-provision")
    assert "Not yet approved" in page.inner_text("#access")
    assert "Transition pack from" in page.inner_text("#documents")
    assert_accessible(page)
    screenshot(page, "reports-pack-imported")
