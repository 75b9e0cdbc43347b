"""Browser tests: Debian's Chromium, driven by Playwright, against a live server in a thread."""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.factories import DEFAULT_PASSWORD

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def chromium_path() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        return configured
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    reason = None
    if path is None:
        reason = "Chromium is not installed (make test installs Debian's chromium where it can, as root)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "playwright is not installed"
    if reason:
        if os.environ.get("GIVEFIRST_REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def site(app, live_server):
    """The live site with CSRF protection on and its links built for it (BASE_URL), as in production."""
    base_url = app.config["BASE_URL"]
    app.config.update(WTF_CSRF_ENABLED=True, BASE_URL=live_server)
    yield live_server
    app.config.update(WTF_CSRF_ENABLED=False, BASE_URL=base_url)


def axe_source() -> str:
    """axe-core, as bundled (pinned) by the axe-playwright-python package; read from the installed
    package, never fetched."""
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")


# Every page a browser test loads is checked by axe-core once it has loaded (WCAG 2.x A and AA
# rules and axe's best practices); a violation fails the test that reached the page. Pages a
# test leaves before axe finishes are checked again from the test's last page at teardown.
AXE_RUN = """
(() => {
  if (window.top !== window || !window.axe || !location.protocol.startsWith("http")) return;
  const report = () => window.axe.run(document, {resultTypes: ["violations"]})
    .then((result) => window.__axeReport(location.href, result.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ") + " :: " + n.failureSummary)}))))
    .catch(() => {});
  if (document.readyState === "complete") setTimeout(report, 50);
  else window.addEventListener("load", () => setTimeout(report, 50));
})();
"""


def axe_violations_text(found: list[tuple[str, list]]) -> str:
    lines = []
    for url, violations in found:
        for v in violations:
            lines.append(f"{url}: {v['id']} ({v['impact']}): {v['help']}")
            lines.extend(f"    {node}" for node in v["nodes"])
    return "\n".join(lines)


@pytest.fixture(scope="session")
def axe_script():
    return axe_source() + "\n" + AXE_RUN


@pytest.fixture
def axe_found():
    """(url, violations) pairs reported by axe on every page the test's browsers loaded."""
    return []


@pytest.fixture
def new_page(browser, axe_script, axe_found):
    contexts = []
    checked: set[str] = set()

    def record(_source, url, violations):
        checked.add(url)
        if violations:
            axe_found.append((url, violations))

    def make(axe: bool = True, **options):
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        if axe:
            context.expose_binding("__axeReport", record)
            context.add_init_script(script=axe_script)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        for page in context.pages:
            if page.url.startswith("http") and page.url not in checked:
                try:
                    page.wait_for_timeout(300)
                except Exception:  # noqa: BLE001 - a closed page has nothing left to check
                    pass
        context.close()
    assert not axe_found, "axe-core found accessibility violations:\n" + axe_violations_text(axe_found)


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def log_in(page, site: str, email: str, password: str = DEFAULT_PASSWORD) -> None:
    page.goto(site + "/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
