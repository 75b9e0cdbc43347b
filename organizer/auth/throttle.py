"""Login throttling that cannot be turned against an account's owner (issue 9, defect 5).

Refusing every login to an email after N failures lets anyone lock its owner out from a few
addresses. Instead:
- per address, every attempt counts (LOGIN_RATE_LIMIT; the view's limiter decorator);
- per address and email, failures count (the same limit): one address guessing one account
  is refused;
- per email, failures from anywhere only slow every attempt on that email down
  (LOGIN_SLOWDOWN_S once past LOGIN_EMAIL_FAILURE_LIMIT); the right password still gets in.
Counts live in the rate limiter's storage (memory, or Redis when several processes serve).
"""

import time

from flask import current_app
from limits import parse

from organizer.extensions import limiter

NAMESPACE = "login-email-failures"


def _limit():
    return parse(current_app.config["LOGIN_EMAIL_FAILURE_LIMIT"])


def email_under_attack(email: str) -> bool:
    """More failures on this email than LOGIN_EMAIL_FAILURE_LIMIT allows, from any address."""
    return bool(email) and not limiter.limiter.test(_limit(), NAMESPACE, email)


def slow_down_if_under_attack(email: str) -> bool:
    """Waits LOGIN_SLOWDOWN_S when the email is under attack; returns whether it waited."""
    if not email_under_attack(email):
        return False
    time.sleep(current_app.config["LOGIN_SLOWDOWN_S"])
    return True


def record_failure(email: str) -> None:
    if email:
        limiter.limiter.hit(_limit(), NAMESPACE, email)
