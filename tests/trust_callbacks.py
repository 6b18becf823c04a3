"""No restricted record leaves the server for a user not cleared for it: every callback, over HTTP, as each role.

(Run by ``tests/test_trust_callbacks.py`` in a process of its own: Dash gives the pages' callbacks to
the first app a process creates.)

The store holds the seed map plus planted canaries tied to its busiest actors:
a restricted person, a restricted organisation, a restricted link between two
public actors (with a restricted grant amount), and a public person (whom
viewers, who see no people, must not see either). Each role signs in and
calls every server-side callback in the app's callback map by POSTing to
``/_dash-update-component``, with the layouts' own values and then with
values aimed at the canaries: their ids and names typed into every actor
picker and search box, put in every page URL, tapped as graph nodes and
selected as table rows, and every download button pressed. Callback outputs
feed the next callbacks (results stores, selections), as in a browser.

No response to a viewer or an analyst may hold a canary: not in a graph, a
table, a search suggestion, a download (decoded, unzipped), an error message
or a count. The response guard only watches during this, so the callbacks
themselves are tested; it must not have wanted to block anything either. An administrator does see the canaries (so the requests do
reach them), and those views are in the audit log.
"""

from __future__ import annotations

import base64
import copy
import io
import json
import re
import zipfile
from collections import Counter
from itertools import product
from pathlib import Path

import pytest

from dashboard.audit import AuditLog
from dashboard.auth import AuthSettings, LoginLimits
from dashboard.users import Role, add_user
from graphmodel.models import Actor, Citation, Link, Source
from graphmodel.store.contract import Batch
from graphmodel.store.sqlite import SQLiteStore
from ingest.run import run_ingest

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "canary test pass phrase"
#: Distinctive tokens in every canary's name (an actor id starts with its name's slug, so ids match too).
RESTRICTED_TOKENS = ("qzxvk", "kwplm", "vbnmq")
PERSON_TOKENS = ("jhgfw",)
#: In the title of a document cited only by restricted canaries.
DOCUMENT_TOKEN = "wqzrtx"


def plant_canaries(store: SQLiteStore) -> dict:
    """Canaries tied to the busiest public actors of the seed map; returns their ids and the hubs."""
    degree: Counter = Counter()
    actors = {a.id: a for a in store.iter_actors()}
    for link in store.iter_links():
        degree[link.source] += 1
        degree[link.target] += 1
    orgs = [i for i, _ in degree.most_common() if actors[i].kind.value in ("union", "ngo", "guf", "sso",
                                                                            "national_centre", "worker_organisation")
            and actors[i].sensitivity.value == "public"]
    hub, other = orgs[0], orgs[1]
    cite = [Citation(source="canaries-people", note="a public source naming this person")]
    # a document cited only by restricted records: its title names the person, so no viewer may see it listed
    report = Source(id="vbnmq-canary-report", title=f"{DOCUMENT_TOKEN.title()} report on a detention", kind="document",
                    year=2026)  # the newest, so listed first
    reported = [Citation(source=report.id, locator="p. 2")]
    person = Actor(kind="person", name="Qzxvk Canary Activist", country="CN", sensitivity="restricted",
                   description="detained organiser (canary)", citations=reported)
    safehouse = Actor(kind="ngo", name="Kwplm Canary Safehouse", country="HK", sensitivity="restricted")
    public_person = Actor(kind="person", name="Jhgfw Canary Spokesperson", country="HK", sensitivity="public",
                          citations=cite)
    secret = [
        Link(kind="member_of", source=person.id, target=hub, sensitivity="restricted"),
        Link(kind="supports", source=safehouse.id, target=hub, sensitivity="restricted"),
        Link(kind="supports", source=safehouse.id, target=person.id, sensitivity="restricted"),
        Link(kind="partners_with", source=hub, target=other, sensitivity="restricted",
             description="Vbnmq canary secret partnership", start="2019", citations=reported),
    ]
    batches = {
        "restricted": Batch(Source(id="canaries-restricted", title="Restricted canaries", kind="dataset"),
                            actors=[person, safehouse], links=secret, sources=[report]),
        "people": Batch(Source(id="canaries-people", title="A canary person", kind="dataset"),
                        actors=[public_person], links=[Link(kind="member_of", source=public_person.id, target=hub,
                                                            citations=cite)]),
    }
    store.write_all(list(batches.values()))
    # review entries naming a hidden canary (a restricted organisation, a person): only the administrator's
    # queue may list them; a viewer is refused the queue, an analyst's leaves them out
    from graphmodel.curation.review import pair_entry

    entries = dict(pair_entry("canaries-restricted", {"incoming": safehouse.id, "incoming_name": safehouse.name,
                                                      "candidate": hub, "candidate_name": actors[hub].name,
                                                      "reason": "similar name", "score": 0.91}) for _ in (0,))
    entries.update([pair_entry("canaries-people", {"incoming": public_person.id, "incoming_name": public_person.name,
                                                   "candidate": other, "candidate_name": actors[other].name,
                                                   "reason": "similar name", "score": 0.9})])
    store.write_docs({"review": entries}, who="test", action="review")
    return {"hub": hub, "other": other, "restricted_ids": [person.id, safehouse.id, secret[3].id],
            "person_ids": [public_person.id], "names": [person.name, safehouse.name, public_person.name],
            "restricted_link": secret[3].id, "batches": batches}


