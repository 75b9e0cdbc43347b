from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup

from organizer.access import member_required, organizer_required
from organizer.actions import attempt
from organizer.events.service import NO_CALENDAR_FILE, has_calendar_file
from organizer.forms import ConfirmForm
from organizer.groups import versions
from organizer.help import service as help_model
from organizer.models import RunStatus, utcnow
from organizer.paging import page_number
from organizer.pairing import edits, jobs, printing, publishing, queries, reasons, runs, sheets, snapshots, stability
from organizer.pairing.forms import GenerateForm, PersonForm, PublishForm, SwapForm, WalkInForm, person_label
from organizer.templating import FRAGMENT_FORM, fragment_with_token, token_form
from organizer.timezones import TIME_OF_DAY, local_time
from organizer.urls import base_domain, id_arg

TABLES_PER_PAGE = 10  # the review shows this many tables at a time (a screen of them), however large the lunch
SUMMARY_LIMIT = 30  # and at most this many uncovered needs and unhelped attendees (then a count)

bp = Blueprint("pairing", __name__, url_prefix="/groups/<slug>/events/<int:event_id>/pairing")


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json" or request.is_json


def load_event(group, member, event_id: int):
    """The event, with the event page's rule: a draft is 404 to members (its title is a secret)."""
    event = queries.event_in_group(group, event_id, viewer=member)
    if event is None:
        abort(404)
    return event


def load_run(event, run_id: int, tables: bool = True):
    """The event's version ``run_id`` (404 if it is not one), with every table loaded, or alone
    (``tables=False``: the actions at the door, whose cost must not grow with the lunch)."""
    run = next((r for r in queries.runs_of(event) if r.id == run_id), None)
    if run is None:
        abort(404)
    return queries.run_of_event(event, run.version) if tables else run


def time_limit() -> float:
    return current_app.config["PAIRING_TIME_LIMIT_S"]


def run_json(run) -> dict:
    if run is None:
        return {"status": "none"}
    return {"run": run.id, "version": run.version, "status": run.status, "failure": run.error or None,
            "objective": run.objective, "proven_optimal": run.proven_optimal,
            "published": run.published_at is not None}


def start_run(group, event, before=None, **claim):
    """Claims a version and starts computing it; the answer for HTML and JSON callers.

    ``before``: the action's first step (the walk-in's check-in), returning the claim's
    inputs; it commits together with the claim, or not at all when the claim is refused."""
    with attempt(flash_refusal=not wants_json()) as action:
        if before is not None:
            claim["inputs"] = before()
        run = runs.claim_run(event, current_user, utcnow(), time_limit(), **claim)
    if not action.ok:
        refusal = action.refusal
        busy = isinstance(refusal, runs.AlreadyRunning)
        if wants_json():
            body = {**run_json(refusal.run), "error": str(refusal)} if busy else {"error": str(refusal)}
            return jsonify(body), 409 if busy else 400
        return redirect(url_for("pairing.index", slug=group.slug, event_id=event.id)), 303 if busy else 302
    jobs.start(run.id)
    if wants_json():
        return jsonify(run_json(run)), 202
    return redirect(url_for("pairing.index", slug=group.slug, event_id=event.id))


def keep_published(event, full: bool = False) -> dict:
    """The inputs of a re-seating with the fewest changes: the published tables to keep
    (one-round lunches; none before publishing, or when the organizer asks for a full re-solve)."""
    published = queries.published_run(event, with_tables=False)
    if full or published is None or event.rounds != 1:
        return {}
    return {"keep": stability.kept_tables(published)}


def show_version(group, event, version: int):
    return redirect(url_for("pairing.index", slug=group.slug, event_id=event.id, version=version))


def people_choices(run) -> dict[int, str]:
    """Who is seated in this version (round 1 seats everyone), by name: user id -> name."""
    return queries.seated_names(run)


def labels(people: dict[int, str]) -> list[str]:
    return [person_label(uid, name) for uid, name in people.items()]


