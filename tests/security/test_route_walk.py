"""A walk over every route in the URL map, for four roles: who gets what.

Every endpoint is classified in ACCESS below; a route added without a line there fails
`test_every_route_is_classified`, so no route ships unchecked. For each class:

| class      | anonymous         | organizer of another group | member of the group | organizer of the group |
| ---------- | ----------------- | -------------------------- | ------------------- | ---------------------- |
| PUBLIC     | served            | served                     | served              | served                 |
| SIGNED_IN  | redirect to login | served                     | served              | served                 |
| MEMBER     | redirect to login | 404 (the group is hidden)  | served              | served                 |
| ORGANIZER  | redirect to login | 404                        | 403                 | served                 |
| INVITEE    | redirect to login | served (they are invited)  | 404                 | 404                    |

"Served" is a page, a file or a redirect (GET), or the action's own answer (POST: done,
or a form error), never 401/403/404/500. Every answer but a static file is `no-store`.
Refused requests run together per role (they change nothing); each allowed POST runs in a
world of its own, since it may change it (leave, remove, cancel...).
"""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from organizer.asks import introductions as asks_introductions
from organizer.asks import service as asks
from organizer.auth.service import issue_set_password_token
from organizer.extensions import db, limiter
from organizer.groups.memberships import invite_to_group, membership
from organizer.help import service as help_model
from organizer.members.service import add_do_not_pair
from organizer.messages import links
from organizer.messages.service import unsubscribe_token
from organizer.models import LinkKind, Need, Role, SheetStatus, utcnow
from organizer.pairing import printing
from tests.conftest import empty_database
from tests.event_factories import make_event, make_rsvp
from tests.factories import make_group, make_member, make_need, make_offer, make_user
from tests.security.test_defects import publish_pairs

PUBLIC, SIGNED_IN, MEMBER, ORGANIZER, INVITEE = "public", "signed in", "member", "organizer", "invitee"

