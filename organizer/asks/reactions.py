"""How between-lunch help reacts to the rest of the site (connected in the app factory)."""

from sqlalchemy import delete, or_

from organizer import signals
from organizer.extensions import db
from organizer.models import AskBlock, HelpOffer, Introduction


def forget_member(group, *, user_id: int, **_) -> None:
    """A member who leaves a group keeps nothing visible in it: their offers of help, the
    offers on their needs, the introductions they made or were part of, and blocks by or of
    them go (no commit: the leaving's transaction commits it)."""
    db.session.execute(delete(HelpOffer).where(
        HelpOffer.group_id == group.id, or_(HelpOffer.helper_id == user_id, HelpOffer.owner_id == user_id)))
    db.session.execute(delete(Introduction).where(
        Introduction.group_id == group.id,
        or_(Introduction.introducer_id == user_id, Introduction.first_id == user_id,
            Introduction.second_id == user_id)))
    db.session.execute(delete(AskBlock).where(
        AskBlock.group_id == group.id, or_(AskBlock.user_id == user_id, AskBlock.blocked_id == user_id)))


def connect() -> None:
    signals.member_left.connect(forget_member)
