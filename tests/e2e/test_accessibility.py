"""Browser: each role's pages pass axe-core (WCAG 2.2 AA: the Public Sector Bodies Accessibility
Regulations) on the demo data, one test per role.

A role signs in, opens every page of its menu and the first record of each kind those pages link
to (a pupil, a support plan, an EHC plan, a provision group, a session...), and every page must
have no axe violation of moderate impact or worse (WCAG 2.2's target size included), one h1, a
title that names the page, the language of the page, a skip link to the main content and a caption
on every data table (visually hidden where a heading above already says what it lists)."""

import re

import pytest
from django.core.management import call_command

from tests.e2e.conftest import axe_violations

DEMO_PASSWORD = "sencoweb-demo-2026"
IMPACTS = ("moderate", "serious", "critical")
RULES = {"target-size": {"enabled": True}}  # WCAG 2.2 AA 2.5.8, off in axe by default

# The first link of each kind found on a role's pages is opened too.
RECORDS = [
    r"^/pupils/[0-9a-f-]{36}/$",
    r"^/pupils/[0-9a-f-]{36}/changes/$",
    r"^/pupils/concerns/[0-9a-f-]{36}/$",
    r"^/reviews/pupil/[0-9a-f-]{36}/$",
    r"^/reviews/cycle/[0-9a-f-]{36}/$",
    r"^/reviews/cycle/[0-9a-f-]{36}/v\d+/$",
    r"^/reviews/cycle/[0-9a-f-]{36}/review/$",
    r"^/reviews/ehc/pupil/[0-9a-f-]{36}/$",
    r"^/reviews/ehc/plan/[0-9a-f-]{36}/$",
    r"^/reviews/ehc/request/[0-9a-f-]{36}/$",
    r"^/reviews/ehc/review/[0-9a-f-]{36}/$",
    r"^/provision/groups/[0-9a-f-]{36}/$",
    r"^/provision/groups/[0-9a-f-]{36}/sessions/[\d-]+/$",
    r"^/provision/enrolments/[0-9a-f-]{36}/$",
    r"^/provision/pupils/[0-9a-f-]{36}/$",
    r"^/provision/staff/[0-9a-f-]{36}/timetable/$",
    r"^/reports/information-report/history/$",
]

PAGE_CHECKS = """() => ({
  h1: document.querySelectorAll('h1').length,
  title: document.title,
  lang: document.documentElement.lang,
  skip: !!document.querySelector('a.skip-link[href="#main"]') && !!document.querySelector('#main'),
  uncaptioned: [...document.querySelectorAll('main table:not([role=presentation])')]
    .filter(t => !(t.caption && t.caption.textContent.trim()))
    .map(t => t.id || t.querySelector('th')?.textContent.trim() || '(no header)'),
})"""


@pytest.fixture
def demo(db):
    call_command("seed_demo", "--pupils", "120", "--seed", "7")


def _links(page, scope: str) -> list[str]:
    hrefs = page.eval_on_selector_all(f"{scope} a[href]", "as => as.map(a => a.pathname)")
    return list(dict.fromkeys(h for h in hrefs if h.startswith("/")))


def _check(page, path: str, problems: list) -> None:
    facts = page.evaluate(PAGE_CHECKS)
    if facts["h1"] != 1:
        problems.append((path, f"{facts['h1']} h1 elements"))
    if not facts["skip"]:
        problems.append((path, "no skip link to #main"))
    for table in facts["uncaptioned"]:  # a data table says what it lists (WCAG 1.3.1)
        problems.append((path, f"table {table!r} has no caption"))
    if facts["lang"] != "en-GB":
        problems.append((path, f"lang={facts['lang']!r}"))
    if facts["title"].startswith("SENCo Web") or " · " not in facts["title"]:
        problems.append((path, f"title {facts['title']!r} does not name the page"))
    for v in axe_violations(page, impacts=IMPACTS, rules=RULES):
        problems.append((path, v))


def _audit_role(page, live_server, role: str) -> tuple[list, list]:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", role)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("#sign-in")
    page.wait_for_selector("#main")
    seen, problems, queue = set(), [], ["/", *_links(page, "header")]
    found: dict[str, str] = {}
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, (role, path, response.status)
        _check(page, path, problems)
        for href in _links(page, "main"):
            for pattern in RECORDS:
                if pattern not in found and re.match(pattern, href):
                    found[pattern] = href
                    queue.append(href)
    return sorted(seen), problems


@pytest.mark.parametrize("role", ["senco", "teacher", "ta", "head", "governor", "trustlead"])
def test_every_page_of_a_role_passes_axe(role, demo, page, live_server):
    seen, problems = _audit_role(page, live_server, role)
    assert len(seen) >= 6, seen  # the menu was found
    if role in ("senco", "ta"):
        # The session register and today's sessions on a phone.
        page.set_viewport_size({"width": 390, "height": 844})
        sessions = [p for p in seen if "/sessions/" in p] + ["/provision/today/"]
        for path in sessions:
            page.goto(f"{live_server.url}{path}")
            _check(page, f"{path} (phone)", problems)
    if role == "senco":
        # Forms sent empty: the errors are tied to their fields, the first takes focus and the
        # title says there is an error.
        page.set_viewport_size({"width": 1280, "height": 900})
        forms = ["/pupils/concerns/new/", "/provision/groups/new/"]
        forms += [p.replace("/review/", "/outcomes/add/") for p in seen if p.endswith("/review/")]
        for path in forms:
            page.goto(f"{live_server.url}{path}")
            form = page.locator("main form[method=post]").last
            form.evaluate("f => { f.noValidate = true; }")
            with page.expect_navigation():
                form.locator("button[type=submit]").last.click()
            _check(page, f"{path} (sent empty)", problems)
            assert page.title().startswith("Error: "), (path, page.title())
            focused = page.evaluate(
                "() => { const e = document.activeElement; return [e.getAttribute('aria-invalid'),"
                " (e.getAttribute('aria-describedby') || '').split(' ').filter(i =>"
                " document.getElementById(i)).map(i => document.getElementById(i).innerText)] }"
            )
            assert focused[0] == "true" and any(focused[1]), (path, focused)
        # The public pages: sign-in and the SEN information report.
        from reports.models import InfoReport

        page.context.clear_cookies()
        for path in ["/accounts/login/", "/accounts/password_reset/"]:
            page.goto(f"{live_server.url}{path}")
            _check(page, path, problems)
        report = InfoReport.objects.filter(published=True).select_related("school").first()
        assert report is not None
        page.goto(f"{live_server.url}/reports/information-report/{report.school.public_id}/")
        for v in axe_violations(page, impacts=IMPACTS, rules=RULES):
            problems.append(("information report", v))
    assert not problems, "\n".join(f"{path}: {problem}" for path, problem in problems)
