"""Issue 13 in a real browser: an organizer invites by email and watches the outbox page; the
invitation reaches a real SMTP server (aiosmtpd); its link signs the newcomer up and joins."""

import re

import pytest
from playwright.sync_api import expect

from organizer.messages import delivery
from tests.browser.conftest import log_in
from tests.factories import make_group, make_user
from tests.mail_server import MailServer, body

pytestmark = pytest.mark.browser


@pytest.fixture
def smtp(app):
    server = MailServer().start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
    yield server
    server.stop()
    app.config.update(MAIL_SERVER=None, MAIL_PORT=25)


def test_an_organizer_invites_by_email_sees_the_outbox_and_the_newcomer_joins_from_the_email(
        site, new_page, app, smtp):
    organizer = make_user(name="Olga Organizer", email="olga@example.org")
    group = make_group(organizer=organizer, name="Mail Club")

    page = new_page()
    log_in(page, site, "olga@example.org")
    page.goto(f"{site}/groups/{group.slug}/")
    page.get_by_role("link", name="Directory", exact=True).click()
    page.get_by_role("link", name="Invite by email").click()
    page.get_by_label("Email addresses").fill("nina@example.org\nnot an address")
    page.get_by_role("button", name="Send the invitations").click()
    expect(page.get_by_text("Invitation sent to 1 address.", exact=False)).to_be_visible()
    expect(page.get_by_text("Not email addresses", exact=False)).to_be_visible()

    page.get_by_role("link", name="Outbox", exact=True).click()
    expect(page.get_by_role("heading", name="Outbox")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="nina@example.org")
    expect(row).to_contain_text("Olga Organizer invites you to join Mail Club")
    expect(row).to_contain_text("queued")
    row.get_by_text("Olga Organizer invites you").click()        # the message itself, without its link
    expect(row).to_contain_text("personal link: only the recipient has it")

    assert delivery.deliver_due().sent == 1
    page.reload()
    expect(page.get_by_role("row").filter(has_text="nina@example.org")).to_contain_text("sent")

    (_, recipients, email), = smtp.received
    assert recipients == ["nina@example.org"]
    join_link = re.search(r"(http://\S+/m/join/\S+)", body(email, "plain")).group(1)
    assert join_link.startswith(site)

    newcomer = new_page()
    newcomer.goto(join_link)
    expect(newcomer.get_by_role("heading", name="Join Mail Club")).to_be_visible()
    newcomer.get_by_role("link", name="Sign up and join").click()
    newcomer.get_by_label("Your name").fill("Nina Newcomer")
    newcomer.get_by_label("Email").fill("nina@example.org")
    newcomer.get_by_label("Password", exact=True).fill("a long enough password")
    newcomer.get_by_label("Password again").fill("a long enough password")
    newcomer.get_by_role("button", name="Create my account").click()
    newcomer.get_by_role("button", name="Join Mail Club").click()
    expect(newcomer.get_by_text("Welcome to Mail Club.")).to_be_visible()
    expect(newcomer.get_by_role("heading", name="Mail Club")).to_be_visible()

    again = new_page()
    again.goto(join_link)
    expect(again.get_by_role("heading", name="This link does not work")).to_be_visible()
