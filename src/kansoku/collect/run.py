"""The collect run: sources → listings → new article URLs → fetched pages → read → analysed → stored.

1. **Expand** every SOURCE into article URLs: a feed's items, a sitemap's URLs (an index's child sitemaps
   in turn), an OPML file's feeds, a URL-list file's lines, a home page's feeds (or, when it has none, the
   sitemaps its robots.txt names). Listings are requested conditionally (ETag / Last-Modified); on a 304
   their items are taken from the store (``collect_urls.items``).
2. **Select** the URLs worth a request: not seen yet, or dated by their listing after the last fetch
   (``--recheck``: every one, conditionally); ``--since`` drops items dated before the day, ``--max`` caps
   the number of page requests (the rest wait for the next run).
3. **Fetch** them in ``concurrency`` threads through :class:`~kansoku.collect.fetch.Fetcher` (robots.txt,
   per-host delay, retries, limits, address policy), in order.
4. **Read** each page with the read stage (:func:`kansoku.read.web.read_fetched`), skip duplicates (the same
   bytes, or the same canonical URL, as a page already stored), and hand the RawDocs, each carrying
   ``fetch {url, final_url, status, fetched_at, feed}``, to :func:`kansoku.store.ingest.ingest`, which
   analyses them in worker processes and stores each article in its own transaction.
5. Right after an article is committed, its fetch state and raw bytes are written (``collect_urls``,
   ``raw_pages`` or the ``--archive`` folder) in a second transaction. A run killed between the two leaves a
   stored article without validators: the next run fetches it once more, finds it unchanged, and writes them.
"""

from __future__ import annotations

import hashlib
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from kansoku.collect import DEFAULT_USER_AGENT, state
from kansoku.collect import sources as src
from kansoku.collect.fetch import PAGE_TYPES, Fetched, Fetcher, FetchFailure, FetchOptions
from kansoku.collect.net import Resolver
from kansoku.collect.urls import UrlError, check_url, join, public_url
from kansoku.model import RawDoc, ReadError
from kansoku.read.errors import ReadFailure

__all__ = ["DEFAULT_USER_AGENT", "CollectOptions", "CollectStats", "Event", "collect"]

_LISTING_KINDS = frozenset({"feed", "sitemap", "sitemapindex", "home", "opml", "jsonfeed", "text"})
_MAX_DEPTH = 3


@dataclass(slots=True)
class CollectOptions:
    """Settings of a collect run (the CLI flags of ``kansoku collect``)."""

    since: str | None = None  # YYYY-MM-DD: skip listing items dated before this day
    max_articles: int | None = None  # at most this many page requests in the run
    delay: float = 1.0  # one request at a time per host, this long after the previous ended (Crawl-delay may raise it)
    concurrency: int = 2  # requests in flight at once (in total; per host too when delay is 0)
    user_agent: str = DEFAULT_USER_AGENT
    ignore_robots: bool = False
    allow_private: bool | tuple[str, ...] = False  # True: any address; or networks such as ("10.0.0.0/8",)
    archive: str | Path | None = None  # keep raw bytes as files here instead of in the store
    recheck: bool = False  # ask again (conditionally) for every known page of the listings
    timeout: float = 30.0  # seconds per request, body included
    retries: int = 2
    backoff: float = 1.0  # first back-off in seconds (doubled per retry) when no Retry-After is sent
    max_retry_after: float = 120.0
    max_bytes: int = 10 * 1024 * 1024
    max_sitemaps: int = 50  # child sitemaps read per source
    workers: int | None = None  # analysis processes (default: CPU count, max 4)
    published_default: str | None = None
    resolve: Resolver | None = None  # host name → addresses (default: the system resolver)


@dataclass(slots=True)
class Event:
    """Something that happened in a run, for a progress display or a web page.

    ``kind``: ``source`` (a listing was read; detail: how many items), ``page`` (an article URL is done;
    ``status``: stored | unchanged | not_modified | duplicate | failed), ``failed`` (a source or page
    failed; detail: the one-line reason), ``warning`` (read with repairs; not a failure).
    """

    kind: str
    url: str
    status: str = ""
    detail: str = ""


