"""HR tables (filled in by the HR work)."""
