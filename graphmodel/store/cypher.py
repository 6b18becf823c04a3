"""Every Cypher statement the Neo4j store sends, built by pure functions.

Node labels and relationship types come only from the kinds table
(:data:`~graphmodel.kinds.ACTOR_SPECS`, :data:`~graphmodel.kinds.LINK_SPECS`)
and from the three fixed labels below; every value is a parameter. No
statement uses ``elementId()``, ``id()``, CALL subqueries or procedures, so
the same text runs on Neo4j 5 and on openCypher servers that speak Bolt.
:func:`all_statements` lists every statement for every kind, which is what
the lint test checks with Neo4j's own parser.

Nodes are written with the labels and properties of
:mod:`graphmodel.propertygraph`, which also gives the statements that create
actor and source nodes (the Cypher export writes them the same way).

How records are versioned (see :mod:`graphmodel.store.neo4j` for the whole
story): every actor node, link relationship and source node carries
``sm_seq``, the run that created it; a run that deletes a record sets
``sm_del``; a run that changes a record leaves its properties alone and puts
the new ones, as JSON, in ``sm_next`` with ``sm_next_seq``. A record is
visible when ``sm_seq <= c`` and not ``sm_del <= c``, where ``c`` is the
last committed run, kept on the single ``StakemapMeta`` node.

>>> link_create(LinkKind.FUNDS).splitlines()[3]
'CREATE (a)-[l:FUNDS]->(b)'
>>> "Brand" in actor_create(ActorKind.BRAND)
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..kinds import ActorKind, LinkKind
from ..propertygraph import (
    ACTOR,
    SOURCE,
    SOURCE_CREATE,
    actor_create,
    actor_set,
    kind_labels,  # noqa: F401 - the statements' labels, read here by the linter's tests
    link_type,
    rel_types,
    unique_id_constraint,
)

META = "StakemapMeta"
META_ID = "store"
#: A store's versions and the records each replaced (see graphmodel.store.history).
VERSION = "StakemapVersion"
HISTORY = "StakemapHistory"
#: Curation documents (judgements, the review queue), one node per kind, key and run.
DOC = "StakemapDoc"
#: Fixed labels besides the kind labels.
FIXED_LABELS = (ACTOR, SOURCE, META, VERSION, HISTORY, DOC)

#: The prefix of every read: the last committed run, as ``c``.
_COMMITTED = f"OPTIONAL MATCH (m:{META} {{id: $meta}})\nWITH coalesce(m.committed, 0) AS c\n"


def visible(var: str) -> str:
    """The predicate that keeps committed, undeleted records (``c`` in scope)."""
    return f"{var}.sm_seq <= c AND ({var}.sm_del IS NULL OR {var}.sm_del > c)"


# -- schema -------------------------------------------------------------------------------
def schema_statements(full: bool = True) -> list[str]:
    """Constraints and indexes. ``full`` is Neo4j 5 (named, ``IF NOT EXISTS``,
    uniqueness constraints, a text index); otherwise the plain index forms an
    openCypher server without constraints accepts (errors there mean 'exists')."""
    if not full:
        plain = [f"CREATE INDEX FOR (n:{label}) ON (n.id)" for label in FIXED_LABELS]
        plain += [f"CREATE INDEX FOR ()-[r:{t}]-() ON (r.id)" for t in rel_types()]
        return plain
    out = [unique_id_constraint(label) for label in FIXED_LABELS]
    out += [
        f"CREATE INDEX stakemap_actor_{prop} IF NOT EXISTS FOR (n:{ACTOR}) ON (n.{prop})"
        for prop in ("sm_seq", "sm_del", "sm_next_seq", "name")
    ]
    out.append(f"CREATE TEXT INDEX stakemap_actor_lookup IF NOT EXISTS FOR (n:{ACTOR}) ON (n.lookup)")
    out += [
        f"CREATE INDEX stakemap_{t.lower()}_id IF NOT EXISTS FOR ()-[r:{t}]-() ON (r.id)" for t in rel_types()
    ]
    return out


#: Fails on servers that are not Neo4j (the capability probe).
PROBE_NEO4J = "CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition"

#: Echoes a parameter: servers that paste parameters into the query text fail it.
PROBE_PARAMETERS = "RETURN $value AS value"

META_READ = f"OPTIONAL MATCH (m:{META} {{id: $meta}})\nRETURN properties(m) AS meta"

META_INIT = f"""MERGE (m:{META} {{id: $meta}})
ON CREATE SET m.store_id = $store_id, m.committed = 0, m.applied = 0, m.next_seq = 1
SET m.schema = $schema, m.dialect = $dialect, m.splices = $splices
RETURN properties(m) AS meta"""

# -- the write lock and commit ------------------------------------------------------------
#: Take the write lock when free or when its lease ran out. The first SET takes
#: Neo4j's node lock before the holder is read, so two writers cannot both win.
LOCK_ACQUIRE = f"""MATCH (m:{META} {{id: $meta}})
SET m.lock_probe = $token
WITH m, m.writer AS previous, m.writer IS NOT NULL AS stale
WHERE m.writer IS NULL OR m.writer_until < $now
SET m.writer = $token, m.writer_until = $until, m.pending = m.next_seq, m.next_seq = m.next_seq + 1
RETURN m.pending AS seq, m.committed AS committed, m.applied AS applied, stale"""

LOCK_HOLDER = f"""MATCH (m:{META} {{id: $meta}})
RETURN m.writer AS writer, m.writer_until AS until"""

LOCK_RENEW = f"""MATCH (m:{META} {{id: $meta}})
WHERE m.writer = $token
SET m.writer_until = $until
RETURN m.writer AS writer"""

#: The commit point: one property of one node.
COMMIT = f"""MATCH (m:{META} {{id: $meta}})
WHERE m.writer = $token
SET m.committed = $seq, m.last_write = $now
RETURN m.committed AS committed"""

LOCK_RELEASE = f"""MATCH (m:{META} {{id: $meta}})
WHERE m.writer = $token
SET m.writer = null, m.writer_until = null, m.applied = m.committed
RETURN m.applied AS applied"""


# -- writing records -----------------------------------------------------------------------
def actor_apply(kind: ActorKind) -> str:
    """After commit: a changed actor takes its new properties and kind label."""
    return actor_set(kind, "MATCH")


def node_stage(label: str) -> str:
    """A changed record keeps its properties; the new ones wait in ``sm_next``."""
    return f"""UNWIND $rows AS r
