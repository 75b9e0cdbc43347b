from flask import Blueprint, redirect, render_template, session, url_for
from flask_login import current_user

from organizer.groups.service import memberships_of, pending_invitations

bp = Blueprint("home", __name__)


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return render_template("home/welcome.html")
    if pending_invitations(current_user.id):
        return redirect(url_for("groups.index"))  # the invitations wait there for an answer
    memberships = memberships_of(current_user.id)
    current = next((m for m in memberships if m.group_id == session.get("group_id")), None)
    if current is None and len(memberships) == 1:
        current = memberships[0]
    if current is not None:
        return redirect(url_for("groups.detail", slug=current.group.slug))
    return redirect(url_for("groups.index"))
