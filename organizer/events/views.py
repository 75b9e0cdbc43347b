from typing import Any

from flask import Blueprint, Response, abort, flash, g, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from organizer.access import has_unseen_promotions, member_required, organizer_required
from organizer.actions import attempt
from organizer.database import transaction
from organizer.errors import ActionRefused
from organizer.events import door, exports, service
from organizer.events.forms import EventForm, RsvpForm, WalkInGuestForm, WalkInMemberForm
from organizer.forms import ConfirmForm
from organizer.models import EventStatus, RsvpState, utcnow
from organizer.outcomes import pages as outcomes_pages
from organizer.paging import page_number
from organizer.timezones import DAY_TIME_AND_ZONE, local_time, to_local, when_text
from organizer.urls import base_domain, external_url, safe_next_url

bp = Blueprint("events", __name__, url_prefix="/groups/<slug>/events")


def _event_or_404(group, member, event_id: int):
    event = service.event_in_group(group, event_id)
    if event is None or not service.visible_to(event, member):
        abort(404)
    return event


def _details(form: EventForm) -> service.EventDetails:
    return service.EventDetails(
        title=form.title.data or "",
        starts_at=form.starts_at.data,
        ends_at=form.ends_at.data,
        description=form.description.data or "",
        venue_name=form.venue_name.data or "",
        venue_address=form.venue_address.data or "",
        capacity=form.capacity.data,
        rounds=form.rounds.data,
        rsvp_deadline=form.rsvp_deadline.data,
    )


@bp.app_context_processor
def promotion_notices() -> dict:
    """On a group's pages, the seats this member got from a waitlist and has not acknowledged
    yet (shown until they press "Got it": reading a page writes nothing)."""
    group, member = g.get("group"), g.get("member")
    if group is None or member is None or request.method != "GET" or not has_unseen_promotions(group.id):
        return {}
    return {"promotion_notices": [
        (rsvp.event, local_time(rsvp.event.starts_at, group.time_zone, DAY_TIME_AND_ZONE))
        for rsvp in service.unseen_promotions(member.user_id, group.id)], "promotion_form": ConfirmForm()}


@bp.route("/promotions/seen", methods=["POST"])
@member_required
def promotions_seen(group, member):
    if ConfirmForm().validate_on_submit():
        with transaction():
            service.acknowledge_promotions(member.user_id, group.id, utcnow())
    return redirect(safe_next_url(request.form.get("next")) or url_for("groups.detail", slug=group.slug))


@bp.route("/")
@member_required
def index(group, member):
    now = utcnow()
    upcoming, past = service.events_of(group, now, include_drafts=member.is_organizer,
                                       past_page=page_number(request.args.get("page")))
    answers = service.rsvps_of_user(current_user.id, [e.id for e in upcoming + past.items])
    return render_template(
        "events/index.html", group=group, member=member, upcoming=upcoming, past=past, answers=answers,
    )


@bp.route("/new", methods=["GET", "POST"])
@organizer_required
def create(group, member):
    form = EventForm(time_zone=group.time_zone)
    if form.validate_on_submit():
        status = EventStatus.DRAFT if "save_draft" in request.form else EventStatus.OPEN
        with attempt() as action:
            event = service.create_event(group, _details(form), utcnow(), status)
        if action.ok:
            flash(f"{event.title} is created" + (" as a draft; members do not see it yet." if status == EventStatus.DRAFT
                  else " and open for RSVP."), "success")
            return redirect(url_for("events.detail", slug=group.slug, event_id=event.id))
    return render_template("events/form.html", group=group, member=member, form=form, event=None)


