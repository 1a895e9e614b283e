"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Screenshots go to screenshots/ so a person can look at what the tests saw."""

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENS = ROOT / "screenshots"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def sign_in(live_server, page, password):
    """sign_in("senco") signs in through the real form and returns the page on the home page."""

    def _sign_in(username, *, to=None):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("#sign-in")
        page.wait_for_selector("#main")
        if to:
            page.goto(f"{live_server.url}{to}")
        return page

    return _sign_in


def screenshot(page, name: str) -> Path:
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(
    page, *, impacts=("serious", "critical"), allow: tuple[str, ...] = (), rules: dict | None = None
) -> list[dict]:
    """axe-core's violations on the page of the given impacts, as {id, help, nodes}. `rules`
    turns rules on or off ({"target-size": {"enabled": True}}: WCAG 2.2's, off by default)."""
    assert AXE.exists(), "axe-core is missing: run `npm install` (make test does it)"
    # evaluate() is not subject to the page's CSP, which (rightly) blocks injected script tags.
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text() + "\n;0")
    result = page.evaluate(
        "async (rules) => await axe.run(document, {resultTypes: ['violations'], rules})",
        rules or {},
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["html"][:200] for n in v["nodes"][:3]],
        }
        for v in result["violations"]
        if v["impact"] in impacts and v["id"] not in allow
    ]


def assert_accessible(page, *, allow: tuple[str, ...] = ()) -> None:
    """Run axe-core (from the npm package, installed by `make test`) and fail on serious or
    critical violations."""
    bad = axe_violations(page, allow=allow)
    assert not bad, json.dumps(bad, indent=1)
