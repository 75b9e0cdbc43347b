"""Introductions, double opt-in: a member proposes to introduce two people and says why; each
side accepts or declines; contact details are exchanged only when both said yes, and the
introducer is told the result.

The second side is a member of the group, or someone outside it named by the introducer. The
site never writes to an outside person: the introducer gets a ready-to-send text, asks them,
and records their answer; once both said yes, a second text carries the member's contact
details for the introducer to pass on.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from organizer.asks import outcomes
from organizer.asks.rules import (
    OPEN_STATUSES,
    REASON_MAX_LENGTH,
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
    HelpLink,
    Introduction,
    IntroductionState,
    LinkKind,
    Membership,
    User,
)

OUTSIDE_NAME_MAX = 120
OUTSIDE_CONTACT_MAX = 300


@dataclass
class IntroductionInput:
    first: str                    # a member, as typed ("Nadia Haddad (#12)")
    second: str = ""              # a member; or empty with an outside person below
    outside_name: str = ""
    outside_contact: str = ""
    reason: str = ""
    need_id: int | None = None


def propose(introducer: Membership, data: IntroductionInput, *, partner_ids: frozenset[int], now: datetime,
            per_day: int) -> Introduction:
    group_id = introducer.group_id
    first = member_from_label(group_id, data.first)
    if first is None:
        raise ActionRefused("Choose the member you introduce.")
    second = member_from_label(group_id, data.second) if data.second.strip() else None
    outside_name = " ".join(data.outside_name.split())
    if second is None and not outside_name:
        raise ActionRefused("Choose a second member, or name the person outside the group.")
    if second is not None and outside_name:
        raise ActionRefused("Introduce a member to another member, or to one person outside the group, not both.")
    people = {first.user_id, second.user_id if second else None} - {None}
    if introducer.user_id in people:
        raise ActionRefused("Introduce two other people: you already know yourself.")
    if second is not None and second.user_id == first.user_id:
        raise ActionRefused("Choose two different people.")
    if second is None:
        outside_name = clean_text(outside_name, OUTSIDE_NAME_MAX, "the outside person's name")
        outside_contact = clean_text(data.outside_contact, OUTSIDE_CONTACT_MAX,
                                     "how to reach the outside person (shared only when both say yes)")
    else:
        outside_contact = ""
    reason = clean_text(data.reason, REASON_MAX_LENGTH, "why these two should meet")
    need = None
    if data.need_id is not None:
        need = visible_need(introducer, data.need_id, partner_ids)
        if need is None or need.membership.user_id not in people:
            raise ActionRefused("That need is not one of theirs that you may see.")
        if need.status not in OPEN_STATUSES:
            raise ActionRefused("That need is already met.")
    if is_blocked(group_id, introducer.user_id, people):
        raise ActionRefused("You cannot introduce these people.")
    pending = select(Introduction.id).where(
        Introduction.group_id == group_id, Introduction.introducer_id == introducer.user_id,
        Introduction.state == IntroductionState.PENDING, Introduction.first_id == first.user_id,
        Introduction.second_id == second.user_id if second else Introduction.outside_name == outside_name)
    if db.session.scalar(pending) is not None:
        raise ActionRefused("You already proposed this introduction; it waits for their answers.")
    check_daily_limit(introducer.user_id, now, per_day)
    intro = Introduction(group_id=group_id, introducer_id=introducer.user_id, first_id=first.user_id,
                         second_id=second.user_id if second else None, outside_name=outside_name,
                         outside_contact=outside_contact, reason=reason, need_id=need.id if need else None,
                         created_at=now)
    db.session.add(intro)
    db.session.flush()
    for side in (first, second):
        if side is not None:
            other = second.user.name if side is first and second else (first.user.name if side is second
                                                                       else outside_name)
            outcomes.tell(side.user_id, introducer.group, "introduction-proposed",
                          f"{introducer.user.name} would like to introduce you to {other}",
                          f"{introducer.user.name} wrote: {reason}\n\nSay yes or no on your page; contact "
                          "details are shared only when both of you say yes.", key=f"introduction-{intro.id}",
                          introduction_id=intro.id, now=now)
    return intro


def introduction_in_group(group_id: int, introduction_id: int) -> Introduction | None:
    return db.session.scalar(select(Introduction).where(Introduction.id == introduction_id,
                                                        Introduction.group_id == group_id)
                             .options(selectinload(Introduction.first), selectinload(Introduction.second),
                                      selectinload(Introduction.introducer), selectinload(Introduction.need)))


def side_of(intro: Introduction, user_id: int) -> str | None:
    """"first" or "second" for the two people introduced; None for anyone else."""
    if intro.first_id == user_id:
        return "first"
    if intro.second_id is not None and intro.second_id == user_id:
        return "second"
    return None


def may_see(intro: Introduction, viewer: Membership) -> bool:
    return (viewer.is_organizer or intro.introducer_id == viewer.user_id
            or side_of(intro, viewer.user_id) is not None)


def answer(viewer: Membership, intro: Introduction, yes: bool, now: datetime) -> None:
    """A side's answer; the introducer answers for the person outside the group."""
    side = side_of(intro, viewer.user_id)
    if side is None and intro.is_outside and intro.introducer_id == viewer.user_id:
        side = "second"
    if side is None:
        raise ActionRefused("Only the people introduced answer an introduction.")
    if intro.state != IntroductionState.PENDING:
        raise ActionRefused("This introduction is closed already.")
    if getattr(intro, f"{side}_answer") != Answer.WAITING:
        raise ActionRefused("You answered already.")
    setattr(intro, f"{side}_answer", (Answer.YES if yes else Answer.NO).value)
    setattr(intro, f"{side}_answered_at", now)
    if not yes:
        intro.state = IntroductionState.DECLINED
        intro.decided_at = now
        _tell_result(intro, now, "declined")
    elif intro.first_answer == Answer.YES and intro.second_answer == Answer.YES:
        intro.state = IntroductionState.MADE
        intro.decided_at = now
        _confirmed_link(intro, now)
        _tell_result(intro, now, "made")
    db.session.flush()


