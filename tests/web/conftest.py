"""Fixtures of the web tests: one store per session (the sample corpus plus a hostile article), the app
over it, and a TestClient."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "examples" / "corpus"

#: An article written to attack the page: script tags, event handlers and javascript: links in the title
#: and the text (a text dump keeps them literally).
HOSTILE = """<script>alert('title')</script>ロシア軍がキーウを攻撃 <img src=x onerror="alert(1)">
2025年8月18日
ロシア軍は17日、キーウを無人機で攻撃した。<script>alert("body")</script>
ゼレンスキー大統領は「<img src=x onerror=alert(2)>決して許さない」と述べた。
詳細は<a href="javascript:alert(3)">こちら</a>、または javascript:alert(4) を参照。
<svg onload=alert(5)></svg><iframe src="javascript:alert(6)"></iframe>
"""


@pytest.fixture(scope="session")
def store_path(tmp_path_factory) -> Path:
    from kansoku.store.ingest import ingest

    d = tmp_path_factory.mktemp("webstore")
    inputs = d / "in"
    shutil.copytree(CORPUS, inputs)
    (inputs / "99_hostile.txt").write_text(HOSTILE, encoding="utf-8")
    db = d / "kansoku.db"
    stats = ingest(db, paths=[inputs], workers=1)
    assert stats.failed == 0
    return db


@pytest.fixture(scope="session")
def app(store_path):
    from kansoku.web.app import create_app

    return create_app(store_path)


@pytest.fixture(scope="session")
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app, raise_server_exceptions=False) as c:
        c.app.state.store.stories(wait=True)
        yield c


@pytest.fixture(scope="session")
def hostile_id(client) -> str:
    res = client.get("/api/search", params={"q": "決して許さない"}).json()
    ids = [r["id"] for r in res["results"] if "alert" in (r["title"] or "")]
    assert ids, res
    return ids[0]
