"""After the lunch: follow-up answers, thank-you notes, needs met, the give-first ledger, the
history of a member's lunches, the organizer's dashboard, and what the next pairing learns."""