@dataclass(slots=True)
class CollectStats:
    sources: int = 0
    listed: int = 0  # article URLs found in the listings (before selection)
    requests: int = 0  # HTTP requests sent (listings, robots.txt and pages, retries included)
    fetched: int = 0  # pages received (200)
    not_modified: int = 0  # pages answered 304
    known: int = 0  # pages not requested: already collected and not changed according to their listing
    too_old: int = 0  # dated before --since
    deferred: int = 0  # left for the next run by --max
    duplicates: int = 0  # same bytes or canonical URL as a stored page
    added: int = 0
    updated: int = 0
    unchanged: int = 0  # fetched again, same content
    failed: int = 0
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)

    def summary(self) -> str:
        rate = (self.added + self.updated) / self.seconds if self.seconds > 0 else 0.0
        parts = [
            f"added {self.added}, updated {self.updated}, unchanged {self.unchanged}, failed {self.failed}"
            f" in {self.seconds:.1f}s ({rate:.1f} articles/s)",
            f"{self.requests} requests, {self.fetched} pages fetched, {self.not_modified} not modified",
        ]
        extra = [(self.known, "known, not requested"), (self.duplicates, "duplicates"),
                 (self.too_old, "older than --since"), (self.deferred, "left for the next run (--max)")]
        parts += [f"{n} {what}" for n, what in extra if n]
        return "; ".join(parts)


@dataclass(slots=True)
class _Todo:
    item: src.Item
    key: str  # public URL
    row: state.PageState | None


@dataclass(slots=True)
class _Pending:
    """What is written once the article is committed."""

    row: state.PageState
    data: bytes
    content_type: str
    charset: str | None
    fetch: dict


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _canonical(raw: RawDoc, base: str) -> str | None:
    """The page's canonical URL as it states it (``<link rel=canonical>``/``og:url``, else JSON-LD)."""
    for origin in ("meta", "jsonld"):
        for c in raw.candidates:
            if c.field == "url" and c.origin == origin and c.value.strip():
                try:
                    return public_url(check_url(join(base, c.value)))
                except UrlError:
                    continue
    return None


