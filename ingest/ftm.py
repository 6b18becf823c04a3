"""FollowTheMoney entities, one JSON object a line, as Aleph exports them.

Every property value is a list (a single value is accepted too); Aleph's extra
keys (``mutable``, ``role_id``, ``origin``, dates) are ignored.

- **Parties**: ``Person``, ``Organization``, ``Company``, ``LegalEntity``,
  ``PublicBody``, ``Project``, ``Contract`` (and, when the ``followthemoney``
  package is installed, any schema descending from ``LegalEntity``) become
  actors; their kind comes from the schema through the kinds mapping (``Person``
  -> person, ``Project`` -> programme, ``Contract`` -> agreement, ``PublicBody``
  -> government, guessed; the others -> other, guessed, so a curated kind wins),
  or from ``keywords`` when one is a Stakemap kind (as Stakemap's own export writes).
  The FtM id is kept in ``identifiers["ftm"]``; ``leiCode`` and ``wikidataId``
  become identifiers too; ``alias``, ``previousName``, ``weakAlias`` and
  ``abbreviation`` become aliases.
- **Links**: ``Membership`` (member -> organization) -> ``member_of``,
  ``Ownership`` (owner -> asset, ``percentage`` as share) -> ``owns``,
  ``Payment`` (payer -> beneficiary, amount, currency, dates, programme) ->
  ``funds``, ``Representation`` (agent -> client) -> ``represents_workers_at``,
  ``UnknownLink`` (subject -> object; its ``role`` through the mapping) ->
  ``related_to``. Other interval schemata (``Directorship``, ``Employment``...)
  go through the mapping too. A link whose kind the kinds table does not allow
  between its ends is kept as ``related_to`` with the reason.

Other schemata (``Note``, ``Document``...) are counted in the notes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from graphmodel.errors import InputError
from pydantic import ValidationError

from graphmodel.kinds import ActorKind, Confidence, LinkKind, Sensitivity
from graphmodel.models import Actor, Citation, Source, check_identifiers
from graphmodel.values import currency_code, partial_date

from .base import ReadContext, ReadResult, bulk_reader
from .mapping import KindMapping, LinkRule, fit_link, load_mapping
from .records import Emitter, country_of, keyed_id, origin_for, tidy

FORMAT = "ftm"
_ACTOR_KINDS = {k.value: k for k in ActorKind}
_LINK_KINDS = {k.value: k for k in LinkKind}
_CONFIDENCES = {c.value for c in Confidence}
_SENSITIVITIES = {s.value for s in Sensitivity}
_SOURCE_NOTE = re.compile(r"^Stakemap source: (\S+) \((\w+)\)$")
PARTIES = {"Person", "Organization", "Company", "LegalEntity", "PublicBody", "Project", "Contract"}
#: Interval schemata: (source property, target property).
EDGES = {
    "Membership": ("member", "organization"), "Ownership": ("owner", "asset"), "Payment": ("payer", "beneficiary"),
    "Representation": ("agent", "client"), "UnknownLink": ("subject", "object"),
    "Directorship": ("director", "organization"), "Employment": ("employee", "employer"),
    "Associate": ("person", "associate"), "Family": ("person", "relative"), "Succession": ("predecessor", "successor"),
}
NAME_PROPS = ("name",)
ALIAS_PROPS = ("alias", "previousName", "weakAlias", "abbreviation")
COUNTRY_PROPS = ("country", "jurisdiction", "mainCountry", "nationality", "citizenship")
_USED = {"name", "title", *ALIAS_PROPS, *COUNTRY_PROPS, "description", "summary", "leiCode", "wikidataId", "firstName",
         "lastName"}


def sniff(path: Path, head: bytes) -> bool:
    """FtM entity lines, by name (``.ftm.json``, ``.ftm``...) or, whatever the extension (``.ijson``, none),
    by content: a first line that is a JSON object with a ``schema`` and ``properties``."""
    name = path.name.lower()
    if name.endswith((".ftm.json", ".ftm", ".ftm.jsonl", ".ftm.ndjson")):
        return True
    first = head.decode("utf-8", "ignore").lstrip("\ufeff").lstrip().split("\n", 1)[0]
    if not first.startswith("{") or '"schema"' not in first:
        return False
    try:
        entity = json.loads(first)
    except ValueError:  # a first line longer than the bytes read: judge by its keys
        return '"properties"' in first and '"id"' in first
    return isinstance(entity, dict) and isinstance(entity.get("schema"), str) and "id" in entity \
        and isinstance(entity.get("properties", {}), dict)


@bulk_reader
def read_ftm(path: Path, ctx: ReadContext, origin: Source | None = None) -> ReadResult:
    """Read FollowTheMoney entity lines."""
    emit = Emitter(path, FORMAT, ctx, origin_for(path, ctx, FORMAT, origin,
                                                  description="FollowTheMoney entities"))
    mapping = load_mapping(ctx.options.get("mapping"))
    entities = list(_entities(path, emit))
    if not entities and not emit.result.read:
        raise InputError(f"{path}: no FollowTheMoney entities in the file", hint="is it empty?")
    schemata = _Schemata()
    by_ftm_id: dict[str, str] = {}
    own_kinds: dict[str, ActorKind] = {}  # the kind this file gives each party: its links are judged by it
    skipped: dict[str, int] = {}
    not_parties: set[str] = set()
    documents = _documents(entities, emit)
    cites: dict[str, list] = {}
    for line, entity in entities:
        if entity["schema"] == "Documentation":
            props = entity["properties"]
            source = documents.get(_ref(props.get("document")) or "")
            target = _ref(props.get("entity"))
            if source and target:
                cites.setdefault(target, []).append((source, _first(props.get("role")), _first(props.get("summary"))))
    for line, entity in entities:
        role = schemata.role(entity["schema"])
        if role == "party":
            actor = _party(emit, mapping, line, entity, cites, own_kinds)
            if actor is not None:
                by_ftm_id[entity["id"]] = actor.id
        elif role is None:
            skipped[entity["schema"]] = skipped.get(entity["schema"], 0) + 1
            not_parties.add(entity["id"])
    for schema, count in sorted(skipped.items()):
        emit.notice("entities of schemata that are neither parties nor links (not read)", f"{schema}: {count}")
    for line, entity in entities:
        ends = schemata.ends(entity["schema"])
        if ends is None:
            continue
        refs = [_ref(entity["properties"].get(prop)) for prop in ends]
        if any(ref in not_parties for ref in refs):
            emit.notice("links to entities that are not parties (not read)", f"line {line}: {entity['schema']}")
            continue
        _link(emit, mapping, line, entity, ends, by_ftm_id, own_kinds)
    return emit.finish()


def _documents(entities: list, emit: Emitter) -> dict[str, str]:
    """Documents that Stakemap's own export wrote for its sources: FtM id -> Source id (kept as sources)."""
    out = {}
    for line, entity in entities:
        if entity["schema"] != "Document":
            continue
        props = entity["properties"]
        for note in props.get("notes", []):
            match = _SOURCE_NOTE.match(str(note))
            if not match:
                continue
            kind = match.group(2) if match.group(2) in ("document", "dataset", "file") else "document"
            year = str(_first(props.get("date")) or "")[:4]
            try:
                source = Source(id=match.group(1), title=str(_first(props.get("title")) or match.group(1)), kind=kind,
                                author=_first(props.get("author")), publisher=_first(props.get("publisher")),
                                url=_first(props.get("sourceUrl")), description=_first(props.get("description")),
                                year=int(year) if year.isdigit() else None)
            except ValidationError:
                emit.notice("source documents that are not valid sources (left out)", f"line {line}")
                continue
            emit.result.sources.append(source)
            out[entity["id"]] = source.id
    return out


