"""Domain events: every business write leaves one behind, in the same transaction (outbox)."""
