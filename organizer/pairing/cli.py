"""Flask commands of the pairing feature (registered by organizer.cli)."""

import json
import sys
from pathlib import Path

import click
from flask import current_app

from organizer.database import transaction
from organizer.errors import ActionRefused
from organizer.extensions import db
from organizer.models import Event, RunStatus, utcnow
from organizer.pairing import publishing, queries, runs, sheets
from organizer.urls import MAX_ID


def _event_or_fail(event_id: int) -> Event:
    event = db.session.get(Event, event_id) if 0 < event_id <= MAX_ID else None
    if event is None:
        raise click.ClickException(f"No event with id {event_id}.")
    return event


@click.command("pair")
@click.argument("event_id", type=int)
@click.option("--publish", is_flag=True, help="Publish the new version.")
@click.option("--json", "as_json", is_flag=True, help="Print the version as JSON.")
@click.option("--source", type=click.Choice(["checked_in", "going"]), default=None,
              help="Pair those checked in, or those who answered yes (default: checked in if anyone is).")
def pair_command(event_id: int, publish: bool, as_json: bool, source: str | None) -> None:
    """Compute a new version of EVENT_ID's lunch pairs (and publish it with --publish)."""
    time_limit = current_app.config["PAIRING_TIME_LIMIT_S"]
    try:
        with transaction():  # the claim commits before the computation starts
            event = _event_or_fail(event_id)
            run = runs.claim_run(event, None, utcnow(), time_limit, action="command line", source=source)
        computed = runs.execute_run(run.id, time_limit)  # commits the read and the save on its own
        if computed is None:
            raise click.ClickException(f"Version {run.version} is gone (its event was deleted).")
        run = computed
        if run.status != RunStatus.DONE:
            raise click.ClickException(f"Version {run.version} failed: {run.error}")
        if publish:
            with transaction():
                publishing.publish(run, utcnow())
    except ActionRefused as refusal:
        raise click.ClickException(str(refusal)) from None
    found = queries.run_of_event(event, run.version)
    if found is None:  # removed between the save and this read
        raise click.ClickException(f"Version {run.version} of event {event.id} is gone; run the command again.")
    run = found
    if as_json:
        click.echo(json.dumps(run_document(run), ensure_ascii=False))
        return
    click.echo(f"Event {event.id}, version {run.version}: {len(run.inputs['attendees'])} people, "
               f"objective {run.objective:.2f}, {'proven optimal' if run.proven_optimal else 'not proven optimal'}"
               f"{', published' if run.published_at else ''}.")
    for table in run.tables:
        names = " & ".join(s.user.name for s in table.seats)
        click.echo(f"  round {table.round} table {table.number}: {names} ({table.score:.2f})")


def run_document(run) -> dict:
    """The version as JSON. Each table's ``help`` is the structured list scripts read:
    ``{"helper", "helped"}`` (emails), ``need`` (its title as the member wrote it), ``via``,
    ``offer`` (title or null), ``confidence`` and ``shown`` (whether members see it)."""
    rounds = []
    for r in range(1, run.rounds + 1):
        tables = []
        for t in run.tables:
            if t.round != r:
                continue
            emails = {s.user_id: s.user.reachable_email for s in t.seats}
            tables.append({
                "table": t.number,
                "members": [{"email": s.user.reachable_email, "name": s.user.name} for s in t.seats],
                "score": t.score,
                "reasons": [reason["text"] for reason in t.reasons if reason.get("shown", True)],
                "help": [{"helper": emails.get(x["helper"]), "helped": emails.get(x["helped"]),
                          "need": x["need"], "via": x.get("via", "offer"), "offer": x.get("offer"),
                          "confidence": x.get("confidence", 1.0), "shown": x.get("shown", True)}
                         for x in t.reasons]})
        rounds.append(tables)
    return {"event": run.event_id, "version": run.version, "objective": run.objective,
            "proven_optimal": run.proven_optimal, "rounds": rounds}


@click.command("sheets")
@click.argument("event_id", type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Where to write the PDF.")
@click.option("--large", is_flag=True, help="Large type.")
def sheets_command(event_id: int, out: str, large: bool) -> None:
    """Write the published pairs of EVENT_ID (master sheet and table cards) as a PDF."""
    event = _event_or_fail(event_id)
    run = queries.published_run(event)
    if run is None:
        raise click.ClickException(f"Event {event_id} has no published pairs. Publish a version first.")
    base = current_app.config["BASE_URL"].rstrip("/")
    with current_app.test_request_context(base_url=base):
        data = sheets.pdf(event.group, event, run, utcnow(), large=large)
    try:
        Path(out).write_bytes(data)
    except OSError as error:
        raise click.ClickException(f"Cannot write {out}: {error.strerror}.") from None
    click.echo(f"Wrote {out}: version {run.version}, {len(run.tables)} tables, {len(data):,} bytes.")


@click.command("pairing-worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst: bool) -> None:
    """Run an RQ worker for pairing jobs, then print sheets PDFs (needs REDIS_URL)."""
    from rq import Worker

    from organizer.pairing import jobs

    url = current_app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException("Set REDIS_URL to use a worker; without it, pairing runs in the web process.")
    jobs.worker_app = current_app._get_current_object()  # type: ignore[attr-defined]
    queues = jobs.worker_queues(url)
    Worker(queues, connection=queues[0].connection).work(burst=burst)
    sys.stdout.flush()


commands = [pair_command, sheets_command, worker_command]
