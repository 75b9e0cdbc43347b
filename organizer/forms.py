"""Forms shared by every feature."""

from flask_wtf import FlaskForm


class ConfirmForm(FlaskForm):
    """A button that only posts its CSRF token (log out, remove, rotate...)."""
