#!/usr/bin/env python3
"""Precision/recall of claim extraction (speaker + kind) and accuracy of metadata fields.

usage: python bench/claims_eval.py [LABELLED.jsonl] [--verbose]

Each line of the labelled file is either
  {"type": "claims", "text": …, "claims": [{"speaker": str|null, "kind": …}, …]}  (every attribution, in order)
or
  {"type": "metadata", "text": …, "expected": {field: value, …}}
where metadata fields are authors (list of names), published, updated, outlet, series, title and
original_{author,outlet,published,title}. A claim matches when its speaker (spaces and ・ ignored) and kind
both equal a gold claim's; matching is one-to-one within an item.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from kansoku.extract.claims import extract_claims
from kansoku.extract.metadata import extract_metadata
from kansoku.model import Document
from kansoku.normalize.segment import line_spans

HERE = Path(__file__).resolve().parent




def _key(speaker: str | None, kind: str) -> tuple[str, str]:
    return (re.sub(r"[\s・･]", "", speaker or ""), kind)


def eval_claims(rows: list[dict[str, Any]], verbose: bool) -> tuple[int, int, int]:
    tp = n_pred = n_gold = 0
    for r in rows:
        pred = [_key(c["speaker"], c["kind"]) for c in extract_claims(r["text"], line_spans(r["text"]))]
        gold = [_key(c["speaker"], c["kind"]) for c in r["claims"]]
        left = list(gold)
        hit = 0
        for p in pred:
            if p in left:
                left.remove(p)
                hit += 1
        tp, n_pred, n_gold = tp + hit, n_pred + len(pred), n_gold + len(gold)
        if verbose and (hit != len(pred) or hit != len(gold)):
            print(f"  claims: {r['text'][:50]}\n    gold={gold}\n    pred={pred}")
    return tp, n_pred, n_gold


def _field(md: dict[str, Any], name: str) -> Any:
    if name == "authors":
        return [a["name"] for a in md["authors"] if a["name"]]
    if name.startswith("original_"):
        return md["original"][name[len("original_") :]]
    return md[name]


def eval_metadata(rows: list[dict[str, Any]], verbose: bool) -> dict[str, list[int]]:
    scores: dict[str, list[int]] = {}
    for r in rows:
        md = extract_metadata(Document(source="bench", text=r["text"], sentences=line_spans(r["text"])))
        for name, want in r["expected"].items():
            got = _field(md, name)
            ok = int(got == want)
            scores.setdefault(name, [0, 0])
            scores[name][0] += ok
            scores[name][1] += 1
            if verbose and not ok:
                print(f"  metadata.{name}: {r['text'][:40]!r}\n    want={want!r} got={got!r}")
    return scores


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("labelled", nargs="?", default=str(HERE / "data" / "claims_labelled.jsonl"))
    ap.add_argument("--verbose", "-v", action="store_true")
    a = ap.parse_args(argv)
    rows = [json.loads(x) for x in Path(a.labelled).read_text(encoding="utf-8").splitlines() if x.strip()]
    claim_rows = [r for r in rows if r["type"] == "claims"]
    md_rows = [r for r in rows if r["type"] == "metadata"]
    tp, n_pred, n_gold = eval_claims(claim_rows, a.verbose)
    p = tp / n_pred if n_pred else 1.0
    r = tp / n_gold if n_gold else 1.0
    print(f"claims ({len(claim_rows)} items, {n_gold} gold, {n_pred} predicted): "
          f"precision {p:.3f}  recall {r:.3f}  (speaker + kind)")
    scores = eval_metadata(md_rows, a.verbose)
    print(f"metadata ({len(md_rows)} items):")
    for name in sorted(scores):
        ok, n = scores[name]
        print(f"  {name:20s} {ok}/{n}  {ok / n:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
