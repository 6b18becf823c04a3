"""Benchmark of the format readers (issue 4): ingest rate per format on files of 100,000+ records.

    python bench/bench_ingest_formats.py                 # every format, 100,000+ records each
    python bench/bench_ingest_formats.py --scale 0.1 --no-results --formats iati,ftm

For each format a synthetic file is generated (cached under ``bench/out/ingest-formats/``)
and read three ways in the same run:

- **read**: Stakemap's reader alone (parse, validate, cite, resolve entities), records/s;
- **ingest**: the whole ``run_ingest`` into a fresh SQLite store (read + write, atomic);
- **baseline**: the obvious alternative, which parses only (no validation, no resolution,
  no provenance): plain lxml for IATI, ``csv.DictReader`` for Open Supply Hub, openpyxl's
  read-only rows for supplier lists, ``json.loads`` + followthemoney's ``model.get_proxy``
  for FtM, ``json.load`` for Kumu, networkx's own ``read_graphml`` / ``read_gexf``.

A "record" is what the reader counts as read: an activity, participating organisation or
transaction (IATI); a row (CSV, XLSX); an entity line (FtM); an element or connection
(Kumu); a node or edge (GraphML, GEXF). Results go to ``bench/RESULTS.md`` under
"## Ingest formats (issue 4)" (that section only).
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graphmodel.store.sqlite import SQLiteStore  # noqa: E402
from ingest.base import ReadContext  # noqa: E402
from ingest.formats import get_format  # noqa: E402
from ingest.resolution import Resolver  # noqa: E402
from ingest.run import run_ingest  # noqa: E402
from results import write_section  # noqa: E402

SECTION = "## Ingest formats (issue 4)"
OUT = ROOT / "bench" / "out" / "ingest-formats"
WORDS = ("workers solidarity union garment textile migrant federation national centre labour rights network "
         "alliance council association foundation support trade industrial services apparel knitting footwear "
         "building wood metal transport education public food hotel domestic construction").split()
COUNTRIES = "BD KH CN VN ID IN MY TH PK LK MM PH NP TR MX GT HN BR ET KE".split()
CURRENCIES = ("EUR", "USD", "SEK", "NOK", "GBP")


def _name(rng: random.Random, i: int, words: int = 3) -> str:
    return " ".join(rng.choice(WORDS).title() for _ in range(words)) + f" {i}"


# -- generators: each returns (path, records) -----------------------------------------------------
def gen_iati(path: Path, scale: float, rng: random.Random) -> int:
    activities = int(20000 * scale)
    orgs = [(f"XM-BENCH-{i:05d}", _name(rng, i), rng.choice(("10", "21", "22", "40", "60", "70")))
            for i in range(max(10, int(2000 * scale)))]
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">\n')
        for a in range(activities):
            reporter = rng.choice(orgs)
            parts = rng.sample(orgs, 3)
            out.write(f'<iati-activity default-currency="{rng.choice(CURRENCIES)}" xml:lang="en">'
                      f'<iati-identifier>{reporter[0]}-ACT-{a}</iati-identifier>'
                      f'<reporting-org ref="{reporter[0]}" type="{reporter[2]}"><narrative>{reporter[1]}</narrative>'
                      f'</reporting-org><title><narrative xml:lang="en">{_name(rng, a, 5)}</narrative>'
                      f'<narrative xml:lang="fr">Programme {a}</narrative></title>')
            for role, org in zip(("1", "3", "4"), parts):
                out.write(f'<participating-org ref="{org[0]}" role="{role}" type="{org[2]}">'
                          f'<narrative>{org[1]}</narrative></participating-org>')
            out.write(f'<activity-date iso-date="20{rng.randint(10, 22)}-0{rng.randint(1, 9)}-01" type="2"/>')
            for c, share in zip(rng.sample(COUNTRIES, 2), (60, 40)):
                out.write(f'<recipient-country code="{c}" percentage="{share}"/>')
            out.write(f'<sector code="{rng.choice(("16020", "15150", "11330"))}" vocabulary="1" percentage="100"/>')
            for t in range(3):
                kind = rng.choice(("2", "3", "3", "4"))
                receiver = (f'<receiver-org ref="{parts[2][0]}"><narrative>{parts[2][1]}</narrative></receiver-org>'
                            if kind != "4" else "")
                out.write(f'<transaction ref="T{a}-{t}"><transaction-type code="{kind}"/>'
                          f'<transaction-date iso-date="20{rng.randint(10, 22)}-{rng.randint(1, 12):02d}-15"/>'
                          f'<value>{rng.randint(1000, 900000)}.{rng.randint(0, 99):02d}</value>{receiver}</transaction>')
            out.write("</iati-activity>\n")
        out.write("</iati-activities>\n")
    return activities * 7


def gen_oshub(path: Path, scale: float, rng: random.Random) -> int:
    rows = int(100000 * scale)
    brands = [f"{_name(rng, i, 2)} Brand" for i in range(max(5, int(300 * scale)))]
    parents = [f"{_name(rng, i, 2)} Group" for i in range(max(5, int(5000 * scale)))] + ["-", "N/A", "1984.0"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["os_id", "contribution_date", "name", "address", "country_code", "country_name", "lat", "lng",
                         "sector", "contributor (list)", "number_of_workers", "parent_company",
                         "processing_type_facility_type_raw", "facility_type", "processing_type", "product_type",
                         "is_closed"])
        for i in range(rows):
            country = rng.choice(COUNTRIES)
            contributors = "|".join(f"{b} (List {rng.randint(2015, 2023)})" for b in rng.sample(brands, 2)) + "|Other"
            writer.writerow([f"{country}2021{i:03d}{i % 97:02d}X{i:06d}", "2021-05-01",
                             f"{_name(rng, i)} Garments Co., Ltd.", f"{i} {rng.choice(WORDS).title()} Road, Zone {i % 50}",
                             country, country, f"{rng.uniform(-30, 40):.6f}", f"{rng.uniform(-90, 140):.6f}",
                             "Apparel", contributors, f"{rng.randint(1, 9) * 100}-{rng.randint(10, 50) * 100}",
                             rng.choice(parents), "Cut and sew", "Final Product Assembly", "Sewing", "Shirts|Trousers",
                             "False"])
    return rows


def gen_supplier_list(path: Path, scale: float, rng: random.Random) -> int:
    import openpyxl

    rows = int(100000 * scale)
    book = openpyxl.Workbook(write_only=True)
    ws = book.create_sheet("Suppliers")
    ws.append(["Benchbrand supplier list, as of June 2024"])
    ws.append([])
    ws.append(["Factory Name", "Supplier Group", "Address", "City", "Country/Region", "Total Workers",
               "% Female Workers", "% Migrant Workers", "Product Type", "Contact Email"])
    groups = [f"{_name(rng, i, 2)} Group" for i in range(max(5, int(8000 * scale)))] + ["NO GROUP (AP)"]
    for i in range(rows):
        ws.append([f"{_name(rng, i)} Factory Ltd", rng.choice(groups), f"{i} Industrial Road", f"City {i % 300}",
                   rng.choice(("Viet Nam", "China Mainland", "Indonesia", "Korea (Republic of)", "Bangladesh")),
                   rng.randint(50, 9000), f"{rng.uniform(10, 95):.1f}%", f"{rng.uniform(0, 30):.1f}%", "APPAREL",
                   "person@example.invalid"])
    book.save(path)
    return rows


def gen_ftm(path: Path, scale: float, rng: random.Random) -> int:
    parties = int(60000 * scale)
    links = int(60000 * scale)
    schemata = ("Organization", "Company", "PublicBody", "LegalEntity", "Person")
    with path.open("w", encoding="utf-8") as out:
        for i in range(parties):
            schema = rng.choice(schemata)
            props = {"name": [_name(rng, i)], "country": [rng.choice(COUNTRIES).lower()]}
            if schema == "Person":
                props = {"name": [f"Person {i}"], "nationality": [rng.choice(COUNTRIES).lower()]}
            out.write(json.dumps({"id": f"e{i}", "schema": schema, "properties": props, "mutable": True,
                                  "role_id": 4, "origin": "model"}) + "\n")
        for j in range(links):
            a, b = rng.sample(range(parties), 2)
            schema = rng.choice(("Membership", "Ownership", "Payment", "UnknownLink", "Representation"))
            ends = {"Membership": ("member", "organization"), "Ownership": ("owner", "asset"),
                    "Payment": ("payer", "beneficiary"), "UnknownLink": ("subject", "object"),
                    "Representation": ("agent", "client")}[schema]
            props = {ends[0]: [f"e{a}"], ends[1]: [f"e{b}"], "startDate": [f"20{rng.randint(10, 22)}"]}
            if schema == "Payment":
                props.update(amount=[str(rng.randint(100, 100000))], currency=[rng.choice(CURRENCIES)])
            if schema == "Ownership":
                props["percentage"] = [str(rng.randint(1, 100))]
            out.write(json.dumps({"id": f"l{j}", "schema": schema, "properties": props}) + "\n")
    return parties + links


def gen_kumu(path: Path, scale: float, rng: random.Random) -> int:
    elements = int(40000 * scale)
    connections = int(80000 * scale)
    types = ("Trade Union", "NGO", "Brand", "Factory", "Government", "Network", "Person")
    data = {"elements": [{"id": f"e{i}", "label": _name(rng, i), "type": rng.choice(types),
                          "tags": [rng.choice(WORDS)], "country": rng.choice(COUNTRIES)} for i in range(elements)],
            "connections": []}
    for _ in range(connections):
        a, b = rng.sample(range(elements), 2)
        data["connections"].append({"from": f"e{a}", "to": f"e{b}",
                                    "type": rng.choice(("Partner", "Member of", "Funds", "Knows", "Targets")),
                                    "direction": rng.choice(("directed", "mutual"))})
    path.write_text(json.dumps(data), encoding="utf-8")
    return elements + connections


def _graph(scale: float, rng: random.Random):
    nodes = int(40000 * scale)
    edges = int(80000 * scale)
    types = ("Trade Union", "NGO", "Brand", "Network Group", "Government")
    node_rows = [(str(i), _name(rng, i), rng.choice(types), rng.choice(COUNTRIES)) for i in range(nodes)]
    edge_rows = []
    for _ in range(edges):
        a, b = rng.sample(range(nodes), 2)
        edge_rows.append((str(a), str(b), rng.choice(("Collaborates with", "Is part of", "Knows", "Funds"))))
    return node_rows, edge_rows


def gen_graphml(path: Path, scale: float, rng: random.Random) -> int:
    nodes, edges = _graph(scale, rng)
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n'
                  '<key id="name" for="node" attr.name="name" attr.type="string"/>\n'
                  '<key id="type" for="node" attr.name="type" attr.type="string"/>\n'
                  '<key id="country" for="node" attr.name="country" attr.type="string"/>\n'
                  '<key id="label" for="edge" attr.name="label" attr.type="string"/>\n<graph edgedefault="directed">\n')
        for nid, name, kind, country in nodes:
            out.write(f'<node id="{nid}"><data key="name">{name}</data><data key="type">{kind}</data>'
                      f'<data key="country">{country}</data></node>\n')
        for src, dst, label in edges:
            out.write(f'<edge source="{src}" target="{dst}"><data key="label">{label}</data></edge>\n')
        out.write("</graph>\n</graphml>\n")
    return len(nodes) + len(edges)


def gen_gexf(path: Path, scale: float, rng: random.Random) -> int:
    nodes, edges = _graph(scale, rng)
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<gexf xmlns="http://www.gexf.net/1.2draft" version="1.2">\n'
                  '<graph mode="static" defaultedgetype="directed">\n<attributes class="node">'
                  '<attribute id="0" title="type" type="string"/><attribute id="1" title="country" type="string"/>'
                  '</attributes>\n<nodes>\n')
        for nid, name, kind, country in nodes:
            out.write(f'<node id="{nid}" label="{name}"><attvalues><attvalue for="0" value="{kind}"/>'
                      f'<attvalue for="1" value="{country}"/></attvalues></node>\n')
        out.write("</nodes>\n<edges>\n")
        for i, (src, dst, label) in enumerate(edges):
            out.write(f'<edge id="{i}" source="{src}" target="{dst}" label="{label}"/>\n')
        out.write("</edges>\n</graph>\n</gexf>\n")
    return len(nodes) + len(edges)


# -- baselines: the obvious alternative, parsing only ------------------------------------------------
def base_iati(path: Path) -> int:
    from lxml import etree

    count = 0
    for _, el in etree.iterparse(str(path), tag="iati-activity", resolve_entities=False, no_network=True):
        record = {"id": el.findtext("iati-identifier"), "title": el.findtext("title/narrative"),
                  "orgs": [(p.get("ref"), p.get("role"), p.findtext("narrative")) for p in el.iterfind("participating-org")],
                  "transactions": [(t.find("transaction-type").get("code"), t.findtext("value"),
                                    t.find("transaction-date").get("iso-date")) for t in el.iterfind("transaction")]}
        count += 1 + len(record["orgs"]) + len(record["transactions"])
        el.clear()
        while el.getprevious() is not None:
            del el.getparent()[0]
    return count


def base_oshub(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def base_supplier_list(path: Path) -> int:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    count = sum(1 for ws in book.worksheets for row in ws.iter_rows(values_only=True) if row and row[0]) - 2
    book.close()
    return count


def base_ftm(path: Path) -> int:
    from followthemoney import model

    count = 0
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            model.get_proxy(json.loads(line))
            count += 1
    return count


def base_kumu(path: Path) -> int:
    data = json.loads(path.read_text(encoding="utf-8"))
    return len(data["elements"]) + len(data["connections"])


def base_graphml(path: Path) -> int:
    import networkx as nx

    graph = nx.read_graphml(path)
    return graph.number_of_nodes() + graph.number_of_edges()


def base_gexf(path: Path) -> int:
    import networkx as nx

    graph = nx.read_gexf(path)
    return graph.number_of_nodes() + graph.number_of_edges()


FORMATS = {
    # name: (file name, generator, Stakemap format, baseline, baseline label, options)
    "iati": ("activities.xml", gen_iati, "iati", base_iati, "lxml iterparse, fields only", {}),
    "oshub": ("facilities-download.csv", gen_oshub, "oshub", base_oshub, "csv.DictReader", {}),
    "supplier-list": ("benchbrand-suppliers.xlsx", gen_supplier_list, "supplier-list", base_supplier_list,
                      "openpyxl read-only rows", {}),
    "ftm": ("entities.ftm.json", gen_ftm, "ftm", base_ftm, "json.loads + followthemoney get_proxy", {}),
    "kumu": ("blueprint.json", gen_kumu, "kumu", base_kumu, "json.load", {}),
    "graphml": ("graph.graphml", gen_graphml, "graphml", base_graphml, "networkx.read_graphml", {}),
    "gexf": ("graph.gexf", gen_gexf, "gexf", base_gexf, "networkx.read_gexf", {}),
}


def _timed(func, *args):
    gc.collect()
    start = time.perf_counter()
    value = func(*args)
    return time.perf_counter() - start, value


def run(names: list[str], scale: float, seed: int, work: Path) -> list[dict]:
    results = []
    for name in names:
        filename, generate, fmt, baseline, label, options = FORMATS[name]
        folder = OUT / f"scale-{scale:g}-seed-{seed}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / filename
        if not path.exists():
            tmp = path.with_name("tmp-" + path.name)
            generate(tmp, scale, random.Random(f"{seed}-{name}"))
            tmp.rename(path)
        ctx = ReadContext(Resolver(), options=dict(options))
        read_s, result = _timed(get_format(fmt).read, path, ctx)
        records = result.read
        problems = len(ctx.problems)
        del result, ctx
        db = work / f"{name}.db"
        db.unlink(missing_ok=True)
        store = SQLiteStore(db)
        try:
            ingest_s, report = _timed(lambda: run_ingest(store, [path], fmt=fmt, options=dict(options),
                                                         skip_invalid=True))
            written = report.written[0]
        finally:
            store.close()
        base_s, base_records = _timed(baseline, path)
        row = {"format": name, "records": records, "problems": problems, "MB": round(path.stat().st_size / 1e6, 1),
               "read_s": round(read_s, 2), "read_rate": int(records / read_s),
               "ingest_s": round(ingest_s, 2), "ingest_rate": int(records / ingest_s),
               "actors": written.actors, "links": written.links,
               "baseline": label, "baseline_s": round(base_s, 2), "baseline_rate": int(base_records / base_s)}
        results.append(row)
        print(json.dumps(row), flush=True)
    return results


def markdown(results: list[dict], command: str) -> str:
    lines = [SECTION, "",
             f"Command: `{command}`", "",
             f"Machine: {platform.machine()}, {platform.processor() or platform.system()}, "
             f"{os.cpu_count()} cores (shared with other jobs while it ran: rates vary by about 20% between "
             f"runs), Python {platform.python_version()}; files generated with a fixed seed, cached under "
             "`bench/out/ingest-formats/`.", "",
             "| format | file | records | read (s) | read rate (rec/s) | ingest into SQLite (s) | ingest rate (rec/s) "
             "| actors / links written | baseline | baseline (s) | baseline rate (rec/s) |",
             "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|"]
    for r in results:
        lines.append(f"| {r['format']} | {r['MB']} MB | {r['records']:,} | {r['read_s']} | {r['read_rate']:,} | "
                     f"{r['ingest_s']} | {r['ingest_rate']:,} | {r['actors']:,} / {r['links']:,} | {r['baseline']} | "
                     f"{r['baseline_s']} | {r['baseline_rate']:,} |")
    lines += ["", "read = Stakemap's reader (parse, validate, cite, resolve entities); ingest = read plus the atomic "
              "write of the batch (run_ingest); baseline = the obvious parse-only alternative in the same run, "
              "without validation, entity resolution or provenance.", "",
              "Where the time goes: parsing is a small share (compare the baselines). Each record's actors are "
              "validated and resolved against every actor of the run (identifiers, names and aliases, names "
              "without spaces, company names without legal forms, acronyms) and compared with similar names for "
              "the review list; a repeated mention (a funder named in every activity) only adds a citation. "
              "Open Supply Hub and supplier-list rows are the slowest because each row brings three or four "
              "actors (the facility, its contributors or brand, its parent company) and all 100,000 facilities "
              "are distinct; the supplier list also pays openpyxl's own reading time (the baseline).", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--formats", default=",".join(FORMATS), help="comma-separated: " + ", ".join(FORMATS))
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 100,000+ records per format")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-results", action="store_true", help="do not write bench/RESULTS.md")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.formats.split(",") if n.strip()]
    unknown = [n for n in names if n not in FORMATS]
    if unknown:
        parser.error(f"unknown formats: {', '.join(unknown)}")
    work = OUT / "stores"
    work.mkdir(parents=True, exist_ok=True)
    results = run(names, args.scale, args.seed, work)
    command = "python bench/bench_ingest_formats.py" + ("" if argv is None and len(sys.argv) == 1 else
                                                         " " + " ".join(sys.argv[1:] if argv is None else argv))
    text = markdown(results, command)
    print(text)
    if not args.no_results:
        write_section(SECTION, text)


if __name__ == "__main__":
    main()
