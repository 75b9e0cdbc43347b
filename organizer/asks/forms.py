from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, NumberRange, Optional

from organizer.members.forms import person_field

MAX_ID = 2**31 - 1  # an id the database can hold (organizer.urls.MAX_ID)

HELP_KINDS = [
    SelectChoice("lead", "A lead"),
    SelectChoice("introduction", "An introduction"),
    SelectChoice("advice", "Advice"),
    SelectChoice("resource", "A resource"),
]


class OfferHelpForm(FlaskForm):
    kind = SelectField("What kind of help?", choices=HELP_KINDS, default="lead")
    message = TextAreaField("How can you help, in a few words?", validators=[DataRequired(), Length(max=500)],
                            description="For example: “My brother-in-law is a licensed electrician in Oakville; "
                                        "I can ask him to call you.” Your contact details are shared only if "
                                        "they say yes.")


class AnswerForm(FlaskForm):
    """The need's owner answers an offer of help."""

    answer = HiddenField(validators=[AnyOf(["accept", "decline", "done", "met"])])


class FollowUpForm(FlaskForm):
    answer = HiddenField(validators=[AnyOf(["met", "open", "not_helpful"])])


class IntroductionForm(FlaskForm):
    first = StringField("Introduce", validators=[DataRequired(), Length(max=200)],
                        description="A member of the group: start typing a name.")
    second = StringField("to this member", validators=[Optional(), Length(max=200)],
                         description="Or leave this empty and name someone outside the group below.")
    outside_name = StringField("or to someone outside the group", validators=[Optional(), Length(max=120)])
    outside_contact = StringField("How to reach them", validators=[Optional(), Length(max=300)],
                                  description="Shown to the member only once both say yes. The site never "
                                              "writes to them: you get a text to send.")
    reason = TextAreaField("Why should they meet?", validators=[DataRequired(), Length(max=1000)],
                           description="“Nadia, meet Raj: Raj knows CFOs at three life-science companies, "
                                       "and Nadia is looking for exactly that.” Both see it.")
    need_id = IntegerField(validators=[Optional(), NumberRange(min=1, max=MAX_ID)])


class IntroductionAnswerForm(FlaskForm):
    answer = HiddenField(validators=[AnyOf(["yes", "no"])])


class HelpedForm(FlaskForm):
    answer = HiddenField(validators=[AnyOf(["helped", "met"])])


class BlockForm(FlaskForm):
    member = person_field("Member")
