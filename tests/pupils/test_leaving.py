"""A pupil leaves: how they left decides how long this school keeps the SEN file (DOMAIN.md 8.2),
and the archived record is read only except for its leaving details and a legal hold."""

import datetime as dt
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from pupils import services
from pupils.models import TRANSFER_KEEP_DAYS, Contact, LiaisonEntry, Need, Pupil
from sencoweb.models import AuditEvent
from tests.factories import NeedFactory, PupilFactory
from tests.helpers import client_for

DOB = dt.date(2012, 2, 29)
DOB_PLUS_31 = dt.date(2043, 2, 28)
LEFT = dt.date(2025, 7, 18)
SENT = dt.date(2025, 7, 4)  # the transition pack went before the pupil left


def url(name, *args):
    return reverse(f"pupils:{name}", args=args)


@pytest.fixture
def pupil(school):
    pupil = PupilFactory(school=school, date_of_birth=DOB, sen_status="K", last_name="Leaver")
    NeedFactory(pupil=pupil)
    return pupil


def archive(pupil, senco, **kwargs):
    values = {"left_on": LEFT, "left_for": "school", "destination": "Elm High (URN 100001)"}
    values.update(kwargs)
    services.pupil_archive(pupil=pupil, by=senco.user, **values)
    pupil.refresh_from_db()
    return pupil


# --- how long the file is kept ------------------------------------------------------------


def test_a_pupil_whose_file_went_to_the_next_school_is_kept_only_a_short_time(pupil, senco):
    archive(pupil, senco, file_sent_on=SENT)
    # The transfer is done when the pupil has left and the file has gone: the later date.
    assert pupil.retention_until == LEFT + dt.timedelta(days=TRANSFER_KEEP_DAYS)
    assert pupil.retention_basis == (
        f"SEN file transferred to Elm High (URN 100001) on 4 Jul 2025 (left 18 Jul 2025): "
        f"kept {TRANSFER_KEEP_DAYS} days after the transfer"
    )


def test_a_file_sent_after_the_pupil_left_counts_from_the_day_it_was_sent(pupil, senco):
    archive(pupil, senco, file_sent_on=dt.date(2025, 8, 1))
    assert pupil.retention_until == dt.date(2025, 8, 1) + dt.timedelta(days=TRANSFER_KEEP_DAYS)


@pytest.mark.parametrize("left_for", ["home", "abroad", "post16", "other"])
def test_the_last_school_keeps_the_file_to_dob_plus_31(pupil, senco, left_for):
    archive(pupil, senco, left_for=left_for, destination="")
    assert pupil.retention_until == DOB_PLUS_31
    assert pupil.retention_basis.endswith(": date of birth + 31 years")
    assert pupil.retention_basis.startswith("Last school (")


def test_a_move_whose_file_is_not_yet_sent_is_kept_until_it_is_recorded(pupil, senco):
    archive(pupil, senco)
    assert pupil.retention_until == DOB_PLUS_31
    assert "not recorded as sent" in pupil.retention_basis
    changes = services.pupil_leaving_update(
        pupil=pupil,
        left_on=LEFT,
        left_for="school",
        destination="Elm High (URN 100001)",
        file_sent_on=dt.date(2025, 7, 25),
        by=senco.user,
    )
    pupil.refresh_from_db()
    assert pupil.retention_until == dt.date(2025, 7, 25) + dt.timedelta(days=TRANSFER_KEEP_DAYS)
    assert changes["file_sent_on"] == (None, dt.date(2025, 7, 25))
    assert changes["retention_until"][0] == DOB_PLUS_31


def test_pupils_archived_before_the_question_keep_the_old_rule(pupil):
    pupil.archived_at = timezone.now()
    pupil.retention_until = DOB_PLUS_31
    pupil.save()
    assert pupil.left_for == ""
    assert pupil.retention_date() == DOB_PLUS_31
    assert pupil.retention_basis == "Date of birth + 31 years"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"destination": ""}, "destination"),
        ({"left_for": "home", "destination": "", "file_sent_on": SENT}, "file_sent_on"),
        ({"file_sent_on": dt.date.today() + dt.timedelta(days=2)}, "file_sent_on"),
        ({"left_on": dt.date(2020, 1, 1)}, "left_on"),
    ],
)
def test_leaving_details_that_do_not_add_up_are_refused_by_field(pupil, senco, values, field):
    pupil.joined_on = dt.date(2021, 9, 1)
    pupil.save()
    with pytest.raises(ValidationError) as error:
        archive(pupil, senco, **values)
    assert field in error.value.message_dict
    pupil.refresh_from_db()
    assert not pupil.is_archived and pupil.retention_until is None