MATCH (n:{label} {{id: r.id}})
SET n.sm_next = r.next, n.sm_next_seq = $seq
RETURN count(n) AS n"""


def node_delete(label: str) -> str:
    return f"""UNWIND $ids AS id
MATCH (n:{label} {{id: id}})
WHERE n.sm_seq < $seq
SET n.sm_del = $seq
RETURN count(n) AS n"""


def node_purge(label: str) -> str:
    """After commit: remove what committed runs deleted."""
    return f"""UNWIND $ids AS id
MATCH (n:{label} {{id: id}})
WHERE n.sm_del <= $committed
DETACH DELETE n
RETURN count(*) AS n"""


SOURCE_APPLY = f"""UNWIND $rows AS r
MATCH (s:{SOURCE} {{id: r.id}})
SET s = r.props
RETURN count(s) AS n"""


def link_create(kind: LinkKind) -> str:
    """New links of one kind between existing actors; ``n`` tells how many were made."""
    return f"""UNWIND $rows AS r
MATCH (a:{ACTOR} {{id: r.source}})
MATCH (b:{ACTOR} {{id: r.target}})
CREATE (a)-[l:{link_type(kind)}]->(b)
SET l = r.props
RETURN count(l) AS n"""


def link_stage(kind: LinkKind) -> str:
    return f"""UNWIND $rows AS r
MATCH ()-[l:{link_type(kind)}]->()
WHERE l.id = r.id AND l.sm_seq < $seq
SET l.sm_next = r.next, l.sm_next_seq = $seq
RETURN count(l) AS n"""


def link_apply(kind: LinkKind) -> str:
    return f"""UNWIND $rows AS r
MATCH ()-[l:{link_type(kind)}]->()
WHERE l.id = r.id AND l.sm_next_seq = r.seq
SET l = r.props
RETURN count(l) AS n"""


def link_delete(kind: LinkKind) -> str:
    return f"""UNWIND $ids AS id
MATCH ()-[l:{link_type(kind)}]->()
WHERE l.id = id AND l.sm_seq < $seq
SET l.sm_del = $seq
RETURN count(l) AS n"""


def link_purge(kind: LinkKind) -> str:
    return f"""UNWIND $ids AS id
