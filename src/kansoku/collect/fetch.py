"""Polite fetching: robots.txt, a per-host delay and concurrency limit, retries, timeouts, size and type limits.

:class:`Fetcher` is shared by the threads of a run. Per host (``host:port``):

- **robots.txt** is read once per run (``urllib.robotparser``; RFC 9309: a 4xx means no rules, a 5xx or an
  unreachable server means "crawl nothing" — 401/403 too, as the standard library does) and checked before
  every request, redirect targets included; its ``Crawl-delay`` raises the delay;
- **delay**: with a delay, one request at a time, each starting ``delay`` seconds after the previous one
  ended (across threads); without, at most ``concurrency`` in flight at once;
- **retries**: 429, 500, 502, 503, 504, timeouts and refused connections are retried ``retries`` times, after
  ``Retry-After`` (seconds or an HTTP date, up to ``max_retry_after``) when the server sends one, else after
  an exponential back-off; a ``Retry-After`` also holds back every other request to that host;
- **limits**: a timeout for the whole request (connect, headers and body), a size limit checked against
  ``Content-Length`` and again while the body streams (decompressed bytes), and a content-type check before
  the body is read;
- **redirects** are followed by hand (at most 5), each hop checked for scheme, robots.txt and, in the
  connection layer (:mod:`kansoku.collect.net`), its addresses.

Every failure is a :class:`FetchFailure` with a one-line reason; ``permanent`` tells a later run whether
asking again could help (HTTP 404, too large, not an article) or not (a timeout, a 503).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib import robotparser
from urllib.parse import urljoin

import httpx

from kansoku.collect.net import AddressPolicy, DnsFailure, Refused, Resolver, make_client
from kansoku.collect.urls import UrlError, check_url, host_key, origin, public_url

__all__ = ["Fetched", "FetchFailure", "Fetcher", "FetchOptions"]

_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MAX_REDIRECTS = 5
_ROBOTS_MAX_BYTES = 512 * 1024

#: content types read as articles (the read stage: HTML, PDF, Word, plain text)
PAGE_TYPES = frozenset({
    "text/html", "application/xhtml+xml", "application/pdf", "application/x-pdf", "text/plain",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
})  # fmt: skip
#: content types read as feeds, sitemaps, OPML or home pages
LISTING_TYPES = frozenset({
    "text/html", "application/xhtml+xml", "text/xml", "application/xml", "application/rss+xml",
    "application/atom+xml", "application/rdf+xml", "application/feed+json", "application/json", "text/plain",
    "application/x-gzip", "application/gzip", "text/x-opml", "application/x-opml+xml", "text/x-opml+xml",
    "application/octet-stream",
})  # fmt: skip
#: sniffed by content when the server does not say (or says nothing useful)
_UNTYPED = frozenset({"", "application/octet-stream", "binary/octet-stream", "application/unknown"})


class FetchFailure(Exception):
    """A URL that could not be fetched: ``reason`` is one line; ``permanent`` when retrying later is useless."""

    def __init__(self, reason: str, permanent: bool = False, status: int | None = None, kind: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.status = status
        self.kind = kind  # "dns" | "refused" for failures that are the host's, not the request's


@dataclass(slots=True)
class FetchOptions:
    user_agent: str = "kansoku"
    delay: float = 1.0
    concurrency: int = 2
    timeout: float = 30.0
    retries: int = 2
    backoff: float = 1.0
    max_retry_after: float = 120.0
    max_bytes: int = 10 * 1024 * 1024
    ignore_robots: bool = False
    allow_private: bool | tuple[str, ...] = False
    resolve: Resolver | None = None


@dataclass(slots=True)
class Fetched:
    """One response: ``url`` as requested, ``final_url`` after redirects; ``content`` is empty for a 304."""

    url: str
    final_url: str
    status: int
    content_type: str
    charset: str | None
    content: bytes
    etag: str | None
    last_modified: str | None
    fetched_at: str
    redirects: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Robots:
    parser: robotparser.RobotFileParser | None  # None: no rules (allow all)
    deny_all: str | None = None  # reason when everything is denied
    text: str = ""
    lasting: bool = False  # deny_all will hold on the next run too (an address refused by the policy)


class _HostGate:
    """Per-host politeness shared by the fetch threads.

    With a delay, requests to a host go one at a time and each starts at least ``delay`` seconds after the
    previous one ended (so the server sees them at least that far apart); with no delay, up to
    ``concurrency`` are in flight at once. A Retry-After holds every request to the host back."""

    def __init__(self, concurrency: int) -> None:
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}
        self._sems: dict[str, tuple[threading.BoundedSemaphore, threading.BoundedSemaphore]] = {}
        self._concurrency = max(1, concurrency)

    def enter(self, host: str, delay: float) -> None:
        with self._lock:
            sems = self._sems.setdefault(
                host, (threading.BoundedSemaphore(self._concurrency), threading.BoundedSemaphore(1))
            )
        sems[0].acquire()
        if delay > 0:
            sems[1].acquire()
        while True:
            with self._lock:
                wait = self._next.get(host, 0.0) - time.monotonic()
            if wait <= 0:
                return
            time.sleep(wait)

    def leave(self, host: str, delay: float) -> None:
        with self._lock:
            if delay > 0:
                self._next[host] = max(self._next.get(host, 0.0), time.monotonic() + delay)
            sems = self._sems[host]
        if delay > 0:
            sems[1].release()
        sems[0].release()

    def hold(self, host: str, seconds: float) -> None:
        """No request to HOST starts before SECONDS from now (a Retry-After)."""
        with self._lock:
            self._next[host] = max(self._next.get(host, 0.0), time.monotonic() + seconds)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _media_type(value: str | None) -> tuple[str, str | None]:
    if not value:
        return "", None
    parts = [p.strip() for p in value.split(";")]
    charset = None
    for p in parts[1:]:
        k, _, v = p.partition("=")
        if k.strip().lower() == "charset" and v.strip():
            charset = v.strip().strip("\"'")
    return parts[0].lower(), charset


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _mb(n: float) -> str:
    return f"{n / 1024**2:.1f} MB" if n >= 1024**2 else f"{n / 1024:.0f} kB"


class Fetcher:
    """Fetch URLs politely (see the module docstring); thread-safe; close it when done."""

    def __init__(self, options: FetchOptions, on_request: Callable[[str], None] | None = None) -> None:
        self.opts = options
        allow = options.allow_private
        self.policy = AddressPolicy(allow if isinstance(allow, bool) else tuple(allow))
        self.client = make_client(
            user_agent=options.user_agent,
            timeout=options.timeout,
            policy=self.policy,
            resolve=options.resolve,
            max_connections=max(4, options.concurrency * 2),
        )
        self.agent = options.user_agent.split("/", 1)[0].split()[0] if options.user_agent.strip() else "*"
        self.gate = _HostGate(options.concurrency)
        self._robots: dict[str, _Robots] = {}
        self._robots_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()
        self.requests = 0
        self.on_request = on_request

    def close(self) -> None:
        self.client.close()

    # ------------------------------------------------------------------------------------------- robots
    def robots(self, url: str) -> _Robots:
        """The robots.txt rules of URL's origin, fetched once per run."""
        key = origin(url)
        with self._lock:
            lock = self._robots_locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._robots:
                self._robots[key] = self._fetch_robots(key)
            return self._robots[key]

    def _fetch_robots(self, base: str) -> _Robots:
        try:
            got = self._get(base + "/robots.txt", None, None, kind="robots", check_robots=False)
        except FetchFailure as f:
            if f.status is not None and 400 <= f.status < 500 and f.status not in (401, 403, 429):
                return _Robots(None)
            if f.kind in ("dns", "refused"):  # the page would fail the same way: say why
                return _Robots(None, deny_all=f.reason, lasting=f.permanent)
            return _Robots(None, deny_all=f"robots.txt could not be read ({f.reason}), so nothing is fetched there")
        text = got.content.decode("utf-8", errors="replace")
        parser = robotparser.RobotFileParser(base + "/robots.txt")
        parser.parse(text.splitlines())
        parser.modified()
        return _Robots(parser, text=text)

    def _robots_problem(self, url: str) -> tuple[str, bool] | None:
        """Why robots.txt forbids URL and whether that lasts (a rule) or may pass (robots.txt unreachable)."""
        if self.opts.ignore_robots:
            return None
        rules = self.robots(url)
        if rules.deny_all:
            return rules.deny_all, rules.lasting
        if rules.parser is not None and not rules.parser.can_fetch(self.agent, url):
            return "denied by robots.txt", True
        return None

    def _delay(self, url: str) -> float:
        delay = self.opts.delay
        if not self.opts.ignore_robots:
            rules = self._robots.get(origin(url))
            if rules is not None and rules.parser is not None:
                crawl = rules.parser.crawl_delay(self.agent)
                if crawl:
                    delay = max(delay, min(float(crawl), 60.0))
        return delay

    # -------------------------------------------------------------------------------------------- fetch
    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        kind: str = "page",
    ) -> Fetched:
        """GET URL (``kind``: page | listing); a 304 when ETAG/LAST_MODIFIED still hold. Raises FetchFailure."""
        return self._get(url, etag, last_modified, kind=kind, check_robots=True)

    def _get(self, url: str, etag: str | None, last_modified: str | None, *, kind: str,
             check_robots: bool) -> Fetched:
        try:
            current = check_url(url)
        except UrlError as exc:
            raise FetchFailure(str(exc), permanent=True) from None
        hops: list[str] = []
        while True:
            try:
                if check_robots and (problem := self._robots_problem(current)):
                    reason, lasting = problem
                    raise FetchFailure(reason, permanent=lasting)
                response = self._send(current, etag, last_modified, kind)
            except FetchFailure as f:
                if hops:  # say where the redirect led
                    f.reason = f"redirected to {public_url(current)}: {f.reason}"
                    f.args = (f.reason,)
                raise
            if isinstance(response, str):  # a redirect: the next hop
                hops.append(current)
                if len(hops) > _MAX_REDIRECTS:
                    raise FetchFailure(f"too many redirects (more than {_MAX_REDIRECTS})", permanent=True)
                try:
                    current = check_url(response)
                except UrlError as exc:
                    raise FetchFailure(f"redirected to an unusable URL: {exc}", permanent=True) from None
                continue
            response.url = url
            response.redirects = [public_url(h) for h in hops]
            return response

    def _send(self, url: str, etag: str | None, last_modified: str | None, kind: str) -> Fetched | str:
        """One hop, with retries: a Fetched, or the absolute URL a redirect points to."""
        host = host_key(url)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempt = 0
        while True:
            wait: float | None = None
            delay = self._delay(url) if kind != "robots" else self.opts.delay
            self.gate.enter(host, delay)
            try:
                with self._lock:
                    self.requests += 1
                if self.on_request:
                    self.on_request(url)
                result = self._once(url, headers, kind)
            except _Transient as t:
                if attempt >= self.opts.retries:
                    raise FetchFailure(t.reason, status=t.status) from None
                wait = t.wait if t.wait is not None else self.opts.backoff * (2**attempt)
                if t.wait is not None and t.wait > self.opts.max_retry_after:
                    raise FetchFailure(
                        f"{t.reason}, asked to retry after {t.wait:.0f} s (more than {self.opts.max_retry_after:.0f})",
                        status=t.status,
                    ) from None
                if t.wait is not None:
                    self.gate.hold(host, t.wait)
            finally:
                self.gate.leave(host, delay)
            if wait is None:
                return result
            attempt += 1
            time.sleep(wait)

    def _once(self, url: str, headers: dict[str, str], kind: str) -> Fetched | str:
        deadline = time.monotonic() + self.opts.timeout
        try:
            request = self.client.build_request("GET", url, headers=headers)
            response = self.client.send(request, stream=True)
        except Refused as exc:
            raise FetchFailure(str(exc), permanent=True, kind="refused") from None
        except DnsFailure as exc:
            raise FetchFailure(str(exc), kind="dns") from None
        except httpx.TimeoutException:
            raise _Transient(f"timed out after {self.opts.timeout:g} s") from None
        except httpx.ConnectError as exc:
            raise _Transient(f"cannot connect ({_short(exc)})") from None
        except httpx.HTTPError as exc:
            raise _Transient(f"{type(exc).__name__} ({_short(exc)})") from None
        try:
            return self._read(url, response, kind, deadline)
        finally:
            response.close()

    def _read(self, url: str, response: httpx.Response, kind: str, deadline: float) -> Fetched | str:
        status = response.status_code
        if status in _REDIRECTS:
            location = response.headers.get("location")
            if not location:
                raise FetchFailure(f"HTTP {status} without a Location header", permanent=True, status=status)
            return urljoin(url, location.strip())
        if status in _RETRY_STATUS:
            raise _Transient(_http_reason(response), status, retry_after(response.headers.get("retry-after")))
        if status == 304:
            return self._fetched(url, response, b"")
        if status != 200:
            permanent = 400 <= status < 500 and status not in (408, 425)
            raise FetchFailure(_http_reason(response), permanent=permanent, status=status)
        ctype, _ = _media_type(response.headers.get("content-type"))
        if kind == "page" and ctype not in PAGE_TYPES and ctype not in _UNTYPED:
            raise FetchFailure(f"not an article (content type {ctype})", permanent=True, status=status)
        if kind == "listing" and ctype not in LISTING_TYPES | PAGE_TYPES and ctype not in _UNTYPED \
                and not ctype.endswith("+xml"):
            raise FetchFailure(f"not a feed, sitemap or web page (content type {ctype})", permanent=True,
                               status=status)
        limit = _ROBOTS_MAX_BYTES if kind == "robots" else self.opts.max_bytes
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > limit and kind != "robots":
            raise FetchFailure(f"too large ({_mb(int(length))}, over the {_mb(limit)} limit)", permanent=True,
                               status=status)
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    if kind == "robots":  # RFC 9309: parse at least the first 500 kB
                        chunks.append(chunk[: len(chunk) - (size - limit)])
                        break
                    raise FetchFailure(f"too large (over the {_mb(limit)} limit)", permanent=True, status=status)
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise _Transient(f"timed out after {self.opts.timeout:g} s (body still arriving)")
        except httpx.TimeoutException:
            raise _Transient(f"timed out after {self.opts.timeout:g} s") from None
        except httpx.DecodingError as exc:
            raise FetchFailure(f"cannot decode the response ({_short(exc)})", status=status) from None
        except httpx.HTTPError as exc:
            raise _Transient(f"connection broke off ({_short(exc)})") from None
        return self._fetched(url, response, b"".join(chunks))

    def _fetched(self, url: str, response: httpx.Response, content: bytes) -> Fetched:
        ctype, charset = _media_type(response.headers.get("content-type"))
        return Fetched(
            url=url,
            final_url=url,
            status=response.status_code,
            content_type=ctype,
            charset=charset,
            content=content,
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
            fetched_at=_now(),
        )


class _Transient(Exception):
    """A failure worth retrying (within this run): 429/5xx, a timeout, a refused connection."""

    def __init__(self, reason: str, status: int | None = None, wait: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.wait = wait


def _http_reason(response: httpx.Response) -> str:
    phrase = response.reason_phrase or ""
    return f"HTTP {response.status_code}" + (f" {phrase}" if phrase else "")


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:120]

