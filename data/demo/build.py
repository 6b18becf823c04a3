"""Build the demo supply-chain layer from Nike's February 2021 manufacturing disclosure.

Usage (from the repository root)::

    python data/demo/build.py [path/to/nike-manufacturing-2021-02.xls]

Without an argument the spreadsheet is looked for at
``../shared/samples/supplier_lists/nike-manufacturing-2021-02.xls`` next to the repository.
The script rewrites ``actors.csv``, ``links.csv`` and ``sources.csv`` in this folder
(``dataset.yaml`` is written by hand). The output depends only on the spreadsheet and on
``data/seed``: rows keep the spreadsheet's order, ids are derived from names, and nothing
random or time-dependent is used, so a second run gives identical files.

What it derives
---------------
- the brand ``nike`` (kind ``brand``);
- one ``facility`` per data row (all 498 rows, fewer than a thousand, so no subset is taken),
  with country (ISO alpha-2) and attributes ``workers``, ``line_workers``, ``share_female`` and
  ``share_migrant`` (fractions: 71.0% -> 0.71), ``product_type``, ``factory_type``, address
  fields, ``nike_brands``, ``events`` and ``subcontractors`` as published; the contact columns
  are left out;
- one ``supplier`` per named supplier group, with an ``operates`` link to each of its facilities
  (the disclosure states the grouping, not ownership); the placeholders ``NO GROUP (..)`` and
  ``NO SUPPLIER GROUP`` create no actor;
- a ``sources_from`` link from the brand to every facility, confirmed, cited to ``row N``
  (the spreadsheet's own 1-based row number: title row 1, header row 2, data from row 3).

Links to the union side
-----------------------
The disclosure says nothing about unions. Seed document 004 says which organisations took up
migrant organising in which country and sector, so the script adds an ``inferred``
``related_to`` link, with its reason in the note, only where that context fits a facility:

- Malaysia: MTUC (``mtuc``), whose manufacturing affiliates were drawn into migrant organising
  through GUF programmes -> Malaysian facilities that report migrant workers;
- Thailand: the Migrant Workers Right Network (``mwrn``), the membership-based migrant
  association that backs workers in Thai workplaces -> Thai facilities reporting migrant workers;
- South Korea: the Korean Metalworkers Union (``kmwu``), which tried to organise migrants in
  small and medium manufacturers -> Korean facilities reporting migrant workers and fewer than
  300 workers.

No such link is made for Japan or Taiwan (the seed finds mainstream unions there opposed to
migrant organising and names no organising body) nor for countries the seeds do not cover.
The three union actors and the seed source they are cited to are copied unchanged from
``data/seed`` so that both datasets describe them identically.
"""

from __future__ import annotations

import csv
import re
import sys
from collections import OrderedDict
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
DEFAULT_XLS = REPO.parent / "shared" / "samples" / "supplier_lists" / "nike-manufacturing-2021-02.xls"

SOURCE_ID = "nike-manufacturing-2021-02"
SEED_SOURCE_ID = "ilm-2021-temporary-migrants-asia"
BRAND_ID = "nike"
AS_OF = "2021-02"

ACTOR_COLUMNS = ["id", "name", "kind", "aliases", "country", "countries", "sectors", "description", "sensitivity",
                 "wikidata", "iati", "os_id", "lei", "source", "locator", "note"]
FACILITY_ATTRIBUTES = ["published_name", "workers", "line_workers", "share_female", "share_migrant", "product_type", "factory_type",
                       "address", "city", "state", "postal_code", "region", "nike_brands", "events", "subcontractors",
                       "data_flag"]
LINK_COLUMNS = ["id", "from", "to", "kind", "start", "end", "amount", "currency", "share", "confidence", "sensitivity",
                "description", "source", "locator", "note"]
LINK_ATTRIBUTES = ["as_of", "basis"]
SOURCE_COLUMNS = ["id", "title", "kind", "author", "publisher", "year", "url", "licence", "format", "description"]