class _Run:
    def __init__(self, db_path: str | Path, opts: CollectOptions, emit: Callable[[Event], None]) -> None:
        from kansoku.store import db, raw

        self.db_path = db_path
        self.opts = opts
        self.emit = emit
        self.stats = CollectStats()
        self.con = db.connect(db_path)
        state.ensure_schema(self.con)
        raw.ensure_schema(self.con)
        self.fetcher = Fetcher(FetchOptions(
            user_agent=opts.user_agent, delay=opts.delay, concurrency=opts.concurrency, timeout=opts.timeout,
            retries=opts.retries, backoff=opts.backoff, max_retry_after=opts.max_retry_after,
            max_bytes=opts.max_bytes, ignore_robots=opts.ignore_robots, allow_private=opts.allow_private,
            resolve=opts.resolve,
        ))  # fmt: skip
        self.prefetched: dict[str, Fetched] = {}
        self.pending: dict[str, _Pending] = {}
        self.failed_now: set[str] = set()
        self.seen_listings: set[str] = set()
        self.run_hashes: dict[str, str] = {}
        self.run_canonicals: dict[str, str] = {}
        self.since = opts.since

    def close(self) -> None:
        self.fetcher.close()
        self.con.close()

    # ------------------------------------------------------------------------------------------ failures
    def fail(self, url: str, reason: str, page: bool = False) -> None:
        self.stats.failed += 1
        self.stats.failures.append(f"{url}: {reason}")
        self.emit(Event("failed", url, "failed", reason))
        if page:
            self.emit(Event("page", url, "failed", reason))

    # ------------------------------------------------------------------------------------------- expand
    def expand(self, source: str) -> list[src.Item]:
        self.stats.sources += 1
        if "://" in source:
            try:
                url = check_url(source)
            except UrlError as exc:
                self.fail(public_url(source) if "://" in source else source, str(exc))
                return []
            return self._listing(url, feed=None, depth=0)
        return self._file(Path(source))

    def _file(self, path: Path) -> list[src.Item]:
        name = str(path)
        try:
            if path.is_dir():
                self.fail(name, "is a folder; give a URL-list or OPML file, or a URL")
                return []
            if path.stat().st_size > self.opts.max_bytes:
                self.fail(name, "file is too large for a URL list")
                return []
            data = path.read_bytes()
        except FileNotFoundError:
            self.fail(name, "no such file or directory")
            return []
        except OSError as exc:
            self.fail(name, f"cannot read file: {(exc.strerror or str(exc)).lower()}")
            return []
        kind = src.kind_of(data)
        try:
            if kind == "opml":
                items: list[src.Item] = []
                for feed in src.opml_feeds(data):
                    items += self._child_listing(feed, name, depth=1)
                return items
            if kind == "feed":
                return self._listed(src.feed_items(data, "", name), name)
            if kind in ("sitemap", "sitemapindex"):
                pages, children = src.sitemap_entries(data, "", name)
                return self._listed(pages + self._sitemaps(children, name, 0), name)
            text = data.decode("utf-8-sig", errors="replace")
        except ReadFailure as failure:
            self.fail(name, failure.reason)
            return []
        urls = src.url_list(text)
        if not urls:
            self.fail(name, "no URLs in the file (one URL a line expected)")
            return []
        return self._listed([src.Item(u, name) for u in urls], name)

    def _listed(self, items: list[src.Item], where: str) -> list[src.Item]:
        self.emit(Event("source", where, "read", f"{len(items)} items"))
        return items

    def _child_listing(self, url: str, parent: str, depth: int, listed_date: str | None = None) -> list[src.Item]:
        try:
            url = check_url(url)
        except UrlError as exc:
            self.fail(f"{public_url(url)} (listed in {parent})", str(exc))
            return []
        return self._listing(url, feed=parent, depth=depth, listed_date=listed_date)

    def _recent(self, children: list[src.Item]) -> list[src.Item]:
        """Child sitemaps, newest first, without those dated before --since."""
        kept = [c for c in children if not self._too_old(c.date)]
        return sorted(kept, key=lambda c: c.date or "", reverse=True)

    def _too_old(self, date: str | None) -> bool:
        return bool(self.since and date and date[:10] < self.since)

    def _listing(self, url: str, feed: str | None, depth: int, listed_date: str | None = None) -> list[src.Item]:
        """Items of a feed, sitemap, or home page URL (requested conditionally)."""
        key = public_url(url)
        if key in self.seen_listings or depth > _MAX_DEPTH:
            return []
        self.seen_listings.add(key)
        row = state.get(self.con, key)
        known = row if row is not None and row.kind in _LISTING_KINDS else None
        if depth == 0 and row is not None and row.kind == "page" and row.error is None and not self.opts.recheck:
            return self._page_source(url, key, row)
        if known is not None and listed_date and known.fetched_at:
            last, listed = _parse_time(known.fetched_at), _parse_time(listed_date)
            if last and listed and listed <= last:  # a child sitemap not changed since we read it
                return self._cached(known, depth)
        try:
            got = self.fetcher.get(url, etag=known.etag if known else None,
                                   last_modified=known.last_modified if known else None, kind="listing")
        except FetchFailure as f:
            self.fail(key, f.reason)
            return []
        if got.status == 304 and known is not None:
            state.touch(self.con, key, got.fetched_at)
            return self._cached(known, depth)
        data = got.content
        try:
            if data[:2] == b"\x1f\x8b":
                data = src.gunzip(data, self.opts.max_bytes)
            return self._parse_listing(url, key, got, data, feed, depth)
        except ReadFailure as failure:
            self.fail(key, failure.reason)
            return []

    def _page_source(self, url: str, key: str, row: state.PageState) -> list[src.Item]:
        """An article URL given directly that an earlier run collected: ask again, conditionally."""
        try:
            got = self.fetcher.get(url, etag=row.etag, last_modified=row.last_modified, kind="page")
        except FetchFailure as f:
            self.fail(key, f.reason)
            return []
        self.prefetched[key] = got
        return [src.Item(url, row.feed)]

    def _save_listing(self, key: str, kind: str, got: Fetched, items: list[list]) -> None:
        """Remember a listing's validators and items (their URLs in public form: no credentials kept)."""
        import json

        items = [[public_url(entry[0]), *entry[1:]] for entry in items]
        state.put(self.con, state.PageState(
            url=key, kind=kind, final_url=public_url(got.final_url), status=got.status, etag=got.etag,
            last_modified=got.last_modified, content_hash=hashlib.sha256(got.content).hexdigest(),
            items=json.dumps(items, ensure_ascii=False), fetched_at=got.fetched_at, checked_at=got.fetched_at,
        ))  # fmt: skip

    def _sitemaps(self, children: list[src.Item], parent: str, depth: int) -> list[src.Item]:
        """The pages of child sitemaps: newest first, those dated before --since skipped, at most
        ``max_sitemaps``; a child dated before our last read of it is not requested (its URLs are cached)."""
        items: list[src.Item] = []
        for child in self._recent(children)[: self.opts.max_sitemaps]:
            items += self._child_listing(child.url, parent, depth + 1, listed_date=child.date)
        return items

    def _cached(self, row: state.PageState, depth: int) -> list[src.Item]:
        """The items a listing had when it was last read (it answered 304)."""
        items: list[src.Item] = []
        children: list[src.Item] = []
        for entry in row.item_list():
            if not isinstance(entry, list) or len(entry) < 3:
                continue
            url, date, kind = entry[0], entry[1], entry[2]
            if kind == "page":
                items.append(src.Item(url, row.url, date))
            elif kind == "sitemap":
                children.append(src.Item(url, row.url, date))
            else:
                items += self._child_listing(url, row.url, depth + 1)
        items += self._sitemaps(children, row.url, depth)
        self.emit(Event("source", row.url, "not_modified", f"{len(items)} items"))
        return items

    def _parse_listing(self, url: str, key: str, got: Fetched, data: bytes, feed: str | None,
                       depth: int) -> list[src.Item]:
        kind = src.kind_of(data, got.content_type)
        base = got.final_url
        if kind in ("feed", "jsonfeed"):
            items = src.feed_items(data, base, key)
            self._save_listing(key, kind, got, [[i.url, i.date, "page"] for i in items])
            return self._listed(items, key)
        if kind in ("sitemap", "sitemapindex"):
            pages, children = src.sitemap_entries(data, base, key)
            # all children are remembered (a later run without --since reads the older ones from a 304)
            self._save_listing(key, kind, got, [[i.url, i.date, "page"] for i in pages]
                               + [[c.url, c.date, "sitemap"] for c in children])
            items = sorted(pages, key=lambda i: i.date or "", reverse=True)
            return self._listed(items + self._sitemaps(children, key, depth), key)
        if kind == "opml":
            feeds = src.opml_feeds(data, base)
            self._save_listing(key, kind, got, [[f, None, "feed"] for f in feeds])
            items = []
            for f in feeds:
                items += self._child_listing(f, key, depth + 1)
            return items
        if kind == "text":
            items = src.text_sitemap(data.decode("utf-8", errors="replace"), base, key)
            self._save_listing(key, kind, got, [[i.url, None, "page"] for i in items])
            return self._listed(items, key)
        if kind == "html":
            return self._home(url, key, got, data, feed, depth)
        if depth == 0 and (got.content_type in PAGE_TYPES or data[:5] == b"%PDF-" or data[:4] == b"PK\x03\x04"):
            self.prefetched[key] = got  # a PDF or Word document given directly: an article
            return [src.Item(url, None)]
        raise ReadFailure("not a feed, sitemap or web page")

    def _home(self, url: str, key: str, got: Fetched, data: bytes, feed: str | None,
              depth: int) -> list[src.Item]:
        """A web page given as a source: an article page is collected itself; a home page (the site's root,
        or a page that is not one article) is searched for feeds, else for the sitemaps of its robots.txt."""
        from kansoku.read.encoding import decode_bytes
        from kansoku.read.html import declared_charset

        html = decode_bytes(data, key, declared=declared_charset(data) or got.charset)
        path = urlsplit(got.final_url).path
        if depth == 0 and path not in ("", "/") and not path.endswith(("/index.html", "/index.htm")) \
                and src.is_article_page(html):
            self.prefetched[key] = got
            return [src.Item(url, None)]
        feeds = src.discover_feeds(html, got.final_url)
        kind = "feed"
        if not feeds:
            feeds = src.robots_sitemaps(self.fetcher.robots(got.final_url).text, _origin(got.final_url))
            kind = "sitemap"
        if not feeds:
            raise ReadFailure("no feed or sitemap found on the page (give a feed or sitemap URL)")
        self._save_listing(key, "home", got, [[f, None, kind] for f in feeds])
        items: list[src.Item] = []
        for f in feeds:
            items += self._child_listing(f, key, depth + 1)
        return items

    # ------------------------------------------------------------------------------------------- select
    def select(self, items: Iterable[src.Item]) -> list[_Todo]:
        todo: list[_Todo] = []
        seen: set[str] = set()
        limit = self.opts.max_articles
        for item in items:
            try:
                url = check_url(item.url)
            except UrlError as exc:
                self.fail(public_url(item.url), str(exc), page=True)
                continue
            key = public_url(url)
            if key in seen:
                continue
            seen.add(key)
            self.stats.listed += 1
            if self._too_old(item.date):
                self.stats.too_old += 1
                continue
            row = state.get(self.con, key)
            if row is not None and row.kind == "page" and not self.opts.recheck and key not in self.prefetched:
                last, listed = _parse_time(row.fetched_at or row.checked_at), _parse_time(item.date)
                if row.error is not None or not (listed and last and listed > last):
                    self.stats.known += 1
                    continue
            elif row is None and key not in self.prefetched and state.canonical_owner(self.con, key, key):
                self.stats.known += 1  # another URL of ours has this one as its canonical URL
                continue
            if limit is not None and len(todo) >= limit:
                self.stats.deferred += 1
                continue
            todo.append(_Todo(src.Item(url, item.feed, item.date), key, row))
        return todo

    # -------------------------------------------------------------------------------------------- fetch
    def _fetch(self, t: _Todo) -> Fetched:
        if t.key in self.prefetched:
            return self.prefetched.pop(t.key)
        row = t.row if t.row is not None and t.row.error is None else None
        return self.fetcher.get(t.item.url, etag=row.etag if row else None,
                                last_modified=row.last_modified if row else None, kind="page")

    def pages(self, todo: list[_Todo]) -> Iterator[RawDoc]:
        """Fetch and read TODO (``concurrency`` requests in flight, results in order)."""
        width = max(1, self.opts.concurrency)
        pool = ThreadPoolExecutor(max_workers=width, thread_name_prefix="kansoku-fetch")
        queue: deque[tuple[_Todo, Future]] = deque()
        it = iter(todo)
        try:
            while True:
                while len(queue) < 2 * width and (t := next(it, None)) is not None:
                    queue.append((t, pool.submit(self._fetch, t)))
                if not queue:
                    break
                t, fut = queue.popleft()
                try:
                    got = fut.result()
                except FetchFailure as f:
                    self._page_failed(t, f.reason, f.permanent, f.status)
                    continue
                raw = self._page(t, got)
                if raw is not None:
                    yield raw
        finally:
            for _, fut in queue:
                fut.cancel()
            pool.shutdown(wait=False, cancel_futures=True)

    def _page_failed(self, t: _Todo, reason: str, permanent: bool, status: int | None = None) -> None:
        self.fail(t.key, reason, page=True)
        if permanent:
            now = datetime.now(UTC).isoformat(timespec="seconds")
            row = t.row or state.PageState(url=t.key, kind="page", feed=t.item.feed)
            row.error, row.status, row.checked_at = reason, status, now
            state.put(self.con, row)

    def _page(self, t: _Todo, got: Fetched) -> RawDoc | None:
        key = t.key
        if got.status == 304:
            self.stats.not_modified += 1
            state.touch(self.con, key, got.fetched_at)
            self.emit(Event("page", key, "not_modified"))
            return None
        self.stats.fetched += 1
        digest = hashlib.sha256(got.content).hexdigest()
        row = state.PageState(
            url=key, kind="page", final_url=public_url(got.final_url), status=got.status, etag=got.etag,
            last_modified=got.last_modified, content_hash=digest, feed=t.item.feed, fetched_at=got.fetched_at,
            checked_at=got.fetched_at,
        )  # fmt: skip
        if t.row is not None and t.row.content_hash == digest and state.stored(self.con, key):
            row.canonical, row.feed = t.row.canonical, t.row.feed or t.item.feed
            state.put(self.con, row)
            self.stats.unchanged += 1
            self.emit(Event("page", key, "unchanged"))
            return None
        owner = self.run_hashes.get(digest) or state.hash_owner(self.con, digest, key)
        if owner and owner != key:
            return self._duplicate(row, owner)
        try:
            raw = _read(got, key)
        except ReadFailure as failure:
            self._page_failed(t, failure.reason, permanent=True, status=got.status)
            return None
        canonical = _canonical(raw, got.final_url)
        row.canonical = canonical
        if canonical and urlsplit(canonical).path not in ("", "/"):
            owner = self.run_canonicals.get(canonical) or state.canonical_owner(self.con, canonical, key)
            if owner and owner != key:
                return self._duplicate(row, owner)
            self.run_canonicals.setdefault(canonical, key)
        self.run_hashes.setdefault(digest, key)
        raw.fetch = {
            "url": key,
            "final_url": public_url(got.final_url),
            "status": got.status,
            "fetched_at": got.fetched_at,
            "feed": t.item.feed,
        }
        self.pending[key] = _Pending(row, got.content, got.content_type, got.charset, raw.fetch)
        for note in raw.warnings:
            self.emit(Event("warning", key, "", note))
        return raw

    def _duplicate(self, row: state.PageState, owner: str) -> None:
        row.note = f"duplicate of {owner}"
        state.put(self.con, row)
        self.stats.duplicates += 1
        self.emit(Event("page", row.url, "duplicate", row.note))
        return None

    # ------------------------------------------------------------------------------------------- stored
    def on_error(self, err: ReadError) -> None:
        """The analysis refused a page: nothing is kept, so the next run tries again."""
        self.pending.pop(err.source, None)
        self.failed_now.add(err.source)
        self.fail(err.source, err.reason, page=True)

    def on_item(self, source: str) -> None:
        """ingest() is done with SOURCE (committed, or unchanged): keep its fetch state and raw bytes."""
        if source in self.failed_now:
            self.failed_now.discard(source)
            return
        p = self.pending.pop(source, None)
        if p is None:
            return
        from kansoku.store import raw

        con = self.con
        con.execute("BEGIN IMMEDIATE")
        try:
            state.put(con, p.row)
            raw.put(con, source, p.data, p.content_type, p.charset, p.fetch, self.opts.archive)
            con.execute("COMMIT")
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise
        self.emit(Event("page", source, "stored"))


