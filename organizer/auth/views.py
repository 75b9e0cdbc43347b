import re
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from organizer.actions import attempt
from organizer.auth import service, throttle
from organizer.auth.forms import ChangePasswordForm, ForgotPasswordForm, LoginForm, SetPasswordForm, SignupForm
from organizer.database import transaction
from organizer.extensions import limiter
from organizer.forms import ConfirmForm
from organizer.groups import service as groups
from organizer.messages.invitations import send_password_reset
from organizer.models import utcnow
from organizer.urls import safe_next_url

bp = Blueprint("auth", __name__, url_prefix="/auth")


def login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def submitted_email() -> str:
    return service.normalize_email(request.form.get("email", ""))


def address_and_email() -> str:
    return f"{get_remote_address()}|{submitted_email()}"


def login_failed(response) -> bool:
    """A login POST that did not sign anyone in (a success redirects)."""
    return response.status_code != 302


def signed_in_user_key() -> str:
    return f"user:{current_user.get_id()}"


@bp.before_app_request
def keep_session_fresh():
    """Ends a session past its lifetime or idle timeout, and records activity on a live one
    (a write at most every few minutes, whatever the method: the idle timeout needs it)."""
    token = session.get("auth_token")
    if not token or request.endpoint == "static":
        return
    limits = service.session_limits(current_app.config)
    now = utcnow()
    if current_user.is_authenticated:
        last_seen = g.get("session_last_seen")
        stale = (service.needs_touch(last_seen, now, limits) if last_seen is not None
                 else service.session_needs_touch(token, now, limits))
        if stale:
            # Bookkeeping of the session store, on any request (GET included): the idle
            # timeout needs activity recorded. Its own transaction, before the view's.
            with transaction():
                service.touch_session(token, now)
        return
    # The cookie names a session that has expired (or was ended): forget it in this browser too.
    with transaction():
        service.log_out(token)
    session.clear()
    flash("Your session has expired. Log in again.", "info")


def start_session(user, token: str) -> None:
    session.clear()  # a fresh session: nothing carried over from before the login
    login_user(user)
    session["auth_token"] = token


def after_login_url(form_next: str | None):
    return safe_next_url(form_next) or url_for("home.index")


INVITE_PATH = re.compile(r"^/groups/join/([A-Za-z0-9_-]{1,64})$")


def invited_group(form_next: str | None):
    """The group an invite link names, when the person came to sign up or log in from it."""
    match = INVITE_PATH.match(urlsplit(form_next or "").path) if form_next else None
    return groups.group_by_invite_code(match.group(1)) if match else None


def join_invited_group(user, form_next: str | None):
    """Signing up (or logging in) from an invite link joins that group in the same step:
    the person already said yes by following it. Returns where to go next."""
    group = invited_group(form_next)
    if group is None:
        return after_login_url(form_next)
    with attempt() as action:
        joined, is_new = groups.join_group(user, group.invite_code)
    if not action.ok:
        return url_for("groups.index")
    flash(f"Welcome to {joined.name}." if is_new else f"You are already in {joined.name}.", "success")
    return url_for("groups.detail", slug=joined.slug)


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignupForm(next=request.args.get("next"))
    if form.validate_on_submit():
        with attempt(flash_refusal=False) as action:
            user, token = service.sign_up(form.name.data, form.email.data, form.password.data)
        if not action.ok:
            form.email.errors.append(str(action.refusal))
        else:
            start_session(user, token)
            if invited_group(form.next.data) is None:
                flash(f"Welcome to Give First, {user.name}.", "success")
            return redirect(join_invited_group(user, form.next.data))
    return render_template("auth/signup.html", form=form, joining=invited_group(form.next.data))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
@limiter.limit(login_rate_limit, methods=["POST"], key_func=address_and_email, deduct_when=login_failed)
def login():
    """Throttled per address, per address and email, and slowed (never refused) per email:
    see organizer.auth.throttle."""
    if current_user.is_authenticated:
        return redirect(after_login_url(request.args.get("next")))
    form = LoginForm(next=request.args.get("next"))
    if form.validate_on_submit():
        email = service.normalize_email(form.email.data)
        throttle.slow_down_if_under_attack(email)
        with transaction():  # a password hash made stronger and the new session commit together
            user = service.authenticate(email, form.password.data)
            token = service.log_in(user, service.session_limits(current_app.config)) if user else None
        if user is None:
            throttle.record_failure(email)
            flash("That email and password do not match an account.", "error")
        else:
            start_session(user, token)
            return redirect(after_login_url(form.next.data))
    return render_template("auth/login.html", form=form)


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def forgot_password():
    """Self-service recovery: a one-time, expiring link goes to the address itself when it is
    an account's (see organizer.messages.invitations). The page says the same whatever the
    email (which emails have accounts is not revealed)."""
    form = ForgotPasswordForm()
    asked = form.validate_on_submit()
    if asked:
        with transaction():
            send_password_reset(form.email.data, utcnow())
    return render_template("auth/forgot_password.html", form=form, asked=asked,
                           minutes=current_app.config["PASSWORD_RESET_LINK_MINUTES"])


@bp.route("/logout", methods=["POST"])
def logout():
    form = ConfirmForm()
    if form.validate_on_submit():
        with transaction():
            service.log_out(session.get("auth_token"))
        logout_user()
        session.clear()
        flash("You are logged out.", "info")
    return redirect(url_for("home.index"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit(login_rate_limit, methods=["POST"])
@limiter.limit(login_rate_limit, methods=["POST"], key_func=signed_in_user_key)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        with attempt(flash_refusal=False) as action:
            token = service.change_password(current_user, form.current_password.data, form.password.data)
        if not action.ok:
            form.current_password.errors.append(str(action.refusal))
        else:
            start_session(current_user._get_current_object(), token)
            flash("Your password is changed. Other browsers signed in as you are logged out.", "success")
            return redirect(url_for("home.index"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def set_password(token: str):
    link = service.valid_set_password_token(token)
    if link is None:
        return render_template("auth/set_password_invalid.html"), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        with attempt() as action:
            user, session_token = service.set_password_with_token(token, form.password.data)
        if not action.ok:
            return redirect(url_for("home.index"))
        start_session(user, session_token)
        flash("Your password is set. Welcome.", "success")
        return redirect(url_for("home.index"))
    return render_template("auth/set_password.html", form=form, user=link.user)
