"""Domain events, so that one feature can react to another without importing it.

Each signal is sent by the service that makes the change, inside the action's transaction
and after its flush, so a receiver's writes (an outbox message, a released seat, a ledger
line) commit or roll back together with the change itself. Receivers take the sender plus
keyword arguments, must not commit, and must not raise for anything but a real failure.

    from organizer import signals

    @signals.pairing_published.connect
    def tell_attendees(run, *, event, previous, now, **_):
        ...

Receivers are connected once, in the app factory (`register_reactions`), never at import
time of a service.
"""

from dataclasses import dataclass, field
from typing import Any

from blinker import Namespace

_signals = Namespace()

# Events: sender is the Event.
event_opened = _signals.signal("event-opened")          # now=   a draft opens for RSVP (the announcement)
event_changed = _signals.signal("event-changed")        # now=   an organizer edited time, place or details
event_cancelled = _signals.signal("event-cancelled")    # now=
event_done = _signals.signal("event-done")              # now=

# RSVPs: sender is the Event.
waitlist_promoted = _signals.signal("waitlist-promoted")  # rsvps=[Rsvp], now=

# Pairing: sender is the PairingRun now published (or the Event, for unpublished).
pairing_published = _signals.signal("pairing-published")      # event=, previous=PairingRun|None, now=
pairing_unpublished = _signals.signal("pairing-unpublished")  # now=
# Before a solve, sender is the Event: what other features know (what earlier lunches taught)
# adjusts the problem. draft=ProblemDraft; a receiver replaces draft.problem and adds its notes
# for the review to draft.notes. Receivers only read.
pairing_problem_built = _signals.signal("pairing-problem-built")  # draft=

# Groups: sender is the Group.
member_left = _signals.signal("member-left")              # user_id=, removed=bool, now=
member_invited = _signals.signal("member-invited")        # invitation=GroupInvitation, now=
# An account the group created (a CSV import, a walk-in given an email at the door) that has no
# password: its owner is sent their own set-password link (the organizer never handles it).
account_created = _signals.signal("account-created")      # user=User, by=User|None, now=

# Help: sender is the HelpGiven line whose receiving side has just confirmed it ("it helped").
help_confirmed = _signals.signal("help-confirmed")        # now=
# After a lunch: sender is the LunchAnswer whose author has just written a note where there was none.
lunch_note_written = _signals.signal("lunch-note-written")  # now=


@dataclass
class ProblemDraft:
    """The solver's problem on its way to the solver (a ``matching.Problem``), with the notes the
    review shows about what changed it."""

    problem: Any
    notes: list[dict] = field(default_factory=list)
