"""The kinds mapping: which free-text node types and edge labels mean which kinds.

Graph files (GraphML, GEXF, Kumu) and FollowTheMoney entities name their types
freely. A YAML file (``ingest/mappings/default.yaml``, documented there; a user's
own with ``--mapping FILE``) maps those words to Stakemap kinds. Words no entry
matches fall back to :attr:`ActorKind.OTHER` / :attr:`LinkKind.RELATED_TO`
rather than being dropped.

>>> m = load_mapping()
>>> m.actor("Trade-Union")
ActorRule(kind=<ActorKind.UNION: 'union'>, guessed=False, mapped=True)
>>> m.actor("Network Group")
ActorRule(kind=<ActorKind.OTHER: 'other'>, guessed=True, mapped=False)
>>> m.link("Is part of")
LinkRule(kind=<LinkKind.MEMBER_OF: 'member_of'>, reverse=False, mapped=True)
>>> m.link("National centre").kind is LinkKind.RELATED_TO
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from graphmodel.errors import InputError
from graphmodel.kinds import ACTOR_SPECS, LINK_SPECS, ActorKind, LinkKind
from graphmodel.text import normalise_name

from .base import load_yaml

DEFAULT_MAPPING = Path(__file__).resolve().parent / "mappings" / "default.yaml"


@dataclass(frozen=True)
class ActorRule:
    kind: ActorKind
    guessed: bool = False
    mapped: bool = True


@dataclass(frozen=True)
class LinkRule:
    kind: LinkKind
    reverse: bool = False
    mapped: bool = True


@dataclass
class KindMapping:
    """Word -> kind rules for actors and links, with the fields that hold the words."""

    actors: dict[str, ActorRule] = field(default_factory=dict)
    links: dict[str, LinkRule] = field(default_factory=dict)
    actor_type_fields: list[str] = field(default_factory=list)
    link_type_fields: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def actor(self, word: str | None) -> ActorRule:
        """The rule for a node type; ``other`` (guessed, unmapped) when nothing matches."""
        key = mapping_key(word or "")
        rule = self.actors.get(key) or _OWN_ACTOR_WORDS.get(key)
        return rule or ActorRule(ActorKind.OTHER, guessed=True, mapped=False)

    def link(self, word: str | None) -> LinkRule:
        """The rule for an edge label; ``related_to`` (unmapped) when nothing matches."""
        key = mapping_key(word or "")
        rule = self.links.get(key) or _OWN_LINK_WORDS.get(key)
        return rule or LinkRule(LinkKind.RELATED_TO, mapped=False)

    def pick(self, data: dict[str, Any], fields: list[str],
             loose: dict[str, str] | None = None) -> tuple[str | None, str | None]:
        """The first non-empty value among ``fields`` in ``data`` (keys matched loosely), and its key.

        ``loose`` maps :func:`mapping_key` of each key of ``data`` to the key, when the caller has it.
        """
        if loose is None:
            loose = {mapping_key(str(k)): k for k in data}
        for name in fields:
            key = loose.get(mapping_key(name))
            if key is not None and data[key] not in (None, "", []):
                value = data[key][0] if isinstance(data[key], list) else data[key]
                return str(value).strip(), key
        return None, None


@lru_cache(maxsize=1 << 14)
def mapping_key(word: str) -> str:
    """The form words are matched in: case, accents, punctuation and spacing ignored."""
    return normalise_name(str(word).replace("_", " "))


def load_mapping(path: Path | str | None = None) -> KindMapping:
    """The default mapping, extended (or replaced) by the user's file at ``path``."""
    base = _load_default()
    if path is None:
        return base
    user_path = Path(path)
    data = _read_yaml(user_path)
    mapping = KindMapping() if data.get("extends", True) is False else _copy(base)
    _apply(mapping, data, user_path)
    return mapping


@lru_cache(maxsize=1)
def _load_default() -> KindMapping:
    mapping = KindMapping()
    _apply(mapping, _read_yaml(DEFAULT_MAPPING), DEFAULT_MAPPING)
    return mapping


