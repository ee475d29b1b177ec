"""Every page and its JSON twin through FastAPI's TestClient: status, content, links, errors, security."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

NAV = ("/search", "/stories", "/claims", "/compare", "/timeline", "/briefing", "/api")


def _html(r) -> str:
    assert r.headers["content-type"].startswith("text/html"), r.headers["content-type"]
    return r.text


def _links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', html))


@pytest.fixture(scope="session")
def ids(client) -> dict:
    res = client.get("/api/search", params={"q": "クラマトルスク"}).json()
    story = client.get("/api/stories").json()["stories"][0]
    return {"article": res["results"][0]["id"], "story": story["id"]}


def pages(ids: dict) -> list[tuple[str, str]]:
    a, s = ids["article"], ids["story"]
    return [
        ("/search?q=ロシア", "/api/search?q=ロシア"),
        ("/search", "/api/search"),
        (f"/articles/{a}", f"/api/articles/{a}"),
        ("/entities/gpe:pokrovsk", "/api/entities/gpe:pokrovsk"),
        ("/claims", "/api/claims"),
        ("/claims?speaker=ゼレンスキー", "/api/claims?speaker=ゼレンスキー"),
        ("/stories", "/api/stories"),
        (f"/stories/{s}", f"/api/stories/{s}"),
        ("/timeline", "/api/timeline"),
        ("/timeline?entity=キーウ", "/api/timeline?entity=キーウ"),
        (f"/timeline?story={s}", f"/api/timeline?story={s}"),
        ("/briefing", "/api/briefing"),
        ("/briefing?q=クラマトルスク", "/api/briefing?q=クラマトルスク"),
        ("/compare", "/api/compare"),
        (f"/compare?a={a}&b=ユーラシア・ウォッチ 速報", f"/api/compare?a={a}&b=ユーラシア・ウォッチ 速報"),
    ]


def test_every_page_and_its_json_twin(client, ids):
    for page, api in pages(ids):
        r = client.get(page)
        assert r.status_code == 200, (page, r.text[:300])
        html = _html(r)
        links = _links(html)
        for nav in NAV:
            assert nav in links, (page, nav)
        assert any(x.startswith("/api/") for x in links), page  # the JSON twin
        assert any("lang=en" in x for x in links), page  # the language switch
        assert r.headers["content-security-policy"].startswith("default-src 'none'")
        j = client.get(api)
        assert j.status_code == 200, (api, j.text[:300])
        assert j.headers["content-type"].startswith("application/json")
        assert isinstance(j.json(), dict)


def test_pages_link_to_each_other(client, ids):
    html = client.get("/search?q=ロシア").text
    assert f"/articles/{ids['article']}" in html or "/articles/" in html
    art = client.get(f"/articles/{ids['article']}").text
    assert "/entities/" in art and "/stories/" in art  # entity pages and the article's story
    ent = client.get("/entities/gpe:pokrovsk").text
    assert "/articles/" in ent and "/timeline?entity=" in ent and "/search?entity=" in ent
    story = client.get(f"/stories/{ids['story']}").text
    assert "/articles/" in story and "/timeline?story=" in story and "/briefing?story=" in story


def test_search_json_shape(client):
    j = client.get("/api/search", params={"q": "ロシア"}).json()
    assert j["total"] >= 10 and j["page"] == 1
    assert set(j["facets"]) >= {"outlet", "author", "entity", "speaker", "frame", "genre", "month"}
    for r in j["results"]:
        assert {"id", "title", "outlet", "published", "snippet"} <= set(r)
    hit = next(r for r in j["results"] if "【" in r["snippet"])
    assert any(p["hit"] for p in hit["snippet_parts"])
    ent = {f["value"]: f["count"] for f in j["facets"]["entity"]}
    assert ent.get("gpe:russia", 0) >= 10


def test_search_is_variant_aware_and_filters(client):
    a = client.get("/api/search", params={"q": "ポクロウシク"}).json()
    b = client.get("/api/search", params={"q": "ポクロフスク"}).json()
    assert a["total"] == b["total"] >= 1
    f = client.get("/api/search", params={"q": "ロシア", "since": "2025-08-16", "until": "2025-08-16"}).json()
    assert f["total"] >= 1 and all(r["published"].startswith("2025-08-16") for r in f["results"])
    by_date = client.get("/api/search", params={"q": "ロシア", "sort": "date"}).json()["results"]
    dates = [r["published"] for r in by_date if r["published"]]
    assert dates == sorted(dates, reverse=True)
    facet = client.get("/api/search", params={"q": "ロシア"}).json()["facets"]["outlet"][0]
    narrowed = client.get("/api/search", params={"q": "ロシア", "outlet": facet["value"]}).json()
    assert narrowed["total"] >= facet["count"]


def test_search_page_keeps_the_query_in_the_url(client):
    html = client.get("/search?q=ロシア&sort=date").text
    assert 'value="ロシア"' in html
    assert "<mark>" in html
    # facet links keep the query
    assert re.search(r'href="/search\?q=%E3%83%AD%E3%82%B7%E3%82%A2&amp;sort=date&amp;outlet=', html)


def test_article_twin_is_the_record(client, ids, store_path):
    import json
    import sqlite3

    j = client.get(f"/api/articles/{ids['article']}").json()
    con = sqlite3.connect(store_path)
    stored = json.loads(con.execute("SELECT record_json FROM documents WHERE id = ?", (ids["article"],)).fetchone()[0])
    assert j == stored and j["schema_version"]
    html = client.get(f"/articles/{ids['article']}").text
    assert 'class="ev k-ent' in html and 'id="ev-e0-0"' in html
    assert 'href="#ev-' in html  # side panel → span
    for field in j["metadata"]["field_sources"]:
        assert field in html


def test_article_prefix_and_unknown(client, ids):
    assert client.get(f"/api/articles/{ids['article'][:8]}").json()["id"] == ids["article"]
    r = client.get("/api/articles/ffffffffffffffff")
    assert r.status_code == 404 and r.json() == {"ok": False, "status": 404, "error": "no article with id ffffffffffffffff"}
    r = client.get("/articles/ffffffffffffffff")
    assert r.status_code == 404 and "ffffffffffffffff" in r.text and "Traceback" not in r.text


def test_entity_page_shows_merged_spellings(client):
    j = client.get("/api/entities/" + quote("ポクロウシク")).json()
    assert j["id"] == "gpe:pokrovsk"
    spellings = {s["text"]: s for s in j["spellings"]}
    assert {"ポクロウシク", "ポクロフスク"} <= set(spellings)
    assert all(s["methods"] for s in spellings.values())
    assert j["months"] and {"month", "outlet", "docs"} <= set(j["months"][0])
    html = client.get("/entities/gpe:pokrovsk").text
    assert "ポクロウシク" in html and "ポクロフスク" in html
    assert "表記と統合の理由" in html
    assert '<svg class="bars"' in client.get("/entities/gpe:russia").text  # dated articles: the chart


def test_claims_and_contradictions(client):
    j = client.get("/api/claims", params={"speaker": "ゼレンスキー"}).json()
    assert j["total"] >= 1 and all(c["speaker_entity_id"] == "person:volodymyr-zelensky" for c in j["claims"])
    assert {"content", "doc_id", "kind", "speaker"} <= set(j["claims"][0])
    assert j["speakers"] and "conflicts" in j
    kinds = client.get("/api/claims", params={"kind": "quote"}).json()["claims"]
    assert kinds and all(c["kind"] == "quote" for c in kinds)


def test_story_page_compares_outlets(client, ids):
    j = client.get(f"/api/stories/{ids['story']}").json()
    assert j["story"]["id"] == ids["story"] and len(j["groups"]) >= 2
    assert {"conflicts", "agreements", "frames", "stance", "pairs", "by_outlet"} <= set(j)
    pair = j["pairs"][0]
    assert {"shared", "only_a", "only_b"} <= set(pair["entities"]) and "blind_spots" in pair
    assert client.get("/api/stories/s-0000000000").status_code == 404


def test_timeline_filters(client, ids):
    j = client.get("/api/timeline", params={"entity": "キーウ"}).json()
    assert j["entity"] == "gpe:kyiv" and j["events"]
    assert all("independent_sources" in e for e in j["events"])
    s = client.get("/api/timeline", params={"story": ids["story"]}).json()
    assert s["story"]["id"] == ids["story"]
    assert client.get("/api/timeline", params={"entity": "存在しない何か"}).status_code == 404


def test_briefing_and_downloads(client, ids):
    j = client.get("/api/briefing", params={"story": ids["story"]}).json()
    b = j["briefing"]
    assert b["key_points"] and b["glossary"] and j["articles"] >= 2
    html = client.get(f"/briefing?story={ids['story']}").text
    assert 'src="data:image/svg+xml;base64,' in html
    for fmt, mime in (("md", "text/markdown"), ("html", "text/html"), ("csv", "text/csv"),
                      ("jsonl", "application/x-ndjson")):  # fmt: skip
        r = client.get(f"/briefing/download/{fmt}", params={"story": ids["story"]})
        assert r.status_code == 200 and r.headers["content-type"].startswith(mime), fmt
        assert "attachment" in r.headers["content-disposition"]
        assert "<script" not in r.text.lower()
    assert client.get("/briefing/download/exe?story=x").status_code == 400


def test_bad_input_gives_one_line_errors(client):
    cases = [
        ("/api/search?since=2025-13-01", 400, "since"),
        ("/api/search?until=yesterday", 400, "until"),
        ("/api/search?page=0", 400, "page"),
        ("/api/search?page=abc", 400, "page"),
        ("/api/search?sort=random", 400, "sort"),
        ("/api/claims?kind=rumour", 400, "kind"),
        ("/api/entities/" + quote("存在しない何か"), 404, "no entity"),
        ("/api/nothing-here", 404, "no such page"),
    ]
    for url, status, word in cases:
        r = client.get(url)
        assert r.status_code == status, url
        body = r.json()
        assert body["ok"] is False and body["status"] == status and word in body["error"], (url, body)
        assert "\n" not in body["error"] and "Traceback" not in r.text
        h = client.get(url.replace("/api/", "/", 1))
        assert h.status_code == status and h.headers["content-type"].startswith("text/html")
        assert "Traceback" not in h.text


def test_hostile_article_is_escaped(client, hostile_id):
    for url in (f"/articles/{hostile_id}", "/search?q=" + quote("決して許さない"), "/search?q=alert",
                "/claims?speaker=" + quote("ゼレンスキー"), "/timeline"):  # fmt: skip
        html = client.get(url).text
        low = html.lower()
        assert "<script>alert" not in low, url
        assert "<img src=x" not in low and "<svg onload" not in low and "<iframe" not in low, url
        assert 'href="javascript:' not in low, url
        assert not re.search(r"<[^>]+\son(error|load)=", low), url
    html = client.get(f"/articles/{hostile_id}").text
    assert "&lt;script&gt;alert(&#34;body&#34;)&lt;/script&gt;" in html or "&lt;script&gt;" in html
    j = client.get(f"/api/articles/{hostile_id}").json()
    assert "<script>" in j["text"]  # the data itself is unchanged; only its rendering is escaped


def test_security_headers_everywhere(client, ids):
    for url in ("/search", f"/articles/{ids['article']}", "/api/search", "/healthz", "/static/style.css", "/nowhere"):
        r = client.get(url)
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"


def test_no_inline_script_or_style(client, ids):
    for page, _api in pages(ids):
        html = client.get(page).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), page
        assert " style=" not in html and "<style" not in html, page


def test_language_switch(client, ids):
    ja = client.get("/search?q=ロシア").text
    assert 'lang="ja"' in ja and "検索" in ja
    en = client.get("/search?q=ロシア&lang=en")
    assert 'lang="en"' in en.text and ">Search<" in en.text
    assert "lang=en" in en.headers.get("set-cookie", "")
    # the cookie keeps English on the next page; ?lang=ja switches back
    assert 'lang="en"' in client.get(f"/articles/{ids['article']}").text
    assert 'lang="ja"' in client.get("/search?lang=ja").text
    client.cookies.clear()


def test_default_language_english(store_path):
    from fastapi.testclient import TestClient

    from kansoku.web.app import create_app

    with TestClient(create_app(store_path, lang="en")) as c:
        assert 'lang="en"' in c.get("/search").text
        assert 'lang="ja"' in c.get("/search?lang=ja").text
    with pytest.raises(ValueError, match="--lang"):
        create_app(store_path, lang="fr")


def test_read_only_without_allow_ingest(client, app):
    assert client.get("/ingest").status_code == 403
    assert client.post("/ingest", data={"paths": "/etc"}).status_code in (403, 404, 405)
    con = app.state.store.con()
    import sqlite3

    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        con.execute("INSERT INTO meta(key, value) VALUES ('x', 'y')")


def test_openapi_lists_the_json_twins(client):
    spec = client.get("/openapi.json").json()
    for path in ("/api/search", "/api/articles/{doc_id}", "/api/entities/{entity_id}", "/api/stories/{story_id}",
                 "/api/claims", "/api/timeline", "/api/briefing", "/healthz"):  # fmt: skip
        assert path in spec["paths"], path
    names = {p["name"] for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    assert {"q", "outlet", "entity", "speaker", "frame", "since", "until", "page"} <= names
    html = client.get("/api").text
    assert "/api/search" in html and "/openapi.json" in html
    h = client.get("/healthz").json()
    assert h["ok"] is True and h["articles"] >= 16


def test_every_template_string_is_in_the_catalogue():
    from kansoku.web.i18n import CATALOGUE

    root = Path(__file__).resolve().parents[2] / "src" / "kansoku" / "web" / "templates"
    used = set()
    for f in root.glob("*.html"):
        used |= set(re.findall(r"""\bt\(['"]([a-z_.]+)['"]""", f.read_text(encoding="utf-8")))
    missing = sorted(k for k in used if k not in CATALOGUE and not k.endswith("."))
    assert not missing, missing
    assert all(len(v) == 2 and all(v) for v in CATALOGUE.values())


