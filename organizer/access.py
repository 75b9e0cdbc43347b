"""Who may see a group's pages: checked on the server for every group route."""

from collections.abc import Callable
from functools import wraps

from flask import abort, g, session
from flask_login import current_user, login_required

from organizer.groups.service import memberships_of
from organizer.models import Membership, Role


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
            g.group, g.member = group, member  # read by the layout's notices (events.views)
            return view(group=group, member=member, **kwargs)

        wrapped.group_access_role = role  # type: ignore[attr-defined]  # read by the tests that walk every group route
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

