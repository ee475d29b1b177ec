"""Politeness and limits, proven from the server's side: robots.txt, delay, concurrency, retries, timeouts,
size and content-type limits."""

from __future__ import annotations

from pathlib import Path

from collect_helpers import article_html, opts, rss
from collect_server import LocalServer

from kansoku.collect import Event, collect


def run(server, paths: list[str], tmp_path: Path, **kw):
    server.add("/feed.xml", rss(server.url, paths), content_type="application/rss+xml")
    events: list[Event] = []
    stats = collect([server.url + "/feed.xml"], tmp_path / "k.db", opts(**kw), events.append)
    return stats, [(e.url.removeprefix(server.url), e.detail) for e in events if e.kind == "failed"]


def test_robots_denied_paths_are_never_requested(server, tmp_path: Path) -> None:
    server.add("/news/1.html", article_html(1))
    server.add("/private/2.html", article_html(2))
    server.add("/go/private", status=302, headers={"Location": "/private/2.html"}, etag=False)
    stats, failed = run(server, ["/news/1.html", "/private/2.html", "/go/private"], tmp_path)
    assert server.hits(prefix="/private/") == []
    assert failed == [("/private/2.html", "denied by robots.txt"),
                      ("/go/private", f"redirected to {server.url}/private/2.html: denied by robots.txt")]
    assert stats.added == 1 and len(server.hits("/robots.txt")) == 1  # read once per run
    # --ignore-robots: fetched, and robots.txt is not even asked for
    server.clear()
    (tmp_path / "x").mkdir()
    stats, failed = run(server, ["/private/2.html"], tmp_path / "x", ignore_robots=True)
    assert failed == [] and stats.added == 1
    assert server.hits("/robots.txt") == [] and len(server.hits("/private/2.html")) == 1


def test_robots_crawl_delay_and_unreachable_robots(tmp_path: Path) -> None:
    with LocalServer() as s:
        s.add("/robots.txt", "User-agent: kansoku\nCrawl-delay: 1\nDisallow:\n", content_type="text/plain")
        for i in range(2):
            s.add(f"/n/{i}.html", article_html(i))
        stats, failed = run(s, [f"/n/{i}.html" for i in range(2)], tmp_path, concurrency=3)
        times = [h.t for h in s.log if h.path != "/robots.txt"]  # the feed, then the two pages
        assert failed == [] and stats.added == 2 and len(times) == 3
        assert min(b - a for a, b in zip(times, times[1:], strict=False)) >= 0.98
    with LocalServer() as s:
        s.add("/robots.txt", script=[(503, {})] * 5)
        s.add("/n/1.html", article_html(1))
        s.add("/feed.xml", rss(s.url, ["/n/1.html"]))
        stats = collect([s.url + "/feed.xml"], tmp_path / "k2.db", opts(retries=1))
        assert stats.failures == [f"{s.url}/feed.xml: robots.txt could not be read (HTTP 503 Service Unavailable), "
                                  "so nothing is fetched there"]  # fmt: skip
        assert [h.path for h in s.log] == ["/robots.txt", "/robots.txt"]
        s.clear()
        s.add("/robots.txt", "User-agent: *\nDisallow:\n", content_type="text/plain")
        stats = collect([s.url + "/feed.xml"], tmp_path / "k2.db", opts(retries=1))
        assert stats.added == 1 and [h.path for h in s.log] == ["/robots.txt", "/feed.xml", "/n/1.html"]


def test_per_host_delay(tmp_path: Path) -> None:
    hosts = {"a.test": ["127.0.0.1"], "b.test": ["127.0.0.1"]}
    with LocalServer() as s:
        s.add("/robots.txt", "User-agent: *\nDisallow:\n", content_type="text/plain")
        for i in range(4):
            s.add(f"/n/{i}.html", article_html(i))
        port = s.port
        links = "".join(
            f"<item><title>{h}{i}</title><link>http://{h}:{port}/n/{i}.html</link></item>"
            for i in range(4) for h in ("a.test", "b.test")
        )  # fmt: skip
        s.add("/feed.xml", f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{links}</channel></rss>',
              content_type="application/rss+xml")
        stats = collect([f"http://a.test:{port}/feed.xml"], tmp_path / "k.db",
                        opts(delay=0.4, concurrency=4, resolve=lambda h, p: hosts[h]))
        assert stats.added == 4 and stats.duplicates == 4  # b.test serves the same bytes
        for host in hosts:
            times = sorted(h.t for h in s.log if h.host == host)
            assert len(times) >= 5  # robots.txt + pages (+ the feed on a.test)
            gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
            assert min(gaps) >= 0.4, (host, gaps)  # one at a time, each 0.4 s after the previous ended
        # the two hosts are not held back by each other
        a = sorted(h.t for h in s.log if h.host == "a.test")
        b = sorted(h.t for h in s.log if h.host == "b.test")
        assert min(abs(x - y) for x in a for y in b) < 0.2


def test_concurrency_limit(tmp_path: Path) -> None:
    for width in (1, 3):
        with LocalServer() as s:
            s.add("/robots.txt", "User-agent: *\nDisallow:\n", content_type="text/plain")
            for i in range(6):
                s.add(f"/n/{i}.html", article_html(i), delay=0.25)
            stats, _ = run(s, [f"/n/{i}.html" for i in range(6)], tmp_path / str(width), concurrency=width)
            assert stats.added == 6
            assert s.max_in_flight["127.0.0.1"] == width


