"""A Cypher script that recreates the subgraph in Neo4j, re-runnable (``MERGE`` on ids).

The script is what ``cypher-shell -f FILE`` (or Neo4j Browser) runs: a comment
header with the manifest; uniqueness constraints (Neo4j 5); then, in batches,
a ``:param rows => [...]`` line followed by a fixed ``UNWIND $rows AS r``
statement: sources first, then actors kind by kind, then links kind by kind.
Values travel only as parameters; labels and relationship types come only
from the kinds table, through the labels, property mapping and node
statements the Neo4j store uses too (:mod:`graphmodel.propertygraph`), so an
exported actor looks like one the store wrote: label ``Actor`` plus its
kind's label, citations in ``citation_sources``/``citation_locators``/
``citation_notes``, identifiers as ``scheme:value``, extra attributes as
JSON. Every link is a relationship of its kind's type with the same
properties. Running the script twice changes nothing the second time.

:func:`cypher_statements` gives the same statements with their parameters,
for a driver.

>>> from graphmodel.models import Actor, Link
>>> from graphmodel.store.contract import Subgraph
>>> g = Subgraph({"a": Actor(id="a", kind="sso", name="FES"), "b": Actor(id="b", kind="guf", name="BWI")},
...              {"l": Link(id="l", kind="funds", source="a", target="b")})
>>> steps = cypher_statements(g, [])
>>> [s.name for s in steps]
['actors.sso', 'actors.guf', 'links.funds']
>>> print(steps[2].query)
UNWIND $rows AS r
MATCH (a:Actor {id: r.source})
MATCH (b:Actor {id: r.target})
MERGE (a)-[l:FUNDS {id: r.id}]->(b)
SET l = r.props
RETURN count(l) AS n
>>> cypher_literal({"name": "O'Brien\\n", "n": [1, 2.5, None, True]})
"{name: 'O\\\\'Brien\\\\n', n: [1, 2.5, null, true]}"
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from ..kinds import ActorKind, LinkKind
from ..models import Actor, Link, Source
from ..propertygraph import (
    ACTOR,
    SOURCE,
    SOURCE_CREATE,
    actor_create,
    actor_props,
    citation_rows,
    link_props,
    link_type,
    unique_id_constraint,
)
from .streams import BlockWriter

if TYPE_CHECKING:
    from ..store.contract import Subgraph

#: Rows per ``:param`` batch (a statement's parameters stay well under a Bolt message's limits).
BATCH_ROWS = 500
#: Store bookkeeping properties an export leaves out.
_INTERNAL = ("sm_seq", "sm_claims", "origins", "lookup", "name_keys")


@dataclass(frozen=True)
class CypherStep:
    """One statement and the rows it runs over."""

    name: str
    query: str
    rows: list[dict[str, Any]]


def schema_statements() -> list[str]:
    """The uniqueness constraints on actor and source ids (Neo4j 5; ``IF NOT EXISTS``)."""
    return [unique_id_constraint(label) for label in (ACTOR, SOURCE)]


def link_merge(kind: LinkKind) -> str:
    """Links of one kind, merged on their id between actors merged before."""
    return (f"UNWIND $rows AS r\nMATCH (a:{ACTOR} {{id: r.source}})\nMATCH (b:{ACTOR} {{id: r.target}})\n"
            f"MERGE (a)-[l:{link_type(kind)} {{id: r.id}}]->(b)\nSET l = r.props\n"
            "RETURN count(l) AS n")


def actor_properties(actor: Actor) -> dict[str, Any]:
    """An actor's node properties, as the Neo4j store writes them (without its bookkeeping)."""
    props = actor_props(actor, [], 0)
    return {k: v for k, v in props.items() if k not in _INTERNAL}


def link_properties(link: Link) -> dict[str, Any]:
    """A link's relationship properties, as the Neo4j store writes them (without its bookkeeping)."""
    claims = {"export": citation_rows(link.citations)} if link.citations else {}
    props = link_props(link, claims, 0)
    return {k: v for k, v in props.items() if k not in _INTERNAL}


