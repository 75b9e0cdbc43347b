"""The help model's page for organizers (the group's own terms, wishes and corrections), and
the posts that members and organizers make to it."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from organizer.access import member_required, organizer_required
from organizer.actions import attempt
from organizer.forms import ConfirmForm
from organizer.help import service
from organizer.help.forms import CorrectionForm, MarkForm, TermForm
from organizer.members.pages import named_member
from organizer.members.service import own_need
from organizer.models import LinkKind
from organizer.paging import page_number

bp = Blueprint("help", __name__, url_prefix="/groups/<slug>/help")


@bp.route("/", methods=["GET", "POST"])
@organizer_required
def index(group, member):
    form = TermForm()
    if form.validate_on_submit():
        with attempt() as action:
            service.add_term(group.id, form.phrase.data, form.meaning.data, member.user)
        if action.ok:
            flash("Added. It counts from the next pairing on.", "success")
            return redirect(url_for("help.index", slug=group.slug))
    return _help_page(group, member, form, CorrectionForm(formdata=None))


def _help_page(group, member, term_form: TermForm, correction_form: CorrectionForm, status: int = 200):
    return render_template("help/index.html", group=group, member=member, form=term_form,
                           terms=service.terms_of(group.id),
                           links=service.links_page(group.id, page_number(request.args.get("page"))),
                           confirm_form=ConfirmForm(), correction_form=correction_form), status


@bp.route("/terms/<int:term_id>/remove", methods=["POST"])
@organizer_required
def remove_term(group, member, term_id: int):
    if ConfirmForm().validate_on_submit():
        with attempt() as action:
            service.remove_term(group.id, term_id)
        if action.ok:
            flash("Removed.", "success")
    return redirect(url_for("help.index", slug=group.slug))


@bp.route("/needs/<int:need_id>/mark", methods=["POST"])
@member_required
def mark(group, member, need_id: int):
    need = own_need(member, need_id) or abort(404)
    form = MarkForm()
    if form.validate_on_submit():
        with attempt() as action:
            service.mark_own_need(member, need, form.helper.data, LinkKind(form.kind.data))
        if action.ok:
            flash("Noted: the next pairing will try to seat you together." if form.kind.data == "wish"
                  else "Noted: that will not count for this need any more.", "success")
    else:
        flash("That did not work; reload the page and try again.", "error")
    return redirect(url_for("members.mine", slug=group.slug, _anchor=f"need-{need.id}"))


@bp.route("/links/<int:link_id>/remove", methods=["POST"])
@member_required
def remove_link(group, member, link_id: int):
    if ConfirmForm().validate_on_submit():
        with attempt() as action:
            service.remove_link(member, link_id)
        if action.ok:
            flash("Withdrawn.", "success")
    back = request.form.get("back")
    if back == "help" and member.is_organizer:  # the same page of the list (the last, if it is gone)
        number = page_number(request.form.get("page"))
        return redirect(url_for("help.index", slug=group.slug, page=number if number > 1 else None,
                                _anchor="links-heading"))
    return redirect(url_for("members.mine", slug=group.slug))


@bp.route("/corrections", methods=["POST"])
@organizer_required
def correct(group, member):
    """A link marked wrong from the pairing review (``event``: back there), or one added on the
    help page by typing two names (when it fails, the page again, with what was typed and why)."""
    form = CorrectionForm()
    if form.validate_on_submit():
        helper, helped = named_member(group.id, form.helper), named_member(group.id, form.helped)
        if helper is not None and helped is not None:
            with attempt(flash_refusal=False) as action:
                service.correct(member, helper.user_id, helped.user_id, form.need.data, LinkKind(form.kind.data),
                                form.text.data or "")
            if action.ok:
                flash("Noted: the help model follows it from the next pairing on.", "success")
                return _back_from_correction(group, form)
            form.form_errors.append(str(action.refusal))
    again = "That did not work: reload the page and try again."
    if form.event.data:  # from the pairing review, whose fields are hidden: why, there
        named = [*form.helper.errors, *form.helped.errors] if form.helper.data and form.helped.data else []
        flash(" ".join(map(str, form.form_errors or named)) or again, "error")
        return _back_from_correction(group, form)
    if not [*form.form_errors, *form.helper.errors, *form.helped.errors, *form.text.errors]:
        form.form_errors.append(again)  # an expired page (its CSRF token) or a tampered one
    return _help_page(group, member, TermForm(formdata=None), form, status=400)


def _back_from_correction(group, form: CorrectionForm):
    if form.event.data:
        return redirect(url_for("pairing.index", slug=group.slug, event_id=form.event.data))
    return redirect(url_for("help.index", slug=group.slug))
