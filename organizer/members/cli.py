"""Flask commands of the members feature (registered by organizer.cli)."""

commands = []
