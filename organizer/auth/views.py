from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from organizer.auth import service
from organizer.auth.forms import ChangePasswordForm, LoginForm, SetPasswordForm, SignupForm
from organizer.errors import ActionRefused
from organizer.extensions import limiter
from organizer.forms import ConfirmForm

bp = Blueprint("auth", __name__, url_prefix="/auth")


def login_rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def submitted_email() -> str:
    return service.normalize_email(request.form.get("email", ""))


def safe_next_url(target: str | None) -> str | None:
    """Only a path on this site: never another host, scheme or a protocol-relative URL."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(c in target for c in "\\\r\n\t"):
        return None
    return target


def start_session(user, token: str) -> None:
    session.clear()  # a fresh session: nothing carried over from before the login
    login_user(user)
    session["auth_token"] = token


def after_login_url(form_next: str | None):
    return safe_next_url(form_next) or url_for("home.index")


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = SignupForm(next=request.args.get("next"))
    if form.validate_on_submit():
        try:
            user, token = service.sign_up(form.name.data, form.email.data, form.password.data)
        except ActionRefused as refusal:
            form.email.errors.append(str(refusal))
        else:
            start_session(user, token)
            flash(f"Welcome to Give First, {user.name}.", "success")
            return redirect(after_login_url(form.next.data))
    return render_template("auth/signup.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_rate_limit, methods=["POST"])
@limiter.limit(login_rate_limit, methods=["POST"], key_func=submitted_email)
def login():
    if current_user.is_authenticated:
        return redirect(after_login_url(request.args.get("next")))
    form = LoginForm(next=request.args.get("next"))
    if form.validate_on_submit():
        user = service.authenticate(form.email.data, form.password.data)
        if user is None:
            flash("That email and password do not match an account.", "error")
        else:
            start_session(user, service.log_in(user))
            return redirect(after_login_url(form.next.data))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    form = ConfirmForm()
    if form.validate_on_submit():
        service.log_out(session.get("auth_token"))
        logout_user()
        session.clear()
        flash("You are logged out.", "info")
    return redirect(url_for("home.index"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            token = service.change_password(
                current_user, form.current_password.data, form.password.data
            )
        except ActionRefused as refusal:
            form.current_password.errors.append(str(refusal))
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
        try:
            user, session_token = service.set_password_with_token(token, form.password.data)
        except ActionRefused as refusal:
            flash(str(refusal), "error")
            return redirect(url_for("home.index"))
        start_session(user, session_token)
        flash("Your password is set. Welcome.", "success")
        return redirect(url_for("home.index"))
    return render_template("auth/set_password.html", form=form, user=link.user)
