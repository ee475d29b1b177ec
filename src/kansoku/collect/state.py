"""What ``kansoku collect`` remembers between runs: table ``collect_urls`` in the store.

One row per URL kansoku fetched (keyed by its public form, :func:`kansoku.collect.urls.public_url`):

- listings (``feed``, ``sitemap``, ``home``, ``opml``): the HTTP validators (ETag, Last-Modified) for a
  conditional request next time, and the items last read from it (``items``, JSON), used again on a 304;
- pages: validators, the SHA-256 of the bytes, the page's canonical URL, the listing it came from, and for
  a page that failed in a way asking again will not fix (HTTP 404, not an article, too large) the reason
  (``error``); a duplicate (same canonical URL or the same bytes as another stored page) notes which.

A page with a row is not requested again unless its listing dates it after the last fetch (a feed item's
``updated``, a sitemap ``lastmod``) or ``--recheck`` is given; then the request is conditional.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

__all__ = ["PageState", "ensure_schema"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS collect_urls (
    url           TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    final_url     TEXT,
    status        INTEGER,
    etag          TEXT,
    last_modified TEXT,
    content_hash  TEXT,
    canonical     TEXT,
    feed          TEXT,
    items         TEXT,
    error         TEXT,
    note          TEXT,
    fetched_at    TEXT,
    checked_at    TEXT
);
CREATE INDEX IF NOT EXISTS collect_urls_canonical ON collect_urls(canonical) WHERE canonical IS NOT NULL;
CREATE INDEX IF NOT EXISTS collect_urls_hash ON collect_urls(content_hash) WHERE content_hash IS NOT NULL;
"""

_COLUMNS = ("url", "kind", "final_url", "status", "etag", "last_modified", "content_hash", "canonical", "feed",
            "items", "error", "note", "fetched_at", "checked_at")  # fmt: skip


@dataclass(slots=True)
class PageState:
    url: str
    kind: str
    final_url: str | None = None
    status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_hash: str | None = None
    canonical: str | None = None
    feed: str | None = None
    items: str | None = None
    error: str | None = None
    note: str | None = None
    fetched_at: str | None = None
    checked_at: str | None = None

    def item_list(self) -> list[list]:
        try:
            value = json.loads(self.items or "[]")
        except ValueError:
            return []
        return value if isinstance(value, list) else []


def ensure_schema(con: sqlite3.Connection) -> None:
    con.executescript(_SCHEMA)


def get(con: sqlite3.Connection, url: str) -> PageState | None:
    row = con.execute(f"SELECT {', '.join(_COLUMNS)} FROM collect_urls WHERE url = ?", (url,)).fetchone()
    return PageState(*row) if row else None


def put(con: sqlite3.Connection, state: PageState) -> None:
    values = [getattr(state, c) for c in _COLUMNS]
    updates = ", ".join(f"{c}=excluded.{c}" for c in _COLUMNS[1:])
    con.execute(
        f"INSERT INTO collect_urls({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))}) "
        f"ON CONFLICT(url) DO UPDATE SET {updates}",
        values,
    )


def touch(con: sqlite3.Connection, url: str, checked_at: str) -> None:
    con.execute("UPDATE collect_urls SET checked_at = ? WHERE url = ?", (checked_at, url))


def stored(con: sqlite3.Connection, url: str) -> bool:
    """True when URL is a source of a stored document."""
    return con.execute("SELECT 1 FROM sources WHERE source = ?", (url,)).fetchone() is not None


def canonical_owner(con: sqlite3.Connection, canonical: str, other_than: str) -> str | None:
    """Another fetched page, stored in the store, whose canonical URL (or own URL) is CANONICAL."""
    row = con.execute(
        "SELECT c.url FROM collect_urls c JOIN sources s ON s.source = c.url "
        "WHERE (c.canonical = ? OR c.url = ?) AND c.url != ? AND c.kind = 'page' LIMIT 1",
        (canonical, canonical, other_than),
    ).fetchone()
    return row[0] if row else None


def hash_owner(con: sqlite3.Connection, content_hash: str, other_than: str) -> str | None:
    """Another stored page that was fetched with exactly these bytes."""
    row = con.execute(
        "SELECT c.url FROM collect_urls c JOIN sources s ON s.source = c.url "
        "WHERE c.content_hash = ? AND c.url != ? AND c.kind = 'page' LIMIT 1",
        (content_hash, other_than),
    ).fetchone()
    return row[0] if row else None
