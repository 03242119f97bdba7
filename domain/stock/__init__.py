"""Stock: warehouses, locations, double-entry moves, valuation, purchasing, reorder."""