#: Country names in the disclosure that the general normaliser does not read.
COUNTRY_OVERRIDES = {"Korea (Republic of)": "KR", "Moldova (Republic of)": "MD"}
NO_GROUP = re.compile(r"^NO (SUPPLIER )?GROUP\b")

#: (country, union actor id, facility filter, seed 004 locator, why the seed makes the union relevant)
CONTEXT_RULES = [
    ("MY", "mtuc", lambda f: f["share_migrant"] > 0,
     "section 'Hong Kong, Malaysia and Thailand', para 6 (Malaysia, MTUC affiliates)",
     "seed 004 says MTUC's manufacturing affiliates took up migrant organising through GUF programmes"),
    ("TH", "mwrn", lambda f: f["share_migrant"] > 0,
     "section 'Hong Kong, Malaysia and Thailand', para 7 (Thailand)",
     "seed 004 names MWRN as the migrant workers' association backing migrants in Thai workplaces"),
    ("KR", "kmwu", lambda f: f["share_migrant"] > 0 and f["workers"] is not None and f["workers"] < 300,
     "section 'South Korea and Singapore', para 2",
     "seed 004 says KMWU tried to organise migrants in small and medium manufacturers (here: under 300 workers)"),
]
CONTEXT_UNIONS = [rule[1] for rule in CONTEXT_RULES]


def slug(text: str, length: int = 40) -> str:
    """Lower-case ASCII slug used in ids."""
    from graphmodel.text import slugify

    return slugify(text, length)


def country(value: str) -> str:
    from graphmodel.values import country_code

    text = value.strip()
    return COUNTRY_OVERRIDES.get(text) or country_code(text)


def number(value) -> int | None:
    if value in ("", None):
        return None
    return int(round(float(value)))


def fraction(value) -> float | None:
    """``'71.0%'`` -> ``0.71``; blank -> ``None``."""
    text = str(value).strip()
    if not text:
        return None
    return round(float(text.rstrip("%")) / 100, 4)


def text(value) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    return " ".join(str(value).split())


def read_rows(path: Path) -> list[dict]:
    """Data rows of the first sheet, each with its 1-based spreadsheet row number."""
    import xlrd

    sheet = xlrd.open_workbook(str(path)).sheet_by_index(0)
    header = [text(h) for h in sheet.row_values(1)]
    rows = []
    for index in range(2, sheet.nrows):
        values = dict(zip(header, sheet.row_values(index)))
        if not text(values.get("Factory Name", "")):
            continue
        rows.append({"row": index + 1, **values})
    return rows


def facilities(rows: list[dict]) -> list[dict]:
    """One record per data row, with a unique readable id."""
    out = []
    for row in rows:
        group = text(row["Supplier Group"])
        out.append({
            "row": row["row"],
            "name": text(row["Factory Name"]),
            "country": country(text(row["Country/Region"])),
            "group": None if NO_GROUP.match(group.upper()) else group,
            "workers": number(row["Total Workers"]),
            "line_workers": number(row["Line Workers"]),
            "share_female": fraction(row["% Female Workers"]),
            "share_migrant": fraction(row["% Migrant Workers"]) or 0.0,
            "share_migrant_published": text(row["% Migrant Workers"]),
            "product_type": text(row["Product Type"]).lower(),
            "factory_type": text(row["Factory Type"]).lower(),
            "address": text(row["Address"]),
            "city": text(row["City"]),
            "state": text(row["State"]),
            "postal_code": text(row["Postal Code"]),
            "region": text(row["Region"]),
            "nike_brands": text(row["Nike, Inc. Brand(s)"]),
            "events": text(row["Events"]),
            "subcontractors": text(row["Subcons"]),
        })
    by_slug: dict[str, list[dict]] = {}
    for fac in out:
        by_slug.setdefault(slug(fac["name"]), []).append(fac)
    for base, group in by_slug.items():
        if len(group) == 1:
            group[0]["id"] = f"fac-{base}"
            continue
        for fac in group:
            fac["id"] = f"fac-{base}-{slug(fac['city'] or fac['country'], 20)}"
        if len({f["id"] for f in group}) < len(group):
            for fac in group:
                fac["id"] = f"fac-{base}-r{fac['row']}"
    disambiguate_names(out)
    return out


