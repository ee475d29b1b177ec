"""Bytes fetched from the web → :class:`RawDoc`, through the same readers as saved files.

``kansoku collect`` (and ``kansoku reanalyze``, from the archived bytes) call :func:`read_fetched`: HTML goes
through :func:`~kansoku.read.html.read_html_bytes` exactly as a saved page does (so JSON-LD, bylines and
the host table apply), PDF and Word files through ``read/office.py``, plain text through ``read/text.py``.
The server's ``Content-Type`` picks the reader; when it is missing or generic (``application/octet-stream``)
the bytes are sniffed. The HTTP charset is not used: the bytes are decoded exactly as a saved file's are
(UTF-8, the page's own declaration, the Japanese encodings, then a guess), so a page gives the same record
fetched or saved.
"""

from __future__ import annotations

from kansoku.model import RawDoc
from kansoku.read.encoding import sniff_binary
from kansoku.read.errors import ReadFailure
from kansoku.read.html import read_html_bytes
from kansoku.read.office import read_docx, read_pdf
from kansoku.read.text import read_text

__all__ = ["read_fetched"]

_HTML = frozenset({"text/html", "application/xhtml+xml"})
_PDF = frozenset({"application/pdf", "application/x-pdf"})
_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _looks_html(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<meta", b"<!--")) or b"<html" in head[:512]


def read_fetched(data: bytes, content_type: str | None, source: str, charset: str | None = None) -> RawDoc:
    """Read one fetched article; raise :class:`ReadFailure` with a one-line reason when it is not one.

    ``charset`` (the HTTP header's) is accepted for the record but not used, see the module docstring."""
    ctype = (content_type or "").split(";", 1)[0].strip().lower()
    if not data:
        raise ReadFailure("empty response")
    if ctype in _PDF or data[:5] == b"%PDF-":
        return read_pdf(data, source)
    if ctype == _DOCX or (data[:4] == b"PK\x03\x04" and b"word/" in data[:4096]):
        return read_docx(data, source)
    if ctype in _HTML or (ctype in ("", "application/octet-stream", "text/plain") and _looks_html(data)):
        return read_html_bytes(data, source)
    if ctype == "text/plain":
        return read_text(data, source)
    if ctype in ("", "application/octet-stream"):
        binary = sniff_binary(data)
        what = binary.removeprefix("looks like ").removesuffix(", not text") if binary else "unknown content"
        raise ReadFailure(f"not an article: {what}")
    raise ReadFailure(f"not an article (content type {ctype})")
