"""What the members' pages share with other features' pages: the member a typed person field names."""

from organizer.errors import ActionRefused
from organizer.members import service
from organizer.models import Membership


def named_member(group_id: int, field) -> Membership | None:
    """The member a person field (``forms.person_field``) names, or None with the reason shown
    under the field (nobody, or several, of that name)."""
    try:
        return service.member_from_label(group_id, field.data or "")
    except ActionRefused as refusal:
        field.errors = [*field.errors, str(refusal)]
        return None