@bp.route("/")
@organizer_required
def index(group, member, event_id: int):
    event = load_event(group, member, event_id)
    versions = queries.versions_of(event)  # newest first: the latest, the one shown and the published are among them
    version = id_arg("version")
    run = queries.review_run(versions, version or None)
    if version and run is None:
        abort(404)
    published = next((v for v in versions if v.published_at is not None), None)
    source = snapshots.default_source(event, versions[0].anyone_checked_in if versions else None)
    context = dict(group=group, member=member, event=event, latest=versions[0] if versions else None, run=run,
                   runs=versions, generate_form=generate_form(group, event, source.value),
                   confirm_form=token_form(), published=published)
    if run is not None and run.status == RunStatus.DONE:
        changes = publishing.attendee_changes(event, run)
        summary = run.summary or {}
        shown = {item["user"] for key in ("uncovered_needs", "unhelped") for item in summary.get(key, [])[:SUMMARY_LIMIT]}
        shown |= set(changes["arrived"]) | set(changes["left"])
        for item in summary.get("learned", [])[:SUMMARY_LIMIT]:  # what earlier lunches changed, by name
            keys = ("user",) if item.get("kind") == "boost" else ("helper", "helped")  # a boost's "helped" is a count
            shown |= {item[key] for key in keys if key in item} | set(item.get("users", []))
        tables = queries.tables_page(run, page_number(request.args.get("page")), TABLES_PER_PAGE)
        seated = tables.seated
        # the names the page shows (not every seated person: typed choices ask seated.json)
        names = {person.user_id: person.name for people in seated.values() for person in people}
        names.update(queries.names_of(shown - names.keys()))
        moves, changes_seen = stability.compared_with_published(run, published)
        context.update(
            names=names, changes=changes,
            reasons=reasons.visible_reasons(group.id, tables.items, reasons.ORGANIZERS,
                                            needs=reasons.kept_needs_now(group.id, tables.items)),
            wishes=help_model.link_lines(group.id, run.inputs.get("attendees", [])),
            tables=tables, seated=seated, table_count=tables.first_round,
            summary_limit=SUMMARY_LIMIT,
            publish_form=publish_form(group, event, run, changed=bool(changes["arrived"] or changes["left"]),
                                      seen=changes_seen),
            adjust_forms=adjust_forms(group, event, run, published=published is not None),
            moves=moves,
            kept_published=bool(run.inputs.get("keep")),
        )
    return render_template("pairing/index.html", **context)


# The review's forms are rendered once per process for what they show (their CSRF token put in
# on each request), not built and rendered on every visit: they are always shown empty, as every
# action that fails says so in a flashed message on the review it redirects to.

def generate_form(group, event, source: str) -> Markup:
    """"Generate pairs", its choice of attendees set to `source`."""
    return fragment_with_token("pairing/_generate_form.html", slug=group.slug, event_id=event.id, source=source,
                               forms=lambda: {"form": GenerateForm(formdata=None, source=source, meta=FRAGMENT_FORM)})


def publish_form(group, event, run, changed: bool, seen: bool) -> Markup:
    """"Publish version N", with the confirmations it asks for: the attendees `changed` since the
    version was computed, it changes tables people have already `seen`."""
    return fragment_with_token("pairing/_publish_form.html", slug=group.slug, event_id=event.id, run_id=run.id,
                               version=run.version, changed=changed, seen=seen,
                               forms=lambda: {"form": PublishForm(formdata=None, meta=FRAGMENT_FORM)})


def adjust_forms(group, event, run, published: bool) -> Markup:
    """Swap two people, leave someone out, add a walk-in (the typed names are looked up as the
    organizer types: the forms list nobody)."""
    return fragment_with_token(
        "pairing/_adjust.html", slug=group.slug, event_id=event.id, run_id=run.id, several_rounds=run.rounds > 1,
        published=published, forms=lambda: {
            "swap_form": SwapForm(formdata=None, people={}, meta=FRAGMENT_FORM),
            "exclude_form": PersonForm(formdata=None, people={}, prefix="exclude", meta=FRAGMENT_FORM),
            "add_form": WalkInForm(formdata=None, prefix="add", meta=FRAGMENT_FORM)})


@bp.route("/<int:run_id>/seated.json")
@organizer_required
def seated(group, member, event_id: int, run_id: int):
    """Search-as-you-type for the review's choices among the seated: at most ten labels."""
    event = load_event(group, member, event_id)
    run = load_run(event, run_id, tables=False)
    return jsonify(labels(queries.seated_named(run, request.args.get("q", "")[:80])))


@bp.route("/status.json")
@organizer_required
def status(group, member, event_id: int):
    event = load_event(group, member, event_id)
    return jsonify(run_json(queries.latest_run(event)))


@bp.route("/generate", methods=["POST"])
@organizer_required
def generate(group, member, event_id: int):
    event = load_event(group, member, event_id)
    form = GenerateForm()
    if not form.validate_on_submit():
        abort(400)
    return start_run(group, event, source=form.source.data, action="generate")


@bp.route("/<int:run_id>/re-solve", methods=["POST"])
@organizer_required
def resolve(group, member, event_id: int, run_id: int):
    event = load_event(group, member, event_id)
    run = load_run(event, run_id, tables=False)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    full = request.form.get("mode") == "full"
    return start_run(group, event, based_on=run, action="full re-solve" if full else "re-solve",
                     inputs=keep_published(event, full))


