"""Invitations by email, welcomes and password resets: the messages whose link is a credential.

* An organizer types one or many addresses. An address with an account gets the invitation
  of the security rules (organizer.groups.memberships.invite_to_group: the owner accepts on
  their groups page, after logging in). Any other address gets a one-time, expiring join
  link; whoever opens it signs up (or logs in) and joins with one click. The organizer's
  page reads the same either way: it never says which addresses have an account.
* An account a group created (a CSV import, a walk-in given an email at the door) is welcomed
  at its own address with a one-time, expiring set-password link naming the group
  (``welcome``, on the ``account_created`` signal). Organizers never see the link: they may
  only have it sent again (``send_welcome_again``) while the account has never had a password.
* "Forgot your password?" sends a one-time, expiring set-password link to the address itself,
  at most PASSWORD_RESETS_PER_HOUR per account, and answers the same for any address, after
  the same work (a token made and hashed, the message rendered) whether or not it is sent.

Everything here adds and flushes; the caller commits.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import func, select

from organizer.auth.service import (
    hash_token,
    issue_set_password_token,
    looked_after_by,
    normalize_email,
    user_by_email,
)
from organizer.errors import ActionRefused
from organizer.extensions import db
from organizer.groups.memberships import add_member, invite_to_group
from organizer.messages import kinds
from organizer.messages.service import queue_message, queue_to_address, render_email
from organizer.models import EmailInvitation, Group, Membership, Message, User
from organizer.timezones import local_time
from organizer.urls import external_url

MAX_ADDRESSES = 100
_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass
class InviteResult:
    sent: int = 0                       # addresses invited (with or without an account)
    invalid: list[str] = field(default_factory=list)


def parse_addresses(text: str) -> tuple[list[str], list[str]]:
    """(valid addresses, lower case and without repeats; what is not an address)."""
    valid, invalid = [], []
    for item in _SEPARATORS.split(text or ""):
        item = item.strip().strip("<>")
        if not item:
            continue
        try:
            address = normalize_email(validate_email(item, check_deliverability=False).normalized)
        except EmailNotValidError:
            invalid.append(item[:80])
            continue
        if address not in valid:
            valid.append(address)
    return valid, invalid


def invite_by_email(group: Group, text: str, inviter: User, now: datetime) -> InviteResult:
    addresses, invalid = parse_addresses(text)
    if not addresses and not invalid:
        raise ActionRefused("Type at least one email address.")
    if len(addresses) > MAX_ADDRESSES:
        raise ActionRefused(f"At most {MAX_ADDRESSES} addresses at a time; this list has {len(addresses)}.")
    result = InviteResult(invalid=invalid)
    # The accounts and memberships of the whole list in two statements (parse_addresses normalised them).
    users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(addresses)))}
    members = set(db.session.scalars(select(Membership.user_id).where(
        Membership.group_id == group.id, Membership.user_id.in_([u.id for u in users.values()]))))
    for address in addresses:
        user = users.get(address)
        if user is not None:
            if not user.is_lunch_guest and user.id not in members:
                invite_to_group(group, user, inviter.id, via="email", now=now)  # its signal sends the email
        else:
            _invite_address(group, address, inviter, now)
        result.sent += 1
    return result


def _invite_address(group: Group, address: str, inviter: User, now: datetime) -> None:
    days = current_app.config["INVITATION_LINK_DAYS"]
    # One invitation a day per address and group, whatever the organizers type again.
    dedupe_key = f"join:{group.id}:{address}:{now:%Y%m%d}"
    if db.session.scalar(select(Message.id).where(Message.dedupe_key == dedupe_key)) is not None:
        return
    token = secrets.token_urlsafe(32)
    db.session.add(EmailInvitation(group_id=group.id, email=address, token_hash=hash_token(token),
                                   invited_by_id=inviter.id, created_at=now, expires_at=now + timedelta(days=days)))
    db.session.flush()
    expires = local_time(now + timedelta(days=days), group.time_zone, "%d %B %Y")
    queue_to_address(kinds.INVITATION, address, group, f"{inviter.name} invites you to join {group.name}",
                     "invitation_new", {"inviter": inviter, "expires": expires,
                                        "join_url": external_url("messages.join", join_token=token)},
                     dedupe_key=dedupe_key, now=now)


def valid_invitation(token: str, now: datetime) -> EmailInvitation | None:
    return db.session.scalar(select(EmailInvitation).where(
        EmailInvitation.token_hash == hash_token(token), EmailInvitation.accepted_at.is_(None),
        EmailInvitation.expires_at > now))


def accept_invitation(token: str, user: User, now: datetime) -> Group:
    """The holder of the link joins (one use). No commit."""
    invitation = valid_invitation(token, now)
    if invitation is None:
        raise ActionRefused("This invitation has expired or was already used. Ask the organizer for a new one.")
    add_member(invitation.group, user)
    invitation.accepted_at, invitation.accepted_by_id = now, user.id
    db.session.flush()
    return invitation.group


# --- welcome: an account a group created ------------------------------------------------------

def welcome(group: Group, user: User, by: User | None, now: datetime) -> bool:
    """Sends the owner of an account the group created (import, walk-in) their own set-password
    link (one use, SET_PASSWORD_LINK_HOURS), naming the group. Any older link of theirs stops
    working. Nothing for an account with a password or a lunch's stand-in. No commit."""
    if user.password_hash is not None or user.is_lunch_guest:
        return False
    hours = current_app.config["SET_PASSWORD_LINK_HOURS"]
    token = issue_set_password_token(user, by, timedelta(hours=hours), now)
    expires = local_time(now + timedelta(hours=hours), group.time_zone, "%d %B %Y, %H:%M %Z")
    return queue_message(
        kinds.WELCOME, user, group, f"Welcome to {group.name} on Give First: choose your password", "welcome",
        {"organizer": by, "set_password_url": external_url("auth.set_password", token=token), "hours": hours,
         "expires": expires, "group_url": external_url("groups.detail", slug=group.slug)},
        dedupe_key=f"welcome:{group.id}:{user.id}:{now.isoformat()}", now=now) is not None


