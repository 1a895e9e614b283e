"""What the role-by-URL matrix (test_url_matrix.py) needs to know about URLs.

Adding a view? Decorate it with `@capability_required(...)` (or `membership_required`) and, if
its URL takes a kwarg the matrix has not seen before, add a factory for that kwarg below with
`@kwarg("name")`. Public pages (no sign-in) go in PUBLIC with the reason they are public.

A factory gets the Cast (school, members, a pupil the teacher and TA teach) and returns the
value to put in the URL. Objects must belong to cast.school and, where possible, to
cast.pupil, so every role with the capability can see them; list the roles that still cannot
(need-to-know scoping) in `hidden_from`.
"""

from dataclasses import dataclass, field

FACTORIES: dict[str, "KwargFactory"] = {}


@dataclass
class KwargFactory:
    make: object
    is_object: bool = True  # identifies a record (outsiders must get a 404)
    hidden_from: frozenset = field(default_factory=frozenset)


def kwarg(name: str, *, is_object: bool = True, hidden_from=()):
    def register(fn):
        FACTORIES[name] = KwargFactory(fn, is_object, frozenset(hidden_from))
        return fn

    return register


# URL names (with namespace) that anyone may open without signing in, and why.
PUBLIC = {
    "login": "The sign-in page",
    "logout": "Signing out must work for everyone (POST only)",
    "password_reset": "Forgotten-password request (sends an email only to a known address)",
    "password_reset_done": "Confirmation page after requesting a reset",
    "password_reset_confirm": "Reached from the emailed one-off link; the token is the access",
    "password_reset_complete": "Confirmation page after a reset",
    "healthz": "Load balancer health check; reports only ok/error",
}

# Names reached by signed-in users of any role (or none), checked by login_required.
SIGNED_IN_ONLY = {
    "password_change": "Every user may change their own password",
    "password_change_done": "Confirmation after changing one's own password",
    "two_factor": "Every user may set up two-factor sign-in for their own account",
    "two_factor_verify": "The second sign-in step for one's own account",
    "two_factor_recovery_codes": "Own recovery codes",
    "two_factor_disable": "Own two-factor device",
    "home": "Home page; a user without a membership sees a 'no school' page",
}

# Whole namespaces that are not school pages at all.
SKIPPED_NAMESPACES = {
    "admin": "Django admin: only is_staff superusers, never a school role (tested separately)",
}

# Per-URL exceptions to the derived expectation: {url_name: {principal: status, ...}}.
# Say why next to each one.
OVERRIDES: dict[str, dict[str, int]] = {
    # An empty POST names no school: 404, the same answer as naming another school.
    "switch_school": {
        p: 404 for p in ("senco", "teacher", "ta", "head", "governor", "trust", "outsider")
    },
}


# --- kwarg factories ---------------------------------------------------------------------


@kwarg("pupil_id")
def _pupil_id(cast):
    return cast.pupil.public_id


@kwarg("pk", hidden_from=("teacher", "ta", "head", "governor", "trust"))
def _notification_pk(cast):
    # sencoweb's notification_read is the only bare <pk> URL: a notification of the user.
    from sencoweb.models import Notification

    return Notification.objects.create(school=cast.school, user=cast.senco.user, title="x").pk


@kwarg("uidb64", is_object=False)
def _uidb64(cast):
    return "MQ"


@kwarg("token", is_object=False)
def _token(cast):
    return "set-password"


@kwarg("fmt", is_object=False)
def _fmt(cast):
    return "json"
