"""Give a person a role at a school, creating their account if needed.

    manage.py add_staff --school 123456 --username jane.smith --email jane@school.org.uk \\
        --first-name Jane --last-name Smith --role senco [--job-title "SENCO"]

A new account has no password: the person is emailed a one-off link to set one (with no
EMAIL_HOST the email is printed on the console) and the link is printed here too. This is also
how trust SEND leads are set up: the people page of a school cannot grant the trust role.
"""

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from sencoweb import people, roles
from sencoweb.models import AuditEvent, Membership, School, User, append_audit_event

ROLES = [value for value, _ in roles.ROLE_CHOICES]


class Command(BaseCommand):
    help = "Create a staff account if needed and give it a role at a school."

    def add_arguments(self, parser):
        parser.add_argument("--school", required=True, help="The school's URN")
        parser.add_argument("--username", required=True)
        parser.add_argument("--email", required=True)
        parser.add_argument("--first-name", required=True)
        parser.add_argument("--last-name", required=True)
        parser.add_argument("--role", required=True, help=" | ".join(ROLES))
        parser.add_argument("--job-title", default=None)

    def handle(self, *args, **opts):
        username = opts["username"].strip()
        email = opts["email"].strip()
        role = opts["role"].strip().lower()
        problems = []
        school = School.objects.filter(urn=opts["school"].strip()).first()
        if school is None:
            problems.append(
                f"No school with URN {opts['school']!r}: create it first with create_school"
            )
        if role not in ROLES:
            problems.append(f"--role must be one of {', '.join(ROLES)} (got {role!r})")
        try:
            UnicodeUsernameValidator()(username)
        except ValidationError:
            problems.append(f"--username {username!r} may hold only letters, digits and @ . + - _")
        try:
            validate_email(email)
        except ValidationError:
            problems.append(f"--email {email!r} is not an email address")
        if not opts["first_name"].strip() or not opts["last_name"].strip():
            problems.append("--first-name and --last-name must not be empty")
        if opts["job_title"] and len(opts["job_title"]) > 100:
            problems.append("--job-title is at most 100 characters")
        user = User.objects.filter(username__iexact=username).first() if username else None
        if user is not None and user.email.lower() != email.lower():
            problems.append(
                f"User {user.username} already exists with the email {user.email}, not "
                f"{email}: check the user name"
            )
        if user is None and not problems:
            other = User.objects.filter(email__iexact=email).first()
            if other is not None:
                problems.append(
                    f"{email} already belongs to the user {other.username}: use "
                    f"--username {other.username}"
                )
        if problems:
            raise CommandError("Nothing saved:\n  " + "\n  ".join(problems))

        with transaction.atomic():
            created_user = user is None
            if created_user:
                user = User(
                    username=username,
                    email=email,
                    first_name=opts["first_name"].strip(),
                    last_name=opts["last_name"].strip(),
                )
                user.set_unusable_password()
                user.save()
            membership = Membership.objects.filter(user=user, school=school).first()
            before = _state(membership)
            if membership is None:
                membership = Membership(user=user, school=school)
            membership.role = role
            membership.is_active = True
            if opts["job_title"] is not None:
                membership.job_title = opts["job_title"].strip()
            after = _state(membership)
            if before != after:
                membership.save()
                append_audit_event(
                    school=school,
                    username="manage.py add_staff",
                    action=AuditEvent.Action.CREATE if before is None else AuditEvent.Action.UPDATE,
                    object_type=membership._meta.label,
                    object_id=str(membership.pk),
                    summary=f"Staff account of {user.get_full_name() or user.username} "
                    "(system administrator)",
                    detail={
                        "before": before,
                        "after": after,
                        "user": user.username,
                        "new_user": created_user,
                    },
                )
        what = f"Created user {user.username}" if created_user else f"User {user.username} exists"
        if before is None:
            self.stdout.write(f"{what}; added as {membership.get_role_display()} at {school}.")
        elif before != after:
            changes = ", ".join(
                f"{k}: {before[k]!r} -> {after[k]!r}" for k in after if before[k] != after[k]
            )
            self.stdout.write(f"{what}; membership at {school} updated ({changes}).")
        else:
            self.stdout.write(f"{what}; already {membership.get_role_display()} at {school}.")
        if user.has_usable_password():
            self.stdout.write(f"{user.username} already has a password: nothing was emailed.")
            return
        link = people.send_welcome(user, school)
        self.stdout.write(
            f"{user.username} has no password yet. An email with a one-off link to set one "
            f"was sent to {user.email} (it works for {people.timeout_days()} days):\n{link}"
        )


def _state(membership):
    if membership is None:
        return None
    return {
        "role": membership.role,
        "job_title": membership.job_title,
        "is_active": membership.is_active,
    }
