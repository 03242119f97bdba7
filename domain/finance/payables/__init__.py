"""Payables: supplier bills and credit notes, supplier payments, aged payables.

Supplier bills live in ``domain/finance`` (not next to purchase orders in
``domain/stock/purchasing``) because a bill is an accounting document first: it is posted to
the purchases journal with the same ledger, charts, VAT rates and rounding as sales invoices.
Purchase orders and receipts are only read, for the three-way match.
"""
