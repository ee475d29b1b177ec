"""Search over the SQLite store: short Japanese terms, variants, filters, output shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kansoku.store.ingest import ingest
from kansoku.store.search import search

ARTICLES = [
    {
        "title": "露外務省、停戦案を拒否",
        "text": "露外務省は15日、欧州が示した停戦案を拒否すると発表した。ロシアは時間稼ぎをしているとの批判が出ている。"
        "ロシアの侵略は国際法違反だと欧州連合は非難した。",
        "outlet": "東亜通信", "published": "2025-08-15", "author": "山田太郎",
    },
    {
        "title": "ポクロフスク周辺で激戦",
        "text": "ウクライナ東部ドネツク州のポクロフスク周辺で16日、激しい戦闘が続いた。"
        "ウクライナ軍によると、ロシア軍は無人機で攻撃を繰り返している。",
        "outlet": "極東新報", "published": "2025-08-16", "author": "佐藤花子",
    },
    {
        "title": "米国、追加支援を表明",
        "text": "米国務省は17日、ウクライナへの追加の軍事支援を表明した。ルビオ国務長官は「支援は続く」と述べた。",
        "outlet": "東亜通信", "published": "2025-08-17", "author": "鈴木一郎",
    },
    {
        "title": "北海道で新米の収穫始まる",
        "text": "北海道の農家で新米の収穫が始まった。今年は天候に恵まれ、品質は良好だという。",
        "outlet": "北の便り", "published": "2025-09-01", "author": "高橋次郎",
    },
    {
        "title": "米国と欧州、停戦協議で溝",
        "text": "米国と欧州の外相は18日、ウクライナの停戦をめぐる協議で意見が分かれた。",
        "outlet": "極東新報", "published": "2025-08-18", "author": "佐藤花子",
    },
]  # fmt: skip


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("search")
    src = d / "arts.jsonl"
    src.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in ARTICLES), encoding="utf-8")
    from kansoku.read import iter_documents

    db = d / "k.db"
    stats = ingest(db, iter_documents([src]), workers=1, batch_size=2)
    assert stats.added == len(ARTICLES) and stats.failed == 0
    return db


def titles(hits: list[dict]) -> list[str]:
    return [h["title"] for h in hits]


def test_one_character_query(store: Path) -> None:
    hits = search(store, "露")
    assert hits and hits[0]["title"] == "露外務省、停戦案を拒否"
    assert "【露】" in hits[0]["snippet"]
    assert "北海道で新米の収穫始まる" not in titles(hits)


def test_two_character_queries(store: Path) -> None:
    assert sorted(titles(search(store, "停戦"))) == sorted(
        ["露外務省、停戦案を拒否", "米国と欧州、停戦協議で溝"]
    )
    us = titles(search(store, "米国", expand=False))
    assert sorted(us) == sorted(["米国、追加支援を表明", "米国と欧州、停戦協議で溝"])
    # 新米 (new rice) is not the United States, with or without entity expansion
    assert "北海道で新米の収穫始まる" not in titles(search(store, "米国"))
    assert titles(search(store, "新米")) == ["北海道で新米の収穫始まる"]


def test_long_and_mixed_queries(store: Path) -> None:
    assert titles(search(store, "国際法違反")) == ["露外務省、停戦案を拒否"]
    # terms are ANDed; full-width space separates too
    assert titles(search(store, "停戦　米国")) == ["米国と欧州、停戦協議で溝"]
    assert titles(search(store, "ウクライナ 停戦")) == ["米国と欧州、停戦協議で溝"]
    assert search(store, "停戦 北海道") == []
    assert search(store, "存在しない語句") == []


def test_variant_spelling_finds_the_other_transliteration(store: Path) -> None:
    hits = search(store, "ポクロウシク")
    assert titles(hits) == ["ポクロフスク周辺で激戦"]
    assert "【ポクロフスク】" in hits[0]["snippet"]
    assert search(store, "ポクロウシク", expand=False) == []


def test_filters(store: Path) -> None:
    assert titles(search(store, "停戦", outlet="東亜通信")) == ["露外務省、停戦案を拒否"]
    assert titles(search(store, "停戦", since="2025-08-16")) == ["米国と欧州、停戦協議で溝"]
    assert titles(search(store, "停戦", until="2025-08-16")) == ["露外務省、停戦案を拒否"]
    assert titles(search(store, "ウクライナ", author="佐藤")) and all(
        t in ("ポクロフスク周辺で激戦", "米国と欧州、停戦協議で溝")
        for t in titles(search(store, "ウクライナ", author="佐藤"))
    )
    assert titles(search(store, "ロシア", entity="ポクロウシク")) == ["ポクロフスク周辺で激戦"]
    assert titles(search(store, "", entity="ルビオ")) == ["米国、追加支援を表明"]
    assert titles(search(store, "停戦", frame="russia_stalling")) == ["露外務省、停戦案を拒否"]
    assert titles(search(store, "停戦", stance="ロシア:neg")) == ["露外務省、停戦案を拒否"]
    assert search(store, "停戦", stance="Russia:pos") == []
    assert len(search(store, "停戦", genre="report")) == 2
    with pytest.raises(ValueError):
        search(store, "停戦", stance="Russia")
    with pytest.raises(ValueError):
        search(store, "停戦", since="yesterday")


def test_until_a_month_or_year_is_inclusive(store: Path) -> None:
    assert sorted(titles(search(store, "停戦", until="2025-08"))) == ["米国と欧州、停戦協議で溝", "露外務省、停戦案を拒否"]
    assert search(store, "停戦", until="2025-07") == []
    assert len(search(store, "", until="2025")) == len(ARTICLES)
    assert titles(search(store, "", since="2025-09")) == ["北海道で新米の収穫始まる"]


FILTERED = [
    ("停戦 ウクライナ", {"outlet": "極東"}),  # both indexes (2-character token, katakana trigram)
    ("停戦 ウクライナ", {"genre": "report"}),
    ("ウクライナ", {"since": "2025-08-16", "until": "2025-08-17"}),
    ("ウクライナ 支援", {"entity": "ルビオ"}),
    ("停戦", {"frame": "russia_stalling", "outlet": "東亜"}),
    ("ロシア", {"entity": "ポクロウシク", "author": "佐藤"}),  # an author filter has no set
]


@pytest.mark.parametrize(("query", "filters"), FILTERED)
def test_filter_sets_and_row_tests_give_the_same_hits(
    store: Path, monkeypatch: pytest.MonkeyPatch, query: str, filters: dict
) -> None:
    """A filter's document set (built from its index) keeps exactly the rows its row test keeps."""
    from kansoku.store import search as S

    monkeypatch.setattr(S, "SET_FACTOR", 0)  # never a set: every candidate's row is read
    by_rows = search(store, query, **filters)
    monkeypatch.setattr(S, "SET_FACTOR", 10**9)  # always the smallest set
    by_sets = search(store, query, **filters)
    assert by_rows == by_sets
    assert by_rows  # each case has hits, so that it compares something