def set_canaries(db: Path, canaries: dict, present: tuple[str, ...]) -> None:
    """Make exactly the canary groups in ``present`` be in the store."""
    store = SQLiteStore(db)
    try:
        for name, batch in canaries["batches"].items():
            if name in present:
                store.write(batch)
            elif batch.origin.id in {s.id for s in store.sources()}:
                store.remove_origin(batch.origin.id)
    finally:
        store.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The real dashboard over the seed map with canaries, with a users file of one user per role."""
    tmp = tmp_path_factory.mktemp("callbacks")
    db = tmp / "store.db"
    store = SQLiteStore(db)
    run_ingest(store, [REPO / "data" / "seed"])
    canaries = plant_canaries(store)
    store.close()
    users = tmp / "users.json"
    for role in Role:
        add_user(users, role.value, role, PASSWORD)
    settings = AuthSettings(users_file=users, secret_key=b"s" * 32, audit_log=tmp / "audit.jsonl",
                            limits=LoginLimits(address_attempts=1000))
    from dashboard.app import create_app

    app = create_app(f"sqlite:///{db}", auth=settings)
    # The guard only watches here: the callbacks themselves must keep canaries out; what the guard would
    # have blocked is checked separately (it must be nothing a user may see).
    app.server.extensions["stakemap_guard"].enforce = False
    return app, settings, {**canaries, "db": db}


def signed_in(app, role: str):
    client = app.server.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    done = client.post("/login", data={"username": role, "password": PASSWORD, "csrf": token})
    assert done.status_code == 302, done.get_data(as_text=True)[:500]
    return client


# -- driving the callbacks ------------------------------------------------------------------------

def _key(component_id) -> str:
    return component_id if isinstance(component_id, str) else json.dumps(component_id, sort_keys=True)


def _walk_components(layout, found: dict) -> None:
    """Every component of a layout (as Dash serialises it): id -> its props."""
    stack = [layout]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            props = item.get("props") if "namespace" in item and "type" in item else None
            if isinstance(props, dict):
                if "id" in props:
                    found[_key(props["id"])] = dict(props)
                stack.extend(v for v in props.values() if isinstance(v, (dict, list)))
            else:
                stack.extend(v for v in item.values() if isinstance(v, (dict, list)))


def _matches(pattern, concrete) -> bool:
    if isinstance(pattern, str) or isinstance(concrete, str):
        return pattern == concrete
    if set(pattern) != set(concrete):
        return False
    return all(isinstance(v, list) or concrete[k] == v for k, v in pattern.items())


def _ids_for(pattern, components: dict) -> list:
    if isinstance(pattern, str):
        return [pattern]
    return [json.loads(k) for k in components if k.startswith("{") and _matches(pattern, json.loads(k))]


def _wildcard(pattern) -> str | None:
    if isinstance(pattern, str):
        return None
    kinds = {v[0] for v in pattern.values() if isinstance(v, list)}
    return "ALL" if "ALL" in kinds or "ALLSMALLER" in kinds else ("MATCH" if "MATCH" in kinds else None)


def _parse(spec: str):
    return json.loads(spec) if spec.startswith("{") else spec


class Browser:
    """One signed-in user's view of the app: the components' props, updated by every callback response."""

    def __init__(self, client, deps: list[dict]):
        self.client = client
        self.deps = [d for d in deps if not d.get("clientside_function")]
        self.props: dict[str, dict] = {}
        self.responses: list[tuple[str, int, str]] = []

    def post(self, dep: dict, overrides: dict, *, match: dict | None = None) -> None:
        outputs = [self._spec(o) for o in self._outputs(dep)]
        ids = {}
        for item in dep["inputs"] + dep["state"]:
            ids.setdefault(item["id"], None)
        concrete = {}
        for spec in ids:
            pattern = _parse(spec)
            if _wildcard(pattern) == "MATCH":
                concrete[spec] = {k: (match[k] if isinstance(v, list) else v) for k, v in pattern.items()}
            elif _wildcard(pattern) == "ALL":
                concrete[spec] = _ids_for(pattern, self.props)
            else:
                concrete[spec] = pattern

        def entry(item):
            cid = concrete[item["id"]]
            if isinstance(cid, list):
                return [{"id": c, "property": item["property"], "value": self._value(c, item["property"], overrides)}
                        for c in cid]
            return {"id": cid, "property": item["property"], "value": self._value(cid, item["property"], overrides)}

        out_specs = []
        for o in outputs:
            pattern = o["id"]
            cid = {k: (match[k] if isinstance(v, list) else v) for k, v in pattern.items()} \
                if _wildcard(pattern) == "MATCH" else pattern
            out_specs.append({"id": cid, "property": o["property"]})
        body = {"output": dep["output"], "outputs": out_specs if dep["output"].startswith("..") else out_specs[0],
                "inputs": [entry(i) for i in dep["inputs"]], "state": [entry(s) for s in dep["state"]],
                "changedPropIds": _changed(dep, concrete)}
        response = self.client.post("/_dash-update-component", json=body)
        text = response.get_data(as_text=True)
        self.responses.append((dep["output"][:80], response.status_code, text))
        if response.status_code == 200:
            self._absorb(json.loads(text), out_specs)

    @staticmethod
    def _outputs(dep: dict) -> list[str]:
        text = dep["output"]
        if not text.startswith(".."):
            return [text]
        return [p for p in text[2:-2].split("...")]

    @staticmethod
    def _spec(text: str) -> dict:
        cid, _, prop = text.rpartition(".")
        return {"id": _parse(cid), "property": prop}

    def _value(self, cid, prop: str, overrides: dict):
        key = _key(cid)
        for (pattern, p), value in overrides.items():
            if p == prop and (pattern == "*" or pattern == key or (isinstance(cid, dict) and pattern == cid.get("type"))):
                return copy.deepcopy(value(cid, self.props.get(key, {}).get(prop)) if callable(value) else value)
        return copy.deepcopy(self.props.get(key, {}).get(prop))

    def _absorb(self, payload: dict, outputs: list[dict]) -> None:
        response = payload.get("response", {})
        for key, props in response.items():
            for prop, value in props.items():
                self.props.setdefault(_key(_parse(key) if isinstance(key, str) and key.startswith("{") else key),
                                      {})[prop] = value
                if prop in ("children", "layout"):
                    _walk_components(value, self.props)


def _changed(dep: dict, concrete: dict) -> list[str]:
    out = []
    for item in dep["inputs"]:
        cid = concrete[item["id"]]
        for one in (cid if isinstance(cid, list) else [cid]):
            out.append(f"{_key(one) if isinstance(one, dict) else one}.{item['property']}")
    return out


def drive(client, deps: list[dict], canaries: dict, pages: list[str]) -> Browser:
    """Open every page (also with canaries in its URL), then call every callback in a set of rounds."""
    browser = Browser(client, deps)
    pages_dep = next(d for d in browser.deps if "_pages_content" in d["output"])
    all_ids = canaries["restricted_ids"] + canaries["person_ids"]
    names = canaries["names"]
    query_keys = ("actor", "around", "from", "to", "target", "side", "funder", "sel", "expand", "more", "row", "q",
                  "since", "date", "until", "compare")
    hostile_query = "?" + "&".join(f"{k}={v}" for k, v in product(query_keys, all_ids[:2] + names[:1]))
    for path in pages:
        for search in ("", hostile_query, f"?actor={canaries['hub']}&target={canaries['hub']}&funder={canaries['hub']}"
                                          f"&from={canaries['hub']}&to={canaries['other']}&around={canaries['hub']}"
                                          "&since=0&compare=0"):  # changes since the empty store: canaries too
            browser.post(pages_dep, {("_pages_location", "pathname"): path, ("_pages_location", "search"): search})
    tap_ids = all_ids + [canaries["hub"], canaries["restricted_link"]]
    rounds = [
        {},  # the layouts' own values
        {("actor-picker", "value"): lambda cid, cur: canaries["hub"] if not isinstance(cur, list) else [canaries["hub"]]},
        {("actor-picker", "value"): lambda cid, cur: all_ids[0] if not isinstance(cur, list) else all_ids},
        {("actor-picker", "value"): lambda cid, cur: names[0] if not isinstance(cur, list) else names},
        *[{("actor-picker", "search_value"): token} for token in ("Qzxvk", "Kwplm", "Jhgfw", "Vbnmq", "canary")],
        *[{("*", "tapNodeData"): {"id": i, "label": i}, ("*", "tapEdgeData"): {"id": i, "source": canaries["hub"],
                                                                                  "target": canaries["other"]},
           ("*", "selectedRows"): [{"id": i, "actor": i}], ("*", "n_clicks"): 1} for i in tap_ids],
    ]
    for overrides in rounds:
        for dep in browser.deps:
            if dep is pages_dep:
                continue
            for match in _matches_for(dep, browser.props):
                browser.post(dep, overrides, match=match)
    return browser


def _matches_for(dep: dict, props: dict) -> list[dict | None]:
    """The concrete values of a MATCH callback's wildcards, from the components on the pages."""
    patterns = [_parse(i["id"]) for i in dep["inputs"] if _wildcard(_parse(i["id"])) == "MATCH"]
    if not patterns:
        return [None]
    found = []
    for cid in _ids_for(patterns[0], props):
        wild = {k: cid[k] for k, v in patterns[0].items() if isinstance(v, list)}
        if wild not in found:
            found.append(wild)
    if not found:  # not on any page this role sees (e.g. the download button of a role that may not export):
        # a client can still send it, so send it, with the values these keys take elsewhere
        values: dict[str, set] = {}
        for key in props:
            if key.startswith("{"):
                for k, v in json.loads(key).items():
                    if isinstance(v, str):
                        values.setdefault(k, set()).add(v)
        wild_keys = [k for k, v in patterns[0].items() if isinstance(v, list)]
        for combo in product(*(sorted(values.get(k, {"x"})) for k in wild_keys)):
            found.append(dict(zip(wild_keys, combo)))
    return found


