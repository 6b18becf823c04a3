"""The keys records are matched by: normalised names and aliases, identifiers, a company's name
without its legal form, initials and acronyms, and the name words that find near matches.

Pure functions of a record (cached where a run asks the same question often); the
:class:`~ingest.resolution.Resolver` indexes and looks up these keys.

>>> company_core("Scavi Hue Company Ltd."), initials("International Labour Organization")
('scavi hue', 'ilo')
"""

from __future__ import annotations

import re
from functools import lru_cache

from graphmodel.kinds import ActorKind
from graphmodel.models import Actor, identifier_scheme
from graphmodel.text import normalise_name as _normalise_name

#: A name token shared by more actors than this says little; it is not used to find near matches.
BLOCK_LIMIT = 400

COMPANY_KINDS = frozenset({ActorKind.BRAND, ActorKind.SUPPLIER, ActorKind.FACILITY, ActorKind.OTHER})
#: Kinds never matched on initials.
NO_ACRONYMS = frozenset({ActorKind.BRAND, ActorKind.SUPPLIER, ActorKind.FACILITY})
#: Kinds whose near matches are not worth a reviewer's time (titles of programmes vary by design).
NO_NEAR_MATCH = frozenset({ActorKind.PROGRAMME, ActorKind.CAMPAIGN, ActorKind.AGREEMENT})
#: Legal forms dropped from the end of company names for the company-name rule.
LEGAL_FORMS = frozenset("""
    co company corp corporation inc incorporated llc llp ltd limited plc pvt private pte pty
    gmbh ag sa sas sarl srl spa bv nv jsc ojsc cjsc tbk bhd sdn kk kg ab oy oyj ltda cia sl factory
""".split())
#: Spoken forms of legal suffixes tried against the store for the company-name rule.
_LEGAL_SUFFIXES = ("ltd", "limited", "co ltd", "co", "company", "company limited", "inc", "corp", "corporation",
                   "pvt ltd", "private limited", "llc", "sa", "gmbh", "ag", "sdn bhd", "pt")
#: Words left out of initials ("International Labour Organization" -> ILO).
_STOPWORDS = frozenset("a and of the for in on to at de des du la le les el del y e et und fur".split())
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&]{1,9}$")


def _nameless(actor: Actor) -> bool:
    return bool(actor.attributes.get("name_from_id"))


def _guessed(actor: Actor) -> bool:
    return bool(actor.attributes.get("kind_guessed"))


@lru_cache(maxsize=1 << 18)
def normalise_name(text: str) -> str:
    """:func:`graphmodel.text.normalise_name`, remembered (a run sees the same names many times)."""
    return _normalise_name(text)


@lru_cache(maxsize=1 << 18)
def _bigrams(norm: str) -> frozenset[str]:
    return frozenset(norm[i:i + 2] for i in range(len(norm) - 1))


_SCHEMES = frozenset({"wikidata", "iati", "os_id", "lei", "ftm", "kumu"})
_NUMBER = re.compile(r"\d+")


def numbered_apart(a: str, b: str) -> bool:
    """Whether two normalised names both carry numbers and not the same ones: a union's Local 12 and
    Local 13, or a group's Factory No. 1 and No. 2, are different organisations however alike the rest.

    >>> numbered_apart("union 123", "union 124"), numbered_apart("garment factory no 1", "garment factory no 1 ltd")
    (True, False)
    >>> numbered_apart("unite", "unite 2")   # a number on one side only proves nothing
    False
    """
    ours, theirs = _NUMBER.findall(a), _NUMBER.findall(b)
    return bool(ours) and bool(theirs) and [n.lstrip("0") for n in ours] != [n.lstrip("0") for n in theirs]


def _identifier_key(scheme: str, value: str) -> str:
    return f"x:{scheme}:{value.strip().casefold()}"


def _loose_iati_key(value: str) -> str:
    """IATI refs compared without hyphens, spaces and case: ``GB-CHC-272465`` = ``gbchc272465``."""
    return "X:iati:" + re.sub(r"[^0-9a-z]", "", value.casefold())


