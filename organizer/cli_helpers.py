"""What the command-line commands of every feature share."""

from organizer.urls import external_url

__all__ = ["external_url"]
