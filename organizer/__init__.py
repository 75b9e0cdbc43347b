"""Give First: the app factory.

Flask and the extensions are imported inside the factory, so that the pure parts of the
package (`python -m organizer.matching`) start without loading the web stack.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: dict | None = None) -> Flask:
    from werkzeug.middleware.proxy_fix import ProxyFix

    from organizer.templating import Environment
    from organizer.webapp import App

    app = App(
        __name__,
        instance_path=os.environ.get("GIVEFIRST_INSTANCE_PATH") or None,
        template_folder="../templates",
        static_folder="../static",
    )
    app.jinja_environment = Environment  # before anything builds app.jinja_env (the extensions do)
    if test_config is None:
        app.config.from_object("config.Config")
    else:
        app.config.from_object("config.TestConfig")
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path))
    if app.config["PROXY_COUNT"]:
        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]

    register_extensions(app)
    register_url_converters(app)
    register_input_guard(app)
    register_blueprints(app)
    limiter_hooks_on_writes_only(app)
    register_errorhandlers(app)
    register_security_headers(app)
    register_template_helpers(app)
    register_cli(app)
    register_reactions(app)
    return app


def settle_startup_objects() -> None:
    """Once a process has started (its modules imported, the app built), sets what it holds out
    of the garbage collector's way (``gc.freeze``): a full collection walks every tracked
    object, and the 166,000 a web process holds after start-up cost 70-80 ms a time. A door's
    re-pairing of 1,000 allocates enough to set one off every second or third run (bench/door.py,
    few topics, 13 re-pairings: 5 full collections, 0.6 s in all; frozen, 7 of 20 ms each).
    Garbage is collected first, so that only what lives stays; what the process makes later is
    collected as usual. Called by the entry points (app.py: the web workers and every `flask`
    command, the pairing worker included) and by the pairing's child process; not by
    ``create_app``, which the tests call again and again."""
    import gc

    gc.collect()
    gc.freeze()


def instance_secret_key(instance_dir: Path) -> str:
    """Reads the key kept in instance/, creating it once (safe when several workers start together)."""
    path = instance_dir / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError as exists:
        key = path.read_text().strip()
        if key:
            return key
        raise RuntimeError(f"{path} is empty: delete it or set SECRET_KEY") from exists
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w") as f:
        f.write(key + "\n")
    return key


def register_extensions(app: Flask) -> None:
    from flask import g, session

    from organizer.access import load_signed_in
    from organizer.auth.service import configure_password_hashing, session_limits
    from organizer.database import configure_database
    from organizer.extensions import csrf, db, limiter, login_manager, mail, migrate
    from organizer.forms import take_remembered_csrf_token

    configure_password_hashing(app.config["PASSWORD_HASH_PROFILE"])
    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    app.before_request(take_remembered_csrf_token)  # every form of a request writes the remembered token
    limiter.init_app(app)
    mail.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str):
        found = load_signed_in(user_id, session.get("auth_token"), session_limits(app.config))
        if found is None:
            return None
        user, g.session_last_seen = found  # keep_session_fresh reads it: no second lookup
        return user

    configure_database(app)


def register_url_converters(app: Flask) -> None:
    from organizer.urls import DatabaseIdConverter

    app.url_map.converters["int"] = DatabaseIdConverter


def limiter_hooks_on_writes_only(app: Flask) -> None:
    """Reads skip the request hooks Flask-Limiter puts on every request, about 5% of the CPU of
    the busiest page (the group home under gunicorn on PostgreSQL), where they cannot matter.

    Every rate limit here is a view decorator, which checks its own limits when its view runs;
    the hooks add the limits that apply to every request (application, default and blueprint
    limits, none here) and, after a limited request, its headers and the deductions of a failed
    login. So a request skips them only when it reads (no database.WRITE_METHODS) a view without a
    limit; should any limit ever apply to every request, no request skips them. Called once the
    blueprints are registered (their limits are known by then)."""
    from collections.abc import Callable
    from functools import partial, wraps
    from typing import Any

    from flask import request

    from organizer.database import WRITE_METHODS
    from organizer.extensions import limiter

    manager = limiter.limit_manager
    with app.app_context():  # a limit may be given as a function reading the app's config
        if (manager.application_limits or manager.default_limits
                or any(manager.blueprint_limits(app, name) for name in app.blueprints)
                or app.config.get("RATELIMIT_META") or app.config.get("RATELIMIT_IN_MEMORY_FALLBACK")):
            return
    limited = "__wrapper-limiter-instance"  # what Flask-Limiter's decorator leaves on a limited view (and wraps carries up)

    def is_limiters(hook: Callable) -> bool:
        return getattr(hook, "__self__", None) is limiter or (isinstance(hook, partial) and hook.args[:1] == (limiter,))

    def on_writes(hook: Callable, passes_response: bool) -> Callable:
        @wraps(hook)
        def unless_reading_a_view_without_limits(*args: Any) -> Any:
            if request.method not in WRITE_METHODS and not hasattr(app.view_functions.get(request.endpoint or ""), limited):
                return args[0] if passes_response else None
            return hook(*args)

        return unless_reading_a_view_without_limits

    def wrap(hooks: dict[Any, list[Any]], passes_response: bool) -> None:
        hooks[None] = [on_writes(h, passes_response) if is_limiters(h) else h for h in hooks.get(None, [])]

    wrap(app.before_request_funcs, False)
    wrap(app.after_request_funcs, True)
    wrap(app.teardown_request_funcs, False)


NUL_REFUSED = ("Text with a NUL character (\\0, often pasted in from another program) cannot be saved. "
               "Go back, remove it and try again.")


def register_input_guard(app: Flask) -> None:
    """Every form field, query parameter and path of every route, present and future: a NUL
    character is refused before any view runs (PostgreSQL cannot store one in text, and would
    answer with a server error). Files are checked where they are read (the member import)."""
    from flask import abort, request

    @app.before_request
    def refuse_nul_characters():
        if "\0" in request.path:
            abort(404)
        # (a form only where Werkzeug reads one, a body with a content type: a GET has neither)
        for values in (request.args if request.query_string else None,
                       request.form if request.want_form_data_parsed else None):
            for key, value in values.items(multi=True) if values else ():
                if "\0" in key or "\0" in value:
                    abort(400, NUL_REFUSED)


def register_blueprints(app: Flask) -> None:
    from organizer.asks.views import bp as asks_bp
    from organizer.auth.views import bp as auth_bp
    from organizer.events.views import bp as events_bp
    from organizer.groups.views import bp as groups_bp
    from organizer.help.views import bp as help_bp
    from organizer.home.views import bp as home_bp
    from organizer.members.views import bp as members_bp
    from organizer.messages.views import bp as messages_bp
    from organizer.outcomes.views import bp as outcomes_bp
    from organizer.pairing.views import bp as pairing_bp

    for blueprint in (home_bp, auth_bp, groups_bp, members_bp, events_bp, pairing_bp, help_bp,
                      outcomes_bp, messages_bp, asks_bp):
        app.register_blueprint(blueprint)


def register_errorhandlers(app: Flask) -> None:
    from organizer.errorhandlers import register_errorhandlers as register

    register(app)


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def register_security_headers(app: Flask) -> None:
    from flask import request

    @app.after_request
    def security_headers(response):
        # Nothing but the static files is kept by a browser or a proxy: every page and file
        # may carry contact details, emails, one-time links or pairings (or a CSRF token),
        # and a rule by route would miss the next route added.
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        return response


def register_template_helpers(app: Flask) -> None:
    from organizer.templating import register

    register(app)


def register_reactions(app: Flask) -> None:
    """Connects the receivers of organizer.signals (once per process: blinker keeps them)."""
    from organizer.asks import reactions as asks_reactions
    from organizer.events import reactions as events_reactions
    from organizer.groups import versions as group_versions
    from organizer.messages import jobs as message_jobs
    from organizer.messages import reactions as message_reactions
    from organizer.outcomes import reactions as outcomes_reactions

    group_versions.register()  # the groups' data versions the shared read caches compare
    events_reactions.connect()
    outcomes_reactions.connect()
    message_reactions.register()
    message_jobs.register(app)  # a delivery starts when a transaction that queued mail commits
    asks_reactions.connect()


def register_cli(app: Flask) -> None:
    from organizer.cli import register

    register(app)