# --- the retention list and command say why ----------------------------------------------


@pytest.fixture
def leavers(school, senco):
    moved = archive(
        PupilFactory(school=school, date_of_birth=DOB, first_name="Moved"), senco, file_sent_on=SENT
    )
    home = archive(
        PupilFactory(school=school, date_of_birth=dt.date(1990, 1, 1), first_name="Home"),
        senco,
        left_for="home",
        destination="",
    )
    unsent = archive(
        PupilFactory(school=school, date_of_birth=DOB, first_name="Unsent"),
        senco,
        destination="Ash Academy",
    )
    return moved, home, unsent


def test_the_command_lists_a_transferred_file_as_due_and_why(leavers, capsys):
    moved, home, unsent = leavers
    day = (moved.retention_until + dt.timedelta(days=1)).isoformat()
    call_command("retention", "--dry-run", today=day)
    out = capsys.readouterr().out
    lines = {line.split("\t")[1]: line for line in out.splitlines() if "\t" in line}
    assert (
        "SEN file transferred to Elm High (URN 100001) on 4 Jul 2025" in lines[str(moved.public_id)]
    )
    assert (
        "Last school (Elective home education): date of birth + 31 years"
        in lines[str(home.public_id)]
    )
    assert str(unsent.public_id) not in lines  # kept until the file is recorded as sent
    assert "2 pupil(s) past their retention date" in out
    assert "1 pupil(s) moved to another school with no date recorded" in out


def test_not_due_the_day_before(leavers, capsys):
    moved, _, _ = leavers
    call_command("retention", "--dry-run", today=moved.retention_until.isoformat())
    assert str(moved.public_id) not in capsys.readouterr().out


def test_legal_hold_still_wins_over_a_transfer(leavers, senco, capsys):
    moved, home, _ = leavers
    services.pupil_leaving_update(
        pupil=moved,
        left_on=LEFT,
        left_for="school",
        destination=moved.destination,
        file_sent_on=SENT,
        legal_hold=True,
        by=senco.user,
    )
    day = (moved.retention_until + dt.timedelta(days=1)).isoformat()
    call_command("retention", "--confirm", today=day)
    out = capsys.readouterr().out
    assert "1 more past their date are kept: legal hold" in out
    assert Pupil.objects.filter(pk=moved.pk).exists()
    assert not Pupil.objects.filter(pk=home.pk).exists()


def test_the_retention_page_says_why_each_is_due(leavers, senco):
    moved, home, unsent = leavers
    moved.legal_hold = True
    moved.save()
    Pupil.objects.filter(pk=home.pk).update(retention_until=dt.date(2000, 1, 1))
    Pupil.objects.filter(pk=moved.pk).update(retention_until=dt.date(2000, 1, 1))
    body = unescape(client_for(senco).get(reverse("privacy:retention")).content.decode())
    due = body[body.index('id="retention-due"') : body.index('id="retention-held"')]
    assert "Last school (Elective home education): date of birth + 31 years" in due
    held = body[body.index('id="retention-held"') : body.index('id="retention-unsent"')]
    assert "SEN file transferred to Elm High (URN 100001) on 4 Jul 2025" in held
    unsent_list = body[body.index('id="retention-unsent"') :]
    assert "Unsent" in unsent_list and "Ash Academy" in unsent_list


# --- the form -----------------------------------------------------------------------------


