"""Shared plumbing for every domain area: base model, money, errors, principal, units of work."""