def _first(values: list | None) -> str | None:
    return str(values[0]) if values else None


def _entities(path: Path, emit: Emitter):
    """(line, entity) for each well-formed entity; a problem for each line that is not one."""
    with path.open("rb") as handle:
        for line_no, raw in enumerate(handle, start=1):
            try:
                text = raw.decode("utf-8-sig" if line_no == 1 else "utf-8").strip()
            except UnicodeDecodeError:
                emit.begin()
                emit.problem(line_no, None, "the line is not UTF-8 text", "save the file as UTF-8")
                emit.end()
                continue
            if not text:
                continue
            try:
                entity = json.loads(text)
            except ValueError as exc:
                emit.begin()
                emit.problem(line_no, f"column {getattr(exc, 'colno', '?')}",
                             f"not a JSON object ({getattr(exc, 'msg', exc)})",
                             "each line holds one entity as JSON; the file may be truncated")
                emit.end()
                continue
            if not isinstance(entity, dict) or not isinstance(entity.get("schema"), str) or not entity.get("id"):
                emit.begin()
                emit.problem(line_no, "schema" if isinstance(entity, dict) and entity.get("id") else "id",
                             "not a FollowTheMoney entity (it needs an id and a schema)")
                emit.end()
                continue
            props = entity.get("properties")
            if props is None:
                props = {}
            if not isinstance(props, dict):
                emit.begin()
                emit.problem(line_no, "properties", "properties must be an object of lists")
                emit.end()
                continue
            entity["id"] = str(entity["id"])
            entity["properties"] = {str(k): _values(v) for k, v in props.items()}
            yield line_no, entity