def _keys(actor: Actor) -> list[str]:
    keys = [_identifier_key(identifier_scheme(s), v) for s, v in actor.identifiers.items()]
    keys += [_loose_iati_key(v) for s, v in actor.identifiers.items() if identifier_scheme(s) == "iati"]
    if _nameless(actor):
        return keys
    person = actor.kind is ActorKind.PERSON
    keys += _primary_keys(actor.name, person, actor.kind in NO_ACRONYMS)
    for alias in actor.aliases:
        keys += _alias_keys(alias, person)
    if not person and actor.kind in COMPANY_KINDS and actor.country and (core := company_core(actor.name)):
        keys.append(f"c:{actor.country}:{core}")
    return keys


@lru_cache(maxsize=1 << 17)
def _alias_keys(name: str, person: bool) -> tuple[str, ...]:
    norm = normalise_name(name)
    if not norm:
        return ()
    keys = ["n:" + norm]
    compact = norm.replace(" ", "")
    if not person and len(compact) >= 5:
        keys.append("s:" + compact)
    return tuple(keys)


@lru_cache(maxsize=1 << 17)
def _primary_keys(name: str, person: bool, company: bool = False) -> tuple[str, ...]:
    keys = list(_alias_keys(name, person))
    if not person and not company:
        # acronym rule: from the primary name only (a full name with an acronym alias matches on "n:")
        if initial := initials(name):
            keys.append(f"a:{initial}")
        keys += [f"v:{v}" for v in initial_variants(name)]
        if _is_acronym(name):
            keys.append(f"k:{name.replace('.', '').strip().lower()}")
    return tuple(keys)


@lru_cache(maxsize=1 << 16)
def company_core(name: str) -> str:
    """A company's name without the legal forms at its end, or ``''`` when too little is left.

    >>> company_core("Regina Miracle Intimate Apparel (Shenzhen Ltd.)")
    'regina miracle intimate apparel shenzhen'
    >>> company_core("ABC Co., Ltd.")
    ''
    """
    tokens = normalise_name(name).split()
    while tokens and tokens[-1] in LEGAL_FORMS:
        tokens.pop()
    while tokens and tokens[0] in ("pt", "cv", "the"):
        tokens.pop(0)
    core = " ".join(tokens)
    return core if len(tokens) >= 2 and len(core) >= 6 else ""


@lru_cache(maxsize=1 << 16)
def initials(name: str) -> str:
    """Initials of a name of three or more significant words, for matching acronyms.

    >>> initials("Friedrich-Ebert-Stiftung"), initials("International Labour Organization")
    ('fes', 'ilo')
    >>> initials("Solidarity Center")
    ''
    """
    words = [w for w in normalise_name(name).split() if w not in _STOPWORDS]
    return "".join(w[0] for w in words) if len(words) >= 3 and all(w[0].isalpha() for w in words) else ""


@lru_cache(maxsize=1 << 16)
def initial_variants(name: str) -> tuple[str, ...]:
    """Initials of a name of four or more significant words, skipping one inner word.

    >>> initial_variants("Building and Wood Workers' International")
    ('bwi', 'bwi')
    """
    words = [w for w in normalise_name(name).split() if w not in _STOPWORDS]
    if len(words) < 4 or not all(w[0].isalpha() for w in words):
        return ()
    letters = [w[0] for w in words]
    return tuple("".join(letters[:i] + letters[i + 1:]) for i in range(1, len(letters) - 1))


def _is_acronym(name: str) -> bool:
    return bool(_ACRONYM.match(name.replace(".", "").strip()))


@lru_cache(maxsize=1 << 17)
def _tokens(norm: str) -> tuple[str, ...]:
    """Blocking keys of a name: its informative words, and its first letters without spaces
    (so "IrishAid" meets "Irish Aid")."""
    words = [t for t in dict.fromkeys(norm.split()) if len(t) >= 3 and t not in LEGAL_FORMS and t not in _STOPWORDS]
    compact = norm.replace(" ", "")
    return tuple(words + ([f"^{compact[:5]}"] if len(compact) >= 5 else []))


def _block_tokens(norm: str, blocks: dict[str, list[str]], count: int = 4) -> list[str]:
    """The rarest informative tokens of a name that other names share: where its near matches are."""
    sized = sorted((n, t) for t in _tokens(norm) if 0 < (n := len(blocks.get(t, ()))) <= BLOCK_LIMIT)
    return [t for _, t in sized[:count]]
