from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


class EventForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=160)])
    starts_at = DateTimeLocalField(
        "Starts", format=DATETIME_FORMATS, validators=[DataRequired("Enter the date and time it starts.")]
    )
    ends_at = DateTimeLocalField(
        "Ends", format=DATETIME_FORMATS, validators=[Optional()],
        description="Leave empty for 90 minutes after the start.",
    )
    venue_name = StringField("Venue", validators=[Length(max=160)])
    venue_address = StringField("Address", validators=[Length(max=300)])
    capacity = IntegerField(
        "Capacity", validators=[Optional(), NumberRange(min=1, max=10_000)],
        description="Seats. Leave empty for no limit; once full, a yes goes on the waitlist.",
    )
    rounds = IntegerField(
        "Pairing rounds", default=1, validators=[DataRequired(), NumberRange(min=1, max=6)],
        description="How many one-on-one conversations each person has (1 to 6).",
    )
    rsvp_deadline = DateTimeLocalField(
        "RSVP deadline", format=DATETIME_FORMATS, validators=[Optional()],
        description="Members can change their answer until then. Leave empty for the start time.",
    )
    description = TextAreaField("Description", validators=[Length(max=5000)])

    def __init__(self, *args, time_zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        where = f"In the group's time zone, {time_zone.replace('_', ' ')}."
        self.starts_at.description = where


class RsvpForm(FlaskForm):
    answer = SelectField(
        "Your answer",
        choices=[SelectChoice("yes", "Yes, I will come"), SelectChoice("no", "No, I cannot come")],
    )


class WalkInMemberForm(FlaskForm):
    user_id = StringField("Member", validators=[DataRequired("Choose a member."), Length(max=200)],
                          description="Start typing their name.")


class WalkInGuestForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired("Enter their name."), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired("Enter their email."), Length(max=254)])
    need = StringField("One thing they need right now", validators=[Optional(), Length(max=200)],
                       description="Optional. Counts in the pairing at once; they can edit it later.")
    offer = StringField("One way they can help others", validators=[Optional(), Length(max=200)],
                        description="Optional.")
