"""kansoku collect end to end against a local server: what is stored, and what a second run asks for."""

from __future__ import annotations

import json
import sqlite3
import zlib
from pathlib import Path

from collect_helpers import article_html, opts, rss, sitemap, sitemap_index

from kansoku.collect import Event, collect
from kansoku.schema import validate_record

PAGES = Path(__file__).resolve().parents[1] / "data" / "pages"


def records(db: Path) -> dict[str, dict]:
    con = sqlite3.connect(db)
    try:
        return {json.loads(r[0])["source"]: json.loads(r[0]) for r in con.execute("SELECT record_json FROM documents")}
    finally:
        con.close()


def rows(db: Path, sql: str, *args: object) -> list[tuple]:
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def serve_articles(server, n: int, prefix: str = "/news/") -> list[str]:
    paths = [f"{prefix}{i}.html" for i in range(n)]
    for i, p in enumerate(paths):
        server.add(p, article_html(i))
    return paths


def test_feed_articles_are_stored_with_fetch_provenance(server, tmp_path: Path) -> None:
    paths = serve_articles(server, 3)
    server.add("/redir/2", status=301, headers={"Location": "/news/2.html"}, etag=False)
    feed_paths = paths[:2] + ["/redir/2"]
    server.add("/feed.xml", rss(server.url, feed_paths), content_type="application/rss+xml")
    db = tmp_path / "k.db"
    events: list[Event] = []
    stats = collect([server.url + "/feed.xml"], db, opts(), events.append)
    assert (stats.added, stats.failed, stats.fetched) == (3, 0, 3)
    recs = records(db)
    assert sorted(recs) == sorted(server.url + p for p in feed_paths)
    for k, p in enumerate(feed_paths):
        rec = recs[server.url + p]
        fetch = rec["metadata"]["fetch"]
        assert fetch["url"] == server.url + p
        assert fetch["final_url"] == server.url + paths[k]  # after the redirect for /redir/2
        assert fetch["status"] == 200 and fetch["feed"] == server.url + "/feed.xml"
        assert fetch["fetched_at"].endswith("+00:00")
        # the page's own canonical URL is kept as metadata.url; the fetch URL does not replace it
        assert rec["metadata"]["url"] == f"https://news.example.jp/articles/{k:04d}"
        assert rec["metadata"]["field_sources"]["authors"] == "jsonld"  # read like a saved page
        assert validate_record(rec) == []
    assert [e.status for e in events if e.kind == "page"] == ["stored"] * 3
    # the raw bytes are kept, compressed, and are exactly what the server sent
    kept = dict(rows(db, "SELECT source, data FROM raw_pages"))
    assert zlib.decompress(kept[server.url + paths[0]]) == article_html(0).encode()


def test_second_run_fetches_no_unchanged_page(server, tmp_path: Path) -> None:
    paths = serve_articles(server, 4)
    server.add("/feed.xml", rss(server.url, paths), content_type="application/rss+xml")
    db = tmp_path / "k.db"
    assert collect([server.url + "/feed.xml"], db, opts()).added == 4
    assert len(server.hits(prefix="/news/")) == 4
    server.clear()
    stats = collect([server.url + "/feed.xml"], db, opts())
    assert [(h.path, h.status) for h in server.hits("/feed.xml")] == [("/feed.xml", 304)]
    assert server.hits(prefix="/news/") == []  # no page requested at all
    assert (stats.added, stats.updated, stats.known, stats.fetched) == (0, 0, 4, 0)
    # --recheck asks for each page again, conditionally: every answer is a 304
    server.clear()
    stats = collect([server.url + "/feed.xml"], db, opts(recheck=True))
    assert [h.status for h in server.hits(prefix="/news/")] == [304] * 4
    assert all(h.headers.get("if-none-match") for h in server.hits(prefix="/news/"))
    assert (stats.not_modified, stats.added, stats.updated) == (4, 0, 0)
    assert len(records(db)) == 4


def test_feed_without_validators_still_costs_no_page_request(server, tmp_path: Path) -> None:
    paths = serve_articles(server, 2)
    server.add("/feed.xml", rss(server.url, paths), content_type="application/rss+xml", etag=False)
    db = tmp_path / "k.db"
    collect([server.url + "/feed.xml"], db, opts())
    server.clear()
    stats = collect([server.url + "/feed.xml"], db, opts())
    assert [h.status for h in server.hits("/feed.xml")] == [200]
    assert server.hits(prefix="/news/") == [] and stats.known == 2