MATCH ()-[l:{link_type(kind)}]->()
WHERE l.id = id AND l.sm_del <= $committed
DELETE l
RETURN count(*) AS n"""


# -- recovery: undo what an unfinished run left, finish what a committed run began ----------
def sweep_nodes(label: str) -> list[str]:
    """Statements that make records of runs after ``$committed`` disappear
    (``$limit`` rows at a time; each returns ``n``, the rows it touched)."""
    return [
        f"MATCH (n:{label})\nWHERE n.sm_seq > $committed\nWITH n LIMIT $limit\nDETACH DELETE n\nRETURN count(*) AS n",
        f"MATCH (n:{label})\nWHERE n.sm_next_seq > $committed\nWITH n LIMIT $limit\n"
        "REMOVE n.sm_next, n.sm_next_seq\nRETURN count(*) AS n",
        f"MATCH (n:{label})\nWHERE n.sm_del > $committed\nWITH n LIMIT $limit\nREMOVE n.sm_del\nRETURN count(*) AS n",
    ]


SWEEP_LINKS = [
    "MATCH ()-[l]->()\nWHERE l.sm_seq > $committed\nWITH l LIMIT $limit\nDELETE l\nRETURN count(*) AS n",
    "MATCH ()-[l]->()\nWHERE l.sm_next_seq > $committed\nWITH l LIMIT $limit\n"
    "REMOVE l.sm_next, l.sm_next_seq\nRETURN count(*) AS n",
    "MATCH ()-[l]->()\nWHERE l.sm_del > $committed\nWITH l LIMIT $limit\nREMOVE l.sm_del\nRETURN count(*) AS n",
]


def pending_nodes(label: str) -> str:
    """Committed changes not yet applied (after a writer died between commit and apply)."""
    return f"""MATCH (n:{label})
WHERE n.sm_next_seq <= $committed
RETURN n.id AS id, n.sm_next AS next, n.sm_next_seq AS seq
LIMIT $limit"""


PENDING_LINKS = """MATCH ()-[l]->()
WHERE l.sm_next_seq <= $committed
RETURN l.id AS id, type(l) AS type, l.sm_next AS next, l.sm_next_seq AS seq
LIMIT $limit"""


def deleted_nodes(label: str) -> str:
    return f"MATCH (n:{label})\nWHERE n.sm_del <= $committed\nWITH n LIMIT $limit\nDETACH DELETE n\nRETURN count(*) AS n"


DELETED_LINKS = "MATCH ()-[l]->()\nWHERE l.sm_del <= $committed\nWITH l LIMIT $limit\nDELETE l\nRETURN count(*) AS n"

#: Tests and ``stakemap sync`` into a fresh database: empty it, a slice at a time.
CLEAR_SLICE = "MATCH (n)\nWITH n LIMIT $limit\nDETACH DELETE n\nRETURN count(*) AS n"


# -- versions and history: nodes made by a run with its sm_seq, visible once it commits -----
VERSION_CREATE = f"""UNWIND $rows AS r
CREATE (v:{VERSION})
SET v = r
RETURN count(v) AS n"""

HISTORY_CREATE = f"""UNWIND $rows AS r
CREATE (h:{HISTORY})
SET h = r
RETURN count(h) AS n"""

VERSIONS_ALL = _COMMITTED + f"""MATCH (v:{VERSION})
WHERE v.sm_seq <= c
RETURN properties(v) AS p
ORDER BY v.number"""

HISTORY_SINCE = _COMMITTED + f"""MATCH (h:{HISTORY})
WHERE h.version > $since AND h.sm_seq <= c
RETURN h.version AS version, h.rows AS rows"""

HISTORY_SIZE = _COMMITTED + f"""MATCH (h:{HISTORY})
WHERE h.sm_seq <= c
RETURN sum(h.count) AS rows, sum(size(h.rows)) AS bytes"""

#: Forget what versions up to ``$before`` replaced, ``$limit`` nodes at a time.
HISTORY_PRUNE = f"""MATCH (h:{HISTORY})
WHERE h.version <= $before
WITH h LIMIT $limit
DELETE h
RETURN count(*) AS n"""

DOC_CREATE = f"""UNWIND $rows AS r
CREATE (d:{DOC})
SET d = r
RETURN count(d) AS n"""

DOCS_OF_KIND = _COMMITTED + f"""MATCH (d:{DOC})
WHERE d.kind = $kind AND {visible('d')}
RETURN d.id AS id, d.key AS key, d.doc AS doc
ORDER BY d.key"""

HISTORY_FROM_SET = f"""MATCH (m:{META} {{id: $meta}})
SET m.history_from = CASE WHEN coalesce(m.history_from, 0) > $before THEN m.history_from ELSE $before END
RETURN m.history_from AS n"""

# -- reading -------------------------------------------------------------------------------
_ACTOR_OUT = "properties(a) AS p, c"
_LINK_OUT = "properties(l) AS p, type(l) AS type, startNode(l).id AS source, endNode(l).id AS target, c"

ACTORS_BY_ID = _COMMITTED + f"""UNWIND $ids AS id
MATCH (a:{ACTOR} {{id: id}})
WHERE {visible('a')}
RETURN {_ACTOR_OUT}"""

ACTORS_PAGE = _COMMITTED + f"""MATCH (a:{ACTOR})
WHERE a.id > $after AND {visible('a')}
RETURN {_ACTOR_OUT}
ORDER BY a.id
LIMIT $limit"""


def links_by_id(kind: LinkKind) -> str:
    return _COMMITTED + f"""UNWIND $ids AS id
