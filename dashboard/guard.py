"""The response guard: the last check before a response leaves the server.

Every callback already asks :func:`dashboard.access.current_viewer` and reads
only what that viewer is cleared for. The guard does not trust that: after
each Dash response (callbacks, layout) and each file download, it looks for
the id of any record the signed-in user may not see — actors above their
clearance, people when their role excludes people, links above their
clearance or touching such an actor — including inside exported files (ZIP
members, XLSX sheets, base64 downloads). A response that holds one is
replaced by a 403 and the event is logged; nothing of it is sent.

It also enforces the export right (a download for a role without it is
refused; a report, made at the viewer's own clearance, is not an export), and writes the audit log's ``export`` and ``view_restricted``
events.

Record ids are what it looks for: every view of a record carries its id
(graph elements, table rows, search suggestions, downloads). An id the
request itself carried (a link shared by someone with more clearance, an id
typed by hand) may be echoed back: it tells the user nothing new. Whether the
request carried it is decided on the values as the app decodes them (JSON
escapes, percent-encoding, pattern-matching ids, values split across inputs:
see :func:`request_strings`), never on the raw bytes, so an id written in an
unusual way gets the same answer as an id that does not exist. Names are not
matched, because short or common names would match harmless text; the
callback tests plant restricted canary names and check them over HTTP.

>>> rx = id_pattern({"a-worker-1f2e3d4c", "l-0123456789abcdef"})
>>> bool(rx.search('{"id": "a-worker-1f2e3d4c"}')), bool(rx.search("xa-worker-1f2e3d4cx"))
(True, False)
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import re
import threading
import time
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from urllib.parse import unquote_plus

from flask import Flask, Response, current_app, g, request

from graphmodel.export.redaction import Clearance
from graphmodel.kinds import SENSITIVITY_RANK, ActorKind, Sensitivity
from graphmodel.text import fold

from .audit import AuditLog

GUARD = "stakemap_guard"
#: Largest decompressed download scanned (bigger ones are refused rather than sent unchecked).
MAX_SCAN_BYTES = 512 * 1024 * 1024
_RESTRICTED = SENSITIVITY_RANK[Sensitivity.RESTRICTED]


def id_pattern(ids: Iterable[str]) -> re.Pattern[str] | None:
    """A regular expression matching any of ``ids`` as a whole token (a trie, so it stays fast)."""
    trie: dict = {}
    for word in ids:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    if not trie:
        return None
    return re.compile(r"(?<![A-Za-z0-9])" + _trie_regex(trie) + r"(?![A-Za-z0-9])")


def _trie_regex(node: dict) -> str:
    end = "" in node
    branches = [re.escape(ch) + _trie_regex(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if end:
        return f"(?:{body})?"
    return body


@dataclass
class RecordIndex:
    """The sensitive records of a store: actors that are not public or are people, and the links
    that are not public or touch such an actor."""

    actors: dict[str, tuple[str, str]] = field(default_factory=dict)  # id -> (kind, sensitivity)
    links: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # id -> (sensitivity, source, target)
    _patterns: dict = field(default_factory=dict, repr=False)

    @classmethod
    def of_store(cls, store) -> "RecordIndex":
        db = getattr(store, "db", None)
        index = cls()
        if db is not None and hasattr(store, "iter_link_rows"):  # SQLite: ask the tables directly
            index.actors = {i: (k, s) for i, k, s in db.execute(
                "SELECT id, kind, sensitivity FROM actors WHERE sensitivity != 'public' OR kind = 'person'")}
            index.links = {i: (s, a, b) for i, s, a, b in db.execute(
                "SELECT id, sensitivity, source, target FROM links WHERE sensitivity != 'public'"
                " OR source IN (SELECT id FROM actors WHERE sensitivity != 'public' OR kind = 'person')"
                " OR target IN (SELECT id FROM actors WHERE sensitivity != 'public' OR kind = 'person')")}
            return index
        for actor in store.iter_actors():
            if actor.sensitivity is not Sensitivity.PUBLIC or actor.kind is ActorKind.PERSON:
                index.actors[actor.id] = (actor.kind.value, actor.sensitivity.value)
        for link in store.iter_links():
            if (link.sensitivity is not Sensitivity.PUBLIC or link.source in index.actors
                    or link.target in index.actors):
                index.links[link.id] = (link.sensitivity.value, link.source, link.target)
        return index

    def withheld(self, clearance: Clearance) -> set[str]:
        """Ids of the records a user with ``clearance`` may not see."""
        actors = {i for i, (kind, sens) in self.actors.items() if clearance.actor_reason(kind, sens)}
        links = {i for i, (sens, a, b) in self.links.items()
                 if clearance.link_reason(sens) or a in actors or b in actors}
        return actors | links

    def restricted(self) -> set[str]:
        """Ids of the restricted records (for the audit of who saw them)."""
        return ({i for i, (_, s) in self.actors.items() if SENSITIVITY_RANK[Sensitivity(s)] >= _RESTRICTED}
                | {i for i, (s, _, _) in self.links.items() if SENSITIVITY_RANK[Sensitivity(s)] >= _RESTRICTED})

    def pattern(self, key: object, ids_of) -> re.Pattern[str] | None:
        if key not in self._patterns:
            self._patterns[key] = id_pattern(ids_of())
        return self._patterns[key]


class Guard:
    """Keeps a :class:`RecordIndex` of the store fresh and checks responses against it."""

    def __init__(self, audit: AuditLog, store_url: str | None, *, enforce: bool = True) -> None:
        self.audit = audit
        self.store_url = store_url
        #: When False (tests only), nothing is blocked: what would have been is kept in ``observed``.
        self.enforce = enforce
        self.observed: list[dict] = []
        self._store = None
        self._index: RecordIndex | None = None
        self._fingerprint: str | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    def index(self) -> RecordIndex:
        now = time.monotonic()
        with self._lock:
            if self._index is not None and now - self._checked < 1.0:
                return self._index
            if self._store is None:
                from graphmodel.store import open_store

                self._store = open_store(self.store_url, create=False)
            fingerprint = self._store.fingerprint()
            if self._index is None or fingerprint != self._fingerprint:
                self._index = RecordIndex.of_store(self._store)
                self._fingerprint = fingerprint
            self._checked = now
            return self._index

    def check(self, response: Response) -> Response:
        user = g.get("stakemap_user")
        if user is None or response.status_code != 200 or not _scanned(request.path, response):
            return response
        policy = user.policy
        clearance = Clearance(policy.clearance, policy.include_people)
        downloads = list(_downloads(response))
        if downloads and not policy.can_export and not all(is_report(name) for name, _ in downloads):
            return self._deny(response, user, "Your role may not export. Ask an administrator for the analyst role.",
                              reason="export not allowed for this role", files=[n for n, _ in downloads])
        try:
            texts = [response.get_data(as_text=True)] + [t for _, data in downloads for t in _texts(data)]
        except TooLarge as exc:
            return self._deny(response, user, "This download is too large to check and was not sent. Export a "
                              "smaller selection.", reason=str(exc), path=request.path)
        index = self.index()
        withheld = index.pattern(("withheld", clearance), lambda: index.withheld(clearance))
        if withheld is not None:
            leaked = {m.group(0) for text in texts for m in withheld.finditer(text)}
            if leaked:  # an id the request itself carried (a shared link, a typed id) is only echoed back
                asked = asked_text()
                leaked = {i for i in leaked if not carried(fold_id(i), asked)}
            if leaked:
                return self._deny(response, user, "This response was withheld: it would have shown records beyond "
                                  "your clearance. The event was logged.", reason="response would reveal withheld "
                                  "records", path=request.path, records=leaked, count=len(leaked))
        if policy.clearance is Sensitivity.RESTRICTED:
            restricted = index.pattern("restricted", index.restricted)
            seen = {m.group(0) for text in texts for m in restricted.finditer(text)} if restricted else set()
            if seen:
                self.audit.record("view_restricted", user=user.name, role=user.role.value,
                                  ip=request.remote_addr, path=request.path, records=seen, count=len(seen))
        for name, data in downloads:
            self.audit.record("export", user=user.name, role=user.role.value, ip=request.remote_addr,
                              file=name, bytes=len(data), clearance=clearance.level.value,
                              include_people=clearance.include_people)
        return response


    def _deny(self, response: Response, user, message: str, **details) -> Response:
        if not self.enforce:
            self.observed.append({"user": user.name, **details})
            return response
        self.audit.record("denied", user=user.name, role=user.role.value, ip=request.remote_addr, **details)
        return _blocked(message)


def is_report(name: str) -> bool:
    """Whether a download is a report (any role may download one: it is made at the viewer's clearance,
    and checked here like every download), not an export."""
    return name.startswith("stakemap-report-") and name.endswith(".html")


def fold_id(text: str) -> str:
    """Letters and digits only, lower case, accents removed: how an id is compared with what a request said.

    >>> fold_id("Josua-Example_2"), fold_id("JOSUA example 2")
    ('josuaexample2', 'josuaexample2')
    """
    return _NOT_ALNUM.sub("", fold(text).lower())


_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def request_strings(path: str, body: str) -> list[str]:
    """Every value a request carried, decoded as the app decodes it: the URL (percent-decoding, repeated),
    and each string, key and number of a JSON body (JSON escapes undone, nested pattern-matching ids
    included); a ``data:`` URL's base64 payload too.

    >>> request_strings("/x?around=%256aosua", '{"inputs": [{"value": "\\u006aosua"}, {"id": {"p": "a"}}]}')
    ['/x?around=josua', 'inputs', 'value', 'josua', 'id', 'p', 'a']
    """
    found = [_unquoted(path)]
    try:
        payload = json.loads(body) if body else None
    except (ValueError, RecursionError):
        payload = None
    if payload is None:
        return found + ([_unquoted(body)] if body else [])
    _collect(payload, found)
    return found


def _collect(item, found: list[str]) -> None:
    if isinstance(item, dict):
        for key, value in item.items():
            found.append(_unquoted(str(key)))
            _collect(value, found)
    elif isinstance(item, list):
        for value in item:
            _collect(value, found)
    elif isinstance(item, str):
        found.append(_unquoted(item))
        if item.startswith("data:") and ";base64," in item[:200]:
            try:
                found.append(base64.b64decode(item.split(",", 1)[1], validate=False).decode("utf-8", "replace"))
            except (binascii.Error, ValueError):
                pass
    elif item is not None and not isinstance(item, bool):
        found.append(str(item))


def _unquoted(text: str) -> str:
    for _ in range(4):
        decoded = unquote_plus(text)
        if decoded == text:
            break
        text = decoded
    return text


def asked_text() -> str:
    """What the current request carried: its values (see :func:`request_strings`) folded (see
    :func:`fold_id`), one by one, and all of them joined in order."""
    folded = [fold_id(s) for s in request_strings(request.full_path, request.get_data(as_text=True))]
    return "".join(folded) + "\x00" + "\x00".join(folded)


#: The shortest piece of an id that counts as carried by a request when an id is split across its values.
MIN_PIECE = 4


def carried(folded_id: str, asked: str) -> bool:
    """Whether a request that said ``asked`` carried ``folded_id``: whole, or in pieces of at least
    :data:`MIN_PIECE` characters, each found in what it said (an id split across several inputs, in any
    order, is still the requester's own).

    >>> carried("josuaexample7f3e", "around|josua|x|example7f3e")
    True
    >>> carried("josuaexample7f3e", "around|josua|example")
    False
    """
    if folded_id in asked:
        return True
    n = len(folded_id)
    reach = [False] * (n + 1)
    reach[0] = True
    for i in range(n):
        if not reach[i]:
            continue
        for j in range(n, min(n, i + MIN_PIECE) - 1, -1):
            if j - i >= MIN_PIECE and not reach[j] and folded_id[i:j] in asked:
                reach[j] = True
    return reach[n]


def install_guard(server: Flask, audit: AuditLog, store_url: str | None) -> Guard:
    guard = Guard(audit, store_url)
    server.extensions[GUARD] = guard
    server.after_request(guard.check)
    return guard


def current_guard() -> Guard | None:
    return current_app.extensions.get(GUARD)


def _scanned(path: str, response: Response) -> bool:
    if path.startswith(("/_dash-component-suites/", "/assets/", "/_favicon")):
        return False
    if "attachment" in response.headers.get("Content-Disposition", ""):
        response.direct_passthrough = False
        return True
    return response.mimetype in ("application/json", "text/html", "text/plain", "text/csv")


def _downloads(response: Response) -> Iterator[tuple[str, bytes]]:
    """Files the response carries: a ``dcc.Download`` payload, or an attachment."""
    disposition = response.headers.get("Content-Disposition", "")
    if "attachment" in disposition:
        name = disposition.split("filename=", 1)[-1].strip('"') if "filename=" in disposition else "download"
        yield name, response.get_data()
        return
    if response.mimetype != "application/json" or not request.path.startswith("/_dash-update-component"):
        return
    try:
        payload = json.loads(response.get_data(as_text=True))
    except ValueError:
        return
    for value in _walk(payload):
        if isinstance(value, dict) and "filename" in value and "content" in value and isinstance(value["content"], str):
            content = value["content"]
            if value.get("base64"):
                try:
                    data = base64.b64decode(content, validate=False)
                except (binascii.Error, ValueError):
                    data = content.encode()
            else:
                data = content.encode()
            yield str(value.get("filename") or "download"), data


def _walk(value) -> Iterator:
    stack = [value]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _texts(data: bytes) -> Iterator[str]:
    """The text of a downloaded file, and of every member when it is a ZIP (CSV bundles, XLSX)."""
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                total = 0
                for info in archive.infolist():
                    total += info.file_size
                    if total > MAX_SCAN_BYTES:
                        raise TooLarge(f"a download over {MAX_SCAN_BYTES} bytes cannot be checked")
                    yield archive.read(info).decode("utf-8", "replace")
            return
        except (zipfile.BadZipFile, OSError, RuntimeError):
            pass
    yield data.decode("utf-8", "replace")


class TooLarge(ValueError):
    """A download too large to check is never sent."""


def _blocked(message: str) -> Response:
    response = Response(json.dumps({"error": message}), status=403, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


__all__ = ["Guard", "RecordIndex", "current_guard", "id_pattern", "install_guard"]
