"""At the door: what a walk-in says they need and can offer, counted in the pairing at once.

Only an account this group created and whose owner has not set a password yet (someone new,
just added at the door or imported) gets the items: an account that belongs to its owner is
never written to (see README, Security). The page reads the same in every case.
Services add and flush; the view's transaction commits.
"""

from __future__ import annotations

from sqlalchemy import func, select

from organizer.auth.service import user_by_email
from organizer.extensions import db
from organizer.groups.memberships import membership
from organizer.members.service import NeedInput, OfferInput, add_need, add_offer
from organizer.models import Event, Need, Offer, Visibility

MAX_TITLE = 200


def add_door_items(event: Event, email: str, need: str, offer: str) -> None:
    """Adds ``need`` and ``offer`` (either may be empty) to a new walk-in's lists in the group,
    shown to a lunch partner and organizers (as imported items are) until the member chooses."""
    need, offer = (need or "").strip()[:MAX_TITLE], (offer or "").strip()[:MAX_TITLE]
    if not need and not offer:
        return
    user = user_by_email(email)
    if user is None or user.password_hash is not None or user.created_by_group_id != event.group_id:
        return
    owner = membership(event.group_id, user.id)
    if owner is None:
        return
    if need and not _has(Need, owner.id, need):
        add_need(owner, NeedInput(title=need, visibility=Visibility.PARTNER.value))
    if offer and not _has(Offer, owner.id, offer):
        add_offer(owner, OfferInput(title=offer))
    db.session.flush()


def _has(model, membership_id: int, title: str) -> bool:
    return (db.session.scalar(select(func.count()).select_from(model).where(
        model.membership_id == membership_id, func.lower(model.title) == title.lower())) or 0) > 0
