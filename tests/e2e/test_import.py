"""The SENCO imports a MIS export in the browser: upload, preview, confirm, see the pupils."""

import pytest

from pupils.models import Pupil
from tests.e2e.conftest import assert_accessible, screenshot
from tests.pupils.fixtures.builders import FIXTURES


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_senco_imports_a_mis_export(senco, school, sign_in, page, live_server):
    sign_in("senco", to="/pupils/import/")
    assert_accessible(page)
    page.set_input_files("#id_file", str(FIXTURES / "mis_export.csv"))
    page.click("#import-upload")
    page.wait_for_selector("#import-plan")
    assert page.inner_text("#count-create") == "3"
    table = page.inner_text("#import-plan")
    assert "O'Brien" in table and "Nguyễn" in table and "Smith-Jones" in table
    assert "no EHC plan is recorded here yet" in table
    assert_accessible(page)
    screenshot(page, "import-preview")

    page.click("#import-confirm")
    page.wait_for_selector("#import-summary")
    assert "3 created" in page.inner_text("#import-summary")
    screenshot(page, "import-done")
    assert Pupil.objects.filter(school=school).count() == 3

    page.click("#to-register")
    page.wait_for_selector("#register-table")
    register = page.inner_text("#register-table")
    assert "O'Brien" in register and "Nguyễn" in register
    screenshot(page, "import-register")

    # The menu groups each app's pages in a dropdown (sencoweb/nav.py).
    page.click(".dropdown-toggle:has-text('Pupils')")
    page.click("text=Census readiness")
    page.wait_for_selector("#census-e_without_plan")
    assert "Nguyễn" in page.inner_text("#census-e_without_plan")
    assert_accessible(page)
    screenshot(page, "census-readiness")


def test_senco_sees_every_problem_of_a_bad_file(senco, sign_in, page, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "UPN,Surname,Forename,DOB,Gender,Year,SEN provision,Primary need\n"
        "A801200119002,Smith,Jo,31/02/2015,M,5,K,SLCN\n",
        encoding="utf-8",
    )
    sign_in("senco", to="/pupils/import/")
    page.set_input_files("#id_file", str(bad))
    page.click("#import-upload")
    page.wait_for_selector("#import-problems")
    problems = page.inner_text("#import-problems")
    assert "Row 2, UPN: A801200119002 has the wrong check letter" in problems
    assert "Row 2, Date of birth: '31/02/2015' is not a real date" in problems
    assert_accessible(page)
    screenshot(page, "import-problems")
    assert not Pupil.objects.exists()
