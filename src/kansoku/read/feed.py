"""RSS and Atom files: each item becomes a :class:`RawDoc` with source ``FILE#N`` (1-based).

The bytes are decoded here (:func:`~kansoku.read.encoding.decode_text`, honouring the XML prolog's
``encoding``), not by feedparser, whose fallback for a damaged Shift_JIS feed is a Latin code page.
feedparser then gets UTF-8 and recovers what it can from malformed XML; every item that still cannot
be read yields its own one-line :class:`ReadError` (``FILE#N``) and the other items are read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from kansoku import rx
from kansoku.model import RawDoc, ReadError
from kansoku.read.encoding import decode_text
from kansoku.read.errors import ReadFailure, one_line
from kansoku.read.html import declared_charset, html_to_text, iso_datetime

__all__ = ["FEED_ROOTS", "read_feed", "xml_root"]

FEED_ROOTS = frozenset({"rss", "feed", "rdf:rdf", "rdf"})

_PROLOG = rx.compile(
    r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)", re.DOTALL | re.IGNORECASE
)
_ROOT = rx.compile(r"\s*<([A-Za-z_][\w:.-]*)")
_SPACE = rx.compile(r"[ \t\r\n]+")
_HTML_TYPES = ("text/html", "application/xhtml+xml", "html", "xhtml")
_XML_ENCODING = rx.compile(r"""(\A\s*<\?xml[^>]*?\bencoding\s*=\s*["'])[^"']*""")
# Lone surrogates (from character references such as &#xD800;) cannot be encoded as UTF-8.
_SURROGATE = rx.compile("[\ud800-\udfff]")
_CHAR_REF = rx.compile(r"&#(?:[xX]([0-9A-Fa-f]+)|([0-9]+));")


def xml_root(data: bytes) -> str | None:
    """Lower-cased name of the first element of an XML/HTML document, or ``None``."""
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", errors="replace")
    else:
        text = head.decode("utf-8", errors="replace")
    text = text.lstrip("\ufeff")
    position = 0
    while match := _PROLOG.match(text, position):
        position = match.end()
    root = _ROOT.match(text, position)
    return root.group(1).lower() if root else None


def read_feed(data: bytes, source: str) -> Iterator[RawDoc | ReadError]:
    """Parse an RSS 0.9x/1.0/2.0 or Atom document from bytes (never a URL: nothing is fetched)."""
    import feedparser

    decoded = decode_text(data, declared=declared_charset(data))
    text = _CHAR_REF.sub(_valid_char_ref, decoded.text.lstrip("\ufeff"))
    utf8 = _XML_ENCODING.sub(r"\g<1>utf-8", text, count=1).encode("utf-8", "replace")
    parsed = feedparser.parse(utf8)
    entries = parsed.get("entries") or []
    if not entries:
        if parsed.get("bozo") and not parsed.get("version"):
            problem = parsed.get("bozo_exception")
            detail = f" ({problem})" if problem else ""
            raise ReadFailure(f"not a valid RSS/Atom feed{detail}")
        raise ReadFailure("feed has no items")
    outlet = _clean(parsed.get("feed", {}).get("title"))
    results: list[RawDoc | ReadError] = []
    for number, entry in enumerate(entries, start=1):
        item_source = f"{source}#{number}"
        try:
            results.append(_entry_to_doc(entry, item_source, number, outlet))
        except ReadFailure as failure:
            results.append(ReadError(item_source, failure.reason))
        except Exception as err:  # feedparser hands back odd shapes for odd markup: one item, one error
            reason = one_line(f"item {number}: unexpected {type(err).__name__}: {err}")
            results.append(ReadError(item_source, reason))
    if note := decoded.note():
        # the replaced bytes belong to the items that show them (to every item when none does)
        docs = [doc for doc in results if isinstance(doc, RawDoc)]
        damaged = [doc for doc in docs if "\ufffd" in f"{doc.title}{doc.text}{doc.author}"]
        for doc in damaged or docs:
            doc.warnings.append(note)
    yield from results


def _valid_char_ref(match: re.Match[str]) -> str:
    """``&#xD800;`` and references past U+10FFFF crash feedparser's loose parser: make them U+FFFD."""
    value = int(match.group(1), 16) if match.group(1) else int(match.group(2))
    return match.group(0) if 0 < value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF else "&#xFFFD;"


def _entry_to_doc(entry: Any, source: str, number: int, outlet: str | None) -> RawDoc:
    html: str | None = None
    text: str | None = None
    for detail in [*(entry.get("content") or []), entry.get("summary_detail")]:
        if not detail or not isinstance(detail.get("value"), str) or not detail["value"].strip():
            continue
        value = _SURROGATE.sub("\ufffd", detail["value"])
        if (detail.get("type") or "").lower() in _HTML_TYPES or "<" in value:
            html, text = value, html_to_text(value)
        else:
            text = value.strip()
        if text:
            break
    if not text and isinstance(entry.get("summary"), str):
        text = html_to_text(_SURROGATE.sub("\ufffd", entry["summary"]))
    if not text:
        raise ReadFailure(f"item {number} has no text (no content, description or summary)")
    return RawDoc(
        source=source,
        text=text,
        html=html,
        title=_clean(entry.get("title")),
        url=_clean(entry.get("link")),
        published=_published(entry),
        author=_clean(entry.get("author")),
        outlet=outlet,
        fmt="feed",
    )


def _published(entry: Any) -> str | None:
    for key in ("published", "updated", "created"):
        raw = entry.get(key)
        if isinstance(raw, str) and raw.strip():
            if iso := iso_datetime(raw):
                return iso
            try:
                return parsedate_to_datetime(raw.strip()).isoformat()
            except (TypeError, ValueError, IndexError):
                pass
        parsed = entry.get(f"{key}_parsed")
        if parsed:
            return datetime(*parsed[:6], tzinfo=UTC).isoformat()
    return None


def _clean(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = _SURROGATE.sub("\ufffd", _SPACE.sub(" ", value)).strip(" ")
    return value or None
