"""Purchasing tables (filled in by the purchasing work)."""