def test_changed_and_new_items_are_fetched_others_not(server, tmp_path: Path) -> None:
    paths = serve_articles(server, 3)
    old = "Sat, 16 Aug 2025 00:00:00 GMT"
    server.add("/feed.xml", rss(server.url, paths, [old] * 3), content_type="application/rss+xml")
    db = tmp_path / "k.db"
    collect([server.url + "/feed.xml"], db, opts())
    first = records(db)[server.url + paths[0]]
    # the feed dates item 0 after our fetch (a correction) and lists a new item 3
    server.add(paths[0], article_html(0, extra="（訂正：避難者数を修正しました）"))
    server.add("/news/3.html", article_html(3))
    later = "Mon, 01 Jan 2035 00:00:00 GMT"
    server.add("/feed.xml", rss(server.url, [*paths, "/news/3.html"], [later, old, old, old]),
               content_type="application/rss+xml")
    server.clear()
    stats = collect([server.url + "/feed.xml"], db, opts())
    assert sorted(h.path for h in server.hits(prefix="/news/")) == ["/news/0.html", "/news/3.html"]
    assert server.hits(paths[0])[0].headers.get("if-none-match")  # conditional, the page had changed: 200
    assert (stats.added, stats.updated, stats.known) == (1, 1, 2)
    now = records(db)
    assert "訂正" in now[server.url + paths[0]]["text"] and now[server.url + paths[0]]["id"] != first["id"]
    assert len(now) == 4 and rows(db, "SELECT count(*) FROM documents")[0][0] == 4


def test_sitemap_index_since_and_incremental(server, tmp_path: Path) -> None:
    paths = serve_articles(server, 5, "/a/")
    server.add("/sm-old.xml", sitemap(server.url, paths[:2], ["2025-06-01", "2025-06-02"]), content_type="text/xml")
    server.add("/sm-new.xml", sitemap(server.url, paths[2:], ["2025-08-10", "2025-07-20", "2025-08-11T08:00:00+09:00"]),
               content_type="application/xml")  # fmt: skip
    server.add("/sitemap.xml", sitemap_index(server.url, ["/sm-old.xml", "/sm-new.xml"], ["2025-06-02", "2025-08-11"]),
               content_type="application/xml")  # fmt: skip
    db = tmp_path / "k.db"
    stats = collect([server.url + "/sitemap.xml"], db, opts(since="2025-08-01"))
    # the old child sitemap is not even requested; the page dated 2025-07-20 is skipped
    assert server.hits("/sm-old.xml") == []
    assert sorted(h.path for h in server.hits(prefix="/a/")) == ["/a/2.html", "/a/4.html"]
    assert (stats.added, stats.too_old) == (2, 1)
    server.clear()
    stats = collect([server.url + "/sitemap.xml"], db, opts(since="2025-08-01"))
    assert [h.status for h in server.hits("/sitemap.xml")] == [304]
    # the index dates the child sitemap before our last read of it: its cached URLs are used, no request
    assert server.hits("/sm-new.xml") == []
    assert server.hits(prefix="/a/") == [] and stats.added == 0
    server.clear()
    stats = collect([server.url + "/sitemap.xml"], db, opts())  # without --since: the rest, once
    assert sorted(h.path for h in server.hits(prefix="/a/")) == ["/a/0.html", "/a/1.html", "/a/3.html"]
    assert stats.added == 3 and len(records(db)) == 5


def test_max_leaves_the_rest_for_the_next_run(server, tmp_path: Path) -> None:
    paths = serve_articles(server, 5)
    server.add("/feed.xml", rss(server.url, paths), content_type="application/rss+xml")
    db = tmp_path / "k.db"
    stats = collect([server.url + "/feed.xml"], db, opts(max_articles=2))
    assert (stats.added, stats.deferred) == (2, 3) and len(server.hits(prefix="/news/")) == 2
    server.clear()
    stats = collect([server.url + "/feed.xml"], db, opts(max_articles=10))
    assert [h.status for h in server.hits("/feed.xml")] == [304]  # items come from the store on a 304
    assert stats.added == 3 and len(server.hits(prefix="/news/")) == 3