def _tell_result(intro: Introduction, now: datetime, result: str) -> None:
    group = intro.group
    names = f"{intro.first.name} and {intro.second_name}"
    if result == "made":
        text = "Both said yes: you can see each other's contact details on the site."
        for user_id in (intro.first_id, intro.second_id):
            if user_id is not None:
                outcomes.tell(user_id, group, "introduction-made", f"Your introduction to "
                              f"{intro.second_name if user_id == intro.first_id else intro.first.name} is made",
                              text, key=f"introduction-{intro.id}", introduction_id=intro.id, now=now)
        outcomes.tell(intro.introducer_id, group, "introduction-made", f"{names} both said yes to your introduction",
                      "Thank you for connecting them.", key=f"introduction-{intro.id}",
                      introduction_id=intro.id, now=now)
    else:
        outcomes.tell(intro.introducer_id, group, "introduction-declined",
                      f"Your introduction of {names} will not go ahead",
                      "One of them said no thank you. Nothing was shared.", key=f"introduction-{intro.id}",
                      introduction_id=intro.id, now=now)


def _confirmed_link(intro: Introduction, now: datetime) -> None:
    """An introduction about a need, made between two members: the other side can help with it."""
    if intro.need is None or intro.second_id is None:
        return
    owner = intro.need.membership.user_id
    helper = intro.second_id if owner == intro.first_id else intro.first_id
    db.session.add(HelpLink(group_id=intro.group_id, kind=LinkKind.CONFIRMED.value, helper_id=helper,
                            helped_id=owner, need_id=intro.need_id, created_by_id=owner,
                            text=f"introduced by {intro.introducer.name}, and both said yes"[:160], created_at=now))


def helped(viewer: Membership, intro: Introduction, now: datetime, *, met: bool = False) -> None:
    """A member introduced says it helped: the introducer's ledger counts it (once per side)."""
    side = side_of(intro, viewer.user_id)
    if side is None:
        raise ActionRefused("Only the people introduced can say it helped.")
    if intro.state != IntroductionState.MADE:
        raise ActionRefused("The introduction is not made yet.")
    if getattr(intro, f"{side}_helped_at") is not None:
        raise ActionRefused("You said so already. Thank you.")
    setattr(intro, f"{side}_helped_at", now)
    group = viewer.group
    need = intro.need if intro.need is not None and intro.need.membership_id == viewer.id else None
    if met and need is not None and need.status in OPEN_STATUSES:
        other = intro.second_id if side == "first" else intro.first_id
        outcomes.mark_met(need, other if other is not None else intro.introducer_id, now,
                          f"introduced by {intro.introducer.name}")
    # Confirmed after the need is marked: the introducer's thank-you note (sent by the messages
    # feature on the ledger's help_confirmed signal) says whether it is met.
    outcomes.confirm_help(group, giver_id=intro.introducer_id, receiver_id=viewer.user_id, need=need,
                          source="introduction", source_id=intro.id, kind="introduction", now=now)
    db.session.flush()


