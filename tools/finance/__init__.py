"""Finance tools: quotes, invoices, credit notes, payments, recurring invoices, and the
finance questions (invoices, revenue, receivables, a customer's balance, VAT and its rates).

Not here, and why: ``finance.cash_forecast`` (no forecasting service exists in ``domain.finance``).
"""

from __future__ import annotations

from tools.base import Tool
from tools.finance.invoices import (
    create_credit_note,
    create_invoice,
    create_recurring_invoice,
    post_invoice,
)
from tools.finance.payments import record_payment
from tools.finance.quotes import (
    accept_quote,
    convert_quote_to_invoice,
    create_quote,
    list_quotes,
)
from tools.finance.reading import aged_receivables, invoice_details, list_invoices, revenue
from tools.finance.reminders import send_reminder
from tools.finance.sending import send_invoice, send_quote
from tools.finance.statements import customer_balance, vat_rates, vat_summary

TOOLS: list[Tool] = [
    create_quote,
    send_quote,
    accept_quote,
    convert_quote_to_invoice,
    create_invoice,
    post_invoice,
    send_invoice,
    send_reminder,
    record_payment,
    create_credit_note,
    create_recurring_invoice,
    list_invoices,
    list_quotes,
    invoice_details,
    revenue,
    aged_receivables,
    customer_balance,
    vat_summary,
    vat_rates,
]

__all__ = [
    "TOOLS",
    "accept_quote",
    "aged_receivables",
    "convert_quote_to_invoice",
    "create_credit_note",
    "create_invoice",
    "create_quote",
    "create_recurring_invoice",
    "customer_balance",
    "invoice_details",
    "list_invoices",
    "list_quotes",
    "post_invoice",
    "record_payment",
    "revenue",
    "send_invoice",
    "send_quote",
    "send_reminder",
    "vat_summary",
    "vat_rates",
]
