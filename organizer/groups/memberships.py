"""Who belongs to which group: the lookups every feature's service needs, and invitations.

Kept apart from groups.service so that services which groups.service itself calls
(events, for seats of a member who leaves) can use them without an import cycle.
"""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from organizer import signals
from organizer.extensions import db
from organizer.models import Group, GroupInvitation, InvitationState, Membership, Role, User, utcnow


def membership(group_id: int, user_id: int) -> Membership | None:
    """The membership of a user in a group (group first, as in the URLs), or None."""
    return db.session.scalar(
        select(Membership).where(Membership.group_id == group_id, Membership.user_id == user_id)
    )


def memberships_among(group_id: int, user_ids: Iterable[int]) -> dict[int, Membership]:
    """Per user id, the membership in the group of those of `user_ids` who are in it, with their
    users (two statements, however many)."""
    ids = set(user_ids)
    if not ids:
        return {}
    return {m.user_id: m for m in db.session.scalars(
        select(Membership).where(Membership.group_id == group_id, Membership.user_id.in_(ids))
        .options(selectinload(Membership.user)))}


def add_member(group: Group, user: User, role: Role = Role.MEMBER) -> Membership:
    """Adds a membership (no commit); joining twice is harmless."""
    existing = membership(group.id, user.id)
    if existing is not None:
        return existing
    member = Membership(user=user, group=group, role=role.value)
    db.session.add(member)
    db.session.flush()
    return member


def invite_to_group(group: Group, user: User, invited_by_id: int | None, via: str,
                    now: datetime | None = None) -> GroupInvitation | None:
    """Asks the owner of an existing account to join (no commit): they join only by accepting.
    Nothing new when they are already a member, an invitation already waits for them, or they
    declined this group before (no asking again and again; they can still join by invite link)."""
    if membership(group.id, user.id) is not None:
        return None
    earlier = db.session.scalar(select(GroupInvitation).where(
        GroupInvitation.group_id == group.id, GroupInvitation.user_id == user.id,
        GroupInvitation.state.in_([InvitationState.PENDING, InvitationState.DECLINED]))
        .order_by(GroupInvitation.id.desc()).limit(1))
    if earlier is not None:
        return earlier if earlier.state == InvitationState.PENDING else None
    invitation = GroupInvitation(group_id=group.id, user_id=user.id, invited_by_id=invited_by_id,
                                 via=via, created_at=now or utcnow())
    db.session.add(invitation)
    db.session.flush()
    signals.member_invited.send(group, invitation=invitation, now=invitation.created_at)
    return invitation
