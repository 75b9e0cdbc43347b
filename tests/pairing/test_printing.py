"""The print sheets' PDF, made in the background: asked for by a POST, made by a thread of the
web process (its layout in a child process), offered to the organizer who asked for it while it
still shows what members share, and failing alone."""

import multiprocessing
import subprocess
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from organizer.extensions import db
from organizer.groups import versions
from organizer.models import Need, Role, SheetFile, SheetStatus, utcnow
from organizer.pairing import printing, sheets
from tests.conftest import run_on_rq
from tests.event_factories import make_rsvp
from tests.factories import make_member
from tests.pairing.test_service import generate, lunch  # noqa: F401  (the fixture)


def base(group, event, run):
    return f"/groups/{group.slug}/events/{event.id}/pairing/{run.id}"


def finish_print_jobs():
    for thread in threading.enumerate():
        if thread.name.startswith("print-sheets-"):
            thread.join(timeout=120)
            assert not thread.is_alive(), thread.name
    db.session.commit()  # the test's read began before the job wrote: the next one sees it


def make_pdf(client, group, event, run, query=""):
    """Presses a PDF button and waits for its file: the file's page address."""
    response = client.post(f"{base(group, event, run)}/sheets{query}")
    assert response.status_code == 302
    page = response.headers["Location"]
    assert f"{base(group, event, run)}/sheets/" in page
    finish_print_jobs()
    return page


def ready_file(group, event, run, user, part="all"):
    """A file made already (its bytes stand in for a PDF), for what does not read the PDF
    itself: who may have it, and for how long. Its page's address."""
    file, _ = printing.request_file(run, user, part, False, utcnow())
    file.status, file.finished_at, file.pdf, file.size = SheetStatus.READY, utcnow(), b"%PDF-1.7 test", 13
    file.data_version = versions.current(group.id)[1]
    db.session.commit()
    return f"{base(group, event, run)}/sheets/{file.id}"


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "sheets.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_pdf_is_made_in_the_background_and_downloaded_when_ready(lunch, client, auth, tmp_path):  # noqa: F811
    group, organizer, event, p = lunch
    extra = make_member(group, name="Zoë O'Neil-Łukasz")
    make_rsvp(event, extra, checked_in=True)
    run = generate(event)
    auth.login("olga@example.org")
    page = make_pdf(client, group, event, run)
    assert client.get(page, headers={"Accept": "application/json"}).get_json() == {"status": "ready", "message": ""}
    html = client.get(page).get_data(as_text=True)
    assert "The PDF is ready" in html and "Download the PDF" in html and "data-reload-when-done" not in html
    download = client.get(page + ".pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"] == f'attachment; filename="event-{event.id}-v1-sheets.pdf"'
    assert download.headers["Cache-Control"] == "no-store"
    text = pdf_text(download.data, tmp_path)
    for user in [*p.values(), extra]:
        assert user.name in text, user.name
    assert "version 1" in text and "How can I help you?" in text
    assert text.count("December lunch") >= len(run.tables) + 1  # the stamp on every page


def test_each_button_makes_its_part_and_type(lunch, client, auth, tmp_path):  # noqa: F811
    group, organizer, event, p = lunch
    run = generate(event)
    auth.login("olga@example.org")
    page = make_pdf(client, group, event, run, "?part=finder&large=1")
    assert "PDF of find your table, large type" in client.get(page).get_data(as_text=True)
    download = client.get(page + ".pdf")
    assert download.headers["Content-Disposition"].endswith('-v1-find-your-table-large.pdf"')
    text = pdf_text(download.data, tmp_path)
    assert "Alice Example" in text and "table" in text and "Master sheet" not in text
    assert "How can I help you?" not in text  # no table card
    unknown, _ = printing.request_file(run, organizer, "<script>", False, utcnow())
    assert unknown.part == "all"  # any other part: everything


def test_the_old_pdf_address_leads_to_the_print_view_with_its_pdf_button(lunch, client, auth):  # noqa: F811
    group, organizer, event, p = lunch
    run = generate(event)
    auth.login("olga@example.org")
    response = client.get(f"{base(group, event, run)}/sheets.pdf?part=cards&large=1")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{base(group, event, run)}/print?part=cards&large=1")
    view = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'action="{base(group, event, run)}/sheets?part=cards&amp;large=1"' in view
    assert db.session.scalar(select(func.count()).select_from(SheetFile)) == 0  # a GET makes nothing


