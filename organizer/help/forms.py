from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from organizer.members.forms import person_field


class TermForm(FlaskForm):
    phrase = StringField("Term", validators=[DataRequired(), Length(max=80)],
                         description="As members write it, for example “PSC test”.")
    meaning = StringField("What it means", validators=[DataRequired(), Length(max=160)],
                          description="In plain words, for example “a French oral test for federal jobs”.")


class MarkForm(FlaskForm):
    """A member's wish to meet someone about their own need, or their "not helpful"."""

    helper = IntegerField(validators=[DataRequired()])
    kind = HiddenField(validators=[AnyOf(["wish", "wrong"])])


class CorrectionForm(FlaskForm):
    """An organizer marks a link wrong, or adds one."""

    helper = person_field("Who can help")
    helped = person_field("whom")
    need = IntegerField(validators=[Optional()])
    kind = HiddenField(validators=[AnyOf(["organizer", "wrong"])], default="organizer")
    text = StringField("with what", validators=[Length(max=160)], description="For example “hotel owners”.")
    event = IntegerField(validators=[Optional()])