@bp.route("/<int:run_id>/exclude", methods=["POST"])
@organizer_required
def exclude(group, member, event_id: int, run_id: int):
    event = load_event(group, member, event_id)
    run = load_run(event, run_id, tables=False)
    form = PersonForm(people=people_choices(run), prefix="exclude")
    if not form.validate_on_submit():
        flash("Choose a seated person from the list to leave out.", "error")
        return show_version(group, event, run.version)
    excluded = sorted(set(run.inputs.get("excluded", [])) | {form.user.chosen_id})
    added = [u for u in run.inputs.get("added", []) if u not in excluded]
    return start_run(group, event, based_on=run, action="exclude",
                     inputs={"excluded": excluded, "added": added, **keep_published(event)})


@bp.route("/<int:run_id>/add", methods=["POST"])
@organizer_required
def add(group, member, event_id: int, run_id: int):
    event = load_event(group, member, event_id)
    run = load_run(event, run_id, tables=False)
    form = WalkInForm(prefix="add")
    if not form.validate_on_submit():
        flash("Choose a member of the group who is not seated yet.", "error")
        return show_version(group, event, run.version)
    def check_in_walk_in() -> dict:
        walk_in = edits.unseated_member(run, group, form.user.data)
        return {**edits.add_walk_in(run, walk_in.user_id, utcnow()), **keep_published(event)}

    # One action: the check-in is undone when the re-solve is refused (one is already running).
    return start_run(group, event, before=check_in_walk_in, based_on=run, action="add walk-in")


@bp.route("/<int:run_id>/tables/<int:table_id>/lock", methods=["POST"])
@organizer_required
def lock(group, member, event_id: int, run_id: int, table_id: int):
    return _set_locked(group, member, event_id, run_id, table_id, True)


@bp.route("/<int:run_id>/tables/<int:table_id>/unlock", methods=["POST"])
@organizer_required
def unlock(group, member, event_id: int, run_id: int, table_id: int):
    return _set_locked(group, member, event_id, run_id, table_id, False)


def _set_locked(group, member, event_id, run_id, table_id, locked):
    event = load_event(group, member, event_id)
    run = load_run(event, run_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with attempt() as action:
        new = edits.set_locked(run, table_id, locked, current_user, utcnow())
    if not action.ok:
        return show_version(group, event, run.version)
    flash(f"Version {new.version}: table {'locked' if locked else 'unlocked'}.", "success")
    return show_version(group, event, new.version)


@bp.route("/<int:run_id>/swap", methods=["POST"])
@organizer_required
def swap(group, member, event_id: int, run_id: int):
    event = load_event(group, member, event_id)
    run = load_run(event, run_id)
    form = SwapForm(people=people_choices(run))
    if not form.validate_on_submit():
        flash("Choose two people and a round.", "error")
        return show_version(group, event, run.version)
    swap = (form.first.chosen_id, form.second.chosen_id, form.round.data)
    version = run.version
    with attempt() as action:
        scored = edits.swap_scores(run, *swap, utcnow(), time_limit())
    if action.ok:
        scored.score()  # outside any transaction: no lock is held while scoring
        with attempt() as action:
            new = edits.swap(run, *swap, current_user, utcnow(), scored)
    if not action.ok:
        return show_version(group, event, version)
    flash(f"Version {new.version}: swapped, and both tables locked.", "success")
    return show_version(group, event, new.version)


@bp.route("/<int:run_id>/publish", methods=["POST"])
@organizer_required
def publish(group, member, event_id: int, run_id: int):
    event = load_event(group, member, event_id)
    run = load_run(event, run_id)
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400)
    moves, changes_seen = stability.compared_with_published(run, queries.published_run(event, with_tables=False))
    if changes_seen and not form.confirm_seen.data:
        moved = [m.sentence for m in moves]
        message = (f"Version {run.version} changes tables people have already seen"
                   + (f" ({'; '.join(moved[:6])}{'…' if len(moved) > 6 else ''})" if moved else "")
                   + ". Tick “Yes, change the tables people have already seen” to publish it.")
        if wants_json():
            return jsonify({"error": message}), 409
        flash(message, "error")
        return show_version(group, event, run.version)
    with attempt(flash_refusal=not wants_json()) as action:
        publishing.publish(run, utcnow(), confirm_changed=form.confirm_changed.data)
    if action.ok:
        flash(f"Version {run.version} is published: members see their partners now.", "success")
    elif wants_json():
        return jsonify({"error": str(action.refusal)}), 409
    return show_version(group, event, run.version)


@bp.route("/unpublish", methods=["POST"])
@organizer_required
def unpublish(group, member, event_id: int):
    event = load_event(group, member, event_id)
    if ConfirmForm().validate_on_submit():
        with attempt() as action:
            publishing.unpublish(event)
        if action.ok:
            flash("Unpublished: members no longer see the pairs.", "info")
    return redirect(url_for("pairing.index", slug=group.slug, event_id=event.id))