ACCESS = {
    "static": PUBLIC,
    "home.index": PUBLIC,
    "auth.login": PUBLIC,
    "auth.signup": PUBLIC,
    "auth.logout": PUBLIC,
    "auth.set_password": PUBLIC,          # the one-time token in the URL is the credential
    "auth.forgot_password": PUBLIC,
    "auth.change_password": SIGNED_IN,
    "groups.index": SIGNED_IN,
    "groups.create": SIGNED_IN,
    "groups.join": PUBLIC,                # the invite code is the credential; joining asks to log in
    "groups.join_with_code": SIGNED_IN,
    "groups.accept_invitation": INVITEE,  # the walk invites the organizer of group A to group B
    "groups.decline_invitation": INVITEE,
    "groups.detail": MEMBER,
    "groups.leave": MEMBER,
    "groups.my_settings": MEMBER,
    "groups.roles": ORGANIZER,
    "groups.set_role": ORGANIZER,
    "groups.remove_member": ORGANIZER,
    "groups.set_password_link": ORGANIZER,
    "groups.settings": ORGANIZER,
    "groups.rotate_invite": ORGANIZER,
    "members.index": MEMBER,
    "members.detail": MEMBER,
    "members.mine": MEMBER,
    "members.names": MEMBER,
    "members.profile": MEMBER,
    "members.add_need": MEMBER,
    "members.edit_need": MEMBER,
    "members.remove_need": MEMBER,
    "members.add_offer": MEMBER,
    "members.edit_offer": MEMBER,
    "members.remove_offer": MEMBER,
    "members.my_do_not_pair": MEMBER,
    "members.remove_my_do_not_pair": MEMBER,
    "members.do_not_pair": ORGANIZER,
    "members.remove_do_not_pair": ORGANIZER,
    "members.export": ORGANIZER,
    "members.import_members": ORGANIZER,
    "members.confirm_import": ORGANIZER,
    "events.index": MEMBER,
    "events.detail": MEMBER,
    "events.rsvp": MEMBER,
    "events.promotions_seen": MEMBER,
    "events.calendar": MEMBER,
    "events.create": ORGANIZER,
    "events.edit": ORGANIZER,
    "events.open_for_rsvp": ORGANIZER,
    "events.cancel": ORGANIZER,
    "events.mark_done": ORGANIZER,
    "events.attendees_csv": ORGANIZER,
    "events.check_in_page": ORGANIZER,
    "events.check_in": ORGANIZER,
    "events.undo_check_in": ORGANIZER,
    "events.add_walk_in": ORGANIZER,
    "events.add_walk_in_guest": ORGANIZER,
    "pairing.mine": MEMBER,
    "pairing.mine_ics": MEMBER,
    "pairing.index": ORGANIZER,
    "pairing.status": ORGANIZER,
    "pairing.seated": ORGANIZER,
    "pairing.generate": ORGANIZER,
    "pairing.resolve": ORGANIZER,
    "pairing.exclude": ORGANIZER,
    "pairing.add": ORGANIZER,
    "pairing.lock": ORGANIZER,
    "pairing.unlock": ORGANIZER,
    "pairing.swap": ORGANIZER,
    "pairing.publish": ORGANIZER,
    "pairing.unpublish": ORGANIZER,
    "pairing.print_view": ORGANIZER,
    "pairing.pdf": ORGANIZER,
    "pairing.make_pdf": ORGANIZER,
    "pairing.sheet_file": ORGANIZER,      # the organizer who asked for it only (another: 404, tests/pairing/test_printing)
    "pairing.sheet_file_pdf": ORGANIZER,
    "pairing.pairs_csv": ORGANIZER,
    "help.index": ORGANIZER,
    "help.remove_term": ORGANIZER,
    "help.correct": ORGANIZER,
    "help.mark": MEMBER,                  # on one's own need only (someone else's: 404, tested in test_help)
    "help.remove_link": MEMBER,           # one's own wish or mark, or any as an organizer
    "outcomes.answer": MEMBER,            # about one's own table mate only (else a redirect, nothing shown: tests/outcomes)
    "outcomes.lunches": MEMBER,
    "outcomes.mine": MEMBER,
    "outcomes.dashboard_page": ORGANIZER,
    "outcomes.plot": ORGANIZER,
    "outcomes.figures_csv": ORGANIZER,
    "outcomes.event_answers": ORGANIZER,
    "outcomes.rules": ORGANIZER,
    "messages.outbox": ORGANIZER,
    "messages.preferences": MEMBER,
    "messages.unsubscribe": PUBLIC,       # the signed link in the email is the credential (RFC 8058 one-click)
    "messages.rsvp": PUBLIC,              # the signed yes/no link of an announcement
    "messages.invite": ORGANIZER,
    "messages.join": PUBLIC,              # the one-time link of an invitation by email; joining asks to log in
    "asks.index": MEMBER,
    "asks.offer_help": MEMBER,            # on a need the viewer may see (hidden ones: 404, tested in test_asks)
    "asks.answer_offer": MEMBER,          # the need's owner only (anyone else is refused: test_asks)
    "asks.follow_up": MEMBER,             # the need's owner only
    "asks.withdraw_offer": MEMBER,        # the helper only
    "asks.remove_offer": ORGANIZER,
    "asks.mine": MEMBER,
    "asks.new_introduction": MEMBER,
    "asks.introduction": MEMBER,          # the introducer, the two introduced and organizers (others: 404)
    "asks.answer_introduction": MEMBER,
    "asks.introduction_helped": MEMBER,
    "asks.withdraw_introduction": MEMBER,
    "asks.remove_introduction": ORGANIZER,
    "asks.blocks": MEMBER,
    "asks.remove_block": MEMBER,          # one's own block only
    "asks.report": ORGANIZER,
    "asks.remove_organizer_block": ORGANIZER,
}

ROLES = ["anonymous", "outsider", "member", "organizer"]
ALLOWED = {PUBLIC: set(ROLES), SIGNED_IN: {"outsider", "member", "organizer"},
           MEMBER: {"member", "organizer"}, ORGANIZER: {"organizer"}, INVITEE: {"outsider"}}
EMAILS = {"outsider": "org-a@example.org", "member": "member-b@example.org", "organizer": "org-b@example.org"}


def rules_of(app):
    return sorted(app.url_map.iter_rules(), key=lambda r: r.rule)


