"""Subject access export and retention."""

import datetime as dt
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from pupils.models import Contact, Need, Pupil
from reports.sar import subject_access_data
from sencoweb.models import AuditEvent
from tests.factories import ConcernFactory, NeedFactory, PupilFactory
from tests.helpers import client_for


@pytest.fixture
def subject(school, senco, taught_pupil):
    pupil = taught_pupil
    pupil.about_me = "I like trains & <drawing>"
    pupil.save()
    NeedFactory(pupil=pupil)
    ConcernFactory(pupil=pupil, school=school, raised_by=senco.user)
    other = PupilFactory(school=school, first_name="Zebedee")
    ConcernFactory(pupil=other, school=school, raised_by=senco.user)
    return pupil


def test_export_reaches_the_other_apps_records_without_third_parties(subject, senco, school):
    from tests.provision.factories import GroupFactory, enrol
    from tests.reviews.cycle_helpers import issued_cycle
    from tests.reviews.ehc_factories import EhcPlanFactory

    cycle = issued_cycle(subject, senco.user)
    EhcPlanFactory(pupil=subject)
    group = GroupFactory(school=school, staff=senco)
    classmate = PupilFactory(school=school, first_name="Quentin", last_name="Classmate")
    enrol(group, subject, classmate)
    data = subject_access_data(subject)
    sections = _sections(data)
    assert {"reviews.SupportCycle", "reviews.EhcPlan", "provision.Enrolment"} <= set(sections)
    # Child records come nested under their parent: the plan's outcomes under the cycle.
    nested = {
        c["model"] for row in sections["reviews.SupportCycle"]["rows"] for c in row["records"]
    }
    assert "reviews.Outcome" in nested
    assert cycle.outcomes.count() == sum(
        len(c["rows"])
        for row in sections["reviews.SupportCycle"]["rows"]
        for c in row["records"]
        if c["model"] == "reviews.Outcome"
    )
    assert "Classmate" not in json.dumps(data)


def _sections(data):
    return {s["model"]: s for s in data["records"]}


def test_export_gathers_every_related_record_of_the_pupil_only(subject):
    data = subject_access_data(subject)
    sections = _sections(data)
    # Generic: every model with a foreign key to Pupil that has rows for this pupil appears.
    for rel in Pupil._meta.related_objects:
        if rel.many_to_many or rel.related_model.__name__.startswith("Historical"):
            continue
        if rel.related_model.objects.filter(**{rel.field.name: subject}).exists():
            assert rel.related_model._meta.label in sections, rel.related_model
    assert len(sections["pupils.Need"]["rows"]) == Need.objects.filter(pupil=subject).count()
    assert len(sections["pupils.Concern"]["rows"]) == 1  # not the other pupil's concern
    assert "Zebedee" not in json.dumps(data)
    assert data["pupil"]["About me"] == "I like trains & <drawing>"
    changes = {(h["record"], h["change"]) for h in data["change_history"]}
    assert ("Pupil record", "changed") in changes
    # The records kept with the pupil have their versions in the export too.
    assert any(r.startswith("Need: ") and c == "created" for r, c in changes)


def test_command_writes_json_and_pdf(subject, tmp_path):
    call_command("subject_access_export", pupil=str(subject.public_id), out=str(tmp_path))
    files = sorted(p.suffix for p in tmp_path.iterdir())
    assert files == [".json", ".pdf"]
    data = json.loads(next(tmp_path.glob("*.json")).read_text())
    assert data["pupil"]["Legal first name"] == "Amara"
    assert next(tmp_path.glob("*.pdf")).read_bytes().startswith(b"%PDF-")
    assert AuditEvent.objects.filter(action="disclose", pupil_id=subject.public_id).exists()


def test_command_refuses_an_unknown_pupil(db, tmp_path):
    with pytest.raises(CommandError, match="No pupil"):
        call_command("subject_access_export", pupil="not-a-uuid", out=str(tmp_path))


def test_the_pdf_escapes_what_people_typed(subject):
    from django.template.loader import render_to_string

    html = render_to_string(
        "reports/sar.html", {"data": subject_access_data(subject), "pupil": subject}
    )
    assert "&lt;drawing&gt;" in html and "<drawing>" not in html


