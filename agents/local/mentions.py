"""Names and free text in a message, read around marker words.

All comparisons are made on the folded text (lower case, no accents), whole words only; what is
returned keeps the casing of the message. Politeness words (« stp », « merci »…) are ignored.

- ``name_after(utt, ("pour",))``: the name after the first marker that is followed by one
  (« facture pour Diallo SARL, 3 sacs » → "Diallo SARL"). A leading « le client », « la
  cliente », « chez »… is skipped. The name stops at punctuation (, ; . ? ! : « » ( )), at a
  digit, at a linking word (de, du, pour, avec, par, en, et, le, la, à…), at a date word (demain,
  lundi, mars…) and at a common verb or adverb (est, a, doit, maintenant…). One exception: a
  name that starts with a capital may go on through « de », « du », « des », « de la », « d' »
  when a capitalized word follows (« Boutique de la Gare », « Ets du Port »); a lower-case name
  never does; nor « et », except before Fils, Frères, Sœurs, Associés, Cie (« Ets Ndiaye et
  Frères »), so « pour Diallo et Ndiaye » gives "Diallo". Markers « de », « le », « la » also
  match their elided forms (« d'Awa »). When a marker is followed by no name, the next
  occurrence is tried, up to 20 (« facture de 50 000 pour Ndiaye » with ("de", "pour") →
  "Ndiaye").
  An unaccented « a » followed by a past participle is the verb avoir and is skipped (« Ba a
  pointé » is no « à »); the price: « a René » typed without accent is missed.
- ``leading_name(utt)``: a name opening the message and followed by a verb (« Modou a payé »,
  « Awa Diop est absente », « Diallo SARL a réglé »), after an optional role or honorific
  (« Le client Diallo a payé » → "Diallo", « Mme Diop est absente » → "Diop"); None when the
  message opens with a verb, a pronoun, an article or a question word, or when no verb follows
  the name within five words.
- ``names_said(utt)``: every name the message may say, in order of where it is said: one
  opening the message or a clause and followed by a verb, one after each marker of the
  lexicon's ``name_markers`` and ``naming_markers``. A reading that took an everyday word
  for a name tries them.
- ``words_after(utt, ("parce que", "motif"))``: the text after the first marker, to the end.
"""

from __future__ import annotations

import re

from agents.local.slots.text import blank_spans, fold, politeness_spans, strip_politeness
from agents.local.slots.types import Utterance
from domain.kit.lexicon import everyday_word, phrases, phrasing, words

__all__ = [
    "capitalized_subject",
    "leading_name",
    "name_after",
    "names_said",
    "strip_politeness",
    "words_after",
]

_LINKING = words("name_linking_words")
_NAME_PREFIX = words("name_prefixes")
_INNER = frozenset({"de", "du", "des", "d'", "de la", "de l'"})
# What a business is (« l'association Les Amis du Vélo », « la brasserie Lemoine »): a
# lower-case kind word opens a name as a capital would.
_KINDS = words("business_kinds")
_ARTICLES = frozenset({"le", "la", "les", "l'"})
# Written in capitals after a name, a company form (« Roux SA »); « sa » is a possessive.
_FORMS = frozenset({"SA", "SAS", "SASU", "SARL", "SNC", "SCI", "GIE", "SUARL", "EURL"})
# Between a name opening the message and its verb: « L'Hôtel du Parc m'a payé ».
_OBJECT_PRONOUNS = frozenset({"m'", "me", "nous", "lui", "leur", "t'", "te", "vous"})
# A subject pronoun saying again the name that opens the message (« Diallo, il a payé »).
_RESUMING = frozenset({"il", "elle", "ils", "elles"})
_PARTNERS = words("name_partners")
_ROLES = words("name_roles")
_NEXT = re.compile(rf"(?:\s+(?:{'|'.join(sorted(words('participle_adverbs')))}))*\s+(\w+)")
_MAX_HITS = 20  # markers tried per call: a chat message has a handful
_HONORIFICS = frozenset("monsieur madame mademoiselle mr mme mlle m. m".split())
_PARTICIPLE = phrasing("participle")
_WORD = re.compile(r"[^\W\d_](?:[\w&'-]*[\w&])?|&")
_STOP_CHARS = frozenset(',;.?!:«»()"/[]{}')

