"""Error pages: never a traceback, always the site's layout and headers."""

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


def register_errorhandlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template(
            "errors/error.html",
            code=400,
            title="The form expired",
            message="The form was missing its security token or it had expired. "
            "Go back, reload the page and try again.",
        ), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        titles = {
            403: ("Not allowed", "You do not have access to this page."),
            404: ("Page not found", "There is nothing here. Check the address, or go back home."),
            405: ("Not allowed", "That action is not available here."),
            413: ("Too large", "What you sent is larger than this site accepts."),
            429: ("Too many attempts", "Too many attempts in a short time. Wait a minute and try again."),
        }
        title, message = titles.get(error.code or 500, (error.name, error.description or ""))
        if error.description and error.description != type(error).description:
            message = error.description  # abort(code, "what went wrong, for the user")
        return render_template(
            "errors/error.html", code=error.code, title=title, message=message
        ), error.code

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        app.logger.exception("Unhandled error")
        return render_template(
            "errors/error.html",
            code=500,
            title="Something went wrong",
            message="The server hit an error and nothing was changed. Try again in a moment.",
        ), 500
