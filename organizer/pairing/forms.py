import re

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, ValidationError

LABEL_ID = re.compile(r"\(#(\d{1,9})\)\s*$")

SOURCES = [
    SelectChoice("checked_in", "Checked in at the door"),
    SelectChoice("going", "Answered yes (before the event)"),
]


class GenerateForm(FlaskForm):
    source = SelectField("Pair the people", choices=SOURCES, default="checked_in")


def person_label(user_id: int, name: str) -> str:
    return f"{name} (#{user_id})"


def pick_person(text: str, people: dict[int, str]) -> int | None:
    """The one of `people` (user id -> name) that a typed choice names: a label from
    `person_label`, a user id, or a name only one of them has (any case)."""
    text = text.strip()
    number = LABEL_ID.search(text) or re.fullmatch(r"#?(\d{1,9})", text)
    if number:
        user_id = int(number.group(1))
        return user_id if user_id in people else None
    named = [uid for uid, name in people.items() if name.lower() == text.lower()]
    return named[0] if len(named) == 1 else None


class PersonField(StringField):
    """A person chosen from a list the page renders once (a <datalist>), by typing or picking;
    `user_id` holds who it names once the form validates."""

    people: dict[int, str]
    user_id: int | None = None

    @property
    def chosen_id(self) -> int:
        """Who the field names: read after the form validated."""
        if self.user_id is None:
            raise ValueError("the form was not validated")
        return self.user_id

    def pre_validate(self, form) -> None:
        self.user_id = pick_person(self.data or "", self.people)
        if self.user_id is None:
            raise ValidationError("Choose a person from the list.")


class PersonForm(FlaskForm):
    user = PersonField("Person", validators=[DataRequired(), Length(max=200)])

    def __init__(self, *args, people: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.user.people = people


class WalkInForm(FlaskForm):
    """A member of the group, typed with names searched as you type (the group may be large)."""
    user = StringField("Member", validators=[DataRequired(), Length(max=200)],
                       description="Start typing their name.")


class SwapForm(FlaskForm):
    first = PersonField("Swap", validators=[DataRequired(), Length(max=200)])
    second = PersonField("with", validators=[DataRequired(), Length(max=200)])
    round = IntegerField("In round", default=1, validators=[NumberRange(min=1, max=6)])

    def __init__(self, *args, people: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.first.people = people
        self.second.people = people


class PublishForm(FlaskForm):
    confirm_changed = BooleanField("Publish even though the attendees changed since it was computed")
    confirm_seen = BooleanField("Yes, change the tables people have already seen")
