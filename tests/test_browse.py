"""kansoku.store.browse: paged search with totals and facets, entity months and merge reasons, claims pages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kansoku.store import browse, db
from kansoku.store.search import search

CORPUS = Path(__file__).resolve().parents[1] / "examples" / "corpus"


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    from kansoku.store.ingest import ingest

    d = tmp_path_factory.mktemp("browse")
    shutil.copytree(CORPUS, d / "in")
    ingest(d / "k.db", paths=[d / "in"], workers=1)
    c = db.connect(d / "k.db", create=False)
    yield c
    c.close()


def test_total_and_pages_agree_with_search(con):
    full = search("", "ロシア", limit=1000, con=con)
    res = browse.search_page(con, "ロシア", per_page=4)
    assert res["total"] == len(full) and res["pages"] == -(-len(full) // 4)
    seen = []
    for p in range(1, res["pages"] + 1):
        seen += [h["id"] for h in browse.search_page(con, "ロシア", per_page=4, page=p)["results"]]
    assert seen == [h["id"] for h in full]  # pages are the ranked hits, in order, without gaps


def test_sort_by_date_and_no_words(con):
    res = browse.search_page(con, "ロシア", sort="date", per_page=50)
    dates = [h["published"] or "" for h in res["results"]]
    assert dates == sorted(dates, reverse=True)
    everything = browse.search_page(con, "", per_page=50)
    assert everything["total"] == con.execute("SELECT count(*) FROM documents").fetchone()[0]


def test_facets_count_the_hits(con):
    res = browse.search_page(con, "ロシア", per_page=50)
    assert res["facets_over"] == res["total"]
    outlets = {f["value"]: f["count"] for f in res["facets"]["outlet"]}
    for outlet, n in outlets.items():
        got = browse.search_page(con, "ロシア", browse.Filters(outlet=outlet))["total"]
        assert got >= n  # substring filter: at least the exact outlet's articles
    ent = res["facets"]["entity"][0]
    assert browse.search_page(con, "ロシア", browse.Filters(entity=ent["value"]))["total"] == ent["count"]
    spk = res["facets"]["speaker"][0]
    assert browse.search_page(con, "ロシア", browse.Filters(speaker=spk["value"]))["total"] == spk["count"]
    fr = res["facets"]["frame"][0]
    assert browse.search_page(con, "ロシア", browse.Filters(frame=fr["value"]))["total"] == fr["count"]
    m = res["facets"]["month"][-1]
    got = browse.search_page(con, "ロシア", browse.Filters(since=m["value"], until=m["value"]))["total"]
    assert got == m["count"]


def test_facet_sample_is_bounded(con, monkeypatch):
    monkeypatch.setattr(browse, "FACET_SAMPLE", 3)
    res = browse.search_page(con, "ロシア")
    assert res["facets_over"] == 3 and sum(f["count"] for f in res["facets"]["genre"]) == 3


def test_bad_parameters(con):
    for kw, word in ((dict(sort="x"), "sort"), (dict(page=0), "page")):
        with pytest.raises(browse.BadRequest, match=word):
            browse.search_page(con, "ロシア", **kw)
    with pytest.raises(browse.BadRequest, match="since: expected a date"):
        browse.search_page(con, "ロシア", browse.Filters(since="2025-02-30"))
    assert browse.check_date("2025-08", "since") == "2025-08" and browse.check_date(" ", "since") is None
    with pytest.raises(browse.BadRequest, match="kind"):
        browse.claims_page(con, kind="rumour")


def test_entity_months_and_spelling_methods(con):
    rows = browse.entity_months(con, "gpe:russia")
    assert sum(r["docs"] for r in rows) == con.execute(
        "SELECT count(*) FROM doc_entities WHERE entity_id = 'gpe:russia' AND in_record = 1").fetchone()[0]
    months = [r["month"] for r in rows if r["month"]]
    assert months == sorted(months)
    m = browse.spelling_methods(con, "gpe:kyiv", ["キーウ", "キエフ", "存在しない"])
    assert m["キーウ"] and m["キエフ"] and m["存在しない"] == {}


def test_claims_page(con):
    res = browse.claims_page(con, speaker="ゼレンスキー", per_page=2)
    assert res["total"] >= 2 and len(res["claims"]) == 2
    c = res["claims"][0]
    text = con.execute("SELECT text FROM documents WHERE id = ?", (c["doc_id"],)).fetchone()[0]
    assert text[c["content_start"] : c["content_end"]] == c["content"]
    about = browse.claims_page(con, about="ロシア")
    assert about["total"] >= 1
    top = browse.top_speakers(con, 5)
    assert len(top) == 5 and top[0]["claims"] >= top[-1]["claims"]


def test_document_record_by_prefix(con):
    doc_id = con.execute("SELECT id FROM documents LIMIT 1").fetchone()[0]
    assert browse.document_record(con, doc_id)["id"] == doc_id
    assert browse.document_record(con, doc_id[:8])["id"] == doc_id
    assert browse.document_record(con, "zz") is None