def test_retries_honour_retry_after(server, tmp_path: Path) -> None:
    server.add("/n/1.html", article_html(1), script=[(429, {"Retry-After": "1"})])
    server.add("/n/2.html", article_html(2), script=[(500, {}), (503, {})])
    server.add("/n/3.html", article_html(3), script=[(503, {"Retry-After": "3600"})])
    server.add("/n/4.html", article_html(4), script=[(502, {})] * 3)
    stats, failed = run(server, [f"/n/{i}.html" for i in range(1, 5)], tmp_path, retries=2, backoff=0.1)
    first, second = server.hits("/n/1.html")
    assert (first.status, second.status) == (429, 200)
    assert second.t - first.t >= 0.99  # waited as asked
    assert [h.status for h in server.hits("/n/2.html")] == [500, 503, 200]
    h2 = server.hits("/n/2.html")
    assert h2[1].t - h2[0].t >= 0.1 and h2[2].t - h2[1].t >= 0.2  # exponential back-off
    assert [h.status for h in server.hits("/n/3.html")] == [503]  # too long a wait: given up at once
    assert [h.status for h in server.hits("/n/4.html")] == [502, 502, 502]
    assert failed == [
        ("/n/3.html", "HTTP 503 Service Unavailable, asked to retry after 3600 s (more than 120)"),
        ("/n/4.html", "HTTP 502 Bad Gateway"),
    ]
    assert stats.added == 2 and stats.failed == 2


def test_timeout(server, tmp_path: Path) -> None:
    server.add("/slow.html", article_html(1), delay=1.5)
    server.add("/n/2.html", article_html(2))
    stats, failed = run(server, ["/slow.html", "/n/2.html"], tmp_path, timeout=0.4, retries=1)
    assert failed == [("/slow.html", "timed out after 0.4 s")]
    assert len(server.hits("/slow.html")) == 2 and stats.added == 1  # one retry, then the run went on


def test_oversize_and_non_article_content_refused_with_one_line(server, tmp_path: Path) -> None:
    server.add("/huge.html", stream_size=3 * 1024 * 1024)
    server.add("/huge-nolength.html", stream_size=3 * 1024 * 1024, send_length=False)
    server.add("/photo.jpg", b"\xff\xd8\xff\xe0" + bytes(2000), content_type="image/jpeg")
    server.add("/blob", b"PK\x03\x04" + bytes(500), content_type="application/zip")
    server.add("/untyped", bytes(range(256)) * 4, content_type="application/octet-stream")
    server.add("/empty.html", "<html><body></body></html>")
    server.add("/n/1.html", article_html(1))
    paths = ["/huge.html", "/huge-nolength.html", "/photo.jpg", "/blob", "/untyped", "/empty.html", "/n/1.html"]
    stats, failed = run(server, paths, tmp_path, max_bytes=1024 * 1024)
    assert failed == [
        ("/huge.html", "too large (3.0 MB, over the 1.0 MB limit)"),
        ("/huge-nolength.html", "too large (over the 1.0 MB limit)"),
        ("/photo.jpg", "not an article (content type image/jpeg)"),
        ("/blob", "not an article (content type application/zip)"),
        ("/untyped", failed[4][1]),
        ("/empty.html", "no article text found in HTML"),
    ]
    assert failed[4][1].startswith("not an article: binary data")
    assert stats.added == 1 and stats.failed == 6
    # permanent failures are remembered: the next run does not ask again
    server.clear()
    stats = collect([server.url + "/feed.xml"], tmp_path / "k.db", opts(max_bytes=1024 * 1024))
    assert [h.path for h in server.log] == ["/robots.txt", "/feed.xml"] and stats.failed == 0


def test_http_errors_and_dns(server, tmp_path: Path) -> None:
    server.add("/gone.html", status=410, etag=False)
    server.add("/loop", status=302, headers={"Location": "/loop"}, etag=False)
    feed = rss(server.url, ["/missing.html", "/gone.html", "/loop"]).replace(
        "</channel>", "<item><title>x</title><link>http://nx.test/a.html</link></item></channel>")
    server.add("/feed.xml", feed, content_type="application/rss+xml")

    def resolve(host: str, port: int) -> list[str]:
        if host == "nx.test":
            from kansoku.collect.net import DnsFailure

            raise DnsFailure("DNS lookup failed for nx.test (Name or service not known)")
        return ["127.0.0.1"]

    events: list[Event] = []
    stats = collect([server.url + "/feed.xml"], tmp_path / "k.db", opts(resolve=resolve), events.append)
    failed = [(e.url.removeprefix(server.url), e.detail) for e in events if e.kind == "failed"]
    assert failed == [
        ("/missing.html", "HTTP 404 Not Found"),
        ("/gone.html", "HTTP 410 Gone"),
        ("/loop", "too many redirects (more than 5)"),
        ("http://nx.test/a.html", "DNS lookup failed for nx.test (Name or service not known)"),
    ]
    assert stats.failed == 4 and len(server.hits("/loop")) == 6
