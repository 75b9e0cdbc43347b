"""Who may see a group's pages: checked on the server for every group route."""

from collections.abc import Callable
from datetime import datetime
from functools import wraps

from flask import abort, g, session
from flask_login import current_user, login_required
from sqlalchemy import bindparam, exists, select
from sqlalchemy.orm import contains_eager

from organizer.auth.service import SESSION_USER, SessionLimits, session_values
from organizer.extensions import db
from organizer.models import Event, EventStatus, Group, Membership, Role, Rsvp, RsvpState, User


def group_access(role: Role | None = None) -> Callable:
    """Decorates a view taking `slug`: the view gets `group` and `member` instead.

    Not a member (or no such group): 404, so a group's existence is not revealed.
    A member where an organizer is required: 403.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapped(slug: str, **kwargs):
            member = next((m for m in my_memberships() if m.group.slug == slug), None)
            if member is None:
                abort(404)
            group = member.group
            if role == Role.ORGANIZER and not member.is_organizer:
                abort(403)
            if session.get("group_id") != group.id:  # a GET writes no cookie when nothing changed
                session["group_id"] = group.id
            g.group, g.member = group, member  # read by the layout's notices (events.views)
            return view(group=group, member=member, **kwargs)

        wrapped.group_access_role = role  # type: ignore[attr-defined]  # read by the tests that walk every group route
        return wrapped

    return decorator


# Built once: every signed-in page runs it, and building a statement costs as much as running it.
# Each membership comes with whether the member has a seat from a waitlist not acknowledged yet
# (the layout's notice, events.views.promotion_notices, reads the seats only then).
_UNSEEN_PROMOTION = exists().where(
    Rsvp.user_id == Membership.user_id, Rsvp.event_id == Event.id, Event.group_id == Membership.group_id,
    Rsvp.state == RsvpState.GOING, Rsvp.promoted_at.is_not(None), Rsvp.promotion_seen_at.is_(None),
    Event.status != EventStatus.CANCELLED).correlate(Membership)
_MY_MEMBERSHIPS = (
    select(Membership, _UNSEEN_PROMOTION).join(Group).where(Membership.user_id == bindparam("user_id"))
    .order_by(Group.name).options(contains_eager(Membership.group)))


# The session's user with their memberships: one statement for what every signed-in page
# reads first (the user behind the cookie, then their groups for the navigation and access).
_SESSION_USER_AND_MEMBERSHIPS = (
    SESSION_USER.add_columns(Membership, _UNSEEN_PROMOTION)
    .outerjoin(Membership, Membership.user_id == User.id).outerjoin(Group, Group.id == Membership.group_id)
    .order_by(Group.name).options(contains_eager(Membership.group)))


def load_signed_in(user_id: str, token: str | None, limits: SessionLimits) -> tuple[User, datetime] | None:
    """``auth.service.session_user`` (the user behind a live session, with its last activity),
    reading the user's memberships in the same statement: ``my_memberships`` then asks nothing."""
    values = session_values(user_id, token, limits)
    if values is None:
        return None
    rows = db.session.execute(_SESSION_USER_AND_MEMBERSHIPS, values).all()
    if not rows:
        return None
    g.my_memberships = [m for _, _, m, _ in rows if m is not None]
    g.unseen_promotion_groups = {m.group_id for _, _, m, unseen in rows if m is not None and unseen}
    return rows[0][0], rows[0][1]


def my_memberships() -> list[Membership]:
    """The signed-in user's memberships with their groups, read once per request: the group
    pages and the navigation both need them."""
    if "my_memberships" not in g:
        rows = db.session.execute(_MY_MEMBERSHIPS, {"user_id": current_user.id}).all()
        g.my_memberships = [m for m, _ in rows]
        g.unseen_promotion_groups = {m.group_id for m, unseen in rows if unseen}
    return g.my_memberships


def has_unseen_promotions(group_id: int) -> bool:
    """Whether the signed-in member has a seat from this group's waitlist not acknowledged yet."""
    my_memberships()
    return group_id in g.unseen_promotion_groups


organizer_required = group_access(Role.ORGANIZER)
member_required = group_access()
