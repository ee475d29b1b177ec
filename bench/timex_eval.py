"""Evaluate kansoku.extract.timex.

    python bench/timex_eval.py                 # precision/recall on tests/data/timex_cases.jsonl
    python bench/timex_eval.py --dev DIR GOLD  # recall against gold timex (surface overlap + value prefix)
    python bench/timex_eval.py --speed GLOB    # chars/s of extract_timex (first 2 lines of each file skipped;
                                             300 files spread evenly over the sorted list)

Cases: an expected item matches a predicted one when text and value are equal (strict); the lenient
figure only needs overlapping text and equal value. A sentence's date is given per case ("doc_date").
"""

from __future__ import annotations

import argparse
import glob
import json
import re
import time
import unicodedata
from pathlib import Path

from kansoku.extract.timex import extract_timex
from kansoku.model import Span
from kansoku.normalize import make_document

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "data" / "timex_cases.jsonl"


def split_sentences(text: str) -> list[Span]:
    """Lines, then sentences ending in 。！？ (a simple splitter for evaluation only)."""
    spans: list[Span] = []
    for m in re.finditer(r"[^\n]+", text):
        for s in re.finditer(r"[^。！？!?]+[。！？!?」』)）]*", m.group()):
            if s.group().strip():
                spans.append(Span(m.start() + s.start(), m.start() + s.end()))
    return spans


def load_cases(path: Path = CASES) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def eval_cases(path: Path = CASES, verbose: bool = False) -> dict[str, float]:
    tp = fp = fn = lenient_tp = 0
    for case in load_cases(path):
        text = case["text"]
        pred = extract_timex(make_document(text, sentences=split_sentences(text)), case.get("doc_date"))
        gold = case["expected"]
        got = {(p["text"], p["value"]) for p in pred}
        want = {(g["text"], g["value"]) for g in gold}
        tp += len(got & want)
        fp += len(got - want)
        fn += len(want - got)
        for g in gold:
            gs = text.find(g["text"])
            if any(
                p["value"] == g["value"] and p["start"] < gs + len(g["text"]) and gs < p["end"] for p in pred
            ):
                lenient_tp += 1
        if verbose and got != want:
            print(f"{text}\n  missing: {sorted(want - got)}\n  extra:   {sorted(got - set(want))}")
    n_gold = tp + fn
    return {
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / n_gold if n_gold else 1.0,
        "lenient_recall": lenient_tp / n_gold if n_gold else 1.0,
        "gold": float(n_gold),
    }


def _key(s: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


def eval_dev(corpus: str, gold_dir: str, verbose: bool = False) -> dict[str, float]:
    found = total = 0
    for gpath in sorted(glob.glob(str(Path(gold_dir) / "*.json"))):
        gold = json.loads(Path(gpath).read_text(encoding="utf-8"))
        text = (Path(corpus) / gold["doc"]).read_text(encoding="utf-8")
        spans = [Span(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]
        pred = extract_timex(make_document(text, sentences=spans), None)
        for g in gold.get("timex", []):
            total += 1
            surf = _key(g["surface"])
            ok = False
            for p in pred:
                ptxt = _key(p["text"])
                if (surf in ptxt or ptxt in surf) and str(p["value"] or "").startswith(g["value"]):
                    ok = True
                    break
            found += ok
            if verbose and not ok:
                print(f"MISS {gold['doc']}: {g['surface']} {g['value']}")
    return {"recall": found / total if total else 1.0, "gold": float(total)}


def speed(pattern: str, n_files: int = 300) -> dict[str, float]:
    files = sorted(f for f in glob.glob(pattern) if Path(f).name not in ("LICENSE.txt", "README.txt"))
    step = max(1, len(files) // n_files)  # spread the sample over all categories, deterministically
    texts = []
    for f in files[::step][:n_files]:
        lines = Path(f).read_text(encoding="utf-8").splitlines(keepends=True)
        texts.append("".join(lines[2:]))
    prepared = [(t, split_sentences(t)) for t in texts]
    extract_timex(make_document("2025年8月15日", sentences=[Span(0, 11)]), None)  # warm-up (pattern compilation)
    t0 = time.perf_counter()
    n_timex = 0
    for t, spans in prepared:
        n_timex += len(extract_timex(make_document(t, sentences=spans), None))
    dt = time.perf_counter() - t0
    chars = sum(len(t) for t in texts)
    return {
        "files": float(len(texts)),
        "chars": float(chars),
        "seconds": dt,
        "chars_per_s": chars / dt,
        "timex": float(n_timex),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default=str(CASES))
    ap.add_argument("--dev", nargs=2, metavar=("CORPUS_DIR", "GOLD_DIR"))
    ap.add_argument("--speed", metavar="GLOB")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    res = eval_cases(Path(args.cases), args.verbose)
    print(
        f"cases: precision={res['precision']:.3f} recall={res['recall']:.3f} "
        f"lenient_recall={res['lenient_recall']:.3f} (gold items {int(res['gold'])})"
    )
    if args.dev:
        d = eval_dev(args.dev[0], args.dev[1], args.verbose)
        print(f"dev gold: recall={d['recall']:.3f} (gold items {int(d['gold'])})")
    if args.speed:
        s = speed(args.speed)
        print(
            f"speed: {int(s['files'])} files, {int(s['chars'])} chars in {s['seconds']:.2f}s = "
            f"{s['chars_per_s']:.0f} chars/s ({int(s['timex'])} timex)"
        )


if __name__ == "__main__":
    main()
