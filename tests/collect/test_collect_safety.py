"""Safety: private addresses refused (redirects included), no credentials stored, archive names are hashes."""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import zlib
from pathlib import Path

from collect_helpers import article_html, opts, rss
from collect_server import LocalServer

from kansoku.collect import Event, collect


def failures(events: list[Event]) -> list[tuple[str, str]]:
    return [(e.url, e.detail) for e in events if e.kind == "failed"]


def test_private_address_refused_without_the_flag(server, tmp_path: Path) -> None:
    server.add("/n/1.html", article_html(1))
    server.add("/feed.xml", rss(server.url, ["/n/1.html"]), content_type="application/rss+xml")
    events: list[Event] = []
    stats = collect([server.url + "/feed.xml", f"http://localhost:{server.port}/feed.xml"], tmp_path / "k.db",
                    opts(allow_private=False), events.append)
    assert server.log == []  # not a single request reached the server, robots.txt included
    url = server.url.removeprefix("http://")
    assert failures(events) == [
        (f"{server.url}/feed.xml",
         f"refused: {url.split(':')[0]} is a loopback address; pass --allow-private to fetch from it"),
        (f"http://localhost:{server.port}/feed.xml",
         failures(events)[1][1]),
    ]  # fmt: skip
    assert re.fullmatch(r"refused: localhost resolves to (127\.0\.0\.1|::1), a loopback address; "
                        r"pass --allow-private to fetch from it", failures(events)[1][1])
    assert stats.failed == 2 and stats.added == 0


def test_host_with_one_private_answer_is_refused_before_connecting(tmp_path: Path) -> None:
    events: list[Event] = []
    collect(["http://mixed.test/feed.xml"], tmp_path / "k.db",
            opts(allow_private=False, resolve=lambda h, p: ["8.8.8.8", "10.0.0.7"]), events.append)
    assert failures(events) == [("http://mixed.test/feed.xml", "refused: mixed.test resolves to 10.0.0.7, a private "
                                 "address; pass --allow-private to fetch from it")]  # fmt: skip


def test_ssrf_through_redirects_is_refused(tmp_path: Path) -> None:
    # the first server counts as public for this test (allowed by network); the targets do not
    with LocalServer("127.0.0.1") as s, LocalServer("127.0.0.2") as inner:
        s.add("/robots.txt", "User-agent: *\nDisallow:\n", content_type="text/plain")
        inner.add("/admin", "<html><body><p>内部の管理画面</p></body></html>")
        s.add("/r/metadata", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}, etag=False)
        s.add("/r/inner", status=301, headers={"Location": f"{inner.url}/admin"}, etag=False)
        s.add("/r/v6", status=307, headers={"Location": f"http://[::1]:{inner.port}/admin"}, etag=False)
        s.add("/r/ula", status=308, headers={"Location": "http://[fd00::1]/"}, etag=False)
        s.add("/r/file", status=302, headers={"Location": "file:///etc/passwd"}, etag=False)
        s.add("/r/name", status=302, headers={"Location": f"http://intranet.test:{inner.port}/admin"}, etag=False)
        paths = ["/r/metadata", "/r/inner", "/r/v6", "/r/ula", "/r/file", "/r/name"]
        s.add("/feed.xml", rss(s.url, paths), content_type="application/rss+xml")
        events: list[Event] = []

        def resolve(host: str, port: int) -> list[str]:
            return ["127.0.0.2"] if host == "intranet.test" else [host]

        stats = collect([s.url + "/feed.xml"], tmp_path / "k.db",
                        opts(allow_private=("127.0.0.1/32",), resolve=resolve), events.append)
        assert inner.log == []  # the private server was never reached, not even for robots.txt
        hint = "; pass --allow-private to fetch from it"
        assert failures(events) == [
            (s.url + "/r/metadata", "redirected to http://169.254.169.254/latest/meta-data/: "
             "refused: 169.254.169.254 is a cloud metadata address" + hint),
            (s.url + "/r/inner", f"redirected to {inner.url}/admin: refused: 127.0.0.2 is a loopback address" + hint),
            (s.url + "/r/v6", f"redirected to http://[::1]:{inner.port}/admin: refused: ::1 is a loopback address"
             + hint),
            (s.url + "/r/ula", "redirected to http://[fd00::1]/: refused: fd00::1 is a private address" + hint),
            (s.url + "/r/file", "redirected to an unusable URL: only http and https URLs are fetched (file:)"),
            (s.url + "/r/name", f"redirected to http://intranet.test:{inner.port}/admin: "
             "refused: intranet.test resolves to 127.0.0.2, a loopback address" + hint),
        ]  # fmt: skip
        # the same with robots.txt ignored: the refusal then comes from the connection itself
        events.clear()
        collect([s.url + "/feed.xml"], tmp_path / "k1.db",
                opts(allow_private=("127.0.0.1/32",), resolve=resolve, ignore_robots=True), events.append)
        assert [d for _, d in failures(events)][:2] == [
            "redirected to http://169.254.169.254/latest/meta-data/: "
            "refused: 169.254.169.254 is a cloud metadata address" + hint,
            f"redirected to {inner.url}/admin: refused: 127.0.0.2 is a loopback address" + hint,
        ]
        assert inner.log == []
        assert stats.failed == 6 and stats.added == 0
        # with --allow-private the redirect is followed (the final URL is recorded)
        inner.add("/robots.txt", "User-agent: *\nDisallow:\n", content_type="text/plain")
        inner.add("/admin", article_html(5))
        s.add("/feed.xml", rss(s.url, ["/r/inner"]), content_type="application/rss+xml")
        stats = collect([s.url + "/feed.xml"], tmp_path / "k2.db", opts(allow_private=True))
        assert stats.added == 1 and [h.path for h in inner.log] == ["/robots.txt", "/admin"]