def test_the_senco_archives_a_move_with_the_file_sent(pupil, senco):
    response = client_for(senco).post(
        url("archive", pupil.public_id),
        {
            "left_on": LEFT.isoformat(),
            "left_for": "school",
            "destination": "Elm High (URN 100001)",
            "file_sent_on": SENT.isoformat(),
        },
        follow=True,
    )
    pupil.refresh_from_db()
    assert pupil.is_archived and pupil.file_sent_on == SENT
    assert pupil.retention_until == LEFT + dt.timedelta(days=TRANSFER_KEEP_DAYS)
    body = unescape(response.content.decode())
    assert f"This school keeps their record until {pupil.retention_until:%-d %B %Y}" in body
    assert "SEN file transferred to Elm High (URN 100001)" in body


def test_a_move_with_no_school_named_is_refused_next_to_the_field(pupil, senco):
    response = client_for(senco).post(
        url("archive", pupil.public_id),
        {"left_on": LEFT.isoformat(), "left_for": "school", "destination": ""},
    )
    assert response.status_code == 422
    assert response.context["form"].errors["destination"] == ["Name the school the pupil moved to."]
    pupil.refresh_from_db()
    assert not pupil.is_archived


def test_the_form_asks_where_the_pupil_went(pupil, senco):
    response = client_for(senco).post(url("archive", pupil.public_id), {"left_on": LEFT})
    assert response.status_code == 422
    assert response.context["form"].errors["left_for"] == ["Choose where the pupil went."]


def test_the_senco_records_the_file_sent_later_and_it_is_audited(pupil, senco):
    archive(pupil, senco)
    client = client_for(senco)
    page = client.get(url("archive", pupil.public_id))
    assert page.status_code == 200
    assert page.context["form"].initial["destination"] == "Elm High (URN 100001)"
    profile = client.get(url("detail", pupil.public_id)).content.decode()
    assert 'id="file-not-sent"' in profile and "Record the file sent" in profile
    response = client.post(
        url("archive", pupil.public_id),
        {
            "left_on": LEFT.isoformat(),
            "left_for": "school",
            "destination": "Elm High (URN 100001)",
            "file_sent_on": "2025-07-25",
            "legal_hold": "on",
        },
    )
    assert response.status_code == 302
    pupil.refresh_from_db()
    assert pupil.file_sent_on == dt.date(2025, 7, 25) and pupil.legal_hold
    assert pupil.retention_until == dt.date(2025, 7, 25) + dt.timedelta(days=TRANSFER_KEEP_DAYS)
    event = AuditEvent.objects.filter(action="update", pupil_id=pupil.public_id).latest("pk")
    assert event.summary.startswith("Corrected the leaving details")
    assert event.detail["file_sent_on"] == ["None", "2025-07-25"]
    assert event.detail["legal_hold"] == ["False", "True"]
    profile = client.get(url("detail", pupil.public_id)).content.decode()
    assert "On legal hold" in profile and 'id="file-not-sent"' not in profile


@pytest.mark.parametrize(("who", "status"), [("head", 403), ("teacher", 403), ("outsider", 404)])
def test_only_the_senco_corrects_leaving_details(cast, pupil, senco, who, status):
    archive(pupil, senco)
    client = client_for(cast[who])
    assert client.get(url("archive", pupil.public_id)).status_code == status
    post = client.post(url("archive", pupil.public_id), {"left_on": LEFT, "left_for": "home"})
    assert post.status_code == status
    pupil.refresh_from_db()
    assert pupil.left_for == "school"


# --- an archived record is read only --------------------------------------------------------


@pytest.fixture
def left_pupil(pupil, senco):
    contact = Contact.objects.create(pupil=pupil, name="Grace Okafor", relationship="Mother")
    LiaisonEntry.objects.create(
        pupil=pupil,
        contact=contact,
        kind="call",
        happened_on=dt.date(2025, 6, 1),
        summary="Talked about the move",
        follow_up="Send the pack",
        follow_up_due=dt.date(2025, 6, 20),
        recorded_by=senco.user,
    )
    return archive(pupil, senco)