def source_properties(source: Source) -> dict[str, Any]:
    return source.model_dump(exclude_none=True)


def cypher_statements(subgraph: Subgraph, sources: list[Source], batch_rows: int = BATCH_ROWS) -> list[CypherStep]:
    """The statements that recreate ``subgraph``, in order, each with its rows (batched)."""
    steps: list[CypherStep] = []
    for i, chunk in enumerate(_chunks([{"id": s.id, "props": source_properties(s)} for s in sources], batch_rows)):
        steps.append(CypherStep(f"sources{_part(i)}", SOURCE_CREATE, chunk))
    by_kind: dict[ActorKind, list[dict]] = defaultdict(list)
    for actor in subgraph.actors.values():
        by_kind[actor.kind].append({"id": actor.id, "props": actor_properties(actor)})
    for kind, rows in by_kind.items():
        for i, chunk in enumerate(_chunks(rows, batch_rows)):
            steps.append(CypherStep(f"actors.{kind.value}{_part(i)}", actor_create(kind), chunk))
    by_link: dict[LinkKind, list[dict]] = defaultdict(list)
    for link in subgraph.links.values():
        by_link[link.kind].append({"id": link.id, "source": link.source, "target": link.target,
                                   "props": link_properties(link)})
    for kind, rows in by_link.items():
        for i, chunk in enumerate(_chunks(rows, batch_rows)):
            steps.append(CypherStep(f"links.{kind.value}{_part(i)}", link_merge(kind), chunk))
    return steps


def _part(i: int) -> str:
    return f".{i + 1}" if i else ""


def _chunks(rows: list, size: int) -> Iterator[list]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_NEEDS_ESCAPE = re.compile(r"[\\'\n\r\t\b\f\x00-\x1f]")


def _escape_char(match: re.Match) -> str:
    ch = match.group(0)
    return _ESCAPES.get(ch) or f"\\u{ord(ch):04x}"


def cypher_literal(value: Any) -> str:
    """A Python value (str, number, bool, None, list, dict) as a Cypher literal."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value} has no Cypher literal")
        return repr(value)
    if isinstance(value, str):
        return "'" + _NEEDS_ESCAPE.sub(_escape_char, value) + "'"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)}: {cypher_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(cypher_literal(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as Cypher")


def _key(key: str) -> str:
    return key if _PLAIN_KEY.match(key) else "`" + key.replace("`", "``") + "`"


def write_cypher(subgraph: Subgraph, out: IO[bytes], manifest: dict[str, Any], sources: list[Source],
                 batch_rows: int = BATCH_ROWS) -> None:
    """Write the script that recreates ``subgraph`` to the binary stream ``out``."""
    write = BlockWriter(out, pieces=64)
    write("// Stakemap export: recreates the exported actors and links in Neo4j 5.\n"
          "// Run with: cypher-shell -f THIS_FILE   (re-running it changes nothing: MERGE on ids)\n"
          f"// manifest: {json.dumps(manifest, ensure_ascii=False)}\n\n"
          "// Uniqueness constraints (Neo4j 5).\n")
    for statement in schema_statements():
        write(statement + ";\n")
    for step in cypher_statements(subgraph, sources, batch_rows):
        write(f"\n// {step.name}: {len(step.rows)} rows\n")
        write(f":param rows => {cypher_literal(step.rows)}\n")
        write(step.query + ";\n")
    write.flush()


def parse_script(text: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Split a script this module wrote into its schema statements and ``(rows literal, statement)`` pairs
    (for tests and tools that run the script through a driver)."""
    schema: list[str] = []
    steps: list[tuple[str, str]] = []
    pending: str | None = None
    buffer: list[str] = []
    for line in text.splitlines():
        if line.startswith("//") or not line.strip() and not buffer:
            continue
        if line.startswith(":param rows => "):
            pending = line[len(":param rows => "):]
            continue
        buffer.append(line)
        if line.rstrip().endswith(";"):
            statement = "\n".join(buffer).rstrip()[:-1]
            buffer = []
            if pending is None:
                schema.append(statement)
            else:
                steps.append((pending, statement))
                pending = None
    return schema, steps
