from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

PRIORITIES = [SelectChoice("high", "High"), SelectChoice("normal", "Normal"), SelectChoice("low", "Low")]
STATUSES = [SelectChoice("open", "Open"), SelectChoice("in_progress", "In progress"), SelectChoice("met", "Met")]
VISIBILITIES = [
    SelectChoice("group", "The whole group"),
    SelectChoice("partner", "Only my lunch partner and organizers"),
    SelectChoice("organizers", "Organizers only"),
]
KINDS = [
    SelectChoice("advice", "Advice or a skill"),
    SelectChoice("introduction", "An introduction to someone I know"),
    SelectChoice("resource", "A resource or a discount"),
    SelectChoice("job_lead", "A job lead"),
]
TAGS_HINT = "Up to 8, separated by commas."


class ProfileForm(FlaskForm):
    name = StringField("Display name", validators=[DataRequired(), Length(max=120)])
    headline = StringField("Headline", validators=[Length(max=160)],
                           description='For example "Marketing VP in transition".')
    industry = StringField("Industry", validators=[Length(max=120)])
    city = StringField("City or area", validators=[Length(max=120)])
    bio = TextAreaField("Short bio", validators=[Length(max=2000)])
    contact = TextAreaField("How to reach me", validators=[Length(max=500)],
                            description="Shown only to your lunch partner and the organizers.")


class NeedForm(FlaskForm):
    title = StringField("What do you need?", validators=[DataRequired(), Length(max=120)])
    details = TextAreaField("Details", validators=[Length(max=2000)])
    tags = StringField("Tags", validators=[Length(max=400)], description=TAGS_HINT)
    priority = SelectField("Priority", choices=PRIORITIES, default="normal")
    status = SelectField("Status", choices=STATUSES, default="open")
    helped_by = StringField("Who helped", validators=[Optional(), Length(max=200)], default="",
                            description="Start typing a member's name. Leave empty if nobody in the group helped.")
    visibility = SelectField("Who may see it", choices=VISIBILITIES, default="group")


class OfferForm(FlaskForm):
    title = StringField("How can you help?", validators=[DataRequired(), Length(max=120)])
    details = TextAreaField("Details", validators=[Length(max=2000)])
    tags = StringField("Tags", validators=[Length(max=400)], description=TAGS_HINT)
    kind = SelectField("Kind", choices=KINDS, default="advice")
    active = BooleanField("Active (uncheck to pause)", default=True)


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search

    q = StringField("Search needs, offers and profiles", validators=[Length(max=200)])
    tag = HiddenField()


PERSON_HINT = "Start typing a name."


def person_field(label: str) -> StringField:
    """A member of the group, typed with names searched as you type (a choice list of everyone would
    grow with the group); the view finds whom it names (``service.member_from_label``)."""
    return StringField(label, validators=[DataRequired(), Length(max=200)], description=PERSON_HINT)


class DoNotPairForm(FlaskForm):
    other = person_field("Person")
    note = StringField("Note (optional)", validators=[Length(max=200)])


class OrganizerDoNotPairForm(FlaskForm):
    first = person_field("First person")
    second = person_field("Second person")
    note = StringField("Reason (seen by organizers)", validators=[Length(max=200)],
                       description="For example: colleagues at the same company.")


class ImportUploadForm(FlaskForm):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file.")],
                     description="UTF-8, comma or semicolon separated, at most 2 MB and 5,000 rows.")


class ImportConfirmForm(FlaskForm):
    content = HiddenField()