def _read(got: Fetched, key: str) -> RawDoc:
    from kansoku.read.web import read_fetched

    try:
        return read_fetched(got.content, got.content_type, key, got.charset)
    except ReadFailure:
        raise
    except Exception as exc:  # noqa: BLE001 - a reader bug must not end a run of thousands of pages
        raise ReadFailure(f"unexpected {type(exc).__name__} while reading: {exc}") from None


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"


def collect(
    sources: Sequence[str],
    db_path: str | Path,
    options: CollectOptions | None = None,
    on_event: Callable[[Event], None] | None = None,
) -> CollectStats:
    """Collect SOURCES (feed, sitemap or home-page URLs; URL-list or OPML files) into the store DB_PATH.

    Each failed source or page is an :class:`Event` of kind ``failed`` (and counted); the run goes on.
    Returns the run's :class:`CollectStats`.
    """
    from kansoku.store.ingest import ingest

    opts = options or CollectOptions()
    t0 = time.perf_counter()
    run = _Run(db_path, opts, on_event or (lambda e: None))
    stats = run.stats
    try:
        items: list[src.Item] = []
        for s in sources:
            items += run.expand(s)
        todo = run.select(items)
        docs = run.pages(todo)
        first = next(docs, None)  # no new page: no analysis workers are started
        if first is not None:
            result = ingest(
                db_path, _chain(first, docs), workers=opts.workers, batch_size=1,
                published_default=opts.published_default, on_error=run.on_error, on_item=run.on_item,
            )  # fmt: skip
            stats.added += result.added
            stats.updated += result.updated
            stats.unchanged += result.unchanged
    finally:
        stats.requests = run.fetcher.requests
        run.close()
    stats.seconds = time.perf_counter() - t0
    return stats


def _chain(first: RawDoc, rest: Iterator[RawDoc]) -> Iterator[RawDoc]:
    yield first
    yield from rest