def test_every_route_is_classified(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - ACCESS.keys() == set(), "classify the new routes in ACCESS (tests/security/test_route_walk.py)"
    assert ACCESS.keys() - endpoints == set(), "routes that no longer exist are still in ACCESS"


def test_the_classes_agree_with_the_group_access_decorator(app):
    for rule in app.url_map.iter_rules():
        role = getattr(app.view_functions[rule.endpoint], "group_access_role", "none")
        if ACCESS.get(rule.endpoint) == ORGANIZER and "slug" in rule.arguments:
            assert role == Role.ORGANIZER, rule.endpoint
        elif ACCESS.get(rule.endpoint) == MEMBER:
            assert role is None, rule.endpoint


@pytest.fixture
def world(app):
    return build_world()


def build_world():
    """Group B (organizer, member, an event with published pairs, needs, offers, do-not-pair
    rules) and an organizer of another group A."""
    organizer = make_user(name="Org B", email=EMAILS["organizer"])
    group = make_group(organizer=organizer, name="Group B")
    member = make_member(group, name="Member B", email=EMAILS["member"])
    third = make_member(group, name="Third B")
    outsider = make_user(name="Org A", email=EMAILS["outsider"])
    make_group(organizer=outsider, name="Group A")
    invitation = invite_to_group(group, outsider, organizer.id, via="import")
    event = make_event(group, starts_in=timedelta(hours=1))
    for user in (organizer, member, third):
        make_rsvp(event, user, checked_in=True)
    run = publish_pairs(event, (member, third))
    own = {}
    for role, user, other in (("member", member, third), ("organizer", organizer, third)):
        own[role] = {
            "need_id": make_need(group, user, title=f"{role} need").id,
            "offer_id": make_offer(group, user, title=f"{role} offer").id,
            "rule_id": add_do_not_pair(group, user.id, other.id, by_organizer=False, created_by=user).id,
        }
    third_member = membership(group.id, third.id)
    for role, user, other in (("member", member, organizer), ("organizer", organizer, member)):
        own[role]["help_offer_id"] = asks.offer_help(
            third_member, own[role]["need_id"], "lead", "I know someone", partner_ids=frozenset(),
            now=utcnow(), per_day=100).id
        own[role]["introduction_id"] = asks_introductions.propose(
            third_member, asks_introductions.IntroductionInput(first=f"#{user.id}", second=f"#{other.id}",
                                                               reason="You two should meet"),
            partner_ids=frozenset(), now=utcnow(), per_day=100).id
    for role, user in (("member", member), ("organizer", organizer)):
        own[role]["block_id"] = asks.block(group.id, user, f"#{third.id}", user).id
    organizer_block = asks.block(group.id, None, f"#{third.id}", organizer).id
    organizer_rule = add_do_not_pair(group, member.id, third.id, by_organizer=True, created_by=organizer).id
    token = issue_set_password_token(third, organizer, timedelta(hours=1))
    sheet_file, _ = printing.request_file(run, organizer, "cards", False, utcnow())
    sheet_file.status, sheet_file.finished_at, sheet_file.pdf = SheetStatus.READY, utcnow(), b"%PDF-1.7 walk"
    join_token = invite_address(group, organizer)
    term = help_model.add_term(group.id, "PSC test", "a French oral test", organizer)
    wish = help_model.mark_own_need(membership(group.id, member.id), db.session.get(Need, own["member"]["need_id"]),
                                    third.id, LinkKind.WISH)
    db.session.commit()
    values = {"slug": group.slug, "event_id": event.id, "run_id": run.id, "table_id": run.tables[0].id, "file_id": sheet_file.id,
              "user_id": member.id, "code": group.invite_code, "token": token, "filename": "css/site.css",
              "invitation_id": invitation.id, "term_id": term.id, "link_id": wish.id,
              "name": "attendance",
              "unsubscribe_token": unsubscribe_token(member.id, group.id, "event_announcement"),
              "rsvp_token": links.sign(links.RSVP, [event.id, member.id, "yes"]),
              "join_token": join_token}
    return {"group": group, "values": values, "own": own, "organizer_rule": organizer_rule,
            "organizer_block": organizer_block}


def invite_address(group, organizer) -> str:
    """An invitation by email to an address without an account: its one-time join token."""
    import re

    from organizer.messages.invitations import invite_by_email
    from organizer.models import Message, utcnow

    invite_by_email(group, "newcomer@example.org", organizer, utcnow())
    body = db.session.scalars(select(Message.body_text).where(Message.to_email == "newcomer@example.org")).one()
    return re.search(r"/m/join/(\S+)", body).group(1)


def url_of(rule, world, role):
    values = dict(world["values"])
    values.update(world["own"].get(role, world["own"]["member"]))
    if rule.endpoint == "members.remove_do_not_pair":
        values["rule_id"] = world["organizer_rule"]
    if rule.endpoint == "asks.remove_organizer_block":
        values["block_id"] = world["organizer_block"]
    url = rule.rule
    for name in rule.arguments:
        assert name in values, f"the walk has no value for <{name}> in {rule.rule}"
        url = url.replace(f"<{name}>", str(values[name])).replace(f"<int:{name}>", str(values[name]))
        url = url.replace(f"<path:{name}>", str(values[name]))
    assert "<" not in url, f"a converter the walk does not know in {rule.rule}"
    return url


def log_in(client, role):
    if role != "anonymous":
        response = client.post("/auth/login", data={"email": EMAILS[role], "password": "correct horse battery"})
        assert response.status_code == 302, f"{role} could not log in"


def check_refused(response, role, kind, what):
    if role == "anonymous":
        assert response.status_code == 302, what
        assert "/auth/login" in response.headers["Location"], what
    elif role == "outsider" or kind == INVITEE:
        assert response.status_code == 404, what
        if role == "outsider":
            assert b"Group B" not in response.data, what
    else:
        assert kind == ORGANIZER and role == "member", what
        assert response.status_code == 403, what


def check_served(response, method, what):
    if method == "GET":
        assert response.status_code in (200, 302), what
    else:
        assert response.status_code in (200, 202, 302, 303, 400, 409), what


def check_headers(response, rule, what):
    if rule.endpoint != "static":
        assert response.headers.get("Cache-Control") == "no-store", what
    assert response.headers.get("X-Content-Type-Options") == "nosniff", what


@pytest.mark.parametrize("role", ROLES)
def test_every_get_and_every_refused_post_for(role, app, client, world):
    """GETs change nothing, and neither does a refused POST: they run in one world per role."""
    log_in(client, role)
    walked = 0
    for rule in rules_of(app):
        kind = ACCESS[rule.endpoint]
        allowed = role in ALLOWED[kind]
        for method in sorted(rule.methods & {"GET", "POST"}):
            if method == "POST" and allowed:
                continue  # in test_an_allowed_post, each in a world of its own
            url = url_of(rule, world, role)
            what = f"{role} {method} {url} ({rule.endpoint}, {kind})"
            with client.open(url, method=method) as response:
                if allowed:
                    check_served(response, method, what)
                else:
                    check_refused(response, role, kind, what)
                check_headers(response, rule, what)
            walked += 1
    assert walked >= 30


def wait_for_pairing_jobs():
    for thread in threading.enumerate():
        if thread.name.startswith(("pairing-run-", "print-sheets-")):
            thread.join(timeout=60)
            assert not thread.is_alive(), thread.name


@pytest.mark.parametrize("role", ROLES)
def test_every_allowed_post_for(role, app, client):
    """An allowed POST may change the world (leave, remove, cancel...): each gets a new one."""
    posted = 0
    for rule in rules_of(app):
        if "POST" not in rule.methods or role not in ALLOWED[ACCESS[rule.endpoint]]:
            continue
        empty_database()
        limiter.reset()  # one log-in per case, more than the log-in rate limit allows
        world = build_world()
        log_in(client, role)
        url = url_of(rule, world, role)
        what = f"{role} POST {url} ({rule.endpoint})"
        response = client.post(url)
        check_served(response, "POST", what)
        if role != "anonymous" and response.status_code == 302:
            assert "/auth/login" not in response.headers["Location"], what
        check_headers(response, rule, what)
        wait_for_pairing_jobs()  # a generate/re-solve or a PDF started one: it ends before the world is emptied
        posted += 1
    assert posted >= {"anonymous": 6, "outsider": 9, "member": 20, "organizer": 40}[role]
