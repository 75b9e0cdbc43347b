"""Who may see a group's pages: checked on the server for every group route."""

from collections.abc import Callable
from functools import wraps

from flask import abort, flash, g, request, session
from flask_login import current_user, login_required

from organizer.database import writing
from organizer.events.service import acknowledge_promotions, format_local, unseen_promotions
from organizer.groups.service import memberships_of
from organizer.models import Membership, Role, utcnow


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
            session["group_id"] = group.id
            if request.method == "GET":
                tell_about_promotions(group)
            return view(group=group, member=member, **kwargs)

        wrapped.group_access_role = role  # read by the tests that walk every group route
        return wrapped

    return decorator


def my_memberships() -> list[Membership]:
    """The signed-in user's memberships with their groups, read once per request: the group
    pages and the navigation both need them."""
    if "my_memberships" not in g:
        g.my_memberships = memberships_of(current_user.id)
    return g.my_memberships


organizer_required = group_access(Role.ORGANIZER)
member_required = group_access()


def tell_about_promotions(group) -> None:
    """A member who moved up from a waitlist hears it on their next visit to the group, once."""
    if not unseen_promotions(current_user.id, group.id):
        return
    with writing():
        events = acknowledge_promotions(current_user.id, group.id, utcnow())
    for event in events:
        when = format_local(event.starts_at, group.time_zone)
        flash(f"Good news: a seat opened up and you moved up from the waitlist. "
              f"You are in for {event.title} on {when}.", "success")