def test_cli_serve_is_registered_and_lazy(tmp_path):
    import os

    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2] / "src"))
    code = "import sys, kansoku.cli; print(any(m.split('.')[0] in ('fastapi', 'uvicorn', 'starlette') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "False"
    r = subprocess.run([sys.executable, "-m", "kansoku.cli", "serve", "--help"], capture_output=True, text=True,
                       env=env, check=False)  # fmt: skip
    assert r.returncode == 0 and "--allow-ingest" in r.stdout and "--lang" in r.stdout
    r = subprocess.run([sys.executable, "-m", "kansoku.cli", "serve", "--db", str(tmp_path / "none.db")],
                       capture_output=True, text=True, env=env, check=False)  # fmt: skip
    assert r.returncode == 2 and "no such store" in r.stderr and "Traceback" not in r.stderr


# ---------------------------------------------------------------------------------------------- ingest


@pytest.fixture
def ingest_client(tmp_path):
    from fastapi.testclient import TestClient

    from kansoku.web.app import create_app

    app = create_app(tmp_path / "new.db", allow_ingest=True)  # a new store is created
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def _wait(c, job_id: str, timeout: float = 120) -> dict:
    import time

    t0 = time.time()
    while time.time() - t0 < timeout:
        j = c.get(f"/api/ingest/{job_id}").json()
        if j["status"] in ("finished", "error"):
            return j
        time.sleep(0.2)
    raise AssertionError(f"run {job_id} did not finish")