def test_home_page_feed_discovery_and_robots_sitemaps(server, tmp_path: Path) -> None:
    paths = serve_articles(server, 2)
    server.add("/", '<html><head><link rel="alternate" type="application/rss+xml" href="/rss/latest.rdf">'
               "</head><body><h1>東亜通信</h1></body></html>")  # fmt: skip
    server.add("/rss/latest.rdf", rss(server.url, paths), content_type="application/rss+xml")
    db = tmp_path / "k.db"
    stats = collect([server.url + "/"], db, opts())
    assert stats.added == 2 and records(db)[server.url + paths[0]]["metadata"]["fetch"]["feed"] == (
        server.url + "/rss/latest.rdf")
    # a home page without feeds: the sitemaps its robots.txt names
    with_sitemap = type(server)()
    with with_sitemap as s2:
        s2.add("/robots.txt", f"User-agent: *\nAllow: /\nSitemap: {s2.url}/news-sitemap.xml\n",
               content_type="text/plain")
        s2.add("/", "<html><body><h1>トップ</h1><p>ようこそ</p></body></html>")
        s2.add("/x/1.html", article_html(7))
        s2.add("/news-sitemap.xml", sitemap(s2.url, ["/x/1.html"]), content_type="application/xml")
        stats = collect([s2.url], tmp_path / "k2.db", opts())
        assert stats.added == 1 and [h.path for h in s2.hits(prefix="/x/")] == ["/x/1.html"]


def test_article_url_url_list_and_opml(server, tmp_path: Path) -> None:
    paths = serve_articles(server, 4)
    server.add("/feed-a.xml", rss(server.url, paths[2:3]), content_type="application/rss+xml")
    server.add("/feed-b.xml", rss(server.url, paths[3:4]), content_type="text/xml")
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# 読むもの\n{server.url}{paths[1]}\n\n", encoding="utf-8")
    opml = tmp_path / "feeds.opml"
    opml.write_text(f'<?xml version="1.0"?><opml version="2.0"><body><outline text="東亜">'
                    f'<outline type="rss" xmlUrl="{server.url}/feed-a.xml"/>'
                    f'<outline type="rss" xmlUrl="{server.url}/feed-b.xml"/></outline></body></opml>',
                    encoding="utf-8")  # fmt: skip
    db = tmp_path / "k.db"
    stats = collect([server.url + paths[0], str(listing), str(opml)], db, opts())
    assert stats.added == 4 and stats.failed == 0
    recs = records(db)
    assert recs[server.url + paths[0]]["metadata"]["fetch"]["feed"] is None  # given directly
    assert recs[server.url + paths[1]]["metadata"]["fetch"]["feed"] == str(listing)
    assert recs[server.url + paths[3]]["metadata"]["fetch"]["feed"] == server.url + "/feed-b.xml"
    assert len(server.hits(paths[0])) == 1  # the article given as a source is fetched once, not twice
    server.clear()
    stats = collect([server.url + paths[0], str(listing), str(opml)], db, opts())
    assert [h.status for h in server.hits(paths[0])] == [304] and server.hits(paths[1]) == []
    assert (stats.added, stats.failed) == (0, 0)


