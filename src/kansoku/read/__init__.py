"""read stage: files and folders → decoded :class:`~kansoku.model.RawDoc` (or :class:`~kansoku.model.ReadError`).

>>> for item in iter_documents(["articles/", "feed.xml"]):
...     if isinstance(item, ReadError):
...         print(item)            # "articles/broken.jsonl:7: line 7 is not valid JSON (...)"
...     else:
...         handle(item)           # RawDoc: .text is always set, .html when the input was HTML

Nothing is loaded up front: files are opened one at a time as the generator advances. A file that
cannot be read yields exactly one ``ReadError`` with a one-line reason and reading goes on.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from kansoku.model import RawDoc, ReadError
from kansoku.read.encoding import decode_bytes, sniff_binary
from kansoku.read.errors import ReadFailure, one_line
from kansoku.read.feed import FEED_ROOTS, read_feed, xml_root
from kansoku.read.html import parse_html, read_html_bytes
from kansoku.read.jsonl import read_json, read_jsonl
from kansoku.read.office import read_docx, read_pdf
from kansoku.read.text import read_markdown, read_text

__all__ = ["MAX_FILE_BYTES", "SUPPORTED_SUFFIXES", "ReadError", "ReadFailure", "RawDoc", "iter_documents"]

#: Largest file read whole (JSON Lines files are streamed and have no limit).
MAX_FILE_BYTES = 200 * 1024 * 1024

_TEXT = frozenset({".txt", ".text"})
_MARKDOWN = frozenset({".md", ".markdown"})
_HTML = frozenset({".html", ".htm", ".xhtml", ".shtml"})
_JSONL = frozenset({".jsonl", ".ndjson"})
_JSON = frozenset({".json"})
_FEED = frozenset({".rss", ".atom", ".rdf"})
_XML = frozenset({".xml"})
_DOCX = frozenset({".docx"})
_PDF = frozenset({".pdf"})

#: Suffixes read by a dedicated reader; other files are tried as plain text.
SUPPORTED_SUFFIXES: frozenset[str] = _TEXT | _MARKDOWN | _HTML | _JSONL | _JSON | _FEED | _XML | _DOCX | _PDF

# What to do with formats that are not read, said in the one-line error.
_CONVERT_HINTS = {
    ".doc": "old Word binary format; save it as .docx or PDF",
    ".rtf": "Rich Text; save it as .docx or plain text",
    ".odt": "OpenDocument text; save it as .docx or PDF",
    ".pages": "Apple Pages; export it as .docx or PDF",
    ".epub": "e-book; convert it to HTML or text",
    ".xls": "spreadsheet", ".xlsx": "spreadsheet", ".ods": "spreadsheet", ".csv": "table; export the text column as JSONL",
    ".ppt": "slides", ".pptx": "slides", ".odp": "slides",
}

# Inside folders these are skipped silently (a file named explicitly is always tried).
_NOT_ARTICLES = frozenset(
    {
        # images
        ".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".ico", ".svg", ".heic", ".avif",
        # archives and compressed files
        ".zip", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".7z", ".rar", ".tar", ".lz4",
        # office formats that are not read (.docx and .pdf are)
        ".doc", ".xls", ".xlsx", ".ppt", ".pptx", ".odt", ".ods", ".odp", ".epub", ".rtf", ".pages",
        # audio and video
        ".mp3", ".mp4", ".m4a", ".wav", ".flac", ".ogg", ".mov", ".avi", ".mkv", ".webm",
        # fonts, code, binaries and data stores saved next to pages
        ".woff", ".woff2", ".ttf", ".otf", ".eot", ".css", ".js", ".mjs", ".map",
        ".exe", ".dll", ".so", ".dylib", ".bin", ".o", ".a", ".pyc", ".class", ".jar", ".whl",
        ".db", ".sqlite", ".sqlite3", ".parquet", ".pkl", ".pickle", ".npy", ".npz",
    }
)  # fmt: skip
_SKIP_DIRS = frozenset({"__pycache__", "node_modules"})


def iter_documents(paths: Iterable[str | Path] | str | Path) -> Iterator[RawDoc | ReadError]:
    """Yield one :class:`RawDoc` per article found in ``paths``, or a :class:`ReadError` per failure.

    Folders are walked recursively in sorted order, skipping hidden entries and files that are
    clearly not articles (images, archives, ...). Each file is read only when the generator
    reaches it; a file reached twice (named and inside a named folder) is read once.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        source = str(given)
        if path.is_dir():
            yield from _walk(path, seen)
        elif not path.exists():
            kind = "broken symbolic link" if path.is_symlink() else "no such file or directory"
            yield ReadError(source, kind)
        else:
            yield from _read_once(path, source, seen)


def _walk(folder: Path, seen: set[Path]) -> Iterator[RawDoc | ReadError]:
    found = False
    skipped: dict[str, int] = {}
    for item in _walk_folder(folder, seen, set(), skipped):
        found = True
        yield item
    note = ""
    if skipped:
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(skipped.items(), key=lambda kv: (-kv[1], kv[0]))[:8])
        total = sum(skipped.values())
        note = f"skipped {total} file{'s' if total != 1 else ''} of unsupported formats"
        if found:
            yield ReadError(str(folder), f"{note} ({kinds})", level="warning")
        else:
            note = f" ({note}: {kinds})"
    if not found:
        yield ReadError(str(folder), "folder contains no files to read" + note)