def _values(value: Any) -> list:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [v for v in items if v not in (None, "")]


def _party(emit: Emitter, mapping: KindMapping, line: int, entity: dict,
           cites: dict[str, list[tuple[str, str | None, str | None]]], own_kinds: dict[str, ActorKind]) -> Actor | None:
    props = entity["properties"]
    emit.begin()
    names = [tidy(str(v)) for v in props.get("name", []) + props.get("title", []) if tidy(str(v))]
    if not names and (props.get("firstName") or props.get("lastName")):
        names = [tidy(" ".join(str(v[0]) for v in (props.get("firstName"), props.get("lastName")) if v))]
    if not names and isinstance(entity.get("caption"), str) and tidy(entity["caption"]):
        names = [tidy(entity["caption"])]  # what FtM itself displays for an entity without a name
    if not names:
        emit.problem(line, "properties.name", f"the {entity['schema']} has no name")
        emit.end()
        return None
    rule = mapping.actor(entity["schema"])
    kind, guessed = rule.kind, rule.guessed or not rule.mapped
    for keyword in props.get("keywords", []):  # Stakemap's own export puts the kind first in keywords
        if str(keyword) in _ACTOR_KINDS:
            kind, guessed = _ACTOR_KINDS[str(keyword)], False
            break
    notes = _stakemap_notes(props.get("notes", []))
    attributes: dict[str, Any] = {"ftm_schema": entity["schema"]}
    if guessed:
        attributes["kind_guessed"] = True
    countries = []
    for prop in COUNTRY_PROPS:
        for value in props.get(prop, []):
            try:
                countries.append(country_of(str(value)))
            except ValueError:
                emit.notice("country codes that are not countries (left out)", f"line {line}: {prop} {value!r}")
    countries = list(dict.fromkeys(countries))
    identifiers: dict[str, str] = {}
    wanted = {"ftm": entity["id"]}
    for prop, scheme in (("leiCode", "lei"), ("wikidataId", "wikidata")):
        if props.get(prop):
            wanted[scheme] = str(props[prop][0])
    for scheme, value in wanted.items():
        try:
            identifiers.update(check_identifiers({scheme: value}))
        except ValueError:
            emit.notice("identifiers that do not fit their scheme (left out)", f"line {line}: {scheme} {value!r}")
    for key, values in props.items():
        if key not in _USED and values and not (key == "keywords" and not guessed) \
                and not (key == "notes" and notes):
            attributes[key] = [v if isinstance(v, (int, float, bool)) else str(v) for v in values]
    description = " ".join(str(v) for v in props.get("description", []) + props.get("summary", [])) or None
    aliases = names[1:] + [tidy(str(v)) for p in ALIAS_PROPS for v in props.get(p, [])]
    fields = dict(id=keyed_id(names[0], "ftm", entity["id"]), kind=kind, name=names[0][:500],
                  aliases=aliases, country=countries[0] if countries else None, countries=countries[1:],
                  description=description, attributes=attributes)
    if notes.get("stakemap sensitivity") in _SENSITIVITIES:
        fields["sensitivity"] = notes["stakemap sensitivity"]
    actor = emit.actor(line, "properties.name", f"{emit.label}:{line}", f"FollowTheMoney {entity['schema']}",
                       identifiers=identifiers, **fields)
    if actor is not None:
        own_kinds[actor.id] = ActorKind(kind)
        for source, locator, note in cites.get(entity["id"], []):
            actor = emit.keep_actor(actor.model_copy(update={"citations": [Citation(source=source, locator=locator,
                                                                                     note=note)]}))
    emit.end()
    return actor


