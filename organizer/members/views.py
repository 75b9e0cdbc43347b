import base64
import binascii
from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from organizer.access import member_required, organizer_required
from organizer.actions import attempt
from organizer.asks import service as asks
from organizer.database import transaction
from organizer.forms import ConfirmForm
from organizer.groups.memberships import membership
from organizer.help import service as help_model
from organizer.members import directory, roster, service
from organizer.members.forms import (
    DoNotPairForm,
    ImportConfirmForm,
    ImportUploadForm,
    NeedForm,
    OfferForm,
    OrganizerDoNotPairForm,
    ProfileForm,
    SearchForm,
)
from organizer.members.pages import named_member
from organizer.models import utcnow
from organizer.outcomes.service import need_history
from organizer.paging import page_number
from organizer.templating import render_alone, render_once

bp = Blueprint("members", __name__, url_prefix="/groups/<slug>/members")


def need_input(form: NeedForm, group) -> service.NeedInput:
    helper = service.member_from_label(group.id, form.helped_by.data or "")
    return service.NeedInput(
        title=form.title.data, details=form.details.data, tags=form.tags.data or "",
        priority=form.priority.data, status=form.status.data, visibility=form.visibility.data,
        helped_by_id=helper.user_id if helper else None,
    )


def offer_input(form: OfferForm, group) -> service.OfferInput:
    return service.OfferInput(title=form.title.data, details=form.details.data, tags=form.tags.data or "",
                              kind=form.kind.data, active=form.active.data)


def need_data(need: service.OwnNeed) -> dict:
    """A saved need's values as its edit form shows them."""
    helper = f"{need.helper_name} (#{need.helped_by_id})" if need.helper_name is not None else ""  # person_label
    return {"title": need.title, "details": need.details, "tags": ", ".join(need.tags), "priority": need.priority,
            "status": need.status, "visibility": need.visibility, "helped_by": helper}


def need_form(group, member, need=None, formdata=None) -> NeedForm:
    """The form of a need being added (no `need`) or saved, filled with what was posted (`formdata`)."""
    prefix = f"need-{need.id}" if need else "new-need"
    return _need_form(prefix, {}, partner_access_hint(group, "it"), formdata)


def _need_form(prefix: str, data: dict, hint: str, formdata=None) -> NeedForm:
    form = NeedForm(formdata=formdata, prefix=prefix, **data)
    form.visibility.description = hint
    return form


def partner_access_hint(group, what: str) -> str:
    weeks = round(service.partner_access_ends_after(group).days / 7)
    after = f"until {weeks} week{'s' if weeks != 1 else ''} after the lunch" if weeks else "until the lunch ends"
    return (f"A lunch partner sees {what} once the pairs are published, {after} "
            "(this group's repeat cool-down); organizers always do.")


def offer_data(offer: service.OwnOffer) -> dict:
    """A saved offer's values as its edit form shows them."""
    return {"title": offer.title, "details": offer.details, "tags": ", ".join(offer.tags), "kind": offer.kind,
            "active": offer.active}


def offer_form(group, member, offer=None, formdata=None) -> OfferForm:
    """The form of an offer being added (no `offer`) or saved, filled with what was posted (`formdata`)."""
    prefix = f"offer-{offer.id}" if offer else "new-offer"
    return _offer_form(prefix, {}, formdata=formdata)


def _offer_form(prefix: str, data: dict, hint: str = "", formdata=None) -> OfferForm:
    return OfferForm(formdata=formdata, prefix=prefix, **data)


ITEM_FIELDS = "members/_item_fields.html"


def item_fields(kind: str, prefix: str, data: dict, hint: str):
    """The fields of a need's or offer's form (``ITEM_FIELDS``) filled with `data` (its saved
    values; none for a new one): rendered once per process for the same values, without building
    the form again. A page shows a form for every item, and building and rendering them cost
    more than the rest of the page; the markup is that of the form, whose values all make the key."""
    make_form = _need_form if kind == "need" else _offer_form
    key = (ITEM_FIELDS, kind, prefix, hint, *data.items())
    return render_once(key, ITEM_FIELDS, lambda: {"form": make_form(prefix, data, hint), "kind": kind})


