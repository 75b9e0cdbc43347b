from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from organizer.access import member_required, organizer_required
from organizer.actions import attempt
from organizer.database import transaction
from organizer.extensions import limiter
from organizer.forms import ConfirmForm
from organizer.groups import overview, pages, service
from organizer.groups.forms import GroupForm, JoinCodeForm, RoleForm
from organizer.messages import invitations
from organizer.models import Role, utcnow
from organizer.outcomes import pages as outcomes_pages
from organizer.paging import page_number
from organizer.timezones import time_zone_names
from organizer.urls import external_url

bp = Blueprint("groups", __name__, url_prefix="/groups")


@bp.route("/")
@login_required
def index():
    return render_template(
        "groups/index.html",
        memberships=service.memberships_of(current_user.id),
        invitations=service.pending_invitations(current_user.id),
        join_form=JoinCodeForm(),
        confirm_form=ConfirmForm(),
    )


@bp.route("/invitations/<int:invitation_id>/accept", methods=["POST"])
@login_required
def accept_invitation(invitation_id: int):
    return _answer_invitation(invitation_id, accept=True)


@bp.route("/invitations/<int:invitation_id>/decline", methods=["POST"])
@login_required
def decline_invitation(invitation_id: int):
    return _answer_invitation(invitation_id, accept=False)


def _answer_invitation(invitation_id: int, accept: bool):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    with transaction():
        invitation = service.answer_invitation(current_user, invitation_id, accept, utcnow())
    if invitation is None:
        abort(404)  # not yours, or already answered
    if accept:
        flash(f"Welcome to {invitation.group.name}.", "success")
        return redirect(url_for("groups.detail", slug=invitation.group.slug))
    flash(f"You declined the invitation to {invitation.group.name}.", "info")
    return redirect(url_for("groups.index"))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def create():
    form = GroupForm(time_zones=time_zone_names())
    if request.method == "GET":
        form.time_zone.data = "America/Toronto"
    if form.validate_on_submit():
        with attempt() as action:
            group = service.create_group(
                current_user,
                form.name.data,
                form.time_zone.data,
                repeat_cooldown_weeks=form.repeat_cooldown_weeks.data,
                now=utcnow(),
                per_day=current_app.config["GROUPS_PER_DAY"],
            )
        if action.ok:
            flash(f"{group.name} is created. Invite members with the link below.", "success")
            return redirect(url_for("groups.settings", slug=group.slug))
    return render_template("groups/new.html", form=form)


@bp.route("/join", methods=["POST"])
@login_required
@limiter.limit("20 per minute")
def join_with_code():
    form = JoinCodeForm()
    if not form.validate_on_submit():
        flash("Enter the invite code an organizer gave you.", "error")
        return redirect(url_for("groups.index"))
    return _join(form.code.data)


@bp.route("/join/<code>", methods=["GET", "POST"])
@limiter.limit("30 per minute", methods=["POST"])
def join(code: str):
    group = service.group_by_invite_code(code)
    if group is None:
        return render_template("groups/invite_invalid.html"), 404
    if not current_user.is_authenticated:
        return render_template("groups/invite.html", group=group, form=None, code=code)
    form = ConfirmForm()
    if form.validate_on_submit():
        return _join(code)
    already = service.membership(group.id, current_user.id) is not None
    return render_template("groups/invite.html", group=group, form=form, code=code, already=already)


def _join(code: str):
    with attempt() as action:
        group, is_new = service.join_group(current_user, code)
    if not action.ok:
        return redirect(url_for("groups.index"))
    flash(f"Welcome to {group.name}." if is_new else f"You are already in {group.name}.", "success")
    return redirect(url_for("groups.detail", slug=group.slug))


@bp.route("/<slug>/")
@member_required
def detail(group, member):
    now = utcnow()
    facts = pages.facts(member, now)
    return render_template(
        "groups/detail.html", group=group, member=member,
        upcoming=facts.upcoming,
        **outcomes_pages.page_context(member, now, seated_at_a_started_lunch=facts.seated_at_a_started_lunch,
                                      note_received=facts.note_received),
        waiting=facts.waiting,
        steps=facts.steps,
        lunches=overview.published_lunches(member, now) if facts.seated_at_a_lunch_ahead else [],
    )


