"""Stock tables (filled in by the stock work)."""
