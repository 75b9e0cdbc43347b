from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

HELPED_CHOICES = [SelectChoice("yes", "Yes"), SelectChoice("a-little", "A little"), SelectChoice("not-yet", "Not yet"),
                  SelectChoice("did-not-meet", "We didn't meet")]
GAVE_CHOICES = [SelectChoice("lead", "A lead"), SelectChoice("introduction", "An introduction"),
                SelectChoice("advice", "Advice"), SelectChoice("resource", "A resource"),
                SelectChoice("other", "Something else")]
MARK_CHOICES = [SelectChoice("met", "Met"), SelectChoice("in_progress", "In progress"),
                SelectChoice("", "Leave as it is")]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AnswerForm(FlaskForm):
    """One partner's follow-up: the common case is three taps (yes, the need, send)."""

    helped = RadioField("Did it help?", choices=HELPED_CHOICES, validators=[Optional()], validate_choice=False)
    needs = MultiCheckboxField("With which of your needs?", coerce=int, validate_choice=False)
    something_else = StringField("Something else", validators=[Length(max=160)])
    gave = MultiCheckboxField("What did they give?", choices=GAVE_CHOICES, validate_choice=False)
    mark = RadioField("Mark those needs", choices=MARK_CHOICES, default="met", validate_choice=False)
    note = TextAreaField("Thank-you note (optional)", validators=[Length(max=1000)],
                         description="Say what helped: what they did or said, and what came of it.")
    note_for_organizers = BooleanField("The organizers may read my note too")
    gave_partner = MultiCheckboxField("Did you help them with something?", choices=GAVE_CHOICES,
                                      validate_choice=False)
    gave_partner_text = StringField("What, in a few words", validators=[Length(max=160)],
                                    description="For example “the intro to the CFO I promised”.")

    def __init__(self, *args, needs: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs.choices = needs or []


class RulesForm(FlaskForm):
    boost_per_person = IntegerField(
        "Priority per person helped (%)", validators=[InputRequired(), NumberRange(0, 100)],
        description="A member whose help others confirmed, and whom nobody has helped yet, gets this much more "
                    "weight on their needs for each person they helped.")
    max_boost = IntegerField("At most (%)", validators=[InputRequired(), NumberRange(0, 300)],
                             description="The most extra weight anyone gets this way.")
    rematch = RadioField("After “not yet” or “we didn't meet”",
                         choices=[SelectChoice("yes", "they may meet again after"), SelectChoice("no", "keep the cool-down")],
                         validators=[AnyOf(["yes", "no"])], default="yes")
    rematch_weeks = IntegerField("weeks", validators=[Optional(), NumberRange(0, 52)])
    learn_links = BooleanField("Confirmed help strengthens that kind of offer for that kind of need; "
                               "“it did not help” weakens the link the pairing named")
