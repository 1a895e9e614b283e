"""The support plan PDF for parents shows, under each outcome, the provision group it links to:
the intervention, how often, and who delivers it by role. Never staff names or hourly rates.
Checked on the text of the PDF itself (pdftotext)."""

import datetime as dt
import shutil
import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse

from reviews import services
from reviews.models import Outcome
from tests.helpers import client_for
from tests.provision.factories import GroupFactory, InterventionFactory, enrol

from .cycle_helpers import open_cycle

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils"),
]


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "plan.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout
    return " ".join(text.split())  # one line: table cells may wrap


@pytest.fixture
def linked_plan(senco, ta, taught_pupil):
    ta.hourly_rate = Decimal("14.85")
    ta.user.first_name, ta.user.last_name = "Tamsin", "Deliverer"
    ta.user.save()
    ta.save()
    group = GroupFactory(
        school=senco.school,
        staff=ta,
        intervention=InterventionFactory(school=senco.school, name="Lexia Core5 Reading"),
        days="024",
        session_minutes=20,
        hourly_rate=Decimal("17.20"),
        starts_on=dt.date(2026, 1, 5),
        ends_on=dt.date(2026, 3, 27),
    )
    enrol(group, taught_pupil)
    cycle = open_cycle(taught_pupil, senco.user)
    services.cycle_update(cycle=cycle, data={"review_date": dt.date.today() + dt.timedelta(30)})
    for text, link in (
        ("Reads a short passage aloud with 90% accuracy", group.public_id),
        ("Asks for help when stuck", None),
    ):
        services.outcome_save(
            cycle=cycle,
            outcome=Outcome(
                area="CL",
                description=text,
                success_criterion="Seen in 4 of 5 lessons",
                provision="Small group reading" if link else "",
                provision_group_id=link,
            ),
        )
    services.plan_issue(cycle=cycle, by=senco.user)
    return cycle, group


def test_each_outcome_shows_its_linked_provision_by_role(senco, linked_plan, tmp_path):
    cycle, group = linked_plan
    response = client_for(senco).get(reverse("reports:plan_pdf", args=[cycle.public_id]))
    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path)
    first, second = text.split("Asks for help when stuck", 1)
    assert "Intervention Lexia Core5 Reading" in first
    assert "How often 3 times a week (Mon, Wed, Fri), 20 minutes each time" in first
    assert "Delivered by Teaching assistant" in first
    assert "When 5 January 2026 to 27 March 2026" in first
    assert "Small group reading" in first  # the plan's own words stay too
    assert "Intervention" not in second  # the outcome with no link shows none
    for secret in ("14.85", "17.20", "£", "Tamsin", "Deliverer", "hourly"):
        assert secret not in text


def test_job_title_is_the_role_shown(senco, ta, linked_plan, tmp_path):
    ta.job_title = "HLTA"
    ta.save()
    cycle, _ = linked_plan
    response = client_for(senco).get(reverse("reports:plan_pdf", args=[cycle.public_id]))
    assert "Delivered by HLTA" in pdf_text(response.content, tmp_path)


def test_a_teacher_gets_the_same_parent_safe_pdf(teacher, linked_plan, tmp_path):
    cycle, _ = linked_plan
    response = client_for(teacher).get(reverse("reports:plan_pdf", args=[cycle.public_id]))
    assert response.status_code == 200
    text = pdf_text(response.content, tmp_path)
    assert "Lexia Core5 Reading" in text and "17.20" not in text and "Tamsin" not in text


def test_refused_roles_and_other_school(cast, linked_plan):
    cycle, _ = linked_plan
    url = reverse("reports:plan_pdf", args=[cycle.public_id])
    assert client_for(cast["governor"]).get(url).status_code == 403
    assert client_for(cast["outsider"]).get(url).status_code == 404


def test_a_deleted_group_leaves_the_plans_own_words(senco, linked_plan, tmp_path):
    cycle, group = linked_plan
    group.delete()  # the outcome keeps the plain id: nothing to show but the text
    response = client_for(senco).get(reverse("reports:plan_pdf", args=[cycle.public_id]))
    text = pdf_text(response.content, tmp_path)
    assert "Small group reading" in text and "Lexia Core5" not in text


def test_download_is_audited(senco, linked_plan):
    from sencoweb.models import AuditEvent

    cycle, _ = linked_plan
    client_for(senco).get(reverse("reports:plan_pdf", args=[cycle.public_id]))
    assert AuditEvent.objects.filter(action="download", object_id=str(cycle.public_id)).exists()


def test_plan_pdf_speaks_plainly_to_parents(senco, linked_plan, tmp_path):
    """No 'cycle' and no unexplained 'SENCO' on the copy a parent takes home."""
    cycle, _ = linked_plan
    response = client_for(senco).get(reverse("reports:plan_pdf", args=[cycle.public_id]))
    text = pdf_text(response.content, tmp_path)
    assert f"Plan Support plan {cycle.number}, issued" in text
    assert "Cycle" not in text and "cycle" not in text
    assert "SENCO (special educational needs co-ordinator)" in text
