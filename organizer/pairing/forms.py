from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, NumberRange

SOURCES = [
    SelectChoice("checked_in", "Checked in at the door"),
    SelectChoice("going", "Answered yes (before the event)"),
]


class GenerateForm(FlaskForm):
    source = SelectField("Pair the people", choices=SOURCES, default="checked_in")


class PersonForm(FlaskForm):
    user = SelectField("Person", validators=[DataRequired()])

    def __init__(self, *args, people: list[SelectChoice], **kwargs):
        super().__init__(*args, **kwargs)
        self.user.choices = people


class SwapForm(FlaskForm):
    first = SelectField("Swap", validators=[DataRequired()])
    second = SelectField("with", validators=[DataRequired()])
    round = IntegerField("In round", default=1, validators=[NumberRange(min=1, max=6)])

    def __init__(self, *args, people: list[SelectChoice], **kwargs):
        super().__init__(*args, **kwargs)
        self.first.choices = people
        self.second.choices = people


class PublishForm(FlaskForm):
    confirm_changed = BooleanField("Publish even though the attendees changed since it was computed")