def _stakemap_notes(values: list) -> dict[str, str]:
    """``key: value`` notes Stakemap's own export writes (``Stakemap sensitivity: public``)."""
    out = {}
    for value in values:
        key, sep, rest = str(value).partition(":")
        if sep and key.lower().startswith("stakemap "):
            out[key.strip().lower()] = rest.strip()
    return out


def _link(emit: Emitter, mapping: KindMapping, line: int, entity: dict, ends: tuple[str, str],
          by_ftm_id: dict[str, str], own_kinds: dict[str, ActorKind]) -> None:
    props = entity["properties"]
    schema = entity["schema"]
    emit.begin()
    money = _payment(emit, line, props) if schema == "Payment" else {}
    where = f"{emit.label}:{line}"
    ids = []
    for prop in ends:
        ref = _ref(props.get(prop))
        if not ref:
            emit.problem(line, f"properties.{prop}", f"the {schema} has no {prop}")
            if money:
                emit.set_aside(where, f"rejected: the payment has no {prop}", money["amount"], money["currency"])
            emit.end()
            return
        actor_id = by_ftm_id.get(str(ref)) or emit.ctx.lookup(f"ftm:{ref}")
        if actor_id is None:
            emit.problem(line, f"properties.{prop}", f"{prop} {str(ref)[:60]!r} is not an entity of this file "
                         "(or one already imported)", "export the linked entities with the link")
            if money:
                emit.set_aside(where, f"rejected: the payment's {prop} is not in the file", money["amount"],
                               money["currency"])
            emit.end()
            return
        ids.append(actor_id)
    rule = mapping.link(schema)
    role = " ".join(str(v) for v in props.get("role", []))
    summary = _summary(props.get("summary", []))
    if role in _LINK_KINDS or summary.get("stakemap link") in _LINK_KINDS:  # Stakemap's own export
        rule = LinkRule(_LINK_KINDS[role if role in _LINK_KINDS else summary["stakemap link"]])
    elif schema == "UnknownLink" and role and mapping.link(role).mapped:
        rule = mapping.link(role)
    source, target = (ids[1], ids[0]) if rule.reverse else (ids[0], ids[1])
    # a party of this file is judged by the kind this file gives it, so the link does not depend on which
    # other files were ingested first; a party imported before, by the kind the map knows
    kinds = [own_kinds.get(end) or emit.ctx.kind_of(end) or ActorKind.OTHER for end in (source, target)]
    kind, reason = fit_link(rule, *kinds)
    attributes: dict[str, Any] = {"ftm_schema": schema, "ref": entity["id"]}
    if role:
        attributes["role"] = role
    if reason:
        attributes["unmapped_reason"] = reason
    fields: dict[str, Any] = {}
    for field, props_for in (("start", ("startDate", "date")), ("end", ("endDate",))):
        for prop in props_for:
            if props.get(prop):
                text = str(props[prop][0])[:10]
                try:
                    fields[field] = partial_date(text)
                except ValueError:
                    emit.notice("dates that are not dates (left out)", f"line {line}: {prop} {text!r}")
                break
    if fields.get("start") and fields.get("end") and fields["end"] < fields["start"][: len(fields["end"])]:
        emit.notice("end dates before start dates (end left out)", f"line {line}")
        fields.pop("end")
    fields.update(money)
    if schema == "Payment" and not money and props.get("amount"):
        attributes["amount_text"] = str(props["amount"][0])  # kept as written; the ledger says why it is not money
    if schema == "Ownership" and props.get("percentage"):
        try:  # FtM's percentage is always a percent: "1" is 1 %, never 100 %
            share = float(str(props["percentage"][0]).rstrip("%").replace(",", ".")) / 100
            if 0 <= share <= 1:
                fields["share"] = round(share, 6)
            else:
                emit.notice("percentages outside 0-100 (left out)", f"line {line}: {props['percentage'][0]!r}")
        except ValueError:
            emit.notice("percentages that are not numbers (left out)", f"line {line}: {props['percentage'][0]!r}")
    for prop in ("programme", "purpose", "summary", "status", "ownershipType", "sharesCount"):
        if props.get(prop):
            attributes[prop] = [str(v) for v in props[prop]]
    description = " ".join(str(v) for v in props.get("description", [])) or None
    for key in ("confidence", "sensitivity"):
        if summary.get(key) in (_CONFIDENCES if key == "confidence" else _SENSITIVITIES):
            fields[key] = summary[key]
    if summary and "stakemap link" in summary and "summary" in attributes:
        del attributes["summary"]
    emit.link(kind, source, target, line, f"{emit.label}:{line}", f"FollowTheMoney {schema}",
              column="schema", description=description, attributes=attributes, **fields)


