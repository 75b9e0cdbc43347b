from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import AnyOf, DataRequired, Length, Optional


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

    helper = SelectField("Who can help", validators=[DataRequired()])
    helped = SelectField("whom", validators=[DataRequired()])
    need = IntegerField(validators=[Optional()])
    kind = HiddenField(validators=[AnyOf(["organizer", "wrong"])], default="organizer")
    text = StringField("with what", validators=[Length(max=160)], description="For example “hotel owners”.")
    event = IntegerField(validators=[Optional()])

    def __init__(self, *args, people: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.choices = people or []
        self.helped.choices = people or []
