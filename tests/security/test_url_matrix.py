"""The role-by-URL matrix: every URL pattern of the project, opened by every role, by an
anonymous visitor and by a user of another school, must give the answer its declaration implies.

Expectations come from the views themselves: `@capability_required(...)` records the
capabilities on the view (`required_capabilities`), `membership_required` and
`login_required` are recognised by their wrappers. Public pages are listed in
tests/security/url_fixtures.py with a reason. A URL with no declaration fails this test.

The table of every URL with every role is written to tests/security/url_matrix.md.
"""

from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from sencoweb import roles
from sencoweb.middleware import SESSION_SCHOOL_KEY

from . import url_fixtures as fx

PRINCIPALS = [
    "anonymous",
    "senco",
    "teacher",
    "ta",
    "head",
    "governor",
    "trust",
    "outsider",
    "teacher_untaught",
]
ALLOWED = {200, 201, 204, 301, 302, 303, 400, 409, 422}
HELP = "See tests/security/url_fixtures.py for how to declare a URL."

RESULTS: dict[str, dict] = {}  # url name -> row of the table (written by conftest.py)


@dataclass
class Route:
    name: str  # with namespace, e.g. "pupils:detail"
    route: str  # the path pattern, e.g. "pupils/<uuid:pupil_id>/"
    callback: object
    kwargs: tuple[str, ...]


def _walk(resolver, prefix="", namespace=None):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            full_ns = ":".join(x for x in (namespace, ns) if x) or None
            if ns in fx.SKIPPED_NAMESPACES:
                continue
            yield from _walk(entry, prefix + str(entry.pattern), full_ns)
        elif isinstance(entry, URLPattern):
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            route = prefix + str(entry.pattern)
            kwargs = tuple(_kwargs_of(route))
            yield Route(name or f"<unnamed {route}>", route, entry.callback, kwargs)


def _kwargs_of(route):
    import re

    return re.findall(r"<(?:\w+:)?(\w+)>", route) + re.findall(r"\(\?P<(\w+)>", route)


def all_routes() -> list[Route]:
    seen, routes = set(), []
    for route in _walk(get_resolver()):
        if route.name not in seen:  # the same name twice: reverse() gives the first
            seen.add(route.name)
            routes.append(route)
    return routes


def declaration(route: Route):
    """('public'|'signed_in'|'member'|'caps', capabilities) or None when undeclared."""
    short = route.name
    if short in fx.PUBLIC:
        return ("public", ())
    if short in fx.SIGNED_IN_ONLY:
        return ("signed_in", ())
    view = route.callback
    view_class = getattr(view, "view_class", None)
    if view_class is not None and getattr(view_class, "required_capabilities", None):
        return ("caps", tuple(view_class.required_capabilities))
    while view is not None:
        caps = getattr(view, "required_capabilities", None)
        if caps:
            return ("caps", tuple(caps))
        code = getattr(view, "__code__", None)
        qualname = getattr(code, "co_qualname", "") if code else ""
        if "membership_required" in qualname:
            return ("member", ())
        if "user_passes_test" in qualname or "login_required" in qualname:
            return ("signed_in", ())
        view = getattr(view, "__wrapped__", None)
    return None


ROUTES = all_routes()


def expected(route: Route, kind, caps, principal) -> set[int] | str:
    """A set of acceptable status codes, or 'login' for a redirect to the sign-in page."""
    override = fx.OVERRIDES.get(route.name, {}).get(principal)
    if override is not None:
        return {override}
    has_object = any(fx.FACTORIES[k].is_object for k in route.kwargs if k in fx.FACTORIES)
    if kind == "public":
        return ALLOWED
    if principal == "anonymous":
        return "login"
    role = {"trust": roles.TRUST, "outsider": roles.SENCO, "teacher_untaught": "teacher"}.get(
        principal, principal
    )
    allowed_by_role = kind in ("signed_in", "member") or any(roles.role_can(role, c) for c in caps)
    if not allowed_by_role:
        return {403}
    if principal == "outsider":
        # Scoped to their own school: our records are missing there; pages without a record
        # show their own school's data.
        return {404} if has_object else ALLOWED
    if principal == "teacher_untaught":
        return {404}
    hidden = any(role in fx.FACTORIES[k].hidden_from for k in route.kwargs if k in fx.FACTORIES)
    return {404} if hidden else ALLOWED


