"""Open Supply Hub (formerly Open Apparel Registry): facilities, who discloses them, who owns them.

Three shapes are read:

- the **facility download CSV** (``os_id, contribution_date, name, address,
  country_code, country_name, lat, lng, sector, contributor (list),
  number_of_workers, parent_company, ... is_closed``; multi-values joined with ``|``);
- **list-upload CSVs** (``country, name, address[, sector, lat, lng, ...]``, the
  country as a name or a code), where ``--brand`` names whose list it is;
- the **API GeoJSON** (``/api/facilities/`` pages and facility details), also when
  recorded in a VCR cassette (YAML with the JSON in
  ``interactions[i].response.body.string``; every page is read).

Each facility becomes a ``facility`` actor (its ``os_id`` in
``identifiers["os_id"]``; address, coordinates, workers, facility and product
types in attributes). What a contributor's listing means depends on its
``contributor_type`` (:data:`CONTRIBUTOR_TYPES`): a brand or retailer
``sources_from`` the facility; an auditor or certification scheme (also how
government registries are typed), a multi-stakeholder initiative, a civil
society organisation, a union, a researcher or a manufacturing group ``lists``
it. A contributor without a type (the download CSV names contributors only) is
``other`` (guessed) with a ``lists`` link, unless it is known as a brand.
Contributors Open Supply Hub anonymises (``A Brand / Retailer``, ``Other``...)
never become actors; the facility still loads and the notes count them. A real
``parent_company`` becomes an ``owns`` link from a ``supplier`` (guessed) to the
facility, also when it bears the facility's own name (a company and its site
are two actors); placeholder values (``-``, ``N/A``, numbers such as ``1984.0``)
are dropped and listed in the notes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from graphmodel.errors import InputError
from graphmodel.kinds import LINK_SPECS, ActorKind, LinkKind
from graphmodel.models import IDENTIFIER_SCHEMES, Actor, Source
from graphmodel.text import normalise_name
from graphmodel.values import split_list

from .base import ReadContext, ReadResult, bulk_reader, load_yaml
from .placeholders import is_placeholder, placeholder_reason
from .records import Emitter, country_of, facility_id, keyed_id, origin_for, tidy
from .sheets import cell_text, decode_utf8, read_csv_sheet, read_xlsx_sheets, xlsx_rows

FORMAT = "oshub"
PUBLISHER = "Open Supply Hub"
OS_ID = re.compile(IDENTIFIER_SCHEMES["os_id"])
#: A contributor's list name in brackets at the end: ``Brand X (Spring 2021 list)``.
_TRAILING_PARENS = re.compile(r"\s*\([^()]*\)\s*$")
_LIST_NAME = re.compile(r"\(([^()]*)\)\s*$")
#: What a contributor's type (Open Supply Hub's ``contributor_type``) says it is, and what its listing of a
#: facility means: only a brand or retailer sources from the facilities it lists; every other contributor
#: (an auditor or certification scheme, which is also how government registries are typed; a
#: multi-stakeholder initiative; a civil society organisation; a union; a researcher; a manufacturing
#: group; anyone else) publishes a list that names the facility: a ``lists`` link.
CONTRIBUTOR_TYPES: dict[str, tuple[ActorKind, LinkKind]] = {
    normalise_name("Brand / Retailer"): (ActorKind.BRAND, LinkKind.SOURCES_FROM),
    normalise_name("Auditor / Certification Scheme / Service Provider"): (ActorKind.OTHER, LinkKind.LISTS),
    normalise_name("Multi-Stakeholder Initiative"): (ActorKind.PLATFORM, LinkKind.LISTS),
    normalise_name("Civil Society Organization"): (ActorKind.NGO, LinkKind.LISTS),
    normalise_name("Union"): (ActorKind.UNION, LinkKind.LISTS),
    normalise_name("Academic / Researcher / Journalist / Student"): (ActorKind.OTHER, LinkKind.LISTS),
    normalise_name("Facility / Factory / Manufacturing Group / Supplier / Vendor"): (ActorKind.SUPPLIER, LinkKind.LISTS),
    normalise_name("Other"): (ActorKind.OTHER, LinkKind.LISTS),
}
CSV_FIELDS = {
    "os_id": ("os_id", "os id"), "name": ("name", "facility_name", "facility name"),
    "address": ("address", "facility_address"), "country_code": ("country_code",),
    "country": ("country_name", "country"), "lat": ("lat", "latitude"), "lng": ("lng", "lon", "longitude"),
    "sector": ("sector", "sector_product_type"), "contributor": ("contributor (list)", "contributor", "contributors"),
    "contributor_type": ("contributor_type", "contributor type", "contributor_types", "contributor type (list)"),
    "number_of_workers": ("number_of_workers", "number of workers"), "parent_company": ("parent_company", "parent company"),
    "facility_type": ("facility_type", "facility type"), "processing_type": ("processing_type", "processing type"),
    "product_type": ("product_type", "product type"), "is_closed": ("is_closed",),
    "contribution_date": ("contribution_date",),
}
_LIST_FIELDS = ("facility_type", "processing_type", "product_type")


def sniff(path: Path, head: bytes) -> bool:
    suffix = path.suffix.lower()
    text = head.decode("utf-8", "ignore").lstrip("\ufeff")
    if suffix in (".yaml", ".yml"):
        return "interactions:" in text and any(k in text for k in ("opensupplyhub", "openapparel", "/api/facilities"))
    if suffix in (".json", ".geojson"):
        return '"os_id"' in text or ('"FeatureCollection"' in text and '"elements"' not in text)
    if suffix == ".csv":
        header = {h.strip().strip('"').lower() for h in re.split(r"[,;\t]", text.splitlines()[0])} if text else set()
        return _is_facility_header(header)
    if suffix in (".xlsx", ".xlsm"):
        try:
            sheets = xlsx_rows(path, limit=1)
        except InputError:
            return False
        return any(rows and _is_facility_header({cell_text(c).strip().lower() for c in rows[0][1]})
                   for _, rows in sheets)
    return False


def _is_facility_header(header: set[str]) -> bool:
    """An Open Supply Hub download (``os_id``) or list (``country, name, address``; not Stakemap's template)."""
    return "os_id" in header or ({"country", "name", "address"} <= header and not header & {"kind", "label", "from"})


@bulk_reader
def read_oshub(path: Path, ctx: ReadContext, origin: Source | None = None) -> ReadResult:
    """Read an Open Supply Hub download, list upload, API response or recorded cassette."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):  # a list (or download) saved as a workbook: every facility sheet is read
        sheets = [sh for sh in read_xlsx_sheets(path) if _is_facility_header({h.lower() for h in sh.headings})]
        if not sheets:
            raise InputError(f"{path}: no sheet has Open Supply Hub columns",
                             hint="a list has country, name and address columns; a download has os_id")
        download = any("os_id" in {h.strip().lower() for h in sh.headings} for sh in sheets)
        reader = _Reader(path, ctx, origin_for(path, ctx, FORMAT, origin, kind="dataset" if download else "file",
                                               publisher=PUBLISHER if download else None,
                                               description="Open Supply Hub facility list (workbook)"))
        for sheet in sheets:
            reader.csv(sheet)
        return reader.finish()
    if suffix == ".csv":
        sheet = read_csv_sheet(path)
        download = "os_id" in {h.strip().lower() for h in sheet.headings}
        reader = _Reader(path, ctx, origin_for(path, ctx, FORMAT, origin, kind="dataset" if download else "file",
                                               publisher=PUBLISHER if download else None,
                                               description="Open Supply Hub facility download" if download
                                               else "Open Supply Hub list upload"))
        reader.csv(sheet)
        return reader.finish()
    reader = _Reader(path, ctx, origin_for(path, ctx, FORMAT, origin, kind="dataset", publisher=PUBLISHER,
                                           description="Open Supply Hub API response"))
    for where, payload in _payloads(path):
        reader.geojson(payload, where)
    return reader.finish()


def _payloads(path: Path):
    """The facility JSON documents in a GeoJSON file or a recorded cassette, with where each is."""
    text = decode_utf8(path, path.read_bytes())
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            cassette = load_yaml(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"{path}:{mark.line + 1}" if mark else str(path)
            raise InputError(f"{where}: not valid YAML", hint="is the cassette complete?") from None
        interactions = cassette.get("interactions") if isinstance(cassette, dict) else None
        if not isinstance(interactions, list):
            raise InputError(f"{path}: a recorded cassette has a list of interactions at its top",
                             hint="give the API's JSON response itself, or a VCR cassette")
        found = 0
        for i, interaction in enumerate(interactions):
            body = _dig(interaction, "response", "body")
            raw = body.get("string") if isinstance(body, dict) else None
            if isinstance(raw, bytes):
                raw = raw.decode("utf-8", "replace")
            if not isinstance(raw, str) or not raw.strip():
                continue
            try:
                payload = json.loads(raw)
            except ValueError:
                continue
            if _is_facilities(payload):
                found += 1
                yield f"interactions[{i}].response.body.string", payload
        if not found:
            raise InputError(f"{path}: the cassette records no Open Supply Hub facility responses",
                             hint="record /api/facilities/ or /api/facilities/{os_id}/ calls")
        return
    try:
        payload = json.loads(text)
    except ValueError as exc:
        raise InputError(f"{path}:{getattr(exc, 'lineno', '?')}: not valid JSON ({getattr(exc, 'msg', exc)})",
                         hint="the file may be truncated") from None
    if not _is_facilities(payload):
        raise InputError(f"{path}: expected Open Supply Hub GeoJSON (a FeatureCollection of facilities, or one "
                         "facility Feature)", hint="the top level should have \"type\": \"FeatureCollection\" and "
                         "\"features\", or be a Feature with properties.os_id")
    yield "", payload


def _is_facilities(payload: Any) -> bool:
    if not isinstance(payload, dict):
        return False
    if payload.get("type") == "FeatureCollection":
        return isinstance(payload.get("features"), list)
    return payload.get("type") == "Feature" and isinstance(payload.get("properties"), dict)


def _dig(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


class _Reader:
    def __init__(self, path: Path, ctx: ReadContext, origin: Source) -> None:
        self.emit = Emitter(path, FORMAT, ctx, origin)
        self.ctx = ctx
        self.brand = ctx.options.get("brand")
        self.brand_actor: Actor | None = None

    # -- CSV ----------------------------------------------------------------
    def csv(self, sheet) -> None:
        lowered = [h.strip().lower() for h in sheet.headings]
        index = {}
        for field, aliases in CSV_FIELDS.items():
            for alias in aliases:
                if alias in lowered:
                    index[field] = lowered.index(alias)
                    break
        if "name" not in index or ("country" not in index and "country_code" not in index):
            raise InputError(f"{sheet.label}:{sheet.header_row}: an Open Supply Hub file needs name and country "
                             f"columns (found: {', '.join(sheet.headings[:10])})",
                             hint="a list upload has country,name,address; a download has os_id,name,country_code")
        used = set(index.values())
        extra = [i for i, h in enumerate(sheet.headings) if i not in used and h.strip()]
        has_contributors = "contributor" in index
        if self.brand and not has_contributors:
            self.brand_actor = self._brand_from_option()
        elif not self.brand and not has_contributors:
            self.emit.notice("no --brand", "facilities are imported without a sources_from link; give --brand "
                             "to say whose list this is")
        for row_no, row in sheet.rows:
            cell = {f: _cell(row, i) for f, i in index.items()}
            extras = {sheet.headings[i].strip(): _cell(row, i) for i in extra if _cell(row, i)}
            self._facility_row(cell, extras, row_no, f"{sheet.label}:{row_no}", {
                f: sheet.headings[i] for f, i in index.items()})

    def _facility_row(self, cell: dict, extras: dict, row: int, locator: str, headings: dict) -> None:
        emit = self.emit
        emit.begin()
        name = tidy(cell.get("name", ""))
        if not name:
            emit.problem(row, headings.get("name", "name"), "the facility has no name")
            emit.end()
            return
        country = None
        for field in ("country_code", "country"):
            if cell.get(field):
                try:
                    country = country_of(cell[field])
                    break
                except ValueError as exc:
                    emit.problem(row, headings.get(field, field), str(exc),
                                 "use an ISO 3166 code such as BD, or an English country name")
                    emit.end()
                    return
        if country is None:
            emit.problem(row, headings.get("country", "country"), "the facility has no country",
                         "Open Supply Hub requires one")
            emit.end()
            return
        os_id = (cell.get("os_id") or "").strip().upper()
        if os_id and not OS_ID.match(os_id):
            emit.problem(row, headings.get("os_id", "os_id"), f"{os_id!r} is not an Open Supply Hub id",
                         "an os_id looks like BD2019168KX8YT7")
            emit.end()
            return
        attributes = {"address": tidy(cell.get("address", "")) or None, **self._coordinates(cell, locator),
                      **_workers(cell.get("number_of_workers"))}
        for field in _LIST_FIELDS:
            values = split_list(cell.get(field), "|")
            if values:
                attributes[field] = values
        if cell.get("is_closed"):
            attributes["is_closed"] = cell["is_closed"].strip().lower() in ("true", "1", "yes")
        if cell.get("contribution_date"):
            attributes["contribution_date"] = cell["contribution_date"][:10]
        attributes.update(extras)
        facility = self._facility(row, headings.get("name", "name"), locator, name=name, country=country,
                                  os_id=os_id, sectors=split_list(cell.get("sector"), "|"), aliases=[],
                                  attributes={k: v for k, v in attributes.items() if v not in (None, "", [])})
        if facility is not None:
            names = split_list(cell.get("contributor"), "|")
            types = split_list(cell.get("contributor_type"), "|")
            types = types if len(types) == len(names) else [None] * len(names)
            self._contributors(facility, [(_contributor_name(c), _list_name(c), t) for c, t in zip(names, types)],
                               row, locator)
            self._parents(facility, split_list(cell.get("parent_company"), "|"), row, locator)
        emit.end()

    # -- GeoJSON ------------------------------------------------------------
    def geojson(self, payload: dict, where: str) -> None:
        features = payload.get("features") if payload.get("type") == "FeatureCollection" else [payload]
        prefix = f"{where}#" if where else ""
        for i, feature in enumerate(features):
            place = f"{prefix}features[{i}]" if payload.get("type") == "FeatureCollection" else (where or "feature")
            locator = f"{self.emit.label}#{place}"
            if not isinstance(feature, dict) or not isinstance(feature.get("properties"), dict):
                self.emit.begin()
                self.emit.problem(None, place, "not a GeoJSON Feature with properties",
                                  "each feature needs \"type\": \"Feature\" and \"properties\"")
                self.emit.end()
                continue
            self._feature(feature, place, locator)

    def _feature(self, feature: dict, place: str, locator: str) -> None:
        emit = self.emit
        emit.begin()
        props = feature["properties"]
        name = tidy(str(props.get("name") or ""))
        os_id = str(props.get("os_id") or feature.get("id") or "").strip().upper()
        if not name:
            emit.problem(None, f"{place}.properties.name", "the facility has no name")
            emit.end()
            return
        if os_id and not OS_ID.match(os_id):
            emit.problem(None, f"{place}.properties.os_id", f"{os_id!r} is not an Open Supply Hub id")
            emit.end()
            return
        try:
            country = country_of(str(props.get("country_code") or props.get("country_name") or ""))
        except ValueError as exc:
            emit.problem(None, f"{place}.properties.country_code", str(exc))
            emit.end()
            return
        coordinates = _dig(feature, "geometry", "coordinates")
        attributes: dict[str, Any] = {"address": tidy(str(props.get("address") or "")) or None}
        if isinstance(coordinates, list) and len(coordinates) == 2 and all(isinstance(c, (int, float)) for c in coordinates):
            attributes["lng"], attributes["lat"] = float(coordinates[0]), float(coordinates[1])
        extended = props.get("extended_fields") if isinstance(props.get("extended_fields"), dict) else {}
        for field in ("number_of_workers", *_LIST_FIELDS):
            values = _extended_values(extended.get(field))
            if field == "number_of_workers" and values:
                attributes.update(_workers(values[0]))
            elif values:
                attributes[field] = values
        for key in ("is_closed", "new_os_id", "has_approved_claim"):
            if props.get(key) not in (None, "", []):
                attributes[key] = props[key]
        if isinstance(props.get("ppe_product_types"), list) and props["ppe_product_types"]:
            attributes["ppe_product_types"] = [str(v) for v in props["ppe_product_types"]]
        created = _dig(props, "created_from", "created_at")
        if created:
            attributes["contribution_date"] = str(created)[:10]
        aliases = [tidy(str(n)) for n in props.get("other_names") or [] if isinstance(n, str) and n.strip()]
        facility = self._facility(None, f"{place}.properties.name", locator, name=name, country=country, os_id=os_id,
                                  sectors=_sectors(props.get("sector")), aliases=aliases,
                                  attributes={k: v for k, v in attributes.items() if v not in (None, "", [])})
        if facility is not None:
            contributors = []
            for c in props.get("contributors") or []:
                if isinstance(c, dict):
                    cname = c.get("contributor_name") or _contributor_name(str(c.get("name") or ""))
                    contributors.append((tidy(str(cname or "")), c.get("list_name"), c.get("contributor_type")))
                elif isinstance(c, str):
                    contributors.append((_contributor_name(c), _list_name(c), None))
            self._contributors(facility, contributors, None, locator)
            self._parents(facility, _extended_values(extended.get("parent_company")), None, locator)
        emit.end()

    # -- records ------------------------------------------------------------
    def _facility(self, row, column, locator, *, name, country, os_id, sectors, aliases, attributes) -> Actor | None:
        actor_id = keyed_id(name, "os_id", os_id) if os_id else facility_id(name, country, attributes.get("address"))
        return self.emit.actor(row, column, locator, "facility listed on Open Supply Hub", id=actor_id,
                               kind="facility", name=name, country=country, sectors=sectors, aliases=aliases,
                               identifiers={"os_id": os_id} if os_id else {}, attributes=attributes)

    def _brand_from_option(self) -> Actor | None:
        actor = self.emit.actor(None, "--brand", f"{self.emit.label} (--brand)", "the brand whose list this is",
                                kind="brand", name=str(self.brand))
        return actor

    def _contributors(self, facility: Actor, contributors: list[tuple[str, str | None, str | None]], row,
                      locator) -> None:
        """Who put the facility on Open Supply Hub, and what that says (see :data:`CONTRIBUTOR_TYPES`).

        A contributor whose type is not given (the download CSV names contributors only) is kept as
        ``other`` (guessed, so a curated kind wins) with a ``lists`` link; it sources from the
        facility only when it is known as a brand (from the store, or another file of the run).
        """
        if self.brand_actor is not None:
            self._listed(self.brand_actor, facility, None, LinkKind.SOURCES_FROM, row, locator)
        for name, list_name, ctype in contributors:
            reason = placeholder_reason(name)
            if reason:
                self.emit.notice("anonymised or placeholder contributors (set aside; the facility is kept)",
                                 f"{locator}: {name or '(empty)'}")
                continue
            typed = CONTRIBUTOR_TYPES.get(normalise_name(ctype or ""))
            kind, link = typed if typed else (ActorKind.OTHER, None)
            attributes: dict[str, Any] = {"kind_guessed": True}
            if ctype:
                attributes["contributor_type"] = tidy(str(ctype))
            actor = self.emit.actor(row, "contributor", locator, "contributor of the facility to Open Supply Hub",
                                    kind=kind.value, name=name, attributes=attributes)
            if actor is None:
                continue
            if link is None:
                known = self.ctx.kind_of(actor.id) or actor.kind
                link = LinkKind.SOURCES_FROM if known is ActorKind.BRAND else LinkKind.LISTS
            self._listed(actor, facility, list_name, link, row, locator)

    def _listed(self, contributor: Actor, facility: Actor, list_name, kind: LinkKind, row, locator) -> None:
        attributes: dict[str, Any] = {"role": "contributor"}
        if list_name:
            attributes["lists"] = [tidy(str(list_name))]
        contributor_kind = self.ctx.kind_of(contributor.id) or contributor.kind
        if not LINK_SPECS[kind].allows(contributor_kind, ActorKind.FACILITY):
            kind = LinkKind.LISTS
        note = ("sources from this facility (its list on Open Supply Hub)" if kind is LinkKind.SOURCES_FROM
                else "lists this facility on Open Supply Hub")
        self.emit.link(kind, contributor.id, facility.id, row, locator, note, column="contributor",
                       confidence="reported", attributes=attributes)

    def _parents(self, facility: Actor, values: list, row, locator) -> None:
        for value in values:
            text = tidy(str(value))
            if is_placeholder(text):
                self.emit.notice("parent_company values dropped as noise", f"{locator}: {text!r}")
                continue
            parent = self.emit.actor(row, "parent_company", locator, "parent company given on Open Supply Hub",
                                     kind="supplier", name=text, attributes={"kind_guessed": True})
            if parent is not None:
                self.emit.link(LinkKind.OWNS, parent.id, facility.id, row, locator,
                               "parent company given on Open Supply Hub", column="parent_company",
                               confidence="reported")

    def _coordinates(self, cell: dict, locator: str) -> dict:
        out = {}
        for field, low, high in (("lat", -90, 90), ("lng", -180, 180)):
            text = cell.get(field)
            if not text:
                continue
            try:
                value = float(text)
            except ValueError:
                value = None
            if value is None or not low <= value <= high:
                self.emit.notice("coordinates that are not numbers in range (left out)", f"{locator}: {field}={text!r}")
                continue
            out[field] = value
        return out

    def finish(self) -> ReadResult:
        return self.emit.finish()


# -- values --------------------------------------------------------------------
def _cell(row: list, i: int) -> str:
    if i >= len(row) or row[i] is None:
        return ""
    return str(row[i]).strip()


def _contributor_name(text: str) -> str:
    """``Brand X (Spring 2021 list)`` -> ``Brand X``."""
    return tidy(_TRAILING_PARENS.sub("", text))


def _list_name(text: str) -> str | None:
    match = _LIST_NAME.search(text)
    return tidy(match.group(1)) if match else None


def _workers(value: Any) -> dict:
    if value in (None, "", []):
        return {}
    if isinstance(value, dict):
        low, high = value.get("min"), value.get("max")
        out = {"number_of_workers": f"{low}-{high}" if low != high else str(low)}
        if isinstance(low, (int, float)):
            out["workers_min"] = int(low)
        if isinstance(high, (int, float)):
            out["workers_max"] = int(high)
        return out
    text = str(value).strip()
    numbers = [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", text)]
    out: dict[str, Any] = {"number_of_workers": text}
    if len(numbers) == 1:
        out["workers"] = numbers[0]
    elif len(numbers) == 2:
        out["workers_min"], out["workers_max"] = min(numbers), max(numbers)
    return out


def _extended_values(entries: Any) -> list:
    """Values of an API extended field: strings, or dicts with a name or raw value."""
    out = []
    for entry in entries or []:
        value = entry.get("value") if isinstance(entry, dict) else entry
        if isinstance(value, dict):
            if "min" in value or "max" in value:
                out.append(value)
                continue
            value = value.get("name") or value.get("raw_value") or value.get("raw_values")
        if isinstance(value, list):
            out.extend(str(v) for v in value if v not in (None, ""))
        elif value not in (None, ""):
            out.append(value if isinstance(value, dict) else str(value))
    return out


def _sectors(value: Any) -> list[str]:
    out: list[str] = []
    for entry in value or []:
        if isinstance(entry, dict):
            out.extend(str(v) for v in entry.get("values") or [] if v)
        elif isinstance(entry, str):
            out.append(entry)
    return list(dict.fromkeys(tidy(s) for s in out if tidy(s)))
