from flask import Blueprint, render_template

from organizer.access import member_required

bp = Blueprint("events", __name__, url_prefix="/groups/<slug>/events")


@bp.route("/")
@member_required
def index(group, member):
    return render_template("events/index.html", group=group, member=member)