@pytest.mark.parametrize("fmt, ctype", [("json", "application/json"), ("pdf", "application/pdf")])
def test_senco_downloads_the_export_and_it_is_audited(subject, senco, fmt, ctype):
    response = client_for(senco).get(
        reverse("privacy:subject_access", args=[subject.public_id, fmt])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == ctype
    assert "attachment" in response["Content-Disposition"]
    assert AuditEvent.objects.filter(action="disclose", pupil_id=subject.public_id).count() == 1


@pytest.mark.parametrize("role", ["teacher", "ta", "head", "governor", "trustlead"])
def test_only_the_senco_may_export(request, subject, role):
    client = client_for(request.getfixturevalue(role))
    url = reverse("privacy:subject_access", args=[subject.public_id, "json"])
    assert client.get(url).status_code == 403


def test_other_school_gets_404(subject, outsider):
    url = reverse("privacy:subject_access", args=[subject.public_id, "json"])
    assert client_for(outsider).get(url).status_code == 404


def test_export_holds_the_notifications_staff_were_sent_about_the_pupil(
    subject, senco, teacher, ta, school
):
    """'New concern about <name>', 'Your concern about <name> was sent to the SENCO' and the
    triage outcome are messages about the pupil: who got each, when, what it said and whether it
    was read. Messages about another pupil, or naming nobody, are not in it."""
    import shutil
    import subprocess
    import tempfile

    from pupils import services
    from reports.sar import subject_access_files
    from sencoweb.models import Notification

    def raise_about(pupil):
        return services.concern_raise(
            pupil=pupil, by=teacher.user, area="cl", what_seen="Struggles to follow",
            evidence="", parents_aware=True,
        )  # fmt: skip

    concern = raise_about(subject)
    services.concern_triage(concern=concern, outcome="monitor", reason="Watch", by=senco.user)
    raise_about(PupilFactory(school=school, first_name="Yolanda", last_name="Otherchild"))
    read = Notification.objects.filter(user=senco.user, title__startswith="New concern about A")
    read.update(read_at=timezone.now())
    Notification.objects.create(school=school, user=senco.user, title="Term dates", url="/")
    # Written before the link named the concern: the list's address alone.
    Notification.objects.create(
        school=school, user=teacher.user, url=reverse("pupils:concerns"),
        title=f"Your concern about {subject.display_name} was sent to the SENCO",
        created_at=concern.raised_at,
    )  # fmt: skip
    Notification.objects.create(  # ta raised no concern about the pupil: not theirs
        school=school,
        user=ta.user,
        url=reverse("pupils:concerns"),
        title=f"Your concern about {subject.display_name} was sent to the SENCO",
        created_at=concern.raised_at,
    )

    data = subject_access_data(subject)
    got = {(n["to"], n["title"], n["read"]) for n in data["notifications"]}
    senco_name = senco.user.get_full_name() or senco.user.username
    teacher_name = teacher.user.get_full_name() or teacher.user.username
    assert got == {
        (senco_name, "New concern about Amara Okafor", True),
        (teacher_name, "Your concern about Amara Okafor was sent to the SENCO", False),
        (teacher_name, "Concern about Amara Okafor: Monitor", False),
        (senco_name, "Concern about Amara Okafor: Monitor", False),  # who triaged it
    }
    assert len(data["notifications"]) == 5  # the legacy copy of 'sent to the SENCO' too
    assert all(n["when"] for n in data["notifications"])
    monitor = next(n for n in data["notifications"] if n["title"].endswith("Monitor"))
    assert monitor["message"] == "Watch"
    assert "Otherchild" not in json.dumps(data) and "Term dates" not in json.dumps(data)

    _, json_bytes, pdf = subject_access_files(subject)
    assert json.loads(json_bytes)["notifications"] == data["notifications"]
    from django.template.loader import render_to_string

    html = render_to_string("reports/sar.html", {"data": data, "pupil": subject})
    assert "Notifications to staff about the pupil" in html
    assert "New concern about Amara Okafor" in html and "Not read" in html
    # Times read as a person writes them, in the school's time, not as ISO timestamps.
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}:", html)
    if shutil.which("pdftotext"):
        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(pdf)
            f.flush()
            text = subprocess.run(
                ["pdftotext", f.name, "-"], capture_output=True, text=True, check=True
            ).stdout
        assert "Notifications to staff about the pupil" in text
        assert "New concern about Amara Okafor" in " ".join(text.split())


def test_the_sent_to_the_senco_notification_links_to_the_concern_row(subject, teacher):
    """It links to the concern's row on the list (the teacher cannot open the triage page), so
    the export and the retention command can tell which pupil it is about."""
    from pupils import services
    from sencoweb.models import Notification

    concern = services.concern_raise(
        pupil=subject, by=teacher.user, area="cl", what_seen="x", evidence="", parents_aware=True
    )
    note = Notification.objects.get(user=teacher.user, title__contains="was sent to the SENCO")
    assert note.url == f"{reverse('pupils:concerns')}#concern-{concern.public_id}"
    page = client_for(teacher).get(reverse("pupils:concerns"))
    assert f'id="concern-{concern.public_id}"' in page.content.decode()