_LEADING_VERBS = words("leading_verbs")
_MONEY_WORDS = frozenset({"argent", "sous", "fric", "thune", "monnaie", "l'argent"})
# « tout à l'heure », « à l'instant », « à partir de », « à compter du »: when, not who
_TIME_WORDS = frozenset({"heure", "heures", "instant", "moment", "partir", "compter"})
# « Sahel Import numéro SI-0456 », « Metro Cash n° F-2291 »: a document's number ends a name.
_NUMBER_WORDS = frozenset({"numero", "num", "no", "n", "ref", "reference"})
_QUESTION_WORDS = words("question_words")
_NOT_NAMES = words("not_names")
# « fais-lui un avoir pour ça », « pour elle »: a word that names neither a record nor a
# person, said alone after a marker, is nobody's name.
_NEVER_A_NAME = _NOT_NAMES & words("not_a_person")


def _clean(utt: Utterance) -> tuple[str, str]:
    spans = politeness_spans(utt.folded)
    return blank_spans(utt.text, spans), blank_spans(utt.folded, spans)


def _marker_regex(marker: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in fold(marker).split()]
    body = r"\s+".join(words)
    if marker in ("de", "le", "la"):
        body = f"(?:{body}|{marker[0]}')"
        return re.compile(rf"(?<![\w'-]){body}(?:(?<=')|(?![\w'-]))")
    if marker.endswith("'"):  # « facture d'Awa »: the name follows the apostrophe
        return re.compile(rf"(?<![\w'-]){body}")
    return re.compile(rf"(?<![\w'-]){body}(?![\w'-])")


def _tokens(folded: str, start: int, limit: int = 16) -> list[tuple[int, int, str]]:
    """The first ``limit`` word and punctuation tokens of ``folded`` from ``start``."""
    out: list[tuple[int, int, str]] = []
    pos = start
    while pos < len(folded) and len(out) < limit:
        char = folded[pos]
        if char.isspace():
            pos += 1
            continue
        match = _WORD.match(folded, pos)
        if match is None:
            out.append((pos, pos + 1, char))
            pos += 1
            continue
        word = match.group(0)
        # split elisions: "d'awa" → "d'" + "awa"
        if len(word) > 2 and word[1] == "'" and word[0] in "dlnjcsqm":
            out.append((pos, pos + 2, word[:2]))
            pos += 2
            continue
        out.append((pos, match.end(), word))
        pos = match.end()
    return out


def _is_capital(text: str, start: int) -> bool:
    return text[start : start + 1].isupper()


def _inner_link(text: str, tokens: list[tuple[int, int, str]], i: int) -> int:
    """Tokens used by « de », « de la », « d' » inside a capitalized name, 0 if none."""
    for size in (2, 1):
        words = " ".join(t[2] for t in tokens[i : i + size]).replace("' ", "'")
        nxt = i + size
        if words in _INNER and nxt < len(tokens):
            following = tokens[nxt]
            if _is_capital(text, following[0]) and following[2] not in _LINKING:
                return size
    if tokens[i][2] == "et" and i + 1 < len(tokens) and tokens[i + 1][2] in _PARTNERS:
        return 1  # « Ets Ndiaye et Frères »
    if tokens[i][2] in _ARTICLES and _is_capital(text, tokens[i][0]) and i + 1 < len(tokens):
        following = tokens[i + 1]  # « Résidence Les Almadies », « Restaurant Le Baobab »
        if _is_capital(text, following[0]) and following[2] not in _LINKING:
            return 1
    if text[tokens[i][0] : tokens[i][1]] in _FORMS:
        return 1  # « Roux SA »
    if tokens[i][2] in _ARTICLES and i and tokens[i - 1][2] in _KINDS and i + 1 < len(tokens):
        word = tokens[i + 1][2]  # « la clinique les palmiers », typed in lower case
        if word[0].isalpha() and word not in _LINKING and word not in _NOT_NAMES:
            return 1
    return 0


def _opens_name(text: str, token: tuple[int, int, str]) -> bool:
    """A capitalized word or a kind word (« association ») may go on through « de »."""
    return _is_capital(text, token[0]) or token[2] in _KINDS