def test_pdf_and_docx_articles_go_through_the_read_stage(server, tmp_path: Path) -> None:
    server.add("/doc/report.pdf", (PAGES / "22_pdf_text.pdf").read_bytes(), content_type="application/pdf")
    server.add("/doc/memo", (PAGES / "20_docx_props.docx").read_bytes(),
               content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    server.add("/feed.xml", rss(server.url, ["/doc/report.pdf", "/doc/memo"]), content_type="application/rss+xml")
    db = tmp_path / "k.db"
    stats = collect([server.url + "/feed.xml"], db, opts())
    assert stats.added == 2 and stats.failed == 0
    from kansoku.read import iter_documents
    from kansoku.store import raw

    recs = records(db)
    pdf_file = next(iter_documents([PAGES / "22_pdf_text.pdf"]))
    assert recs[server.url + "/doc/report.pdf"]["text"].replace("\n", "")[:40] == \
        pdf_file.text.replace("\n", "")[:40]  # fmt: skip
    assert raw.has_table(sqlite3.connect(db))
    # a document URL given directly is collected as an article (fetched once)
    server.clear()
    stats = collect([server.url + "/doc/report.pdf"], tmp_path / "k2.db", opts())
    assert stats.added == 1 and [h.path for h in server.log] == ["/robots.txt", "/doc/report.pdf"]


def test_duplicates_by_canonical_url_and_by_bytes(server, tmp_path: Path) -> None:
    server.add("/news/1.html", article_html(1))
    server.add("/amp/1.html", article_html(1, extra="（AMP版）"))  # other bytes, same canonical URL
    server.add("/news/1.html?ref=top", article_html(1))  # the very same bytes
    server.add("/feed.xml", rss(server.url, ["/news/1.html", "/amp/1.html", "/news/1.html?ref=top"]),
               content_type="application/rss+xml")
    db = tmp_path / "k.db"
    events: list[Event] = []
    stats = collect([server.url + "/feed.xml"], db, opts(), events.append)
    assert (stats.added, stats.duplicates) == (1, 2)
    assert len(records(db)) == 1
    notes = {e.url: e.detail for e in events if e.status == "duplicate"}
    assert notes == {server.url + "/amp/1.html": f"duplicate of {server.url}/news/1.html",
                     server.url + "/news/1.html?ref=top": f"duplicate of {server.url}/news/1.html"}
    server.clear()
    collect([server.url + "/feed.xml"], db, opts())
    assert server.hits(prefix="/news/") == server.hits(prefix="/amp/") == []


def test_failed_analysis_stores_nothing_and_is_retried(server, tmp_path: Path, monkeypatch) -> None:
    import kansoku.pipeline as pipeline

    paths = serve_articles(server, 3)
    server.add("/feed.xml", rss(server.url, paths), content_type="application/rss+xml")
    real = pipeline.analyze_doc

    def flaky(doc, options=None):
        if doc.source.endswith("/1.html"):
            raise RuntimeError("simulated analysis crash")
        return real(doc, options)

    monkeypatch.setattr(pipeline, "analyze_doc", flaky)
    db = tmp_path / "k.db"
    events: list[Event] = []
    stats = collect([server.url + "/feed.xml"], db, opts(), events.append)
    assert (stats.added, stats.failed) == (2, 1)
    assert [e.detail for e in events if e.kind == "failed"] == [
        "analysis failed: RuntimeError: simulated analysis crash"]
    bad = server.url + paths[1]
    assert rows(db, "SELECT count(*) FROM sources WHERE source = ?", bad)[0][0] == 0
    assert rows(db, "SELECT count(*) FROM collect_urls WHERE url = ?", bad)[0][0] == 0
    assert rows(db, "SELECT count(*) FROM raw_pages WHERE source = ?", bad)[0][0] == 0
    monkeypatch.setattr(pipeline, "analyze_doc", real)
    server.clear()
    stats = collect([server.url + "/feed.xml"], db, opts())
    assert [h.path for h in server.hits(prefix="/news/")] == [paths[1]] and stats.added == 1


def test_reanalyze_rereads_the_kept_bytes(server, tmp_path: Path) -> None:
    from kansoku.store.ingest import reanalyze

    paths = serve_articles(server, 2)
    server.add("/feed.xml", rss(server.url, paths), content_type="application/rss+xml")
    db, archive = tmp_path / "k.db", tmp_path / "raw"
    collect([server.url + "/feed.xml"], db, opts())
    db2 = tmp_path / "k2.db"
    collect([server.url + "/feed.xml"], db2, opts(archive=archive))
    before = records(db)
    con = sqlite3.connect(db)
    con.execute("UPDATE documents SET pipeline_version = 'old'")
    con.commit()
    con.close()
    server.clear()
    stats = reanalyze(db, workers=1)
    assert stats.updated == 2 and server.log == []  # nothing refetched
    after = records(db)
    for url, rec in after.items():
        meta = rec["metadata"]
        assert meta["fetch"] == before[url]["metadata"]["fetch"]
        assert meta["field_sources"] == before[url]["metadata"]["field_sources"]  # page candidates re-derived
        assert meta["url"] == before[url]["metadata"]["url"]
    # from the --archive folder too
    con = sqlite3.connect(db2)
    con.execute("UPDATE documents SET pipeline_version = 'old'")
    con.commit()
    con.close()
    assert reanalyze(db2, workers=1).updated == 2
    assert {u: r["metadata"]["field_sources"] for u, r in records(db2).items()} == {
        u: r["metadata"]["field_sources"] for u, r in before.items()}
    # without the kept bytes the record is rebuilt from its fields (records.raw_from_record): the values the
    # page's metadata gave come back under their origin
    con = sqlite3.connect(db)
    con.execute("DELETE FROM raw_pages")
    con.execute("UPDATE documents SET pipeline_version = 'old'")
    con.commit()
    con.close()
    reanalyze(db, workers=1)
    rebuilt = records(db)[server.url + paths[0]]["metadata"]
    was = before[server.url + paths[0]]["metadata"]
    assert rebuilt["field_sources"] == was["field_sources"] and rebuilt["url"] == was["url"]
    assert rebuilt["authors"] == was["authors"] and rebuilt["outlet"] == was["outlet"]
    assert rebuilt["fetch"] == before[server.url + paths[0]]["metadata"]["fetch"]  # kept from the record
