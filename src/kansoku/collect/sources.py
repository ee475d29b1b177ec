"""What a SOURCE lists: the article URLs of feeds, sitemaps, OPML files, URL lists and home pages.

Parsing only; nothing here fetches (the run does, through the polite fetcher). Helpers used:

- RSS/Atom items with their dates: feedparser (as the read stage's ``read/feed.py``); JSON Feed links:
  ``trafilatura.feeds.find_links``;
- feed discovery on a home page: ``trafilatura.feeds.determine_feed`` (``<link rel=alternate>``, then
  feed-like ``<a href>``);
- ``Sitemap:`` lines of robots.txt: ``trafilatura.sitemaps.extract_robots_sitemaps``; plain-text sitemaps:
  ``trafilatura.sitemaps.SitemapObject``;
- XML sitemaps and sitemap indexes: a short lxml pass here, because trafilatura's drops ``<lastmod>`` (needed
  for incremental runs and ``--since``) and tells an index from a URL set by the URL's suffix.

XML is parsed without entity expansion or network access; gzip-compressed sitemaps are inflated up to the
size limit.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from lxml import etree

from kansoku.collect.urls import join
from kansoku.read.errors import ReadFailure
from kansoku.read.feed import xml_root
from kansoku.read.html import iso_datetime

__all__ = ["Item", "discover_feeds", "feed_items", "kind_of", "opml_feeds", "sitemap_entries", "url_list"]

_FEED_ROOTS = frozenset({"rss", "feed", "rdf:rdf", "rdf"})
_MAX_ITEMS = 50_000  # per listing (the sitemap protocol's limit)


@dataclass(slots=True)
class Item:
    """One article URL as a listing gave it."""

    url: str  # absolute, as listed (may carry credentials; only its public form is stored)
    feed: str | None  # public URL (or file name) of the listing; None for a URL given directly
    date: str | None = None  # ISO 8601: the item's update or publication time in the listing


def gunzip(data: bytes, limit: int) -> bytes:
    """Inflate gzip DATA (a ``sitemap.xml.gz``); refuse more than LIMIT bytes of output."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as exc:
        raise ReadFailure(f"damaged gzip data ({exc})") from None
    if len(out) > limit or inflater.unconsumed_tail:
        raise ReadFailure(f"too large once decompressed (over {limit // 1024**2} MB)")
    return out


def kind_of(data: bytes, content_type: str = "") -> str:
    """``feed``, ``sitemap``, ``sitemapindex``, ``opml``, ``jsonfeed``, ``html``, ``text`` or ``unknown``."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return "jsonfeed"
    root = xml_root(data)
    if root is not None:
        local = root.rsplit(":", 1)[-1] if root not in _FEED_ROOTS else root
        if root in _FEED_ROOTS:
            return "feed"
        if local in ("urlset", "sitemapindex", "opml", "html"):
            return "sitemap" if local == "urlset" else local
    if content_type in ("text/html", "application/xhtml+xml") or b"<html" in head.lower():
        return "html"
    text = head.decode("utf-8", errors="replace").strip()
    if text.startswith(("http://", "https://")):
        return "text"
    return "unknown"


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _iso(value: str | None) -> str | None:
    if not value or not value.strip():
        return None
    return iso_datetime(value.strip())


def sitemap_entries(data: bytes, base: str, feed: str) -> tuple[list[Item], list[Item]]:
    """(pages, child sitemaps) of an XML sitemap or sitemap index, each with its ``lastmod``."""
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise ReadFailure(f"not a valid XML sitemap ({exc})") from None
    if root is None:
        raise ReadFailure("not a valid XML sitemap (empty)")
    pages: list[Item] = []
    children: list[Item] = []
    index = _local(root.tag) == "sitemapindex"
    for entry in root:
        name = _local(entry.tag)
        if name not in ("url", "sitemap"):
            continue
        loc = date = None
        for child in entry.iter():
            cname = _local(child.tag)
            if cname == "loc" and child.text and loc is None:
                loc = child.text.strip()
            elif cname == "lastmod" and child.text:
                date = _iso(child.text) or date
            elif cname == "publication_date" and child.text and date is None:
                date = _iso(child.text)
        if not loc or not loc.startswith(("http://", "https://", "/")):
            continue
        item = Item(join(base, loc), feed, date)
        (children if index or name == "sitemap" else pages).append(item)
        if len(pages) + len(children) >= _MAX_ITEMS:
            break
    return pages, children


def text_sitemap(text: str, base: str, feed: str) -> list[Item]:
    """A plain-text sitemap (one URL a line), through trafilatura's sitemap reader."""
    from courlan import get_hostinfo
    from trafilatura.sitemaps import SitemapObject

    domain, baseurl = get_hostinfo(base)
    sitemap = SitemapObject(baseurl or base, domain or "", [], external=True)
    sitemap.current_url = base
    sitemap.content = text
    sitemap.process()
    return [Item(u, feed) for u in dict.fromkeys(sitemap.urls + sitemap.sitemap_urls)][:_MAX_ITEMS]