MATCH ()-[l:{link_type(kind)}]->()
WHERE l.id = id AND {visible('l')}
RETURN {_LINK_OUT}"""


def links_page(kind: LinkKind) -> str:
    return _COMMITTED + f"""MATCH ()-[l:{link_type(kind)}]->()
WHERE l.id > $after AND {visible('l')}
RETURN {_LINK_OUT}
ORDER BY l.id
LIMIT $limit"""


LINK_ANY_TYPE = _COMMITTED + f"""MATCH ()-[l]->()
WHERE l.id = $id AND {visible('l')}
RETURN {_LINK_OUT}"""

#: The links at either end of each of ``$ids``: one round trip per hop of a neighbourhood.
LINKS_OF = _COMMITTED + f"""UNWIND $ids AS id
MATCH (a:{ACTOR} {{id: id}})-[l]-(:{ACTOR})
WHERE {visible('l')}
RETURN id AS at, {_LINK_OUT}"""

#: Actors whose lookup keys (id, normalised names, identifiers) include one of ``$needles``.
ACTORS_BY_KEY = _COMMITTED + f"""UNWIND $needles AS needle
MATCH (a:{ACTOR})
WHERE a.lookup CONTAINS needle AND {visible('a')}
WITH DISTINCT a, c
RETURN {_ACTOR_OUT}
ORDER BY a.id
LIMIT $limit"""

#: Name search ranked as the embedded store ranks it: exact, prefix, contains; shorter first.
ACTORS_SEARCH = _COMMITTED + f"""MATCH (a:{ACTOR})
WHERE a.lookup CONTAINS $text AND {visible('a')}
WITH a, c, [k IN a.name_keys WHERE k CONTAINS $text] AS hits
WHERE size(hits) > 0
WITH a, c, CASE WHEN $text IN hits THEN 0 WHEN any(k IN hits WHERE k STARTS WITH $text) THEN 1 ELSE 2 END AS rank,
     reduce(shortest = 1000000, k IN hits | CASE WHEN size(k) < shortest THEN size(k) ELSE shortest END) AS len
