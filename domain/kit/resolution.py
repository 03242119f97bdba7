"""Finding the one row a name designates (partners, products, employees), in SQL.

A name is compared word by word, the way a person says it: accents and case aside, plurals
made singular (« lampes » → lampe, « bureaux » → bureau), units in words as their symbols
(« litres » → l), little words left out (« de », « la »…), in any order. Each row stores its
folded name (``name_folded``, ``comptoir_unaccent``) and its words (``name_words``,
``comptoir_name_words``), computed by PostgreSQL when the name is written (migration 0019),
so a search folds and splits no name. The candidates are the names close to the query
(pg_trgm ``%`` on the query as typed, ``<<%`` on its words) or holding a word that starts
like one of its words (``LIKE``, kept only when every word is then met, a typo aside). Under
row-level security PostgreSQL does not use pg_trgm's operators as index conditions (they are
not LEAKPROOF), so the candidates come from ``comptoir_name_candidates`` (migration 0018): a
SECURITY DEFINER function that finds them through the trigram index for the tenant of the
signed context and returns their ids, read back under RLS. Candidates are ranked by, in
order:

1. **exact**: the whole folded name, an identifier (code, e-mail, SKU…), or the same words
   as the query (« lampes de bureau pliables » for « Lampe de bureau pliable »);
2. **complete**: every word of the query is a word of the name (« Grands Moulins » for
   « Grands Moulins de Dakar », « sucre en poudre » for « Sucre en poudre 50 kg »); among
   those, the ones that also hold more of the optional words (containers for products:
   « sacs de riz » → « Sac de riz 25kg » before « Riz brisé 50 kg »);
3. **fuzzy**: the trigram score (typos, a missing word), chosen only when ≥
   ``RESOLVE_MIN_SCORE`` and ahead of the runner-up by ≥ ``RESOLVE_MIN_MARGIN``; or, failing
   that, the one row whose words cover every word of the query with a typo at most
   (« ciman » → Ciment).

One row in the best non-empty group is the answer; several make the caller ask
(``Ambiguous*`` with the candidates), none a clear « aucun … ne correspond »
(``*NotFound``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import permutations
from typing import Any
from uuid import UUID

from sqlalchemy import Computed, Text, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, Session, mapped_column

from domain.kit.errors import DomainError

RESOLVE_MIN_SCORE = 0.45
RESOLVE_MIN_MARGIN = 0.15
# The most query words whose starts one ``LIKE`` pattern requires (every order of them is a
# pattern: 3 words, 6 patterns).
PATTERN_WORDS = 3

# pg_trgm thresholds for the index-backed operators, set per transaction so that a server
# default cannot change what matches: ``%`` keeps names whose trigram similarity to the
# query is ≥ 0.3 (typos, accents), ``<<%`` keeps names containing whole words close to the
# query (strict_word_similarity ≥ 0.4: « diallo » in « Boutique Diallo & Fils », « dialo »
# for Diallo). The strict variant rather than ``word_similarity``: it compares whole words,
# so « dia » scores 1 for « Dia Services » but 0.38 for « Diallo SARL » (0.75 otherwise),
# which keeps the runner-up far enough behind for resolution.
SIMILARITY_THRESHOLD = 0.3
STRICT_WORD_SIMILARITY_THRESHOLD = 0.4

# Words that say nothing about which row is meant; left out of both the query and the names.
STOP_WORDS = frozenset(
    """le la les un une des du de en a au aux et avec pour mon ma mes ce cet cette ces
    celui celle""".split()
)
# How a product is packed or pointed at: found in its name, they help choose (« sacs de
# riz » → « Sac de riz 25kg »); absent from it, they are not required (« le bidon de 5
# litres » → « Huile Dinor 5 L »).
PRODUCT_OPTIONAL_WORDS = frozenset(
    """sac carton bidon boite bouteille paquet pot barre casier pack sachet palette caisse
    rouleau piece unite tablette canette flacon seau fut bocal plaquette botte lot modele
    format taille produit article ref reference""".split()
)
# Units written out, read as the symbols names use (« 5 litres » → « 5 L »).
UNIT_WORDS = {
    "litre": "l", "lt": "l", "kilo": "kg", "kilogramme": "kg", "gramme": "g", "gr": "g",
    "centilitre": "cl", "millilitre": "ml", "metre": "m", "tonne": "t",
}  # fmt: skip

# The folding of ``comptoir_unaccent`` (migration 0003), so that query words and the names'
# words folded by PostgreSQL are the same strings.
_UNACCENT = str.maketrans(
    "ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖØÙÚÛÜÝŸàáâãäåçèéêëìíîïñòóôõöøùúûüýÿ’",
    "aaaaaaceeeeiiiinoooooouuuuyyaaaaaaceeeeiiiinoooooouuuuyy'",
)
# « l' » and « d' » are the articles and prepositions elided; a lone « l » is the litre.
_ELISION = re.compile(r"\b[ld]'")
_DIGIT_LETTER = re.compile(r"(?<=[0-9])(?=[a-z])|(?<=[a-z])(?=[0-9])")
_NOT_WORD = re.compile(r"[^a-z0-9]+")


def fold_name(value: str) -> str:
    """What ``comptoir_unaccent`` gives for ``value``: lower case, Latin accents removed."""
    return value.translate(_UNACCENT).lower().replace("œ", "oe").replace("æ", "ae")


def _singular(word: str) -> str:
    if len(word) > 3 and word[0].isalpha() and word[-1] in "sx":
        word = word[:-1]
    return UNIT_WORDS.get(word, word)


def name_words(value: str) -> list[str]:
    """The words a name is compared on: « Sacs de Riz 25kg » → ["sac", "riz", "25", "kg"].
    ``comptoir_name_words`` (migration 0019) computes the same list in the database."""
    folded = _ELISION.sub(" ", fold_name(value))
    tokens = _NOT_WORD.split(_DIGIT_LETTER.sub(" ", folded))
    return [_singular(t) for t in tokens if t and t not in STOP_WORDS]


@dataclass(frozen=True, slots=True)
class Hit:
    """A search candidate: the row, its trigram score in [0, 1], and how its words meet
    the query's: ``exact`` (whole name, identifier or same words), ``complete`` (every
    query word in the name), ``extra`` (optional words found too), ``covered`` (every query
    word in the name, a typo allowed)."""

    row: Any
    score: float
    exact: bool
    complete: bool = False
    extra: int = 0
    covered: bool = False


@dataclass(frozen=True, slots=True)
class NameQuery:
    """A query as it is compared: its folded text (for trigram scores) and its words, split
    into those the name must hold (``required``) and those that only help (``optional``)."""

    folded: str
    required: tuple[str, ...]
    optional: tuple[str, ...]

    @classmethod
    def of(cls, query: str, optional_words: Collection[str] = ()) -> NameQuery:
        words = list(dict.fromkeys(name_words(query)))
        required = tuple(w for w in words if w not in optional_words)
        optional = tuple(w for w in words if w in optional_words)
        if not required:  # « le sac »: the optional words are all there is
            required, optional = optional, ()
        return cls(" ".join(fold_name(query).split()), required, optional)

    def patterns(self) -> list[str]:
        """``LIKE`` patterns that find a name holding words starting like the query's
        (index-backed: a typo after the third letter is still found, « ciman » → ciment).

        A row found only this way is kept when its words meet every required word, typos
        aside, and a name word meeting a required word of three letters or more starts with
        that word's first three letters. So the name must hold all those starts, each in a
        word of its own, in some order: one pattern per order (« %sup%ndi% », « %ndi%sup% »),
        of the first ``PATTERN_WORDS`` distinct starts. A name holding only one of them
        (« Superette Fall » for « Supérette Ndiaye ») is no longer a candidate by ``LIKE``:
        it could not have been kept. Without such a required word, each word's start alone."""
        starts = list(dict.fromkeys(w[:3] for w in self.required if len(w) >= 3))
        if not starts:
            words = [w for w in (*self.required, *self.optional) if len(w) >= 3]
            return sorted({f"%{w[:3]}%" for w in words})
        chosen = starts[:PATTERN_WORDS]
        return sorted({"%" + "%".join(order) + "%" for order in permutations(chosen)})


