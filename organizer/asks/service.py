"""Offers of help on a member's need ("I can help with this"), their answers and follow-ups,
and blocks. Services add and flush; the caller's `transaction()` commits.

An offer of help goes pending -> accepted ("yes please": the two see each other's contact
details) or declined; accepted -> done when the need's owner confirms it helped (counted in
the give-first ledger, the need met if the owner says so). The helper may withdraw it while
it is pending or accepted; an organizer may remove it unless it is done. Accepting records a
confirmed link for the help model. Three weeks after an acceptance, with the need still
open, the owner is asked whether it worked out.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, delete, func, or_, select
from sqlalchemy.orm import selectinload

from organizer.asks import outcomes
from organizer.asks.rules import (
    MESSAGE_MAX_LENGTH,
    NEED_IS_OPEN,
    OPEN_STATUSES,
    check_daily_limit,
    clean_text,
    is_blocked,
    visible_need,
)
from organizer.errors import ActionRefused
from organizer.extensions import db
from organizer.members.service import member_from_label
from organizer.models import (
    Answer,
    AskBlock,
    FollowUpAnswer,
    HelpKind,
    HelpLink,
    HelpOffer,
    HelpOfferState,
    Introduction,
    IntroductionState,
    LinkKind,
    Membership,
    Need,
    User,
)

FOLLOW_UP_AFTER = timedelta(weeks=3)
LIVE = (HelpOfferState.PENDING, HelpOfferState.ACCEPTED)
KIND_WORDS = {HelpKind.LEAD.value: "a lead", HelpKind.INTRODUCTION.value: "an introduction",
              HelpKind.ADVICE.value: "advice", HelpKind.RESOURCE.value: "a resource"}


def kind_words(kind: str) -> str:
    return KIND_WORDS.get(kind, "help")


# --- offering --------------------------------------------------------------------------------

def offer_help(helper: Membership, need_id: int, kind: str, message: str, *, partner_ids: frozenset[int],
               now: datetime, per_day: int) -> HelpOffer:
    need = visible_need(helper, need_id, partner_ids)
    if need is None:
        raise ActionRefused("That need is not there, or not shared with you.")
    if need.membership_id == helper.id:
        raise ActionRefused("This is your own need.")
    if need.status not in OPEN_STATUSES:
        raise ActionRefused("This need is already met.")
    if kind not in HelpKind._value2member_map_:
        raise ActionRefused("Choose what kind of help: a lead, an introduction, advice or a resource.")
    message = clean_text(message, MESSAGE_MAX_LENGTH, "a few words on how you can help")
    owner_id = need.membership.user_id
    if is_blocked(helper.group_id, helper.user_id, [owner_id]):
        raise ActionRefused("You cannot offer help on this need.")
    if db.session.scalar(select(HelpOffer.id).where(HelpOffer.need_id == need.id, HelpOffer.helper_id == helper.user_id,
                                                     HelpOffer.state.in_(LIVE))) is not None:
        raise ActionRefused("You already offered help on this need; it is waiting on your page.")
    check_daily_limit(helper.user_id, now, per_day)
    offer = HelpOffer(group_id=helper.group_id, need=need, helper_id=helper.user_id, owner_id=owner_id,
                      kind=kind, message=message, created_at=now)
    db.session.add(offer)
    db.session.flush()
    outcomes.tell(owner_id, helper.group, "help-offered",
                  f"{helper.user.name} offered {kind_words(kind)} on your need “{need.title}”",
                  f"{helper.user.name} wrote: {message}\n\nAnswer on your page: yes please, or no thank you.",
                  key=f"offer-{offer.id}", now=now)
    return offer


def offer_in_group(group_id: int, offer_id: int) -> HelpOffer | None:
    return db.session.scalar(select(HelpOffer).where(HelpOffer.id == offer_id, HelpOffer.group_id == group_id)
                             .options(selectinload(HelpOffer.need), selectinload(HelpOffer.helper),
                                      selectinload(HelpOffer.owner)))


def answer(owner: Membership, offer: HelpOffer, answer: str, now: datetime) -> None:
    """The need's owner: "accept" (yes please), "decline", "done" (it helped) or "met" (it
    helped and the need is met)."""
    if offer.owner_id != owner.user_id or offer.group_id != owner.group_id:
        raise ActionRefused("Only the person who asked can answer an offer of help.")
    if answer in ("accept", "decline"):
        if offer.state != HelpOfferState.PENDING:
            raise ActionRefused("This offer of help was already answered.")
        offer.answered_at = now
        if answer == "accept":
            offer.state = HelpOfferState.ACCEPTED
            _confirmed_link(offer, now)
            outcomes.tell(offer.helper_id, owner.group, "help-accepted",
                          f"{owner.user.name} said yes please to your help with “{offer.need.title}”",
                          "You can now see each other's contact details on the site.", key=f"offer-{offer.id}",
                          now=now)
        else:
            offer.state = HelpOfferState.DECLINED
            outcomes.tell(offer.helper_id, owner.group, "help-declined",
                          f"{owner.user.name} said no thank you to your offer on “{offer.need.title}”",
                          "Thank you for offering all the same.", key=f"offer-{offer.id}", now=now)
    elif answer in ("done", "met"):
        if offer.state != HelpOfferState.ACCEPTED:
            raise ActionRefused("Accept the offer of help first.")
        _done(offer, owner, now, met=answer == "met")
    else:
        raise ActionRefused("Choose an answer.")
    db.session.flush()


def _done(offer: HelpOffer, owner: Membership, now: datetime, *, met: bool) -> None:
    offer.state = HelpOfferState.DONE
    offer.done_at = now
    if met:
        outcomes.mark_met(offer.need, offer.helper_id, now, f"{kind_words(offer.kind)} offered between lunches")
    # Confirmed after the need is marked: the helper's thank-you note (sent by the messages
    # feature on the ledger's help_confirmed signal, for every kind of help alike) says it is met.
    outcomes.confirm_help(owner.group, giver_id=offer.helper_id, receiver_id=offer.owner_id, need=offer.need,
                          source="offer", source_id=offer.id, kind=offer.kind, now=now)


def withdraw(helper: Membership, offer: HelpOffer) -> None:
    if offer.helper_id != helper.user_id:
        raise ActionRefused("Only the person who offered can withdraw it.")
    if offer.state not in LIVE:
        raise ActionRefused("This offer of help is closed already.")
    offer.state = HelpOfferState.WITHDRAWN
    _drop_confirmed_link(offer)
    db.session.flush()


def remove_by_organizer(organizer: Membership, offer: HelpOffer) -> None:
    if not organizer.is_organizer or offer.group_id != organizer.group_id:
        raise ActionRefused("Only an organizer of the group can remove an offer of help.")
    if offer.state in (HelpOfferState.DONE, HelpOfferState.REMOVED):
        raise ActionRefused("This offer of help is done or removed already: it stays as it is.")
    offer.state = HelpOfferState.REMOVED
    offer.removed_by_id = organizer.user_id
    _drop_confirmed_link(offer)
    db.session.flush()


def _confirmed_link(offer: HelpOffer, now: datetime) -> None:
    db.session.add(HelpLink(group_id=offer.group_id, kind=LinkKind.CONFIRMED.value, helper_id=offer.helper_id,
                            helped_id=offer.owner_id, need_id=offer.need_id, created_by_id=offer.owner_id,
                            text=f"{offer.owner.name} said yes to their offer of {kind_words(offer.kind)}"[:160],
                            created_at=now))


def _drop_confirmed_link(offer: HelpOffer) -> None:
    db.session.execute(delete(HelpLink).where(
        HelpLink.group_id == offer.group_id, HelpLink.kind == LinkKind.CONFIRMED.value,
        HelpLink.helper_id == offer.helper_id, HelpLink.helped_id == offer.owner_id,
        HelpLink.need_id == offer.need_id))


# --- follow-ups -----------------------------------------------------------------------------

def _due_clause(now: datetime):
    return _due_before(now - FOLLOW_UP_AFTER)


def _due_before(answered_before):
    return (HelpOffer.state == HelpOfferState.ACCEPTED, HelpOffer.answered_at <= answered_before,
            HelpOffer.follow_up_answer == "", NEED_IS_OPEN)


def follow_ups_due(owner: Membership, now: datetime) -> list[HelpOffer]:
    """Accepted help on the owner's needs, three weeks old, the need still open: "did it work out?"."""
    return list(db.session.scalars(
        select(HelpOffer).join(Need, Need.id == HelpOffer.need_id)
        .where(HelpOffer.owner_id == owner.user_id, HelpOffer.group_id == owner.group_id, *_due_clause(now))
        .options(selectinload(HelpOffer.need), selectinload(HelpOffer.helper)).order_by(HelpOffer.answered_at)))


