"""After the lunch: a partner's follow-up, my lunches, my ledger, and the organizers' dashboard,
per-event answers and rules."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from organizer.access import member_required, organizer_required
from organizer.database import transaction
from organizer.errors import ActionRefused
from organizer.events.service import event_in_group, visible_to
from organizer.models import utcnow
from organizer.outcomes import answers, dashboard, history, learning
from organizer.outcomes import service as ledger
from organizer.outcomes.forms import RulesForm
from organizer.outcomes.pages import answer_form
from organizer.paging import page_number

bp = Blueprint("outcomes", __name__, url_prefix="/groups/<slug>/outcomes")


def _event(group, member, event_id: int):
    event = event_in_group(group, event_id)
    if event is None or not visible_to(event, member):
        abort(404)
    return event


@bp.route("/events/<int:event_id>/with/<int:user_id>", methods=["GET", "POST"])
@member_required
def answer(group, member, event_id: int, user_id: int):
    event = _event(group, member, event_id)
    now = utcnow()
    follow_up = next((f for f in answers.follow_ups(member, now, event=event) if f.partner.id == user_id), None)
    if follow_up is None:  # not a table mate of theirs, or the lunch has not taken place: nothing to show
        flash("You can say how a lunch went once it has taken place, about the people who sat at your table.",
              "info")
        return redirect(url_for("outcomes.lunches", slug=group.slug))
    form = answer_form(follow_up, formdata=request.form if request.method == "POST" else None)
    if request.method == "POST":
        if form.validate_on_submit():
            data = answers.AnswerInput(
                helped=form.helped.data or None, need_ids=list(form.needs.data or []),
                something_else=form.something_else.data or "", gave=list(form.gave.data or []),
                note=form.note.data or "", note_for_organizers=form.note_for_organizers.data,
                mark=form.mark.data or "", gave_partner=list(form.gave_partner.data or []),
                gave_partner_text=form.gave_partner_text.data or "")
            try:
                with transaction():
                    answers.save_answer(member, event, user_id, data, now)
            except ActionRefused as refusal:
                flash(str(refusal), "error")
            else:
                flash(f"Thank you: your answer about {follow_up.partner.name} is saved."
                      + (" Your note goes to them." if data.note.strip() else ""), "success")
                back = request.form.get("back")
                if back == "overview":
                    return redirect(url_for("groups.detail", slug=group.slug))
                if back == "event":
                    return redirect(url_for("events.detail", slug=group.slug, event_id=event.id))
                return redirect(url_for("outcomes.lunches", slug=group.slug))
        else:
            flash("Check the answer: " + "; ".join(e for errors in form.errors.values() for e in errors), "error")
    return render_template("outcomes/answer.html", group=group, member=member, event=event, follow_up=follow_up,
                           form=form, now=now)


@bp.route("/lunches")
@member_required
def lunches(group, member):
    return render_template("outcomes/lunches.html", group=group, member=member,
                           lunches=history.my_lunches(member, utcnow()))


@bp.route("/ledger")
@member_required
def mine(group, member):
    return render_template("outcomes/ledger.html", group=group, member=member,
                           counts=ledger.ledger_counts(group.id, member.user_id),
                           lines=ledger.lines_of(group.id, member.user_id),
                           notes=answers.notes_received(member, limit=50),
                           sent=answers.notes_sent(member, limit=50))


@bp.route("/dashboard")
@organizer_required
def dashboard_page(group, member):
    figures = dashboard.figures(group, utcnow())
    people = dashboard.people(group, *(page_number(request.args.get(name)) for name in ("givers", "gone", "ledger")))
    return render_template("outcomes/dashboard.html", group=group, member=member, figures=figures,
                           givers=people.givers, gone=people.gone, ledger=people.ledger)


@bp.route("/dashboard/<name>.svg")
@organizer_required
def plot(group, member, name: str):
    figure = next((f for f in dashboard.figures(group, utcnow()) if f.name == name), None)
    if figure is None:
        abort(404)
    return Response(dashboard.svg(figure), mimetype="image/svg+xml")


@bp.route("/dashboard.csv")
@organizer_required
def figures_csv(group, member):
    return Response(dashboard.figures_csv(dashboard.figures(group, utcnow())), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{group.slug}-outcomes.csv"'})


@bp.route("/events/<int:event_id>")
@organizer_required
def event_answers(group, member, event_id: int):
    event = _event(group, member, event_id)
    return render_template("outcomes/event.html", group=group, member=member, event=event,
                           report=history.event_report(event, member))


@bp.route("/rules", methods=["GET", "POST"])
@organizer_required
def rules(group, member):
    current = learning.rules_of(group.id)
    form = RulesForm()
    if request.method == "GET":
        form.process(data={"boost_per_person": round(current.boost_per_person * 100),
                           "max_boost": round((current.max_boost - 1) * 100),
                           "rematch": "no" if current.rematch_weeks is None else "yes",
                           "rematch_weeks": current.rematch_weeks if current.rematch_weeks is not None else 2,
                           "learn_links": current.learn_links})
    elif form.validate_on_submit():
        if form.rematch.data == "yes" and form.rematch_weeks.data is None:
            flash("Say after how many weeks they may meet again.", "error")
        else:
            with transaction():
                learning.save_rules(group, form.boost_per_person.data / 100, 1 + form.max_boost.data / 100,
                                    form.rematch_weeks.data if form.rematch.data == "yes" else None,
                                    form.learn_links.data, utcnow())
            flash("Saved. The next pairing follows these rules.", "success")
            return redirect(url_for("outcomes.rules", slug=group.slug))
    return render_template("outcomes/rules.html", group=group, member=member, form=form,
                           cooldown=group.repeat_cooldown_weeks)
