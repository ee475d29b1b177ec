"""JSON Lines (one article object per line) and JSON (one article object, or an array of them).

A record needs ``text`` or ``html``; ``title``, ``url``, ``published``, ``author``, ``outlet`` and
``id`` are optional. A broken line becomes a :class:`ReadError` with source ``FILE:LINE`` and the
other lines still come out; each article's source is ``FILE#LINE`` (``FILE#ID`` when it has an id,
unless an earlier record of the file already used that id).

Damage that leaves the article readable is repaired and noted in the record's ``warnings``: a line
that is not UTF-8 is decoded like a file (:func:`~kansoku.read.encoding.decode_text`: another
Japanese encoding, or a few replaced bytes); an optional field that is not a string is ignored; lone
surrogates (``"\\ud800"`` escapes) become U+FFFD. Lines longer than ``MAX_LINE_BYTES`` are refused
without being held in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from kansoku import rx
from kansoku.model import RawDoc, ReadError
from kansoku.read.encoding import decode_text, sniff_binary
from kansoku.read.errors import ReadFailure, one_line
from kansoku.read.html import parse_html

__all__ = ["MAX_LINE_BYTES", "read_json", "read_jsonl", "record_to_doc"]

#: Longest line read (the whole-file limit of the other formats).
MAX_LINE_BYTES = 200 * 1024 * 1024

_OPTIONAL = ("title", "url", "published", "author", "outlet")
# Stop reporting line after line when a file clearly is not JSON Lines at all.
_MAX_LEADING_ERRORS = 20
_SURROGATE = rx.compile("[\ud800-\udfff]")
_SKIP_CHUNK = 1024 * 1024


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
        for number, raw in enumerate(_lines(handle), start=1):
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


def _lines(handle: BinaryIO) -> Iterator[bytes | None]:
    """The file's lines; ``None`` stands for a line over ``MAX_LINE_BYTES``, which is skipped unread."""
    while raw := handle.readline(MAX_LINE_BYTES + 1):
        if len(raw) <= MAX_LINE_BYTES or raw.endswith(b"\n"):
            yield raw
            continue
        while (chunk := handle.readline(_SKIP_CHUNK)) and not chunk.endswith(b"\n"):
            pass
        yield None


def _decode(data: bytes, codec: str, subject: str, noun: str) -> tuple[str, list[str]]:
    """Bytes of JSON as text: CODEC, else the damaged-text decoder with a note (``NOUN is not UTF-8; …``);
    undecodable bytes raise ``SUBJECT not valid UTF-8 (at byte N); …``."""
    try:
        return data.decode(codec), []
    except UnicodeDecodeError as err:
        try:
            decoded = decode_text(data, expect_utf8=True)
        except ReadFailure as failure:
            raise ReadFailure(f"{subject} not valid UTF-8 (at byte {err.start}); {failure.reason}") from None
    notes = [f"{noun} is not UTF-8; decoded as {decoded.encoding}"] if decoded.encoding != "UTF-8" else []
    if note := decoded.note():
        notes.append(note)
    return decoded.text, notes


def read_json(data: bytes, source: str) -> Iterator[RawDoc | ReadError]:
    """A ``.json`` file: one article object, or an array of them (sources ``FILE#N``, 1-based)."""
    text, notes = _decode(data, "utf-8-sig", "JSON file is", "file")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        raise ReadFailure(f"not valid JSON ({err.msg} at line {err.lineno}, column {err.colno})") from None
    except RecursionError:
        raise ReadFailure("JSON nests too deeply to read") from None
    if isinstance(value, dict):
        doc = record_to_doc(value, source, what="the JSON object")
        doc.warnings[:0] = notes
        yield doc
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
            doc.warnings[:0] = notes
            yield _unique(doc, sources, f"{source}#{index}")
        except ReadFailure as failure:
            yield ReadError(f"{source}#{index}", failure.reason)


def _unique(doc: RawDoc, sources: set[str], positional: str) -> RawDoc:
    """A repeated ``id`` would give two articles one source; the later ones keep their position instead."""
    if doc.source in sources:
        doc.source = positional
    sources.add(doc.source)
    return doc


def _line_to_doc(raw: bytes | None, number: int, source: str) -> RawDoc:
    if raw is None:
        raise ReadFailure(f"line {number} is longer than {MAX_LINE_BYTES // 1024**2} MB; split it first")
    line, notes = _decode(raw, "utf-8", f"line {number} is", "line")
    try:
        value = json.loads(line)
    except json.JSONDecodeError as err:
        raise ReadFailure(f"line {number} is not valid JSON ({err.msg}, column {err.colno})") from None
    except RecursionError:
        raise ReadFailure(f"line {number} nests JSON too deeply to read") from None
    if not isinstance(value, dict):
        raise ReadFailure(f"line {number} is {_kind(value)}, not an object")
    doc = record_to_doc(value, f"{source}#{number}", what=f"line {number}")
    doc.warnings[:0] = notes
    return doc


def record_to_doc(record: dict[str, Any], source: str, *, what: str = "record") -> RawDoc:
    """Validate one article object and turn it into a :class:`RawDoc`.

    ``source`` is used unless the record has an ``id``, which then replaces the part after ``#``.
    HTML-only records go through the HTML extractor; their own fields win over the page's.
    """
    notes: list[str] = []
    for key in ("text", "html"):
        value = record.get(key)
        if value is not None and not isinstance(value, str):
            raise ReadFailure(f'{what}: "{key}" must be a string, not {_kind(value)}')
    for key in _OPTIONAL:
        value = record.get(key)
        if value is not None and not isinstance(value, str):
            notes.append(f'"{key}" ignored: {_kind(value)}, not a string')
    surrogates = 0
    fields: dict[str, str | None] = {}
    for key in ("text", "html", *_OPTIONAL):
        if isinstance(value := record.get(key), str):
            value, replaced = _SURROGATE.subn("\ufffd", value)
            surrogates += replaced
            fields[key] = value
    if surrogates:
        notes.append(f"{surrogates} lone surrogate escape{'s' if surrogates != 1 else ''} replaced by U+FFFD")
    text, html = fields.pop("text", None), fields.pop("html", None)
    if not (text and text.strip()) and not (html and html.strip()):
        raise ReadFailure(f'{what} has neither a non-empty "text" nor "html" field')

    record_id = record.get("id")
    if record_id is not None:
        if isinstance(record_id, bool) or not isinstance(record_id, str | int):
            raise ReadFailure(f'{what}: "id" must be a string or an integer, not {_kind(record_id)}')
        if str(record_id).strip():
            base = source.rsplit("#", 1)[0] if "#" in source else source
            label = _SURROGATE.sub("\ufffd", str(record_id).strip())
            source = f"{base}#{label}"

    fields = {key: value.strip() or None for key, value in fields.items() if value is not None}
    if text and text.strip():
        return RawDoc(source=source, text=text, html=html or None, fmt="jsonl", warnings=notes, **fields)
    assert html is not None
    try:
        page = parse_html(html, source)
    except ReadFailure as failure:
        raise ReadFailure(f'{what}: "html" {failure.reason}') from None
    for key, value in fields.items():
        if value:
            setattr(page, key, value)
    page.warnings.extend(notes)
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
