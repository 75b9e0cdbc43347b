"""Flask commands of the members feature (registered by organizer.cli)."""

import sys

import click
from flask import current_app

from organizer.database import transaction
from organizer.groups.service import group_by_slug
from organizer.members import roster
from organizer.models import utcnow


def _group_or_fail(slug: str):
    group = group_by_slug(slug)
    if group is None:
        raise click.ClickException(f"No group with the short name '{slug}'.")
    return group


@click.command("import-members")
@click.argument("group_slug")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--dry-run", is_flag=True, help="Check the file and report; save nothing.")
def import_members_command(group_slug: str, file: str, dry_run: bool) -> None:
    """Import members into GROUP_SLUG from FILE.csv (see the README for the format)."""
    try:
        if file == "-":
            data = sys.stdin.buffer.read(roster.MAX_BYTES + 1)
        else:
            with open(file, "rb") as handle:
                data = handle.read(roster.MAX_BYTES + 1)
    except OSError as error:
        raise click.ClickException(f"Cannot read {file}: {error.strerror}.") from None
    with transaction():  # opened before reading the group: the plan is checked and applied in it
        result = _import(_group_or_fail(group_slug), data, file, dry_run)
    if result is None:
        return
    hours = current_app.config["SET_PASSWORD_LINK_HOURS"]
    click.echo(f"Imported. {len(result.created)} created, {len(result.invited)} invited, "
               f"{len(result.updated)} updated, {len(result.unchanged)} unchanged.")
    for user in result.created:
        # The link is a credential of the new account: it goes to its owner's address only.
        click.echo(f"  {user.email}  new account: welcome email with their own set-password link "
                   f"(one use, {hours} hours) queued")
    for user in result.invited:
        click.echo(f"  {user.email}  exists: invited, profile left as the owner wrote it")
    if result.created:
        click.echo("The welcome emails leave with the next `flask --app app send-outbox` "
                   "(or the web process's delivery, while it runs).")


def _import(group, data: bytes, file: str, dry_run: bool) -> roster.ImportResult | None:
    try:
        plan = roster.preview(group, roster.parse(data))
    except roster.ImportRejected as rejection:
        raise click.ClickException(f"Nothing imported: {rejection}") from None
    if plan.ignored_columns:
        click.echo(f"Ignored columns: {', '.join(plan.ignored_columns)}")
    if not plan.ok:
        click.echo(f"Nothing imported: {len(plan.problems)} problem(s) in {file}:", err=True)
        for problem in plan.problems:
            click.echo(f"  line {problem.line}: {problem.reason}", err=True)
        sys.exit(1)
    summary = (f"{len(plan.rows)} rows: {len(plan.member_emails)} members already in the group, "
               f"{plan.outside_count} not in the group yet (a new account each, or an invitation "
               "where the email already has one)")
    if dry_run:
        click.echo(f"Dry run, nothing saved. {summary}.")
        return None
    return roster.apply(group, plan, None, utcnow())


@click.command("export-members")
@click.argument("group_slug")
def export_members_command(group_slug: str) -> None:
    """Write GROUP_SLUG's members as CSV to standard output (hidden needs included)."""
    click.echo(roster.export(_group_or_fail(group_slug)), nl=False)


commands = [import_members_command, export_members_command]
