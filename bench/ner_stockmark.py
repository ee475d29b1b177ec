"""Named-entity recognition on the Stockmark Wikipedia NER set: kansoku's recogniser vs bare ja_ginza.

usage: python bench/ner_stockmark.py [--limit N] [--data PATH] [--skip-ginza]

Split (fixed, documented in docs/entities.md): sentences are ordered as in ner.json; every fifth sentence
(index % 5 == 0) is the held-out TEST split, the rest is TRAIN. Nothing in kansoku is trained or tuned on
the test split. Scores are typed F1 on coarse classes: PERSON, ORG (法人名, 政治的組織名, その他の組織名),
LOC (地名), plus FAC, PRODUCT and EVENT reported separately; span F1 ignores the type.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from collections import Counter
from pathlib import Path

from kansoku.normalize import make_document

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "ner-wikipedia" / "ner.json"

STOCKMARK = {"人名": "PERSON", "法人名": "ORG", "政治的組織名": "ORG", "その他の組織名": "ORG", "地名": "LOC",
             "施設名": "FAC", "製品名": "PRODUCT", "イベント名": "EVENT"}
KANSOKU = {"PERSON": "PERSON", "ORG": "ORG", "NORP": None, "GPE": "LOC", "LOC": "LOC", "FAC": "FAC",
           "PRODUCT": "PRODUCT", "EVENT": "EVENT", "OTHER": None}
# ja_ginza's extended-named-entity labels folded to the same classes
GINZA_PERSON = {"Person"}
GINZA_ORG = {"Company", "Company_Group", "Corporation_Other", "Government", "International_Organization",
             "Military", "Organization_Other", "Political_Organization_Other", "Political_Party",
             "Pro_Sports_Organization", "Public_Institution", "Research_Institute", "School", "Show_Organization",
             "Sports_League", "Sports_Organization_Other", "Cabinet", "Family", "Ethnic_Group_Other"}
GINZA_LOC = {"City", "Country", "County", "Province", "GPE_Other", "Location_Other", "Continental_Region",
             "Domestic_Region", "Region_Other", "Geological_Region_Other", "Island", "Lake", "Mountain", "River",
             "Sea", "Bay", "Water_Route", "Astral_Body_Other", "Planet", "Countx_Other"}
GINZA_FAC = {"Facility_Other", "Airport", "Bridge", "Car_Stop", "Station", "Port", "Road", "Railroad", "Tunnel",
             "Park", "Museum", "Theater", "Sports_Facility", "Worship_Place", "Zoo", "Amusement_Park", "Line_Other",
             "Archaeological_Place_Other", "Tumulus", "Facility_Part", "Spa"}
GINZA_PRODUCT = {"Product_Other", "Aircraft", "Car", "Ship", "Train", "Weapon", "Book", "Magazine", "Newspaper",
                 "Movie", "Music", "Game", "Broadcast_Program", "Show", "Art_Other", "Printing_Other", "Drug",
                 "Food_Other", "Dish", "Clothing", "Vehicle_Other", "Spaceship", "Software" }
GINZA_EVENT = {"Event_Other", "Conference", "Occasion_Other", "Incident_Other", "War", "Natural_Disaster",
               "Earthquake", "Religious_Festival", "Sports_Event", "Game_Event", "Offense"}


def ginza_class(label: str) -> str | None:
    for cls, labels in (("PERSON", GINZA_PERSON), ("ORG", GINZA_ORG), ("LOC", GINZA_LOC), ("FAC", GINZA_FAC),
                        ("PRODUCT", GINZA_PRODUCT), ("EVENT", GINZA_EVENT)):
        if label in labels:
            return cls
    return None


def load(path: Path, split: str) -> list[dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [d for i, d in enumerate(data) if (i % 5 == 0) == (split == "test")]


def gold_of(d: dict) -> set[tuple[int, int, str]]:
    return {(e["span"][0], e["span"][1], STOCKMARK[e["type"]]) for e in d["entities"]}


def predict_kansoku(texts: list[str]) -> list[set[tuple[int, int, str]]]:
    """kansoku's recogniser (gazetteer + patterns + tagger); nested mentions are left out because the
    Stockmark annotation is flat."""
    from kansoku.extract.entities import find_mentions
    from kansoku.normalize.segment import split_sentences

    out = []
    for t in texts:
        ms = find_mentions(make_document(t, sentences=split_sentences(t)))
        out.append({(m.start, m.end, c) for m in ms if not m.nested and (c := KANSOKU.get(m.type))})
    return out


def predict_tagger(texts: list[str]) -> list[set[tuple[int, int, str]]]:
    """The statistical tagger alone (kansoku.nlp.ner), for reference."""
    from kansoku.nlp.ner import predict
    from kansoku.nlp.tokens import tokenize

    return [{(s, e, c) for s, e, lab in predict(t, tokenize(t)) if (c := KANSOKU.get(lab) or lab)} for t in texts]


def predict_ginza(texts: list[str]) -> list[set[tuple[int, int, str]]]:
    import spacy

    nlp = spacy.load("ja_ginza")
    return [{(e.start_char, e.end_char, c) for e in d.ents if (c := ginza_class(e.label_))} for d in nlp.pipe(texts)]


def score(gold: list[set], pred: list[set], classes: tuple[str, ...]) -> dict[str, tuple[float, float, float]]:
    res = {}
    for cls in (*classes, "typed", "span"):
        tp = fp = fn = 0
        for g, p in zip(gold, pred, strict=True):
            if cls == "span":
                gs, ps = {(a, b) for a, b, _ in g}, {(a, b) for a, b, _ in p}
            elif cls == "typed":
                gs = {x for x in g if x[2] in ("PERSON", "ORG", "LOC")}
                ps = {x for x in p if x[2] in ("PERSON", "ORG", "LOC")}
            else:
                gs, ps = {x for x in g if x[2] == cls}, {x for x in p if x[2] == cls}
            tp += len(gs & ps)
            fp += len(ps - gs)
            fn += len(gs - ps)
        pr = tp / (tp + fp) if tp + fp else 0.0
        rc = tp / (tp + fn) if tp + fn else 0.0
        res[cls] = (pr, rc, 2 * pr * rc / (pr + rc) if pr + rc else 0.0)
    return res


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--limit", type=int, default=0, help="evaluate on the first N test sentences only")
    ap.add_argument("--skip-ginza", action="store_true")
    a = ap.parse_args()
    if not a.data.exists():
        print(f"skipped: {a.data} not found")
        return 0
    test = load(a.data, "test")
    if a.limit:
        test = test[: a.limit]
    texts = [d["text"] for d in test]
    gold = [gold_of(d) for d in test]
    chars = sum(map(len, texts))
    print(f"Stockmark NER test split: {len(test)} sentences, {sum(map(len, gold))} entities, {chars:,} chars")
    print(f"gold classes: {dict(Counter(c for g in gold for *_, c in g))}")
    systems = [("kansoku", predict_kansoku), ("kansoku tagger alone", predict_tagger)]
    if not a.skip_ginza and importlib.util.find_spec("ja_ginza") is None:
        print("ja_ginza not installed: no baseline (it comes with the bench extra: pip install -e '.[bench]')")
        a.skip_ginza = True
    systems += [] if a.skip_ginza else [("ja_ginza", predict_ginza)]
    classes = ("PERSON", "ORG", "LOC", "FAC", "PRODUCT", "EVENT")
    for name, fn in systems:
        t0 = time.perf_counter()
        pred = fn(texts)
        dt = time.perf_counter() - t0
        s = score(gold, pred, classes)
        print(f"\n{name}: {chars / dt:,.0f} chars/s (incl. model load)")
        print(f"  typed F1 (PERSON/ORG/LOC) {s['typed'][2]:.3f}  P {s['typed'][0]:.3f} R {s['typed'][1]:.3f}; "
              f"span F1 {s['span'][2]:.3f}")
        print("  " + "  ".join(f"{c} {s[c][2]:.2f}" for c in classes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
