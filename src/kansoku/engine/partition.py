"""What runs on a worker, for any engine: bytes → raw documents → records, in plain Python.

Nothing here imports pyspark; the Spark engine calls these functions inside ``mapInPandas`` and a Dask or
Ray adapter would call them per partition.  Rows are plain dicts with these keys:

``root``
    index of the input (as given on the command line) the row comes from; -1 for inputs that do not
    exist;
``okey``, ``item``
    the row's place in the corpus order: the file's key (path parts below its input, joined with NUL so
    that string order is the local engine's depth-first name order) and the item's number in the file
    (JSON Lines, feeds);
``source``
    what the local engine calls the input (``examples/corpus/01.txt``, ``FILE#3``) or the URI;
``kind``
    ``doc`` (``raw`` holds the pickled :class:`~kansoku.model.RawDoc`), ``record`` (``record`` holds the
    output record as JSON, ``anchors`` its full-name persons for the corpus step), ``error`` (``message``
    holds the one-line reason) or ``skip`` (a file of a format that is not read, found in a folder;
    ``message`` holds its suffix).
"""

from __future__ import annotations

import io
import json
import os
import pickle
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from types import SimpleNamespace
from urllib.parse import unquote

from kansoku.engine.contract import ContractMismatch, check_record
from kansoku.model import RawDoc, ReadError
from kansoku.pipeline import Options, analyze_batch
from kansoku.resolve.corpus import Links, apply_links, full_name_persons

#: a key greater than every file key: a folder's own notes come after its files
END_KEY = "\U0010ffff"
#: separator of path parts in a file key (smaller than every character of a name)
SEP = "\x00"


@dataclass(frozen=True, slots=True)
class Root:
    """One input as given: a file or a folder (local path or URI)."""

    index: int
    given: str  # as the user wrote it
    uri: str  # as the engine's file listing names it (``file:/abs/path``, ``hdfs://nn/x``)
    is_dir: bool
    local: bool  # a local path (sources are relative to ``given``), not a URI


def file_key(parts: Iterable[str]) -> str:
    return SEP.join(parts)


def locate(path: str, roots: list[Root]) -> tuple[Root, list[str]] | None:
    """The first input (in given order) that contains PATH (a URI from the file listing), and PATH's parts
    below it; None when no input does."""
    for root in roots:
        if path == root.uri:
            return root, []
        prefix = root.uri.rstrip("/") + "/"
        if root.is_dir and path.startswith(prefix):
            return root, [p for p in path[len(prefix) :].split("/") if p]
    # listings may percent-encode what the inputs spell plainly (or the reverse)
    plain = unquote(path)
    if plain != path:
        return locate(plain, roots)
    return None


def source_of(root: Root, parts: list[str], path: str) -> str:
    """What the local engine calls this file: the input as given joined with the parts below it."""
    if not root.local:
        return path
    if not parts:
        return root.given
    return os.path.join(root.given, *parts) if root.given not in ("", ".") else os.path.join(*parts)


class _Blob:
    """Just enough of :class:`pathlib.Path` for kansoku's file readers to read bytes already in memory
    (so that the read stage runs on the worker holding the bytes, with the very same readers)."""

    def __init__(self, name: str, data: bytes) -> None:
        self.name = name
        self.suffix = PurePosixPath(name).suffix
        self._data = data

    def resolve(self) -> _Blob:
        return self

    def is_file(self) -> bool:
        return True

    def exists(self) -> bool:
        return True

    def stat(self) -> SimpleNamespace:
        return SimpleNamespace(st_size=len(self._data))

    def read_bytes(self) -> bytes:
        return self._data

    def open(self, mode: str = "rb") -> io.BytesIO:
        if "b" not in mode:
            raise ValueError("binary mode only")
        return io.BytesIO(self._data)


def read_bytes(data: bytes, name: str, source: str) -> Iterator[RawDoc | ReadError]:
    """The raw documents (or one-line read errors) of one file's bytes, exactly as
    :func:`kansoku.read.iter_documents` reads that file from disk.  NAME gives the suffix."""
    from kansoku.read import _read_once

    yield from _read_once(_Blob(name, data), source, set())  # type: ignore[arg-type]