def test_a_page_being_made_reloads_itself(lunch, client, auth):  # noqa: F811
    group, organizer, event, p = lunch
    run = generate(event)
    file, new = printing.request_file(run, organizer, "all", False, utcnow())
    db.session.commit()
    assert new
    auth.login("olga@example.org")
    page = f"{base(group, event, run)}/sheets/{file.id}"
    html = client.get(page).get_data(as_text=True)
    assert "Making the PDF" in html and f'data-reload-when-done="{page}"' in html
    assert client.get(page, headers={"Accept": "application/json"}).get_json()["status"] == "running"
    assert client.get(page + ".pdf").headers["Location"].endswith(page)  # nothing to download yet


def test_asking_twice_while_it_is_made_gives_the_same_file(lunch):  # noqa: F811
    group, organizer, event, p = lunch
    run = generate(event)
    now = utcnow()
    first, new = printing.request_file(run, organizer, "cards", False, now)
    again, new_again = printing.request_file(run, organizer, "cards", False, now + timedelta(seconds=1))
    other, new_other = printing.request_file(run, organizer, "cards", True, now + timedelta(seconds=1))
    assert new and not new_again and again.id == first.id
    assert new_other and other.id != first.id


def test_only_the_organizer_who_asked_gets_the_file(lunch, client, auth):  # noqa: F811
    group, organizer, event, p = lunch
    run = generate(event)
    make_member(group, Role.ORGANIZER, name="Cora Organizer", email="cora@example.org")
    page = ready_file(group, event, run, organizer)
    auth.login("olga@example.org")
    assert client.get(page + ".pdf").data == b"%PDF-1.7 test"
    auth.logout()
    auth.login("cora@example.org")
    assert client.get(page).status_code == 404
    assert client.get(page + ".pdf").status_code == 404
    auth.logout()
    auth.login("alice@example.org")
    assert client.get(page + ".pdf").status_code == 403
    assert client.post(f"{base(group, event, run)}/sheets").status_code == 403


def test_a_file_of_another_version_is_not_found_under_this_one(lunch, client, auth):  # noqa: F811
    group, organizer, event, p = lunch
    run = generate(event)
    second = generate(event)
    page = ready_file(group, event, run, organizer)
    auth.login("olga@example.org")
    file_id = page.rsplit("/", 1)[1]
    assert client.get(f"{base(group, event, run)}/sheets/{file_id}.pdf").status_code == 200
    assert client.get(f"{base(group, event, second)}/sheets/{file_id}.pdf").status_code == 404


def test_a_need_hidden_after_the_pdf_was_made_makes_it_stale(lunch, client, auth, tmp_path):  # noqa: F811
    group, organizer, event, p = lunch
    run = generate(event)
    page = ready_file(group, event, run, organizer, "cards")
    auth.login("olga@example.org")
    assert client.get(page + ".pdf").status_code == 200
    need = db.session.scalar(select(Need).where(Need.title == "A publisher for my book"))
    need.visibility = "organizers"
    db.session.commit()
    html = client.get(page).get_data(as_text=True)
    assert "Members changed what they share" in html and "Make it again" in html
    assert client.get(page + ".pdf").headers["Location"].endswith(page)  # not served any more
    fresh = make_pdf(client, group, event, run, "?part=cards")
    assert "publisher for my book" not in pdf_text(client.get(fresh + ".pdf").data, tmp_path)


def test_a_file_is_kept_for_a_while_then_refused_and_deleted(lunch, client, auth, app):  # noqa: F811
    group, organizer, event, p = lunch
    run = generate(event)
    page = ready_file(group, event, run, organizer)
    auth.login("olga@example.org")
    assert client.get(page + ".pdf").status_code == 200
    file = db.session.get(SheetFile, int(page.rsplit("/", 1)[1]))
    keep = timedelta(minutes=app.config["SHEETS_KEEP_MINUTES"])
    file.created_at -= keep + timedelta(minutes=1)
    file.finished_at -= keep + timedelta(minutes=1)
    db.session.commit()
    html = client.get(page).get_data(as_text=True)
    assert "no longer kept" in html and "Make it again" in html
    assert client.get(page + ".pdf").status_code == 302
    printing.request_file(run, organizer, "master", False, utcnow())  # a new request clears the old files
    db.session.commit()
    assert db.session.scalars(select(SheetFile.part)).all() == ["master"]