def _in_the_name_of(tokens: list[tuple[int, int, str]], i: int) -> bool:
    """« (un devis) au nom de Mme Fontaine »: whose name follows."""
    return tokens[i][2] == "nom" and i + 1 < len(tokens) and tokens[i + 1][2] in ("de", "du", "d'")


def _title(tokens: list[tuple[int, int, str]], i: int) -> bool:
    """« M. Caron », « Dr. Sy »: a title and its dot before the name."""
    return (
        tokens[i][2] in ("m", "mr", "mme", "dr", "me", "pr")
        and i + 1 < len(tokens)
        and tokens[i + 1][2] == "."
    )


# A role followed by a colon introduces its name (« nouvelle facture fournisseur : … »);
# so does a role and its qualifier in lower case (« client pro : », « fournisseur local : »)
# when a capitalised name follows the colon: the qualifier says what kind of role, it is
# nobody's name.
_ROLE_COLON = re.compile(
    r"(?:fournisseu(?:r|se)|client|cliente|employee?|salariee?)(?P<qualifier>(?:\s+[a-z]+){0,2})"
    r"\s*:\s*"
)


def _role_colon(text: str, folded: str, start: int) -> int | None:
    """Where the name after « client : » or « client pro : » starts, else None."""
    found = _ROLE_COLON.match(folded, start)
    if found is None:
        return None
    qualifier = text[found.start("qualifier") : found.end("qualifier")]
    named = text[found.end() : found.end() + 1].isupper()
    if qualifier.strip() and not (qualifier.islower() and named):
        return None
    return found.end()


def _numbered(tokens: list[tuple[int, int, str]], i: int) -> bool:
    """A number follows (« n° F-2291 », « numéro SI-0456 », « réf. 77 »)."""
    while i < len(tokens) and tokens[i][2] in ("°", ".", ":", "#"):
        i += 1
    return i < len(tokens) and any(c.isdigit() for c in tokens[i][2])


def _name_from(text: str, folded: str, start: int) -> str | None:
    tokens = _tokens(folded, start)
    i = 0
    while i < len(tokens) and (
        tokens[i][2] in _NAME_PREFIX or _title(tokens, i) or _in_the_name_of(tokens, i)
    ):
        i += 2 if _title(tokens, i) or _in_the_name_of(tokens, i) else 1
    first = i
    while i < len(tokens):
        token = tokens[i][2]
        if i > first and token in _NUMBER_WORDS and _numbered(tokens, i + 1):
            break
        if token in _STOP_CHARS or token[0].isdigit() or token in _LINKING:
            skip = (
                _inner_link(text, tokens, i)
                if i > first and _opens_name(text, tokens[first])
                else 0
            )
            if not skip:
                break
            i += skip
            continue
        if not (token[0].isalpha() or token == "&"):
            break
        i += 1
    while i > first and tokens[i - 1][2] in ("&", "-"):
        i -= 1
    if i == first or (i == first + 1 and tokens[first][2] in _MONEY_WORDS):
        return None  # « qui me doit de l'argent »: nobody named
    if any(token[2] in _TIME_WORDS for token in tokens[first : min(i, first + 2)]):
        return None  # when, not who
    if tokens[first][2] in _QUESTION_WORDS:
        return None  # « … et pour quel montant ? »: what is asked, not who
    if tokens[first][2] in ("m'", "t'", "s'", "n'"):
        return None  # « il vient de m'envoyer 50 000 »: a verb and its pronoun, not who
    if i == first + 1 and tokens[first][2] in _NEVER_A_NAME:
        return None
    return text[tokens[first][0] : tokens[i - 1][1]]


def name_after(utt: Utterance, markers: tuple[str, ...]) -> str | None:
    """The name following the first marker that is followed by one (see the module docstring)."""
    text, folded = _clean(utt)
    hits = sorted(
        (m.start(), m.end()) for marker in markers for m in _marker_regex(marker).finditer(folded)
    )
    for start, end in hits[:_MAX_HITS]:
        if folded[start:end] == "a" and _is_verb_a(text, end):
            continue
        if folded[start:end].strip().endswith("d'") and folded[end:].lstrip().startswith("accord"):
            continue  # « ils sont d'accord »: agreement, not someone's
        if (after_colon := _role_colon(text, folded, start)) is not None:
            end = after_colon  # « fournisseur : Imprimerie Castel »
        name = _name_from(text, folded, end)
        if name:
            return name
    return None


