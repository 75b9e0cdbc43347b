"""Who belongs to which group: the two lookups every feature's service needs.

Kept apart from groups.service so that services which groups.service itself calls
(events, for seats of a member who leaves) can use them without an import cycle.
"""

from sqlalchemy import select

from organizer.extensions import db
from organizer.models import Group, Membership, Role, User


def membership(user_id: int, group_id: int) -> Membership | None:
    return db.session.scalar(
        select(Membership).where(Membership.user_id == user_id, Membership.group_id == group_id)
    )


def add_member(group: Group, user: User, role: Role = Role.MEMBER) -> Membership:
    """Adds a membership (no commit); joining twice is harmless."""
    existing = membership(user.id, group.id)
    if existing is not None:
        return existing
    member = Membership(user=user, group=group, role=role.value)
    db.session.add(member)
    db.session.flush()
    return member
