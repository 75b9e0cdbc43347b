"""Pages of the messages feature: a group's outbox (organizers), a member's choices, and the
links in messages that work without logging in (unsubscribe, RSVP), each signed."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from organizer.access import member_required, organizer_required
from organizer.database import transaction
from organizer.errors import ActionRefused
from organizer.events import service as events
from organizer.extensions import csrf, limiter
from organizer.forms import ConfirmForm
from organizer.messages import invitations, kinds, service
from organizer.messages.forms import InviteByEmailForm, preferences_form
from organizer.models import MessageStatus, utcnow
from organizer.paging import Page, clamp, page_number
from organizer.timezones import when_text

bp = Blueprint("messages", __name__)
OUTBOX_PAGE_SIZE = 50


@bp.route("/groups/<slug>/outbox")
@organizer_required
def outbox(group, member):
    failed_only = request.args.get("failed") == "1"
    total = service.outbox_count(group.id, failed_only)
    number = clamp(page_number(request.args.get("page")), total, OUTBOX_PAGE_SIZE)
    rows = service.outbox_page(group.id, (number - 1) * OUTBOX_PAGE_SIZE, OUTBOX_PAGE_SIZE, failed_only)
    shown = [(m, service.redact_personal_links(m.body_text)) for m in rows]
    return render_template(
        "messages/outbox.html", group=group, member=member, page=Page(shown, total, number, OUTBOX_PAGE_SIZE),
        failed_only=failed_only, counts=service.status_counts(group.id), kinds=kinds.KINDS,
        mail_configured=bool(current_app.config.get("MAIL_SERVER")), statuses=MessageStatus)


@bp.route("/groups/<slug>/messages/preferences", methods=["GET", "POST"])
@member_required
def preferences(group, member):
    choosable = kinds.choosable()
    chosen = service.preferences_of(current_user.id, group.id)
    form = preferences_form(choosable, chosen)
    if form.validate_on_submit():
        now = utcnow()
        with transaction():
            for kind in choosable:
                service.set_preference(current_user.id, group.id, kind.name,
                                       bool(getattr(form, f"kind_{kind.name}").data), now)
        flash("Your choices are saved.", "success")
        return redirect(url_for("messages.preferences", slug=group.slug))
    fields = [getattr(form, f"kind_{kind.name}") for kind in choosable]
    return render_template("messages/preferences.html", group=group, member=member, form=form, fields=fields)


@bp.route("/m/unsubscribe/<unsubscribe_token>", methods=["GET", "POST"])
@csrf.exempt  # RFC 8058: the mail program posts "List-Unsubscribe=One-Click" with no page; the signed link is the credential
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def unsubscribe(unsubscribe_token: str):
    target = service.unsubscribe_target(unsubscribe_token)
    if target is None:
        return render_template("messages/link_invalid.html"), 404
    user, group, kind = target
    if request.method == "POST":
        with transaction():
            service.set_preference(user.id, group.id, kind.name, False, utcnow())
        return render_template("messages/unsubscribed.html", group=group, kind=kind, done=True)
    return render_template("messages/unsubscribed.html", group=group, kind=kind, done=False, form=ConfirmForm())


@bp.route("/m/rsvp/<rsvp_token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def rsvp(rsvp_token: str):
    """The yes/no buttons of an announcement: the signed link names the member and the answer;
    opening it shows one button (a mail scanner that opens links answers nothing)."""
    found = service.rsvp_target(rsvp_token)
    if found is None:
        return render_template("messages/link_invalid.html"), 404
    event, user, going = found
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            with transaction():
                answer = events.answer(event, user, going, utcnow())
        except ActionRefused as refusal:
            flash(str(refusal), "error")
        else:
            return render_template("messages/rsvp.html", event=event, user=user, going=going, answer=answer,
                                   done=True, when=when_text(event))
    return render_template("messages/rsvp.html", event=event, user=user, going=going, form=form, done=False,
                           when=when_text(event),
                           closed=events.answers_refused_because(event, utcnow()))


@bp.route("/groups/<slug>/invitations", methods=["GET", "POST"])
@organizer_required
def invite(group, member):
    """Organizers invite by email, one address or many. The answer never says which
    addresses already have an account."""
    form = InviteByEmailForm()
    result = None
    if form.validate_on_submit():
        try:
            with transaction():
                result = invitations.invite_by_email(group, form.emails.data, current_user, utcnow())
        except ActionRefused as refusal:
            form.emails.errors.append(str(refusal))
        else:
            if result.sent:
                flash(f"Invitation sent to {result.sent} address{'es' if result.sent != 1 else ''}. "
                      "People who already have an account accept it on their groups page; the others "
                      "join with the link in their email.", "success")
            if not result.invalid:
                return redirect(url_for("messages.invite", slug=group.slug))
            form.emails.errors.append("Not email addresses (nothing was sent to them): " + ", ".join(result.invalid))
    return render_template("messages/invite.html", group=group, member=member, form=form)


@bp.route("/m/join/<join_token>", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def join(join_token: str):
    """The link of an invitation by email: whoever holds it joins with one click, after
    signing up (or logging in) if needed. Opening it changes nothing."""
    invitation = invitations.valid_invitation(join_token, utcnow())
    if invitation is None:
        return render_template("messages/link_invalid.html"), 404
    form = ConfirmForm()
    if request.method == "POST" and current_user.is_authenticated:
        if not form.validate_on_submit():
            abort(400)
        try:
            with transaction():
                group = invitations.accept_invitation(join_token, current_user, utcnow())
        except ActionRefused as refusal:
            flash(str(refusal), "error")
            return redirect(url_for("groups.index"))
        flash(f"Welcome to {group.name}.", "success")
        return redirect(url_for("groups.detail", slug=group.slug))
    return render_template("messages/join.html", invitation=invitation, form=form,
                           here=url_for("messages.join", join_token=join_token))