def _walk_folder(folder: Path, seen: set[Path], visited: set[Path],
                 skipped: dict[str, int]) -> Iterator[RawDoc | ReadError]:
    """Depth-first in name order, so ``a.txt``, ``m/b.txt``, ``z.txt`` come out in that order."""
    real = folder.resolve()
    if real in visited:  # a symbolic link back up the tree
        return
    visited.add(real)
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError as err:
        yield ReadError(str(folder), f"cannot list folder: {_os_reason(err)}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = folder / entry.name
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            if entry.name not in _SKIP_DIRS:
                yield from _walk_folder(path, seen, visited, skipped)
        elif path.suffix.lower() not in _NOT_ARTICLES:
            yield from _read_once(path, str(path), seen)
        else:
            skipped[path.suffix.lower()] = skipped.get(path.suffix.lower(), 0) + 1


def _read_once(path: Path, source: str, seen: set[Path]) -> Iterator[RawDoc | ReadError]:
    try:
        real = path.resolve()
    except OSError:
        real = path
    if real in seen:
        return
    seen.add(real)
    try:
        yield from _read_file(path, source)
    except ReadFailure as failure:
        reason = failure.reason
        if (path.suffix.lower() not in SUPPORTED_SUFFIXES and reason.startswith("looks like ")
                and reason.endswith(", not text")):
            # a file of no known suffix that is not text: name what it is (a .txt full of NULs stays damaged text)
            reason = f"unsupported format ({reason.removeprefix('looks like ').removesuffix(', not text')})"
        yield ReadError(source, reason)
    except OSError as err:
        yield ReadError(source, f"cannot read file: {_os_reason(err)}")
    except Exception as err:  # a reader bug must not end a batch of thousands of files
        yield ReadError(source, one_line(f"unexpected {type(err).__name__} while reading: {err}"))


def _read_file(path: Path, source: str) -> Iterator[RawDoc | ReadError]:
    if not path.is_file():
        raise ReadFailure("not a regular file")
    suffix = path.suffix.lower()
    if suffix in _JSONL:
        yield from read_jsonl(path, source)
        return
    data = _read_bytes(path)
    if suffix in _PDF or data[:5] == b"%PDF-":
        yield read_pdf(data, source)
        return
    if suffix in _DOCX or (data[:4] == b"PK\x03\x04" and b"word/" in data[:4096]):
        yield read_docx(data, source)
        return
    if suffix in _NOT_ARTICLES or suffix in _CONVERT_HINTS:
        hint = _CONVERT_HINTS.get(suffix)
        binary = sniff_binary(data) if data else None
        what = hint or (binary.removeprefix("looks like ").removesuffix(", not text") if binary else f"{suffix} file")
        raise ReadFailure(f"unsupported format ({what})")
    if suffix in _TEXT:
        yield read_text(data, source)
    elif suffix in _MARKDOWN:
        yield read_markdown(data, source)
    elif suffix in _HTML:
        yield read_html_bytes(data, source)
    elif suffix in _JSON:
        yield from read_json(data, source)
    elif suffix in _FEED:
        yield from read_feed(_require_content(data), source)
    elif suffix in _XML:
        yield from _read_xml(_require_content(data), source)
    else:
        yield from _read_unknown(data, source)


def _read_bytes(path: Path) -> bytes:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ReadFailure(
            f"file is {size / 1024**2:.1f} MB, over the {MAX_FILE_BYTES / 1024**2:.0f} MB limit; split it first"
        )
    return path.read_bytes()


def _require_content(data: bytes) -> bytes:
    if not data.strip():
        raise ReadFailure("file is empty")
    if binary := sniff_binary(data):
        raise ReadFailure(binary)
    return data


def _read_xml(data: bytes, source: str) -> Iterator[RawDoc | ReadError]:
    root = xml_root(data)
    if root in FEED_ROOTS:
        yield from read_feed(data, source)
    elif root == "html":
        yield read_html_bytes(data, source)
    elif root is None:
        raise ReadFailure("not an XML document (no root element found)")
    else:
        raise ReadFailure(f"XML file is not an RSS/Atom feed (root element <{root}>)")


def _read_unknown(data: bytes, source: str) -> Iterator[RawDoc | ReadError]:
    """No known suffix: decode as text, then treat it as a feed or a page if it plainly is one."""
    notes: list[str] = []
    text = decode_bytes(data, source, notes=notes)
    head = text[:1024].lstrip("\ufeff \t\r\n").lower()
    if head.startswith(("<?xml", "<rss", "<feed", "<rdf:rdf")):
        root = xml_root(text[:8192].encode("utf-8"))
        if root in FEED_ROOTS:
            yield from read_feed(data, source)
            return
    if head.startswith(("<!doctype html", "<html")) or (head.startswith("<?xml") and "<html" in head):
        doc = parse_html(text, source)
        doc.warnings.extend(notes)
        yield doc
        return
    yield RawDoc(source=source, text=text, warnings=notes)


def _os_reason(err: OSError) -> str:
    return (err.strerror or type(err).__name__).lower()
