"""The real saved pages of ../shared/eval/realpages, served locally: collect gives the records analyze gives.

Skipped when ../shared is absent. The pages carry their real canonical URLs; they are fetched from the local
server, so ``metadata.url`` must stay the page's own canonical URL and ``metadata.fetch.url`` the local one.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from collect_helpers import opts, rss

from kansoku.collect import collect
from kansoku.pipeline import run
from kansoku.read import iter_documents

PAGES = Path(__file__).resolve().parents[3] / "shared" / "eval" / "realpages" / "pages"

pytestmark = pytest.mark.skipif(not PAGES.is_dir(), reason="../shared/eval/realpages is absent")

FIELDS = ("title", "text")
META = ("authors", "outlet", "published", "url")


def test_collect_equals_analyze_on_the_real_pages(server, tmp_path: Path) -> None:
    files = sorted(PAGES.glob("*.html"))
    assert files
    for f in files:
        server.add(f"/pages/{f.name}", f.read_bytes(), content_type="text/html")
    server.add("/feed.xml", rss(server.url, [f"/pages/{f.name}" for f in files]), content_type="application/rss+xml")
    results = list(run(iter_documents(files), workers=1))
    analysed = {Path(r["source"]).name: r for r in results if isinstance(r, dict)}
    refused = {Path(r.source).name: r.reason for r in results if not isinstance(r, dict)}
    assert len(analysed) >= len(files) - 2

    db = tmp_path / "k.db"
    stats = collect([server.url + "/feed.xml"], db, opts())
    assert (stats.added, stats.duplicates) == (len(analysed), 0), stats.failures
    # a page the read stage refuses from disk is refused the same way when fetched
    assert {f.split(": ", 1)[0].rsplit("/", 1)[1]: f.split(": ", 1)[1] for f in stats.failures} == refused
    con = sqlite3.connect(db)
    collected = {r["source"].rsplit("/", 1)[1]: r for r in (json.loads(x[0]) for x in con.execute(
        "SELECT record_json FROM documents"))}  # fmt: skip
    con.close()
    assert sorted(collected) == sorted(analysed)
    for name, want in analysed.items():
        got = collected[name]
        for key in FIELDS:
            assert got[key] == want[key], (name, key)
        for key in META:
            assert got["metadata"][key] == want["metadata"][key], (name, key)
        assert got["metadata"]["field_sources"] == want["metadata"]["field_sources"], name
        fetch = got["metadata"]["fetch"]
        assert fetch["url"] == fetch["final_url"] == f"{server.url}/pages/{name}"
        assert fetch["status"] == 200 and fetch["feed"] == server.url + "/feed.xml"
        assert "fetch" not in want["metadata"]
