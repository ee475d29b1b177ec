"""Pieces of kansoku collect without a server: URL hygiene, the address policy, listings, reading bytes."""

from __future__ import annotations

import gzip
import zlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from collect_helpers import article_html, rss, sitemap, sitemap_index

from kansoku.collect import sources as src
from kansoku.collect.fetch import retry_after
from kansoku.collect.net import AddressPolicy, Refused
from kansoku.collect.urls import UrlError, check_url, public_url
from kansoku.read.errors import ReadFailure
from kansoku.read.web import read_fetched

PAGES = Path(__file__).resolve().parents[1] / "data" / "pages"


# ------------------------------------------------------------------------------------------------ URLs
@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("https://user:pw@News.Example.jp/a?id=3", "https://news.example.jp/a?id=3"),
        ("https://example.jp/a?id=3&token=s3cr3t&sig=ab&key=k", "https://example.jp/a?id=3"),
        ("https://example.jp/a?X-Amz-Signature=ff&X-Amz-Credential=c&page=2", "https://example.jp/a?page=2"),
        ("https://example.jp/a?password=p&api_key=z&my_access_token=t#frag", "https://example.jp/a"),
        ("https://example.jp", "https://example.jp/"),
        ("https://example.jp/記事?id=1", "https://example.jp/記事?id=1"),
    ],
)
def test_public_url_drops_credentials(given: str, stored: str) -> None:
    assert public_url(given) == stored


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.jp/feed", "only http and https URLs are fetched (ftp:)"),
        ("file:///etc/passwd", "only http and https URLs are fetched (file:)"),
        ("javascript:alert(1)", "only http and https URLs are fetched (javascript:)"),
        ("//example.jp/a", "only http and https URLs are fetched (no scheme)"),
        ("http:///nohost", "URL has no host"),
        ("http://example.jp:99999/", "not a valid URL (Port out of range 0-65535)"),
    ],
)
def test_check_url_refuses(url: str, reason: str) -> None:
    with pytest.raises(UrlError) as info:
        check_url(url)
    assert str(info.value) == reason


# --------------------------------------------------------------------------------------- address policy
@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "a loopback address"),
        ("::1", "a loopback address"),
        ("10.1.2.3", "a private address"),
        ("172.16.0.9", "a private address"),
        ("192.168.1.1", "a private address"),
        ("169.254.169.254", "a cloud metadata address"),
        ("fd00:ec2::254", "a cloud metadata address"),
        ("169.254.10.10", "a link-local address"),
        ("fe80::1", "a link-local address"),
        ("fd12:3456::1", "a private address"),
        ("224.0.0.251", "a multicast address"),
        ("ff02::1", "a multicast address"),
        ("0.0.0.0", "an unspecified address"),
        ("100.64.0.1", "a non-public address"),
        ("::ffff:127.0.0.1", "a loopback address (embedded in IPv6)"),
        ("::ffff:10.0.0.1", "a private address (embedded in IPv6)"),
        ("2002:a9fe:a9fe::1", "a cloud metadata address (embedded in IPv6)"),
        ("8.8.8.8", None),
        ("2001:4860:4860::8888", None),
    ],
)
def test_address_policy(address: str, kind: str | None) -> None:
    assert AddressPolicy().problem(address) == kind
    assert AddressPolicy(True).problem(address) is None


def test_address_policy_allowed_networks_and_mixed_answers() -> None:
    policy = AddressPolicy(["127.0.0.1/32"])
    assert policy.problem("127.0.0.1") is None
    assert policy.problem("127.0.0.2") == "a loopback address"
    # one private answer among public ones refuses the host (DNS answers are not trusted piecemeal)
    with pytest.raises(Refused, match=r"refused: news\.test resolves to 10\.0\.0\.1, a private address"):
        AddressPolicy().check("news.test", ["8.8.8.8", "10.0.0.1"])


# -------------------------------------------------------------------------------------------- retry-after
def test_retry_after_seconds_and_http_date() -> None:
    assert retry_after("7") == 7.0
    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= retry_after(soon) <= 30
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    assert retry_after("soon") is None and retry_after(None) is None


# ---------------------------------------------------------------------------------------------- listings
def test_feed_items_with_dates_and_relative_links() -> None:
    data = rss("", ["/a/1.html", "https://other.example/b"], ["Sat, 16 Aug 2025 01:02:03 GMT"]).encode()
    items = src.feed_items(data, "https://news.example.jp/feed.xml", "F")
    assert [i.url for i in items] == ["https://news.example.jp/a/1.html", "https://other.example/b"]
    assert items[0].date == "2025-08-16T01:02:03+00:00" and items[0].feed == "F"


