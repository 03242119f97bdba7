"""The relational core: one sub-package per business area."""
