"""What the after-the-lunch feature does when something happens elsewhere (signals)."""

from organizer import signals
from organizer.outcomes import service


def on_member_left(group, *, user_id: int, **_) -> None:
    service.forget_member(group.id, user_id)


def connect() -> None:
    signals.member_left.connect(on_member_left)
