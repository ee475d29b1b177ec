"""The tool against the light gold of the bundled sample corpus (examples/MANIFEST.json).

The manifest was written with the articles, before the extractors were tuned; the bars below are the
levels the pipeline reaches, kept as regression guards.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest

from kansoku.extract.entities import strip_title
from kansoku.model import RawDoc
from kansoku.pipeline import run
from kansoku.read import iter_documents
from kansoku.resolve.corpus import link_corpus

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "examples" / "corpus"
MANIFEST = ROOT / "examples" / "MANIFEST.json"


def norm(s: str) -> str:
    return unicodedata.normalize("NFKC", s).replace("・", "").replace(" ", "")


@pytest.fixture(scope="module")
def analysed():
    items = list(iter_documents([CORPUS]))
    assert all(isinstance(i, RawDoc) for i in items), [str(i) for i in items if not isinstance(i, RawDoc)]
    recs = link_corpus([r for r in run(items, workers=1) if isinstance(r, dict)])
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    by_key = {}
    for r in recs:
        p = Path(r["source"].split("#")[0]).name
        key = p + ("#" + r["source"].split("#")[1] if "#" in r["source"] else "")
        by_key[key] = r
    gold = {}
    for k, v in manifest.items():
        if k.startswith("_"):
            continue
        for item in v if isinstance(v, list) else [v]:
            gold[item.get("id", k)] = item
    return recs, by_key, gold, manifest["_corpus"]


def bare(s: str) -> str:
    s = norm(s)
    return strip_title(s)


def ids_for(rec: dict, surface: str) -> set[str]:
    s = bare(surface)
    return {e["id"] for e in rec["entities"] for m in e["mentions"] if bare(m["text"]) == s}


def test_every_item_analysed(analysed):
    recs, by_key, gold, _ = analysed
    assert set(gold) <= set(by_key), set(gold) - set(by_key)


def test_spelling_variants_within_articles_merge(analysed):
    _, by_key, gold, _ = analysed
    pairs = [(k, a, b) for k, g in gold.items() for a, b in g.get("variants", [])]
    ok = [p for p in pairs if ids_for(by_key[p[0]], p[1]) & ids_for(by_key[p[0]], p[2])]
    assert len(ok) / len(pairs) >= 0.8, sorted(set(pairs) - set(ok))


def test_lookalikes_stay_apart(analysed):
    _, by_key, gold, _ = analysed
    pairs = [(k, a, b) for k, g in gold.items() for a, b in g.get("separate", [])]
    for k, a, b in pairs:
        ia, ib = ids_for(by_key[k], a), ids_for(by_key[k], b)
        assert not (ia & ib), (k, a, b)


def test_variants_across_the_corpus_share_ids(analysed):
    recs, _, _, corpus = analysed

    def all_ids(s):
        return set().union(*(ids_for(r, s) for r in recs))

    ok = [p for p in corpus["variants"] if all_ids(p[0]) & all_ids(p[1])]
    assert len(ok) / len(corpus["variants"]) >= 0.85, [p for p in corpus["variants"] if p not in ok]


def test_planted_quantities_are_found_with_value_and_unit(analysed):
    _, by_key, gold, _ = analysed
    total = found = with_source = source_ok = 0
    for k, g in gold.items():
        for q in g.get("quantities", []):
            total += 1
            if isinstance(q["value"], list):
                q = {**q, "value": q["value"][0]}
            hit = next((o for o in by_key[k]["quantities"] if abs(o["value"] - q["value"]) <= 0.01 * abs(q["value"])
                        and o["unit"] == q["unit"]), None)
            found += hit is not None
            if q.get("source"):
                with_source += 1
                source_ok += bool(hit and hit.get("source") and (norm(hit["source"]) in norm(q["source"])
                                                                 or norm(q["source"]) in norm(hit["source"])))
    assert found / total >= 0.85, (found, total)
    assert source_ok / with_source >= 0.6, (source_ok, with_source)


def test_dates_resolve_against_the_publication_date(analysed):
    _, by_key, gold, _ = analysed
    total = ok = 0
    for k, g in gold.items():
        for t in g.get("timex", []):
            total += 1
            ok += any(norm(t["surface"]) in norm(o["text"]) and str(o.get("value", "")).startswith(t["value"])
                      for o in by_key[k]["timex"])
    assert ok / total >= 0.7, (ok, total)


def test_publication_dates_and_authors(analysed):
    _, by_key, gold, _ = analysed
    dated = [(k, g["published"]) for k, g in gold.items() if g.get("published")]
    ok = [k for k, d in dated if by_key[k]["metadata"]["published"] == d]
    assert len(ok) / len(dated) >= 0.8, [k for k, _ in dated if k not in ok]
    undated = [k for k, g in gold.items() if "published" in g and g["published"] is None]
    for k in undated:
        assert by_key[k]["metadata"]["published"] is None, k
    authors = [(k, a) for k, g in gold.items() for a in g.get("authors", [])]
    got = [(k, a) for k, a in authors
           if any(norm(a) in norm(x["name"]) or norm(x["name"]) in norm(a) for x in by_key[k]["metadata"]["authors"])]
    assert len(got) / len(authors) >= 0.8, sorted(set(authors) - set(got))
