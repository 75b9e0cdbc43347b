"""What the events feature does when something happens elsewhere (organizer.signals)."""

from organizer import signals
from organizer.events import service


def on_member_left(group, *, user_id: int, now, **_) -> None:
    """A member who leaves (or is removed) gives their seats at upcoming lunches back."""
    service.release_seats(user_id, group.id, now)


def connect() -> None:
    signals.member_left.connect(on_member_left)
