"""name search: each name's words stored with the row

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06

Resolving a name ranks its candidates by the words of their names (``domain.kit.resolution``):
« Supérette Ndiaye » among 10,000 customers has ~1,000 candidates, and splitting each name
into words with regular expressions at every search cost ~40 ms of the search. The words are
now computed once, when the name is written: ``comptoir_name_words(name)``, an IMMUTABLE SQL
function doing what ``domain.kit.resolution.name_words`` does in Python (folded with
``comptoir_unaccent``, elided « l' » « d' » and little words left out, split between digits
and letters, plural s/x dropped, units in words as their symbols), feeds a stored generated
column ``name_words`` on partners, products and employees. The ranking reads the column.
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


def upgrade() -> None:
    op.execute(NAME_WORDS_FN)
    for table in TABLES:
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN name_words text[] NOT NULL"
            " GENERATED ALWAYS AS (comptoir_name_words(name)) STORED"
        )


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"ALTER TABLE {table} DROP COLUMN name_words")
    op.execute("DROP FUNCTION comptoir_name_words(text)")
