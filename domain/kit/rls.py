"""Row-Level Security: the SQL that makes tenant isolation PostgreSQL's job.

The application sets the tenant per transaction as ``app.tenant = '<uuid>.<hmac>'``. The
policies call ``comptoir_current_tenant()``, a SECURITY DEFINER function that checks the
HMAC with a key kept in ``tenant_guard`` — a table the application role cannot read. A
statement smuggled into the application's session can therefore not switch itself to
another tenant with ``set_config``: it cannot forge the signature.
"""

from __future__ import annotations

import hashlib
import hmac
from uuid import UUID


def tenant_policy_sql(table: str, column: str = "tenant_id") -> list[str]:
    """Statements enabling RLS on ``table`` with the one tenant-isolation policy.

    Every migration that creates a tenant-owned table calls this; a test fails if a table
    with a ``tenant_id`` column has no such policy. ``comptoir_current_tenant()`` is
    defined in migration 0001.
    """
    check = f"{column} = (SELECT comptoir_current_tenant())"
    return [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"CREATE POLICY tenant_isolation ON {table} USING ({check}) WITH CHECK ({check})",
    ]


class TenantSigner:
    """Signs tenant ids for ``app.tenant`` with HMAC-SHA256 (the same maths as the SQL)."""

    def __init__(self, secret_key: str) -> None:
        self._key = hmac.new(secret_key.encode(), b"comptoir-rls-v1", hashlib.sha256).digest()

    def sign(self, tenant_id: UUID) -> str:
        mac = hmac.new(self._key, str(tenant_id).encode(), hashlib.sha256).hexdigest()
        return f"{tenant_id}.{mac}"

    def pads(self) -> tuple[bytes, bytes]:
        """The (inner, outer) HMAC pads stored in ``tenant_guard`` for the SQL side."""
        block = self._key.ljust(64, b"\0")
        return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)
