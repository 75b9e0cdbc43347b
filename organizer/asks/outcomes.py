"""Where between-lunch help meets the rest of the site: a need marked met and the give-first
ledger (the after-the-lunch feature's `outcomes.service`), and messages to the people
concerned. Kept in one place so that the asks feature talks to those features through one
narrow door."""

from datetime import datetime

from organizer.extensions import db
from organizer.messages import kinds
from organizer.messages.service import queue_message
from organizer.models import Group, Need, NeedStatus, User
from organizer.outcomes import service as ledger
from organizer.urls import external_url


def mark_met(need: Need, helper_id: int | None, now: datetime, note: str = "") -> None:
    """The need is met, helped by this member: its history keeps the line (no commit)."""
    ledger.mark_need(need, NeedStatus.MET, helper_id, now, note)


def confirm_help(group: Group, *, giver_id: int, receiver_id: int, need: Need | None, source: str, source_id: int,
                 kind: str, now: datetime) -> None:
    """The receiver confirmed the help (source "offer" or "introduction", source_id that row's
    id): the giver's ledger counts it."""
    ledger.record_help(group.id, giver_id, receiver_id, source=source, source_id=source_id, what=kind, now=now,
                       need_id=need.id if need is not None else None, confirmed=True)


def ledger_counts(group_id: int, user_id: int) -> ledger.LedgerCounts:
    return ledger.ledger_counts(group_id, user_id)


def tell(user_id: int, group: Group, event: str, subject: str, body: str, *, key: str, now: datetime,
         introduction_id: int | None = None) -> None:
    """A message to a member about an offer of help (`key` "offer-ID") or an introduction
    ("introduction-ID", linking to its page). Sent once per (event, key, member). Everything
    it says is also on the member's pages, and goes by email as the member chose (the
    messages feature: preferences, unsubscribe and the daily cap apply)."""
    user = db.session.get(User, user_id)
    if user is None:
        return
    page_url = (external_url("asks.introduction", slug=group.slug, introduction_id=introduction_id)
                if introduction_id is not None else external_url("asks.mine", slug=group.slug))
    queue_message(kinds.BETWEEN_LUNCHES, user, group, subject, "asks_notice",
                  {"subject": subject, "body": body, "page_url": page_url},
                  dedupe_key=f"asks:{event}:{key}:{user_id}", now=now)
