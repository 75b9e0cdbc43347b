"""Between lunches: the asks board, offers of help, introductions, blocks, and the organizers'
view. Every post is one transaction; a refusal is flashed and nothing is kept."""

from collections.abc import Callable

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from organizer import actions
from organizer.access import member_required, organizer_required
from organizer.asks import board, introductions, outcomes, service
from organizer.asks import report as reporting
from organizer.asks.forms import (
    AnswerForm,
    BlockForm,
    FollowUpForm,
    HelpedForm,
    IntroductionAnswerForm,
    IntroductionForm,
    OfferHelpForm,
)
from organizer.asks.rules import visible_need, visible_need_ids
from organizer.forms import ConfirmForm
from organizer.groups.memberships import membership
from organizer.members.service import published_partner_ids, tag_suggestions
from organizer.models import utcnow
from organizer.paging import page_number
from organizer.urls import id_arg

bp = Blueprint("asks", __name__, url_prefix="/groups/<slug>/asks")


def attempt(action: Callable[[], object], done: str) -> bool:
    """Runs one action through the app's boundary (organizer.actions.attempt: one transaction,
    a refusal rolled back and flashed) and flashes `done` when it went through."""
    with actions.attempt() as outcome:
        action()
    if outcome.ok:
        flash(done, "success")
    return outcome.ok


def per_day() -> int:
    return current_app.config["ASKS_PER_DAY"]


# --- the board ------------------------------------------------------------------------------

@bp.route("/")
@member_required
def index(group, member):
    tag = request.args.get("tag", "")[:40]
    matching_only = request.args.get("matching") == "1"
    page = board.board_page(member, partner_ids=published_partner_ids(member, utcnow()), tag=tag,
                            matching_only=matching_only, number=page_number(request.args.get("page")))
    return render_template("asks/index.html", group=group, member=member, page=page, now=utcnow(),
                           tag=tag.strip().lower(), matching_only=matching_only,
                           tag_suggestions=tag_suggestions(member))


# --- offers of help -------------------------------------------------------------------------

@bp.route("/needs/<int:need_id>/help", methods=["GET", "POST"])
@member_required
def offer_help(group, member, need_id: int):
    partners = published_partner_ids(member, utcnow())
    need = visible_need(member, need_id, partners) or abort(404)
    if need.membership_id == member.id:
        flash("This is your own need: the offers of help on it are on your page.", "info")
        return redirect(url_for("asks.mine", slug=group.slug))
    form = OfferHelpForm()
    if form.validate_on_submit():
        if attempt(lambda: service.offer_help(member, need.id, form.kind.data, form.message.data,
                                              partner_ids=partners, now=utcnow(), per_day=per_day()),
                   f"Thank you: {need.membership.user.name} will see your offer of help."):
            return redirect(url_for("asks.mine", slug=group.slug, _anchor="offers-made"))
    elif request.method == "POST":
        flash("Say in a few words how you can help, and choose what kind.", "error")
    return render_template("asks/offer_help.html", group=group, member=member, need=need, form=form), \
        (400 if request.method == "POST" else 200)


def _offer(group, offer_id: int):
    return service.offer_in_group(group.id, offer_id) or abort(404)


