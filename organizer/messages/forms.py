from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length


class PreferencesForm(FlaskForm):
    """One checkbox per optional kind, added by the view (the kinds live in messages.kinds)."""


def preferences_form(kinds, chosen: dict[str, bool], formdata=None):
    class Form(PreferencesForm):
        pass

    for kind in kinds:
        setattr(Form, f"kind_{kind.name}", BooleanField(kind.label, default=chosen.get(kind.name, kind.default_on)))
    return Form(formdata=formdata) if formdata is not None else Form()


class InviteByEmailForm(FlaskForm):
    emails = TextAreaField(
        "Email addresses", validators=[DataRequired(), Length(max=20_000)],
        description="One or many: one per line, or separated by commas or spaces (at most 100).",
    )
