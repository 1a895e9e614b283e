"""The staff accounts pages (people:list, people:add, people:edit): who may use them, the rules
(trust role, head role, the last manager), audit, and the set-password email."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from sencoweb.models import AuditEvent, Membership, User
from tests.factories import MembershipFactory, UserFactory
from tests.helpers import client_for

MAY = ["senco", "head"]
MAY_NOT = ["teacher", "ta", "governor", "trustlead"]


def urls(cast):
    return [
        reverse("people:list"),
        reverse("people:add"),
        reverse("people:edit", args=[cast["teacher"].pk]),
    ]


def new_person(**over):
    return {
        "email": "priya.shah@oakfield.sch.uk",
        "first_name": "Priya",
        "last_name": "Shah",
        "username": "",
        "role": "teacher",
        "job_title": "Year 4 teacher",
        **over,
    }


def edit_data(membership, **over):
    return {
        "role": membership.role,
        "job_title": membership.job_title,
        "is_active": "on" if membership.is_active else "",
        **over,
    }


def events(membership):
    return AuditEvent.objects.filter(
        object_type="sencoweb.Membership", object_id=str(membership.pk)
    )


# --- who may open the pages ----------------------------------------------------------------


@pytest.mark.parametrize("role", MAY)
def test_senco_and_head_open_every_page(cast, role):
    client = client_for(cast[role])
    for url in urls(cast):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", MAY_NOT)
def test_other_roles_are_refused(cast, role):
    client = client_for(cast[role])
    for url in urls(cast):
        assert client.get(url).status_code == 403, url
        assert client.post(url, new_person()).status_code == 403, url
    assert not User.objects.filter(username="priya.shah").exists()


def test_anonymous_goes_to_sign_in(cast):
    for url in urls(cast):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_another_schools_membership_is_a_404(cast):
    client = client_for(cast["outsider"])
    url = reverse("people:edit", args=[cast["teacher"].pk])
    assert client.get(url).status_code == 404
    assert client.post(url, edit_data(cast["teacher"], role="ta")).status_code == 404
    assert Membership.objects.get(pk=cast["teacher"].pk).role == "teacher"
    assert client_for(cast["senco"]).get(reverse("people:edit", args=[999999])).status_code == 404


def test_the_list_shows_the_schools_members_only(cast):
    TOTPDevice.objects.create(user=cast["head"].user, name="app", confirmed=True)
    cast["ta"].job_title = "HLTA"
    cast["ta"].save()
    response = client_for(cast["senco"]).get(reverse("people:list"))
    html = response.content.decode()
    members = response.context["members"]
    assert {m.user.username for m in members} == {
        "senco",
        "teacher",
        "ta",
        "head",
        "governor",
        "trustlead",
    }
    assert "outsider" not in html
    by_name = {m.user.username: m for m in members}
    assert by_name["head"].has_two_factor and not by_name["senco"].has_two_factor
    assert "HLTA" in html and cast["ta"].user.email in html
    assert "Not yet (required for this role)" in html  # the SENCO has no second factor


# --- adding -------------------------------------------------------------------------------


def set_password_via(link, password="a-long-Passphrase-2026"):
    client = Client()
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    response = client.get(path, follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": password, "new_password2": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    return password


def link_in(body) -> str:
    return re.search(r"https?://\S+/accounts/reset/\S+/", body).group(0)


@pytest.mark.parametrize("role", MAY)
def test_adding_a_new_person_emails_a_working_set_password_link(cast, school, role):
    response = client_for(cast[role]).post(reverse("people:add"), new_person())
    assert response.status_code == 302 and response["Location"] == reverse("people:list")
    user = User.objects.get(email="priya.shah@oakfield.sch.uk")
    assert user.username == "priya.shah"  # suggested from the name
    assert not user.has_usable_password()
    membership = Membership.objects.get(user=user, school=school)
    assert (membership.role, membership.job_title, membership.is_active) == (
        "teacher",
        "Year 4 teacher",
        True,
    )
    event = events(membership).get(action="create")
    assert event.detail["before"] is None
    assert event.detail["after"] == {
        "role": "teacher",
        "job_title": "Year 4 teacher",
        "is_active": True,
    }
    assert event.username == role

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["priya.shah@oakfield.sch.uk"]
    assert "priya.shah" in email.body and school.name in email.body
    password = set_password_via(link_in(email.body))
    client = Client()
    response = client.post(
        reverse("login"), {"username": "priya.shah", "password": password}, follow=True
    )
    assert response.context["user"].username == "priya.shah"
    assert client.get(reverse("home")).status_code == 200
    # The link works once.
    path = "/" + link_in(email.body).split("://", 1)[1].split("/", 1)[1]
    assert not Client().get(path, follow=True).context["validlink"]


def test_a_suggested_user_name_avoids_taken_ones(cast):
    UserFactory(username="priya.shah", email="someone.else@example.org")
    client_for(cast["senco"]).post(reverse("people:add"), new_person())
    assert User.objects.get(email="priya.shah@oakfield.sch.uk").username == "priya.shah2"


def test_a_chosen_user_name_is_used_and_a_taken_one_refused(cast):
    client = client_for(cast["senco"])
    response = client.post(reverse("people:add"), new_person(username="teacher"))
    assert response.status_code == 422
    assert "The user name teacher is taken" in response.content.decode()
    client.post(reverse("people:add"), new_person(username="pshah"))
    assert User.objects.get(email="priya.shah@oakfield.sch.uk").username == "pshah"


def test_an_existing_account_is_added_by_email(cast, school, other_school):
    elsewhere = MembershipFactory(
        school=other_school, role="senco", user__username="roving", user__email="roving@trust.org"
    )
    response = client_for(cast["senco"]).post(
        reverse("people:add"),
        new_person(email="ROVING@trust.org", first_name="", last_name="", role="ta"),
    )
    assert response.status_code == 302
    assert Membership.objects.get(user=elsewhere.user, school=school).role == "ta"
    assert User.objects.filter(email__iexact="roving@trust.org").count() == 1
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" not in mail.outbox[0].body  # they have a password already


@pytest.mark.parametrize(
    "over,field,message",
    [
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"first_name": ""}, "first_name", "Enter the new person's name."),
        ({"role": ""}, "role", "This field is required."),
        ({"role": "trust"}, "role", "Select a valid choice."),
        ({"role": "head"}, "role", "Select a valid choice."),  # a SENCO cannot make a head
        ({"username": "bad name!"}, "username", "Enter a valid username."),
        ({"email": "teacher@example.org"}, "email", "already on the staff list"),
    ],
)
def test_bad_input_is_refused_next_to_the_field(cast, over, field, message):
    response = client_for(cast["senco"]).post(reverse("people:add"), new_person(**over))
    assert response.status_code == 422
    errors = response.context["form"].errors[field]
    assert any(message in e for e in errors), errors
    assert not User.objects.filter(first_name="Priya").exists()
    assert not mail.outbox


def test_the_trust_role_is_not_offered_and_the_page_says_why(cast):
    html = client_for(cast["head"]).get(reverse("people:add")).content.decode()
    assert 'value="trust"' not in html
    assert "the system administrator sets it up" in html


def test_only_a_head_may_make_a_head(cast, school):
    senco_page = client_for(cast["senco"]).get(reverse("people:add")).content.decode()
    assert 'value="head"' not in senco_page
    response = client_for(cast["head"]).post(reverse("people:add"), new_person(role="head"))
    assert response.status_code == 302
    assert Membership.objects.get(user__username="priya.shah", school=school).role == "head"


# --- changing -----------------------------------------------------------------------------


def test_changing_role_and_job_title_is_audited_with_before_and_after(cast):
    teacher = cast["teacher"]
    response = client_for(cast["senco"]).post(
        reverse("people:edit", args=[teacher.pk]),
        edit_data(teacher, role="ta", job_title="HLTA"),
    )
    assert response.status_code == 302
    teacher.refresh_from_db()
    assert (teacher.role, teacher.job_title) == ("ta", "HLTA")
    event = events(teacher).get(action="update")
    assert event.detail["before"] == {"role": "teacher", "job_title": "", "is_active": True}
    assert event.detail["after"] == {"role": "ta", "job_title": "HLTA", "is_active": True}


def test_deactivate_and_reactivate_never_delete(cast):
    teacher = cast["teacher"]
    client = client_for(cast["head"])
    url = reverse("people:edit", args=[teacher.pk])
    client.post(url, edit_data(teacher, is_active=""))
    teacher.refresh_from_db()
    assert not teacher.is_active
    assert client_for(teacher).get(reverse("pupils:register")).status_code in (302, 403)
    client.post(url, edit_data(teacher, is_active="on"))
    teacher.refresh_from_db()
    assert teacher.is_active
    assert [e.detail["after"]["is_active"] for e in events(teacher).order_by("id")] == [False, True]


def test_a_senco_cannot_make_someone_a_head_or_change_the_head(cast):
    client = client_for(cast["senco"])
    teacher, head = cast["teacher"], cast["head"]
    response = client.post(
        reverse("people:edit", args=[teacher.pk]), edit_data(teacher, role="head")
    )
    assert response.status_code == 422
    teacher.refresh_from_db()
    assert teacher.role == "teacher"
    # The head's role and active box are shown but locked; the job title may change.
    response = client.post(
        reverse("people:edit", args=[head.pk]),
        edit_data(head, role="teacher", is_active="", job_title="Executive head"),
    )
    assert response.status_code == 302
    head.refresh_from_db()
    assert (head.role, head.is_active, head.job_title) == ("head", True, "Executive head")


def test_a_head_may_make_a_head(cast):
    teacher = cast["teacher"]
    client_for(cast["head"]).post(
        reverse("people:edit", args=[teacher.pk]), edit_data(teacher, role="head")
    )
    teacher.refresh_from_db()
    assert teacher.role == "head"


def test_the_last_manager_cannot_remove_their_own_managing_role(school):
    only = MembershipFactory(school=school, role="head", user__username="onlyhead")
    client = client_for(only)
    url = reverse("people:edit", args=[only.pk])
    response = client.post(url, edit_data(only, role="teacher"))
    assert response.status_code == 422
    assert "You are the last active SENCO or headteacher" in response.content.decode()
    response = client.post(url, edit_data(only, is_active=""))
    assert response.status_code == 422
    only.refresh_from_db()
    assert only.role == "head" and only.is_active
    assert not events(only).exists()


def test_a_manager_may_step_down_when_another_remains(cast):
    senco = cast["senco"]
    response = client_for(senco).post(
        reverse("people:edit", args=[senco.pk]), edit_data(senco, role="teacher")
    )
    assert response.status_code == 302 and response["Location"] == reverse("home")
    senco.refresh_from_db()
    assert senco.role == "teacher"
    # Now the head is the last one: the head cannot be deactivated by anyone.
    head = cast["head"]
    response = client_for(head).post(
        reverse("people:edit", args=[head.pk]), edit_data(head, is_active="")
    )
    assert response.status_code == 422


def test_a_trust_membership_is_read_only_here(cast):
    trust = cast["trustlead"]
    url = reverse("people:edit", args=[trust.pk])
    client = client_for(cast["head"])
    html = client.get(url).content.decode()
    assert "the system administrator sets it up" in html and "edit-member-form" not in html
    response = client.post(url, {"role": "teacher", "job_title": "x", "is_active": ""})
    assert response.status_code == 403
    trust.refresh_from_db()
    assert trust.role == "trust" and trust.is_active


def test_the_set_password_email_can_be_sent_again(cast):
    client = client_for(cast["senco"])
    client.post(reverse("people:add"), new_person())
    membership = Membership.objects.get(user__username="priya.shah")
    response = client.post(reverse("people:edit", args=[membership.pk]), {"action": "resend"})
    assert response.status_code == 302
    assert len(mail.outbox) == 2
    set_password_via(link_in(mail.outbox[1].body))
    assert events(membership).filter(action="update", detail__sent="set-password email").exists()
    # Once a password is set there is nothing to send.
    client.post(reverse("people:edit", args=[membership.pk]), {"action": "resend"})
    assert len(mail.outbox) == 2
