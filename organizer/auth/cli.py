"""Flask commands of the accounts feature (registered by organizer.cli): the site operator's tools."""

from datetime import timedelta

import click
from flask import current_app

from organizer.auth.service import issue_set_password_token, prune_sessions, session_limits, user_by_email
from organizer.cli_helpers import external_url
from organizer.database import transaction
from organizer.models import utcnow


@click.command("set-password-link")
@click.argument("email")
@click.option("--link-hours", default=24, show_default=True, type=click.IntRange(1, 24 * 30))
def set_password_link_command(email: str, link_hours: int) -> None:
    """Print a one-time set-password link for EMAIL's account (recovery by the site's operator:
    send it to that address only). Older links of the account stop working."""
    with transaction():
        user = user_by_email(email)
        if user is None or user.is_lunch_guest:
            raise click.ClickException(f"No account with the email {email}.")
        token = issue_set_password_token(user, None, timedelta(hours=link_hours))
    click.echo(f"Set-password link for {user.email} (one use, {link_hours} hours): "
               f"{external_url('auth.set_password', token=token)}")


@click.command("prune-sessions")
def prune_sessions_command() -> None:
    """Delete signed-in sessions past their lifetime or idle timeout (logins also do this)."""
    with transaction():
        count = prune_sessions(utcnow(), session_limits(current_app.config))
    click.echo(f"Deleted {count} expired session(s).")


commands = [set_password_link_command, prune_sessions_command]
