"""name search: each name's folded text and words stored with the row

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06

Resolving a name (``domain.kit.resolution``) finds its candidates through the trigram index
and ranks them by the words of their names: « Supérette Ndiaye » among 10,000 customers has
~1,000 candidates. Each candidate's name was folded (``comptoir_unaccent``) several times —
once per operator when the index's matches are rechecked, again for the ranking — and split
into words with regular expressions at every search. Both are now computed once, when the
name is written, into stored generated columns of partners, products and employees:

* ``name_folded`` = ``comptoir_unaccent(name)``; the trigram index ``ix_<table>_name_trgm``
  is rebuilt on it and ``comptoir_name_candidates`` compares it (same values, same
  operators: the same candidates);
* ``name_words`` = ``comptoir_name_words(name)``, an IMMUTABLE SQL function doing what
  ``domain.kit.resolution.name_words`` does in Python (folded, elided « l' » « d' » and
  little words left out, split between digits and letters, plural s/x dropped, units in
  words as their symbols).
"""

from __future__ import annotations

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

TABLES = ("partners", "products", "employees")

# The lists are ``resolution.STOP_WORDS`` and ``resolution.UNIT_WORDS`` (a test compares
# them word by word): a generated column needs a function that depends on nothing else.
NAME_WORDS_FN = r"""
CREATE FUNCTION comptoir_name_words(value text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (
  SELECT coalesce(array_agg(coalesce(
           ('{l,l,kg,kg,g,g,cl,ml,m,t}'::text[])[array_position(
               '{litre,lt,kilo,kilogramme,gramme,gr,centilitre,millilitre,metre,tonne}'::text[],
               s.w)],
           s.w) ORDER BY s.n), '{}')
  FROM (SELECT CASE WHEN length(t) > 3 AND t ~ '^[a-z].*[sx]$' THEN left(t, -1) ELSE t END
               AS w, n
        FROM regexp_split_to_table(
               regexp_replace(
                 regexp_replace(
                   regexp_replace(comptoir_unaccent(value), '\m[ld]''', ' ', 'g'),
                   '([0-9])([a-z])', '\1 \2', 'g'),
                 '([a-z])([0-9])', '\1 \2', 'g'),
               '[^a-z0-9]+') WITH ORDINALITY AS p(t, n)
        WHERE t <> '' AND t <> ALL('{a,au,aux,avec,ce,celle,celui,ces,cet,cette,de,des,du,'
                                   'en,et,la,le,les,ma,mes,mon,pour,un,une}'::text[])) s
)
"""


# The candidates of 0018, compared on the stored folded name. Through the index always: the
# planner prices pg_trgm's operators as cheap as ``=`` and, with the column's statistics
# (« superette » in one name of 15), reads 10,000 partners and compares each (117 ms)
# rather than the index's ~1,000 matches (~20 ms).
CANDIDATES = """
CREATE OR REPLACE FUNCTION comptoir_name_candidates(
    p_table text, p_query text, p_words text, p_patterns text[]
) RETURNS SETOF uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, public, pg_temp
{seqscan}ROWS 20 AS $$
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
        likes := likes || format(' OR t.{folded} LIKE $4[%s]', i);
    END LOOP;
    RETURN QUERY EXECUTE format(
        'SELECT t.id FROM %I AS t WHERE t.tenant_id = $1 AND t.is_active'
        ' AND (t.{folded} %% $2 OR $3 <<%% t.{folded}%s)',
        p_table, likes)
    USING tenant, p_query, p_words, p_patterns;
END $$
"""


def upgrade() -> None:
    op.execute(NAME_WORDS_FN)
    for table in TABLES:
        op.execute(
            f"ALTER TABLE {table}"
            " ADD COLUMN name_folded text NOT NULL"
            " GENERATED ALWAYS AS (comptoir_unaccent(name)) STORED,"
            " ADD COLUMN name_words text[] NOT NULL"
            " GENERATED ALWAYS AS (comptoir_name_words(name)) STORED"
        )
        op.execute(f"DROP INDEX ix_{table}_name_trgm")
        op.execute(
            f"CREATE INDEX ix_{table}_name_trgm ON {table}"
            " USING gist (tenant_id, name_folded gist_trgm_ops)"
        )
    op.execute(
        CANDIDATES.replace("{folded}", "name_folded").replace(
            "{seqscan}", "SET enable_seqscan = off\n"
        )
    )


def downgrade() -> None:
    op.execute(
        CANDIDATES.replace("t.{folded}", "comptoir_unaccent(t.name)").replace("{seqscan}", "")
    )
    for table in TABLES:
        op.execute(f"DROP INDEX ix_{table}_name_trgm")
        op.execute(
            f"CREATE INDEX ix_{table}_name_trgm ON {table}"
            " USING gist (tenant_id, comptoir_unaccent(name) gist_trgm_ops)"
        )
        op.execute(f"ALTER TABLE {table} DROP COLUMN name_words, DROP COLUMN name_folded")
    op.execute("DROP FUNCTION comptoir_name_words(text)")
