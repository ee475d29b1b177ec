"""Precision/recall of the quantities extractor on tests/data/quantities_cases.jsonl.

Usage: ``.venv/bin/python bench/quantities_eval.py [--cases PATH] [--dev CORPUS_DIR GOLD_DIR] [-v]``

A predicted quantity matches an expected one when their texts are equal (same sentence).  Value+unit is
scored over all quantities; approx over items flagged approximate; source and subject over items whose
expected (or predicted) value is not null, counting a hit only when the strings are equal.
With ``--dev`` the extractor also runs over raw articles (sentences = non-empty lines) and is compared
with gold ``quantities`` (value within 1 % and same unit; source right if it overlaps a gold surface).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from kansoku.extract.quantities import extract_quantities  # noqa: E402
from kansoku.model import Span  # noqa: E402
from kansoku.normalize import make_document  # noqa: E402


def line_spans(text: str) -> list[Span]:
    """One span per non-empty line (whitespace trimmed)."""
    spans = []
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            off = pos + line.index(stripped)
            spans.append(Span(off, off + len(stripped)))
        pos += len(line) + 1
    return spans


def _prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float]:
    p = tp / n_pred if n_pred else 1.0
    r = tp / n_gold if n_gold else 1.0
    return p, r


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= max(1e-9, 0.01 * abs(b))


def eval_cases(path: Path, verbose: bool = False) -> dict[str, tuple[float, float]]:
    """Score the cases file; returns {field: (precision, recall)}."""
    counts = {k: [0, 0, 0] for k in ("value+unit", "approx", "source", "subject")}  # tp, pred, gold
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        case = json.loads(line)
        text = case["text"]
        pred = extract_quantities(make_document(text, sentences=line_spans(text)))
        gold = case["quantities"]
        by_text = {p["text"]: p for p in pred}
        c = counts["value+unit"]
        c[1] += len(pred)
        c[2] += len(gold)
        for g in gold:
            p = by_text.get(g["text"])
            ok = p is not None and p["unit"] == g["unit"] and _close(float(p["value"]), float(g["value"]))
            c[0] += ok
            if verbose and not ok:
                print(
                    "MISS",
                    g["text"],
                    g["unit"],
                    g["value"],
                    "| got",
                    p and (p["value"], p["unit"]),
                    "|",
                    text,
                )
        gold_texts = {g["text"] for g in gold}
        if verbose:
            for p in pred:
                if p["text"] not in gold_texts:
                    print("FP  ", p["text"], p["value"], p["unit"], "|", text)
        for field, key in (("approx", "approx"), ("source", "source"), ("subject", "subject")):
            c = counts[field]
            for p in pred:
                if p[key]:
                    c[1] += 1
            for g in gold:
                p = by_text.get(g["text"])
                if g[key]:
                    c[2] += 1
                if p is not None and p[key] and g[key] and p[key] == g[key]:
                    c[0] += 1
                elif verbose and field != "approx" and (g[key] or (p and p[key])):
                    print(f"{field.upper():8}", g["text"], "| want", g[key], "| got", p and p[key], "|", text)
                elif verbose and field == "approx" and p is not None and bool(p[key]) != bool(g[key]):
                    print("APPROX  ", g["text"], "| want", g[key], "| got", p[key], "|", text)
    return {k: _prf(tp, n_pred, n_gold) for k, (tp, n_pred, n_gold) in counts.items()}


def _source_right(got: str | None, gold: list[str]) -> bool:
    """A predicted source is right when it contains or is contained in a gold surface."""
    return bool(got) and any(g in got or got in g for g in gold)


def eval_dev(corpus: Path, gold_dir: Path, verbose: bool = False) -> tuple[int, int, int, int, int]:
    """(gold quantities, found, gold with a source, source right, predicted total) over dev articles."""
    n_gold = found = n_src = src_ok = n_pred = 0
    for gpath in sorted(gold_dir.glob("*.json")):
        gold = json.loads(gpath.read_text(encoding="utf-8"))
        text = (corpus / gold["doc"]).read_text(encoding="utf-8")
        pred = extract_quantities(make_document(text, sentences=line_spans(text)))
        n_pred += len(pred)
        used: set[int] = set()
        for g in gold.get("quantities", []):
            n_gold += 1
            srcs = g.get("source_surfaces") or []
            n_src += bool(srcs)
            cands = [
                i
                for i, p in enumerate(pred)
                if i not in used
                and p["unit"] == g["unit"]
                and _close(float(p["value"]), float(g["value"]))
                and g["surface"] in p["text"]
            ]
            if not cands:
                if verbose:
                    print("DEV MISS", gpath.name, g["surface"], g["value"], g["unit"])
                continue
            # prefer a candidate with the right source
            i = next((k for k in cands if _source_right(pred[k]["source"], srcs)), cands[0])
            used.add(i)
            found += 1
            if srcs:
                ok = _source_right(pred[i]["source"], srcs)
                src_ok += ok
                if verbose and not ok:
                    print("DEV SRC ", gpath.name, g["surface"], "| want", srcs, "| got", pred[i]["source"])
        if verbose:
            for i, p in enumerate(pred):
                if i not in used:
                    print("DEV EXTRA", gpath.name, p["text"], p["value"], p["unit"], "| src", p["source"])
    return n_gold, found, n_src, src_ok, n_pred


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=Path, default=ROOT / "tests" / "data" / "quantities_cases.jsonl")
    ap.add_argument("--dev", nargs=2, type=Path, metavar=("CORPUS_DIR", "GOLD_DIR"))
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    scores = eval_cases(args.cases, args.verbose)
    print(f"{'field':<12}{'precision':>10}{'recall':>10}")
    for k, (p, r) in scores.items():
        print(f"{k:<12}{p:>10.3f}{r:>10.3f}")
    if args.dev:
        n_gold, found, n_src, src_ok, n_pred = eval_dev(args.dev[0], args.dev[1], args.verbose)
        print(
            f"dev: found {found}/{n_gold} gold quantities; source right {src_ok}/{n_src}; predicted {n_pred}"
        )


if __name__ == "__main__":
    main()