@bp.route("/<int:event_id>/")
@member_required
def detail(group, member, event_id: int):
    event = _event_or_404(group, member, event_id)
    now = utcnow()
    rsvp = service.rsvp_of(event.id, current_user.id)
    context = {
        "group": group,
        "member": member,
        "event": event,
        "when": when_text(event),
        "rsvp": rsvp,
        "waitlist_position": service.waitlist_position(rsvp) if rsvp else None,
        "answers_closed": service.answers_refused_because(event, now),
        "answers_close_at": service.answers_close_at(event),
        "counts": service.attendance_counts(event),
        "rsvp_form": RsvpForm(),
        "confirm_form": ConfirmForm(),
        "started": now >= event.starts_at,
    }
    if member.is_organizer:
        context["answers"] = answers = service.answers_page(event, page_number(request.args.get("page")))
        context["by_state"] = service.answers_by_state(answers.items)
    context.update(outcomes_pages.page_context(member, now, event=event))
    return render_template("events/detail.html", **context)


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@organizer_required
def edit(group, member, event_id: int):
    event = _event_or_404(group, member, event_id)
    form = EventForm(time_zone=group.time_zone)
    if request.method == "GET":
        form.process(data={
            "title": event.title,
            "description": event.description,
            "starts_at": to_local(event.starts_at, group.time_zone),
            "ends_at": to_local(event.ends_at, group.time_zone),
            "venue_name": event.venue_name,
            "venue_address": event.venue_address,
            "capacity": event.capacity,
            "rounds": event.rounds,
            "rsvp_deadline": to_local(event.rsvp_deadline, group.time_zone),
        })
    if form.validate_on_submit():
        with attempt() as action:
            service.update_event(event, _details(form), utcnow())
        if action.ok:
            flash("Event saved.", "success")
            return redirect(url_for("events.detail", slug=group.slug, event_id=event.id))
    return render_template("events/form.html", group=group, member=member, form=form, event=event)


@bp.route("/<int:event_id>/rsvp", methods=["POST"])
@member_required
def rsvp(group, member, event_id: int):
    event = _event_or_404(group, member, event_id)
    form = RsvpForm()
    if not form.validate_on_submit():
        flash("Choose yes or no.", "error")
        return redirect(url_for("events.detail", slug=group.slug, event_id=event.id))
    with attempt() as action:
        answer = service.answer(event, current_user, form.answer.data == "yes", utcnow())
    if action.ok:
        if answer.state == RsvpState.GOING:
            flash(f"You are in. See you on {local_time(event.starts_at, group.time_zone, DAY_TIME_AND_ZONE)}.", "success")
        elif answer.state == RsvpState.WAITLISTED:
            position = service.waitlist_position(answer)
            flash(f"The event is full, so you are number {position} on the waitlist. "
                  "If a seat opens up you move up automatically, and we tell you here.", "info")
        else:
            flash("Thanks for letting us know. You can change your answer until answers close.", "info")
    return redirect(url_for("events.detail", slug=group.slug, event_id=event.id))


def _status_action(group, member, event_id: int, change, message: str):
    event = _event_or_404(group, member, event_id)
    if ConfirmForm().validate_on_submit():
        with attempt() as action:
            change(event)
        if action.ok:
            flash(message.format(title=event.title), "success")
    return redirect(url_for("events.detail", slug=group.slug, event_id=event.id))


@bp.route("/<int:event_id>/open", methods=["POST"])
@organizer_required
def open_for_rsvp(group, member, event_id: int):
    return _status_action(group, member, event_id, service.open_for_rsvp,
                          "{title} is open for RSVP. Members can answer now.")


@bp.route("/<int:event_id>/cancel", methods=["POST"])
@organizer_required
def cancel(group, member, event_id: int):
    return _status_action(group, member, event_id, service.cancel_event,
                          "{title} is cancelled. Members see it on the events page.")


@bp.route("/<int:event_id>/done", methods=["POST"])
@organizer_required
def mark_done(group, member, event_id: int):
    return _status_action(group, member, event_id, lambda e: service.mark_done(e, utcnow()),
                          "{title} is marked as done.")


@bp.route("/<int:event_id>/event.ics")
@member_required
def calendar(group, member, event_id: int):
    event = _event_or_404(group, member, event_id)
    if not service.has_calendar_file(event):
        abort(404, service.NO_CALENDAR_FILE)
    url = external_url("events.detail", slug=group.slug, event_id=event.id)
    body = exports.calendar_file(event, domain=base_domain(), url=url)
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="{group.slug}-event-{event.id}.ics"',
    })


@bp.route("/<int:event_id>/attendees.csv")
@organizer_required
def attendees_csv(group, member, event_id: int):
    event = _event_or_404(group, member, event_id)
    return Response(exports.attendee_csv(event), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{group.slug}-event-{event.id}-attendees.csv"',
        "Cache-Control": "no-store",
    })


# --- Check-in at the door -------------------------------------------------------------------

@bp.route("/<int:event_id>/check-in")
@organizer_required
def check_in_page(group, member, event_id: int):
    event = _event_or_404(group, member, event_id)
    search = request.args.get("q", "")[:120]
    waiting = request.args.get("waiting") == "1"
    return render_template(
        "events/check_in.html",
        group=group,
        member=member,
        event=event,
        search=search,
        waiting=waiting,
        door=service.door_page(event, search, page_number(request.args.get("page")), waiting=waiting),
        counts=service.attendance_counts(event),
        door_open=event.status in service.CHECK_IN_STATES,
        confirm_form=ConfirmForm(),
        walk_in_form=WalkInMemberForm(),
        guest_form=WalkInGuestForm(),
    )


