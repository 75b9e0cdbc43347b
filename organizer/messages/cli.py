"""Flask commands of the messages feature (registered by organizer.cli)."""

import time

import click
from flask import current_app
from sqlalchemy import select

from organizer.extensions import db
from organizer.messages import delivery, periodic, service
from organizer.models import Group, utcnow
from organizer.timezones import SORTABLE, local_time


@click.command("send-outbox")
@click.option("--once", is_flag=True, help="Send what is due now and exit (for cron).")
def send_outbox_command(once: bool) -> None:
    """Deliver the queued messages (and queue the reminders and digests that are due).

    Without --once it keeps running as a worker, waking every OUTBOX_TICK_S seconds or when
    the next retry is due. Several may run at once: each message is claimed by one."""
    where = (f"{current_app.config['MAIL_SERVER']}:{current_app.config['MAIL_PORT']}"
             if delivery.mail_configured() else "no MAIL_SERVER: kept for the outbox page")
    if not once:
        click.echo(f"Delivering the outbox ({where}); Ctrl+C to stop.")
    while True:
        done = periodic.run_once()
        if once or done.total:
            click.echo(f"sent {done.sent}, kept {done.kept}, to retry {done.retried}, failed {done.failed}"
                       + ("" if not once else f" ({where})"))
        if once:
            return
        tick = current_app.config["OUTBOX_TICK_S"]
        next_due = delivery.next_due_at()
        db.session.remove()
        wait = tick if next_due is None else min(tick, max((next_due - utcnow()).total_seconds(), 0.5))
        time.sleep(wait)


@click.command("outbox")
@click.argument("group_slug")
@click.option("--failed", is_flag=True, help="Only the messages that failed after their last try.")
def outbox_command(group_slug: str, failed: bool) -> None:
    """List GROUP_SLUG's messages, newest first (times in the group's zone)."""
    group = db.session.scalar(select(Group).where(Group.slug == group_slug))
    if group is None:
        raise click.ClickException(f"No group with the slug {group_slug!r}.")
    messages = list(db.session.scalars(service.outbox_query(group.id, failed)))
    if not messages:
        click.echo("No failed messages." if failed else "No messages.")
        return
    for m in messages:
        when = local_time(m.created_at, group.time_zone, SORTABLE)
        line = f"{when}  {m.status:<9} tries {m.attempts}  {m.kind:<20} {m.to_email:<30} {m.subject}"
        click.echo(line)
        if m.last_error and m.status != "sent":
            click.echo(f"    error: {m.last_error}")


commands = [send_outbox_command, outbox_command]
