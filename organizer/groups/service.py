"""Groups and roles: creating a group, invite codes, joining, promoting, removing."""

import re
import secrets
import unicodedata
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import BindParameter, Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import contains_eager

from organizer import signals
from organizer.errors import ActionRefused
from organizer.extensions import db
from organizer.groups.memberships import add_member, membership
from organizer.models import Group, GroupInvitation, InvitationState, Membership, Role, User, utcnow
from organizer.paging import Page, counted_page, like_escape
from organizer.timezones import is_time_zone

INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud at a lunch table
INVITE_CODE_LENGTH = 10
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX_LENGTH = 60
DEFAULT_COOLDOWN_WEEKS = 8


def new_invite_code() -> str:
    return "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_CODE_LENGTH))


def normalize_invite_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code).upper()


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:SLUG_MAX_LENGTH].strip("-") or "group"


def check_slug(slug: str) -> None:
    if not (3 <= len(slug) <= SLUG_MAX_LENGTH and SLUG_PATTERN.match(slug)):
        raise ActionRefused(
            "A group's short name has 3 to 60 lower-case letters, digits and single hyphens."
        )


def unique_slug(name: str) -> str:
    base = slugify(name)
    if len(base) < 3:
        base = f"{base}-group"
    slug, n = base, 2
    while db.session.scalar(select(Group.id).where(Group.slug == slug)) is not None:
        suffix = f"-{n}"
        slug = base[: SLUG_MAX_LENGTH - len(suffix)] + suffix
        n += 1
    return slug


def check_time_zone(time_zone: str) -> None:
    if not is_time_zone(time_zone):
        raise ActionRefused(f"Unknown time zone: {time_zone}.")


def create_group(organizer: User, name: str, time_zone: str, *, slug: str | None = None,
                 repeat_cooldown_weeks: int = DEFAULT_COOLDOWN_WEEKS, now: datetime | None = None,
                 per_day: int | None = None) -> Group:
    """A group with its first organizer. `per_day` caps how many groups one account creates
    in 24 hours (on the site; the command line has no cap)."""
    if per_day is not None and now is not None and groups_created_since(organizer, now - timedelta(days=1)) >= per_day:
        raise ActionRefused(f"You have created {per_day} group{'s' if per_day != 1 else ''} in the last 24 hours, "
                            "the most one account may. Try again tomorrow.")
    name = name.strip()
    if not name:
        raise ActionRefused("A group needs a name.")
    check_time_zone(time_zone)
    if slug is None:
        slug = unique_slug(name)
    else:
        check_slug(slug)
        if group_by_slug(slug) is not None:
            raise ActionRefused(f"A group with the short name '{slug}' already exists.")
    group = Group(
        name=name,
        slug=slug,
        time_zone=time_zone,
        invite_code=new_invite_code(),
        repeat_cooldown_weeks=repeat_cooldown_weeks,
        created_by_id=organizer.id,
    )
    db.session.add(group)
    db.session.add(Membership(user=organizer, group=group, role=Role.ORGANIZER.value))
    db.session.flush()
    return group


def groups_created_since(user: User, since: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(Group).where(
        Group.created_by_id == user.id, Group.created_at >= since)) or 0


def update_group(group: Group, name: str, time_zone: str, repeat_cooldown_weeks: int) -> None:
    name = name.strip()
    if not name:
        raise ActionRefused("A group needs a name.")
    check_time_zone(time_zone)
    if not 0 <= repeat_cooldown_weeks <= 104:
        raise ActionRefused("The repeat cool-down is 0 to 104 weeks.")
    group.name = name
    group.time_zone = time_zone
    group.repeat_cooldown_weeks = repeat_cooldown_weeks
    db.session.flush()


def rotate_invite_code(group: Group) -> str:
    group.invite_code = new_invite_code()
    db.session.flush()
    return group.invite_code


def group_by_slug(slug: str) -> Group | None:
    return db.session.scalar(select(Group).where(Group.slug == slug))


def group_by_invite_code(code: str) -> Group | None:
    code = normalize_invite_code(code)
    if not code:
        return None
    return db.session.scalar(select(Group).where(Group.invite_code == code))


def join_group(user: User, code: str) -> tuple[Group, bool]:
    """Joins the group behind an invite code. Returns the group and whether the user is new to it."""
    group = group_by_invite_code(code)
    if group is None:
        raise ActionRefused("That invite code is not valid. Ask an organizer for the current link.")
    already = membership(group.id, user.id) is not None
    add_member(group, user)
    db.session.flush()
    return group, not already


def memberships_of(user_id: int) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .join(Group)
            .where(Membership.user_id == user_id)
            .order_by(Group.name)
            .options(contains_eager(Membership.group))
        )
    )


def organizer_count(group: Group) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.group_id == group.id, Membership.role == Role.ORGANIZER.value)
    ) or 0