RETURN {_ACTOR_OUT}
ORDER BY rank, len, a.id
LIMIT $limit"""

SOURCES_ALL = _COMMITTED + f"""MATCH (s:{SOURCE})
WHERE {visible('s')}
RETURN properties(s) AS p, c
ORDER BY s.id"""

#: Records an origin claims (the replace-by-source sweep and origin removal).
ACTOR_IDS_OF_ORIGIN = _COMMITTED + f"""MATCH (a:{ACTOR})
WHERE $origin IN a.origins AND {visible('a')}
RETURN a.id AS id"""

LINK_IDS_OF_ORIGIN = _COMMITTED + f"""MATCH ()-[l]->()
WHERE $origin IN l.origins AND {visible('l')}
RETURN l.id AS id, type(l) AS type"""

#: For each of ``$ids``, the ids of its visible links.
LINK_IDS_AT = _COMMITTED + f"""UNWIND $ids AS id
MATCH (a:{ACTOR} {{id: id}})-[l]-(:{ACTOR})
WHERE {visible('l')}
RETURN id AS at, collect(l.id) AS links"""

STATS_ACTORS = _COMMITTED + f"""MATCH (a:{ACTOR})
WHERE {visible('a')}
RETURN a.kind AS kind, coalesce(a.country, '') AS country, count(*) AS n"""

STATS_LINKS = _COMMITTED + f"""MATCH ()-[l]->()
WHERE {visible('l')}
RETURN l.kind AS kind, count(*) AS n"""

STATS_ACTOR_ORIGINS = _COMMITTED + f"""MATCH (a:{ACTOR})
WHERE {visible('a')}
UNWIND a.origins AS origin
RETURN origin, count(*) AS n"""

STATS_LINK_ORIGINS = _COMMITTED + f"""MATCH ()-[l]->()
WHERE {visible('l')}
UNWIND l.origins AS origin
RETURN origin, count(*) AS n"""

STATS_SOURCES = _COMMITTED + f"""MATCH (s:{SOURCE})
WHERE {visible('s')}
RETURN count(s) AS n"""


# -- every statement, for the linter ---------------------------------------------------------
@dataclass(frozen=True)
class Statement:
    name: str
    query: str
    parameters: dict = field(default_factory=dict)


_SAMPLE = {
    "meta": META_ID, "store_id": "s", "schema": 1, "dialect": "neo4j", "splices": False, "token": META_ID * 2,
    "now": 1, "until": 2, "seq": 2,
    "committed": 1, "limit": 10, "after": "", "ids": ["x"], "id": "x", "needles": ["\ni:x\n"],
    "text": "x", "origin": "o", "since": 0, "before": 1, "kind": "k", "value": "v", "rows": [{"id": "x", "props": {"id": "x"}, "next": "{}", "seq": 2,
                                           "source": "a", "target": "b"}],
}


def _params(query: str) -> dict:
    return {k: v for k, v in _SAMPLE.items() if f"${k}" in query}


def all_statements() -> list[Statement]:
    """Every statement the store can send, for every kind and both schema forms."""
    named: list[tuple[str, str]] = []
    named += [(f"schema.full.{i}", q) for i, q in enumerate(schema_statements(True))]
    named += [(f"schema.plain.{i}", q) for i, q in enumerate(schema_statements(False))]
    named += [("probe", PROBE_NEO4J), ("probe.parameters", PROBE_PARAMETERS), ("meta.read", META_READ), ("meta.init", META_INIT),
              ("lock.acquire", LOCK_ACQUIRE), ("lock.holder", LOCK_HOLDER), ("lock.renew", LOCK_RENEW),
              ("commit", COMMIT), ("lock.release", LOCK_RELEASE), ("source.create", SOURCE_CREATE),
              ("source.apply", SOURCE_APPLY), ("clear", CLEAR_SLICE), ("links.pending", PENDING_LINKS),
              ("links.deleted", DELETED_LINKS)]
    named += [(f"links.sweep.{i}", q) for i, q in enumerate(SWEEP_LINKS)]
    named += [("version.create", VERSION_CREATE), ("history.create", HISTORY_CREATE),
              ("versions.all", VERSIONS_ALL), ("history.since", HISTORY_SINCE), ("history.size", HISTORY_SIZE),
              ("history.prune", HISTORY_PRUNE), ("history.from", HISTORY_FROM_SET), ("doc.create", DOC_CREATE),
              ("docs.of_kind", DOCS_OF_KIND)]
    named += [(f"{label}.sweep.{i}", q) for label in (VERSION, HISTORY) for i, q in enumerate(sweep_nodes(label))]
    named += [(f"{DOC}.{name}", fn(DOC)) for name, fn in (("delete", node_delete), ("purge", node_purge),
                                                           ("deleted", deleted_nodes))]
    named += [(f"{DOC}.sweep.{i}", q) for i, q in enumerate(sweep_nodes(DOC))]
    for label in (ACTOR, SOURCE):
        named += [(f"{label}.stage", node_stage(label)), (f"{label}.delete", node_delete(label)),
                  (f"{label}.purge", node_purge(label)), (f"{label}.pending", pending_nodes(label)),
                  (f"{label}.deleted", deleted_nodes(label))]
        named += [(f"{label}.sweep.{i}", q) for i, q in enumerate(sweep_nodes(label))]
    for kind in ActorKind:
        named += [(f"actor.create.{kind.value}", actor_create(kind)), (f"actor.apply.{kind.value}", actor_apply(kind))]
    for lk in LinkKind:
        named += [(f"link.{name}.{lk.value}", fn(lk)) for name, fn in (
            ("create", link_create), ("stage", link_stage), ("apply", link_apply), ("delete", link_delete),
            ("purge", link_purge), ("by_id", links_by_id), ("page", links_page))]
    named += [("read.actors_by_id", ACTORS_BY_ID), ("read.actors_page", ACTORS_PAGE),
              ("read.link_any_type", LINK_ANY_TYPE), ("read.links_of", LINKS_OF),
              ("read.actors_by_key", ACTORS_BY_KEY), ("read.actors_search", ACTORS_SEARCH),
              ("read.sources", SOURCES_ALL), ("read.actor_ids_of_origin", ACTOR_IDS_OF_ORIGIN),
              ("read.link_ids_of_origin", LINK_IDS_OF_ORIGIN), ("read.link_ids_at", LINK_IDS_AT),
              ("stats.actors", STATS_ACTORS), ("stats.links", STATS_LINKS),
              ("stats.actor_origins", STATS_ACTOR_ORIGINS), ("stats.link_origins", STATS_LINK_ORIGINS),
              ("stats.sources", STATS_SOURCES)]
    return [Statement(name, query, _params(query)) for name, query in named]