def disambiguate_names(facs: list[dict]) -> None:
    """Give distinct sites that share a published name distinct display names.

    Names are matched the way entity resolution matches them, so two sites listed under the
    same company name would otherwise be read as one organisation. The display name adds the
    city (and the street address when the city repeats); ``published_name`` keeps the original.
    """
    from graphmodel.text import normalise_name

    by_name: dict[str, list[dict]] = {}
    for fac in facs:
        by_name.setdefault(normalise_name(fac["name"]), []).append(fac)
    for group in by_name.values():
        if len(group) == 1:
            continue
        cities = [f["city"] for f in group]
        for fac in group:
            place = fac["city"] if cities.count(fac["city"]) == 1 else f"{fac['city']}, {fac['address']}"
            fac["published_name"] = fac["name"]
            fac["name"] = f"{fac['name']} ({place})"


def facility_actor(fac: dict) -> dict:
    row = dict.fromkeys(ACTOR_COLUMNS + FACILITY_ATTRIBUTES, "")
    flags = []
    if fac["share_migrant"] > 1:
        flags.append("migrant share above 100% as published")
    if fac["workers"] is None:
        flags.append("no worker count published; the 0.0% shares beside it may mean no data")
    kinds = fac["factory_type"] if fac["factory_type"] == fac["product_type"] else f"{fac['factory_type']}, {fac['product_type']}"
    row.update(
        id=fac["id"], name=fac["name"], kind="facility", country=fac["country"], sectors=fac["product_type"],
        description=f"Nike supplier facility ({kinds}).",
        source=SOURCE_ID, locator=f"row {fac['row']}",
        note="Listed in Nike's manufacturing disclosure (data as of February 2021).",
        data_flag="; ".join(flags),
    )
    for key in FACILITY_ATTRIBUTES:
        if key in fac and fac[key] not in (None, ""):
            row[key] = fac[key]
    return row