def _skipped_in_folder(parts: list[str]) -> str | None:
    """Why a file found inside a folder is not read: ``hidden`` (no row), a suffix (counted), or None."""
    from kansoku.read import _NOT_ARTICLES, _SKIP_DIRS

    if any(p.startswith(".") for p in parts) or any(p in _SKIP_DIRS for p in parts[:-1]):
        return "hidden"
    suffix = PurePosixPath(parts[-1]).suffix.lower()
    return suffix if suffix in _NOT_ARTICLES else None


def read_files(files: Iterable[tuple[str, bytes]], roots: list[Root]) -> Iterator[dict]:
    """Read stage: ``(path, bytes)`` pairs of a file listing → rows (see the module docstring)."""
    for path, data in files:
        found = locate(path, roots)
        if found is None:
            continue  # listed by an input we no longer read (a duplicate)
        root, parts = found
        base = {"root": root.index, "okey": file_key(parts), "raw": None, "message": None}
        if parts and root.is_dir:
            why = _skipped_in_folder(parts)
            if why == "hidden":
                continue
            if why is not None:
                yield {**base, "item": 0, "source": source_of(root, parts, path), "kind": "skip", "message": why}
                continue
        source = source_of(root, parts, path)
        name = parts[-1] if parts else PurePosixPath(unquote(path)).name
        for n, it in enumerate(read_bytes(bytes(data), name, source)):
            if isinstance(it, ReadError):
                yield {**base, "item": n, "source": it.source, "kind": "error", "message": it.reason}
            else:
                yield {**base, "item": n, "source": it.source, "kind": "doc",
                       "raw": pickle.dumps(it, protocol=pickle.HIGHEST_PROTOCOL)}


def too_large(size: int, max_chars: int) -> str:
    """The local runner's reason for refusing a document over ``--max-chars`` (kansoku.pipeline.run)."""
    return (
        f"document has {size:,} characters, above the --max-chars limit of {max_chars:,}; "
        "split it or raise the limit"
    )


def analyze_rows(rows: Iterable[dict], options: Options, batch_size: int = 8) -> Iterator[dict]:
    """Analysis stage: ``doc`` rows → ``record`` rows (or ``error`` rows); other rows pass through.

    Every failure of one document (analysis, a record that cannot be stored as UTF-8 JSON) becomes that
    document's error row; the batch goes on.
    """
    batch: list[tuple[dict, RawDoc]] = []

    def flush() -> Iterator[dict]:
        results = analyze_batch([raw for _, raw in batch], options)
        for (row, _), res in zip(batch, results, strict=True):
            yield _result_row(row, res)
        batch.clear()

    for row in rows:
        if row["kind"] != "doc":
            yield row
            continue
        try:
            raw: RawDoc = pickle.loads(row["raw"])
        except Exception as exc:  # noqa: BLE001 - a row we cannot decode is that input's error
            yield {**row, "raw": None, "kind": "error", "message": f"cannot decode raw document: {exc}"[:300]}
            continue
        size = len(raw.text or raw.html or "")
        if size > options.max_chars:
            yield {**row, "raw": None, "kind": "error", "message": too_large(size, options.max_chars)}
            continue
        batch.append((row, raw))
        if len(batch) >= batch_size or sum(len(r.text or r.html or "") for _, r in batch) > 2_000_000:
            yield from flush()
    if batch:
        yield from flush()


def _result_row(row: dict, res: dict | ReadError) -> dict:
    out = {**row, "raw": None}
    if isinstance(res, ReadError):
        return {**out, "kind": "error", "source": res.source, "message": res.reason}
    try:
        check_record(res)
        text = json.dumps(res, ensure_ascii=False)
        text.encode("utf-8")
        anchors = [
            {"key": k, "id": i, "name": n, "name_en": e} for k, i, n, e in full_name_persons(res)
        ]
    except ContractMismatch as exc:
        return {**out, "kind": "error", "message": f"record does not fit the Parquet columns: {exc}"[:300]}
    except (TypeError, ValueError, UnicodeError) as exc:
        return {**out, "kind": "error", "message": f"record cannot be stored: {type(exc).__name__}: {exc}"[:300]}
    return {**out, "kind": "record", "source": res["source"], "record": text, "anchors": anchors}


def link_rows(rows: Iterable[dict], links: Links) -> Iterator[dict]:
    """Corpus step, second half: fold each record's bare surnames into the corpus's full names."""
    for row in rows:
        if row["kind"] == "record" and links:
            rec = apply_links(json.loads(row["record"]), links)
            row = {**row, "record": json.dumps(rec, ensure_ascii=False)}
        yield row