@bp.route("/<int:run_id>/print")
@organizer_required
def print_view(group, member, event_id: int, run_id: int):
    event = load_event(group, member, event_id)
    run = load_run(event, run_id)
    return render_template("print/sheets.html", confirm_form=token_form(),
                           **sheets.context(group, event, run, utcnow(), large=request.args.get("large") == "1",
                                            part=request.args.get("part", "all")))


@bp.route("/<int:run_id>/sheets.pdf")
@organizer_required
def pdf(group, member, event_id: int, run_id: int):
    """The PDF is made in the background (``printing``), from a POST: this address, where it
    was once downloaded, leads to the print view of the same part, with its PDF button."""
    event = load_event(group, member, event_id)
    run = load_run(event, run_id, tables=False)
    return redirect(url_for("pairing.print_view", slug=group.slug, event_id=event.id, run_id=run.id,
                            part=sheet_part(), large=1 if request.args.get("large") == "1" else None))


def sheet_part() -> str:
    part = request.args.get("part", "all")
    return part if part in sheets.PARTS else "all"


@bp.route("/<int:run_id>/sheets", methods=["POST"])
@organizer_required
def make_pdf(group, member, event_id: int, run_id: int):
    event = load_event(group, member, event_id)
    run = load_run(event, run_id, tables=False)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with attempt() as action:
        file, new = printing.request_file(run, current_user, sheet_part(), request.args.get("large") == "1", utcnow())
    if not action.ok:
        return redirect(url_for("pairing.index", slug=group.slug, event_id=event.id, version=run.version))
    if new:  # (not the one already being made: a double click)
        jobs.start_sheets(file.id)
    return redirect(url_for("pairing.sheet_file", slug=group.slug, event_id=event.id, run_id=run.id, file_id=file.id))


def load_file(event, run_id: int, file_id: int):
    """The signed-in organizer's own print sheets file of this version (404 for anyone else's)."""
    run = load_run(event, run_id, tables=False)
    file = printing.file_of(run, current_user, file_id)
    if file is None:
        abort(404)
    return run, file


@bp.route("/<int:run_id>/sheets/<int:file_id>")
@organizer_required
def sheet_file(group, member, event_id: int, run_id: int, file_id: int):
    """The PDF being made: reloads until it is ready (the status as JSON for the page's script)."""
    event = load_event(group, member, event_id)
    run, file = load_file(event, run_id, file_id)
    state = printing.state_of(file, utcnow(), versions.current(group.id)[1])
    if wants_json():
        return jsonify({"status": state.status, "message": state.message})
    return render_template("pairing/sheet_file.html", group=group, member=member, event=event, run=run, file=file,
                           state=state, part_name=sheets.PART_NAMES[file.part], confirm_form=token_form(),
                           until=local_time(state.until, group.time_zone, TIME_OF_DAY) if state.until else "")


@bp.route("/<int:run_id>/sheets/<int:file_id>.pdf")
@organizer_required
def sheet_file_pdf(group, member, event_id: int, run_id: int, file_id: int):
    event = load_event(group, member, event_id)
    run, file = load_file(event, run_id, file_id)
    if printing.state_of(file, utcnow(), versions.current(group.id)[1]).status != "ready":
        return redirect(url_for("pairing.sheet_file", slug=group.slug, event_id=event.id, run_id=run.id, file_id=file.id))
    return Response(printing.pdf_data(file), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{sheets.filename(event, run, file.part, file.large)}"',
        "Cache-Control": "no-store"})


@bp.route("/pairs.csv")
@organizer_required
def pairs_csv(group, member, event_id: int):
    event = load_event(group, member, event_id)
    run = queries.published_run(event)
    if run is None:
        abort(404)
    return Response(sheets.pairs_csv(run), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="event-{event.id}-pairs.csv"'})


@bp.route("/mine")
@member_required
def mine(group, member, event_id: int):
    event = load_event(group, member, event_id)
    run = queries.published_run(event, with_tables=False)  # the member's own tables only
    lunch = sheets.member_lunch(group, event, run, member) if run else None
    return render_template("pairing/mine.html", group=group, member=member, event=event, run=run, lunch=lunch)


@bp.route("/mine.ics")
@member_required
def mine_ics(group, member, event_id: int):
    event = load_event(group, member, event_id)
    run = queries.published_run(event, with_tables=False)
    if run is None:
        abort(404)
    if not has_calendar_file(event):
        abort(404, NO_CALENDAR_FILE)
    return Response(sheets.member_ics(group, event, run, member, base_domain()), mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="lunch-{event.id}.ics"'})