def feed_items(data: bytes, base: str, feed: str) -> list[Item]:
    """The items of an RSS/Atom feed (link and date) or of a JSON Feed (link)."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return _json_feed(data, base, feed)
    import feedparser

    parsed = feedparser.parse(data)
    entries = parsed.get("entries") or []
    if not entries and parsed.get("bozo") and not parsed.get("version"):
        raise ReadFailure(f"not a valid RSS/Atom feed ({parsed.get('bozo_exception')})")
    out: list[Item] = []
    for entry in entries[:_MAX_ITEMS]:
        link = entry.get("link") or ""
        if not link:
            ident = entry.get("id") or ""
            link = ident if ident.startswith(("http://", "https://")) else ""
        if not link:
            continue
        out.append(Item(join(base, link), feed, _entry_date(entry)))
    return out


def _entry_date(entry: dict) -> str | None:
    for key in ("updated", "published", "created"):
        # dict.get: feedparser's own get() maps a missing "updated" to "published" with a warning
        parsed = dict.get(entry, f"{key}_parsed")
        if parsed:
            try:
                return datetime(*parsed[:6], tzinfo=UTC).isoformat()
            except (TypeError, ValueError):
                continue
        if isinstance(value := dict.get(entry, key), str) and (iso := _iso(value)):
            return iso
    return None


def _json_feed(data: bytes, base: str, feed: str) -> list[Item]:
    from trafilatura.feeds import FeedParameters, find_links

    try:
        text = data.decode("utf-8-sig")
        doc = json.loads(text)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ReadFailure(f"not a valid JSON Feed ({exc})") from None
    host = urlsplit(base).hostname or ""
    links = find_links(text, FeedParameters(base, host, base, external=True))
    dates: dict[str, str | None] = {}
    for item in doc.get("items", []) if isinstance(doc, dict) else []:
        if isinstance(item, dict):
            url = item.get("url") or item.get("id")
            if isinstance(url, str):
                dates[url] = _iso(item.get("date_modified") or item.get("date_published"))
    return [Item(join(base, u), feed, dates.get(u)) for u in links[:_MAX_ITEMS]]


def opml_feeds(data: bytes, base: str | None = None) -> list[str]:
    """The feed URLs (``xmlUrl``) of an OPML subscription list, nested outlines included."""
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise ReadFailure(f"not a valid OPML file ({exc})") from None
    if root is None or _local(root.tag) != "opml":
        raise ReadFailure("not an OPML file")
    out: list[str] = []
    for el in root.iter():
        if _local(el.tag) != "outline":
            continue
        for attr, value in el.attrib.items():
            if attr.lower() == "xmlurl" and value.strip():
                out.append(join(base, value) if base else value.strip())
    return list(dict.fromkeys(out))


def url_list(text: str) -> list[str]:
    """URLs of a plain list: one a line; blank lines and lines starting with ``#`` are skipped."""
    out = []
    for line in text.splitlines():
        line = line.strip().lstrip("\ufeff")
        if line and not line.startswith("#"):
            out.append(line.split()[0])
    return list(dict.fromkeys(out))


def discover_feeds(html: str, base: str) -> list[str]:
    """Feed URLs a home page links to (``<link rel=alternate type=application/rss+xml>`` …)."""
    from trafilatura.feeds import FeedParameters, determine_feed

    host = urlsplit(base).hostname or ""
    return determine_feed(html, FeedParameters(base, host, base, external=True))


def robots_sitemaps(robots_text: str, base: str) -> list[str]:
    """``Sitemap:`` URLs of a robots.txt."""
    from trafilatura.sitemaps import extract_robots_sitemaps

    return extract_robots_sitemaps(robots_text, base) if robots_text else []


def is_article_page(html: str) -> bool:
    """True when a page says it is one article (JSON-LD article type or ``og:type`` article)."""
    import lxml.html

    from kansoku.read.pagemeta import page_candidates

    try:
        tree = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return False
    for meta in tree.iter("meta"):
        if (meta.get("property") or meta.get("name") or "").lower() == "og:type" and (
            meta.get("content") or ""
        ).strip().lower() == "article":
            return True
    return any(c.origin == "jsonld" and c.field in ("title", "published") for c in page_candidates(tree))
