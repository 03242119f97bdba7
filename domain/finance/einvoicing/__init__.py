"""Sending and receiving invoices through a French plateforme agréée (e-invoicing reform)."""