_NAME_MARKERS = phrases("name_markers")
_NAMING_MARKERS = phrases("naming_markers")
_CLAUSE_START = re.compile(r"[,;.!?:]+\s+")
_THAT = re.compile(r"\s+qu'.*$")  # « à Ndiaye Commerce qu'il nous doit… »: the name ends


def names_said(utt: Utterance) -> list[str]:
    """Every name the message may say, in the order they are said (see the module docstring):
    « facture cabinet roux pour le déjeuner » → ["cabinet roux"]. Where a word other than a
    name may stand (after « à », « pour »…, before a verb), a name holds a word that is not
    an everyday word; right after « facture », « client »…, any words are a name."""
    text, folded = _clean(utt)
    found: list[tuple[int, str, bool]] = []
    for start in (0, *(m.end() for m in _CLAUSE_START.finditer(folded))):
        name = leading_name(Utterance(text=text[start:], folded=folded[start:]))
        if name:
            found.append((start, name, False))
    for markers, naming in ((_NAME_MARKERS, False), (_NAMING_MARKERS, True)):
        for hit in (h for marker in markers for h in _marker_regex(marker).finditer(folded)):
            if folded[hit.start() : hit.end()] == "a" and _is_verb_a(text, hit.end()):
                continue
            if name := _name_from(text, folded, hit.end()):
                found.append((hit.end(), _THAT.sub("", name), naming))
    names: dict[str, str] = {}
    for _, name, naming in sorted(found):
        if naming or not all(everyday_word(w) for w in _WORD.findall(fold(name))):
            names.setdefault(fold(name), name)
    return list(names.values())


def _is_verb_a(text: str, end: int) -> bool:
    """« Ba a pointé »: an unaccented « a » before a past participle is the verb avoir."""
    if text[end - 1 : end] != "a":
        return False
    following = _NEXT.match(text, end)
    return following is not None and _PARTICIPLE.fullmatch(following.group(1).lower()) is not None


def leading_name(utt: Utterance) -> str | None:
    """A name opening the message, followed by a verb (« Modou a payé 50 000 » → "Modou")."""
    text, folded = _clean(utt)
    tokens = _tokens(folded, 0)
    tokens = tokens[_role_prefix(tokens) or _article_prefix(text, tokens) :]
    first = 1 if _kept_article(text, tokens) else 0
    i = first
    while i < len(tokens) and i < 6:
        token = tokens[i][2]
        if token in _LEADING_VERBS or token in _STOP_CHARS or token in _LINKING:
            skip = _inner_link(text, tokens, i) if i and _opens_name(text, tokens[0]) else 0
            if not skip:
                break
            i += skip
            continue
        if not (token[0].isalpha() or token == "&"):
            return None
        i += 1
    if i == first or i >= len(tokens) or tokens[first][2] in _NOT_NAMES:
        return None
    verb = i
    if tokens[verb][2] in _RESUMING and verb + 1 < len(tokens):
        verb += 1  # « le garage des Lilas, il nous doit combien ? »: the name said again
    if tokens[verb][2] in _OBJECT_PRONOUNS and verb + 1 < len(tokens):
        verb += 1
    if tokens[verb][2] not in _LEADING_VERBS:
        return None
    return text[tokens[0][0] : tokens[i - 1][1]]


# What a customer does to its debt, said right after its name: « doit », « a payé »,
# « vient de régler »… (with « nous », « m' » between them).
_DEBT_VERB = phrasing("debt_verb")
_SUBJECT = re.compile(
    r"(?:combien\s+|(?:qu'|)est-ce\s+que\s+)?(?:(?P<article>l'|le\s+|la\s+)(?=[a-z]))?(?P<name>[a-z][a-z-]*(?:\s+(?:(?:de\s+la|des|du"
    r"|de)\s+)?[a-z][a-z-]*){0,3}?)\s*,?\s+"
    r"(?=(?:(?:il|elle|ils|elles)\s+)?" + _DEBT_VERB.pattern + ")"
)


