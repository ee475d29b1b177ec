"""Export the store's tables as JSON Lines, CSV or Parquet (pyarrow, optional).

Every format writes one file per table (``documents`` without its ``record_json`` column, ``entities``,
``mentions``, ``quantities``, ``claims``, ``events``, ``frames``, ``stance``, ``timex``) plus
``documents.records.jsonl``: the full records, one per line, which ``kansoku ingest`` loads back without
re-analysis.

Each file is written atomically (a temporary file renamed into place), so an interrupted export leaves
whole files only.  CSV is made safe to open in a spreadsheet (OWASP "CSV injection"): a text cell starting
with ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or a line feed gets a leading single quote ``'``
(the rest of the value is kept as it is), so that Excel or LibreOffice shows it as text instead of running it
as a formula; numbers stored as numbers (a stance score of -0.6) are written as they are.  CSV files start
with a UTF-8 byte order mark unless ``bom=False`` (``--no-bom``), so that Excel reads them as UTF-8.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from kansoku.outputs import atomic_write
from kansoku.store import db

TABLES = ("documents", "entities", "mentions", "quantities", "claims", "events", "frames", "stance", "timex")
FORMATS = ("jsonl", "csv", "parquet")
_CHUNK = 5000


class ExportError(Exception):
    """A one-line reason the export cannot run."""


def _columns(con: sqlite3.Connection, table: str) -> list[tuple[str, str]]:
    cols = [(r[1], (r[2] or "").upper()) for r in con.execute(f"PRAGMA table_info({table})")]
    if table == "documents":
        cols = [c for c in cols if c[0] not in ("n", "record_json")]
    return cols


def _rows(con: sqlite3.Connection, table: str, cols: list[str]) -> Iterator[list[tuple]]:
    sel = ", ".join(f'"{c}"' for c in cols)
    order = "n" if table == "documents" else "rowid" if table == "entities" else "1"
    cur = con.execute(f"SELECT {sel} FROM {table} ORDER BY {order}")
    while True:
        chunk = cur.fetchmany(_CHUNK)
        if not chunk:
            return
        yield [tuple(r) for r in chunk]


def export(db_path: str | Path, out_dir: str | Path, fmt: str = "jsonl", bom: bool = True) -> dict[str, int]:
    """Write every table to OUT_DIR in FMT; returns rows written per file.  BOM: start CSV files with a
    UTF-8 byte order mark.  A file that cannot be written raises :class:`kansoku.outputs.TargetError`."""
    if fmt not in FORMATS:
        raise ExportError(f"--format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
    if fmt == "parquet" and importlib.util.find_spec("pyarrow") is None:
        raise ExportError("parquet export needs pyarrow, which is not installed: pip install pyarrow")
    from kansoku.outputs import TargetError, reason_of

    con = db.connect(db_path, create=False)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        con.close()
        raise TargetError("--out", out, reason_of(exc)) from None
    written: dict[str, int] = {}
    try:
        for table in TABLES:
            cols = _columns(con, table)
            names = [c for c, _ in cols]
            path = out / f"{table}.{fmt}"
            if fmt == "jsonl":
                written[path.name] = _jsonl(con, table, names, path)
            elif fmt == "csv":
                written[path.name] = _csv(con, table, names, path, bom)
            else:
                written[path.name] = _parquet(con, table, cols, path)
        rec_path = out / "documents.records.jsonl"
        n = 0
        with atomic_write(rec_path) as fh:
            for chunk in _rows(con, "documents", ["record_json"]):
                for (rj,) in chunk:
                    fh.write(rj + "\n")
                    n += 1
        written[rec_path.name] = n
    finally:
        con.close()
    return written


def _jsonl(con: sqlite3.Connection, table: str, names: list[str], path: Path) -> int:
    n = 0
    with atomic_write(path) as fh:
        for chunk in _rows(con, table, names):
            for row in chunk:
                fh.write(json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False) + "\n")
                n += 1
    return n


#: First characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(value: object) -> object:
    """VALUE as a CSV cell a spreadsheet will not run: text starting like a formula gets a leading ``'``.

    Numbers (int, float) are returned unchanged, negative ones included: they are data, not formulas.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv(con: sqlite3.Connection, table: str, names: list[str], path: Path, bom: bool = True) -> int:
    n = 0
    with atomic_write(path, encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([csv_cell(c) for c in names])
        for chunk in _rows(con, table, names):
            w.writerows([csv_cell(v) for v in row] for row in chunk)
            n += len(chunk)
    return n


def _parquet(con: sqlite3.Connection, table: str, cols: list[tuple[str, str]], path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    def arrow_type(decl: str) -> pa.DataType:
        if "INT" in decl:
            return pa.int64()
        if "REAL" in decl or "FLOA" in decl or "DOUB" in decl:
            return pa.float64()
        return pa.string()

    schema = pa.schema([(c, arrow_type(t)) for c, t in cols])
    names = [c for c, _ in cols]
    n = 0
    with atomic_write(path, binary=True) as fh, pq.ParquetWriter(fh, schema) as w:
        for chunk in _rows(con, table, names):
            arrays = [pa.array([r[i] for r in chunk], type=schema.field(i).type) for i in range(len(names))]
            w.write_table(pa.Table.from_arrays(arrays, schema=schema))
            n += len(chunk)
    return n