def _client(member) -> Client:
    client = Client()
    if member is not None:
        client.force_login(member.user)
        session = client.session
        session[SESSION_SCHOOL_KEY] = member.school_id
        session.save()
    return client


def _request(client, method, url):
    """One request whose writes are rolled back, so each principal meets the same data."""
    with transaction.atomic():
        response = getattr(client, method)(url)
        transaction.set_rollback(True)
    return response


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


def _describe(expect) -> str:
    if expect == "login":
        return "sign-in"
    if expect == ALLOWED:
        return "allowed"
    return "/".join(str(s) for s in sorted(expect))


def test_every_url_is_declared():
    undeclared = [r for r in ROUTES if declaration(r) is None]
    unnamed = [r for r in ROUTES if r.name.startswith("<unnamed")]
    missing = sorted({k for r in ROUTES for k in r.kwargs if k not in fx.FACTORIES})
    lines = [
        f"  {r.name} ({r.route}): decorate the view with @capability_required(...) from "
        "sencoweb.access, or add it to url_fixtures.PUBLIC with the reason it is public"
        for r in undeclared
    ]
    lines += [f"  {r.route}: give the URL pattern a name" for r in unnamed]
    lines += [f"  URL kwarg <{k}>: add @kwarg({k!r}) factory to url_fixtures.py" for k in missing]
    assert not lines, "URLs the access matrix cannot check:\n" + "\n".join(lines) + "\n" + HELP


@pytest.mark.parametrize("route", ROUTES, ids=[r.name for r in ROUTES])
def test_url_answers_each_role_as_declared(route, matrix_cast):
    decl = declaration(route)
    if decl is None or any(k not in fx.FACTORIES for k in route.kwargs):
        pytest.skip("undeclared: reported by test_every_url_is_declared")
    kind, caps = decl
    values = {k: fx.FACTORIES[k].make(matrix_cast) for k in route.kwargs}
    url = reverse(route.name, kwargs=values)
    probe = _request(_client(matrix_cast.senco), "get", url)
    method = "post" if probe.status_code == 405 else "get"

    row = {
        "route": "/" + route.route,
        "method": method.upper(),
        "declared": ", ".join(caps) or kind,
    }
    failures = []
    for principal in PRINCIPALS:
        if principal == "teacher_untaught":
            if "pupil_id" not in route.kwargs:
                row[principal] = "–"
                continue
            url_p = reverse(
                route.name, kwargs={**values, "pupil_id": matrix_cast.untaught_pupil.public_id}
            )
        else:
            url_p = url
        member = matrix_cast.members.get(principal)
        response = _request(_client(member), method, url_p)
        expect = expected(route, kind, caps, principal)
        if expect == "login":
            ok = _is_login_redirect(response)
        else:
            ok = response.status_code in expect and not (
                kind != "public" and _is_login_redirect(response)
            )
        got = "sign-in" if _is_login_redirect(response) else str(response.status_code)
        row[principal] = got if ok else f"**{got}** (want {_describe(expect)})"
        if not ok:
            failures.append(f"{principal}: got {got}, expected {_describe(expect)}")
    RESULTS[route.name] = row
    assert not failures, f"{route.name} {method.upper()} {url}\n  " + "\n  ".join(failures)


def test_admin_is_not_open_to_school_roles(matrix_cast):
    for principal in ("senco", "head", "governor"):
        response = _client(matrix_cast.members[principal]).get(reverse("admin:index"))
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


def write_table(path) -> None:
    header = ["URL name", "Path", "Method", "Declared", *PRINCIPALS]
    lines = [
        "# Role-by-URL matrix",
        "",
        "Generated by `pytest tests/security/test_url_matrix.py`; do not edit by hand.",
        "Cells show the status each principal got (`sign-in` = redirected to the sign-in page;",
        "`outsider` = a SENCO of another school; `teacher_untaught` = a teacher opening a pupil",
        "they do not teach). A cell in bold is a failure, with the expected answer.",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for name in sorted(RESULTS):
        row = RESULTS[name]
        cells = [
            f"`{name}`",
            f"`{row['route']}`",
            row["method"],
            row["declared"],
            *[row.get(p, "") for p in PRINCIPALS],
        ]
        lines.append("| " + " | ".join(cells) + " |")
    path.write_text("\n".join(lines) + "\n")