def test_set_plan_is_used_when_the_set_is_small(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kansoku.store import db
    from kansoku.store import search as S

    con = db.connect(store, create=False)
    try:
        comp = S.compile_terms(S.parse_query(con, "停戦 ウクライナ"))
        flist = S._filter_list(con, None, "極東", None, None, None, None, None, None)
        monkeypatch.setattr(S, "SET_FACTOR", 10**9)
        assert "fs AS MATERIALIZED" in S._plan(con, comp, flist, 5)[0]
        monkeypatch.setattr(S, "SET_FACTOR", 0)
        assert "fs AS" not in S._plan(con, comp, flist, 5)[0]
    finally:
        con.close()


def test_redundant_trigram_forms_and_snippet_window() -> None:
    from kansoku.store.search import HL_CLOSE, HL_OPEN, _window_snippet, _without_superstrings

    assert _without_superstrings(["ツイッター", "旧ツイッター", "Twitter", "twitter社"]) == ["ツイッター", "Twitter"]
    text = "ロシアは声明を出した。" + "関係のない文章が続く。" * 8 + "ロシアとウクライナの停戦協議が始まった。"
    snip = _window_snippet(text, ("ロシア", "ウクライナ"))
    # the window naming both forms, not the first occurrence of one
    assert f"{HL_OPEN}ロシア{HL_CLOSE}と{HL_OPEN}ウクライナ{HL_CLOSE}" in snip
    assert _window_snippet(text, ("ベラルーシ",)) is None


def test_ranking_and_limit(store: Path) -> None:
    hits = search(store, "ウクライナ")
    assert len(hits) == 3
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    assert len(search(store, "ウクライナ", limit=1)) == 1


def test_cli_jsonl_shape_and_table(store: Path) -> None:
    from kansoku.cli import app

    runner = CliRunner()
    r = runner.invoke(app, ["search", "停戦", "--db", str(store), "--format", "jsonl", "--outlet", "極東"])
    assert r.exit_code == 0, r.output
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert len(lines) == 1
    hit = lines[0]
    assert {"source", "title", "score", "snippet", "id", "published"} <= set(hit)
    assert hit["title"] == "米国と欧州、停戦協議で溝" and hit["published"] == "2025-08-18"
    assert hit["source"].endswith("arts.jsonl#5") and len(hit["id"]) == 16
    assert "【停戦】" in hit["snippet"] and isinstance(hit["score"], float)

    r = runner.invoke(app, ["search", "停戦", "--db", str(store)])
    assert r.exit_code == 0 and "2 hits" in r.stdout

    r = runner.invoke(app, ["search", "停戦", "--db", str(store), "--stance", "nonsense"])
    assert r.exit_code == 2
    r = runner.invoke(app, ["search", "停戦", "--db", str(store.parent / "missing.db")])
    assert r.exit_code == 2 and not (store.parent / "missing.db").exists()


def test_env_default_db(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kansoku.cli import app

    monkeypatch.setenv("KANSOKU_DB", str(store))
    r = CliRunner().invoke(app, ["search", "露", "--format", "jsonl"])
    assert r.exit_code == 0 and "露外務省" in r.stdout


# ------------------------------------------------------------------------------------ empty queries

EMPTY_QUERIES = ["", "   ", "\u3000", '"', '""', "「」", "『』。、", "!?"]


@pytest.mark.parametrize("query", EMPTY_QUERIES)
def test_query_without_a_word_is_refused(store: Path, query: str) -> None:
    from kansoku.store.search import EmptyQueryError

    with pytest.raises(EmptyQueryError) as info:
        search(store, query)
    assert isinstance(info.value, ValueError)  # callers that catch ValueError (the web UI) see it too
    assert str(info.value) == "search: the query is empty; give at least one word"


def test_query_of_one_word_in_quotes_still_searches(store: Path) -> None:
    assert titles(search(store, '"新米"')) == ["北海道で新米の収穫始まる"]


@pytest.mark.parametrize("query", ["", "「」"])
def test_cli_empty_query_is_one_usage_line(store: Path, query: str) -> None:
    from kansoku.cli import app

    r = CliRunner().invoke(app, ["search", query, "--db", str(store)])
    assert r.exit_code == 2
    assert r.stderr == "kansoku: search: the query is empty; give at least one word\n"
    assert r.stdout == ""
