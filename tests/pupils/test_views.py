"""Register views for every role: who may, who may not, and that another school is a 404."""

import datetime as dt
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pupils.models import AccessArrangement, Contact, PupilDocument
from sencoweb.models import AuditEvent
from tests.factories import NeedFactory, PupilFactory, TeachingGroupFactory
from tests.helpers import audit_queries, client_for

XSS = '<script>alert("x")</script>'


def url(name, *args):
    return reverse(f"pupils:{name}", args=args)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("senco", 200),
        ("head", 200),
        ("trustlead", 200),
        ("teacher", 403),
        ("ta", 403),
        ("governor", 403),
    ],
)
def test_register_access(cast, who, status, taught_pupil):
    assert client_for(cast[who]).get(url("register")).status_code == status


def test_register_is_school_scoped(outsider, taught_pupil):
    response = client_for(outsider).get(url("register"))
    assert taught_pupil.last_name not in response.content.decode()


def test_register_anonymous_goes_to_sign_in(client, school):
    response = client.get(url("register"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_register_lists_sen_pupils_with_needs_and_filters(senco, school):
    k = PupilFactory(school=school, last_name="Kapoor", sen_status="K", eal=True)
    NeedFactory(pupil=k, rank=1, sen_type="SLCN")
    NeedFactory(pupil=k, rank=2, sen_type="SEMH")
    e = PupilFactory(school=school, last_name="Evans", sen_status="E", looked_after=True)
    NeedFactory(pupil=e, rank=1, sen_type="ASD")
    PupilFactory(school=school, last_name="Nobody", sen_status="N")
    gone = PupilFactory(
        school=school, last_name="Gone", sen_status="K", archived_at=dt.datetime.now(dt.UTC)
    )
    client = client_for(senco)
    body = client.get(url("register")).content.decode()
    assert "Kapoor" in body and "Evans" in body and "SEMH" in body
    assert "Nobody" not in body and gone.last_name not in body
    assert "Communication and interaction" in body
    filtered = client.get(url("register"), {"sen_status": "E"}).content.decode()
    assert "Evans" in filtered and "Kapoor" not in filtered
    by_area = client.get(url("register"), {"area": "CI"}).content.decode()
    assert "Kapoor" in by_area and "Evans" in by_area
    by_need = client.get(url("register"), {"secondary_need": "SEMH"}).content.decode()
    assert "Kapoor" in by_need and "Evans" not in by_need
    lac = client.get(url("register"), {"looked_after": "1"}).content.decode()
    assert "Evans" in lac and "Kapoor" not in lac
    search = client.get(url("register"), {"q": k.upn}).content.decode()
    assert "Kapoor" in search and "Evans" not in search
    sorted_desc = client.get(url("register"), {"sort": "-name"}).content.decode()
    assert sorted_desc.index("Kapoor") < sorted_desc.index("Evans")


def test_register_marks_overdue_reviews(senco, school):
    """A next review date already past stands out as overdue; today's and later ones do not."""
    from django.utils import timezone

    today = timezone.localdate()
    late = PupilFactory(school=school, last_name="Late", sen_status="K",
                        next_review_due=today - dt.timedelta(days=1))  # fmt: skip
    PupilFactory(school=school, last_name="Ontime", sen_status="K", next_review_due=today)
    rows = re.findall(r"<tr>.*?</tr>", client_for(senco).get(url("register")).content.decode(),
                      flags=re.S)  # fmt: skip
    late_row = next(r for r in rows if "Late" in r)
    on_time_row = next(r for r in rows if "Ontime" in r)
    assert "Overdue" in late_row and late.next_review_due.strftime("%b %Y") in late_row
    assert "Overdue" not in on_time_row


def test_register_class_filter_offers_the_schools_classes_and_filters_by_them(
    senco, school, other_school
):
    # The Class list was built before its queryset was set, so it offered only "Any".
    mine = TeachingGroupFactory(school=school, name="Class 4K")
    other = TeachingGroupFactory(school=school, name="Class 6P")
    theirs = TeachingGroupFactory(school=other_school, name="Class 9Z")
    PupilFactory(school=other_school, sen_status="K", reg_group=theirs)
    in_4k = PupilFactory(school=school, last_name="Kapoor", sen_status="K", reg_group=mine)
    NeedFactory(pupil=in_4k, rank=1)
    in_6p = PupilFactory(school=school, last_name="Evans", sen_status="K", reg_group=other)
    NeedFactory(pupil=in_6p, rank=1)
    client = client_for(senco)
    page = client.get(url("register")).content.decode()
    select = re.search(r'<select name="reg_group".*?</select>', page, re.S).group(0)
    assert "Class 4K" in select and "Class 6P" in select and "Class 9Z" not in select
    filtered = client.get(url("register"), {"reg_group": mine.pk}).content.decode()
    assert "Kapoor" in filtered and "Evans" not in filtered
    export = client.get(url("register"), {"reg_group": mine.pk, "format": "csv"})
    text = export.content.decode("utf-8-sig")
    assert "Kapoor" in text and "Evans" not in text


def test_register_query_count_is_pinned_and_constant(senco, school, django_assert_num_queries):
    group = TeachingGroupFactory(school=school)

    def make(n):
        for _ in range(n):
            p = PupilFactory(school=school, sen_status="K", reg_group=group)
            NeedFactory(pupil=p, rank=1)
            NeedFactory(pupil=p, rank=2, sen_type="SEMH")

    make(3)
    client = client_for(senco)
    client.get(url("register"))  # warm the session
    # session, user, memberships, nav unread count, area map, the Class filter's options,
    # counts, page rows, and the audit row (tests.helpers.audit_queries)
    with django_assert_num_queries(8 + audit_queries()):
        client.get(url("register"))
    make(20)
    with django_assert_num_queries(8 + audit_queries()):
        client.get(url("register"))


def test_register_export_csv_is_formula_safe_and_audited(senco, school):
    p = PupilFactory(school=school, sen_status="K", last_name='=HYPERLINK("http://x")')
    NeedFactory(pupil=p)
    response = client_for(senco).get(url("register"), {"format": "csv"})
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert AuditEvent.objects.filter(action="export", school=school).exists()
    xlsx = client_for(senco).get(url("register"), {"format": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_register_export_has_the_top_up_flag_the_register_shows(senco, school):
    # The register flagged Top-up on the page, but its CSV and Excel exports left it out.
    from django.utils import timezone

    from provision.models import TopUpFunding

    funded = PupilFactory(school=school, sen_status="E", last_name="Funded")
    PupilFactory(school=school, sen_status="K", last_name="Unfunded")
    TopUpFunding.objects.create(
        school=school,
        pupil=funded,
        la_name="Bristol",
        amount=5400,
        starts_on=timezone.localdate() - dt.timedelta(days=30),
    )
    response = client_for(senco).get(url("register"), {"format": "csv"})
    rows = [line.split(",") for line in response.content.decode("utf-8-sig").splitlines()]
    column = rows[0].index("Top-up funding")
    assert {row[1]: row[column] for row in rows[1:]} == {"Funded": "Yes", "Unfunded": ""}


def test_trust_lead_cannot_export(trustlead, taught_pupil):
    assert client_for(trustlead).get(url("register"), {"format": "csv"}).status_code == 403


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("senco", 200),
        ("head", 200),
        ("teacher", 200),
        ("ta", 200),
        ("governor", 403),
        ("outsider", 404),
    ],
)
def test_detail_access(cast, who, status, taught_pupil):
    assert client_for(cast[who]).get(url("detail", taught_pupil.public_id)).status_code == status


def test_teacher_not_in_group_gets_404(teacher, school):
    stranger = PupilFactory(school=school, sen_status="K")
    assert client_for(teacher).get(url("detail", stranger.public_id)).status_code == 404


def test_detail_is_audited_and_escapes_free_text(senco, taught_pupil):
    taught_pupil.what_helps = XSS
    taught_pupil.save()
    body = client_for(senco).get(url("detail", taught_pupil.public_id)).content.decode()
    assert XSS not in body and "&lt;script&gt;" in body
    assert AuditEvent.objects.filter(action="view", pupil_id=taught_pupil.public_id).exists()


def test_teacher_does_not_see_family_or_documents(teacher, senco, taught_pupil):
    Contact.objects.create(
        pupil=taught_pupil, name="Grace Okafor", relationship="Mother", phone="07700 900123"
    )
    senco_body = client_for(senco).get(url("detail", taught_pupil.public_id)).content.decode()
    assert "07700 900123" in senco_body and 'id="documents"' in senco_body
    body = client_for(teacher).get(url("detail", taught_pupil.public_id)).content.decode()
    assert "07700 900123" not in body and "Grace Okafor" not in body
    assert 'id="documents"' not in body and 'id="edit-profile"' not in body
    assert 'id="what-helps"' in body


def test_archived_pupil_stays_readable_for_senco(senco, school):
    pupil = PupilFactory(school=school, last_name="Farleigh", sen_status="K")
    NeedFactory(pupil=pupil)
    response = client_for(senco).post(
        url("archive", pupil.public_id),
        {
            "left_on": dt.date.today().isoformat(),
            "left_for": "abroad",
            "destination": "Elm High (URN 100001), Lisbon",
        },
    )
    assert response.status_code == 302
    pupil.refresh_from_db()
    assert pupil.retention_until == pupil.date_of_birth.replace(year=pupil.date_of_birth.year + 31)
    body = client_for(senco).get(url("detail", pupil.public_id)).content.decode()
    assert "Elm High" in body and 'id="archived-note"' in body
    assert pupil.last_name not in client_for(senco).get(url("register")).content.decode()


def test_decision_form_shows_census_error_next_to_the_field(senco, school):
    pupil = PupilFactory(school=school)
    response = client_for(senco).post(
        url("decision_new", pupil.public_id),
        {
            "to_status": "K",
            "decided_on": dt.date.today().isoformat(),
            "reason": "r",
            "decided_by": "SENCO",
        },
    )
    assert response.status_code == 422
    assert "add the need first" in response.content.decode()


def test_decision_records_and_shows_history(senco, school):
    pupil = PupilFactory(school=school)
    NeedFactory(pupil=pupil)
    client = client_for(senco)
    today = dt.date.today().isoformat()
    response = client.post(
        url("decision_new", pupil.public_id),
        {
            "to_status": "K",
            "decided_on": today,
            "reason": "Assessed",
            "decided_by": "SENCO",
            "parents_informed": "on",
            "parents_informed_on": today,
        },
    )
    assert response.status_code == 302
    body = client.get(url("detail", pupil.public_id)).content.decode()
    assert "Not on the SEN register → SEN support (K)" in body


@pytest.mark.parametrize("who", ["teacher", "ta", "head", "governor"])
def test_only_register_editors_change_status(cast, who, taught_pupil):
    assert client_for(cast[who]).get(url("decision_new", taught_pupil.public_id)).status_code == 403


def test_outsider_edit_is_404(outsider, taught_pupil):
    assert client_for(outsider).get(url("decision_new", taught_pupil.public_id)).status_code == 404
    assert client_for(outsider).get(url("need_add", taught_pupil.public_id)).status_code == 404


def test_need_add_view_and_rank_error(senco, taught_pupil):
    client = client_for(senco)
    data = {"sen_type": "SLCN", "rank": 1, "starts_on": "2025-09-04", "description": XSS}
    assert client.post(url("need_add", taught_pupil.public_id), data).status_code == 302
    again = client.post(url("need_add", taught_pupil.public_id), {**data, "sen_type": "SEMH"})
    assert again.status_code == 422 and "already an active rank 1" in again.content.decode()
    body = client.get(url("detail", taught_pupil.public_id)).content.decode()
    assert XSS not in body


def test_teacher_raises_concern_only_for_pupils_they_see(teacher, senco, taught_pupil, school):
    stranger = PupilFactory(school=school)
    client = client_for(teacher)
    data = {
        "area": "CL",
        "what_seen": "Cannot copy from the board",
        "evidence": "",
        "parents_aware": "",
    }
    bad = client.post(url("concern_new"), {**data, "pupil": stranger.public_id})
    assert bad.status_code == 422
    ok = client.post(url("concern_new"), {**data, "pupil": taught_pupil.public_id})
    assert ok.status_code == 302
    assert "Cannot copy from the board" in client_for(senco).get(url("concerns")).content.decode()


def test_governor_cannot_raise_or_triage(governor, taught_pupil):
    assert client_for(governor).get(url("concern_new")).status_code == 403
    assert client_for(governor).get(url("concerns")).status_code == 403


def test_triage_to_register_goes_to_the_decision_form(senco, teacher, taught_pupil):
    from pupils.models import Concern
    from tests.factories import ConcernFactory

    concern = ConcernFactory(pupil=taught_pupil, raised_by=teacher.user, what_seen=XSS)
    assert client_for(teacher).get(url("concern_triage", concern.public_id)).status_code == 403
    client = client_for(senco)
    page = client.get(url("concern_triage", concern.public_id)).content.decode()
    assert XSS not in page
    type(taught_pupil).objects.filter(pk=taught_pupil.pk).update(sen_status="N")
    response = client.post(
        url("concern_triage", concern.public_id), {"outcome": "register", "reason": "Clear need"}
    )
    assert response.status_code == 302 and "to=K" in response["Location"]
    # Open until the decision is recorded (tests/pupils/test_senco_journey.py).
    assert Concern.objects.get(pk=concern.pk).outcome == "open"


def test_triage_to_register_of_a_pupil_already_on_it_is_done_at_once(senco, taught_pupil):
    from pupils.models import Concern
    from tests.factories import ConcernFactory

    type(taught_pupil).objects.filter(pk=taught_pupil.pk).update(sen_status="K")
    concern = ConcernFactory(pupil=taught_pupil)
    response = client_for(senco).post(
        url("concern_triage", concern.public_id), {"outcome": "register", "reason": "On it"}
    )
    assert response["Location"] == url("concerns")
    assert Concern.objects.get(pk=concern.pk).outcome == "register"


def test_concern_triage_other_school_404(outsider, taught_pupil):
    from tests.factories import ConcernFactory

    concern = ConcernFactory(pupil=taught_pupil)
    assert client_for(outsider).get(url("concern_triage", concern.public_id)).status_code == 404


def test_my_classes_shows_strategies_with_pinned_queries(
    teacher, school, class_group, django_assert_num_queries
):
    def make(n):
        for _ in range(n):
            p = PupilFactory(school=school, sen_status="K", what_helps="Visual timetable")
            NeedFactory(pupil=p)
            p.teaching_groups.add(class_group)

    make(2)
    client = client_for(teacher)
    assert "Visual timetable" in client.get(url("my_classes")).content.decode()
    # session, user, memberships, unread count, groups, pupils + their needs, registered pupils
    # + their needs, one per pupils.hooks.class_strategy_sources source (reviews: issued plan
    # versions), and the audit row (tests.helpers.audit_queries)
    with django_assert_num_queries(9 + audit_queries()):
        client.get(url("my_classes"))
    make(10)
    with django_assert_num_queries(9 + audit_queries()):
        client.get(url("my_classes"))


def test_my_classes_refused_for_governor(governor):
    assert client_for(governor).get(url("my_classes")).status_code == 403


PDF = b"%PDF-1.4\n%test\n"


def test_document_upload_checks_type_and_download_is_checked(
    senco, teacher, head, outsider, taught_pupil
):
    client = client_for(senco)
    fake = SimpleUploadedFile("report.pdf", b"MZ not a pdf", content_type="application/pdf")
    bad = client.post(
        url("document_upload", taught_pupil.public_id),
        {"title": "EP report", "kind": "report", "file": fake},
    )
    assert bad.status_code == 422 and "not really a .pdf" in bad.content.decode()
    exe = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    assert (
        client.post(
            url("document_upload", taught_pupil.public_id),
            {"title": "x", "kind": "report", "file": exe},
        ).status_code
        == 422
    )
    good = SimpleUploadedFile("EP report.pdf", PDF, content_type="application/pdf")
    assert (
        client.post(
            url("document_upload", taught_pupil.public_id),
            {"title": "EP report", "kind": "report", "file": good},
        ).status_code
        == 302
    )
    doc = PupilDocument.objects.get()
    assert "EP report" not in doc.file.name  # the user's file name never reaches the disk
    download = url("document_download", taught_pupil.public_id, doc.public_id)
    response = client.get(download)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert AuditEvent.objects.filter(action="download", pupil_id=taught_pupil.public_id).exists()
    assert client_for(head).get(download).status_code == 200
    assert client_for(teacher).get(download).status_code == 403
    assert client_for(outsider).get(download).status_code == 404


def test_document_too_large(senco, taught_pupil, settings):
    settings.UPLOAD_MAX_BYTES = 10
    big = SimpleUploadedFile("big.pdf", PDF + b"x" * 20, content_type="application/pdf")
    response = client_for(senco).post(
        url("document_upload", taught_pupil.public_id),
        {"title": "Big", "kind": "report", "file": big},
    )
    assert response.status_code == 422 and "larger than" in response.content.decode()


def test_access_arrangement_form_and_expiring_list(senco, teacher, taught_pupil):
    client = client_for(senco)
    data = {
        "kind": "et25",
        "normal_way_of_working": "Finishes tests with extra time",
        "approved_on": "2024-03-01",
    }
    missing = client.post(url("access_new", taught_pupil.public_id), data)
    assert missing.status_code == 422 and "qualified assessor" in missing.content.decode()
    data.update(
        {
            "assessor_name": "J Patel",
            "assessor_qualification": "l7",
            "qualification_checked_on": "2024-01-10",
            "assessed_on": "2024-01-20",
            "score_1": 80,
            "score_2": 86,
        }
    )
    assert client.post(url("access_new", taught_pupil.public_id), data).status_code == 302
    aa = AccessArrangement.objects.get()
    assert aa.expires_on == dt.date(2026, 5, 1)
    listing = client.get(url("access_arrangements")).content.decode()
    assert 'id="expiring"' in listing or aa.expires_on > dt.date.today() + dt.timedelta(days=100)
    assert client_for(teacher).get(url("access_arrangements")).status_code == 403
    assert (
        "25% extra time"
        in client_for(teacher).get(url("detail", taught_pupil.public_id)).content.decode()
    )


def test_agencies_and_involvement(senco, teacher, outsider, taught_pupil):
    client = client_for(senco)
    assert (
        client.post(url("agency_new"), {"name": "City EP Service", "kind": "ep"}).status_code == 302
    )
    from pupils.models import Agency

    agency = Agency.objects.get()
    assert client_for(outsider).get(url("agency_edit", agency.public_id)).status_code == 404
    assert client_for(teacher).get(url("agencies")).status_code == 403
    response = client.post(
        url("involvement_new", taught_pupil.public_id),
        {"agency": agency.pk, "referral_date": "2025-10-01", "status": "discharged"},
    )
    assert response.status_code == 422 and "discharge date" in response.content.decode()
    response = client.post(
        url("involvement_new", taught_pupil.public_id),
        {"agency": agency.pk, "referral_date": "2025-10-01", "status": "waiting"},
    )
    assert response.status_code == 302
    assert (
        "Referred to City EP Service"
        in client.get(url("detail", taught_pupil.public_id)).content.decode()
    )


def test_involvement_dates_must_agree_with_each_other_and_the_status(senco, taught_pupil):
    # Saved before: "Referred 1 Oct · next appointment 1 Sep", and a waiting involvement with a
    # discharge date, which the chronology then listed as "Discharged by ...".
    from pupils.models import Agency, Involvement

    agency = Agency.objects.create(school=taught_pupil.school, name="City EP", kind="ep")
    client = client_for(senco)
    new = url("involvement_new", taught_pupil.public_id)
    base = {"agency": agency.pk, "referral_date": "2025-10-01", "status": "waiting"}
    response = client.post(new, {**base, "next_appointment": "2025-09-01"})
    assert response.status_code == 422
    assert "The next appointment is before the referral date." in unescape(
        response.content.decode()
    )
    response = client.post(new, {**base, "discharged_on": "2025-12-01"})
    assert response.status_code == 422
    assert "choose Discharged as the status" in response.content.decode()
    assert not Involvement.objects.exists()
    ok = {**base, "status": "discharged", "discharged_on": "2025-12-01"}
    assert client.post(new, ok).status_code == 302


def test_contacts_and_liaison(senco, taught_pupil):
    client = client_for(senco)
    assert (
        client.post(
            url("contact_new", taught_pupil.public_id),
            {
                "name": "Grace",
                "relationship": "Mother",
                "parental_responsibility": "on",
                "preferred_contact": "email",
            },
        ).status_code
        == 302
    )
    response = client.post(
        url("liaison_add", taught_pupil.public_id),
        {
            "kind": "call",
            "happened_on": "2026-01-05",
            "summary": "Discussed reading",
            "follow_up_due": "2026-01-20",
        },
    )
    assert response.status_code == 422
    assert (
        client.post(
            url("liaison_add", taught_pupil.public_id),
            {
                "kind": "call",
                "happened_on": "2026-01-05",
                "summary": "Discussed reading",
                "follow_up": "Send book list",
                "follow_up_due": "2026-01-20",
            },
        ).status_code
        == 302
    )
    entry = taught_pupil.liaison.get()
    assert (
        client.post(url("liaison_done", taught_pupil.public_id, entry.public_id)).status_code == 302
    )
    entry.refresh_from_db()
    assert entry.follow_up_done_on is not None


def test_home_panels(senco, teacher, taught_pupil):
    body = client_for(senco).get("/").content.decode()
    assert 'id="panel-concerns-count"' in body and 'id="panel-register-counts"' in body
    teacher_home = client_for(teacher).get("/").content.decode()
    assert (
        'id="panel-my-sen-count"' in teacher_home
        and 'id="panel-register-counts"' not in teacher_home
    )


def test_senco_profile_links_the_subject_access_export(senco, teacher, taught_pupil):
    from django.urls import reverse

    from tests.helpers import client_for

    url = reverse("pupils:detail", args=[taught_pupil.public_id])
    sar = reverse("privacy:subject_access", args=[taught_pupil.public_id, "pdf"])
    assert sar in client_for(senco).get(url).content.decode()
    assert sar not in client_for(teacher).get(url).content.decode()


def _href(html: str, pattern: str) -> str:
    """The href of the first link matching `pattern` (what follows the href attribute)."""
    match = re.search(rf'href="([^"]*)"{pattern}', html)
    assert match, f"no link {pattern}"
    return unescape(match.group(1))


def test_register_links_keep_the_filters_and_work_when_followed(senco, school):
    """The export, sort and page links are built from the current query string; follow them as a
    browser would (a link starting "??" puts every parameter under a wrong name)."""
    for i in range(105):
        PupilFactory(school=school, sen_status="K", last_name=f"Pupil{i:03d}")
    client = client_for(senco)
    base = reverse("pupils:register")
    page = client.get(base, {"status": "K"}).content.decode()
    csv_link = _href(page, ' id="export-csv"')
    assert csv_link.startswith("?") and not csv_link.startswith("??")
    export = client.get(base + csv_link)
    assert export["Content-Type"].startswith("text/csv")
    assert export.content.decode().count("\n") == 106  # header and every K pupil, not a page
    xlsx = client.get(base + _href(page, ' id="export-xlsx"'))
    assert "spreadsheetml" in xlsx["Content-Type"]
    second = client.get(base + _href(page, ">Next</a>"))
    assert second.context["page"].number == 2 and second.context["filters"].data["status"] == "K"
    assert client.get(base + _href(page, ">Year</a>")).context["sort"] == "year"


def test_profile_query_count_is_pinned_and_constant(senco, school, django_assert_num_queries):
    """The profile of a pupil with a long history costs the same queries as a short one."""
    import itertools

    from pupils.models import (
        Agency,
        Concern,
        Contact,
        ImportedEvent,
        Involvement,
        LiaisonEntry,
        Professional,
        StatusDecision,
    )
    from tests.provision.factories import GroupFactory, enrol

    pupil = PupilFactory(school=school, sen_status="K")
    agency = Agency.objects.create(school=school, name="Speech and language", kind="SALT")
    statuses = itertools.cycle(["K", "M"])

    def history(n):
        for i in range(n):
            NeedFactory(pupil=pupil, rank=10 + pupil.needs.count())
            StatusDecision.objects.create(
                pupil=pupil, decided_on=dt.date(2025, 1, 1) + dt.timedelta(days=pupil.pk + i),
                from_status=next(statuses), to_status=next(statuses), reason="Review",
                recorded_by=senco.user,
            )  # fmt: skip
            Concern.objects.create(school=school, pupil=pupil, raised_by=senco.user, area="CL",
                                   what_seen="Struggles with instructions")  # fmt: skip
            contact = Contact.objects.create(pupil=pupil, name=f"Carer {i}", relationship="Aunt")
            LiaisonEntry.objects.create(pupil=pupil, contact=contact, kind="call",
                                        happened_on=dt.date(2025, 3, 1), summary="Call",
                                        recorded_by=senco.user)  # fmt: skip
            professional = Professional.objects.create(agency=agency, name=f"Therapist {i}")
            Involvement.objects.create(pupil=pupil, agency=agency, professional=professional,
                                       referral_date=dt.date(2025, 2, 1))  # fmt: skip
            enrol(GroupFactory(school=school, staff=senco), pupil)
            ImportedEvent.objects.create(pupil=pupil, happened_on=dt.date(2024, 5, 1),
                                         kind="review", title="Support plan review",
                                         source_school="Elm Primary",
                                         pack_dated=dt.date(2025, 7, 1),
                                         imported_by=senco.user)  # fmt: skip

    history(1)
    client = client_for(senco)
    url = reverse("pupils:detail", args=[pupil.public_id])
    client.get(url)  # warm the session
    with django_assert_num_queries(21 + audit_queries()):
        assert client.get(url).status_code == 200
    history(6)
    with django_assert_num_queries(21 + audit_queries()):
        assert client.get(url).status_code == 200


def test_a_pupil_taught_in_class_and_tutor_group_is_listed_once(teacher, school, taught_pupil):
    from types import SimpleNamespace

    from pupils.access import visible_pupils

    tutor_group = TeachingGroupFactory(school=school, name="5T")
    tutor_group.staff.add(teacher.user)
    taught_pupil.reg_group = tutor_group
    taught_pupil.save()
    PupilFactory(school=school, sen_status="K")  # not taught: not visible
    request = SimpleNamespace(membership=teacher, school=school, user=teacher.user)
    assert list(visible_pupils(request)) == [taught_pupil]


def test_no_export_buttons_when_no_pupil_matches(senco, school):
    PupilFactory(school=school, sen_status="K", last_name="Alder")
    client = client_for(senco)
    assert 'id="export-csv"' in client.get(url("register")).content.decode()
    empty = client.get(url("register"), {"q": "Nobody-by-this-name"}).content.decode()
    assert 'id="export-csv"' not in empty and 'id="export-xlsx"' not in empty
