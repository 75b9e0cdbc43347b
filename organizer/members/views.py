from flask import Blueprint, render_template

from organizer.access import member_required

bp = Blueprint("members", __name__, url_prefix="/groups/<slug>/members")


@bp.route("/")
@member_required
def index(group, member):
    return render_template("members/index.html", group=group, member=member)
