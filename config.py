"""Settings, read from the environment.

Every setting has a default that serves `make run` on one machine: an SQLite file
and in-memory rate limits under `instance/`. A larger deployment sets
DATABASE_URL (PostgreSQL) and RATELIMIT_STORAGE_URI (Redis).
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("GIVEFIRST_INSTANCE_PATH", BASE_DIR / "instance"))


def database_url(url: str | None) -> str:
    """Normalise a DATABASE_URL so that PostgreSQL URLs use the psycopg 3 driver."""
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'givefirst.sqlite3'}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class Config:
    # "production" unless told otherwise: secure cookies are the default.
    ENVIRONMENT = os.environ.get("GIVEFIRST_ENV", "production")
    SECRET_KEY = os.environ.get("SECRET_KEY")  # None: generated once into instance/
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    # Failed logins on one email, from anywhere, past which every attempt on that email is
    # slowed down by LOGIN_SLOWDOWN_S (never refused: the right password still gets in).
    LOGIN_EMAIL_FAILURE_LIMIT = os.environ.get("LOGIN_EMAIL_FAILURE_LIMIT", "20 per 15 minutes")
    LOGIN_SLOWDOWN_S = float(os.environ.get("LOGIN_SLOWDOWN_S", "2"))
    # A signed-in browser lasts at most this long after logging in, and until idle this long.
    SESSION_MAX_AGE_HOURS = float(os.environ.get("SESSION_MAX_AGE_HOURS", str(24 * 14)))
    SESSION_IDLE_HOURS = float(os.environ.get("SESSION_IDLE_HOURS", str(24 * 3)))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = ENVIRONMENT != "development"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 24 * 14
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024      # uploads: a 2 MB CSV and its form
    MAX_FORM_MEMORY_SIZE = 4 * 1024 * 1024    # the import preview carries the file back
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

    # Number of reverse proxies in front of the app whose X-Forwarded-* to trust.
    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))
    # Pairing: how long the solver may take, and where it runs (REDIS_URL: an RQ worker).
    PAIRING_TIME_LIMIT_S = float(os.environ.get("PAIRING_TIME_LIMIT_S", "20"))
    # Address-space cap of the child process a web-process pairing job solves in.
    PAIRING_MEMORY_LIMIT_MB = int(os.environ.get("PAIRING_MEMORY_LIMIT_MB", "4096"))
    REDIS_URL = os.environ.get("REDIS_URL") or None
    # The print sheets' PDF is made in the background, where the pairings are (at most
    # SHEETS_WAIT_S seconds), and kept SHEETS_KEEP_MINUTES for its organizer to download.
    SHEETS_WAIT_S = float(os.environ.get("SHEETS_WAIT_S", "300"))
    SHEETS_KEEP_MINUTES = int(os.environ.get("SHEETS_KEEP_MINUTES", "30"))
    # argon2-cffi parameter profile for argon2id password hashes.
    PASSWORD_HASH_PROFILE = os.environ.get("PASSWORD_HASH_PROFILE", "RFC_9106_LOW_MEMORY")
    SET_PASSWORD_LINK_HOURS = int(os.environ.get("SET_PASSWORD_LINK_HOURS", "72"))
    # Where every absolute link points (calendar files, invites, set-password links); never
    # taken from the request's Host header.
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")
    # How many groups one account may create in 24 hours on the site (the command line is not limited).
    GROUPS_PER_DAY = int(os.environ.get("GROUPS_PER_DAY", "5"))
    # Offers of help and introductions one member may start in 24 hours.
    ASKS_PER_DAY = int(os.environ.get("ASKS_PER_DAY", "10"))

    # Email (Flask-Mailman reads these names). MAIL_SERVER unset: messages are kept on each
    # group's outbox page instead of sent (and printed to the console in development).
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = env_flag("MAIL_USE_TLS")
    MAIL_USE_SSL = env_flag("MAIL_USE_SSL")
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Give First <no-reply@localhost>")
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "30"))
    MAIL_BACKEND = "smtp"
    # The outbox: tries per message, the first back-off (then x4 each try), how long a
    # worker's claim lasts before another worker may take the message over.
    OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "6"))
    OUTBOX_RETRY_BASE_S = float(os.environ.get("OUTBOX_RETRY_BASE_S", "60"))
    OUTBOX_CLAIM_S = float(os.environ.get("OUTBOX_CLAIM_S", "300"))
    # Deliver in a thread of the web process after each commit that queued mail (or an RQ job
    # with REDIS_URL); that thread also queues the reminders and digests every OUTBOX_TICK_S.
    OUTBOX_AUTOSEND = env_flag("OUTBOX_AUTOSEND", True)
    OUTBOX_TICK_S = float(os.environ.get("OUTBOX_TICK_S", "60"))
    MESSAGES_PER_DAY = int(os.environ.get("MESSAGES_PER_DAY", "10"))
    EVENT_REMINDER_HOURS = float(os.environ.get("EVENT_REMINDER_HOURS", "24"))
    INVITATION_LINK_DAYS = int(os.environ.get("INVITATION_LINK_DAYS", "14"))
    PASSWORD_RESET_LINK_MINUTES = int(os.environ.get("PASSWORD_RESET_LINK_MINUTES", "60"))
    PASSWORD_RESETS_PER_HOUR = int(os.environ.get("PASSWORD_RESETS_PER_HOUR", "3"))


class TestConfig(Config):
    TESTING = True
    ENVIRONMENT = "test"
    SECRET_KEY = "test-secret-key-not-for-production"
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL") or "sqlite://")
    RATELIMIT_STORAGE_URI = "memory://"
    PASSWORD_HASH_PROFILE = "CHEAPEST"  # still argon2id, just fast
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    BASE_URL = "http://localhost"
    REDIS_URL = None
    PAIRING_TIME_LIMIT_S = 10.0
    LOGIN_SLOWDOWN_S = 0.01  # still exercised, without making the suite wait
    MAIL_SERVER = None     # a test that sends starts its own SMTP server and sets it
    MAIL_TIMEOUT = 5.0
    OUTBOX_AUTOSEND = False  # tests deliver when they choose (deliver_due), no stray threads
