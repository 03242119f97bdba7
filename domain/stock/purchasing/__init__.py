"""Purchasing and replenishment: supplier terms, purchase orders, receipts, reorder."""