def test_atom_and_json_feeds() -> None:
    atom = (b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
            b'<entry><title>x</title><link href="https://n.example/e1"/><updated>2025-08-10T00:00:00Z</updated>'
            b"<id>urn:1</id></entry></feed>")  # fmt: skip
    assert [(i.url, i.date) for i in src.feed_items(atom, "https://n.example/", "F")] == [
        ("https://n.example/e1", "2025-08-10T00:00:00+00:00")
    ]
    js = (b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "url": "https://n.example/j1",'
          b' "date_modified": "2025-08-11T00:00:00Z"}]}')  # fmt: skip
    assert [(i.url, i.date) for i in src.feed_items(js, "https://n.example/", "F")] == [
        ("https://n.example/j1", "2025-08-11T00:00:00+00:00")
    ]


def test_sitemap_and_index() -> None:
    data = sitemap("https://n.example", ["/a", "/b"], ["2025-08-01", None]).encode()
    pages, children = src.sitemap_entries(data, "https://n.example/sitemap.xml", "S")
    assert [(p.url, p.date) for p in pages] == [("https://n.example/a", "2025-08-01"), ("https://n.example/b", None)]
    assert children == []
    index = sitemap_index("https://n.example", ["/s1.xml", "/s2"], ["2025-08-02T10:00:00+09:00", None]).encode()
    pages, children = src.sitemap_entries(index, "https://n.example/index.xml", "S")
    assert pages == [] and [c.url for c in children] == ["https://n.example/s1.xml", "https://n.example/s2"]
    assert src.kind_of(index) == "sitemapindex" and src.kind_of(data) == "sitemap"
    assert src.gunzip(gzip.compress(data), 1 << 20) == data
    with pytest.raises(ReadFailure, match="too large once decompressed"):
        src.gunzip(gzip.compress(b"x" * 200_000), 100_000)


def test_sitemap_does_not_expand_entities() -> None:
    evil = (b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://n.example/&x;</loc></url>'
            b"</urlset>")  # fmt: skip
    pages, _ = src.sitemap_entries(evil, "https://n.example/", "S")
    assert all("root:" not in p.url for p in pages)


def test_opml_url_list_and_kinds(tmp_path: Path) -> None:
    opml = (b'<?xml version="1.0"?><opml version="2.0"><body><outline text="news">'
            b'<outline text="a" type="rss" xmlUrl="https://a.example/feed"/>'
            b'<outline text="b" type="rss" xmlUrl="https://b.example/rss.xml"/></outline></body></opml>')  # fmt: skip
    assert src.opml_feeds(opml) == ["https://a.example/feed", "https://b.example/rss.xml"]
    assert src.kind_of(opml) == "opml"
    assert src.url_list("# comment\n\nhttps://a.example/1\nhttps://a.example/2  note\nhttps://a.example/1\n") == [
        "https://a.example/1", "https://a.example/2"]  # fmt: skip
    assert src.kind_of(article_html(1).encode()) == "html"
    assert src.kind_of(rss("", ["/a"]).encode()) == "feed"


def test_discover_feeds_on_a_home_page() -> None:
    home = ('<html><head><link rel="alternate" type="application/rss+xml" href="/rss/world.xml">'
            '<link rel="alternate" type="application/atom+xml" href="https://n.example/atom"></head>'
            "<body>トップ</body></html>")  # fmt: skip
    assert sorted(src.discover_feeds(home, "https://n.example/")) == ["https://n.example/atom",
                                                                       "https://n.example/rss/world.xml"]


# -------------------------------------------------------------------------------------------- read bytes
def test_read_fetched_uses_the_read_stage() -> None:
    from kansoku.read.html import read_html_bytes

    page = article_html(3).encode()
    a, b = read_fetched(page, "text/html", "u"), read_html_bytes(page, "u")
    assert (a.text, a.candidates, a.fmt) == (b.text, b.candidates, b.fmt)
    pdf = read_fetched((PAGES / "22_pdf_text.pdf").read_bytes(), "application/pdf", "u")
    docx = read_fetched((PAGES / "20_docx_props.docx").read_bytes(), "application/octet-stream", "u")
    assert (pdf.fmt, docx.fmt) == ("pdf", "docx")
    with pytest.raises(ReadFailure, match=r"not an article \(content type image/png\)"):
        read_fetched(b"\x89PNG\r\n\x1a\n" + bytes(100), "image/png", "u")
    with pytest.raises(ReadFailure, match="not an article"):
        read_fetched(zlib.compress(bytes(range(256)) * 10), "application/octet-stream", "u")