def test_no_credentials_are_stored_or_printed(server, tmp_path: Path) -> None:
    server.add("/n/1.html?id=1&sig=SIGVALUE", article_html(1))
    feed_path = "/feed.xml?page=1&token=TOKENVALUE"
    server.add(feed_path, rss(server.url, ["/n/1.html?id=1&sig=SIGVALUE", "/n/missing?key=KEYVALUE"]),
               content_type="application/rss+xml")
    source = f"http://reader:PASSVALUE@{server.url.removeprefix('http://')}{feed_path}"
    events: list[Event] = []
    db = tmp_path / "k.db"
    stats = collect([source], db, opts(), events.append)
    assert stats.added == 1
    # the requests carried them (the feed needs its token) ...
    assert server.hits(feed_path) and server.hits(feed_path)[0].headers["authorization"].startswith("Basic ")
    # ... but nothing kansoku keeps or prints does
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    dump = "\n".join(con.iterdump())
    con.close()
    blob = dump + Path(db).read_bytes().decode("latin-1") + repr(events)
    for secret in ("PASSVALUE", "TOKENVALUE", "SIGVALUE", "KEYVALUE", "reader:"):
        assert secret not in blob, secret
    assert f"{server.url}/n/1.html?id=1" in dump and f"{server.url}/feed.xml?page=1" in dump
    assert failures(events) == [(f"{server.url}/n/missing", "HTTP 404 Not Found")]


def test_archive_file_names_are_hashes(server, tmp_path: Path) -> None:
    hostile = "/n/..%2F..%2F..%2Fescape.html"
    server.add(hostile, article_html(1))
    server.add("/n/2.html", article_html(2))
    server.add("/feed.xml", rss(server.url, [hostile, "/n/2.html"]), content_type="application/rss+xml")
    work = tmp_path / "work"
    work.mkdir()
    archive = work / "raw"
    before = set(tmp_path.rglob("*"))
    stats = collect([server.url + "/feed.xml"], work / "k.db", opts(archive=archive))
    assert stats.added == 2
    created = {p for p in set(tmp_path.rglob("*")) - before if p.is_file()}
    kept = {p for p in created if archive in p.parents}
    assert {p.name for p in created - kept} <= {"k.db", "k.db-wal", "k.db-shm"}
    assert len(kept) == 2
    for p in kept:
        assert re.fullmatch(r"[0-9a-f]{64}\.z", p.name) and p.parent.name == p.name[:2]
        data = zlib.decompress(p.read_bytes())
        assert hashlib.sha256(data).hexdigest() == p.stem
    con = sqlite3.connect(work / "k.db")
    assert con.execute("SELECT count(*) FROM raw_pages WHERE data IS NULL AND archive = ?",
                       (str(archive.resolve()),)).fetchone()[0] == 2
    con.close()
    assert not any(name.startswith("escape") for _, _, files in os.walk(tmp_path) for name in files)
