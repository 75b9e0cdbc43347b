"""Every kind of message the site sends, in one place, with what a member may choose.

A kind that is not `optional` (security messages: a password reset) is always sent and
never listed on the preferences page; an optional one is sent unless the member turned it
off for that group (`default_on` when they never chose). `capped` kinds count toward the
daily limit per member (MESSAGES_PER_DAY); a message past the limit is not queued.

Other features add their kinds here (one line each) and send through
organizer.messages.service.queue_message.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    name: str
    label: str            # on the preferences page and in the unsubscribe confirmation
    default_on: bool = True
    optional: bool = True  # False: security, cannot be turned off (nor unsubscribed)
    capped: bool = True    # counts toward the daily limit per member


ACCOUNT_RECOVERY = "account_recovery"      # a password reset link, asked for on "Forgot your password?"
INVITATION = "invitation"                 # to join a group (an address, or an existing account)
WELCOME = "welcome"                       # an account a group created (import, walk-in): its own set-password link
EVENT_ANNOUNCEMENT = "event_announcement"
EVENT_UPDATE = "event_update"             # a lunch's time, place or details changed, or it is cancelled
EVENT_REMINDER = "event_reminder"
WAITLIST_PROMOTED = "waitlist_promoted"
PARTNER_READY = "partner_ready"           # the pairs are published: your partner, table, what to ask
TABLE_CHANGED = "table_changed"           # a new version of the published pairs moved you
WEEKLY_DIGEST = "weekly_digest"           # this week's open needs members may see
AFTER_LUNCH_FOLLOWUP = "after_lunch_followup"  # after a lunch: who you met, "did it help?"
THANK_YOU_NOTE = "thank_you_note"              # someone confirmed that your help helped (lunch, offer, introduction)
BETWEEN_LUNCHES = "between_lunches"            # offers of help on my needs, introductions, their answers (issue 14)

KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind(ACCOUNT_RECOVERY, "Password reset links", optional=False, capped=False),
    Kind(INVITATION, "Invitations to join this group", capped=False),
    # The only way into an account a group created: like a reset link, it cannot be turned off.
    Kind(WELCOME, "Welcome, with the link to choose my password", optional=False, capped=False),
    Kind(EVENT_ANNOUNCEMENT, "New lunches (with RSVP buttons and the calendar file)"),
    Kind(EVENT_UPDATE, "Changes to a lunch I was told about, and cancellations"),
    Kind(EVENT_REMINDER, "A reminder before a lunch I said yes to"),
    Kind(WAITLIST_PROMOTED, "I moved up from a waitlist"),
    Kind(PARTNER_READY, "My lunch partner is ready (the pairs are published)"),
    Kind(TABLE_CHANGED, "My table changed"),
    Kind(WEEKLY_DIGEST, "Weekly digest: this week's asks in the group", default_on=False),
    Kind(AFTER_LUNCH_FOLLOWUP, "After a lunch: did it help?"),
    Kind(THANK_YOU_NOTE, "Thank-you notes from people I helped"),
    Kind(BETWEEN_LUNCHES, "Offers of help on my needs, introductions, and their answers"),
)}


def kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"unknown message kind {name!r}: register it in organizer/messages/kinds.py") from None


def choosable() -> list[Kind]:
    """The kinds a member may turn on or off (the preferences page)."""
    return [k for k in KINDS.values() if k.optional]
