"""Printable business documents (PDF invoices and quotes, Factur-X) and exports (FEC,
CSV, Excel). Everything here works on plain dataclasses built by the finance services, so
rendering never touches the database."""
