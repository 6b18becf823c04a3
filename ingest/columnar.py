"""A links CSV read column by column: the fast path under :func:`ingest.tabular.read_links`.

pyarrow's CSV reader parses the file on every core into typed columns (all text here); each
column is dictionary-encoded, so each distinct cell text (a million links hold a few thousand
distinct kinds, dates, currencies and actor references) is checked once, by the very checks
the row path uses (:class:`ingest.tabular._QuickLinks`'s memos), and the verdicts are spread
over the rows as arrays. A row that fails any check goes to the careful row path, in its
place, so every message and the ledger are those the row path gives; rows that pass become
the same tuples. tests/test_ingest_columnar.py runs both paths on generated files with bad
rows mixed in and compares problems, ledgers and the written store.

Only a plain file takes this path: UTF-8, comma-separated, the heading on its first line, one
record a line (no blank lines, no line breaks inside quotes), every row as wide as the
heading. Any other file returns ``False`` before anything is recorded, and the row path reads it.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from graphmodel import ids
from graphmodel.kinds import ActorKind, LinkKind
from graphmodel.text import clean_text

from .base import ReadContext, ReadResult
from .ledger import Ledger
from graphmodel.models import Source

from . import tabular
from .tabular import LINK_FIELDS, _BAD, Columns, _LinkChecker, _QuickLinks, _stated, file_origin, sheet_role

#: Files smaller than this are read by the row path (pyarrow's start-up is not worth it).
MIN_BYTES = 256 * 1024


def read_tabular(path: Path, ctx: ReadContext, origin: Source | None = None) -> ReadResult:
    """:func:`ingest.tabular.read_tabular`, a plain links CSV read column by column (the ``tabular``
    format's reader). ``options={"row_path": True}`` reads every file row by row (the tests compare both)."""
    if path.suffix.lower() == ".csv" and not ctx.options.get("row_path"):
        result = ReadResult(path, "tabular", origin or file_origin(path, ctx, "tabular"))
        if read_links_columnar(path, ctx, result):
            return result
    return tabular.read_tabular(path, ctx, origin)


def read_links_columnar(path: Path, ctx: ReadContext, result: ReadResult) -> bool:
    """Read a plain links CSV into ``result`` as :func:`ingest.tabular.read_tabular` would; ``False``
    (nothing recorded) when the file is not a plain links CSV."""
    parsed = _parse(path)
    if parsed is None:
        return False
    headings, table, first_line = parsed
    label = path.name
    spec = dict(LINK_FIELDS)
    if "from" not in [h.strip().lower() for h in headings]:
        spec["from"], spec["to"] = ("source",), ("target",)
        spec["source"] = ("cites",)
    cols = Columns.map(headings, spec)
    if [f for f in ("from", "to") if f not in cols.fields] or ("kind" not in cols.fields and "label" not in cols.fields):
        return False  # the row path reports what is missing
    known_sources = {result.origin.id, *ctx.options.get("known_sources", ())}
    check = _LinkChecker(ctx, label, result, ctx.local_ids, known_sources, cols)
    quick = _QuickLinks(check)
    if quick.default_citation is None:
        return False
    result.ledger = Ledger(path.name, "tabular", result.origin.id)
    _read(table, first_line, label, cols, check, quick, result)
    del parsed, table
    _release_arrow_memory()
    result.ledger.write_money(result.link_rows)
    return True


def _release_arrow_memory() -> None:
    """Hand the parsed file's memory back to the system: pyarrow's allocator keeps freed blocks for
    reuse, and nothing after the read asks it for more (at a million links, over 100 MB)."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


def _parse(path: Path):
    """``(headings, table, line of the first row)`` of a plain links CSV, or ``None``."""
    try:
        if path.stat().st_size < MIN_BYTES:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    newline = data.find(b"\n")
    if newline < 0 or data.count(b"\r") != data.count(b"\r\n"):
        return None
    try:
        head = data[:newline].decode("utf-8")
        sample = data[:65536].decode("utf-8", errors="ignore")[:8192]
    except UnicodeDecodeError:
        return None
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    if (dialect.delimiter != "," or dialect.quotechar != '"' or dialect.skipinitialspace
            or dialect.escapechar is not None or (not dialect.doublequote and b'""' in data)):
        return None
    headings = next(csv.reader([head.rstrip("\r")], dialect), [])
    if not any(c.strip() for c in headings) or sheet_role([c.strip() for c in headings]) != "links":
        return None
    headings = [c.strip() for c in headings]
    lines = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    import pyarrow as pa
    from pyarrow import csv as pacsv

    names = [f"c{i}" for i in range(len(headings))]
    try:
        table = pacsv.read_csv(
            pa.py_buffer(data),
            read_options=pacsv.ReadOptions(skip_rows=1, column_names=names, use_threads=True,
                                           block_size=8 << 20),
            parse_options=pacsv.ParseOptions(delimiter=",", quote_char='"', double_quote=True, escape_char=False,
                                             newlines_in_values=False, ignore_empty_lines=True),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.dictionary(pa.int32(), pa.string()) for n in names},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False))
        table = table.unify_dictionaries()  # one dictionary per column, shared by its chunks
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    if table.num_rows != lines - 1 or table.num_rows == 0:
        return None  # a blank line somewhere: the row path numbers the rows
    empty = None
    for i in range(len(names)):  # a row of empty cells is skipped by the row path, which then numbers the rest
        col = _Column(table, i, texts=False)
        lengths = _lengths(col.dictionary)
        if len(lengths) and lengths.max() > csv.field_size_limit():
            return None  # the row path refuses a cell this long, and says where
        blank = (lengths == 0)[col.index]
        empty = blank if empty is None else empty & blank
    if empty is not None and empty.any():
        return None
    return headings, table, 2


#: Rows made into tuples at a time (bounds the memory of the per-row lists).
CHUNK = 1 << 16


def _lengths(array) -> np.ndarray:
    """Each cell's length in bytes, from the string array's offsets (without pyarrow.compute, which
    loads pandas)."""
    offsets = np.frombuffer(array.buffers()[1], dtype=np.int32)[array.offset: array.offset + len(array) + 1]
    return np.diff(offsets)


class _Column:
    """One column, read dictionary-encoded: its distinct texts and each row's index into them. (Read so
    by the CSV reader itself: pyarrow.compute's dictionary_encode would load pandas.)"""

    def __init__(self, table, i: int, texts: bool = True) -> None:
        chunks = table.column(i).chunks
        self.dictionary = chunks[0].dictionary
        self.index = np.concatenate([np.frombuffer(c.indices.buffers()[1], dtype=np.int32)[c.offset:c.offset + len(c)]
                                     for c in chunks])
        self.texts = self.dictionary.to_pylist() if texts else []

    def verdicts(self, memo) -> tuple[np.ndarray, np.ndarray]:
        """Each distinct text's value by ``memo`` (an object array) and whether it is bad."""
        vals = np.empty(len(self.texts), dtype=object)
        vals[:] = [memo[t] for t in self.texts]
        return vals, np.fromiter((v is _BAD for v in vals), dtype=bool, count=len(vals))


class _Field:
    """A field's value per row: from a column (the values of its distinct texts, spread by index) or one
    value for every row when the file has no such column."""

    def __init__(self, vals: np.ndarray | None = None, index: np.ndarray | None = None, const=None) -> None:
        self.vals, self.index, self.const = vals, index, const

    def rows(self, at: slice, n: int) -> list:
        return self.vals[self.index[at]].tolist() if self.index is not None else [self.const] * n


def _read(table, first_line: int, label: str, cols: Columns, check: _LinkChecker, quick: _QuickLinks,
          result: ReadResult) -> None:
    n = table.num_rows
    (i_id, i_from, i_to, i_kind, i_start, i_end, i_amount, i_currency, i_share, i_confidence,
     i_sensitivity, i_description) = quick.at
    bad = np.zeros(n, dtype=bool)
    columns: dict[int, _Column] = {}

    def field(i, memo, default=None) -> _Field:
        """Column ``i`` checked by ``memo`` (each distinct text once); rows whose text is bad marked."""
        if i is None:
            return _Field(const=default)
        col = columns[i] = _Column(table, i)
        vals, wrong = col.verdicts(memo)
        bad[wrong[col.index]] = True
        return _Field(vals, col.index)

    if i_kind is None:
        bad[:] = True  # no kind column: Gephi's Label carries the kind; the row path reads it
    kinds = field(i_kind, quick.kinds)
    src, tgt = field(i_from, quick.ends), field(i_to, quick.ends)
    start, end = field(i_start, quick.dates), field(i_end, quick.dates)
    amount, share = field(i_amount, quick.amounts), field(i_share, quick.shares)
    currency, given = field(i_currency, quick.currencies), field(i_id, quick.ids)
    confidence = field(i_confidence, quick.confidences, "confirmed")
    sensitivity = field(i_sensitivity, quick.sensitivities, "public")
    for i in quick.cited:  # a row naming its source, locator or note is cited by the row path
        col = _Column(table, i)
        filled = np.fromiter((bool(t.strip()) for t in col.texts), dtype=bool, count=len(col.texts))
        bad |= filled[col.index]

    # Rules joining several cells, each decided once per distinct combination.
    actor_code: dict[str, int] = {}
    kind_code = {k.value: n for n, k in enumerate(LinkKind)}
    actor_kinds = list(ActorKind)
    akind_code = {k: n for n, k in enumerate(actor_kinds)}

    def codes(end_field: _Field) -> tuple[np.ndarray, np.ndarray]:
        vals = end_field.vals
        ident = np.fromiter((-1 if v is _BAD else actor_code.setdefault(v[0], len(actor_code)) for v in vals),
                            dtype=np.int64, count=len(vals))
        kind = np.fromiter((-1 if v is _BAD else akind_code[v[1]] for v in vals), dtype=np.int64, count=len(vals))
        end_field.vals = np.empty(len(vals), dtype=object)  # from now on the actor's id alone
        end_field.vals[:] = [None if v is _BAD else v[0] for v in vals]
        return ident[end_field.index], kind[end_field.index]

    src_id, src_kind = codes(src)
    tgt_id, tgt_kind = codes(tgt)
    bad |= src_id == tgt_id  # (two bad ends share the code -1: bad already)
    if i_kind is not None:
        link_kind = np.fromiter((kind_code[v] if v is not _BAD else -1 for v in kinds.vals), dtype=np.int64,
                                count=len(kinds.vals))[kinds.index]
        allowed = np.zeros((len(kind_code), len(actor_kinds), len(actor_kinds)), dtype=bool)
        for lk, lk_n in kind_code.items():
            for sk in actor_kinds:
                for tk in actor_kinds:
                    allowed[lk_n, akind_code[sk], akind_code[tk]] = quick.allowed[lk, sk, tk]
        good = ~bad
        bad[good] |= ~allowed[link_kind[good], src_kind[good], tgt_kind[good]]
        del link_kind, good
    del src_id, src_kind, tgt_id, tgt_kind
    if start.index is not None and end.index is not None:
        width = max(len(end.vals), 1)
        uniq, inverse = np.unique(start.index.astype(np.int64) * width + end.index, return_inverse=True)
        wrong = np.fromiter((_ends_before(start.vals[p // width], end.vals[p % width]) for p in uniq.tolist()),
                            dtype=bool, count=len(uniq))
        bad |= wrong[inverse.reshape(-1)]
    if amount.index is not None:
        has_amount = np.fromiter((v is not None and v is not _BAD for v in amount.vals), dtype=bool,
                                 count=len(amount.vals))[amount.index]
        if currency.index is not None:
            has_amount &= np.fromiter((v is None for v in currency.vals), dtype=bool,
                                      count=len(currency.vals))[currency.index]
        bad |= has_amount
    description = _Field()
    if i_description is not None:
        col = _Column(table, i_description)
        description = _Field(np.empty(len(col.texts), dtype=object), col.index)
        description.vals[:] = [clean_text(t.strip()) if t.strip() else None for t in col.texts]

    # The tuples of the good rows, a chunk of rows at a time, column by column.
    made: list = []
    for first in range(0, n, CHUNK):
        at = slice(first, min(first + CHUNK, n))
        size = at.stop - at.start
        kinds_, src_, tgt_, starts = kinds.rows(at, size), src.rows(at, size), tgt.rows(at, size), start.rows(at, size)
        wrong = bad[at].tolist()
        if i_id is None:
            made_ids = ids.link_ids(zip(src_, kinds_, tgt_, starts))
        else:
            made_ids = [g or (None if w else ids.link_id(s, k, t, d))
                        for g, w, s, k, t, d in zip(given.rows(at, size), wrong, src_, kinds_, tgt_, starts)]
        attributes = [None] * size
        if cols.extra:
            extra = {i: table.column(i).slice(at.start, size).to_pylist() for i in cols.extra}
            attributes = [_extra_json(cols, extra, r) for r in range(size)]
        made.extend(zip(made_ids, kinds_, src_, tgt_, starts, end.rows(at, size), amount.rows(at, size),
                        currency.rows(at, size), share.rows(at, size), confidence.rows(at, size),
                        sensitivity.rows(at, size), description.rows(at, size), attributes,
                        map(quick.default_citation, range(first + first_line, first + first_line + size))))
    for r in np.flatnonzero(bad).tolist():
        made[r] = None
    amount_col, currency_col = columns.get(i_amount), columns.get(i_currency)
    _collect(table, first_line, label, cols, check, quick, result, made,
             (amount_col,) if amount_col else None, (currency_col,) if currency_col else None)


def _ends_before(start, end) -> bool:
    return bool(start and end and start is not _BAD and end is not _BAD and end < start[: len(end)])


def _extra_json(cols: Columns, extra: dict[int, list], r: int) -> str | None:
    import json

    out = {}
    for i in cols.extra:
        value = extra[i][r].strip()
        if value:
            out[cols.headings[i].strip()] = value
    return json.dumps(out, ensure_ascii=False) if out else None


def _collect(table, first_line, label, cols, check, quick, result, made, amount_col, currency_col) -> None:
    """The row loop of :func:`ingest.tabular.read_links`, over tuples already made: money stated, bad rows
    through the careful path in their place, repeated links merged or refused."""
    import json

    ctx, ledger, out = check.ctx, result.ledger, result.link_rows
    n = len(made)
    amounts = amount_col[0].texts if amount_col else None
    a_index = amount_col[0].index.tolist() if amount_col else None
    currencies = currency_col[0].texts if currency_col else None
    c_index = currency_col[0].index.tolist() if currency_col else None
    money_of: dict[tuple[int, int], tuple | None] = {}

    def money(r: int):
        if a_index is None:
            return None
        key = (a_index[r], c_index[r] if c_index is not None else -1)
        if key not in money_of:
            text = amounts[key[0]].strip()
            money_of[key] = _stated(text, currencies[key[1]].strip() if key[1] >= 0 else "") if text else None
        return money_of[key]

    if None not in made and len({row[0] for row in made}) == n:  # every row good, no link twice
        result.read += n
        if a_index is not None:
            filled = np.fromiter((bool(t.strip()) for t in amounts), dtype=bool, count=len(amounts))
            for r in np.flatnonzero(filled[amount_col[0].index]).tolist():
                stated = money(r)
                if stated:
                    ledger.state(*stated)
        out.extend(made)
        return
    rows_cache = None
    first_row_of: dict[str, int] = {}
    rows_by_id: dict[str, int] = {}
    result.read += n
    for r in range(n):
        row_no = r + first_line
        stated = money(r)
        if stated:
            ledger.state(*stated)
        row_made = made[r]
        if row_made is None:
            if rows_cache is None:  # many bad rows: every cell as text at once; a few: one row at a time
                rows_cache = ([table.column(i).to_pylist() for i in range(table.num_columns)]
                              if made.count(None) > 1000 else False)
            row = ([c[r] for c in rows_cache] if rows_cache else
                   [table.column(i)[r].as_py() for i in range(table.num_columns)])
            row_made = quick.row(row_no, row) or check.row(row_no, row)
        if row_made is None:
            result.rejected += 1
            problem = ctx.problems[-1].message if ctx.problems else "the row is not valid"
            ledger.set_aside(f"{label}:{row_no}", f"rejected: {problem}", *(stated or (None, None)))
            continue
        at = rows_by_id.get(row_made[0])
        if at is None:
            rows_by_id[row_made[0]] = len(out)
            first_row_of[row_made[0]] = row_no
            out.append(row_made)
            continue
        previous = out[at]
        where = f"{label}:{row_no}"
        if previous[:13] != row_made[:13]:
            result.rejected += 1
            ctx.problem(label, row_no, cols.heading("id") if "id" in cols.fields else "from",
                        f"duplicate link {row_made[0]!r} with different data than row {first_row_of[row_made[0]]}",
                        "give the links different ids or start dates, or make the rows agree")
            ledger.set_aside(where, "rejected: the same link as an earlier row, with different data",
                             *(stated or (None, None)))
            continue
        ledger.set_aside(where, f"the same link as row {first_row_of[row_made[0]]} (its sources are added)",
                         *(stated or (None, None)))
        merged = json.loads(previous[13]) + [c for c in json.loads(row_made[13]) if c not in json.loads(previous[13])]
        out[at] = (*previous[:13], json.dumps(merged, ensure_ascii=False))
