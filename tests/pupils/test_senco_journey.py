"""What a SENCO tripped over walking through the register: finding a pupil who is not on it yet,
the way from a concern or a decision to the primary need and back, every problem of a form
shown at once, ranks without gaps, the UPN check letter, the 25% extra time scores, liaison and
agency dates, and reports listed under the agency that sent them."""

import datetime as dt
import re
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pupils import upn
from pupils.models import AccessArrangement, Agency, Concern, Involvement, Need, StatusDecision
from tests.factories import ConcernFactory, NeedFactory, PupilFactory
from tests.helpers import client_for

TODAY = dt.date.today()
PDF = b"%PDF-1.4\n%test\n"


def url(name, *args):
    return reverse(f"pupils:{name}", args=args)


def text_of(response) -> str:
    return unescape(re.sub(r"\s+", " ", response.content.decode()))


def words_of(response) -> str:
    """The page as a reader sees it: tags dropped."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


# --- Finding a pupil who is not on the register ---------------------------------------------


def test_register_search_lists_matching_pupils_not_on_the_register(senco, school, other_school):
    waiting = PupilFactory(school=school, first_name="Maisie", last_name="O'Connor")
    on_register = PupilFactory(school=school, first_name="Maisie", last_name="Khan", sen_status="K")
    NeedFactory(pupil=on_register)
    PupilFactory(school=other_school, first_name="Maisie", last_name="Elsewhere")
    PupilFactory(
        school=school, first_name="Maisie", last_name="Leaver", archived_at=dt.datetime.now(dt.UTC)
    )
    client = client_for(senco)
    found = client.get(url("register"), {"q": "maisie"})
    section = text_of(found).split('id="not-on-register"')[1]
    assert "O'Connor, Maisie" in section
    assert reverse("pupils:detail", args=[waiting.public_id]) in section
    assert "Khan" not in section  # already in the table above
    assert "Elsewhere" not in section and "Leaver" not in section
    by_upn = text_of(client.get(url("register"), {"q": waiting.upn.lower()}))
    assert "O'Connor, Maisie" in by_upn.split('id="not-on-register"')[1]
    # Without a search the register is only the register.
    assert 'id="not-on-register"' not in client.get(url("register")).content.decode()
    nobody = text_of(client.get(url("register"), {"q": "Zebedee"}))
    assert "No pupil who is not on the register matches this search" in nobody


# --- From the decision (or a concern) to the primary need and back --------------------------


def test_decision_form_shows_every_problem_at_once_and_saves_nothing(senco, school):
    pupil = PupilFactory(school=school)
    response = client_for(senco).post(
        url("decision_new", pupil.public_id),
        {
            "to_status": "K",
            "decided_on": (TODAY + dt.timedelta(days=3)).isoformat(),
            "reason": "Assessed",
            "decided_by": "SENCO",
            "parents_informed": "on",
        },
    )
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "add the need first" in errors["to_status"][0]
    assert errors["decided_on"] == ["The decision date cannot be in the future."]
    assert errors["parents_informed_on"] == ["Give the date parents were informed."]
    pupil.refresh_from_db()
    assert pupil.sen_status == "N" and not StatusDecision.objects.exists()


def test_e_without_need_or_plan_gets_both_reasons(senco, school):
    pupil = PupilFactory(school=school, sen_status="K")
    response = client_for(senco).post(
        url("decision_new", pupil.public_id),
        {"to_status": "E", "decided_on": TODAY.isoformat(), "reason": "r", "decided_by": "S"},
    )
    problems = response.context["form"].errors["to_status"]
    assert len(problems) == 2
    assert "add the need first" in problems[0] and "EHC plan has been issued" in problems[1]


def test_decision_form_links_to_the_need_form_which_comes_back(senco, school):
    pupil = PupilFactory(school=school)
    concern = ConcernFactory(pupil=pupil, raised_by=senco.user)
    client = client_for(senco)
    page = client.get(
        url("decision_new", pupil.public_id), {"to": "K", "concern": concern.public_id}
    )
    link = page.context["notice_url"]
    assert link.startswith(url("need_add", pupil.public_id) + "?")
    assert "then=decision" in link and f"concern={concern.public_id}" in link
    assert "Add the primary need first" in page.content.decode()
    added = client.post(
        link, {"sen_type": "SLCN", "rank": 1, "starts_on": TODAY.isoformat(), "description": ""}
    )
    assert added.status_code == 302
    assert added["Location"] == (
        url("decision_new", pupil.public_id) + f"?to=K&concern={concern.public_id}"
    )
    back = client.get(added["Location"])
    assert back.context.get("notice") is None  # the pupil has a primary need now
    assert back.context["form"].initial["evidence"] == concern.evidence


def test_the_add_need_link_passes_on_only_clean_values(senco, school):
    pupil = PupilFactory(school=school)
    client = client_for(senco)
    page = client.get(
        url("decision_new", pupil.public_id), {"to": "https://evil.example", "concern": "junk"}
    )
    assert page.status_code == 200  # a damaged concern id is ignored, not a server error
    assert page.context["notice_url"] == url("need_add", pupil.public_id) + "?then=decision"


def test_triage_to_register_goes_by_the_need_form_when_there_is_no_primary_need(
    senco, teacher, school
):
    client = client_for(senco)
    without = PupilFactory(school=school)
    concern = ConcernFactory(pupil=without, raised_by=teacher.user)
    response = client.post(
        url("concern_triage", concern.public_id), {"outcome": "register", "reason": "Clear need"}
    )
    location = response["Location"]
    assert location.startswith(url("need_add", without.public_id) + "?then=decision")
    assert "to=K" in location and f"concern={concern.public_id}" in location
    with_need = PupilFactory(school=school)
    NeedFactory(pupil=with_need)
    concern = ConcernFactory(pupil=with_need, raised_by=teacher.user)
    response = client.post(
        url("concern_triage", concern.public_id), {"outcome": "register", "reason": "Clear need"}
    )
    assert response["Location"].startswith(url("decision_new", with_need.public_id) + "?to=K")


def test_add_to_register_is_done_only_when_the_decision_is_recorded(senco, teacher, school):
    """Triage 'add to the register' leads to the status decision; until it is recorded the
    concern stays open (nobody is told the pupil was added), with the reason kept."""
    from sencoweb.models import Notification

    pupil = PupilFactory(school=school)
    NeedFactory(pupil=pupil)
    concern = ConcernFactory(pupil=pupil, raised_by=teacher.user)
    client = client_for(senco)
    response = client.post(
        url("concern_triage", concern.public_id), {"outcome": "register", "reason": "Clear need"}
    )
    decision_url = response["Location"]
    concern.refresh_from_db()
    assert concern.outcome == "open" and concern.triage_reason == "Clear need"
    assert not Notification.objects.filter(user=teacher.user).exists()
    # The SENCO left the decision form: next time the reason is there.
    page = client.get(url("concern_triage", concern.public_id))
    assert page.context["form"].initial["reason"] == "Clear need"

    data = {
        "to_status": "K", "decided_on": TODAY.isoformat(), "reason": "Clear need",
        "evidence": "Observations", "decided_by": "SENCO", "parents_informed": "on",
        "parents_informed_on": TODAY.isoformat(),
    }  # fmt: skip
    assert client.post(decision_url, data).status_code == 302
    concern.refresh_from_db()
    pupil.refresh_from_db()
    assert pupil.sen_status == "K"
    assert concern.outcome == "register" and concern.triaged_by == senco.user
    assert Notification.objects.filter(user=teacher.user, title__contains="Add to SEN").exists()


def test_triage_form_says_what_is_missing(senco, teacher, school):
    concern = ConcernFactory(pupil=PupilFactory(school=school), raised_by=teacher.user)
    response = client_for(senco).post(url("concern_triage", concern.public_id), {"reason": ""})
    assert response.status_code == 422
    body = response.content.decode()
    assert "Choose what happens next." in body and "Give the reason for your decision." in body
    assert Concern.objects.get(pk=concern.pk).outcome == "open"


# --- Needs --------------------------------------------------------------------------------


def test_a_new_need_cannot_leave_a_gap_in_the_ranks(senco, school):
    pupil = PupilFactory(school=school)
    client = client_for(senco)
    data = {"sen_type": "SLCN", "rank": 2, "starts_on": TODAY.isoformat(), "description": ""}
    response = client.post(url("need_add", pupil.public_id), data)
    assert response.status_code == 422
    assert response.context["form"].errors["rank"][0].startswith("The next free rank is 1")
    assert not Need.objects.exists()
    assert client.post(url("need_add", pupil.public_id), {**data, "rank": 1}).status_code == 302
    assert client.post(
        url("need_add", pupil.public_id), {**data, "sen_type": "SEMH", "rank": 2}
    ).status_code == (302)


def test_need_form_shows_the_census_codes(senco, school):
    pupil = PupilFactory(school=school)
    page = client_for(senco).get(url("need_add", pupil.public_id))
    choices = dict(page.context["form"].fields["sen_type"].choices)
    assert choices["SLCN"] == "SLCN: Speech, language and communication needs"
    assert choices["DS"] == "DS: Down syndrome"


def test_no_needs_is_not_shown_as_a_numbered_need(senco, school):
    pupil = PupilFactory(school=school)
    body = client_for(senco).get(url("detail", pupil.public_id)).content.decode()
    assert '<p class="mb-2" id="active-needs">No active needs recorded.</p>' in body
    assert "list-group-numbered" not in body


# --- UPN check letter ---------------------------------------------------------------------


def test_a_wrong_check_letter_is_not_corrected_for_the_user():
    good = upn.make("801", "2001", 20, 2)
    wrong = ("A" if good[0] != "A" else "B") + good[1:]
    with pytest.raises(upn.UpnError) as error:
        upn.validate(wrong)
    message = str(error.value)
    assert message.startswith(f"{wrong} has the wrong check letter")
    assert "copied wrongly" in message
    assert f"start with {good[0]}" not in message  # no letter offered to make it "valid"


# --- Access arrangements: the 25% extra time scores ---------------------------------------


def _et25(**scores):
    return {
        "kind": "et25",
        "normal_way_of_working": "Finishes class tests with extra time",
        "assessor_name": "J Patel",
        "assessor_qualification": "l7",
        "qualification_checked_on": "2025-09-10",
        "assessed_on": "2025-09-20",
        **scores,
    }


def test_extra_time_scores_below_the_criteria_are_flagged(senco, school):
    pupil = PupilFactory(school=school, nc_year="10")
    client = client_for(senco)
    response = client.post(
        url("access_new", pupil.public_id), _et25(score_1=92, score_2=95), follow=True
    )
    assert "do not meet the JCQ criteria for 25% extra time" in text_of(response)
    assert AccessArrangement.objects.get().extra_time_scores_fall_short
    assert (
        "Scores below the criteria" in client.get(url("detail", pupil.public_id)).content.decode()
    )
    assert "Scores below the criteria" in client.get(url("access_arrangements")).content.decode()


def test_extra_time_scores_that_meet_the_criteria_are_not_flagged(senco, school):
    pupil = PupilFactory(school=school, nc_year="10")
    client = client_for(senco)
    response = client.post(
        url("access_new", pupil.public_id), _et25(score_1=82, score_2=88), follow=True
    )
    assert "do not meet the JCQ criteria" not in text_of(response)
    assert "Scores below the criteria" not in text_of(response)
    # A reader needs no scores: never flagged.
    reader = AccessArrangement(kind="reader", score_1=100, score_2=100)
    assert not reader.extra_time_scores_fall_short


# --- Liaison and agency dates -------------------------------------------------------------


def test_liaison_dates_must_make_sense(senco, school):
    pupil = PupilFactory(school=school)
    client = client_for(senco)
    data = {"kind": "call", "happened_on": TODAY.isoformat(), "summary": "Discussed reading"}
    future = client.post(
        url("liaison_add", pupil.public_id),
        {**data, "happened_on": (TODAY + dt.timedelta(days=1)).isoformat()},
    )
    assert future.status_code == 422
    assert "in the future" in future.context["form"].errors["happened_on"][0]
    early = client.post(
        url("liaison_add", pupil.public_id),
        {
            **data,
            "follow_up": "Send the book list",
            "follow_up_due": (TODAY - dt.timedelta(days=3)).isoformat(),
        },
    )
    assert early.status_code == 422
    assert early.context["form"].errors["follow_up_due"] == [
        "The follow-up cannot be due before the contact."
    ]
    assert not pupil.liaison.exists()
    form = client.get(url("liaison_add", pupil.public_id)).context["form"]
    assert form.fields["kind"].label == "Type of contact"


def test_discharge_cannot_come_before_referral(senco, school):
    pupil = PupilFactory(school=school)
    agency = Agency.objects.create(school=school, name="City EP Service", kind="ep")
    response = client_for(senco).post(
        url("involvement_new", pupil.public_id),
        {
            "agency": agency.pk,
            "referral_date": "2025-10-01",
            "status": "discharged",
            "discharged_on": "2025-09-01",
        },
    )
    assert response.status_code == 422
    assert response.context["form"].errors["discharged_on"] == [
        "The discharge date is before the referral date."
    ]
    assert not Involvement.objects.exists()


# --- Reports listed under the agency that sent them ---------------------------------------


def test_reports_are_listed_under_their_involvement(
    senco, teacher, outsider, school, taught_pupil, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    agency = Agency.objects.create(school=school, name="City EP Service", kind="ep")
    involvement = Involvement.objects.create(
        pupil=taught_pupil, agency=agency, referral_date=dt.date(2025, 10, 1)
    )
    client = client_for(senco)
    before = client.get(url("detail", taught_pupil.public_id)).content.decode()
    assert "No reports received yet." in before
    upload = (
        url("document_upload", taught_pupil.public_id) + f"?involvement={involvement.public_id}"
    )
    assert upload.replace("&", "&amp;") in before or upload in before
    form = client.get(upload).context["form"]
    assert form.initial["involvement"] == involvement
    other = Involvement.objects.create(
        pupil=PupilFactory(school=school), agency=agency, referral_date=dt.date(2025, 10, 1)
    )
    stray = client.get(
        url("document_upload", taught_pupil.public_id) + f"?involvement={other.public_id}"
    )
    assert stray.context["form"].initial["involvement"] is None  # another pupil's: ignored
    sent = client.post(
        upload,
        {
            "title": "EP assessment report",
            "kind": "report",
            "dated": "2025-11-03",
            "involvement": involvement.pk,
            "file": SimpleUploadedFile("ep.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert sent.status_code == 302
    after = words_of(client.get(url("detail", taught_pupil.public_id)))
    assert "Reports received: EP assessment report (3 Nov 2025)" in after
    # Teachers see neither the agencies nor the documents.
    assert "EP assessment report" not in text_of(
        client_for(teacher).get(url("detail", taught_pupil.public_id))
    )
    assert client_for(outsider).get(upload).status_code == 404


# --- Import: a year group far from the pupil's age ----------------------------------------


def test_import_warns_when_the_year_group_is_far_from_the_age(senco, school):
    from pupils.importing import import_plan, parse_file, year_group_by_age

    today = dt.date(2026, 11, 30)
    assert year_group_by_age(dt.date(2012, 11, 21), today) == 9
    assert year_group_by_age(dt.date(2021, 8, 31), today) == 1  # the youngest of Year 1
    assert year_group_by_age(dt.date(2021, 9, 1), today) == 0  # the oldest in Reception
    upns = [upn.make("801", "2001", 20, n) for n in range(3)]
    data = (
        "UPN,Surname,Forename,DOB,Gender,Year\r\n"
        f"{upns[0]},Ó Súilleabháin,Seán,21/11/2012,M,2\r\n"  # Year 9 by age
        f"{upns[1]},Smith,Ava,14/08/2020,F,1\r\n"  # Year 2 by age, kept back a year: fine
        f"{upns[2]},Jones,Tom,01/09/2021,M,R\r\n"
    ).encode()
    parsed = parse_file(data, "mis.csv", today=today)
    assert parsed.ok
    warned = {p.upn: [str(w) for w in p.warnings] for p in parsed.pupils}
    assert warned[upns[0]] == [
        "Row 2, Date of birth: Born 21/11/2012, which is Year 9 by age, but the file says "
        "Year 2: check the date of birth and the year group"
    ]
    assert warned[upns[1]] == [] and warned[upns[2]] == []
    plan = import_plan(school=school, parsed=parsed)
    assert any("Year 9 by age" in w for w in plan.items[0].warnings)
