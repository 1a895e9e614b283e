import pytest
from django.urls import reverse

from tests.helpers import client_for


@pytest.mark.parametrize("role", ["senco", "teacher", "ta", "head", "governor", "trustlead"])
def test_each_role_lands_on_its_own_home(cast, role):
    member = cast[role]
    response = client_for(member).get(reverse("home"))
    assert response.status_code == 200
    assert f"sencoweb/home_{member.role}.html" in [t.name for t in response.templates]
    assert member.get_role_display() in response.content.decode()


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_user_without_a_school_is_told_so(db, client):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    response = client.get(reverse("home"))
    assert response.status_code == 403
    assert b"not linked to a school" in response.content


def test_sign_in_with_password_then_sign_out(client, senco, password):
    response = client.post(reverse("login"), {"username": "senco", "password": password})
    assert response.status_code == 302 and response.url == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 200 and b"You have signed out" in response.content
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_is_refused_and_audited(client, senco):
    from sencoweb.models import AuditEvent

    response = client.post(reverse("login"), {"username": "senco", "password": "wrong"})
    assert response.status_code == 200
    assert b"correct username and password" in response.content
    assert AuditEvent.objects.filter(action="sign_in_failed", username="senco").exists()


def test_password_change(client, teacher, password):
    client.force_login(teacher.user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": password,
            "new_password1": "a-much-longer-phrase-42",
            "new_password2": "a-much-longer-phrase-42",
        },
    )
    assert response.status_code == 302
    teacher.user.refresh_from_db()
    assert teacher.user.check_password("a-much-longer-phrase-42")


def test_weak_password_is_refused_with_a_message(client, teacher, password):
    client.force_login(teacher.user)
    response = client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": "short", "new_password2": "short"},
    )
    assert response.status_code == 200
    assert b"too short" in response.content


def test_password_reset_by_email(client, teacher, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": teacher.user.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    body = mailoutbox[0].body
    link = next(line for line in body.splitlines() if "/accounts/reset/" in line)
    path = link.split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    assert b"Choose a new password" in response.content
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "brand-new-phrase-77", "new_password2": "brand-new-phrase-77"}
    )
    assert response.status_code == 302
    teacher.user.refresh_from_db()
    assert teacher.user.check_password("brand-new-phrase-77")


def test_the_header_names_the_role_in_one_pair_of_brackets(cast):
    """A trust lead's role has an aside of its own: "(Trust SEND lead, read only)", not
    "(Trust SEND lead (read only))"."""
    from sencoweb import roles

    lead = cast["trustlead"].user
    lead.first_name, lead.last_name = "Fiona", "Okoro"
    lead.save()
    page = client_for(cast["trustlead"]).get(reverse("home")).content.decode()
    assert (
        'id="user-menu">Fiona Okoro <span class="small">(Trust SEND lead, read only)</span>' in page
    )
    assert "((" not in page and "))" not in page
    senco_page = client_for(cast["senco"]).get(reverse("home")).content.decode()
    assert '<span class="small">(SENCO)</span>' in senco_page
    for role, _label in roles.ROLE_CHOICES:
        assert "(" not in roles.role_in_brackets(role) and ")" not in roles.role_in_brackets(role)
    assert roles.role_in_brackets("ta") == "Teaching assistant"