def capitalized_subject(message: str) -> str:
    """« diallo nous doit combien ? » is « Diallo nous doit combien ? »: words typed in lower
    case opening a message, right before what a customer does to its debt (« doit », « a
    payé », « vient de régler »), are its name. None of them may be a pronoun, a determiner,
    a role or a question word (« on nous doit », « le client a payé », « qui a payé » stay as
    they are); after an article the name opens with a kind of business and goes on
    (« l'hôtel des pins a réglé » → « l'Hôtel des Pins a réglé »). The tool then looks the
    name up: a name no record bears ends in a question."""
    folded = fold(message)
    subject = _SUBJECT.match(folded)
    if subject is None:
        return message
    start, end = subject.span("name")
    names = [
        (start + m.start(1), m.group(1))
        for m in re.finditer(r"\b(?:de\s+la|des|du|de)\s+|([a-z][a-z-]*)", folded[start:end])
        if m.group(1)
    ]
    if any(
        word in _NOT_NAMES or word in _ROLES or word in _LINKING or word in _MONEY_WORDS
        for _, word in names
    ):
        return message
    if subject.group("article") and (names[0][1] not in _KINDS or len(names) < 2):
        return message  # « le restaurant a payé »: which one is not said
    if any(c.isupper() for c in message[start:end]):
        return message  # typed with its capitals: read as typed
    for at, _ in names:
        message = message[:at] + message[at].upper() + message[at + 1 :]
    return message


def _kept_article(text: str, tokens: list[tuple[int, int, str]]) -> bool:
    """« Les Almadies ont dit oui », « Le Baobab a pris… »: the article is in the name."""
    return (
        len(tokens) > 1
        and tokens[0][2] in ("le", "la", "les")
        and _is_capital(text, tokens[1][0])
        and tokens[1][2] not in _NOT_NAMES
        and tokens[1][2] not in _LINKING
    )


def _article_prefix(text: str, tokens: list[tuple[int, int, str]]) -> int:
    """A leading article before a name: « L'Hôtel du Parc », « La brasserie Lemoine » (the
    article is dropped); kept before a capitalized name (« Les Almadies », « Le Baobab »)."""
    if len(tokens) < 2 or tokens[0][2] not in _ARTICLES or tokens[1][2] in _NOT_NAMES:
        return 0
    if tokens[1][2] in _KINDS or (tokens[0][2] == "l'" and _is_capital(text, tokens[1][0])):
        return 1
    return 0


def _role_prefix(tokens: list[tuple[int, int, str]]) -> int:
    """Tokens of a leading « le client », « la gérante », « Mme » before the name."""
    words = [t[2] for t in tokens[:2]]
    if words[:1] and words[0] in _HONORIFICS:
        return 2 if words[1:] == ["."] else 1
    if (
        len(words) == 2
        and words[0] in ("le", "la", "l'", "notre", "mon", "ma")
        and words[1] in _ROLES
    ):
        return 2
    return 0


def words_after(utt: Utterance, markers: tuple[str, ...]) -> str | None:
    """Free text after the first marker, to the end of the message, stripped; None if empty."""
    text, folded = _clean(utt)
    hits = sorted(m.end() for marker in markers for m in _marker_regex(marker).finditer(folded))
    for end in hits[:_MAX_HITS]:
        rest = re.sub(r"^[\s:,\-–—]+", "", text[end:])
        rest = strip_politeness(rest).rstrip(" .!")
        if rest:
            return rest
    return None


# « 150 barres de fer de 12 », « 200 barres de fer à béton de 10 à 3 900 F »: a number
# that names the product's size or model, not a count or a price.
# « 1 poêle à granulés Éco 8 kW »: a rating or dimension after a few words of the name.
QUALIFIER = phrasing("qualifier")


def qualified_item(utt: Utterance, end: int, item: str) -> str:
    """``item`` (counted by a quantity ending at ``end``) with the size or model number
    that follows it, as written."""
    found = QUALIFIER.match(utt.folded, end)
    return item + utt.text[found.start(1) : found.end(1)] if found else item
