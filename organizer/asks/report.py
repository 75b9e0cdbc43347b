"""The organizers' view of help between lunches: how many asks got an offer of help, how fast,
and which needs nobody has answered. Counted by the database; `figures()` is what a group
dashboard reads."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from organizer.asks.rules import NEED_IS_OPEN
from organizer.extensions import db
from organizer.models import (
    HelpOffer,
    HelpOfferState,
    Introduction,
    IntroductionState,
    Membership,
    Need,
    Visibility,
)
from organizer.paging import Page, clamp

PERIOD = timedelta(days=90)
PAGE_SIZE = 25
COUNTED = (HelpOfferState.PENDING, HelpOfferState.ACCEPTED, HelpOfferState.DONE,
           HelpOfferState.DECLINED, HelpOfferState.WITHDRAWN)


@dataclass
class Figures:
    since: datetime
    asks: int                     # needs shared beyond organizers, added in the period
    answered: int                 # ... that got at least one offer of help or introduction
    median_hours: float | None    # time from the ask to its first offer of help
    offers: int                   # offers of help made in the period
    accepted: int                 # ... that the owner said yes to (done included)
    done: int                     # ... confirmed as helping
    introductions: int
    introductions_made: int

    @property
    def answered_share(self) -> float | None:
        return self.answered / self.asks if self.asks else None


def _asks(group_id: int, since: datetime):
    return (select(Need.id, Need.created_at).join(Membership, Need.membership_id == Membership.id)
            .where(Membership.group_id == group_id, Need.created_at >= since,
                   Need.visibility != Visibility.ORGANIZERS.value))


def figures(group_id: int, now: datetime) -> Figures:
    since = now - PERIOD
    asks = _asks(group_id, since).subquery()
    total = db.session.scalar(select(func.count()).select_from(asks)) or 0
    first_offer = (select(HelpOffer.need_id, func.min(HelpOffer.created_at).label("first"))
                   .where(HelpOffer.group_id == group_id, HelpOffer.state.in_(COUNTED))
                   .group_by(HelpOffer.need_id).subquery())
    waits = [(first - asked).total_seconds() / 3600 for asked, first in db.session.execute(
        select(asks.c.created_at, first_offer.c.first).join(first_offer, first_offer.c.need_id == asks.c.id))]
    introduced = db.session.scalar(select(func.count(func.distinct(Introduction.need_id))).where(
        Introduction.group_id == group_id, Introduction.need_id.in_(select(asks.c.id)),
        Introduction.need_id.not_in(select(first_offer.c.need_id)))) or 0
    offer_states = dict(db.session.execute(
        select(HelpOffer.state, func.count()).where(HelpOffer.group_id == group_id, HelpOffer.created_at >= since)
        .group_by(HelpOffer.state)).all())
    intro_states = dict(db.session.execute(
        select(Introduction.state, func.count()).where(Introduction.group_id == group_id,
                                                       Introduction.created_at >= since)
        .group_by(Introduction.state)).all())
    done = offer_states.get(HelpOfferState.DONE, 0)
    return Figures(
        since=since, asks=total, answered=len(waits) + introduced,
        median_hours=median(waits) if waits else None,
        offers=sum(offer_states.values()),
        accepted=offer_states.get(HelpOfferState.ACCEPTED, 0) + done, done=done,
        introductions=sum(intro_states.values()),
        introductions_made=intro_states.get(IntroductionState.MADE, 0),
    )


def unanswered_page(group_id: int, number: int = 1, size: int = PAGE_SIZE) -> Page:
    """Open needs shared beyond organizers that nobody has offered help on nor introduced
    anyone about, longest waiting first."""
    offered = select(HelpOffer.need_id).where(HelpOffer.group_id == group_id, HelpOffer.state.in_(COUNTED))
    introduced = select(Introduction.need_id).where(Introduction.group_id == group_id,
                                                    Introduction.need_id.is_not(None))
    query = (select(Need.id).join(Membership, Need.membership_id == Membership.id)
             .where(Membership.group_id == group_id, NEED_IS_OPEN,
                    Need.visibility != Visibility.ORGANIZERS.value,
                    ~or_(Need.id.in_(offered), Need.id.in_(introduced))))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    number = clamp(number, total, size)
    ids = list(db.session.scalars(query.order_by(Need.created_at, Need.id).limit(size).offset((number - 1) * size)))
    needs = {n.id: n for n in db.session.scalars(select(Need).where(Need.id.in_(ids)).options(
        selectinload(Need.membership).selectinload(Membership.user)))} if ids else {}
    return Page([needs[i] for i in ids], total, number, size)
