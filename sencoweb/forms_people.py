"""Forms of the people pages (views_people.py). The rules they enforce:

- The trust role is never offered: trust SEND leads see every school of their trust, so the
  system administrator grants that role (manage.py add_staff), not one school.
- Only a head may make someone a head, or change or deactivate a head's membership: the head
  is accountable for the school, and a SENCO must not be able to demote or lock out the head.
- The school always keeps at least one active member who may manage people (a SENCO or head):
  the last one cannot lower their own role or deactivate themselves.
"""

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator

from . import people, roles
from .models import Membership, User
from .widgets import bootstrap_classes

TRUST_NOTE = (
    "Trust SEND leads are not added here: their access covers every school of the trust, so "
    "the system administrator sets it up (manage.py add_staff)."
)
HEAD_NOTE = "Only a headteacher may make someone a headteacher or change a headteacher's role."


def role_choices(editor: Membership, *, current: str | None = None):
    allowed = [(v, label) for v, label in roles.ROLE_CHOICES if v != roles.TRUST]
    if editor.role != roles.HEAD and current != roles.HEAD:
        allowed = [(v, label) for v, label in allowed if v != roles.HEAD]
    return allowed


class AddMemberForm(forms.Form):
    email = forms.EmailField(
        label="Email",
        help_text="If this person already has a SENCo Web account (at another school), they "
        "are added with it and the name fields are not needed.",
    )
    first_name = forms.CharField(label="First name", max_length=150, required=False)
    last_name = forms.CharField(label="Last name", max_length=150, required=False)
    username = forms.CharField(
        label="User name",
        max_length=150,
        required=False,
        validators=[UnicodeUsernameValidator()],
        help_text="Leave blank to use first.last (for example jane.smith).",
    )
    role = forms.ChoiceField(label="Role")
    job_title = forms.CharField(label="Job title", max_length=100, required=False)

    def __init__(self, *args, editor: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.editor = editor
        self.fields["role"].choices = [("", "Choose a role"), *role_choices(editor)]
        self.existing_user = None
        bootstrap_classes(self)

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        matches = list(User.objects.filter(email__iexact=email)[:2])
        if len(matches) > 1:
            raise forms.ValidationError(
                "More than one account uses this email: ask the system administrator."
            )
        if matches:
            user = matches[0]
            if Membership.objects.filter(user=user, school=self.editor.school).exists():
                raise forms.ValidationError(
                    f"{user.get_full_name() or user.username} is already on the staff list of "
                    "this school: change or reactivate them there."
                )
            self.existing_user = user
        return email

    def clean_role(self):
        role = self.cleaned_data["role"]
        if role == roles.HEAD and self.editor.role != roles.HEAD:
            raise forms.ValidationError(HEAD_NOTE)
        return role

    def clean(self):
        data = super().clean()
        if self.existing_user is not None or "email" not in data:
            return data
        for field in ("first_name", "last_name"):
            if not data.get(field, "").strip():
                self.add_error(field, "Enter the new person's name.")
        username = data.get("username", "").strip()
        if username:
            if User.objects.filter(username__iexact=username).exists():
                self.add_error("username", f"The user name {username} is taken: choose another.")
        elif data.get("first_name") and data.get("last_name"):
            data["username"] = people.suggest_username(data["first_name"], data["last_name"])
        return data


class EditMemberForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role", "job_title", "is_active"]
        labels = {"is_active": "Active: may sign in to this school"}
        help_texts = {
            "is_active": "Untick to stop this person using SENCo Web at this school. Their "
            "account and everything they recorded stay (the audit trail points at them)."
        }

    def __init__(self, *args, editor: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.editor = editor
        target = self.instance
        self.before_role, self.before_active = target.role, target.is_active
        self.fields["role"].choices = role_choices(editor, current=target.role)
        if target.role == roles.HEAD and editor.role != roles.HEAD:
            for name in ("role", "is_active"):
                self.fields[name].disabled = True
            self.fields["role"].help_text = HEAD_NOTE
        bootstrap_classes(self)

    def clean_role(self):
        role = self.cleaned_data["role"]
        if role == roles.TRUST:
            raise forms.ValidationError(TRUST_NOTE)
        if role == roles.HEAD and self.before_role != roles.HEAD and self.editor.role != roles.HEAD:
            raise forms.ValidationError(HEAD_NOTE)
        return role

    def clean(self):
        data = super().clean()
        role = data.get("role", self.before_role)
        active = data.get("is_active", self.before_active)
        target = self.instance
        loses_manage = people.manages_people(self.before_role) and self.before_active
        loses_manage = loses_manage and not (people.manages_people(role) and active)
        if loses_manage and people.is_last_manager(target):
            who = "You are" if target.pk == self.editor.pk else "This person is"
            self.add_error(
                "role" if not people.manages_people(role) else "is_active",
                f"{who} the last active SENCO or headteacher here, who alone may manage staff "
                "accounts: make someone else a SENCO or headteacher first.",
            )
        return data
