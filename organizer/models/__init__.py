"""Typed SQLAlchemy 2.0 models, one module per area; import them from here."""

from organizer.models.accounts import SetPasswordToken, User, UserSession
from organizer.models.base import UTCDateTime, utcnow
from organizer.models.events import Event, EventStatus, Rsvp, RsvpState
from organizer.models.groups import Group, GroupInvitation, InvitationState, Membership, Role
from organizer.models.help import HelpLink, HelpTerm, LinkKind
from organizer.models.members import (
    DoNotPair,
    Need,
    NeedStatus,
    Offer,
    OfferKind,
    Priority,
    Tag,
    Visibility,
    need_tags,
    offer_tags,
)
from organizer.models.messages import EmailInvitation, Message, MessagePreference, MessageStatus
from organizer.models.outcomes import (
    GaveKind,
    Helped,
    HelpGiven,
    HelpSource,
    LunchAnswer,
    NeedChange,
    OutcomeRules,
    lunch_answer_needs,
)
from organizer.models.pairing import AttendeeSource, PairingRun, PairingSeat, PairingTable, RunStatus

__all__ = [
    "AttendeeSource",
    "PairingRun",
    "PairingSeat",
    "PairingTable",
    "RunStatus",
    "DoNotPair",
    "EmailInvitation",
    "Event",
    "EventStatus",
    "Group",
    "GroupInvitation",
    "InvitationState",
    "HelpLink",
    "HelpTerm",
    "LinkKind",
    "Membership",
    "Message",
    "MessagePreference",
    "MessageStatus",
    "Need",
    "NeedStatus",
    "Offer",
    "OfferKind",
    "Priority",
    "Role",
    "Rsvp",
    "RsvpState",
    "SetPasswordToken",
    "Tag",
    "UTCDateTime",
    "User",
    "UserSession",
    "Visibility",
    "need_tags",
    "offer_tags",
    "utcnow",
    "GaveKind",
    "Helped",
    "HelpGiven",
    "HelpSource",
    "LunchAnswer",
    "NeedChange",
    "OutcomeRules",
    "lunch_answer_needs",
]