# -- looking for canaries -------------------------------------------------------------------------

def _texts(text: str) -> list[str]:
    """A response, and every file it carries (base64 downloads, ZIP members)."""
    out = [text]
    try:
        payload = json.loads(text)
    except ValueError:
        return out
    stack = [payload]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if isinstance(item.get("content"), str) and "filename" in item:
                data = base64.b64decode(item["content"]) if item.get("base64") else item["content"].encode()
                if data[:4] == b"PK\x03\x04":
                    with zipfile.ZipFile(io.BytesIO(data)) as archive:
                        out += [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
                else:
                    out.append(data.decode("utf-8", "replace"))
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return out


def leaks(browser: Browser, canaries: dict, *, people: bool) -> list[tuple[str, str]]:
    tokens = RESTRICTED_TOKENS + (() if people else PERSON_TOKENS)
    ids = canaries["restricted_ids"] + ([] if people else canaries["person_ids"])
    found = []
    for output, _status, text in browser.responses:
        for part in _texts(text):
            low = part.lower()
            found += [(output, t) for t in tokens if t in low]
            found += [(output, i) for i in ids if i in part]
    return found


def _pages() -> list[str]:
    import dash

    return sorted({p["relative_path"] for p in dash.page_registry.values()})


#: What each role is compared against: the store without the canaries it may not see.
WITHOUT = {Role.VIEWER: (), Role.ANALYST: ("people",)}


@pytest.fixture(scope="module")
def driven(site):
    """Each role's run over the store with every canary, and (viewer, analyst) over the store without the
    canaries that role may not see, with the same requests."""
    app, settings, canaries = site
    deps = app.server.test_client().get("/_dash-dependencies")
    assert deps.status_code == 401  # nothing, not even the callback map, before sign-in
    runs = {}
    for role in Role:
        set_canaries(canaries["db"], canaries, ("restricted", "people"))
        client = signed_in(app, role.value)
        deps = client.get("/_dash-dependencies").get_json()
        with_canaries = drive(client, deps, canaries, _pages())
        without = None
        if role in WITHOUT:
            set_canaries(canaries["db"], canaries, WITHOUT[role])
            without = drive(client, deps, canaries, _pages())
        runs[role] = (with_canaries, without)
    set_canaries(canaries["db"], canaries, ("restricted", "people"))
    return runs


_VOLATILE = [
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?"), "<time>"),
    (re.compile(r"\b[0-9a-f]{32}:\d+\b"), "<fingerprint>"),
    (re.compile(r"\b[0-9a-f]{40,64}\b"), "<digest>"),
    (re.compile(r"\([\d,]+ bytes\)"), "(<size>)"),  # the store's write count is in the manifest
    (re.compile(r"store version \d+"), "store version <n>"),  # so is its version, in a report's methods note
]


_CONTENT = re.compile(r'"content":\s*"[^"]*"')


def _normal(text: str) -> list[str]:
    """A response's text and files with what changes between runs masked (times, digests, the store's
    generation); a download's encoded bytes are compared decoded."""
    out = []
    for n, part in enumerate(_texts(text)):
        if n == 0:
            part = _CONTENT.sub('"content": "<file>"', part)
        for pattern, repl in _VOLATILE:
            part = pattern.sub(repl, part)
        out.append(part)
    return out


def differences(a: Browser, b: Browser) -> list[tuple[str, str, str]]:
    """Requests whose answers differ between two runs (their requests were the same until they differed)."""
    found = []
    for (out_a, st_a, text_a), (out_b, st_b, text_b) in zip(a.responses, b.responses):
        assert out_a == out_b, "the two runs made different requests"
        if st_a != st_b or _normal(text_a) != _normal(text_b):
            na, nb = "\n".join(_normal(text_a)), "\n".join(_normal(text_b))
            at = next((i for i, (x, y) in enumerate(zip(na, nb)) if x != y), min(len(na), len(nb)))
            found.append((out_a, na[max(0, at - 150):at + 150], nb[max(0, at - 150):at + 150]))
    assert len(a.responses) == len(b.responses)
    return found


def test_every_callback_was_called_as_every_role(site, driven):
    app, _, _ = site
    client = signed_in(app, "viewer")
    deps = [d for d in client.get("/_dash-dependencies").get_json() if not d.get("clientside_function")]
    outputs = " ".join(d["output"] for d in deps)
    assert len(deps) >= 20 and "explore-graph.elements" in outputs and "_pages_content" in outputs, \
        "the app lacks the pages' callbacks (another app in this process took them)"
    for role, (browser, _) in driven.items():
        called = {o for o, s, _ in browser.responses if s in (200, 204)}
        missing = {d["output"][:80] for d in deps} - called
        assert not missing, f"{role}: callbacks never answered: {missing}"


@pytest.mark.parametrize("role", list(WITHOUT))
def test_responses_do_not_depend_on_what_the_role_may_not_see(driven, role):
    """Every answer to this role is the same whether or not the records it may not see exist: nothing of
    them leaks, not even a count."""
    with_canaries, without = driven[role]
    found = differences(with_canaries, without)
    assert not found, f"{len(found)} answers differ; first: {found[0]}"


@pytest.mark.parametrize("role", list(WITHOUT))
def test_a_document_cited_only_by_restricted_records_is_not_shown(driven, role):
    """Its title is never typed by the walk, so any answer holding it is a leak (not an echo of input)."""
    seen = " ".join(part.lower() for _, _, text in driven[role][0].responses for part in _texts(text))
    assert DOCUMENT_TOKEN not in seen
    admin = " ".join(part.lower() for _, _, text in driven[Role.ADMIN][0].responses for part in _texts(text))
    assert DOCUMENT_TOKEN in admin  # the administrator's overview lists it, so the check can fail


def test_admin_does_see_the_canaries(driven):
    seen = " ".join(part.lower() for _, _, text in driven[Role.ADMIN][0].responses for part in _texts(text))
    assert all(t in seen for t in RESTRICTED_TOKENS[:2] + PERSON_TOKENS), "the requests never reached the canaries"


def test_no_server_errors(driven):
    for role, (browser, _) in driven.items():
        errors = sorted({o for o, s, _ in browser.responses if s >= 500})
        assert not errors, f"{role}: callbacks failed with a server error: {errors}"


def test_guard_blocks_nothing_a_user_may_see_and_audits_admin_views(site, driven):
    app, settings, canaries = site
    guard = app.server.extensions["stakemap_guard"]
    assert not guard.observed, f"the guard would have blocked: {guard.observed[:3]}"
    views = [e for e in AuditLog(settings.audit_log).read() if e["event"] == "view_restricted"]
    assert views and {e["user"] for e in views} == {"admin"}
    assert any(i in e["records"] for e in views for i in canaries["restricted_ids"])


# -- the guard is no existence oracle ---------------------------------------------------------------

def _escaped(text: str, how: str) -> str:
    """``text`` as a JSON string literal, written in one of the ways a hand-made request may write it."""
    if how == "plain":
        return json.dumps(text)
    if how == "unicode-first":
        return '"' + text[:7] + "\\u%04x" % ord(text[7]) + json.dumps(text[8:])[1:]
    if how == "unicode-all":
        return '"' + "".join("\\u%04x" % ord(ch) for ch in text) + '"'
    if how == "percent":
        return json.dumps(text[:7] + "".join("%%%02X" % ord(ch) for ch in text[7:]))
    if how == "percent-twice":
        return json.dumps(text[:7] + "".join("%%25%02X" % ord(ch) for ch in text[7:]))
    raise ValueError(how)


def _export_link(client, deps: list[dict], literal: str, page: str = "explore"):
    dep = next(d for d in deps if "export-link" in d["output"])
    body = json.dumps({"output": dep["output"], "outputs": {"id": {"page": page, "type": "export-link"},
                                                            "property": "href"},
                       "inputs": [{"id": {"page": page, "type": "export-sel"}, "property": "data", "value": "@V@"}],
                       "changedPropIds": [json.dumps({"page": page, "type": "export-sel"}, separators=(",", ":"))
                                          + ".data"]})
    return client.post("/_dash-update-component", data=body.replace('"@V@"', literal),
                       content_type="application/json")


def _same_shape(a, b, ids: tuple[str, str]) -> bool:
    def norm(response, i):
        text = response.get_data(as_text=True)
        for form in (i, json.dumps(i)[1:-1]):
            text = text.replace(form, "<ID>")
        return response.status_code, re.sub(r"%(25)?[0-9A-F]{2}", "%", text)
    return norm(a, ids[0]) == norm(b, ids[1])


@pytest.fixture()
def enforcing(site):
    app, _, _ = site
    guard = app.server.extensions["stakemap_guard"]
    guard.enforce = True
    yield app
    guard.enforce = False


@pytest.mark.parametrize("how", ["plain", "unicode-first", "unicode-all", "percent", "percent-twice"])
@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_a_hidden_id_gets_the_answer_a_missing_id_gets_however_it_is_written(site, enforcing, how, role):
    app, _, canaries = site
    client = signed_in(app, role)
    deps = client.get("/_dash-dependencies").get_json()
    hidden_ids = canaries["restricted_ids"] + (canaries["person_ids"] if role == "viewer" else [])
    for hidden in hidden_ids:
        missing = "mmmmm" + hidden[5:]
        for page in ("explore", hidden):  # in the value, and as the pattern-matching id itself
            got = {}
            for name, ident in (("hidden", hidden), ("missing", missing), ("visible", canaries["hub"])):
                literal = _escaped(f"around={ident}", how)
                got[name] = _export_link(client, deps, literal, page if page == "explore" else ident)
            assert got["hidden"].status_code == got["missing"].status_code == 200, (how, hidden, page)
            assert _same_shape(got["hidden"], got["missing"], (hidden, missing)), (how, hidden, page)
            assert got["visible"].status_code == 200


def test_a_hidden_id_split_across_values_is_recognised_as_the_requesters_own(site, enforcing):
    from dashboard.guard import carried, fold_id, request_strings

    _, _, canaries = site
    hidden = canaries["restricted_ids"][0]
    strings = request_strings("/_dash-update-component", json.dumps({"inputs": [
        {"id": "a", "value": hidden[:6]}, {"id": {"type": "b", "index": hidden[6:]}, "value": None}]}))
    assert carried(fold_id(hidden), "\x00".join(fold_id(s) for s in strings))


@pytest.mark.parametrize("role", ["viewer", "analyst"])
def test_error_paths_answer_a_hidden_id_as_a_missing_one(site, enforcing, role):
    """Paths, leverage, coverage and explore with a hidden id typed in: the same errors as for an id that
    does not exist, with the guard enforcing (so it must have had nothing to block)."""
    app, _, canaries = site
    client = signed_in(app, role)
    deps = client.get("/_dash-dependencies").get_json()
    hidden = canaries["restricted_ids"][0]
    missing = "mmmmm" + hidden[5:]
    runs = {}
    for name, ident in (("hidden", hidden), ("missing", missing)):
        browser = Browser(client, deps)
        pages_dep = next(d for d in browser.deps if "_pages_content" in d["output"])
        for path in ("/paths", "/leverage", "/coverage", "/explore"):
            browser.post(pages_dep, {("_pages_location", "pathname"): path,
                                     ("_pages_location", "search"): f"?from={ident}&to={ident}&target={ident}"
                                                                    f"&funder={ident}&around={ident}&actor={ident}"})
        for dep in browser.deps:
            if dep is not pages_dep and any(k in dep["output"] for k in ("paths-result", "leverage-result",
                                                                          "coverage-result", "explore-graph")):
                for match in _matches_for(dep, browser.props):
                    browser.post(dep, {("actor-picker", "value"): lambda cid, cur, i=ident: [i] if isinstance(cur, list)
                                       else i}, match=match)
        runs[name] = browser
    for (out, st_h, text_h), (_, st_m, text_m) in zip(runs["hidden"].responses, runs["missing"].responses):
        assert st_h == st_m, out
        assert text_h.replace(hidden, "<ID>") == text_m.replace(missing, "<ID>"), out


def test_the_bounds_on_callback_values_are_the_controls_bounds(site):
    """Every numeric control named in dashboard.callback_limits.NUMBERS offers exactly those bounds."""
    import dash

    from dashboard.callback_limits import NUMBERS

    app, _, _ = site
    found: dict[str, tuple] = {}

    def walk(node):
        if isinstance(node, (list, tuple)):
            for child in node:
                walk(child)
            return
        cid = getattr(node, "id", None)
        if isinstance(cid, str) and cid in NUMBERS:
            options = getattr(node, "options", None)
            if options is not None:
                values = [o["value"] if isinstance(o, dict) else o for o in options]
                found[cid] = (min(values), max(values))
            else:
                found[cid] = (node.min, node.max)
        walk(getattr(node, "children", None) or [])

    with app.server.test_request_context("/"):
        for page in dash.page_registry.values():
            walk(page["layout"]())
    years = {k for k in found if k.endswith("-asof")}  # a slider over the map's own years
    assert set(found) == set(NUMBERS)
    for cid, bounds in found.items():
        least, most = NUMBERS[cid]
        if cid in years:
            assert least <= bounds[0] <= bounds[1] <= most, cid
        else:
            assert bounds == (least, most), cid


def test_every_role_gets_the_frame_with_a_sign_out_button(site):
    app, _, _ = site
    for role in ("viewer", "analyst", "admin"):
        layout = signed_in(app, role).get("/_dash-layout")
        assert layout.status_code == 200, role
        text = json.dumps(layout.get_json())
        assert '"sign-out"' in text and '"/logout"' in text, role