def render_my_lists(group, member, failed=None, status=200):
    """The needs-and-offers page; `failed` is a form that did not validate, shown with its errors."""
    needs, offers = service.own_items(member)
    hint = partner_access_hint(group, "it")
    need_fields = {n.id: item_fields("need", f"need-{n.id}", need_data(n), hint) for n in needs}
    offer_fields = {o.id: item_fields("offer", f"offer-{o.id}", offer_data(o), hint) for o in offers}
    new_need, new_offer = item_fields("need", "new-need", {}, hint), item_fields("offer", "new-offer", {}, hint)
    if failed is not None:
        kind, item_id, form = failed
        fields = render_alone(ITEM_FIELDS, {"form": form, "kind": kind})
        if kind == "need":
            if item_id is None:
                new_need = fields
            else:
                need_fields[item_id] = fields
        elif item_id is None:
            new_offer = fields
        else:
            offer_fields[item_id] = fields
    return render_template(
        "members/mine.html", group=group, member=member, needs=needs, offers=offers,
        need_fields=need_fields, offer_fields=offer_fields, new_need=new_need, new_offer=new_offer,
        open_item=failed[:2] if failed else None,
        tag_suggestions=service.tag_suggestions(member), confirm_form=ConfirmForm(),
        may_help=help_model.suggestions(member), help_offers=asks.offers_by_need(member),
        need_history=need_history([n.id for n in needs]),
        max_needs=service.MAX_NEEDS, max_offers=service.MAX_OFFERS,
    ), status


@bp.route("/")
@member_required
def index(group, member):
    form = SearchForm(request.args)
    query = (form.q.data or "")[:200]
    tag = request.args.get("tag", "")[:40]
    page = directory.directory_page(member, query=query, tag=tag, number=page_number(request.args.get("page")),
                                    partner_ids=service.published_partner_ids(member, utcnow()))
    return render_template("members/index.html", group=group, member=member, form=form, page=page,
                           query=query, tag=service.normalize_tag(tag),
                           tag_suggestions=service.tag_suggestions(member))


@bp.route("/<int:user_id>")
@member_required
def detail(group, member, user_id: int):
    owner = membership(group.id, user_id)
    if owner is None:
        abort(404)
    partners = service.published_partner_ids(member, utcnow())
    return render_template(
        "members/detail.html", group=group, member=member, owner=owner,
        needs=service.visible_needs_query(member, owner, partners),
        offers=service.visible_offers_query(member, owner),
        show_contact=service.can_see_contact(member, owner, partners),
    )


@bp.route("/me")
@member_required
def mine(group, member):
    return render_my_lists(group, member)


@bp.route("/names.json")
@member_required
def names(group, member):
    """Search-as-you-type for a member choice ("who helped"): at most ten labels."""
    query = request.args.get("q", "")[:80]
    return jsonify([service.person_label(m.user) for m in service.members_named(group.id, query)])


ITEMS: dict[str, tuple[Any, ...]] = {
    # kind: (form builder, form -> input, add, update, remove, find own item, label)
    "need": (need_form, need_input, service.add_need, service.update_need, service.remove_need,
             service.own_need, "Need"),
    "offer": (offer_form, offer_input, service.add_offer, service.update_offer, service.remove_offer,
              service.own_offer, "Offer"),
}


def save_item(group, member, kind: str, item_id: int | None = None):
    """Adds (no id) or edits one of the member's needs or offers; on an error the page comes back
    with that item's form open and its messages."""
    make_form, to_input, add, update, _, find, label = ITEMS[kind]
    item = None if item_id is None else (find(member, item_id) or abort(404))
    form = make_form(group, member, item, formdata=request.form)
    if form.validate_on_submit():
        with attempt(flash_refusal=False) as action:
            if item is None:
                add(member, to_input(form, group))
            else:
                update(item, to_input(form, group))
        if not action.ok:
            form.form_errors.append(str(action.refusal))
        else:
            flash(f"{label} {'added' if item is None else 'saved'}.", "success")
            anchor = f"{kind}s" if item is None else f"{kind}-{item.id}"
            return redirect(url_for("members.mine", slug=group.slug, _anchor=anchor))
    return render_my_lists(group, member, failed=(kind, item_id, form), status=400)


def remove_item(group, member, kind: str, item_id: int):
    *_, remove, find, label = ITEMS[kind]
    item = find(member, item_id) or abort(404)
    if ConfirmForm().validate_on_submit():
        with transaction():
            remove(item)
        flash(f"{label} removed.", "success")
    return redirect(url_for("members.mine", slug=group.slug, _anchor=f"{kind}s"))


@bp.route("/me/needs", methods=["POST"])
@member_required
def add_need(group, member):
    return save_item(group, member, "need")


@bp.route("/me/needs/<int:need_id>", methods=["POST"])
@member_required
def edit_need(group, member, need_id: int):
    return save_item(group, member, "need", need_id)


@bp.route("/me/needs/<int:need_id>/remove", methods=["POST"])
@member_required
def remove_need(group, member, need_id: int):
    return remove_item(group, member, "need", need_id)


@bp.route("/me/offers", methods=["POST"])
@member_required
def add_offer(group, member):
    return save_item(group, member, "offer")


@bp.route("/me/offers/<int:offer_id>", methods=["POST"])
@member_required
def edit_offer(group, member, offer_id: int):
    return save_item(group, member, "offer", offer_id)


@bp.route("/me/offers/<int:offer_id>/remove", methods=["POST"])
@member_required
def remove_offer(group, member, offer_id: int):
    return remove_item(group, member, "offer", offer_id)