def _summary(values: list) -> dict[str, str]:
    """The ``key: value; ...`` summary Stakemap's own export writes on links."""
    out = {}
    for value in values:
        for part in str(value).split("; "):
            key, sep, rest = part.partition(":") if not part.lower().startswith("stakemap link ") else \
                ("stakemap link", ":", part[len("stakemap link "):])
            if sep:
                out.setdefault(key.strip().lower(), rest.strip())
    return out


def _ref(values: list | None) -> str | None:
    """The entity id a property names (a plain id, or a nested entity as Aleph sometimes writes)."""
    ref = values[0] if values else None
    if isinstance(ref, dict):
        ref = ref.get("id")
    return str(ref) if ref not in (None, "") else None


def _payment(emit: Emitter, line: int, props: dict) -> dict[str, Any]:
    """A Payment's money (``amount`` in ``currency``, else ``amountEur`` in EUR, else ``amountUsd`` in USD),
    stated in the ledger;
    ``{}`` when it has none that can be read (then set aside with the reason)."""
    where = f"{emit.label}:{line}"
    for prop, currency_prop, fixed in (("amount", "currency", ""), ("amountEur", None, "EUR"),
                                       ("amountUsd", None, "USD")):
        if not props.get(prop):
            continue
        raw = str(props[prop][0])
        stated = str(props[currency_prop][0]).strip() if currency_prop and props.get(currency_prop) else fixed
        try:
            amount = float(raw.replace(",", "").replace(" ", ""))
        except ValueError:
            emit.notice("amounts that are not numbers (left out)", f"line {line}: {prop} {raw!r}")
            emit.set_aside(where, f"the payment's {prop} is not a number ({raw[:40]!r})")
            return {}
        try:
            currency = currency_code(stated) if stated else None
        except ValueError:
            currency = None
        emit.state(amount, currency or stated.upper() or "(no currency)")
        if currency is None or amount < 0:
            why = "a negative payment" if amount < 0 and currency else "the payment's currency is not ISO 4217"
            emit.notice("payments without a known currency, or negative (left out)", f"line {line}: {raw} {stated}")
            emit.set_aside(where, why, amount, currency or stated.upper() or "(no currency)")
            return {}
        return {"amount": amount, "currency": currency}
    return {}


class _Schemata:
    """Which schemata are parties and which are links: the built-in table, or the FtM model when installed."""

    def __init__(self) -> None:
        self._model = None
        self._loaded = False

    def model(self):
        if not self._loaded:
            self._loaded = True
            try:
                from followthemoney import model
            except ImportError:  # the package is optional: the built-in table covers the common schemata
                model = None
            self._model = model
        return self._model

    def role(self, schema: str) -> str | None:
        if schema in PARTIES:
            return "party"
        if schema in EDGES:
            return "link"
        model = self.model()
        found = model.get(schema) if model is not None else None
        if found is None:
            return None
        if found.is_a("LegalEntity"):
            return "party"
        return "link" if found.edge and found.edge_source and found.edge_target else None

    def ends(self, schema: str) -> tuple[str, str] | None:
        if schema in EDGES:
            return EDGES[schema]
        if schema in PARTIES or self.role(schema) != "link":
            return None
        found = self.model().get(schema)
        return found.edge_source, found.edge_target
