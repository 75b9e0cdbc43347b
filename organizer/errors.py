"""The one exception services raise for a refused action."""


class ActionRefused(Exception):
    """A service refuses an action; the message is shown to the user as it is."""