def use_trigram_thresholds(session: Session) -> None:
    """Set this transaction's pg_trgm thresholds before a ``%`` / ``<<%`` search."""
    session.execute(
        text(
            "SELECT set_config('pg_trgm.similarity_threshold', :s, true),"
            " set_config('pg_trgm.strict_word_similarity_threshold', :w, true)"
        ),
        {"s": str(SIMILARITY_THRESHOLD), "w": str(STRICT_WORD_SIMILARITY_THRESHOLD)},
    )


def name_folded_column() -> Mapped[str]:
    """A model's ``name_folded``: ``comptoir_unaccent(name)``, stored when the name is
    written (migration 0019), what the trigram index and the ranking compare. Deferred:
    only the search reads it."""
    return mapped_column(Text, Computed("comptoir_unaccent(name)", persisted=True), deferred=True)


def name_words_column() -> Mapped[list[str]]:
    """A model's ``name_words``: its name's words as ``name_words`` makes them, computed by
    PostgreSQL when the name is written (``comptoir_name_words``, migration 0019) so that
    ranking a thousand candidates splits no name. Deferred: only the search reads it."""
    return mapped_column(
        ARRAY(Text), Computed("comptoir_name_words(name)", persisted=True), deferred=True
    )


# A query word met by a name word with a typo at most: the same word, its start (four
# letters or more, « confitur »), or a word of about the same length starting with the same
# three letters and sharing trigrams (« ciman » / ciment, « huille » / huile). Which of the
# three a query word allows (``q.prefix``, ``q.fuzzy``) is decided once per query, in
# Python, rather than once per candidate and name word.
_NEAR = """
EXISTS (SELECT 1 FROM unnest(c.words) AS nw
        WHERE nw = q.w
           OR (q.prefix AND starts_with(nw, q.w))
           OR (q.fuzzy AND left(nw, 3) = left(q.w, 3)
               AND abs(length(nw) - length(q.w)) <= 2 AND similarity(nw, q.w) >= 0.29))
"""
# The ranking, in two steps so that the trigram scores (three per row) are computed only
# for the rows that can still be among the first ``:limit``:
#
# ``w`` ranks every candidate by its words alone (``k1`` exact or complete with no other
# word, ``k2`` complete, ``extra``, ``k4`` every word met, a typo aside). A row meeting every
# word (``sure``) is kept whatever its scores. ``cut`` is the word rank of the ``:limit``-th
# sure row: at least ``:limit`` kept rows rank at or above it by words alone, and words come
# first in the order, so a row ranking below it cannot be among the first ``:limit``. Only
# the rows at or above the cut get their scores (for « Supérette Ndiaye » among 10,000
# customers: 24 of 990 candidates); without ``:limit`` sure rows (typos), every candidate.
# The rows kept, their order and their values are those of ranking every candidate.
_SEARCH = """
WITH w AS MATERIALIZED (
    SELECT c.id, c.name, c.words, c.folded, c.exact_name, r.found, r.near,
           o.found AS extra, e.rest,
           c.exact_name OR (r.found = :n_required AND e.rest = 0) AS k1,
           r.found = :n_required AS k2, r.near = :n_required AS k4,
           :n_required > 0 AND r.near = :n_required AS sure
    FROM (
        SELECT t.id, t.name, t.name_words AS words, t.name_folded AS folded,
               t.name_folded = :q AS exact_name
        FROM comptoir_name_candidates(:table, :q, :words, CAST(:patterns AS text[])) AS k(id)
        JOIN {table} AS t ON t.tenant_id = :tenant_id AND t.id = k.id
        WHERE t.is_active {scope}
        OFFSET 0
    ) AS c
    CROSS JOIN LATERAL (
        SELECT count(*) FILTER (WHERE q.w = ANY(c.words)) AS found,
               count(*) FILTER (WHERE {near}) AS near
        FROM unnest(CAST(:required AS text[]), CAST(:prefix AS boolean[]),
                    CAST(:fuzzy AS boolean[])) AS q(w, prefix, fuzzy)) AS r
    CROSS JOIN LATERAL (
        SELECT count(*) AS found FROM unnest(CAST(:optional AS text[])) AS q(w)
        WHERE q.w = ANY(c.words)) AS o
    CROSS JOIN LATERAL (
        SELECT count(*) AS rest FROM unnest(c.words) AS nw
        WHERE nw <> ALL(CAST(:required AS text[])) AND nw <> ALL(CAST(:optional AS text[]))) AS e
), cut AS (
    SELECT k1, k2, extra, k4 FROM w WHERE sure
    ORDER BY k1 DESC, k2 DESC, extra DESC, k4 DESC OFFSET greatest(:limit - 1, 0) LIMIT 1
), s AS (
    SELECT w.*, similarity(w.folded, :q) AS sim,
           strict_word_similarity(:q, w.folded) AS strict,
           strict_word_similarity(:words, w.folded) AS strict_words
    FROM w
    WHERE NOT EXISTS (SELECT FROM cut)
       OR (w.k1, w.k2, w.extra, w.k4) >= (SELECT k1, k2, extra, k4 FROM cut)
    OFFSET 0
)
SELECT s.id, greatest(s.sim, s.strict) AS score, s.exact_name, s.found, s.near, s.extra, s.rest
FROM s
WHERE s.sure OR CAST(s.sim AS float8) >= CAST(:sim_threshold AS float8)
   OR CAST(s.strict_words AS float8) >= CAST(:strict_threshold AS float8)
ORDER BY s.k1 DESC, s.k2 DESC, s.extra DESC, s.k4 DESC, greatest(s.sim, s.strict) DESC,
         s.sim DESC, s.name
LIMIT :limit
"""


