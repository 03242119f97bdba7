"""definer functions search the temporary schema last

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06

A SECURITY DEFINER function runs with its owner's rights but the caller's session. When
its ``search_path`` does not name ``pg_temp``, PostgreSQL searches the session's temporary
schema *first* for tables: a caller able to create a temporary ``tenant_guard`` (its own
HMAC keys) made ``comptoir_current_tenant()`` accept a context it signed for any tenant,
and a temporary ``users`` fooled ``comptoir_release_unverified_account``. Every definer
function of the schema now searches ``pg_temp`` explicitly and last, after the real tables.
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

# Definer routines of the schema, not those an extension installed (it owns their settings).
_SET_PATH = """
DO $$
DECLARE routine regprocedure;
BEGIN
    FOR routine IN
        SELECT p.oid::regprocedure FROM pg_proc p
        WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef
          AND NOT EXISTS (SELECT 1 FROM pg_depend d
                          WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                            AND d.deptype = 'e')
    LOOP
        EXECUTE format('ALTER ROUTINE %s SET search_path = {path}', routine);
    END LOOP;
END $$
"""


def upgrade() -> None:
    op.execute(_SET_PATH.format(path="pg_catalog, public, pg_temp"))


def downgrade() -> None:
    op.execute(_SET_PATH.format(path="pg_catalog, public"))
