"""Flask commands of the events feature (registered by organizer.cli)."""

commands = []
