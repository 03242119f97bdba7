"""Tenants, users, memberships and roles, authentication sessions."""