def test_ingest_uploads_and_paths(ingest_client, tmp_path):
    c = ingest_client
    assert c.get("/search").status_code == 200 and "/ingest" in c.get("/search").text
    page = c.get("/ingest")
    assert page.status_code == 200 and 'type="file"' in page.text
    token = c.get("/api/ingest").json()["token"]
    corpus = Path(__file__).resolve().parents[2] / "examples" / "corpus"
    files = [("files", (p.name, p.read_bytes(), "text/plain")) for p in sorted(corpus.glob("0[1-3]*.txt"))]
    r = c.post("/api/ingest", data={"token": token}, files=files)
    assert r.status_code == 202, r.text
    job = _wait(c, r.json()["jobs"][0]["id"])
    assert job["status"] == "finished" and job["added"] == 3 and job["done"] == 3, job
    assert c.get("/api/search", params={"q": "クラマトルスク"}).json()["total"] == 3
    # a path on the server, through the HTML form: 303 back to the page, which shows the run
    r = c.post("/ingest", data={"token": token, "paths": str(corpus / "10_wire_istanbul_summit.txt")},
               follow_redirects=False)  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == "/ingest"
    jid = c.get("/api/ingest").json()["jobs"][0]["id"]
    assert _wait(c, jid)["added"] == 1
    html = c.get("/ingest").text
    assert "<progress" in html and jid in html