def test_an_archived_profile_offers_no_write_action(left_pupil, senco):
    pupil = left_pupil
    body = client_for(senco).get(url("detail", pupil.public_id)).content.decode()
    assert "Talked about the move" in body and "Grace Okafor" in body  # still readable
    for offer in (
        "Mark done",
        "Add contact",
        "Log contact",
        "Record a referral",
        'id="edit-profile"',
        "Change status",
        "Add a need",
        "Pupil has left",
        "Raise a concern",
        url("contact_new", pupil.public_id),
        url("document_upload", pupil.public_id),
        url("access_new", pupil.public_id),
        url("profile_edit", pupil.public_id),
        f"/pupils/{pupil.public_id}/contacts/",
        f"/pupils/{pupil.public_id}/liaison/",
        f"/pupils/{pupil.public_id}/needs/",
    ):
        assert offer not in body, offer
    # What archiving itself needs, and reads, stay.
    assert url("archive", pupil.public_id) in body and 'id="leaving-details"' in body
    assert 'id="sar-pdf"' in body and 'id="record-changes"' in body


def test_a_current_profile_still_offers_them(pupil, senco):
    Contact.objects.create(pupil=pupil, name="Grace Okafor", relationship="Mother")
    body = client_for(senco).get(url("detail", pupil.public_id)).content.decode()
    assert "Add contact" in body and "Log contact" in body and 'id="edit-profile"' in body
    assert 'id="leaving-details"' not in body


def _writes(pupil):
    contact = pupil.contacts.get()
    entry = pupil.liaison.get()
    need = pupil.needs.get()
    return [
        # (name, url, POST data)
        (
            "contact_new",
            url("contact_new", pupil.public_id),
            {"name": "New", "relationship": "Aunt"},
        ),
        (
            "contact_edit",
            url("contact_edit", pupil.public_id, contact.public_id),
            {"name": "Changed", "relationship": "Mother", "preferred_contact": "phone"},
        ),
        (
            "liaison_add",
            url("liaison_add", pupil.public_id),
            {"kind": "call", "happened_on": "2025-09-01", "summary": "After leaving"},
        ),
        ("liaison_done", url("liaison_done", pupil.public_id, entry.public_id), {}),
        (
            "need_add",
            url("need_add", pupil.public_id),
            {"sen_type": "SEMH", "rank": 2, "starts_on": "2025-09-01"},
        ),
        ("need_end", url("need_end", pupil.public_id, need.public_id), {"ends_on": "2025-09-01"}),
        ("need_move_up", url("need_move_up", pupil.public_id, need.public_id), {}),
        ("profile_edit", url("profile_edit", pupil.public_id), {"about_me": "Changed"}),
        ("decision_new", url("decision_new", pupil.public_id), {"to_status": "N"}),
        ("involvement_new", url("involvement_new", pupil.public_id), {}),
        ("document_upload", url("document_upload", pupil.public_id), {}),
        ("access_new", url("access_new", pupil.public_id), {}),
    ]


def test_write_views_refuse_an_archived_pupil_with_a_clear_message(left_pupil, senco):
    pupil = left_pupil
    client = client_for(senco)
    before = (Contact.objects.count(), LiaisonEntry.objects.count(), Need.objects.count())
    for name, address, data in _writes(pupil):
        for response in (client.get(address), client.post(address, data)):
            if response.request["REQUEST_METHOD"] == "GET" and name in (
                "liaison_done",
                "need_move_up",
            ):
                assert response.status_code == 405  # POST only
                continue
            assert response.status_code == 403, name
            text = unescape(response.content.decode())
            assert f"{pupil.display_name} left on 18 July 2025" in text, name
            assert "read only" in text and url("detail", pupil.public_id) in text
    assert (Contact.objects.count(), LiaisonEntry.objects.count(), Need.objects.count()) == before
    pupil.refresh_from_db()
    contact = pupil.contacts.get()
    assert contact.name == "Grace Okafor"
    assert pupil.liaison.get().follow_up_done_on is None
    assert pupil.needs.get().ends_on is None and pupil.about_me != "Changed"


def test_an_ehc_request_cannot_be_started_for_a_pupil_who_left(left_pupil, senco):
    address = reverse("reviews:request_new", args=[left_pupil.public_id])
    response = client_for(senco).get(address)
    assert response.status_code == 403
    assert "read only" in response.content.decode()


def test_a_refusal_for_lack_of_role_keeps_the_plain_message(taught_pupil, teacher):
    response = client_for(teacher).get(url("contact_new", taught_pupil.public_id))
    assert response.status_code == 403
    assert "Your role does not include this page" in response.content.decode()
