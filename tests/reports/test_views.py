"""Views per role: who may build, see and download what; another school gets 404."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from reports.models import InfoReport, ReportRun
from sencoweb.models import AuditEvent
from tests.factories import MembershipFactory, NeedFactory, PupilFactory
from tests.helpers import client_for

from .factories import ReportRunFactory


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run the enqueue-on-commit callbacks (the test transaction never commits)."""
    return django_capture_on_commit_callbacks


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _done(school, type=ReportRun.Type.GOVERNORS, **kw):
    run = ReportRunFactory(school=school, type=type, status=ReportRun.Status.DONE, **kw)
    run.file.save("r.pdf", ContentFile(b"%PDF-1.7 test"), save=True)
    return run


@pytest.mark.parametrize(
    "role,status", [("senco", 200), ("head", 200), ("governor", 200), ("teacher", 403), ("ta", 403)]
)
def test_reports_page_by_role(cast, role, status):
    assert client_for(cast[role]).get(reverse("reports:index")).status_code == status


def test_governor_builds_and_downloads_the_governors_report(governor, on_commit):
    client = client_for(governor)
    with on_commit(execute=True):
        response = client.post(reverse("reports:build_governors"), {"year": 2025})
    run = ReportRun.objects.get()
    assert response.url == reverse("reports:run", args=[run.public_id])
    assert run.status == ReportRun.Status.DONE, run.error  # eager in tests
    page = client.get(reverse("reports:run_progress", args=[run.public_id]))
    assert b"run-download" in page.content and b"hx-trigger" not in page.content
    download = client.get(reverse("reports:run_download", args=[run.public_id]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content)[:4] == b"%PDF"
    assert AuditEvent.objects.filter(action="download", object_id=str(run.public_id)).exists()


def test_governor_cannot_see_or_download_a_transition_pack(governor):
    run = _done(governor.school, ReportRun.Type.TRANSITION_COHORT)
    client = client_for(governor)
    assert client.get(reverse("reports:run_download", args=[run.public_id])).status_code == 404
    assert client.get(reverse("reports:run", args=[run.public_id])).status_code == 404
    assert client.post(reverse("reports:build_cohort"), {"year_group": "6"}).status_code == 403


def test_outsider_gets_404_for_another_schools_run(senco, outsider):
    run = _done(senco.school)
    client = client_for(outsider)
    for name in ("run", "run_progress", "run_download", "run_retry"):
        url = reverse(f"reports:{name}", args=[run.public_id])
        response = client.post(url) if name == "run_retry" else client.get(url)
        assert response.status_code == 404, name


def test_failed_run_page_shows_error_and_retry(senco, on_commit):
    run = ReportRunFactory(school=senco.school, status=ReportRun.Status.FAILED,
                           error="The job stopped unexpectedly; press Retry.")  # fmt: skip
    client = client_for(senco)
    page = client.get(reverse("reports:run", args=[run.public_id]))
    assert b"The job stopped unexpectedly" in page.content and b"run-retry" in page.content
    with on_commit(execute=True):
        client.post(reverse("reports:run_retry", args=[run.public_id]))
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE  # claimed again and built (eager)


def test_queued_run_polls(senco):
    run = ReportRunFactory(
        school=senco.school, status=ReportRun.Status.RUNNING, progress=3, total=10
    )
    page = client_for(senco).get(reverse("reports:run_progress", args=[run.public_id]))
    assert b'hx-trigger="every 1s"' in page.content and b"<progress" in page.content


def test_senco_builds_year_6_packs_and_opens_one(senco, teacher, on_commit):
    pupil = PupilFactory(school=senco.school, nc_year="6", sen_status="K", first_name="Ola")
    NeedFactory(pupil=pupil)
    PupilFactory(school=senco.school, nc_year="6", sen_status="N")  # no SEN: no pack
    client = client_for(senco)
    with on_commit(execute=True):
        client.post(reverse("reports:build_cohort"), {"year_group": "6"})
    run = ReportRun.objects.get()
    assert run.status == ReportRun.Status.DONE, run.error
    page = client.get(reverse("reports:run", args=[run.public_id]))
    pack_url = reverse("reports:pack", args=[pupil.public_id])
    assert pack_url.encode() in page.content
    pack = client.get(pack_url)
    assert b"Transition pack" in pack.content and b"SLCN" in pack.content
    assert AuditEvent.objects.filter(action="view", pupil_id=pupil.public_id).exists()
    # a teacher may not open packs
    assert client_for(teacher).get(pack_url).status_code == 403


def test_outsider_cannot_open_a_pack(senco, outsider):
    pupil = PupilFactory(school=senco.school, sen_status="K")
    assert (
        client_for(outsider).get(reverse("reports:pack", args=[pupil.public_id])).status_code == 404
    )


@pytest.mark.parametrize(
    "role,status",
    [("senco", 200), ("head", 200), ("governor", 200), ("trustlead", 200), ("teacher", 403)],
)
def test_dashboard_by_role(cast, role, status):
    assert client_for(cast[role]).get(reverse("reports:dashboard")).status_code == status


def test_governor_dashboard_is_anonymised(governor, head):
    for i in range(3):
        PupilFactory(school=governor.school, sen_status="E", first_name=f"Hidden{i}")
    PupilFactory.create_batch(12, school=governor.school, sen_status="K")
    page = client_for(governor).get(reverse("reports:dashboard")).content.decode()
    assert "anonymised-note" in page and "fewer than 5" in page and "Hidden" not in page
    assert "drill-register" not in page and "reviews-overdue" not in page
    named = client_for(head).get(reverse("reports:dashboard")).content.decode()
    assert 'id="status-E"><a href="/pupils/register/?sen_status=E">3</a>' in named
    assert "reviews-overdue" in named
    # Governors get no route from a figure down to pupils.
    assert "/pupils/" not in page and '<a href="/pupils' not in page


def test_dashboard_query_count_is_constant(head, django_assert_max_num_queries, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0  # count the year-to-date sections' queries too
    client = client_for(head)
    client.get(reverse("reports:dashboard"))  # warm the session
    PupilFactory.create_batch(5, school=head.school, sen_status="K")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(reverse("reports:dashboard"))
    for p in PupilFactory.create_batch(40, school=head.school, sen_status="E"):
        NeedFactory(pupil=p, sen_type="ASD")
    with django_assert_max_num_queries(len(small)):
        client.get(reverse("reports:dashboard"))


def test_dashboard_sections_are_cached_per_school_and_threshold(head, governor, outsider):
    """The year-to-date sections are kept a few minutes; live counts are not. A cached copy is
    never shown to another school, nor the head's unsuppressed one to a governor."""
    url = reverse("reports:dashboard")
    first = client_for(head).get(url)
    assert first.status_code == 200 and b'id="sections-as-at"' in first.content
    as_at = first.context["sections_as_at"]
    PupilFactory.create_batch(3, school=head.school, sen_status="E")
    again = client_for(head).get(url)
    assert again.context["sections_as_at"] == as_at  # the sections came from the cache
    assert 'sen_status=E">3</a>' in again.content.decode()  # the register counts are live
    # Governors get their own (suppressed) copy, worked out afresh.
    assert client_for(governor).get(url).context["sections_as_at"] > as_at
    # Another school's head gets their own school's sections, never these.
    other_head = MembershipFactory(school=outsider.school, role="head")
    other = client_for(other_head).get(url)
    assert other.context["sections_as_at"] > as_at and other.context["school"] == outsider.school


def test_dashboard_cache_can_be_turned_off(head, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    url = reverse("reports:dashboard")
    first = client_for(head).get(url).context["sections_as_at"]
    assert client_for(head).get(url).context["sections_as_at"] > first


def test_trust_dashboard(trustlead, teacher):
    page = client_for(trustlead).get(reverse("reports:dashboard_trust"))
    assert page.status_code == 200 and b"trust-table" in page.content
    assert client_for(teacher).get(reverse("reports:dashboard_trust")).status_code == 403


def test_trust_lead_opens_one_schools_dashboard_from_the_comparison(trustlead, other_school):
    """Each school's row opens its own dashboard: the switch goes to that school, then there."""
    import datetime as dt

    from django.utils import timezone

    MembershipFactory(user=trustlead.user, school=other_school, role="trust")
    PupilFactory(school=other_school, sen_status="K",
                 next_review_due=timezone.localdate() - dt.timedelta(days=2))  # fmt: skip
    client = client_for(trustlead)
    page = client.get(reverse("reports:dashboard_trust"))
    row = next(r for r in page.context["rows"] if r["school"] == other_school)
    assert row["reviews"] == {"overdue": 1, "due_soon": 0}
    assert f'value="{other_school.public_id}"' in page.content.decode()
    switch = {"school": str(other_school.public_id), "next": reverse("reports:dashboard")}
    response = client.post(reverse("switch_school"), switch)
    assert response.status_code == 302 and response["Location"] == reverse("reports:dashboard")
    assert client.get(response["Location"]).context["school"] == other_school
    # Only a path on this site: anything else goes home.
    for elsewhere in ("https://evil.example/", "//evil.example/x"):
        response = client.post(reverse("switch_school"), {**switch, "next": elsewhere})
        assert response["Location"] == reverse("home")


def test_info_report_edit_publish_and_public_page(senco, governor, client):
    url = reverse("reports:info_edit")
    assert client_for(governor).get(url).status_code == 403
    data = {f: "" for f in InfoReport.ITEM_FIELDS}
    data.update(item_1="We provide for all four broad areas.", published="on")
    response = client_for(senco).post(url, data)
    assert response.status_code == 302
    public = reverse("reports:info_public", args=[senco.school.public_id])
    page = client.get(public)  # anonymous
    assert page.status_code == 200 and b"We provide for all four broad areas." in page.content
    assert client.get(public + "?format=pdf").content[:4] == b"%PDF"


def test_unpublished_info_report_is_404(senco, client):
    InfoReport.objects.create(school=senco.school, published=False)
    assert (
        client.get(reverse("reports:info_public", args=[senco.school.public_id])).status_code == 404
    )


def test_governor_home_panel_offers_the_report(governor):
    run = _done(governor.school)
    page = client_for(governor).get(reverse("home")).content.decode()
    assert "panel-governors-report" in page
    assert reverse("reports:run_download", args=[run.public_id]) in page


def test_reports_index_query_count_is_constant(senco, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(senco)
    ReportRunFactory(school=senco.school, requested_by=senco.user)
    client.get(reverse("reports:index"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("reports:index"))
    ReportRunFactory.create_batch(15, school=senco.school, requested_by=senco.user)
    with django_assert_max_num_queries(len(few)):
        client.get(reverse("reports:index"))


def test_info_edit_shows_missing_items(senco):
    page = client_for(senco).get(reverse("reports:info_edit"))
    assert page.status_code == 200 and b"info-missing" in page.content


def test_public_info_report_hides_small_counts_consistently(senco, client):
    PupilFactory.create_batch(12, school=senco.school, sen_status="K")
    PupilFactory.create_batch(3, school=senco.school, sen_status="E", first_name="Secret")
    PupilFactory.create_batch(10, school=senco.school)
    InfoReport.objects.create(school=senco.school, published=True)
    page = client.get(
        reverse("reports:info_public", args=[senco.school.public_id])
    ).content.decode()
    assert "15 pupils" in page and "fewer than 5 had an education" in page
    assert "12 received" not in page and "Secret" not in page


def test_info_report_history_shows_who_changed_which_answer(senco, head, outsider):
    from django.utils.html import escape

    url = reverse("reports:info_edit")
    data = {f: "" for f in InfoReport.ITEM_FIELDS}
    data.update(item_1="We provide for all four broad areas.")
    assert client_for(senco).post(url, data).status_code == 302
    data.update(item_1="We provide for all four broad areas, and a <b>resourced</b> base.")
    data.update(item_9="Complaints go to the head first.", published="on")
    assert client_for(head).post(url, data).status_code == 302

    page = client_for(senco).get(reverse("reports:info_history"))
    assert page.status_code == 200
    newest, older = page.context["versions"][0], page.context["versions"][1]
    assert newest["by"] == head.user and older["by"] == senco.user
    changed = {c["label"]: c for c in newest["changes"]}
    assert set(changed) == {
        "1. Kinds of SEN the school provides for",
        "9. Complaints about SEN provision",
        "Published on the school's website",
    }
    assert changed["1. Kinds of SEN the school provides for"]["old"] == (
        "We provide for all four broad areas."
    )
    assert changed["Published on the school's website"] == {
        "label": "Published on the school's website", "old": "No", "new": "Yes"
    }  # fmt: skip
    html = page.content.decode()
    assert escape("a <b>resourced</b> base") in html and "<b>resourced</b>" not in html
    assert AuditEvent.objects.filter(summary__contains="information report's history").exists()
    # Another school's history is its own (empty of these answers).
    other = client_for(outsider).get(reverse("reports:info_history"))
    assert other.status_code == 200 and "resourced" not in other.content.decode()


def test_info_report_history_of_a_version_saved_by_no_one(senco):
    """A version saved with no user (the demo data, a command) was a 500: the template looked up
    a username on None."""
    InfoReport.objects.create(school=senco.school, item_1="Saved by a command")
    page = client_for(senco).get(reverse("reports:info_history"))
    assert page.status_code == 200
    assert "(no user recorded)" in page.content.decode()


@pytest.mark.parametrize(
    "role,status", [("senco", 200), ("head", 200), ("teacher", 403), ("governor", 403)]
)
def test_info_report_history_by_role(cast, role, status):
    assert client_for(cast[role]).get(reverse("reports:info_history")).status_code == status


def test_reports_page_offers_the_same_school_year_as_the_home_panel(governor):
    from reports.forms import default_report_year

    page = client_for(governor).get(reverse("reports:index"))
    assert page.context["governors_form"]["year"].value() == default_report_year()
    assert 'class="form-select"' in page.content.decode()


def test_trust_comparison_shows_each_schools_year_figures_as_its_dashboard_does(
    trustlead, head, school, other_school
):
    """The comparison's provision, spend, outcomes and EHC columns are the school's own
    dashboard figures, per school."""
    from decimal import Decimal

    from django.utils import timezone

    from provision.models import SenBudget
    from reports.dashboards import selectors_year

    MembershipFactory(user=trustlead.user, school=other_school, role="trust")
    year = selectors_year(timezone.localdate())  # the dashboards' year: its budget's year
    SenBudget.objects.create(school=school, year=year, amount=Decimal("48000"))
    client = client_for(trustlead)
    page = client.get(reverse("reports:dashboard_trust")).content.decode()
    # The year's table comes after the page (htmx), from its own URL.
    assert f'hx-get="{reverse("reports:dashboard_trust_year")}"' in page
    part = client.get(reverse("reports:dashboard_trust_year"), headers={"HX-Request": "true"})
    assert b'id="trust-year"' in part.content and b"<html" not in part.content
    rows = {r["school"]: r["year"] for r in part.context["rows"]}
    assert rows[school]["budget"] == "£48,000"
    assert rows[other_school]["budget"] == "not set"
    own = client_for(head).get(reverse("reports:dashboard")).context["extra_sections"]
    spend = dict(next(s for s in own if s["key"] == "spend")["facts"])
    assert rows[school]["spent"] == spend["Cost of provision delivered so far"]
    # Without JavaScript: a page of its own, in the layout.
    alone = client.get(reverse("reports:dashboard_trust_year"))
    assert b'id="trust-year"' in alone.content and b"<html" in alone.content


def test_public_pdf_is_rendered_once_per_version_of_the_report(senco, client, monkeypatch):
    """Anyone may ask for the published PDF: the same content is rendered once (the shared
    cache), and a changed answer is a new PDF at once."""
    from reports import rendering

    calls = []
    real = rendering.render_pdf
    monkeypatch.setattr(rendering, "render_pdf", lambda html: calls.append(html) or real(html))
    report = InfoReport.objects.create(school=senco.school, published=True, item_1="First.")
    url = reverse("reports:info_public", args=[senco.school.public_id]) + "?format=pdf"
    first = client.get(url).content
    assert first[:4] == b"%PDF" and client.get(url).content == first
    assert len(calls) == 1
    report.item_1 = "Second answer."
    report.save()
    assert client.get(url).content[:4] == b"%PDF"
    assert len(calls) == 2 and "Second answer." in calls[1]