def test_a_file_left_being_made_by_a_restart_says_so(lunch, client, auth):  # noqa: F811
    group, organizer, event, p = lunch
    run = generate(event)
    file, _ = printing.request_file(run, organizer, "all", False, utcnow() - printing.lost_after() - timedelta(seconds=1))
    db.session.commit()
    auth.login("olga@example.org")
    html = client.get(f"{base(group, event, run)}/sheets/{file.id}").get_data(as_text=True)
    assert "The PDF was not made" in html and "server may have restarted" in html and "Make it again" in html


def test_a_layout_that_fails_fails_its_file_alone(lunch, app):  # noqa: F811
    """The layout's child process, capped far below what WeasyPrint needs, fails: the file says
    so and this process goes on."""
    group, organizer, event, p = lunch
    run = generate(event)
    file, _ = printing.request_file(run, organizer, "all", False, utcnow())
    db.session.commit()
    printing.make_file(file.id, lambda html: printing.in_child(html, memory_mb=16, wait_s=60))
    db.session.expire_all()
    file = db.session.get(SheetFile, file.id)
    assert file.status == SheetStatus.FAILED and file.error and file.pdf is None
    # where a starved child fails varies (an import, the layout, sending its answer): each is said
    # in words of the layout's own ("The PDF needed more than 16 MB...", "The PDF maker stopped
    # unexpectedly...", "The PDF could not be made: ..."), not as a bug of the job's
    assert file.error.startswith("The PDF ")


def test_a_layout_past_its_time_is_ended(app):
    page = "<html><body>" + "".join(f"<table><tr><td>{i}</td><td>{'x ' * 200}</td></tr></table>" for i in range(3000))
    with pytest.raises(printing.SheetsError, match="took longer than 0.5 seconds"):
        printing.in_child(page, memory_mb=2048, wait_s=0.5)
    assert not [c for c in multiprocessing.active_children() if c.name == "print-sheets"]  # ended, and reaped


def test_what_members_change_while_the_pdf_is_laid_out_makes_it_stale(lunch):  # noqa: F811
    """The group's data version is read before the page is: a change committed during the
    layout (which takes seconds) leaves the file stale, never served as if it were current."""
    group, organizer, event, p = lunch
    run = generate(event)
    file, _ = printing.request_file(run, organizer, "cards", False, utcnow())
    db.session.commit()

    def layout_while_a_need_is_hidden(html):
        need = db.session.scalar(select(Need).where(Need.title == "A publisher for my book"))
        need.visibility = "organizers"
        db.session.commit()
        return b"%PDF-1.7 laid out"

    printing.make_file(file.id, layout_while_a_need_is_hidden)
    db.session.commit()
    file = db.session.get(SheetFile, file.id)
    assert file.status == SheetStatus.READY
    assert printing.state_of(file, utcnow(), versions.current(group.id)[1]).status == "changed"


def test_the_rq_worker_makes_the_pdf_when_redis_is_configured(lunch, app, tmp_path):  # noqa: F811
    from organizer.pairing import jobs

    group, organizer, event, p = lunch
    run = generate(event)
    file, _ = printing.request_file(run, organizer, "cards", False, utcnow())
    db.session.commit()
    file_id = file.id
    assert run_on_rq(app, 13, lambda: jobs.start_sheets(file_id)) == 1
    assert not any(t.name.startswith("print-sheets-") for t in threading.enumerate())  # no thread of its own
    db.session.commit()  # the test's read began before the job wrote: the next one sees it
    file = db.session.get(SheetFile, file_id)
    assert file.status == SheetStatus.READY and file.size == len(printing.pdf_data(file))
    assert "Alice Example" in pdf_text(printing.pdf_data(file), tmp_path)


def test_an_organizer_has_at_most_a_few_pdfs_being_made_at_once(lunch, client, auth):  # noqa: F811
    group, organizer, event, p = lunch
    run = generate(event)
    now = utcnow()
    for part in list(sheets.PART_NAMES)[:printing.AT_ONCE]:
        printing.request_file(run, organizer, part, False, now)
    db.session.commit()
    auth.login("olga@example.org")
    response = client.post(f"{base(group, event, run)}/sheets?part=cards&large=1", follow_redirects=True)
    assert f"{printing.AT_ONCE} PDFs you asked for are still being made" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SheetFile)) == printing.AT_ONCE
    same, new = printing.request_file(run, organizer, "cards", False, now)  # the same again: the one being made
    assert not new
    for file in db.session.scalars(select(SheetFile)):
        file.created_at = now - printing.lost_after()  # lost to a restart: they hold nobody up
    db.session.commit()
    assert printing.request_file(run, organizer, "cards", True, now)[1]