# --- retention ---------------------------------------------------------------------------

TODAY = dt.date(2060, 1, 1)


@pytest.fixture
def archive(school):
    def make(name, retention_until, legal_hold=False, archived=True):
        pupil = PupilFactory(
            school=school,
            first_name=name,
            archived_at=timezone.now() if archived else None,
            retention_until=retention_until,
            legal_hold=legal_hold,
        )
        NeedFactory(pupil=pupil)
        return pupil

    return make


def test_dry_run_lists_only_archived_pupils_past_their_date(archive, capsys):
    due = archive("Due", dt.date(2059, 12, 31))
    archive("NotYet", dt.date(2060, 6, 1))
    archive("Held", dt.date(2050, 1, 1), legal_hold=True)
    archive("Current", dt.date(2050, 1, 1), archived=False)
    call_command("retention", "--dry-run", today=TODAY.isoformat())
    out = capsys.readouterr().out
    assert str(due.public_id) in out
    assert "1 pupil(s) past their retention date" in out
    assert "1 more past their date are kept: legal hold" in out
    assert "nothing was deleted" in out
    assert Pupil.objects.count() == 4


def test_confirm_destroys_them_with_a_destruction_record(archive, school, capsys):
    due = archive("Due", dt.date(2059, 12, 31))
    kept = archive("Held", dt.date(2050, 1, 1), legal_hold=True)
    # A contact deleted long ago leaves only its versions behind; they name the pupil too.
    Contact.objects.create(pupil=due, name="Mum", relationship="Mother").delete()
    assert Contact.history.filter(pupil_id=due.pk).count() == 2
    call_command("retention", "--confirm", today=TODAY.isoformat())
    assert not Pupil.objects.filter(pk=due.pk).exists()
    assert not Need.objects.filter(pupil_id=due.pk).exists()
    assert not Pupil.history.filter(id=due.pk).exists()
    assert not Need.history.filter(pupil_id=due.pk).exists()
    assert not Contact.history.filter(pupil_id=due.pk).exists()
    assert Pupil.objects.filter(pk=kept.pk).exists()
    record = AuditEvent.objects.get(object_type="retention")
    assert record.detail["pupils"] == 1
    assert record.detail["records"]["pupils.Pupil"] == 1
    assert record.detail["records"]["pupils.Need"] == 1
    assert "Due" not in json.dumps(record.detail) + record.summary  # no personal data
    call_command("verify_audit")


def test_the_command_needs_a_mode(db):
    with pytest.raises(CommandError):
        call_command("retention")


def test_senco_page_lists_those_due(archive, senco):
    archive("Duedate", dt.date(2000, 1, 1))
    archive("Keepme", dt.date(2999, 1, 1))
    response = client_for(senco).get(reverse("privacy:retention"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Duedate" in html and "Keepme" not in html


def test_retention_page_is_senco_only(teacher, head, governor):
    for member in (teacher, head, governor):
        assert client_for(member).get(reverse("privacy:retention")).status_code == 403


def test_the_pdf_shows_lists_and_answers_as_text_not_python():
    """Contribution answers and linked records are mappings and lists: a parent reading the
    export sees 'Going well: ...' lines, not {'going_well': ...}; what was typed stays escaped."""
    from reports.templatetags.pack_format import readable

    assert readable({"going_well": "Reading <club>", "worries": ""}) == "Going well: Reading <club>"
    assert readable(["Talk Boost", "Lexia"]) == "Talk Boost\nLexia"
    assert readable(True) == "Yes" and readable(None) == ""
    from django.template import Context, Template

    html = Template("{% load pack_format %}{{ v|readable }}").render(
        Context({"v": {"going_well": "Reading <club>"}})
    )
    assert html == "Going well: Reading &lt;club&gt;"


def test_pack_dates_read_timestamps_in_the_schools_time():
    from reports.templatetags.pack_format import pack_date

    assert pack_date("2026-07-01T08:30:00+00:00", "j M Y H:i") == "1 Jul 2026 09:30"  # BST
    assert pack_date("2026-12-07T23:48:11.690370+00:00", "j M Y H:i") == "7 Dec 2026 23:48"
    assert pack_date("2025-06-01") == "1 Jun 2025" and pack_date("not a date") == "not a date"
    from reports.templatetags.pack_format import readable

    assert readable("2016-05-28") == "28 May 2016"
    assert readable("2026-12-07T23:48:11+00:00") == "7 Dec 2026 23:48"
    assert readable("2016-05-28 was when") == "2016-05-28 was when"  # typed text stays as typed