def send_follow_ups(now: datetime) -> int:
    """Tells each owner of a follow-up that fell due (once): for a daily command or job."""
    due = list(db.session.scalars(
        select(HelpOffer).join(Need, Need.id == HelpOffer.need_id)
        .where(*_due_clause(now), HelpOffer.follow_up_sent_at.is_(None))
        .options(selectinload(HelpOffer.need), selectinload(HelpOffer.helper))))
    for offer in due:
        offer.follow_up_sent_at = now
        outcomes.tell(offer.owner_id, offer.group, "help-follow-up",
                      f"Did {offer.helper.name}'s {kind_words(offer.kind).split(' ')[-1]} work out?",
                      f"Three weeks ago you said yes to {offer.helper.name}'s help with “{offer.need.title}”. "
                      "Tell us on your page: met, still open, or not helpful.", key=f"offer-{offer.id}", now=now)
    db.session.flush()
    return len(due)


def answer_follow_up(owner: Membership, offer: HelpOffer, answer: str, now: datetime) -> None:
    if offer.owner_id != owner.user_id or offer.group_id != owner.group_id:
        raise ActionRefused("Only the person who asked can answer.")
    if offer.state != HelpOfferState.ACCEPTED or offer.follow_up_answer:
        raise ActionRefused("This was answered already.")
    if answer not in FollowUpAnswer._value2member_map_:
        raise ActionRefused("Choose met, still open or not helpful.")
    offer.follow_up_answer = answer
    offer.follow_up_answered_at = now
    if answer == FollowUpAnswer.MET:
        _done(offer, owner, now, met=True)
    elif answer == FollowUpAnswer.NOT_HELPFUL:
        _drop_confirmed_link(offer)
        db.session.add(HelpLink(group_id=offer.group_id, kind=LinkKind.WRONG.value, helper_id=offer.helper_id,
                                helped_id=offer.owner_id, need_id=offer.need_id, created_by_id=owner.user_id,
                                created_at=now))
    db.session.flush()


