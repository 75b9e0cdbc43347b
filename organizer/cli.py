"""Flask commands: `flask --app app COMMAND`."""

from datetime import timedelta

import click
from flask import Flask, current_app

from organizer.auth.service import count_users, create_user, issue_set_password_token, user_by_email
from organizer.cli_helpers import external_url
from organizer.database import transaction
from organizer.demo import DEMO_PASSWORD, DEMO_SLUG, demo_logins, seed_demo
from organizer.errors import ActionRefused
from organizer.extensions import db
from organizer.groups.service import create_group
from organizer.timezones import time_zone_names


def register(app: Flask) -> None:
    from organizer.asks.cli import commands as asks_commands
    from organizer.auth.cli import commands as auth_commands
    from organizer.events.cli import commands as event_commands
    from organizer.members.cli import commands as member_commands
    from organizer.messages.cli import commands as message_commands
    from organizer.outcomes.cli import commands as outcomes_commands
    from organizer.pairing.cli import commands as pairing_commands

    for command in [seed_demo_command, create_group_command, *member_commands, *event_commands,
                    *pairing_commands, *auth_commands, *outcomes_commands, *message_commands, *asks_commands]:
        app.cli.add_command(command)


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
@click.option("--force", is_flag=True, help="Load it even outside development (GIVEFIRST_ENV).")
def seed_demo_command(if_empty: bool, force: bool) -> None:
    """Create the demo group with an organizer and twenty members, and print their logins."""
    environment = current_app.config["ENVIRONMENT"]
    if environment != "development" and not force:
        # Every demo account shares a password printed in the README: never on a real site by accident.
        raise click.ClickException(
            f"seed-demo creates accounts whose password is published, so it runs only in development "
            f"(GIVEFIRST_ENV=development; this is '{environment}'). Add --force to load it anyway.")
    with transaction():
        if not (if_empty and count_users() > 0):
            seed_demo()
        logins = demo_logins()
    if logins is None:
        click.echo("The database already has data; demo data not loaded.")
        return
    click.echo(f"Demo group: {external_url('groups.detail', slug=DEMO_SLUG)}")
    click.echo(f"Every demo account's password: {DEMO_PASSWORD}")
    for login in logins:
        click.echo(f"  {login.role:<9}  {login.email:<24}  {login.name}")


@click.command("create-group")
@click.argument("slug")
@click.argument("name")
@click.option("--organizer-email", required=True, help="The organizer's email; the account is created if missing.")
@click.option("--organizer-name", default=None, help="The organizer's name, for a new account.")
@click.option("--time-zone", default="America/Toronto", show_default=True, type=click.Choice(time_zone_names(), case_sensitive=False), metavar="ZONE")
@click.option("--link-hours", default=72, show_default=True, type=click.IntRange(1, 24 * 30))
def create_group_command(slug, name, organizer_email, organizer_name, time_zone, link_hours) -> None:
    """Create group SLUG called NAME with its organizer, printing a set-password link if the account is new."""
    try:
        with transaction():
            organizer = user_by_email(organizer_email)
            token = None
            if organizer is None:
                display = organizer_name or organizer_email.split("@")[0]
                organizer = create_user(display, organizer_email, None)
                token = issue_set_password_token(organizer, None, timedelta(hours=link_hours))
            group = create_group(organizer, name, time_zone, slug=slug)
            db.session.flush()
            if token:
                organizer.created_by_group_id = group.id
    except ActionRefused as refusal:
        raise click.ClickException(str(refusal)) from None
    click.echo(f"Created group {group.name} ({group.slug}) with organizer {organizer.email}.")
    click.echo(f"Invite link: {external_url('groups.join', code=group.invite_code)}")
    if token:
        click.echo(
            f"Set-password link for {organizer.email} (one use, {link_hours} hours): "
            f"{external_url('auth.set_password', token=token)}"
        )
