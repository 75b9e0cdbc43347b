"""Capacity holds under concurrency: many members answer yes at the same moment, through a
live threaded server, on whichever database the suite runs on. (bench/rsvp_concurrency.py
is the full-size version: 300 members for 50 seats.)"""

import threading
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from organizer.auth.service import log_in
from organizer.extensions import db
from organizer.models import Membership, Rsvp, RsvpState, User
from tests.event_factories import make_event
from tests.factories import make_group

MEMBERS = 60
SEATS = 10


@pytest.fixture
def server_url(live_server):
    return live_server


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def browser_for(base: str, cookie: str):
    """A member's browser: posts with their signed-in session cookie, does not follow redirects."""
    opener = urllib.request.build_opener(NoRedirect())
    opener.addheaders = [("Cookie", cookie)]

    def post(path: str, data: dict) -> int:
        body = urllib.parse.urlencode(data).encode()
        try:
            with opener.open(base + path, data=body, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    return post


def signed_in_cookie(app, user) -> str:
    """The cookie a browser holds after logging in (logging in sixty times over HTTP is slow;
    the benchmark does it for real)."""
    token = log_in(user)
    serializer = app.session_interface.get_signing_serializer(app)
    value = serializer.dumps({"_user_id": str(user.id), "_fresh": True, "auth_token": token})
    return f"{app.config['SESSION_COOKIE_NAME']}={value}"


def test_sixty_members_answering_yes_at_once_fill_ten_seats_exactly(app, server_url):
    group = make_group()
    users = [User(name=f"Racer {i}", email=f"racer{i}@example.org") for i in range(MEMBERS)]
    db.session.add_all([Membership(user=user, group=group) for user in users])
    db.session.commit()
    event = make_event(group, capacity=SEATS)
    rsvp_path = f"/groups/{group.slug}/events/{event.id}/rsvp"
    posters = [browser_for(server_url, signed_in_cookie(app, user)) for user in users]
    db.session.commit()  # the server's threads see everything; this thread holds no transaction

    start = threading.Barrier(MEMBERS, timeout=30)

    def answer_yes(post) -> int:
        start.wait()
        return post(rsvp_path, {"answer": "yes"})

    with ThreadPoolExecutor(max_workers=MEMBERS) as pool:
        statuses = list(pool.map(answer_yes, posters))

    assert statuses == [302] * MEMBERS  # every answer taken, no server error
    counts = dict(db.session.execute(
        select(Rsvp.state, func.count()).where(Rsvp.event_id == event.id).group_by(Rsvp.state)
    ).all())
    assert counts == {RsvpState.GOING: SEATS, RsvpState.WAITLISTED: MEMBERS - SEATS}
