"""name search: the candidate names found through the trigram indexes under RLS

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06

Under Row-Level Security PostgreSQL only lets an index serve a condition whose operator is
LEAKPROOF; pg_trgm's ``%``, ``<<%`` and ``LIKE`` are not, so resolving a name (« Supérette
Ndiaye » among 10,000 customers) read and folded every row of the tenant: 100–280 ms at
10,000 partners or 5,000 products. ``comptoir_name_candidates`` answers the one narrow
question the ranked search needs — which active rows of the current tenant have a name
close to the query — through the GiST trigram index (``ix_<table>_name_trgm``, led by
``tenant_id``). It runs as the owner (not subject to RLS) and filters on the tenant of the
signed context itself (``comptoir_current_tenant()``, which refuses a forged one), on three
tables only; it returns ids, which the caller then reads under RLS as before.
"""

from __future__ import annotations

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

CANDIDATES = """
CREATE FUNCTION comptoir_name_candidates(
    p_table text, p_query text, p_words text, p_patterns text[]
) RETURNS SETOF uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp
ROWS 20 AS $$
DECLARE
    tenant uuid := comptoir_current_tenant();
    likes text := '';
BEGIN
    IF p_table NOT IN ('partners', 'products', 'employees') THEN
        RAISE EXCEPTION 'no name search on %', p_table USING ERRCODE = '42501';
    END IF;
    IF tenant IS NULL THEN
        RETURN;
    END IF;
    FOR i IN 1 .. coalesce(array_length(p_patterns, 1), 0) LOOP
        likes := likes || format(' OR comptoir_unaccent(t.name) LIKE $4[%s]', i);
    END LOOP;
    RETURN QUERY EXECUTE format(
        'SELECT t.id FROM %I AS t WHERE t.tenant_id = $1 AND t.is_active'
        ' AND (comptoir_unaccent(t.name) %% $2 OR $3 <<%% comptoir_unaccent(t.name)%s)',
        p_table, likes)
    USING tenant, p_query, p_words, p_patterns;
END $$
"""


def upgrade() -> None:
    op.execute(CANDIDATES)


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS comptoir_name_candidates(text, text, text, text[])")
