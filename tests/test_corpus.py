"""Cross-article analysis (kansoku.corpus) on the sample corpus and on small synthetic records."""

from __future__ import annotations

import copy
import json
from functools import lru_cache
from pathlib import Path

import pytest

from kansoku.corpus import doc_date, load_records_from_jsonl, outlet_of
from kansoku.corpus.compare import compare, compare_story, figures
from kansoku.corpus.entity import entity_profile, resolve_entity
from kansoku.corpus.stories import cluster_stories, near_duplicates, story_id
from kansoku.corpus.timeline import timeline

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "examples" / "corpus"
MANIFEST = json.loads((ROOT / "examples" / "MANIFEST.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _analysed() -> tuple[dict, ...]:
    from kansoku.pipeline import run
    from kansoku.read import iter_documents
    from kansoku.resolve.corpus import link_corpus

    recs = [r for r in run(iter_documents([CORPUS]), workers=1) if isinstance(r, dict)]
    return tuple(link_corpus(recs))


def sample_records() -> list[dict]:
    """The sample corpus analysed once per test session (a deep copy for each caller)."""
    return copy.deepcopy(list(_analysed()))


def key_of(rec: dict) -> str:
    src = rec["source"]
    name = Path(src.split("#")[0]).name
    return name + ("#" + src.split("#")[1] if "#" in src else "")


@pytest.fixture(scope="module")
def recs() -> list[dict]:
    return sample_records()


@pytest.fixture(scope="module")
def by_key(recs) -> dict[str, dict]:
    return {key_of(r): r for r in recs}


@pytest.fixture(scope="module")
def stories(recs) -> list[dict]:
    return cluster_stories(recs)


def _keys(ids, by_key) -> set[str]:
    inv = {r["id"]: k for k, r in by_key.items()}
    return {inv[i] for i in ids}


# ---------------------------------------------------------------------------------------------- stories

def test_near_duplicate_pair_found(recs, by_key):
    groups = near_duplicates(recs)
    assert [sorted(_keys(g, by_key)) for g in groups] == sorted(MANIFEST["_corpus"]["near_duplicates"])


def test_story_clusters_match_manifest(stories, by_key):
    gold = MANIFEST["_corpus"]["clusters"]
    found = [_keys(s["doc_ids"], by_key) for s in stories]
    kram, summit = set(gold["kramatorsk_strike"]), set(gold["istanbul_summit"])
    assert kram in found
    assert summit in found
    # the two stories stay apart and no other story takes any of their articles
    for f in found:
        assert not (f & kram) or f == kram
        assert not (f & summit) or f == summit


def test_story_fields(stories, by_key):
    kram = next(s for s in stories if "01_wire_kramatorsk_toa.txt" in _keys(s["doc_ids"], by_key))
    assert kram["id"] == story_id(kram["doc_ids"]) and kram["id"].startswith("s-")
    assert "クラマトルスク" in kram["label"]
    assert kram["first"] == kram["last"] == "2025-08-16"
    assert [sorted(_keys(g, by_key)) for g in kram["near_duplicates"]] == [
        ["01_wire_kramatorsk_toa.txt", "02_wire_kramatorsk_syndicated.txt"]
    ]
    summit = next(s for s in stories if "10_wire_istanbul_summit.txt" in _keys(s["doc_ids"], by_key))
    assert "イスタンブール" in summit["label"]
    # the undated blog (04) joined by similarity alone; the latest member is the op-ed of 2025-08-20
    assert summit["last"] == "2025-08-20"


def test_clustering_is_deterministic(recs):
    a = cluster_stories(recs)
    b = cluster_stories(list(reversed(recs)))
    assert [(s["id"], s["doc_ids"]) for s in a] == [(s["id"], s["doc_ids"]) for s in b]


def test_time_window_separates_same_topic(by_key):
    r1 = copy.deepcopy(by_key["01_wire_kramatorsk_toa.txt"])
    r3 = copy.deepcopy(by_key["03_wire_kramatorsk_kyokuto_sjis.txt"])
    assert len(cluster_stories([r1, r3])) == 1
    r3["metadata"]["published"] = "2025-10-01"
    r3["text"] = r3["text"].replace("2025年8月16日", "2025年10月1日")
    assert cluster_stories([r1, r3]) == []


def test_dates_and_outlets(by_key):
    assert doc_date(by_key["10_wire_istanbul_summit.txt"]) == "2025-08-16"  # from the dateline
    assert doc_date(by_key["04_blog_multipolar_summit.txt"]) is None
    assert outlet_of(by_key["01_wire_kramatorsk_toa.txt"]) == "東亜通信"
    assert outlet_of(by_key["02_wire_kramatorsk_syndicated.txt"]) == "東亜通信"  # (東亜通信配信)
    assert outlet_of(by_key["03_wire_kramatorsk_kyokuto_sjis.txt"]) == "極東通信"
    assert outlet_of(by_key["10_wire_istanbul_summit.txt"]) == "中央時事"


def test_load_records_from_jsonl(tmp_path, by_key):
    p = tmp_path / "a.jsonl"
    rec = by_key["01_wire_kramatorsk_toa.txt"]
    p.write_text(json.dumps(rec, ensure_ascii=False) + "\n\n", encoding="utf-8")
    assert load_records_from_jsonl([p]) == [rec]


# ---------------------------------------------------------------------------------------------- compare

def test_planted_death_toll_conflict(by_key):
    a = [by_key["01_wire_kramatorsk_toa.txt"], by_key["02_wire_kramatorsk_syndicated.txt"]]
    b = [by_key["03_wire_kramatorsk_kyokuto_sjis.txt"]]
    res = compare(a, b)
    deaths = [c for c in res["figures"]["conflicts"] if c["category"] == "deaths"]
    assert len(deaths) == 1, deaths  # 01 and 02 say the same thing: one conflict, not two
    c = deaths[0]
    assert (c["a"]["value"], c["a"]["qualifier"]) == (12, "at_least")
    assert (c["b"]["value"], c["b"]["qualifier"]) == (30, "more_than")
    assert c["a"]["source"] == "オレクサンドル・ハルチェンコ知事"
    # the extractor gives 同省 for 03; compare resolves it to the ministry named in the lead
    assert c["b"]["source"] == "ロシア国防省"
    assert c["b"]["source_entity_id"] == "org:ministry-of-defence-of-russia"
    assert c["relative_difference"] == 0.6
    # evidence offsets point into each article's own text
    for side in ("a", "b"):
        rec = next(r for r in a + b if r["id"] == c[side]["doc_id"])
        assert rec["text"][c[side]["start"] : c[side]["end"]] == c[side]["text"]
        s = c[side]["sentence"]
        assert rec["text"][s["start"] : s["end"]] == s["text"]
    # figures about other places or other subjects are not set against the death toll
    assert not any(x["a"]["value"] == 2 for x in res["figures"]["conflicts"])
    assert not any(x["unit"] == "aircraft" for x in res["figures"]["conflicts"])


def test_syndicated_copy_agrees_with_original(by_key):
    res = compare(by_key["01_wire_kramatorsk_toa.txt"], by_key["02_wire_kramatorsk_syndicated.txt"])
    assert res["figures"]["conflicts"] == []
    agreed = {(x["category"], x["a"]["value"]) for x in res["figures"]["agreements"]}
    assert ("deaths", 12) in agreed and ("injured", 40) in agreed
    assert res["claims"]["only_a"] == [] and res["claims"]["only_b"] == []
    assert res["blind_spots"]["only_a"]["entities"] == [] and res["blind_spots"]["only_b"]["frames"] == []


def test_compare_story_outlets(stories, by_key, recs):
    kram = next(s for s in stories if "03_wire_kramatorsk_kyokuto_sjis.txt" in _keys(s["doc_ids"], by_key))
    res = compare_story(kram, recs)
    assert [g["outlet"] for g in res["groups"]] == ["東亜通信", "極東通信"]
    assert len(res["groups"][0]["doc_ids"]) == 2  # original + syndicated copy
    sources = {(c["a"]["source"], c["b"]["source"]) for c in res["conflicts"] if c["category"] == "deaths"}
    assert sources == {("オレクサンドル・ハルチェンコ知事", "ロシア国防省")}


def test_istanbul_framing_contrast(by_key):
    res = compare(by_key["04_blog_multipolar_summit.txt"], by_key["05_oped_thinktank_translated.txt"])
    frames = {f["id"]: f for f in res["frames"]}
    assert frames["multipolar_order"]["a"] and frames["multipolar_order"]["b"] is None
    assert frames["russia_stalling"]["b"] and frames["russia_stalling"]["a"] is None
    assert "multipolar_order" in {f["id"] for f in res["blind_spots"]["only_a"]["frames"]}
    assert "russia_stalling" in {f["id"] for f in res["blind_spots"]["only_b"]["frames"]}
    stance = {s["target"]: s for s in res["stance"]}
    assert stance["Russia"]["a"]["score"] > 0 > stance["Russia"]["b"]["score"]


def _rec(rid: str, text: str, entities: list[tuple[str, str, str, list[str]]], claims=(), frames=(), quantities=()):
    ents = []
    for eid, name, typ, surfaces in entities:
        ms = []
        for s in surfaces:
            i = text.find(s)
            assert i >= 0, s
            ms.append({"text": s, "start": i, "end": i + len(s)})
        ents.append({"id": eid, "name": name, "name_en": None, "type": typ, "mentions": ms, "resolution": []})
    cl = []
    for n, (speaker, eid, sent) in enumerate(claims):
        i = text.find(sent)
        cl.append({"id": n, "text": sent, "start": i, "end": i + len(sent), "speaker": speaker,
                   "speaker_span": {"start": i, "end": i + len(speaker)}, "speaker_entity_id": eid,
                   "cue": "と述べた", "kind": "quote", "content_span": {"start": i, "end": i + len(sent)}})
    qs = []
    for qt, value, subject, source in quantities:
        i = text.find(qt)
        qs.append({"text": qt, "start": i, "end": i + len(qt), "value": value, "unit": "person", "approx": False,
                   "subject": subject, "source": source, "source_span": None, "source_entity_id": None,
                   "qualifier": None, "range_to": None})
    sents, pos = [], 0
    for part in text.split("。"):
        if part:
            sents.append([pos, pos + len(part) + 1])
            pos += len(part) + 1
    return {"id": rid, "source": rid, "title": None, "text": text, "sentences": sents,
            "metadata": {"outlet": rid.upper(), "published": "2025-08-15", "authors": []},
            "entities": ents, "claims": cl, "quantities": qs, "events": [], "stance": [],
            "frames": [{"id": fid, "label": lab, "score": sc, "voice": "author", "evidence": []}
                       for fid, lab, sc in frames]}


def test_blind_spots_on_synthetic_pair():
    a = _rec(
        "a",
        "ロシア軍がオデーサを攻撃した。オデーサ州知事は死者は5人だと述べた。赤十字は支援を始めた。赤十字は倉庫を開いた。",
        [("gpe:russia", "ロシア", "GPE", ["ロシア"]), ("gpe:odesa", "オデーサ", "GPE", ["オデーサ", "オデーサ州"]),
         ("org:red-cross", "赤十字", "ORG", ["赤十字", "赤十字は倉"])],
        claims=[("オデーサ州知事", "x:person:governor", "オデーサ州知事は死者は5人だと述べた。")],
        frames=[("humanitarian_cost", "人道的コスト", 0.9), ("pressure_russia", "対露圧力強化", 0.3)],
        quantities=[("5人", 5, "死者", "オデーサ州知事")],
    )
    b = _rec(
        "b",
        "ロシア国防省はオデーサの軍事施設を攻撃したと発表した。死者は8人だという。",
        [("gpe:russia", "ロシア", "GPE", ["ロシア"]), ("gpe:odesa", "オデーサ", "GPE", ["オデーサ"]),
         ("org:mod-russia", "ロシア国防省", "ORG", ["ロシア国防省"])],
        claims=[("ロシア国防省", "org:mod-russia", "ロシア国防省はオデーサの軍事施設を攻撃したと発表した。")],
        frames=[("russia_peace_seeking", "ロシアは和平を望んでいる", 0.8)],
        quantities=[("8人", 8, "死者", None)],
    )
    res = compare(a, b)
    assert [e["id"] for e in res["entities"]["shared"]] == ["gpe:odesa", "gpe:russia"] or {
        e["id"] for e in res["entities"]["shared"]
    } == {"gpe:odesa", "gpe:russia"}
    ba, bb = res["blind_spots"]["only_a"], res["blind_spots"]["only_b"]
    assert [e["id"] for e in ba["entities"]] == ["org:red-cross"]  # 2 mentions in A, none in B
    assert [f["id"] for f in ba["frames"]] == ["humanitarian_cost"]  # 0.3 is not prominent
    assert [c["speaker"] for c in ba["claims"]] == ["オデーサ州知事"]
    assert bb["entities"] == []  # one mention only: not prominent
    assert [f["id"] for f in bb["frames"]] == ["russia_peace_seeking"]
    assert [c["speaker"] for c in bb["claims"]] == ["ロシア国防省"]
    conf = res["figures"]["conflicts"]
    assert len(conf) == 1 and (conf[0]["a"]["value"], conf[0]["b"]["value"]) == (5, 8)
    assert conf[0]["a"]["source"] == "オデーサ州知事" and conf[0]["b"]["source"] is None


def test_figures_within_tolerance_agree():
    a = _rec("a", "キーウで攻撃があった。死者は100人だ。", [("gpe:kyiv", "キーウ", "GPE", ["キーウ"])],
             quantities=[("100人", 100, "死者", None)])
    b = _rec("b", "キーウで攻撃があった。死者は105人だ。", [("gpe:kyiv", "キーウ", "GPE", ["キーウ"])],
             quantities=[("105人", 105, "死者", None)])
    res = compare(a, b)
    assert res["figures"]["conflicts"] == [] and len(res["figures"]["agreements"]) == 1
    b["quantities"][0]["value"] = 120
    assert len(compare(a, b)["figures"]["conflicts"]) == 1


def test_figures_keep_sourced_copy_of_headline_number(by_key):
    f3 = [f for f in figures(by_key["03_wire_kramatorsk_kyokuto_sjis.txt"]) if f["category"] == "deaths"]
    assert len(f3) == 1 and f3[0]["source"] == "ロシア国防省"


# ---------------------------------------------------------------------------------------------- timeline

def test_timeline_order_and_independent_sources(recs, by_key, stories):
    kram = next(s for s in stories if "01_wire_kramatorsk_toa.txt" in _keys(s["doc_ids"], by_key))
    tl = timeline(recs, story=kram)
    dates = [e["date"] for e in tl]
    resolved = [d for d in dates if not d.startswith("X")]
    assert resolved == sorted(resolved) and len(resolved) >= 5
    assert all(d.startswith("X") for d in dates[len(resolved):])  # unresolved last, grouped
    assert dates[len(resolved):] == sorted(dates[len(resolved):])
    r1, r2, r3 = (by_key[k] for k in ("01_wire_kramatorsk_toa.txt", "02_wire_kramatorsk_syndicated.txt",
                                      "03_wire_kramatorsk_kyokuto_sjis.txt"))
    # the original and its syndicated copy: every event merges, one independent source
    pair = timeline([r1, r2])
    assert pair and all(sorted(e["doc_ids"]) == sorted([r1["id"], r2["id"]]) for e in pair)
    assert all(e["independent_sources"] == 1 and e["sources"] == ["東亜通信"] for e in pair)
    assert not any("配信" in e["text"] for e in pair)  # the 02 header line is not an event
    # 03 (another outlet) tells the same strike: its lead joins, now two independent sources
    lead = next(e for e in tl if r3["id"] in e["doc_ids"] and r1["id"] in e["doc_ids"])
    assert "クラマトルスク" in lead["text"] and lead["date"] == "2025-08-16"
    assert len(lead["doc_ids"]) == 3 and lead["independent_sources"] == 2
    assert lead["sources"] == ["東亜通信", "極東通信"]


def test_timeline_same_outlet_counts_once():
    a = _rec("a", "キーウで15日、大規模な攻撃があった。", [("gpe:kyiv", "キーウ", "GPE", ["キーウ"])])
    b = _rec("b", "キーウで15日、大規模な攻撃があった模様だ。", [("gpe:kyiv", "キーウ", "GPE", ["キーウ"])])
    c = _rec("c", "キーウで15日、大規模な攻撃があったという。", [("gpe:kyiv", "キーウ", "GPE", ["キーウ"])])
    for r in (a, b, c):
        r["events"] = [{"text": r["text"], "start": 0, "end": len(r["text"]), "date": "2025-08-15",
                        "entities": ["gpe:kyiv"], "claim_ids": []}]
    b["metadata"]["outlet"] = "A"  # same outlet as a
    tl = timeline([a, b, c])
    assert len(tl) == 1 and len(tl[0]["doc_ids"]) == 3
    assert tl[0]["sources"] == ["A", "C"] and tl[0]["independent_sources"] == 2


def test_timeline_entity_filter(recs):
    tl = timeline(recs, entity="ゼレンシキー")
    assert tl and all("person:volodymyr-zelensky" in e["entities"] for e in tl)


# ---------------------------------------------------------------------------------------------- entity

def test_entity_profile_pokrovsk_variants(recs):
    a = resolve_entity(recs, "ポクロウシク")
    b = resolve_entity(recs, "ポクロフスク")
    assert a == b == "gpe:pokrovsk"
    prof = entity_profile(recs, "ポクロウシク")
    assert prof["id"] == "gpe:pokrovsk"
    variants = {v["text"] for v in prof["variants"]}
    assert {"ポクロフスク", "ポクロウシク"} <= variants
    assert prof["mentions_by_source"] and prof["co_occurring"]


def test_entity_profile_claims_about(recs):
    prof = entity_profile(recs, "露")
    assert prof["id"] == "gpe:russia" and prof["claims_about"]
    for c in prof["claims_about"]:
        assert c["speaker_entity_id"] != "gpe:russia"
    assert any("ロシア" in c["text"] for c in prof["claims_about"])


def test_entity_profile_person(recs):
    prof = entity_profile(recs, "ゼレンスキー")
    assert prof["id"] == "person:volodymyr-zelensky"
    assert {"ゼレンスキー", "ゼレンシキー"} <= {v["text"] for v in prof["variants"]}
    assert len(prof["claims_by"]) >= 3
    assert all(c["speaker_entity_id"] == prof["id"] for c in prof["claims_by"])
    assert entity_profile(recs, "存在しない名前") is None


# ---------------------------------------------------------------------------------------------- CLI

@pytest.fixture(scope="module")
def cli(recs, tmp_path_factory):
    import typer
    from typer.testing import CliRunner

    from kansoku.corpus.cli import register
    from kansoku.report.cli import register as register_report

    app = typer.Typer()

    @app.callback()
    def _main() -> None:
        pass

    register(app)
    register_report(app)
    path = tmp_path_factory.mktemp("cli") / "records.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    runner = CliRunner()

    def run(*args: str) -> object:
        return runner.invoke(app, [*args, "--input", str(path)])

    return run


def test_cli_stories_and_compare_json(cli, by_key):
    res = cli("stories", "--format", "json")
    assert res.exit_code == 0, res.output
    stories = json.loads(res.stdout)
    kram = next(s for s in stories if by_key["03_wire_kramatorsk_kyokuto_sjis.txt"]["id"] in s["doc_ids"])
    res = cli("compare", "--story", kram["id"], "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert {(c["a"]["value"], c["b"]["value"]) for c in data["conflicts"]} == {(12, 30)}
    res = cli("compare", "01_wire_kramatorsk_toa.txt", "03_wire", "-f", "json")
    assert res.exit_code == 0 and json.loads(res.stdout)["figures"]["conflicts"]
    res = cli("compare", "01_wire_kramatorsk_toa.txt", "no-such-doc")
    assert res.exit_code == 1


def test_cli_tables_entity_timeline_report(cli, tmp_path):
    res = cli("stories")
    assert res.exit_code == 0 and "stories" in res.stdout
    res = cli("entity", "ポクロウシク", "-f", "json")
    assert res.exit_code == 0 and json.loads(res.stdout)["id"] == "gpe:pokrovsk"
    assert cli("entity", "ポクロウシク").exit_code == 0
    res = cli("timeline", "--entity", "ゼレンスキー", "-f", "json")
    assert res.exit_code == 0 and json.loads(res.stdout)
    assert cli("timeline").exit_code == 0
    res = cli("report", "--query", "クラマトルスク", "--out", str(tmp_path), "-f", "json")
    assert res.exit_code == 0, res.output
    assert (tmp_path / "briefing.html").exists()
    assert json.loads(res.stdout)["articles"] >= 3


# ------------------------------------------------------------------------------------- store vs JSONL


@pytest.fixture(scope="module")
def both(recs, tmp_path_factory):
    """The sample records as JSONL and as a store (loaded with `kansoku ingest --records`, no analysis)."""
    from typer.testing import CliRunner

    from kansoku.cli import app

    d = tmp_path_factory.mktemp("both")
    jsonl = d / "records.jsonl"
    jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    db = d / "k.db"
    runner = CliRunner()
    res = runner.invoke(app, ["ingest", str(jsonl), "--records", "--db", str(db), "--quiet"])
    assert res.exit_code == 0, res.output

    def run(*args: str) -> tuple[object, object]:
        a = runner.invoke(app, [*args, "--db", str(db), "--format", "json"])
        b = runner.invoke(app, [*args, "--input", str(jsonl), "--format", "json"])
        assert a.exit_code == 0 and b.exit_code == 0, (a.output, b.output)
        return json.loads(a.stdout), json.loads(b.stdout)

    return run


def test_store_and_jsonl_give_the_same_stories(both, stories):
    from_store, from_jsonl = both("stories", "--min-size", "1")
    assert from_store == from_jsonl
    assert [s for s in from_store if s["size"] >= 2] == stories  # and the same as the Python function


@pytest.mark.parametrize("args", [("timeline",), ("timeline", "--entity", "ゼレンスキー"), ("timeline", "--entity", "露")])
def test_store_and_jsonl_give_the_same_timeline(both, recs, args):
    from_store, from_jsonl = both(*args)
    assert from_store == from_jsonl and from_store
    entity = args[2] if len(args) > 2 else None
    assert from_store == timeline(recs, entity=entity)


@pytest.mark.parametrize("name", ["ポクロウシク", "ゼレンスキー", "露", "gpe:kramatorsk", "NATO"])
def test_store_and_jsonl_give_the_same_entity_profile(both, recs, name):
    from_store, from_jsonl = both("entity", name)
    assert from_store == from_jsonl
    assert from_store == entity_profile(recs, name)


def test_story_timeline_and_compare_by_id_on_the_store(both, stories, by_key):
    kram = next(s for s in stories if by_key["03_wire_kramatorsk_kyokuto_sjis.txt"]["id"] in s["doc_ids"])
    from_store, from_jsonl = both("timeline", "--story", kram["id"][:8])
    assert from_store == from_jsonl and all(set(e["doc_ids"]) <= set(kram["doc_ids"]) for e in from_store)
    from_store, from_jsonl = both("compare", "--story", kram["id"])
    assert from_store == from_jsonl
    assert {(c["a"]["value"], c["b"]["value"]) for c in from_store["conflicts"]} == {(12, 30)}


def test_entity_lists_are_paged(both):
    from_store, _ = both("entity", "露", "--limit", "1")
    assert from_store["docs"] > 1 and len(from_store["mentions_by_source"]) == 1
    assert len(from_store["co_occurring"]) == 1


# ------------------------------------------------------------------------------------- scalable pieces


def _old_average_link(sim, clusters, threshold):
    """The O(k³) reference: argmax over the whole masked matrix at every merge."""
    import numpy as np

    s = np.asarray(sim, dtype=float)
    k = len(clusters)
    c = np.array([[s[np.ix_(a, b)].mean() for b in clusters] for a in clusters])
    np.fill_diagonal(c, -np.inf)
    size = np.array([len(a) for a in clusters], dtype=float)
    alive = np.ones(k, dtype=bool)
    members = [list(a) for a in clusters]
    while alive.sum() > 1:
        masked = np.where(alive[:, None] & alive[None, :], c, -np.inf)
        x, y = divmod(int(np.argmax(masked)), k)
        if masked[x, y] <= threshold + 1e-12:
            break
        x, y = min(x, y), max(x, y)
        new = (size[x] * c[x] + size[y] * c[y]) / (size[x] + size[y])
        c[x, :] = new
        c[:, x] = new
        c[x, x] = -np.inf
        size[x] += size[y]
        alive[y] = False
        members[x] = sorted(members[x] + members[y])
    return [members[i] for i in range(k) if alive[i]]


@pytest.mark.parametrize("seed", range(6))
def test_average_link_matches_the_full_scan(seed):
    import numpy as np

    from kansoku.corpus.stories import _average_link, _sparse_average_link

    rng = np.random.default_rng(seed)
    n = 60
    s = rng.choice([0.0, 0.1, 0.2, 0.3, 0.5, 0.8], size=(n, n))  # few values: many ties
    s = np.triu(s, 1)
    s = s + s.T
    np.fill_diagonal(s, 1.0)
    clusters = [[0, 1, 2], [3, 4]] + [[i] for i in range(5, n)]
    want = _old_average_link(s, clusters, 0.19)
    assert _average_link(s, clusters, 0.19) == want
    pairs = {(i, j): s[i, j] for i in range(n) for j in range(i + 1, n) if s[i, j] > 0}
    got = _sparse_average_link(pairs, clusters, 0.19)
    assert sorted(got) == sorted(want)


def test_candidate_pairs_find_every_pair_above_the_threshold():
    import numpy as np

    from kansoku.corpus.stories import _candidate_pairs, _pair_dots

    rng = np.random.default_rng(3)
    n, nf = 300, 400
    rows = []
    for _ in range(n):
        f = rng.choice(nf, size=rng.integers(1, 40), replace=False, p=np.linspace(2, 0.1, nf) / np.linspace(2, 0.1, nf).sum())
        v = rng.random(len(f)) ** 2
        rows.append((f, v / np.linalg.norm(v)))
    indptr = np.cumsum([0] + [len(f) for f, _ in rows])
    indices = np.concatenate([f for f, _ in rows]).astype(np.int64)
    data = np.concatenate([v for _, v in rows])
    days = rng.integers(0, 60, n)
    days[:20] = -1  # undated
    dense = np.zeros((n, nf))
    dense[np.repeat(np.arange(n), np.diff(indptr)), indices] = data
    full = dense @ dense.T
    for threshold, window, share in ((0.1, 7, 1.0), (0.19, 7, 1.0), (0.4, 7, 0.3), (0.19, None, 0.5)):
        pi, pj, lower, upper = _candidate_pairs(indptr, indices, data, days, window, threshold, share)
        found = set(zip(pi.tolist(), pj.tolist(), strict=True))
        assert len(found) == len(pi)  # each pair once, i < j
        assert all(i < j for i, j in found)
        exact = full[pi, pj]
        assert np.all(lower <= exact + 1e-12) and np.all(exact <= upper + 1e-12)
        assert np.allclose(_pair_dots(pi, pj, indptr, indices, data), exact)
        for i in range(n):
            for j in range(i + 1, n):
                near = window is None or days[i] < 0 or days[j] < 0 or abs(days[i] - days[j]) <= window
                if full[i, j] > threshold and near:
                    assert (i, j) in found, (threshold, i, j, full[i, j])
                if not near:
                    assert (i, j) not in found


def test_minhash_estimates_jaccard_and_is_stable():
    import numpy as np

    from kansoku.corpus.stories import shingle_jaccard
    from kansoku.store.minhash import band_keys, jaccard, signature

    a = "".join(f"ウクライナ東部で{i}日、ロシア軍の無人機{i * 3}機が飛来したと当局者は述べた。" for i in range(1, 40))
    b = a.replace("当局者", "関係者", 5)
    assert abs(jaccard(signature(a), signature(b)) - shingle_jaccard(a, b)) < 0.1
    assert jaccard(signature(a), signature(a + " ")) == 1.0  # white space is not part of the shingles
    assert signature("") is None
    # stored signatures and band keys must not change without a store schema change
    sig = signature("ロシアとウクライナの停戦協議")
    assert sig[:4].tolist() == [17632534, 176075092, 554652994, 209727786]
    assert band_keys(sig)[0, :2].tolist() == [7270732280628027256, 7025171569607087876]
    assert np.array_equal(band_keys(np.stack([sig, sig]))[1], band_keys(sig)[0])


def test_topk_candidates_when_the_windows_hold_too_many_pairs(recs, stories, monkeypatch):
    import numpy as np

    from kansoku.corpus import stories as st

    days = np.array([-1, 0, 3, 10, 11, 30, -1])
    brute = sum(1 for i in range(7) for j in range(i + 1, 7)
                if days[i] < 0 or days[j] < 0 or abs(days[i] - days[j]) <= 7)  # fmt: skip
    assert st.window_pairs(days, 7) == brute and st.window_pairs(days, None) == 21
    monkeypatch.setattr(st, "EXACT_PAIRS", 0)  # as on a large store: candidates from the heaviest features
    assert cluster_stories(recs) == stories
