from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange


class GroupForm(FlaskForm):
    name = StringField("Group name", validators=[DataRequired(), Length(max=120)])
    time_zone = SelectField(
        "Time zone", validators=[DataRequired()],
        description="Event times are entered and shown in this zone.",
    )
    repeat_cooldown_weeks = IntegerField(
        "Weeks before two people are paired again",
        default=8,
        validators=[NumberRange(min=0, max=104)],
    )

    def __init__(self, *args, time_zones: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.time_zone.choices = [SelectChoice(tz, tz.replace("_", " ")) for tz in time_zones]


class JoinCodeForm(FlaskForm):
    code = StringField("Invite code", validators=[DataRequired(), Length(max=40)])


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=[SelectChoice("member", "Member"), SelectChoice("organizer", "Organizer")])
