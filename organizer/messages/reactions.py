"""The receivers that turn domain events (organizer.signals) into outbox messages, in the
transaction of the change itself: the message exists if and only if the change committed.
Connected once by the app factory (register)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from blinker import NamedSignal

from organizer import signals
from organizer.messages import after_lunch, invitations, notices


def on_event_opened(event, *, now, **_):
    notices.announce_event(event, now)


def on_event_changed(event, *, now, **_):
    notices.tell_event_changed(event, now)


def on_event_cancelled(event, *, now, **_):
    notices.tell_event_cancelled(event, now)


def on_waitlist_promoted(event, *, rsvps, now, **_):
    notices.tell_promoted(event, rsvps, now)


def on_pairing_published(run, *, event, previous, now, **_):
    notices.tell_pairs_published(run, event, previous, now)


def on_member_invited(group, *, invitation, now, **_):
    notices.tell_invited(group, invitation, now)


def on_event_done(event, *, now, **_):
    after_lunch.tell_after_lunch(event, now)


def on_help_confirmed(line, *, now, **_):
    after_lunch.tell_thanked(line, now)


def on_lunch_note_written(answer, *, now, **_):
    after_lunch.tell_note(answer, now)


def on_account_created(group, *, user, by, now, **_):
    invitations.welcome(group, user, by, now)


def on_member_left(group, *, user_id, **_):
    notices.forget_queued_for(group.id, user_id)


RECEIVERS: list[tuple[NamedSignal, Callable[..., Any]]] = [
    (signals.event_opened, on_event_opened),
    (signals.event_changed, on_event_changed),
    (signals.event_cancelled, on_event_cancelled),
    (signals.waitlist_promoted, on_waitlist_promoted),
    (signals.pairing_published, on_pairing_published),
    (signals.member_invited, on_member_invited),
    (signals.event_done, on_event_done),
    (signals.help_confirmed, on_help_confirmed),
    (signals.lunch_note_written, on_lunch_note_written),
    (signals.account_created, on_account_created),
    (signals.member_left, on_member_left),
]


def register() -> None:
    """Connects the receivers (strong references: they live as long as the process)."""
    for signal, receiver in RECEIVERS:
        signal.connect(receiver, weak=False)
