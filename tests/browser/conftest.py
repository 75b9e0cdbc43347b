"""Browser tests: Debian's Chromium, driven by Playwright, against a live server in a thread."""

import os
import shutil

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


@pytest.fixture
def new_page(browser):
    contexts = []

    def make(**options):
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def log_in(page, site: str, email: str, password: str = DEFAULT_PASSWORD) -> None:
    page.goto(site + "/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
