"""The system administrator's setup commands: create_school and add_staff."""

import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client

from sencoweb.models import AuditEvent, Membership, School, User
from tests.factories import MembershipFactory, SchoolFactory, UserFactory

SCHOOL = [
    "--urn",
    "123456",
    "--name",
    "Brook Lane Primary",
    "--la-code",
    "801",
    "--la-name",
    "Bristol",
    "--phase",
    "primary",
    "--estab",
    "2041",
]


def run(command, *args) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def with_option(args, option, value):
    args = list(args)
    args[args.index(option) + 1] = value
    return args


@pytest.mark.django_db
class TestCreateSchool:
    def test_creates_the_school(self):
        out = run("create_school", *SCHOOL)
        school = School.objects.get(urn="123456")
        assert (school.name, school.la_code, school.la_name, school.phase, school.estab) == (
            "Brook Lane Primary",
            "801",
            "Bristol",
            "primary",
            "2041",
        )
        assert school.laestab == "8012041"
        assert "Created school Brook Lane Primary (URN 123456)" in out

    def test_is_idempotent_by_urn_and_updates(self):
        run("create_school", *SCHOOL)
        assert "is up to date" in run("create_school", *SCHOOL)
        renamed = with_option(SCHOOL, "--name", "Brook Lane Academy")
        renamed = [a for a in renamed if a not in ("--estab", "2041")]  # estab kept when omitted
        out = run("create_school", *renamed)
        assert School.objects.count() == 1
        school = School.objects.get(urn="123456")
        assert school.name == "Brook Lane Academy" and school.estab == "2041"
        assert "Updated school Brook Lane Academy" in out
        assert "'Brook Lane Primary' -> 'Brook Lane Academy'" in out

    @pytest.mark.parametrize(
        "option,value,message",
        [
            ("--urn", "12345", "--urn must be six digits"),
            ("--urn", "12345a", "--urn must be six digits"),
            ("--la-code", "80", "--la-code must be three digits"),
            ("--la-code", "8O1", "--la-code must be three digits"),
            ("--estab", "204", "--estab must be four digits"),
            ("--phase", "college", "--phase must be one of nursery, primary"),
            ("--name", "  ", "--name must not be empty"),
        ],
    )
    def test_bad_input_is_refused_with_a_message(self, option, value, message):
        with pytest.raises(CommandError) as error:
            run("create_school", *with_option(SCHOOL, option, value))
        assert message in str(error.value)
        assert "Nothing saved" in str(error.value)
        assert not School.objects.exists()

    def test_a_new_school_needs_its_establishment_number(self):
        args = SCHOOL[:-2]
        with pytest.raises(CommandError, match="--estab is needed to create a school"):
            run("create_school", *args)
        assert not School.objects.exists()

    def test_exits_non_zero_from_the_shell(self):
        from django.core.management import ManagementUtility

        utility = ManagementUtility(
            ["manage.py", "create_school", *with_option(SCHOOL, "--urn", "1")]
        )
        with pytest.raises(SystemExit) as exit_:
            utility.execute()
        assert exit_.value.code != 0


def staff_args(**over):
    values = {
        "--school": "123456",
        "--username": "jane.smith",
        "--email": "jane.smith@brook.sch.uk",
        "--first-name": "Jane",
        "--last-name": "Smith",
        "--role": "senco",
        **over,
    }
    return [x for pair in values.items() for x in pair]


@pytest.fixture
def brook(db):
    return SchoolFactory(urn="123456", name="Brook Lane Primary")


def link_in(text) -> str:
    return re.search(r"https?://\S+/accounts/reset/\S+/", text).group(0)


