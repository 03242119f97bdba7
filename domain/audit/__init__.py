"""The append-only audit log: who did what, for which tenant, through which channel."""