def _back_to_door(group, event_id: int, search: str = "", user_id: int | None = None):
    """Back to the door list where the organizer was: the same search, filter and page, scrolled
    to the person just changed (without script; with it, the page never reloads)."""
    keep: dict[str, Any] = {key: request.args[key] for key in ("page", "waiting") if request.args.get(key)}
    if search:
        keep["q"] = search
    return redirect(url_for("events.check_in_page", slug=group.slug, event_id=event_id,
                            _anchor=f"person-{user_id}" if user_id else None, **keep))


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _door_answer(group, member, event, user_id: int, message: str, category: str, status: int = 200):
    """A check-in's answer: for the page's script, the person's new row, the counts and the
    message (no reload, no jump); otherwise the message and the door list again."""
    if _wants_json():
        rsvp = service.rsvp_of(event.id, user_id)
        row = render_template("events/_door_row.html", r=service.door_row(rsvp), group=group, event=event,
                              confirm_form=ConfirmForm(), search=request.args.get("q", "")) if rsvp else ""
        counts = service.attendance_counts(event)
        return jsonify({"message": message, "category": category, "row": row, "counts": {
            "yes": counts.answered_yes, "checked-in": counts.checked_in, "walk-ins": counts.walk_ins,
            "not-arrived": counts.not_arrived}}), status
    flash(message, category)
    return _back_to_door(group, event.id, request.args.get("q", ""), user_id)


@bp.route("/<int:event_id>/check-in/<int:user_id>", methods=["POST"])
@organizer_required
def check_in(group, member, event_id: int, user_id: int):
    event = _event_or_404(group, member, event_id)
    if not ConfirmForm().validate_on_submit():
        return _back_to_door(group, event.id)
    try:
        with transaction():
            user = service.check_in(event, user_id, utcnow())
    except ActionRefused as refusal:
        return _door_answer(group, member, event, user_id, str(refusal), "error", 409)
    return _door_answer(group, member, event, user_id, f"Arrived: {user.name}.", "success")


@bp.route("/<int:event_id>/check-in/<int:user_id>/undo", methods=["POST"])
@organizer_required
def undo_check_in(group, member, event_id: int, user_id: int):
    event = _event_or_404(group, member, event_id)
    if not ConfirmForm().validate_on_submit():
        return _back_to_door(group, event.id, request.args.get("q", ""))
    try:
        with transaction():
            user = service.undo_check_in(event, user_id)
            name = user.name
    except ActionRefused as refusal:
        return _door_answer(group, member, event, user_id, str(refusal), "error", 409)
    return _door_answer(group, member, event, user_id, f"{name} is no longer checked in.", "info")


@bp.route("/<int:event_id>/walk-ins", methods=["POST"])
@organizer_required
def add_walk_in(group, member, event_id: int):
    event = _event_or_404(group, member, event_id)
    form = WalkInMemberForm()
    if form.validate_on_submit():
        with attempt() as action:
            user = service.add_walk_in(event, service.walk_in_member(event, form.user_id.data).user_id, utcnow())
        if action.ok:
            flash(f"Arrived: {user.name}, added as a walk-in and checked in.", "success")
    else:
        flash("Choose a member of the group.", "error")
    return _back_to_door(group, event.id)


@bp.route("/<int:event_id>/walk-ins/new", methods=["POST"])
@organizer_required
def add_walk_in_guest(group, member, event_id: int):
    event = _event_or_404(group, member, event_id)
    form = WalkInGuestForm()
    if form.validate_on_submit():
        try:
            with transaction():
                name = service.add_walk_in_guest(event, form.name.data, form.email.data, utcnow(),
                                                 invited_by_id=current_user.id)
                door.add_door_items(event, form.email.data, form.need.data, form.offer.data)
        except ActionRefused as refusal:
            flash(str(refusal), "error")
        else:
            # The same words whether or not the email had an account (see the service).
            typed = " Their need and offer count in the pairing now." if (form.need.data or form.offer.data) else ""
            flash(f"Arrived: {name}, checked in as a walk-in. Someone new to Give First gets an account and "
                  "joins the group; someone who already has an account is asked to join the group "
                  f"the next time they log in and keeps their own lists.{typed}", "success")
    else:
        flash(" ".join(e for errors in form.errors.values() for e in errors), "error")
    return _back_to_door(group, event.id)
