"""A Spark run's Parquet → records for the local store (``kansoku load``), with pyarrow only (no Spark).

Rows are read in batches (memory stays bounded), turned back into the records the local engine writes
(:func:`kansoku.engine.contract.to_record`) and staged as JSON Lines for the store's records loader, which
stores them as they are (no re-analysis; idempotent: an unchanged record is skipped).
"""

from __future__ import annotations

import json
from pathlib import Path

from kansoku.engine.contract import ERROR_COLUMN, to_record


class LoadError(Exception):
    """A Parquet input that cannot be loaded; ``str()`` is one line."""


def iter_rows(path: str | Path, batch_size: int = 512):  # type: ignore[no-untyped-def]
    """Row dicts of a Parquet file or dataset folder (Spark's ``_SUCCESS`` and hidden files ignored)."""
    import pyarrow.dataset as ds

    p = Path(path)
    if not p.exists():
        raise LoadError(f"{path}: no such file or directory")
    try:
        dataset = ds.dataset(str(p), format="parquet")
        names = set(dataset.schema.names)
    except Exception as exc:  # noqa: BLE001 - pyarrow raises several types for a file that is not Parquet
        raise LoadError(f"{path}: not a Parquet dataset ({str(exc).splitlines()[0][:200]})") from None
    missing = {"id", "source", "text", ERROR_COLUMN} - names
    if missing:
        raise LoadError(f"{path}: not a kansoku run (no column {', '.join(sorted(missing))})")
    for batch in dataset.to_batches(batch_size=batch_size):
        yield from batch.to_pylist()


def parquet_to_jsonl(path: str | Path, dest: Path) -> list[tuple[str, str]]:
    """Write the records of PATH to DEST (JSON Lines); returns (source, reason) of its error rows."""
    errors: list[tuple[str, str]] = []
    with dest.open("w", encoding="utf-8") as fh:
        for row in iter_rows(path):
            if row.get(ERROR_COLUMN) is not None:
                errors.append((row.get("source") or str(path), row[ERROR_COLUMN]))
                continue
            fh.write(json.dumps(to_record(row), ensure_ascii=False) + "\n")
    return errors


def read_records(path: str | Path) -> tuple[list[dict], list[tuple[str, str]]]:
    """All records and error rows of a run, in input order (for tests and small runs)."""
    rows = list(iter_rows(path))
    rows.sort(key=lambda r: _order(r))
    recs = [to_record(r) for r in rows if r.get(ERROR_COLUMN) is None]
    errs = [(r.get("source") or "", r[ERROR_COLUMN]) for r in rows if r.get(ERROR_COLUMN) is not None]
    return recs, errs


def _order(row: dict) -> tuple:
    o = row.get("input_order") or {}
    return (o.get("root", 0), o.get("key") or "", o.get("item", 0))