def _copy(mapping: KindMapping) -> KindMapping:
    return KindMapping(dict(mapping.actors), dict(mapping.links), list(mapping.actor_type_fields),
                       list(mapping.link_type_fields), list(mapping.files))


def _read_yaml(path: Path) -> dict:
    if not path.exists():
        raise InputError(f"{path}: no such mapping file", hint="check the --mapping path")
    try:
        data = load_yaml(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f"{path}:{line + 1}" if line is not None else str(path)
        raise InputError(f"{where}: the mapping is not valid YAML", hint="check its indentation and quotes") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: a mapping file is a YAML mapping with actor_kinds and link_kinds",
                         hint="see ingest/mappings/default.yaml")
    return data


def _apply(mapping: KindMapping, data: dict, path: Path) -> None:
    unknown = set(data) - {"version", "extends", "actor_kinds", "link_kinds", "actor_type_fields", "link_type_fields"}
    if unknown:
        raise InputError(f"{path}: unknown key(s) {', '.join(sorted(map(str, unknown)))}",
                         hint="a mapping has actor_kinds, link_kinds, actor_type_fields, link_type_fields")
    for word, value in (data.get("actor_kinds") or {}).items():
        kind, options = _entry(path, "actor_kinds", word, value, {"guessed"})
        try:
            mapping.actors[mapping_key(word)] = ActorRule(ActorKind(_token(kind)), bool(options.get("guessed")))
        except ValueError:
            raise InputError(f"{path}: actor_kinds: {word!r} maps to unknown actor kind {kind!r}",
                             hint="choose one of: " + ", ".join(k.value for k in ActorKind)) from None
    for word, value in (data.get("link_kinds") or {}).items():
        kind, options = _entry(path, "link_kinds", word, value, {"reverse"})
        try:
            mapping.links[mapping_key(word)] = LinkRule(LinkKind(_token(kind)), bool(options.get("reverse")))
        except ValueError:
            raise InputError(f"{path}: link_kinds: {word!r} maps to unknown link kind {kind!r}",
                             hint="choose one of: " + ", ".join(k.value for k in LinkKind)) from None
    for key in ("actor_type_fields", "link_type_fields"):
        if key in data:
            values = data[key]
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise InputError(f"{path}: {key} must be a list of field names", hint="e.g. [type, category]")
            setattr(mapping, key, list(values))
    mapping.files.append(path.name)


def _entry(path: Path, section: str, word: Any, value: Any, allowed: set[str]) -> tuple[str, dict]:
    if isinstance(value, str):
        return value, {}
    if isinstance(value, dict) and isinstance(value.get("kind"), str) and set(value) <= allowed | {"kind"}:
        return value["kind"], value
    raise InputError(f"{path}: {section}: {word!r} needs a kind, or {{kind: ..., {', '.join(sorted(allowed))}: true}}",
                     hint="see ingest/mappings/default.yaml")


def _token(value: str) -> str:
    return "_".join(value.strip().lower().replace("-", " ").split())


_OWN_ACTOR_WORDS: dict[str, ActorRule] = {
    **{mapping_key(spec.label): ActorRule(kind) for kind, spec in ACTOR_SPECS.items()},
    **{mapping_key(kind.value): ActorRule(kind) for kind in ActorKind},
}
_OWN_ACTOR_WORDS[mapping_key("other")] = ActorRule(ActorKind.OTHER, guessed=True)
_OWN_LINK_WORDS: dict[str, LinkRule] = {
    **{mapping_key(spec.label): LinkRule(kind) for kind, spec in LINK_SPECS.items()},
    **{mapping_key(kind.value): LinkRule(kind) for kind in LinkKind},
}


def fit_link(rule: LinkRule, source_kind: ActorKind, target_kind: ActorKind) -> tuple[LinkKind, str | None]:
    """The link kind to use between two actors: the rule's, or ``related_to`` with the reason when
    the kinds table does not allow the rule's kind between these kinds of actor."""
    if LINK_SPECS[rule.kind].allows(source_kind, target_kind):
        return rule.kind, None
    return LinkKind.RELATED_TO, (f"{rule.kind.value} cannot go from a {source_kind.value} to a "
                                 f"{target_kind.value}")
