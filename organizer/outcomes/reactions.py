"""What the after-the-lunch feature does when something happens elsewhere (signals)."""

from organizer import signals
from organizer.outcomes import learning, service


def on_member_left(group, *, user_id: int, **_) -> None:
    service.forget_member(group.id, user_id)


def on_pairing_problem_built(event, *, draft: signals.ProblemDraft, **_) -> None:
    """What the group's earlier lunches taught: boosts, pairs that may meet again, links learned."""
    draft.problem, notes = learning.adjust(draft.problem, event.group_id, event)
    draft.notes.extend(notes)


def connect() -> None:
    signals.member_left.connect(on_member_left)
    signals.pairing_problem_built.connect(on_pairing_problem_built)