def welcomes_lately(user_id: int, now: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(Message).where(
        Message.user_id == user_id, Message.kind == kinds.WELCOME,
        Message.created_at > now - timedelta(hours=1))) or 0


def send_welcome_again(target: Membership, by: User, now: datetime) -> None:
    """An organizer has the welcome sent again (a new link; the older one stops working), only
    for an account their group created whose owner has never had a password, at most
    PASSWORD_RESETS_PER_HOUR an hour. The link goes to the owner's address, never to the
    organizer. No commit."""
    if not looked_after_by(target.user, target.group_id):
        raise ActionRefused(
            f"{target.user.name} has set a password, or their account was not created by this group: "
            "only its owner can change it. If they forgot it, they use \"Forgot your password?\" on the log-in page.")
    if welcomes_lately(target.user_id, now) >= current_app.config["PASSWORD_RESETS_PER_HOUR"]:
        raise ActionRefused(f"A link went to {target.user.name} less than an hour ago. Ask them to look in their "
                            "inbox (and spam folder) before sending another.")
    welcome(target.group, target.user, by, now)


# --- "Forgot your password?" -----------------------------------------------------------------

def send_password_reset(email: str, now: datetime) -> None:
    """A reset link to the address, when it is an account's and the account has not had
    PASSWORD_RESETS_PER_HOUR in the last hour; nothing otherwise. The caller answers the
    same in every case, and every case does the same work before it (the account looked up,
    the recent resets counted, a token made and hashed, the message rendered), so the answer
    takes about as long whether or not the address has an account. No commit."""
    user = user_by_email(email)
    usable = user is not None and not user.is_lunch_guest
    recent = db.session.scalar(select(func.count()).select_from(Message).where(
        Message.user_id == (user.id if usable and user is not None else -1), Message.kind == kinds.ACCOUNT_RECOVERY,
        Message.created_at > now - timedelta(hours=1))) or 0
    minutes = current_app.config["PASSWORD_RESET_LINK_MINUTES"]
    if not usable or user is None or recent >= current_app.config["PASSWORD_RESETS_PER_HOUR"]:
        _reset_work_without_sending(minutes)
        return
    token = issue_set_password_token(user, None, timedelta(minutes=minutes), now)
    queue_message(kinds.ACCOUNT_RECOVERY, user, None, "Reset your Give First password", "password_reset",
                  {"reset_url": external_url("auth.set_password", token=token), "minutes": minutes},
                  dedupe_key=f"reset:{user.id}:{now.isoformat()}", now=now)


def _reset_work_without_sending(minutes: int) -> None:
    """What sending a reset costs, done for nothing: a token made and hashed, both parts of the
    message rendered. Saves nothing."""
    hash_token(secrets.token_urlsafe(32))
    values = {"recipient": None, "recipient_name": "", "group": None, "link": external_url, "unsubscribe_url": None,
              "preferences_url": None, "kind": kinds.kind(kinds.ACCOUNT_RECOVERY), "minutes": minutes,
              "reset_url": external_url("auth.set_password", token=secrets.token_urlsafe(32))}
    render_email("email/password_reset.txt", values)
    render_email("email/password_reset.html", values)
