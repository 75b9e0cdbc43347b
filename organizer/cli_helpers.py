"""What the command-line commands of every feature share."""

from flask import current_app, url_for


def external_url(endpoint: str, **values) -> str:
    """An absolute link for printing, based on the BASE_URL setting."""
    base = current_app.config["BASE_URL"].rstrip("/")
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)