def _starts_alpha(word: str) -> bool:
    """``word ~ '^[a-z]'``: a word starting with a digit (a size, a reference) is met only
    by the same word."""
    return "a" <= word[:1] <= "z"


@dataclass(frozen=True, slots=True)
class Scope:
    """What narrows a name search besides the tenant and ``is_active``: a SQL condition on
    the table aliased ``t`` (written by the repository, never from input) and its values."""

    condition: str = ""
    params: dict[str, Any] | None = None


def search_statement(
    table: str, tenant_id: UUID, query: NameQuery, scope: Scope, limit: int
) -> tuple[str, dict[str, Any]]:
    """The ranked name search over ``table`` (with ``tenant_id``, ``id``, ``name`` and
    ``is_active``) and its parameters: ``(id, score, exact_name, found, near, extra, rest)``
    rows, best first."""
    sql = _SEARCH.format(
        table=table,
        scope=f"AND ({scope.condition})" if scope.condition else "",
        near=_NEAR,
    )
    params: dict[str, Any] = {
        "tenant_id": tenant_id,
        "q": query.folded,
        "words": " ".join((*query.required, *query.optional)) or query.folded,
        "required": list(query.required),
        "prefix": [_starts_alpha(w) and len(w) >= 4 for w in query.required],
        "fuzzy": [_starts_alpha(w) and len(w) >= 5 for w in query.required],
        "optional": list(query.optional),
        "n_required": len(query.required),
        "limit": limit,
        "table": table,
        "sim_threshold": SIMILARITY_THRESHOLD,
        "strict_threshold": STRICT_WORD_SIMILARITY_THRESHOLD,
        "patterns": query.patterns(),
        **(scope.params or {}),
    }
    return sql, params


