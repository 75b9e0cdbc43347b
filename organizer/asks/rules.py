"""What offers of help and introductions share: which needs count as open, who may see a need
(the members feature's rule, checked again at every read), blocks and the daily limit."""

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select

from organizer.errors import ActionRefused
from organizer.extensions import db
from organizer.members.service import need_visibility_clause
from organizer.models import AskBlock, HelpOffer, Introduction, Membership, Need, NeedStatus

OPEN_STATUSES = (NeedStatus.OPEN, NeedStatus.IN_PROGRESS)
# The same in SQL, as plain comparisons: an IN of a list is an expanding parameter, which
# SQLAlchemy renders into the statement's text again on every run (5% of the group home's CPU).
NEED_IS_OPEN = or_(*(Need.status == status for status in OPEN_STATUSES))
MESSAGE_MAX_LENGTH = 500
REASON_MAX_LENGTH = 1000
# Offers of help and introductions one member may start in 24 hours (all groups together),
# unless the app's ASKS_PER_DAY says otherwise: plenty for a generous member, too few to spam.
ACTIONS_PER_DAY = 10


def visible_need(viewer: Membership, need_id: int | None, partner_ids: frozenset[int]) -> Need | None:
    """The need, if the viewer may see it (any status); None otherwise, as if it did not exist."""
    if need_id is None:
        return None
    return db.session.scalar(select(Need).join(Membership, Need.membership_id == Membership.id)
                             .where(Need.id == need_id, need_visibility_clause(viewer, partner_ids)))


def visible_need_ids(viewer: Membership, ids, partner_ids: frozenset[int]) -> set[int]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return set()
    return set(db.session.scalars(select(Need.id).join(Membership, Need.membership_id == Membership.id)
                                  .where(Need.id.in_(ids), need_visibility_clause(viewer, partner_ids))))


def is_blocked(group_id: int, actor_id: int, target_ids) -> bool:
    """The actor may not offer help to or introduce these people: one of them blocked the actor,
    or an organizer blocked the actor in the group."""
    targets = [t for t in target_ids if t is not None]
    blocks = db.session.scalar(select(func.count()).select_from(AskBlock).where(
        AskBlock.group_id == group_id, AskBlock.blocked_id == actor_id,
        or_(AskBlock.user_id.is_(None), AskBlock.user_id.in_(targets))))
    return bool(blocks)


def check_daily_limit(user_id: int, now: datetime, per_day: int) -> None:
    since = now - timedelta(days=1)
    offers = db.session.scalar(select(func.count()).select_from(HelpOffer).where(
        HelpOffer.helper_id == user_id, HelpOffer.created_at > since)) or 0
    introductions = db.session.scalar(select(func.count()).select_from(Introduction).where(
        Introduction.introducer_id == user_id, Introduction.created_at > since)) or 0
    if offers + introductions >= per_day:
        raise ActionRefused(f"You have offered help or introduced people {per_day} times in the last "
                            "24 hours, the most the site allows. Thank you for giving so much: "
                            "please try again tomorrow.")


def clean_text(text: str | None, limit: int, what: str, required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ActionRefused(f"Write {what}.")
    if len(text) > limit:
        raise ActionRefused(f"{what[0].upper()}{what[1:]} has at most {limit} characters.")
    return text
