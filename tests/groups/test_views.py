import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from organizer.extensions import db
from organizer.models import EventStatus, Group, Membership, Role, utcnow
from organizer.timezones import local_time
from tests.factories import make_group, make_member, make_user, membership_of


def test_creating_a_group_makes_the_creator_its_organizer(client, auth, app):
    user = make_user(email="org@example.org")
    auth.login("org@example.org")
    response = client.post(
        "/groups/new",
        data={"name": "Oakville Job Club", "time_zone": "America/Toronto", "repeat_cooldown_weeks": "6"},
    )
    group = db.session.scalar(select(Group))
    assert response.headers["Location"] == f"/groups/{group.slug}/settings"
    assert group.slug == "oakville-job-club"
    assert group.repeat_cooldown_weeks == 6
    assert len(group.invite_code) == 10
    assert membership_of(user, group).role == Role.ORGANIZER


def test_group_slugs_stay_unique(client, auth, app):
    make_user(email="org@example.org")
    auth.login("org@example.org")
    for _ in range(2):
        client.post("/groups/new", data={"name": "Job Club", "time_zone": "UTC", "repeat_cooldown_weeks": "8"})
    assert sorted(db.session.scalars(select(Group.slug))) == ["job-club", "job-club-2"]


def test_unknown_time_zone_is_refused(client, auth, app):
    make_user(email="org@example.org")
    auth.login("org@example.org")
    response = client.post("/groups/new", data={"name": "X club", "time_zone": "Mars/Olympus", "repeat_cooldown_weeks": "8"})
    assert response.status_code == 200
    assert b"Not a valid choice" in response.data
    assert db.session.scalar(select(Group)) is None


def test_invite_link_lets_a_new_person_sign_up_and_join_in_one_step(client, app):
    group = make_group(name="Career Changers")
    invite = f"/groups/join/{group.invite_code}"
    page = client.get(invite)
    assert b"Sign up and join" in page.data
    assert b"Sign up to join Career Changers" in client.get(f"/auth/signup?next={invite}").data
    response = client.post(
        "/auth/signup",
        data={"name": "New Person", "email": "new@example.org", "password": "a long enough secret",
              "confirm": "a long enough secret", "next": invite},
    )
    assert response.headers["Location"] == f"/groups/{group.slug}/"
    members = db.session.scalars(select(Membership).where(Membership.group_id == group.id)).all()
    assert len(members) == 2
    assert b"Get started" in client.get(f"/groups/{group.slug}/").data  # the new member's checklist


def test_a_member_leaves_from_the_groups_settings(client, auth, app):
    group = make_group(name="Career Changers")
    make_member(group, email="leaver@example.org")
    auth.login("leaver@example.org")
    page = client.get(f"/groups/{group.slug}/my-settings").get_data(as_text=True)
    assert "Leave Career Changers" in page
    assert "Leave Career Changers" not in client.get(f"/groups/{group.slug}/").get_data(as_text=True)


def test_joining_with_a_typed_code_ignores_case_and_dashes(client, auth, app):
    group = make_group()
    make_user(email="joiner@example.org")
    auth.login("joiner@example.org")
    code = group.invite_code.lower()
    client.post("/groups/join", data={"code": f"{code[:5]}-{code[5:]}"})
    assert db.session.scalar(select(Membership).join(Membership.user).where(Membership.group_id == group.id, Membership.role == "member")) is not None


def test_joining_twice_keeps_one_membership(client, auth, app):
    group = make_group()
    make_user(email="joiner@example.org")
    auth.login("joiner@example.org")
    client.post(f"/groups/join/{group.invite_code}")
    response = client.post(f"/groups/join/{group.invite_code}", follow_redirects=True)
    assert b"already in" in response.data
    assert len(db.session.scalars(select(Membership).where(Membership.group_id == group.id)).all()) == 2


def test_rotating_the_invite_code_retires_the_old_link(client, auth, app):
    organizer = make_user(email="org@example.org")
    group = make_group(organizer=organizer)
    old = group.invite_code
    auth.login("org@example.org")
    client.post(f"/groups/{group.slug}/invite/rotate")
    db.session.refresh(group)
    assert group.invite_code != old
    assert client.get(f"/groups/join/{old}").status_code == 404
    assert client.get(f"/groups/join/{group.invite_code}").status_code == 200


def test_organizer_promotes_and_demotes(client, auth, app):
    organizer = make_user(email="org@example.org")
    group = make_group(organizer=organizer)
    member = make_member(group)
    auth.login("org@example.org")
    client.post(f"/groups/{group.slug}/roles/{member.id}/role", data={"role": "organizer"})
    assert membership_of(member, group).role == Role.ORGANIZER
    client.post(f"/groups/{group.slug}/roles/{member.id}/role", data={"role": "member"})
    assert membership_of(member, group).role == Role.MEMBER