def search_names(
    session: Session,
    model: Any,
    tenant_id: UUID,
    query: NameQuery,
    *,
    scope: Scope = Scope(),
    limit: int,
) -> list[Hit]:
    """Active rows of ``model`` whose name matches ``query``, best first (see the module
    docstring for the order). Two indexed queries: the ranked ids, then the rows."""
    if not query.folded:
        return []
    use_trigram_thresholds(session)
    sql, params = search_statement(model.__tablename__, tenant_id, query, scope, limit)
    ranked = session.execute(text(sql), params).all()
    if not ranked:
        return []
    found = session.scalars(
        select(model).where(model.tenant_id == tenant_id, model.id.in_([x.id for x in ranked]))
    )
    rows = {r.id: r for r in found}
    return [_hit(rows[x.id], x, len(query.required)) for x in ranked if x.id in rows]


def _hit(row: Any, ranked: Any, n_required: int) -> Hit:
    complete = n_required > 0 and ranked.found == n_required
    return Hit(
        row,
        float(ranked.score),
        bool(ranked.exact_name) or (complete and ranked.rest == 0),
        complete,
        int(ranked.extra),
        n_required > 0 and ranked.near == n_required,
    )


def merge_hits(exact: list[Any], hits: list[Hit], limit: int) -> list[Hit]:
    """Exact matches first (score 1), then the name hits not already among them."""
    merged = [Hit(row, 1.0, True) for row in exact]
    seen = {h.row.id for h in merged}
    merged += [h for h in hits if h.row.id not in seen]
    return merged[:limit]


def _best_group(hits: list[Hit]) -> list[Hit]:
    """The rows that stand above the others by their words: the exact ones, else the
    complete ones holding the most optional words; empty when neither exists."""
    exact = [h for h in hits if h.exact]
    if exact:
        return exact
    complete = [h for h in hits if h.complete]
    most = max((h.extra for h in complete), default=0)
    return [h for h in complete if h.extra == most]


def _by_score(hits: list[Hit]) -> list[Hit]:
    return sorted(hits, key=lambda h: h.score, reverse=True)


def _met(word: str, others: Sequence[str]) -> bool:
    """A word met by one of ``others``, a typo or a split aside (« dialo » / diallo,
    « keurserigne » / keur serigne)."""
    joined = "".join(others)
    return word in joined or any(
        o in word or SequenceMatcher(None, word, o).ratio() >= 0.6 for o in others if len(o) >= 3
    )


_CAPITALISED = re.compile(r"(?<![\w'’])[A-ZÀ-Ý][\w'’-]+")