@bp.route("/offers/<int:help_offer_id>/answer", methods=["POST"])
@member_required
def answer_offer(group, member, help_offer_id: int):
    offer = _offer(group, help_offer_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        flash("Choose an answer.", "error")
    else:
        done = {"accept": f"Yes please: you and {offer.helper.name} can now see each other's contact details.",
                "decline": "Declined. Nothing was shared.",
                "done": f"Thank you for telling us: {offer.helper.name}'s help is counted.",
                "met": f"Your need is met, and {offer.helper.name}'s help is counted."}[form.answer.data]
        attempt(lambda: service.answer(member, offer, form.answer.data, utcnow()), done)
    return redirect(url_for("asks.mine", slug=group.slug, _anchor=f"offer-{offer.id}"))


@bp.route("/offers/<int:help_offer_id>/follow-up", methods=["POST"])
@member_required
def follow_up(group, member, help_offer_id: int):
    offer = _offer(group, help_offer_id)
    form = FollowUpForm()
    if not form.validate_on_submit():
        flash("Choose met, still open or not helpful.", "error")
    else:
        attempt(lambda: service.answer_follow_up(member, offer, form.answer.data, utcnow()),
                f"Thank you: {offer.helper.name} will see how it went.")
    return redirect(url_for("asks.mine", slug=group.slug))


@bp.route("/offers/<int:help_offer_id>/withdraw", methods=["POST"])
@member_required
def withdraw_offer(group, member, help_offer_id: int):
    offer = _offer(group, help_offer_id)
    if ConfirmForm().validate_on_submit():
        attempt(lambda: service.withdraw(member, offer), "Your offer of help is withdrawn.")
    return redirect(url_for("asks.mine", slug=group.slug, _anchor="offers-made"))


@bp.route("/offers/<int:help_offer_id>/remove", methods=["POST"])
@organizer_required
def remove_offer(group, member, help_offer_id: int):
    offer = _offer(group, help_offer_id)
    if ConfirmForm().validate_on_submit():
        attempt(lambda: service.remove_by_organizer(member, offer), "The offer of help is removed.")
    return redirect(url_for("asks.report", slug=group.slug, _anchor="moderation"))


# --- my page: offers received and made, introductions, follow-ups ---------------------------------

@bp.route("/mine")
@member_required
def mine(group, member):
    now = utcnow()
    partners = published_partner_ids(member, now)
    received = service.offers_received(member)
    made = service.offers_made(member)
    intros = introductions.introductions_of(member)
    visible = visible_need_ids(member, [o.need_id for o in made] + [i.need_id for i in intros], partners)
    return render_template(
        "asks/mine.html", group=group, member=member, now=now,
        received=service.rows_for(member, received, visible), made=service.rows_for(member, made, visible),
        follow_ups=service.follow_ups_due(member, now), introductions=intros, visible_needs=visible,
        side_of=introductions.side_of, contacts_shown=introductions.contacts_shown,
        outside_texts=introductions.outside_texts, kind_words=service.kind_words,
        ledger=outcomes.ledger_counts(group.id, member.user_id), confirm_form=ConfirmForm(),
    )


# --- introductions ----------------------------------------------------------------------------

@bp.route("/introductions/new", methods=["GET", "POST"])
@member_required
def new_introduction(group, member):
    partners = published_partner_ids(member, utcnow())
    form = IntroductionForm()
    if request.method == "GET":
        form.need_id.data = id_arg("need")
        first = id_arg("first")
        if first is not None:
            target = membership(group.id, first)
            form.first.data = f"{target.user.name} (#{target.user_id})" if target else ""
    submitted = form.validate_on_submit()
    need_id = None if form.need_id.errors else form.need_id.data  # validated: an id the database can hold
    need = visible_need(member, need_id, partners) if need_id else None
    if submitted:
        data = introductions.IntroductionInput(
            first=form.first.data, second=form.second.data or "", outside_name=form.outside_name.data or "",
            outside_contact=form.outside_contact.data or "", reason=form.reason.data,
            need_id=form.need_id.data)
        created = []
        if attempt(lambda: created.append(introductions.propose(member, data, partner_ids=partners, now=utcnow(),
                                                                 per_day=per_day())),
                   "Proposed. Each side sees why and says yes or no; nothing is shared before both say yes."):
            return redirect(url_for("asks.introduction", slug=group.slug, introduction_id=created[0].id))
    elif request.method == "POST":
        flash("Choose whom to introduce, to whom, and say why.", "error")
    return render_template("asks/new_introduction.html", group=group, member=member, form=form, need=need), \
        (400 if request.method == "POST" else 200)


def _introduction(group, member, introduction_id: int):
    intro = introductions.introduction_in_group(group.id, introduction_id)
    if intro is None or not introductions.may_see(intro, member):
        abort(404)
    return intro


@bp.route("/introductions/<int:introduction_id>")
@member_required
def introduction(group, member, introduction_id: int):
    intro = _introduction(group, member, introduction_id)
    partners = published_partner_ids(member, utcnow())
    return render_template(
        "asks/introduction.html", group=group, member=member, intro=intro,
        side=introductions.side_of(intro, member.user_id),
        need_shown=bool(intro.need_id) and bool(visible_need_ids(member, [intro.need_id], partners)),
        contacts=introductions.contacts_shown(intro, member),
        texts=introductions.outside_texts(intro, member.user.name) if intro.introducer_id == member.user_id else [],
        confirm_form=ConfirmForm())


@bp.route("/introductions/<int:introduction_id>/answer", methods=["POST"])
@member_required
def answer_introduction(group, member, introduction_id: int):
    intro = _introduction(group, member, introduction_id)
    form = IntroductionAnswerForm()
    if not form.validate_on_submit():
        flash("Choose yes or no.", "error")
    else:
        yes = form.answer.data == "yes"
        attempt(lambda: introductions.answer(member, intro, yes, utcnow()),
                "Thank you: your yes is noted." if yes else "Noted: the introduction will not go ahead.")
    return redirect(url_for("asks.introduction", slug=group.slug, introduction_id=intro.id))


@bp.route("/introductions/<int:introduction_id>/helped", methods=["POST"])
@member_required
def introduction_helped(group, member, introduction_id: int):
    intro = _introduction(group, member, introduction_id)
    form = HelpedForm()
    if form.validate_on_submit():
        attempt(lambda: introductions.helped(member, intro, utcnow(), met=form.answer.data == "met"),
                f"Thank you: {intro.introducer.name}'s introduction is counted.")
    else:
        flash("That did not work; reload the page and try again.", "error")
    return redirect(url_for("asks.introduction", slug=group.slug, introduction_id=intro.id))


@bp.route("/introductions/<int:introduction_id>/withdraw", methods=["POST"])
@member_required
def withdraw_introduction(group, member, introduction_id: int):
    intro = _introduction(group, member, introduction_id)
    if ConfirmForm().validate_on_submit():
        attempt(lambda: introductions.withdraw(member, intro, utcnow()), "The introduction is withdrawn.")
    return redirect(url_for("asks.mine", slug=group.slug, _anchor="introductions"))


@bp.route("/introductions/<int:introduction_id>/remove", methods=["POST"])
@organizer_required
def remove_introduction(group, member, introduction_id: int):
    intro = introductions.introduction_in_group(group.id, introduction_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        attempt(lambda: introductions.remove_by_organizer(member, intro, utcnow()), "The introduction is removed.")
    return redirect(url_for("asks.report", slug=group.slug, _anchor="moderation"))


# --- blocks -----------------------------------------------------------------------------------

@bp.route("/blocks", methods=["GET", "POST"])
@member_required
def blocks(group, member):
    form = BlockForm()
    if form.validate_on_submit():
        if attempt(lambda: service.block(group.id, member.user, form.member.data, member.user),
                   "Blocked: they can no longer offer you help nor introduce you. Nobody else sees this."):
            return redirect(url_for("asks.blocks", slug=group.slug))
    return render_template("asks/blocks.html", group=group, member=member, form=form,
                           blocks=service.blocks_of(group.id, member.user_id), confirm_form=ConfirmForm())


@bp.route("/blocks/<int:block_id>/remove", methods=["POST"])
@member_required
def remove_block(group, member, block_id: int):
    if ConfirmForm().validate_on_submit():
        attempt(lambda: service.unblock(group.id, block_id, user_id=member.user_id), "Block removed.")
    return redirect(url_for("asks.blocks", slug=group.slug))


# --- organizers -------------------------------------------------------------------------------

@bp.route("/report", methods=["GET", "POST"])
@organizer_required
def report(group, member):
    form = BlockForm()
    if form.validate_on_submit():
        if attempt(lambda: service.block(group.id, None, form.member.data, member.user),
                   "Blocked: that member can no longer offer help nor introduce anyone in this group."):
            return redirect(url_for("asks.report", slug=group.slug, _anchor="blocks"))
    return render_template(
        "asks/report.html", group=group, member=member, figures=reporting.figures(group.id, utcnow()),
        unanswered=reporting.unanswered_page(group.id, page_number(request.args.get("page"))),
        offers=service.offers_for_organizers(group.id),
        introductions=introductions.introductions_for_organizers(group.id),
        blocks=service.blocks_of(group.id, None), form=form, confirm_form=ConfirmForm(),
        kind_words=service.kind_words)


@bp.route("/report/blocks/<int:block_id>/remove", methods=["POST"])
@organizer_required
def remove_organizer_block(group, member, block_id: int):
    if ConfirmForm().validate_on_submit():
        attempt(lambda: service.unblock(group.id, block_id, user_id=None), "Block removed.")
    return redirect(url_for("asks.report", slug=group.slug, _anchor="blocks"))