def test_the_last_organizer_cannot_be_demoted_or_removed(client, auth, app):
    organizer = make_user(email="org@example.org")
    group = make_group(organizer=organizer)
    auth.login("org@example.org")
    response = client.post(f"/groups/{group.slug}/roles/{organizer.id}/role", data={"role": "member"}, follow_redirects=True)
    assert b"last organizer" in response.data
    client.post(f"/groups/{group.slug}/roles/{organizer.id}/remove")
    client.post(f"/groups/{group.slug}/leave")
    assert membership_of(organizer, group).role == Role.ORGANIZER


def test_a_second_organizer_lets_the_first_step_down(client, auth, app):
    organizer = make_user(email="org@example.org")
    group = make_group(organizer=organizer)
    make_member(group, role=Role.ORGANIZER)
    auth.login("org@example.org")
    client.post(f"/groups/{group.slug}/roles/{organizer.id}/role", data={"role": "member"})
    assert membership_of(organizer, group).role == Role.MEMBER
    assert client.get(f"/groups/{group.slug}/roles").status_code == 403


def test_removed_member_loses_access(client, auth, app):
    organizer = make_user(email="org@example.org")
    group = make_group(organizer=organizer)
    member = make_member(group, email="gone@example.org")
    auth.login("org@example.org")
    client.post(f"/groups/{group.slug}/roles/{member.id}/remove")
    assert membership_of(member, group) is None
    auth.logout()
    auth.login("gone@example.org")
    assert client.get(f"/groups/{group.slug}/").status_code == 404


def test_member_cannot_open_organizer_pages(client, auth, app):
    group = make_group()
    make_member(group, email="m@example.org")
    auth.login("m@example.org")
    assert client.get(f"/groups/{group.slug}/").status_code == 200
    for path in ("roles", "settings"):
        assert client.get(f"/groups/{group.slug}/{path}").status_code == 403
    assert client.post(f"/groups/{group.slug}/invite/rotate").status_code == 403


def test_a_user_in_two_groups_switches_between_them(client, auth, app):
    user = make_user(email="both@example.org")
    first = make_group(name="Alpha Club", members=[user])
    second = make_group(name="Beta Club", members=[user])
    auth.login("both@example.org")
    listing = client.get("/groups/").data
    assert b"Alpha Club" in listing and b"Beta Club" in listing
    client.get(f"/groups/{second.slug}/")
    assert client.get("/").headers["Location"] == f"/groups/{second.slug}/"
    client.get(f"/groups/{first.slug}/")
    assert client.get("/").headers["Location"] == f"/groups/{first.slug}/"


def test_member_list_escapes_what_users_typed(client, auth, app):
    organizer = make_user(email="org@example.org")
    group = make_group(organizer=organizer)
    make_member(group, name="<script>alert('x')</script>")
    auth.login("org@example.org")
    page = client.get(f"/groups/{group.slug}/roles").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page