def test_ingest_refusals(ingest_client):
    c = ingest_client
    token = c.get("/api/ingest").json()["token"]
    cases = [
        ({"paths": "/x"}, None, 403, "token"),
        ({"token": token}, None, 400, "nothing to ingest"),
        ({"token": token, "urls": "ftp://example.org/x"}, None, 400, "http(s)"),
        ({"token": token, "paths": "/no/such/folder"}, None, 400, "no such file"),
        ({"token": token, "urls": "\n".join(f"https://example.org/{i}" for i in range(501))}, None, 413, "at most 500"),
    ]
    from kansoku.web import jobs as jobs_mod

    big = ("files", ("big.txt", b"x" * (jobs_mod.MAX_FILE_MB * 1024 * 1024 + 1), "text/plain"))
    cases.append(({"token": token}, [big], 413, "larger than"))
    for data, files, status, word in cases:
        r = c.post("/api/ingest", data=data, files=files)
        assert r.status_code == status and word in r.json()["error"], (data.keys(), r.text[:200])
    r = c.post("/api/ingest", data={"token": token, "paths": "/x"}, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403 and "cross-site" in r.json()["error"]
    many = [("files", (f"f{i}.txt", b"x", "text/plain")) for i in range(jobs_mod.MAX_FILES + 1)]
    r = c.post("/api/ingest", data={"token": token}, files=many)
    assert r.status_code == 413


def test_upload_names_are_made_safe():
    from kansoku.web.jobs import safe_name

    assert safe_name("../../etc/passwd", 0) == "000-passwd"
    assert safe_name("..\\x\\a b;rm -rf.txt", 1) == "001-a b_rm -rf.txt"
    assert safe_name("", 2) == "002-upload-2"
    assert safe_name("記事.txt", 3) == "003-記事.txt"


def test_large_store_timeline_asks_for_a_filter(client, monkeypatch):
    from kansoku.web import views

    monkeypatch.setattr(views, "TIMELINE_UNFILTERED_MAX", 5)
    j = client.get("/api/timeline").json()
    assert j["needs_filter"] is True and j["events"] == [] and j["suggestions"]
    assert client.get("/api/timeline", params={"entity": "キーウ"}).json()["events"]
    assert "/timeline?story=" in client.get("/timeline").text


def test_cli_serve_answers(store_path):
    import os
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2] / "src"))
    proc = subprocess.Popen([sys.executable, "-m", "kansoku.cli", "serve", "--db", str(store_path), "--port", str(port),
                             "--lang", "en"], env=env, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        t0 = time.time()
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert r.status == 200 and b'"ok": true' in r.read()
                break
            except OSError:
                assert proc.poll() is None and time.time() - t0 < 60, "kansoku serve did not start"
                time.sleep(0.3)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/search?q=test", timeout=10) as r:
            assert b'lang="en"' in r.read()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_compare_two_sides(client, ids):
    story = client.get(f"/api/stories/{ids['story']}").json()
    g = story["groups"]
    a, b = ",".join(g[0]["doc_ids"]), ",".join(g[1]["doc_ids"])
    j = client.get("/api/compare", params={"a": a, "b": b}).json()
    c = j["comparison"]
    assert {"entities", "claims", "figures", "frames", "stance", "blind_spots"} <= set(c)
    assert [x["id"] for x in j["articles_a"]] and c["a"]["doc_ids"] == sorted(c["a"]["doc_ids"], key=c["a"]["doc_ids"].index)
    assert "/compare?a=" in client.get(f"/stories/{ids['story']}").text
    r = client.get("/api/compare", params={"a": "no-such-outlet", "b": b})
    assert r.status_code == 404 and "no-such-outlet" in r.json()["error"]
