"""Accounts: sign-up, passwords (argon2id), signed-in sessions and set-password links."""

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import bindparam, delete, func, select, update

from organizer.database import changed_rows
from organizer.errors import ActionRefused
from organizer.extensions import db
from organizer.models import SetPasswordToken, User, UserSession, utcnow

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 128

def dummy_hash(hasher: PasswordHasher) -> str:
    """A well-formed argon2id hash with the hasher's own parameters, a random salt and a random
    digest: verifying any password against it does a real hash's full work and fails. Built
    without hashing, so starting the app (every `flask` command) costs no argon2 run."""
    def random_b64(size: int) -> str:
        return base64.b64encode(secrets.token_bytes(size)).decode().rstrip("=")

    return (f"$argon2{hasher.type.name.lower()}$v=19$m={hasher.memory_cost},t={hasher.time_cost},p={hasher.parallelism}"
            f"${random_b64(hasher.salt_len)}${random_b64(hasher.hash_len)}")


_hasher = PasswordHasher()  # argon2id with the library's recommended parameters
_DUMMY_HASH = dummy_hash(_hasher)


def configure_password_hashing(profile_name: str) -> None:
    """Chooses argon2id parameters by argon2-cffi profile name (tests use the cheapest)."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher.from_parameters(getattr(profiles, profile_name))
    _DUMMY_HASH = dummy_hash(_hasher)


def normalize_email(email: str) -> str:
    return email.strip().lower()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    check_password_length(password)
    return _hasher.hash(password)


def check_password_length(password: str) -> None:
    if not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH:
        raise ActionRefused(
            f"A password has {PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters."
        )


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def create_user(name: str, email: str, password: str | None) -> User:
    """Adds a user to the session without committing (callers commit their whole action)."""
    email = normalize_email(email)
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise ActionRefused(f"Not a valid email address: {email} ({error}).") from None
    if not name.strip():
        raise ActionRefused("A name is required.")
    if user_by_email(email) is not None:
        raise ActionRefused("An account with this email already exists. Log in instead.")
    user = User(
        name=name.strip(),
        email=email,
        password_hash=hash_password(password) if password is not None else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def sign_up(name: str, email: str, password: str) -> tuple[User, str]:
    user = create_user(name, email, password)
    token = _new_session(user)
    db.session.flush()
    return user, token


def authenticate(email: str, password: str) -> User | None:
    user = user_by_email(email)
    if user is None or user.password_hash is None:
        _verify(_DUMMY_HASH, password)  # same work whether or not the account exists
        return None
    if not _verify(user.password_hash, password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class SessionLimits:
    """How long a signed-in browser lasts: at most `max_age` after logging in, and until it has
    been idle for `idle` (activity is written at most every `touch_every`)."""

    max_age: timedelta
    idle: timedelta
    touch_every: timedelta = timedelta(minutes=5)


def session_limits(config) -> SessionLimits:
    return SessionLimits(max_age=timedelta(hours=config["SESSION_MAX_AGE_HOURS"]),
                         idle=timedelta(hours=config["SESSION_IDLE_HOURS"]))


def log_in(user: User, limits: SessionLimits | None = None) -> str:
    if limits is not None:
        prune_sessions(utcnow(), limits)  # a login is a good moment to forget expired ones
    token = _new_session(user)
    db.session.flush()
    return token


def _new_session(user: User) -> str:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(UserSession(user=user, token_hash=hash_token(token), created_at=now, last_seen_at=now))
    return token


def _alive(now: datetime, limits: SessionLimits):
    return (UserSession.created_at > now - limits.max_age) & (UserSession.last_seen_at > now - limits.idle)


# Built once: every signed-in request runs it (building a statement costs as much as running it).
# organizer.access reads the member's groups with it (SESSION_USER: one statement for both).
SESSION_USER = _SESSION_USER = (
    select(User, UserSession.last_seen_at).join(UserSession, UserSession.user_id == User.id)
    .where(User.id == bindparam("user_id"), UserSession.token_hash == bindparam("token_hash"),
           UserSession.created_at > bindparam("born_after"), UserSession.last_seen_at > bindparam("seen_after")))


def session_user(user_id: str, token: str | None, limits: SessionLimits,
                 now: datetime | None = None) -> tuple[User, datetime] | None:
    """The user behind a cookie, only while its session row exists and has not expired, with the
    session's last activity: one statement, read once per request."""
    values = session_values(user_id, token, limits, now)
    if values is None:
        return None
    row = db.session.execute(_SESSION_USER, values).first()
    return None if row is None else (row[0], row[1])