def _substituted(query: str, name: str) -> bool:
    """« Menuiserie Vasseur » for « Menuiserie Rochat »: a proper name in the query (a
    capitalised word) that the name does not hold, in place of one of the name's that the
    query does not say. Two names sharing only a common word are two different rows,
    however close their letters."""
    words = name_words(name)
    said = [w for w in name_words(query) if _starts_alpha(w) and len(w) >= 3]
    proper = [w for m in _CAPITALISED.finditer(query) for w in name_words(m.group(0))]
    return any(not _met(w, words) for w in proper if len(w) >= 3) and any(
        not _met(w, said) for w in words if _starts_alpha(w) and len(w) >= 3
    )


def _choose(hits: list[Hit], query: str = "") -> Hit | None:
    group = _best_group(hits)
    if group:
        return group[0] if len(group) == 1 else None
    ranked = _by_score(hits)
    if (
        ranked
        and ranked[0].score >= RESOLVE_MIN_SCORE
        and (len(ranked) == 1 or ranked[0].score - ranked[1].score >= RESOLVE_MIN_MARGIN)
        and not _substituted(query, ranked[0].row.name)
    ):
        return ranked[0]
    covered = [h for h in hits if h.covered]
    return covered[0] if len(covered) == 1 else None


def _close_candidates(hits: list[Hit]) -> list[Hit]:
    group = _best_group(hits)
    if group:
        return group
    covered = [h for h in hits if h.covered]
    if len(covered) > 1:
        return covered
    ranked = _by_score(hits)
    return [h for h in ranked if ranked[0].score - h.score < RESOLVE_MIN_MARGIN]


def _alternatives(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} ou {names[-1]}"


def resolve_hit(
    hits: list[Hit],
    query: str,
    nouns: tuple[str, str],
    errors: tuple[type[DomainError], type[DomainError]],
    to_match: Callable[[Hit], Any],
) -> Any:
    """The row ``hits`` designate, or the typed error: ``errors[0]`` (not found) when there
    is no hit, ``errors[1]`` (ambiguous, with the close candidates) otherwise."""
    chosen = _choose(hits, query)
    if chosen is not None:
        return chosen.row
    singular, plural = nouns
    not_found, ambiguous = errors
    if not hits:
        raise not_found(f"Aucun {singular} ne correspond à « {query} ».", query=query)
    close = _close_candidates(hits)
    names = [h.row.name for h in close]
    message = (
        f"Plusieurs {plural} correspondent : {_alternatives(names)} ?"
        if len(close) > 1
        else f"Aucun {singular} ne correspond exactement à « {query} ». "
        f"Vouliez-vous dire {names[0]} ?"
    )
    candidates = [to_match(h).model_dump(mode="json") for h in close]
    raise ambiguous(message, query=query, candidates=candidates)


# --- document numbers --------------------------------------------------------------------

# A document number as people type it: « F-2026-00012 », « f2026-12 », « F 2026 12 »,
# « facture n° F-2026-12 », « 2026-12 ». The year is required: « facture 12 » could be
# any year's, so it is not read as a number.
_TYPED_NUMBER = re.compile(
    r"^(?:(?:la |le |l')?(?:facture|devis|avoir|bon de commande|bon|commande)\s+)?"
    r"(?:n[°o]\s*|num[ée]ro\s+)?"
    r"(?:([a-z]{1,3})\s*[-/.]?\s*)?(\d{4})\s*[-/. ]\s*(\d{1,6})$"
    r"|^([a-z]{1,3})\s*-?\s*(\d{4})(\d{5})$",
    re.IGNORECASE,
)


_LETTERS = re.compile(r"[^A-Za-z]")


@dataclass(frozen=True, slots=True)
class TypedNumber:
    """A document number read from what a person typed: its letters (if any), year and
    sequence."""

    prefix: str | None
    year: int
    seq: int

    def formatted(self, patterns: Collection[str]) -> list[str]:
        """The numbers ``patterns`` (« F-{year}-{seq:05d} ») give for it, those whose letters
        agree with the typed ones: what to look up by equality."""
        numbers = [p.format(year=self.year, seq=self.seq) for p in patterns]
        if self.prefix is None:
            return numbers
        wanted = self.prefix.upper()
        return [n for n in numbers if _LETTERS.sub("", n.split("-")[0]).upper() == wanted]


def typed_number(text: str) -> TypedNumber | None:
    """« f2026-12 » → TypedNumber("f", 2026, 12); None when ``text`` is not a number."""
    match = _TYPED_NUMBER.match(" ".join(text.split()))
    if match is None:
        return None
    prefix, year, seq = match.group(1, 2, 3) if match.group(2) else match.group(4, 5, 6)
    return TypedNumber(prefix, int(year), int(seq))
