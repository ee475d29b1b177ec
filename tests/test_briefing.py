"""Corpus briefing (HTML + Markdown + charts) on the sample corpus."""

from __future__ import annotations

import json
import re
import warnings

import pytest

from kansoku.report import charts
from kansoku.report.briefing import build_briefing, definitions, glossary, key_points, write_briefing
from test_corpus import key_of, sample_records  # the sample corpus, analysed once per session

_GLYPH = re.compile(r"missing from|Glyph", re.I)


@pytest.fixture(scope="module")
def recs() -> list[dict]:
    return sample_records()


@pytest.fixture(scope="module")
def written(recs, tmp_path_factory):
    out = tmp_path_factory.mktemp("briefing")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        paths = write_briefing(recs, out)
    return out, paths, [str(w.message) for w in caught]


def test_files_written(written):
    out, paths, _ = written
    names = {p.relative_to(out).as_posix() for p in paths}
    assert {"briefing.html", "briefing.md", "briefing.json"} <= names
    assert {"charts/frames.svg", "charts/stance.svg", "charts/network.svg", "charts/timeline.svg"} <= names
    for p in paths:
        assert p.exists() and p.stat().st_size > 200


def test_no_missing_glyphs(written):
    _, _, msgs = written
    assert not [m for m in msgs if _GLYPH.search(m)]


def test_glyph_check_catches_tofu():
    with pytest.raises(RuntimeError, match="missing glyphs"):
        charts.bars(["ロシア \U0001f6f0"], [1.0], "テスト", strict=True)


def test_html_self_contained(written):
    out, _, _ = written
    page = (out / "briefing.html").read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", page, re.I)
    assert "<link" not in page and "<script" not in page and "@import" not in page
    assert "<style>" in page and page.count("<svg") >= 4
    # charts carry their glyphs as paths: no font needed by the reader's browser
    assert "<text" not in page.split("<svg", 1)[1]


def test_html_content(written):
    out, _, _ = written
    page = (out / "briefing.html").read_text(encoding="utf-8")
    for s in ("要点", "数値の食い違い", "少なくとも12人", "30人超", "オレクサンドル・ハルチェンコ知事", "ロシア国防省",
              "用語・表記", "ポクロウシク", "フレーム × 媒体", "スタンス × 媒体", "共起ネットワーク", "時系列"):
        assert s in page, s
    md = (out / "briefing.md").read_text(encoding="utf-8")
    assert "## 要点" in md and "![フレーム × 媒体](charts/frames.svg)" in md
    assert re.search(r"\| 死者 \| 少なくとも12人 .*\| オレクサンドル・ハルチェンコ知事 \| 30人超 .*\| ロシア国防省 \|", md)


def test_briefing_data(written, recs):
    out, _, _ = written
    data = json.loads((out / "briefing.json").read_text(encoding="utf-8"))
    deaths = [c for c in data["conflicts"] if c["category"] == "deaths"]
    assert len(deaths) == 1
    assert {deaths[0]["a"]["value"], deaths[0]["b"]["value"]} == {12, 30}
    labels = {s["label"] for s in data["overview"]["stories"]}
    assert any("クラマトルスク" in s for s in labels) and any("イスタンブール" in s for s in labels)
    from kansoku.corpus import outlet_of

    blog = next(r for r in recs if r["source"].endswith("04_blog_multipolar_summit.txt"))
    assert outlet_of(blog) != "北斗"  # the blog's author is not its outlet
    assert any(b["outlet"] == outlet_of(blog) and any(f["id"] == "multipolar_order" for f in b["frames"])
               for b in data["blind_spots"])


def test_key_points_sourced_and_deduplicated(recs):
    kp = key_points(recs, n=8)
    assert len(kp) == 8
    by_id = {r["id"]: r for r in recs}
    for k in kp:
        rec = by_id[k["doc_id"]]
        assert k["outlet"] and k["source"] == rec["source"]
        assert rec["text"][k["start"] : k["end"]].endswith(k["text"])  # minus a dateline or speaker tag
    # the syndicated copy (02) never adds a second copy of a point made by 01
    from kansoku.corpus.stories import shingle_jaccard

    for i, x in enumerate(kp):
        for y in kp[i + 1 :]:
            assert shingle_jaccard(x["text"], y["text"]) < 0.35
    assert sum("クラマトルスクで15日未明" in k["text"] for k in kp) <= 1
    # a sentence carried by two outlets outranks one carried by one
    assert any(k["support"] >= 2 for k in kp)


def test_glossary_definitions_and_spellings(recs):
    defs = {d["term"]: d for d in definitions(recs)}
    assert "ポクロフスク" in defs and defs["ポクロフスク"]["aliases"] == ["ポクロウシク"]
    assert defs["ポクロフスク"]["definition"].startswith("ドネツク州西部の都市")
    g = {e["id"]: e for e in glossary(recs) if e["id"]}
    pok = g["gpe:pokrovsk"]
    assert {"ポクロフスク", "ポクロウシク"} <= {v["text"] for v in pok["variants"]}
    assert pok["definitions"]
    assert "NATO" in g["org:nato"]["glosses"]
    assert "ドローン" in g["other:unmanned-aerial-vehicle"]["glosses"]
    assert all("英語原文" not in x for e in g.values() for x in e["glosses"])


def test_english_briefing(recs, tmp_path):
    kram = [r for r in recs if key_of(r).startswith(("01_", "02_", "03_"))]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        paths = write_briefing(kram, tmp_path, lang="en")
    assert not [w for w in caught if _GLYPH.search(str(w.message))]
    page = paths[0].read_text(encoding="utf-8")
    assert "Key points" in page and "Conflicting figures" in page and "Glossary and spellings" in page
    data = build_briefing(kram, lang="en")
    assert data["title"].startswith("クラマトルスク")  # one story: titled by its label
    assert [c["category"] for c in data["conflicts"]] == ["deaths"]