def build(xls: Path, out: Path = HERE) -> tuple[int, int]:
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    facs = facilities(read_rows(xls))

    seed_actor_rows = [r for r in _read(REPO / "data" / "seed" / "actors.csv") if r["id"] in CONTEXT_UNIONS]
    seed_sources = [r for r in _read(REPO / "data" / "seed" / "sources.csv") if r["id"] == SEED_SOURCE_ID]
    assert {r["id"] for r in seed_actor_rows} == set(CONTEXT_UNIONS) and seed_sources, "data/seed is incomplete"

    actors = [dict(dict.fromkeys(ACTOR_COLUMNS, ""), id=BRAND_ID, name="Nike, Inc.", kind="brand", aliases="Nike|NIKE",
                   country="US", sectors="apparel|footwear|equipment",
                   description="Sportswear brand; publisher of the manufacturing disclosure this layer is built from.",
                   source=SOURCE_ID, locator="row 1 (title row)",
                   note="The file is Nike's own export of its manufacturing facilities, data as of February 2021.")]
    groups: OrderedDict[str, list[dict]] = OrderedDict()
    for fac in facs:
        if fac["group"]:
            groups.setdefault(fac["group"], []).append(fac)
    group_ids = {}
    for name in sorted(groups):
        members = groups[name]
        group_ids[name] = f"grp-{slug(name)}"
        countries = sorted({f["country"] for f in members})
        actors.append(dict(dict.fromkeys(ACTOR_COLUMNS, ""), id=group_ids[name], name=name, kind="supplier",
                           country=countries[0] if len(countries) == 1 else "", countries="|".join(countries),
                           sectors="|".join(sorted({f["product_type"] for f in members})),
                           description=f"Supplier group named for {len(members)} {'facility' if len(members) == 1 else 'facilities'} in Nike's 2021 disclosure.",
                           source=SOURCE_ID, locator="column 'Supplier Group', rows " + ", ".join(str(f["row"]) for f in members),
                           note="Named in the Supplier Group column; the disclosure does not say whether the group owns the sites."))
    actors.extend(facility_actor(f) for f in facs)
    actors.extend(seed_actor_rows)

    links = []
    for fac in facs:
        links.append(_link(f"nike-sources-{fac['id']}", BRAND_ID, "sources_from", fac["id"], "confirmed", f"row {fac['row']}",
                           "Nike lists this facility among its manufacturing sources.", as_of=AS_OF))
    for fac in facs:
        if fac["group"]:
            gid = group_ids[fac["group"]]
            links.append(_link(f"{gid}-operates-{fac['id']}", gid, "operates", fac["id"], "confirmed", f"row {fac['row']}",
                               "Facility listed under this supplier group; read as operation since ownership is not stated.",
                               as_of=AS_OF))
    for code, union, keep, seed_locator, why in CONTEXT_RULES:
        for fac in facs:
            if fac["country"] == code and keep(fac):
                ident = f"ctx-{union}-{fac['id']}"
                pct = f"{fac['share_migrant'] * 100:.1f}%"
                basis = f"seed 004 country-sector context ({code}); facility reports migrant workers"
                links.append(_link(ident, union, "related_to", fac["id"], "inferred", f"row {fac['row']}",
                                   f"Inferred context, no documented tie: the facility reports {pct} migrant workers.",
                                   basis=basis))
                links.append(_link(ident, union, "related_to", fac["id"], "inferred", seed_locator,
                                   f"Why inferred: {why}.", basis=basis, source_id=SEED_SOURCE_ID))

    sources = [dict(id=SOURCE_ID, title="Nike Global Manufacturing Data Export (data as of February 2021)", kind="file",
                    author="", publisher="Nike Inc.", year="2021", url="",
                    licence="public disclosure; redistributed as facts", format="xls (BIFF8), one sheet, title row above header",
                    description="Nike's public list of finished-goods, component and material facilities with supplier group, "
                                "address, workforce size and shares of female and migrant workers.")] + seed_sources

    _write(out / "sources.csv", SOURCE_COLUMNS, sources)
    _write(out / "actors.csv", ACTOR_COLUMNS + FACILITY_ATTRIBUTES + _extra(seed_actor_rows, ACTOR_COLUMNS), actors)
    _write(out / "links.csv", LINK_COLUMNS + LINK_ATTRIBUTES, links)
    return len(actors), len(links)


def _extra(rows: list[dict], known: list[str]) -> list[str]:
    return [k for k in (rows[0] if rows else {}) if k not in known and k not in FACILITY_ATTRIBUTES and any(r[k] for r in rows)]


def _link(ident: str, source: str, kind: str, target: str, confidence: str, locator: str, note: str,
          source_id: str = SOURCE_ID, **attrs) -> dict:
    row = dict.fromkeys(LINK_COLUMNS + LINK_ATTRIBUTES, "")
    row.update({"id": ident, "from": source, "to": target, "kind": kind, "confidence": confidence,
                "source": source_id, "locator": locator, "note": note, **attrs})
    return row


def _read(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _write(path: Path, columns: list[str], rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: ("" if row.get(k) is None else row.get(k, "")) for k in columns})


def main(argv: list[str]) -> int:
    xls = Path(argv[1]) if len(argv) > 1 else DEFAULT_XLS
    if not xls.is_file():
        print(f"spreadsheet not found: {xls} (pass its path as the first argument)", file=sys.stderr)
        return 2
    n_actors, n_links = build(xls)
    print(f"wrote {n_actors} actor rows and {n_links} link rows to {HERE.name}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