def _member_or_refuse(group: Group, user_id: int) -> Membership:
    member = membership(group.id, user_id)
    if member is None:
        raise ActionRefused("That person is not a member of this group.")
    return member


def _refuse_if_last_organizer(group: Group, member: Membership, action: str) -> None:
    if member.is_organizer and organizer_count(group) <= 1:
        raise ActionRefused(
            f"Cannot {action} the last organizer: a group always keeps one. Promote someone else first."
        )


def set_role(group: Group, user_id: int, role: Role) -> Membership:
    member = _member_or_refuse(group, user_id)
    if role == Role.MEMBER:
        _refuse_if_last_organizer(group, member, "demote")
    member.role = role.value
    db.session.flush()
    return member


def remove_member(group: Group, user_id: int, *, leaving: bool = False) -> User:
    """An organizer removes a member, or (`leaving`) the member leaves. The features that keep
    something of theirs react to member_left (their seats at upcoming lunches are released)."""
    member = _member_or_refuse(group, user_id)
    _refuse_if_last_organizer(group, member, "remove")
    user = member.user
    db.session.delete(member)
    db.session.flush()
    signals.member_left.send(group, user_id=user_id, removed=not leaving, now=utcnow())
    return user


ROLES_PAGE_SIZE = 25


class RoleRow(NamedTuple):
    """One member on the roles page: what its row shows and which buttons it has."""
    user_id: int
    name: str
    email: str
    role: str
    joined_at: datetime
    link_candidate: bool
    """An account the group created whose owner has never had a password: an organizer may have a
    set-password link emailed to it (organizer.messages.invitations.send_welcome_again)."""

    @property
    def is_organizer(self) -> bool:
        return self.role == Role.ORGANIZER.value


def _roles_statements(searching: bool) -> tuple[Select, Select]:
    """The roles page's rows (with the list's length as their last column) and its count alone;
    `searching`: only the members whose name or email holds the ``pattern``."""
    condition = Membership.group_id == bindparam("group_id")
    if searching:
        pattern: BindParameter[str] = bindparam("pattern")
        condition = and_(condition, or_(func.lower(User.name).like(pattern, escape="\\"),
                                        func.lower(User.email).like(pattern, escape="\\")))
    count = select(func.count()).select_from(Membership).join(User, User.id == Membership.user_id).where(condition)
    # as auth.service.looked_after_by, which the set-password link's post checks
    link_candidate = and_(User.created_by_group_id == Membership.group_id, User.password_hash.is_(None),
                          User.lunch_guest_event_id.is_(None))
    rows = (select(Membership.user_id, User.name, User.email, Membership.role, Membership.joined_at,
                   link_candidate.label("link_candidate"),
                   count.correlate(None).scalar_subquery().label("total"))  # counted once, not per row
            .join(User, User.id == Membership.user_id).where(condition)
            .order_by(func.lower(User.name), User.id)
            .limit(bindparam("size")).offset(bindparam("skip")))
    return rows, count


_ROLES = {searching: _roles_statements(searching) for searching in (False, True)}


def roles_page(group: Group, query: str = "", number: int = 1, size: int = ROLES_PAGE_SIZE) -> Page:
    """One page of RoleRow, by name: every member, or those whose name or email holds `query`
    (any case). The database sorts and cuts the list, so the page costs the same for 20 members
    or 2,000 (a page past the end shows the last page)."""
    query = query.strip().lower()
    rows, count = _ROLES[bool(query)]
    values: dict = {"group_id": group.id}
    if query:
        values["pattern"] = f"%{like_escape(query)}%"
    found, total, shown = counted_page(rows, count, values, number, size)
    return Page([RoleRow(r.user_id, r.name, r.email, r.role, r.joined_at, bool(r.link_candidate)) for r in found],
                total, shown, size)


def pending_invitations(user_id: int) -> list[GroupInvitation]:
    return list(db.session.scalars(
        select(GroupInvitation).join(Group)
        .where(GroupInvitation.user_id == user_id, GroupInvitation.state == InvitationState.PENDING)
        .order_by(GroupInvitation.created_at, GroupInvitation.id)
        .options(contains_eager(GroupInvitation.group))))


def answer_invitation(user: User, invitation_id: int, accept: bool, now: datetime) -> GroupInvitation | None:
    """The invitee accepts (joins the group) or declines. None when there is no such pending
    invitation for this user: nobody else can answer it."""
    invitation = db.session.scalar(select(GroupInvitation).where(
        GroupInvitation.id == invitation_id, GroupInvitation.user_id == user.id,
        GroupInvitation.state == InvitationState.PENDING))
    if invitation is None:
        return None
    invitation.state = InvitationState.ACCEPTED if accept else InvitationState.DECLINED
    invitation.answered_at = now
    if accept:
        add_member(invitation.group, user)
    db.session.flush()
    return invitation