# --- what waits for a member -----------------------------------------------------------------

@dataclass
class Waiting:
    offers: int           # offers of help on my needs waiting for my answer
    introductions: int    # introductions waiting for my yes or no
    follow_ups: int       # "did it work out?"

    @property
    def any(self) -> bool:
        return bool(self.offers or self.introductions or self.follow_ups)


# What the member is asked to answer between lunches: three counts, built once (the group's
# overview, the busiest page, reads them on every visit with its checklist, in one statement:
# groups.overview.checklist_and_waiting).
WAITING_COUNTS = (
    select(func.count()).select_from(HelpOffer).where(
        HelpOffer.owner_id == bindparam("user_id"), HelpOffer.group_id == bindparam("group_id"),
        HelpOffer.state == HelpOfferState.PENDING).scalar_subquery(),
    select(func.count()).select_from(Introduction).where(
        Introduction.group_id == bindparam("group_id"), Introduction.state == IntroductionState.PENDING,
        or_(and_(Introduction.first_id == bindparam("user_id"), Introduction.first_answer == Answer.WAITING.value),
            and_(Introduction.second_id == bindparam("user_id"),
                 Introduction.second_answer == Answer.WAITING.value))).scalar_subquery(),
    select(func.count()).select_from(HelpOffer).join(Need, Need.id == HelpOffer.need_id).where(
        HelpOffer.owner_id == bindparam("user_id"), HelpOffer.group_id == bindparam("group_id"),
        *_due_before(bindparam("answered_before"))).scalar_subquery())


def waiting_values(member: Membership, now: datetime) -> dict:
    """The values WAITING_COUNTS asks for."""
    return {"user_id": member.user_id, "group_id": member.group_id, "answered_before": now - FOLLOW_UP_AFTER}


def waiting_from(counts: Iterable[int | None]) -> Waiting:
    """What the member is asked to answer between lunches, from WAITING_COUNTS' three counts."""
    return Waiting(*(count or 0 for count in counts))



# --- what each side sees --------------------------------------------------------------------

@dataclass
class OfferRow:
    offer: HelpOffer
    need_shown: bool          # the need is still shared with this viewer (else its title is not shown)
    contact: User | None      # the other person, when both said yes: their contact details are shown