@bp.route("/<slug>/my-settings")
@member_required
def my_settings(group, member):
    """A member's own settings in the group: for now, leaving it."""
    return render_template("groups/my_settings.html", group=group, member=member, leave_form=ConfirmForm())


def _roles_place() -> dict:
    """Where on the roles page a button was pressed (its search and page), to go back there."""
    query = request.args.get("q", "")[:200].strip()
    number = page_number(request.args.get("page"))
    return {"q": query or None, "page": number if number > 1 else None}


@bp.route("/<slug>/roles")
@organizer_required
def roles(group, member):
    place = _roles_place()
    page = service.roles_page(group, place["q"] or "", place["page"] or 1)
    return render_template(
        "groups/roles.html",
        group=group,
        member=member,
        page=page,
        query=place["q"] or "",
        place={**place, "page": page.number if page.number > 1 else None},  # the page shown (past the end: the last)
        organizer_count=service.organizer_count(group),
        role_form=RoleForm(),
        confirm_form=ConfirmForm(),
    )


@bp.route("/<slug>/roles/<int:user_id>/role", methods=["POST"])
@organizer_required
def set_role(group, member, user_id: int):
    form = RoleForm()
    if form.validate_on_submit():
        with attempt() as action:
            changed = service.set_role(group, user_id, Role(form.role.data))
        if action.ok:
            flash(f"{changed.user.name} is now {'an organizer' if changed.is_organizer else 'a member'}.", "success")
    return redirect(url_for("groups.roles", slug=group.slug, **_roles_place()))


@bp.route("/<slug>/roles/<int:user_id>/remove", methods=["POST"])
@organizer_required
def remove_member(group, member, user_id: int):
    if ConfirmForm().validate_on_submit():
        with attempt() as action:
            removed = service.remove_member(group, user_id)
        if action.ok:
            flash(f"{removed.name} is no longer in {group.name}.", "success")
    return redirect(url_for("groups.roles", slug=group.slug, **_roles_place()))


@bp.route("/<slug>/roles/<int:user_id>/set-password-link", methods=["POST"])
@organizer_required
def set_password_link(group, member, user_id: int):
    """Emails a new set-password link to the owner of an account the group created (never shown
    here: an organizer does not hold a credential of someone else's account)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    target = service.membership(group.id, user_id)
    if target is None:
        abort(404)
    with attempt() as action:
        invitations.send_welcome_again(target, current_user, utcnow())
    if action.ok:
        flash(f"A new set-password link is on its way to {target.user.name}'s own address ({target.user.email}). "
              f"It works once, for {current_app.config['SET_PASSWORD_LINK_HOURS']} hours; "
              "any link sent before stops working.", "success")
    return redirect(url_for("groups.roles", slug=group.slug, **_roles_place()))


@bp.route("/<slug>/settings", methods=["GET", "POST"])
@organizer_required
def settings(group, member):
    form = GroupForm(obj=group, time_zones=time_zone_names())
    if form.validate_on_submit():
        with attempt() as action:
            service.update_group(
                group, form.name.data, form.time_zone.data, form.repeat_cooldown_weeks.data
            )
        if action.ok:
            flash("Group settings saved.", "success")
            return redirect(url_for("groups.settings", slug=group.slug))
    invite_link = external_url("groups.join", code=group.invite_code)
    return render_template(
        "groups/settings.html",
        group=group,
        member=member,
        form=form,
        invite_link=invite_link,
        confirm_form=ConfirmForm(),
        leave_form=ConfirmForm(),
    )


@bp.route("/<slug>/invite/rotate", methods=["POST"])
@organizer_required
def rotate_invite(group, member):
    if ConfirmForm().validate_on_submit():
        with transaction():
            service.rotate_invite_code(group)
        flash("A new invite link is ready. The old link no longer works.", "success")
    return redirect(url_for("groups.settings", slug=group.slug))


@bp.route("/<slug>/leave", methods=["POST"])
@member_required
def leave(group, member):
    if ConfirmForm().validate_on_submit():
        with attempt() as action:
            service.remove_member(group, current_user.id, leaving=True)
        if not action.ok:
            return redirect(url_for("groups.detail", slug=group.slug))
        flash(f"You left {group.name}.", "info")
    return redirect(url_for("groups.index"))