def withdraw(viewer: Membership, intro: Introduction, now: datetime) -> None:
    if intro.introducer_id != viewer.user_id:
        raise ActionRefused("Only the introducer can withdraw it.")
    if intro.state != IntroductionState.PENDING:
        raise ActionRefused("This introduction is closed already.")
    intro.state = IntroductionState.WITHDRAWN
    intro.decided_at = now
    db.session.flush()


def remove_by_organizer(organizer: Membership, intro: Introduction, now: datetime) -> None:
    if not organizer.is_organizer or intro.group_id != organizer.group_id:
        raise ActionRefused("Only an organizer of the group can remove an introduction.")
    if intro.state == IntroductionState.REMOVED:
        raise ActionRefused("Removed already.")
    intro.state = IntroductionState.REMOVED
    intro.removed_by_id = organizer.user_id
    intro.decided_at = intro.decided_at or now
    db.session.flush()


def introductions_of(viewer: Membership, limit: int = 200) -> list[Introduction]:
    """The viewer's introductions in this group, as introducer or introduced (removed ones only
    to the introducer), newest first."""
    uid = viewer.user_id
    return list(db.session.scalars(
        select(Introduction).where(
            Introduction.group_id == viewer.group_id,
            or_(Introduction.introducer_id == uid,
                (Introduction.first_id == uid) & (Introduction.state != IntroductionState.REMOVED),
                (Introduction.second_id == uid) & (Introduction.state != IntroductionState.REMOVED)))
        .options(selectinload(Introduction.first), selectinload(Introduction.second),
                 selectinload(Introduction.introducer), selectinload(Introduction.need))
        .order_by(Introduction.created_at.desc(), Introduction.id.desc()).limit(limit)))


def introductions_for_organizers(group_id: int, limit: int = 100) -> list[Introduction]:
    return list(db.session.scalars(
        select(Introduction).where(Introduction.group_id == group_id)
        .options(selectinload(Introduction.first), selectinload(Introduction.second),
                 selectinload(Introduction.introducer))
        .order_by(Introduction.created_at.desc(), Introduction.id.desc()).limit(limit)))


def contacts_shown(intro: Introduction, viewer: Membership) -> list[tuple[str, str, str]]:
    """(name, email, how to reach) of the other side(s), only once both said yes, and only to
    the people introduced and the introducer (who passes on an outside person's)."""
    if intro.state != IntroductionState.MADE:
        return []
    side = side_of(intro, viewer.user_id)
    if side == "first":
        if intro.second is not None:
            return [_contact(intro.second)]
        return [(intro.outside_name, "", intro.outside_contact)]
    if side == "second":
        return [_contact(intro.first)]
    if intro.introducer_id == viewer.user_id and intro.is_outside:
        return [_contact(intro.first)]
    return []


def _contact(user: User) -> tuple[str, str, str]:
    return (user.name, user.reachable_email, user.contact)


def outside_texts(intro: Introduction, introducer_name: str) -> list[tuple[str, str]]:
    """For the introducer of an outside person: the ready-to-send texts (title, text)."""
    if not intro.is_outside:
        return []
    first = intro.first
    texts = [("Ask them first", f"Hi {intro.outside_name},\n\nI'd like to introduce you to {first.name}, "
              f"from a networking group I belong to. {intro.reason}\n\nWould you like me to connect you? "
              f"If you say yes, I'll pass on {first.name}'s details.\n\n{introducer_name}")]
    if intro.state == IntroductionState.MADE:
        name, email, reach = _contact(first)
        details = "\n".join(x for x in (email, reach) if x)
        texts.append(("Once both said yes: pass on the details",
                      f"Hi {intro.outside_name},\n\nThank you! Here is how to reach {name}:\n{details}\n\n"
                      f"{first.name} has your details too.\n\n{introducer_name}"))
    return texts