def _shows_contact(offer: HelpOffer) -> bool:
    return offer.state in (HelpOfferState.ACCEPTED, HelpOfferState.DONE)


_OFFERS_RECEIVED = (  # built once: "my needs and offers" reads them on every visit
    select(HelpOffer).where(HelpOffer.owner_id == bindparam("user_id"), HelpOffer.group_id == bindparam("group_id"),
                            HelpOffer.state != HelpOfferState.REMOVED)
    .options(selectinload(HelpOffer.need), selectinload(HelpOffer.helper))
    .order_by(HelpOffer.created_at.desc(), HelpOffer.id.desc()).limit(200))


def offers_received(owner: Membership) -> list[HelpOffer]:
    """Offers of help on the owner's needs in this group (not those an organizer removed), newest first."""
    return list(db.session.scalars(_OFFERS_RECEIVED, {"user_id": owner.user_id, "group_id": owner.group_id}))


def offers_by_need(owner: Membership) -> dict[int, list[HelpOffer]]:
    by_need: dict[int, list[HelpOffer]] = {}
    for offer in offers_received(owner):
        if offer.state in LIVE:
            by_need.setdefault(offer.need_id, []).append(offer)
    return by_need


def offers_made(helper: Membership) -> list[HelpOffer]:
    return list(db.session.scalars(
        select(HelpOffer).where(HelpOffer.helper_id == helper.user_id, HelpOffer.group_id == helper.group_id)
        .options(selectinload(HelpOffer.need), selectinload(HelpOffer.owner))
        .order_by(HelpOffer.created_at.desc(), HelpOffer.id.desc()).limit(200)))


def rows_for(viewer: Membership, offers: list[HelpOffer], visible_ids: set[int]) -> list[OfferRow]:
    rows = []
    for offer in offers:
        other = offer.helper if offer.owner_id == viewer.user_id else offer.owner
        rows.append(OfferRow(offer, offer.owner_id == viewer.user_id or offer.need_id in visible_ids,
                             other if _shows_contact(offer) else None))
    return rows


def offers_for_organizers(group_id: int, limit: int = 100) -> list[HelpOffer]:
    return list(db.session.scalars(
        select(HelpOffer).where(HelpOffer.group_id == group_id)
        .options(selectinload(HelpOffer.need), selectinload(HelpOffer.helper), selectinload(HelpOffer.owner))
        .order_by(HelpOffer.created_at.desc(), HelpOffer.id.desc()).limit(limit)))


# --- blocks ---------------------------------------------------------------------------------

def block(group_id: int, by: User | None, label: str, created_by: User) -> AskBlock:
    """`by` blocks the member `label` names from offering them help or introducing them; with
    `by` None, an organizer blocks the member from offering help or introducing anyone here."""
    target = member_from_label(group_id, label)
    if target is None:
        raise ActionRefused("Choose a member.")
    if by is not None and target.user_id == by.id:
        raise ActionRefused("Choose someone else.")
    user_id = by.id if by is not None else None
    existing = db.session.scalar(select(AskBlock).where(
        AskBlock.group_id == group_id, AskBlock.blocked_id == target.user_id,
        AskBlock.user_id.is_(None) if user_id is None else AskBlock.user_id == user_id))
    if existing is not None:
        return existing
    row = AskBlock(group_id=group_id, user_id=user_id, blocked_id=target.user_id, created_by_id=created_by.id)
    db.session.add(row)
    db.session.flush()
    return row


def unblock(group_id: int, block_id: int, *, user_id: int | None) -> None:
    """Removes a member's own block (`user_id`), or an organizer's (None)."""
    row = db.session.scalar(select(AskBlock).where(
        AskBlock.id == block_id, AskBlock.group_id == group_id,
        AskBlock.user_id.is_(None) if user_id is None else AskBlock.user_id == user_id))
    if row is None:
        raise ActionRefused("That block does not exist.")
    db.session.delete(row)
    db.session.flush()


def blocks_of(group_id: int, user_id: int | None) -> list[AskBlock]:
    return list(db.session.scalars(select(AskBlock).where(
        AskBlock.group_id == group_id,
        AskBlock.user_id.is_(None) if user_id is None else AskBlock.user_id == user_id)
        .options(selectinload(AskBlock.blocked)).order_by(AskBlock.created_at)))

