"""JSON Lines (one article object per line) and JSON (one article object, or an array of them).

A record needs ``text`` or ``html``; ``title``, ``url``, ``published``, ``author``, ``outlet`` and
``id`` are optional. A broken line becomes a :class:`ReadError` with source ``FILE:LINE`` and the
other lines still come out; each article's source is ``FILE#LINE`` (``FILE#ID`` when it has an id,
unless an earlier record of the file already used that id).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kansoku.model import RawDoc, ReadError
from kansoku.read.encoding import sniff_binary
from kansoku.read.errors import ReadFailure, one_line
from kansoku.read.html import parse_html

__all__ = ["read_json", "read_jsonl", "record_to_doc"]

_OPTIONAL = ("title", "url", "published", "author", "outlet")
# Stop reporting line after line when a file clearly is not JSON Lines at all.
_MAX_LEADING_ERRORS = 20


def read_jsonl(path: Path, source: str) -> Iterator[RawDoc | ReadError]:
    """Stream ``path`` line by line; never holds more than one line in memory."""
    produced = errors = 0
    sources: set[str] = set()
    with path.open("rb") as handle:
        head = handle.read(64)
        if not head:
            raise ReadFailure("file is empty")
        if binary := sniff_binary(head):
            raise ReadFailure(binary)
        handle.seek(0)
        for number, raw in enumerate(handle, start=1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw.strip():
                continue
            try:
                doc = _line_to_doc(raw, number, source)
                yield _unique(doc, sources, f"{source}#{number}")
                produced += 1
            except ReadFailure as failure:
                errors += 1
                yield ReadError(f"{source}:{number}", failure.reason)
                if not produced and errors >= _MAX_LEADING_ERRORS:
                    yield ReadError(
                        source,
                        f"gave up after {errors} broken lines and no valid record; is this JSON Lines?",
                    )
                    return
    if not produced and not errors:
        raise ReadFailure("file contains no records")


def read_json(data: bytes, source: str) -> Iterator[RawDoc | ReadError]:
    """A ``.json`` file: one article object, or an array of them (sources ``FILE#N``, 1-based)."""
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as err:
        raise ReadFailure(f"JSON file is not valid UTF-8 (at byte {err.start})") from None
    except json.JSONDecodeError as err:
        raise ReadFailure(f"not valid JSON ({err.msg} at line {err.lineno}, column {err.colno})") from None
    if isinstance(value, dict):
        yield record_to_doc(value, source, what="the JSON object")
        return
    if not isinstance(value, list):
        raise ReadFailure(f"JSON file holds {_kind(value)}; expected an article object or an array of them")
    if not value:
        raise ReadFailure("JSON array is empty")
    sources: set[str] = set()
    for index, item in enumerate(value, start=1):
        try:
            if not isinstance(item, dict):
                raise ReadFailure(f"item {index} is {_kind(item)}, not an object")
            doc = record_to_doc(item, f"{source}#{index}", what=f"item {index}")
            yield _unique(doc, sources, f"{source}#{index}")
        except ReadFailure as failure:
            yield ReadError(f"{source}#{index}", failure.reason)


def _unique(doc: RawDoc, sources: set[str], positional: str) -> RawDoc:
    """A repeated ``id`` would give two articles one source; the later ones keep their position instead."""
    if doc.source in sources:
        doc.source = positional
    sources.add(doc.source)
    return doc


def _line_to_doc(raw: bytes, number: int, source: str) -> RawDoc:
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ReadFailure(f"line {number} is not valid UTF-8 (at byte {err.start})") from None
    try:
        value = json.loads(line)
    except json.JSONDecodeError as err:
        raise ReadFailure(f"line {number} is not valid JSON ({err.msg}, column {err.colno})") from None
    if not isinstance(value, dict):
        raise ReadFailure(f"line {number} is {_kind(value)}, not an object")
    return record_to_doc(value, f"{source}#{number}", what=f"line {number}")


def record_to_doc(record: dict[str, Any], source: str, *, what: str = "record") -> RawDoc:
    """Validate one article object and turn it into a :class:`RawDoc`.

    ``source`` is used unless the record has an ``id``, which then replaces the part after ``#``.
    HTML-only records go through the HTML extractor; their own fields win over the page's.
    """
    for key in ("text", "html", *_OPTIONAL):
        value = record.get(key)
        if value is not None and not isinstance(value, str):
            raise ReadFailure(f'{what}: "{key}" must be a string, not {_kind(value)}')
    text, html = record.get("text"), record.get("html")
    if not (text and text.strip()) and not (html and html.strip()):
        raise ReadFailure(f'{what} has neither a non-empty "text" nor "html" field')

    record_id = record.get("id")
    if record_id is not None:
        if isinstance(record_id, bool) or not isinstance(record_id, str | int):
            raise ReadFailure(f'{what}: "id" must be a string or an integer, not {_kind(record_id)}')
        if str(record_id).strip():
            base = source.rsplit("#", 1)[0] if "#" in source else source
            source = f"{base}#{str(record_id).strip()}"

    fields = {key: record[key].strip() or None for key in _OPTIONAL if isinstance(record.get(key), str)}
    if text and text.strip():
        return RawDoc(source=source, text=text, html=html or None, fmt="jsonl", **fields)
    assert html is not None
    try:
        page = parse_html(html, source)
    except ReadFailure as failure:
        raise ReadFailure(f'{what}: "html" {failure.reason}') from None
    for key, value in fields.items():
        if value:
            setattr(page, key, value)
    return page


def _kind(value: object) -> str:
    match value:
        case None:
            return "null"
        case bool():
            return "a boolean"
        case int() | float():
            return "a number"
        case str():
            return "a string"
        case list():
            return "an array"
        case dict():
            return "an object"
    return one_line(type(value).__name__)
