"""Flask commands of between-lunch help (registered by organizer.cli)."""

import click

from organizer.asks import service
from organizer.database import transaction
from organizer.models import utcnow


@click.command("asks-follow-ups")
def follow_ups_command() -> None:
    """Asks each member whose accepted help is three weeks old, with the need still open,
    whether it worked out (once per offer of help; for a daily cron job). The question is on
    their page in any case."""
    with transaction():
        count = service.send_follow_ups(utcnow())
    click.echo(f"{count} follow-up{'s' if count != 1 else ''} sent.")


commands = [follow_ups_command]