@bp.route("/me/profile", methods=["GET", "POST"])
@member_required
def profile(group, member):
    form = ProfileForm(obj=current_user)
    form.contact.description = partner_access_hint(group, "this")
    if form.validate_on_submit():
        with attempt() as action:
            service.update_profile(current_user, name=form.name.data, headline=form.headline.data,
                                   industry=form.industry.data, city=form.city.data, bio=form.bio.data,
                                   contact=form.contact.data)
        if action.ok:
            flash("Profile saved.", "success")
            return redirect(url_for("members.detail", slug=group.slug, user_id=current_user.id))
    return render_template("members/profile.html", group=group, member=member, form=form)


@bp.route("/me/do-not-pair", methods=["GET", "POST"])
@member_required
def my_do_not_pair(group, member):
    form = DoNotPairForm()
    if form.validate_on_submit() and (other := named_member(group.id, form.other)) is not None:
        with attempt() as action:
            service.add_do_not_pair(group, member.user_id, other.user_id, by_organizer=False,
                                    created_by=current_user, note=form.note.data or "")
        if action.ok:
            flash("Saved. You will not be seated with that person. Nobody else sees this.", "success")
            return redirect(url_for("members.my_do_not_pair", slug=group.slug))
    return render_template("members/my_do_not_pair.html", group=group, member=member, form=form,
                           rules=service.my_do_not_pair(group, member.user_id), confirm_form=ConfirmForm())


@bp.route("/me/do-not-pair/<int:rule_id>/remove", methods=["POST"])
@member_required
def remove_my_do_not_pair(group, member, rule_id: int):
    if ConfirmForm().validate_on_submit():
        with attempt(flash_refusal=False) as action:
            service.remove_do_not_pair(group, rule_id, user_id=member.user_id, by_organizer=False)
        if not action.ok:
            abort(404)
        flash("Removed.", "success")
    return redirect(url_for("members.my_do_not_pair", slug=group.slug))


@bp.route("/do-not-pair", methods=["GET", "POST"])
@organizer_required
def do_not_pair(group, member):
    form = OrganizerDoNotPairForm()
    if form.validate_on_submit():
        first, second = named_member(group.id, form.first), named_member(group.id, form.second)
        if first is not None and second is not None:
            with attempt() as action:
                service.add_do_not_pair(group, first.user_id, second.user_id, by_organizer=True,
                                        created_by=current_user, note=form.note.data or "")
            if action.ok:
                flash("Rule added: these two will not be seated together.", "success")
                return redirect(url_for("members.do_not_pair", slug=group.slug))
    return render_template("members/do_not_pair.html", group=group, member=member, form=form,
                           rules=service.organizer_do_not_pair(group), confirm_form=ConfirmForm())


@bp.route("/do-not-pair/<int:rule_id>/remove", methods=["POST"])
@organizer_required
def remove_do_not_pair(group, member, rule_id: int):
    if ConfirmForm().validate_on_submit():
        with attempt(flash_refusal=False) as action:
            service.remove_do_not_pair(group, rule_id, by_organizer=True)
        if not action.ok:
            abort(404)
        flash("Rule removed.", "success")
    return redirect(url_for("members.do_not_pair", slug=group.slug))


@bp.route("/export.csv")
@organizer_required
def export(group, member):
    return Response(
        roster.export(group), mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{group.slug}-members.csv"',
                 "Cache-Control": "no-store"},
    )


@bp.route("/import", methods=["GET", "POST"])
@organizer_required
def import_members(group, member):
    upload = ImportUploadForm()
    if upload.validate_on_submit():
        data = upload.file.data.read(roster.MAX_BYTES + 1)
        return _preview(group, member, data, upload.file.data.filename)
    return render_template("members/import.html", group=group, member=member, form=upload)


def _preview(group, member, data: bytes, filename: str):
    try:
        plan = roster.preview(group, roster.parse(data))
    except roster.ImportRejected as rejection:
        flash(str(rejection), "error")
        return render_template("members/import.html", group=group, member=member, form=ImportUploadForm()), 400
    confirm = ImportConfirmForm(content=base64.b64encode(data).decode())
    return render_template("members/import_preview.html", group=group, member=member, plan=plan,
                           filename=filename, confirm_form=confirm), (200 if plan.ok else 400)


@bp.route("/import/confirm", methods=["POST"])
@organizer_required
def confirm_import(group, member):
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        data = base64.b64decode(form.content.data or "", validate=True)
        plan = roster.preview(group, roster.parse(data))
    except (binascii.Error, roster.ImportRejected) as problem:
        flash(f"The import could not be read again: {problem}", "error")
        return redirect(url_for("members.import_members", slug=group.slug))
    if not plan.ok:
        return _preview(group, member, data, "")
    with transaction():
        result = roster.apply(group, plan, current_user, utcnow())
    return render_template("members/import_done.html", group=group, member=member, result=result,
                           hours=current_app.config["SET_PASSWORD_LINK_HOURS"])
