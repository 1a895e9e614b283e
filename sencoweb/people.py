"""Staff accounts: the rules and the set-password email shared by the people pages
(views_people.py) and the system administrator's commands (create_school, add_staff).

New accounts get no password. They are sent a one-off link to set one, made with Django's
password reset machinery (default_token_generator), so it opens the ordinary
`password_reset_confirm` page and stops working once used or after PASSWORD_RESET_TIMEOUT
(3 days by default). Django's "Forgotten your password?" page ignores accounts that have never
had a password, which is why a link that ran out is sent again from the person's page.
"""

import re
import unicodedata

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from . import roles
from .models import Membership, User

MANAGE = "people.manage"


def manages_people(role: str) -> bool:
    return roles.role_can(role, MANAGE)


def is_last_manager(membership: Membership) -> bool:
    """True when no other active member of the school may manage people."""
    managers = [r for r, _ in roles.ROLE_CHOICES if manages_people(r)]
    others = (
        Membership.objects.filter(school=membership.school, is_active=True, role__in=managers)
        .exclude(pk=membership.pk)
        .exists()
    )
    return not others


def suggest_username(first_name: str, last_name: str) -> str:
    """first.last in lower-case ASCII, with a number added when it is taken."""

    def ascii_part(text):
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z0-9]+", "", text.lower())

    base = ".".join(p for p in (ascii_part(first_name), ascii_part(last_name)) if p) or "user"
    base = base[:140]
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


def set_password_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return settings.SITE_URL + path


def timeout_days() -> int:
    return max(1, round(settings.PASSWORD_RESET_TIMEOUT / 86400))


def send_welcome(user: User, school, *, by=None) -> str | None:
    """Email the person that they now have access to the school. Someone who has never set a
    password gets a one-off link to set one, which is returned; otherwise None."""
    link = None if user.has_usable_password() else set_password_link(user)
    context = {
        "user": user,
        "school": school,
        "by": by,
        "link": link,
        "days": timeout_days(),
        "sign_in": settings.SITE_URL + reverse("login"),
    }
    subject = "Set your SENCo Web password" if link else f"You now have access to {school.name}"
    body = render_to_string("sencoweb/people/welcome_email.txt", context)
    send_mail(subject, body, None, [user.email])
    return link