def session_values(user_id: str, token: str | None, limits: SessionLimits,
                   now: datetime | None = None) -> dict | None:
    """The values SESSION_USER asks for (the same conditions as _alive), or None for a cookie
    that cannot name a session."""
    if not token or not user_id.isdigit():
        return None
    now = now or utcnow()
    return {"user_id": int(user_id), "token_hash": hash_token(token),
            "born_after": now - limits.max_age, "seen_after": now - limits.idle}


def needs_touch(last_seen: datetime, now: datetime, limits: SessionLimits) -> bool:
    return last_seen <= now - limits.touch_every


def session_needs_touch(token: str, now: datetime, limits: SessionLimits) -> bool:
    """True when the session is alive and its activity is older than `touch_every`."""
    last_seen = db.session.scalar(select(UserSession.last_seen_at).where(
        UserSession.token_hash == hash_token(token), _alive(now, limits)))
    return last_seen is not None and last_seen <= now - limits.touch_every


def touch_session(token: str, now: datetime) -> None:
    """Records activity on a session (the idle timeout counts from here)."""
    db.session.execute(update(UserSession).where(UserSession.token_hash == hash_token(token))
                       .values(last_seen_at=now))


def prune_sessions(now: datetime, limits: SessionLimits) -> int:
    """Deletes every expired session row (no commit). Returns how many."""
    return changed_rows(delete(UserSession).where(~_alive(now, limits)))


def log_out(token: str | None) -> None:
    if token:
        db.session.execute(delete(UserSession).where(UserSession.token_hash == hash_token(token)))


def change_password(user: User, current_password: str, new_password: str) -> str:
    """Ends every session of the user and returns a fresh one for this browser."""
    if user.password_hash is None or not _verify(user.password_hash, current_password):
        raise ActionRefused("The current password is not right.")
    user.password_hash = hash_password(new_password)
    void_set_password_links(user)
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    token = _new_session(user)
    db.session.flush()
    return token


def looked_after_by(user: User, group_id: int) -> bool:
    """The group created this account (CSV import or walk-in) and its owner has never had a
    password: only then may the group's organizers give out a link to set one. Nothing ever
    clears a password, so "none now" means "never had one"."""
    return user.created_by_group_id == group_id and user.password_hash is None and not user.is_lunch_guest


def void_set_password_links(user: User, now: datetime | None = None) -> int:
    """Spends every outstanding set-password link of the user (no commit)."""
    now = now or utcnow()
    links = list(db.session.scalars(select(SetPasswordToken).where(
        SetPasswordToken.user_id == user.id, SetPasswordToken.used_at.is_(None))))
    for link in links:
        link.used_at = now
    return len(links)


def issue_set_password_token(
    user: User, issued_by: User | None, valid_for: timedelta, now: datetime | None = None
) -> str:
    """Adds a one-time set-password token (not committed) and returns it in clear.
    Any older link of the same account stops working."""
    now = now or utcnow()
    void_set_password_links(user, now)
    token = secrets.token_urlsafe(32)
    db.session.add(
        SetPasswordToken(
            user=user,
            token_hash=hash_token(token),
            issued_by_id=issued_by.id if issued_by else None,
            created_at=now,
            expires_at=now + valid_for,
        )
    )
    return token


def valid_set_password_token(token: str, now: datetime | None = None) -> SetPasswordToken | None:
    now = now or utcnow()
    return db.session.scalar(
        select(SetPasswordToken).where(
            SetPasswordToken.token_hash == hash_token(token),
            SetPasswordToken.used_at.is_(None),
            SetPasswordToken.expires_at > now,
        )
    )


def set_password_with_token(token: str, new_password: str) -> tuple[User, str]:
    """Redeems a link: sets the password, spends every link of that user, ends their
    other sessions, and signs this browser in."""
    link = valid_set_password_token(token)
    if link is None:
        raise ActionRefused("This link has expired or was already used. Ask an organizer for a new one.")
    user = link.user
    user.password_hash = hash_password(new_password)
    void_set_password_links(user)
    db.session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    session_token = _new_session(user)
    db.session.flush()
    return user, session_token


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0