@pytest.mark.django_db
class TestAddStaff:
    def test_creates_the_user_and_membership_and_emails_a_link(self, brook):
        out = run("add_staff", *staff_args(**{"--job-title": "SENCO and deputy head"}))
        user = User.objects.get(username="jane.smith")
        assert (user.first_name, user.last_name, user.email) == (
            "Jane",
            "Smith",
            "jane.smith@brook.sch.uk",
        )
        assert not user.has_usable_password()
        membership = Membership.objects.get(user=user, school=brook)
        assert membership.role == "senco" and membership.is_active
        assert membership.job_title == "SENCO and deputy head"
        assert "Created user jane.smith; added as SENCO at Brook Lane Primary" in out
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["jane.smith@brook.sch.uk"]
        assert link_in(out) == link_in(mail.outbox[0].body)
        event = AuditEvent.objects.get(object_type="sencoweb.Membership")
        assert event.detail["after"]["role"] == "senco" and event.detail["new_user"] is True

    def test_the_printed_link_sets_the_password_and_signs_in(self, brook, client):
        out = run("add_staff", *staff_args(**{"--role": "teacher"}))
        path = link_in(out).split("://", 1)[1].split("/", 1)[1]
        response = client.get("/" + path, follow=True)
        assert response.status_code == 200
        form_url = response.redirect_chain[-1][0]
        response = client.post(
            form_url,
            {"new_password1": "a-long-Passphrase-2026", "new_password2": "a-long-Passphrase-2026"},
        )
        assert response.status_code == 302
        assert Client().login(username="jane.smith", password="a-long-Passphrase-2026")

    def test_is_idempotent(self, brook):
        run("add_staff", *staff_args())
        out = run("add_staff", *staff_args())
        assert "already SENCO at Brook Lane Primary" in out
        assert User.objects.filter(username="jane.smith").count() == 1
        assert Membership.objects.filter(school=brook).count() == 1
        assert AuditEvent.objects.filter(object_type="sencoweb.Membership").count() == 1

    def test_a_second_run_changes_the_role_and_reactivates(self, brook):
        run("add_staff", *staff_args())
        Membership.objects.filter(user__username="jane.smith").update(is_active=False)
        out = run("add_staff", *staff_args(**{"--role": "head"}))
        membership = Membership.objects.get(user__username="jane.smith")
        assert membership.role == "head" and membership.is_active
        assert "membership at Brook Lane Primary updated" in out
        assert "role: 'senco' -> 'head'" in out

    def test_an_existing_user_with_a_password_gets_a_membership_and_no_link(self, brook):
        other = SchoolFactory()
        member = MembershipFactory(
            school=other, user__username="sam.jones", user__email="sam@trust.org.uk"
        )
        out = run(
            "add_staff",
            *staff_args(
                **{"--username": "sam.jones", "--email": "sam@trust.org.uk", "--role": "trust"}
            ),
        )
        assert Membership.objects.get(user=member.user, school=brook).role == "trust"
        assert "already has a password: nothing was emailed" in out
        assert not mail.outbox

    @pytest.mark.parametrize(
        "over,message",
        [
            ({"--role": "caretaker"}, "--role must be one of senco, teacher, ta, head"),
            ({"--school": "999999"}, "No school with URN '999999'"),
            ({"--email": "not-an-email"}, "is not an email address"),
            ({"--username": "jane smith"}, "may hold only letters"),
            ({"--first-name": " "}, "--first-name and --last-name must not be empty"),
        ],
    )
    def test_bad_input_is_refused_with_a_message(self, brook, over, message):
        with pytest.raises(CommandError) as error:
            run("add_staff", *staff_args(**over))
        assert message in str(error.value)
        assert not User.objects.exists() and not Membership.objects.exists()
        assert not mail.outbox

    def test_a_user_name_with_another_email_is_refused(self, brook):
        UserFactory(username="jane.smith", email="jane@elsewhere.org")
        with pytest.raises(CommandError, match="already exists with the email jane@elsewhere"):
            run("add_staff", *staff_args())
        assert not Membership.objects.exists()

    def test_an_email_of_another_user_is_refused(self, brook):
        UserFactory(username="j.smith", email="jane.smith@brook.sch.uk")
        with pytest.raises(CommandError, match="use --username j.smith"):
            run("add_staff", *staff_args())
        assert not User.objects.filter(username="jane.smith").exists()