def test_anonymous_visitor_is_sent_to_log_in(client, app):
    group = make_group()
    response = client.get(f"/groups/{group.slug}/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


def test_removing_a_member_gives_their_seat_to_the_waitlist(client, auth, app):
    from organizer.models import RsvpState
    from tests.event_factories import make_event, make_rsvp

    organizer = make_user(email="org@example.org")
    group = make_group(organizer=organizer)
    seated, waiting = make_member(group, name="Seated"), make_member(group, name="Waiting", email="w@example.org")
    event = make_event(group, capacity=1)
    make_rsvp(event, seated)
    waiting_rsvp = make_rsvp(event, waiting, RsvpState.WAITLISTED)
    auth.login("org@example.org")
    client.post(f"/groups/{group.slug}/roles/{seated.id}/remove")
    db.session.refresh(waiting_rsvp)
    assert waiting_rsvp.state == "going"
    auth.logout()
    auth.login("w@example.org")
    overview = client.get(f"/groups/{group.slug}/").get_data(as_text=True)
    assert "you moved up from the waitlist" in overview


def test_group_overview_lists_upcoming_events(client, auth, app):
    from tests.event_factories import make_event

    group = make_group()
    make_member(group, email="m@example.org")
    make_event(group, title="Spring lunch")
    auth.login("m@example.org")
    assert "Spring lunch" in client.get(f"/groups/{group.slug}/").get_data(as_text=True)


def test_the_overview_lists_the_five_soonest_lunches_in_order_at_their_local_time(client, auth, app):
    """The list comes with the overview's facts in one statement (as JSON rows): read back in
    order, at their time in the group's zone, drafts for organizers only, past lunches never."""
    from tests.event_factories import make_event

    group = make_group(organizer=make_user(email="olga@example.org"))  # America/Toronto
    make_member(group, email="m@example.org")
    first = datetime(2031, 1, 14, 17, 30, tzinfo=UTC)  # 12:30 in Toronto (EST)
    for title, days in [("Lunch D", 21), ("Lunch B", 7), ("Lunch F", 35), ("Lunch A", 0), ("Lunch E", 28),
                        ("Lunch C", 14)]:
        make_event(group, title=title, starts_at=first + timedelta(days=days))
    make_event(group, title="Same time, made later", starts_at=first)
    make_event(group, title="Draft lunch", starts_at=first + timedelta(days=1), status=EventStatus.DRAFT)
    make_event(group, title="Past lunch", starts_at=utcnow() - timedelta(days=3))

    def listed() -> list[str]:
        page = client.get(f"/groups/{group.slug}/").get_data(as_text=True)
        return re.findall(r'<strong>([^<]+)</strong></a>\s*<span class="card__meta">([^<]+)</span>', page)

    auth.login("m@example.org")
    member_view = listed()
    assert [title for title, _ in member_view] == ["Lunch A", "Same time, made later", "Lunch B", "Lunch C", "Lunch D"]
    assert member_view[0][1] == local_time(first, "America/Toronto") and "12:30" in member_view[0][1]
    auth.logout()
    auth.login("olga@example.org")
    organizer_view = listed()
    assert [title for title, _ in organizer_view] == ["Lunch A", "Same time, made later", "Draft lunch", "Lunch B",
                                                      "Lunch C"]
    assert organizer_view[2][1].endswith("· draft")


def test_the_roles_page_shows_one_page_of_members_and_finds_them_by_name_or_email(client, auth, app):
    """A list that grows with the group: 25 a page, by name, and a search, so the page costs the
    same for 20 members or 2,000 (issue 16)."""
    organizer = make_user(name="Olga Organizer", email="org@example.org")
    group = make_group(organizer=organizer)
    for i in range(30):
        make_member(group, name=f"Member {i:02d}", email=f"person{i:02d}@example.org")
    looked_after = make_member(group, name="Wendy Walk_in", email="wendy@example.org", password=None)
    looked_after.created_by_group_id = group.id  # a walk-in: the group created the account
    db.session.commit()
    auth.login("org@example.org")

    def rows(page: str) -> list[str]:
        return re.findall(r'<td class="strong">([^<(]+)', page)

    first = client.get(f"/groups/{group.slug}/roles").get_data(as_text=True)
    assert rows(first) == [f"Member {i:02d}" for i in range(25)]
    assert "32 members, by name." in first and "Page 1 of 2" in first
    second = client.get(f"/groups/{group.slug}/roles?page=2").get_data(as_text=True)
    assert [r.strip() for r in rows(second)] == [*(f"Member {i:02d}" for i in range(25, 30)), "Olga Organizer", "Wendy Walk_in"]
    assert f"/roles/{looked_after.id}/set-password-link" in second  # its button, on its row
    assert second.count("/set-password-link") == 1
    assert rows(client.get(f"/groups/{group.slug}/roles?page=99").get_data(as_text=True)) == rows(second)

    by_email = client.get(f"/groups/{group.slug}/roles?q=PERSON07@").get_data(as_text=True)
    assert rows(by_email) == ["Member 07"] and "1 member matches" in by_email
    assert rows(client.get(f"/groups/{group.slug}/roles?q=member 1").get_data(as_text=True)) == [
        f"Member {i}" for i in range(10, 20)]
    literal = client.get(f"/groups/{group.slug}/roles?q=k_i").get_data(as_text=True)  # _ is a letter, not a wildcard
    assert [r.strip() for r in rows(literal)] == ["Wendy Walk_in"]
    assert "Nobody matches" in client.get(f"/groups/{group.slug}/roles?q=%25%25").get_data(as_text=True)


def test_a_role_change_goes_back_to_the_same_search_and_page(client, auth, app):
    organizer = make_user(name="Olga Organizer", email="org@example.org")
    group = make_group(organizer=organizer)
    people = [make_member(group, name=f"Member {i:02d}") for i in range(30)]
    auth.login("org@example.org")
    page = client.get(f"/groups/{group.slug}/roles?q=member&page=2").get_data(as_text=True)
    target = people[27]
    action = re.search(rf'action="(/groups/{group.slug}/roles/{target.id}/role[^"]*)"', page).group(1)
    response = client.post(action.replace("&amp;", "&"), data={"role": "organizer"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/groups/{group.slug}/roles?q=member&page=2"
    assert membership_of(target, group).role == Role.ORGANIZER
    removed = client.post(f"/groups/{group.slug}/roles/{people[0].id}/remove?q=x%3Cy&page=abc")
    assert removed.headers["Location"] == f"/groups/{group.slug}/roles?q=x%3Cy"  # a bad page number is dropped


def test_the_roles_page_offers_a_set_password_link_only_where_the_server_would_send_one(client, auth, app):
    from tests.event_factories import make_event

    organizer = make_user(name="Olga Organizer", email="org@example.org")
    group = make_group(organizer=organizer)
    walk_in = make_member(group, name="Wendy Walkin", password=None)
    guest = make_member(group, name="Gus Guest", password=None)
    has_password = make_member(group, name="Pat Password")
    for user in (walk_in, guest, has_password):
        user.created_by_group_id = group.id
    guest.lunch_guest_event_id = make_event(group).id  # seated by name at one lunch: no account to hand over
    db.session.commit()
    auth.login("org@example.org")
    page = client.get(f"/groups/{group.slug}/roles").get_data(as_text=True)
    assert f"/roles/{walk_in.id}/set-password-link" in page
    assert f"/roles/{guest.id}/set-password-link" not in page and f"/roles/{has_password.id}/set-password-link" not in page
