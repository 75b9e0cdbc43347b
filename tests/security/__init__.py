"""Security tests: an attacker's checklist, one module per area."""
