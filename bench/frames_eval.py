"""Evaluate frame detection (and stance speed) on the labelled set and the dev articles.

Usage::

    .venv/bin/python bench/frames_eval.py                 # test + train figures, dev articles, speed
    .venv/bin/python bench/frames_eval.py --errors        # also list TRAIN errors (never test ones)
    .venv/bin/python bench/frames_eval.py --calibrate     # threshold sweep on the train split

Labelled set: ``bench/data/frames_labelled.jsonl`` (``{"id","text","frames","voice","split"}``).
Dev articles: ``/work/shared/corpus/dev/*.txt`` with gold ``/work/shared/gold/dev/*.json``
(``frames`` must be found, ``frames_forbidden`` must not be emitted, ``stance`` signs).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from kansoku.analyze import frames as frames_mod
from kansoku.analyze.frames import detect_frames, load_catalogue, quote_spans
from kansoku.analyze.stance import compute_stance
from kansoku.model import Span
from kansoku.normalize import make_document
from kansoku.normalize.segment import split_sentences

HERE = Path(__file__).resolve().parent
LABELLED = HERE / "data" / "frames_labelled.jsonl"
DEV_TEXT = Path("/work/shared/corpus/dev")
DEV_GOLD = Path("/work/shared/gold/dev")

ACTOR_SURFACES: dict[str, str] = {
    "Russia": r"ロシア|露",
    "Ukraine": r"ウクライナ",
    "United States": r"米国|アメリカ|米政府|米政権",
    "Europe": r"欧州|ヨーロッパ|EU|ＥＵ",
    "NATO": r"NATO|ＮＡＴＯ|北大西洋条約機構",
    "China": r"中国",
    "Japan": r"日本",
    "Vladimir Putin": r"プーチン",
    "Volodymyr Zelensky": r"ゼレンスキー",
    "Donald Trump": r"トランプ",
}


def load_labelled() -> list[dict[str, Any]]:
    return [json.loads(line) for line in LABELLED.read_text(encoding="utf-8").splitlines() if line.strip()]


def predict(text: str) -> list[dict[str, Any]]:
    return detect_frames(make_document(text, sentences=split_sentences(text)), quote_spans(text))


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def evaluate(rows: list[dict[str, Any]], show_errors: bool = False, quiet: bool = False) -> dict[str, Any]:
    ids = list(load_catalogue()["frames"])
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    voice_total: Counter[str] = Counter()
    voice_ok: Counter[str] = Counter()
    confusion: Counter[tuple[str, str]] = Counter()
    errors: list[str] = []
    for row in rows:
        pred = {f["id"]: f for f in predict(row["text"])}
        gold = set(row["frames"])
        for fid in ids:
            if fid in gold and fid in pred:
                tp[fid] += 1
                gv = row["voice"].get(fid, "author")
                pv = pred[fid]["voice"]
                voice_total[gv] += 1
                voice_ok[gv] += gv == pv
                confusion[(gv, pv)] += 1
                if gv != pv:
                    errors.append(f"VOICE {row['id']} {fid}: gold={gv} pred={pv} | {row['text']}")
            elif fid in gold:
                fn[fid] += 1
                errors.append(f"FN    {row['id']} {fid} ({row['voice'].get(fid)}) | {row['text']}")
            elif fid in pred:
                fp[fid] += 1
                cues = [e.get("cue") for e in pred[fid]["evidence"]]
                errors.append(f"FP    {row['id']} {fid} {pred[fid]['score']} {cues} | {row['text']}")
    per: dict[str, tuple[float, float, float, int]] = {}
    for fid in ids:
        support = tp[fid] + fn[fid]
        if support == 0 and fp[fid] == 0:
            continue
        p, r, f = prf(tp[fid], fp[fid], fn[fid])
        per[fid] = (p, r, f, support)
    micro = prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    macro = sum(v[2] for v in per.values()) / len(per) if per else 0.0
    n_voice = sum(voice_total.values())
    voice_acc = sum(voice_ok.values()) / n_voice if n_voice else 0.0
    if not quiet:
        print(f"{'frame':28s} {'P':>5s} {'R':>5s} {'F1':>5s} {'sup':>4s}")
        for fid, (p, r, f, s) in per.items():
            print(f"{fid:28s} {p:5.2f} {r:5.2f} {f:5.2f} {s:4d}")
        print(f"micro P/R/F1 = {micro[0]:.3f} / {micro[1]:.3f} / {micro[2]:.3f}   macro-F1 = {macro:.3f}")
        print(f"voice accuracy (on found frames) = {voice_acc:.3f} (n={n_voice})")
        for v in ("author", "attributed", "discussed"):
            if voice_total[v]:
                print(f"  {v:10s} {voice_ok[v] / voice_total[v]:.3f} (n={voice_total[v]})")
        print("  confusion (gold->pred):", dict(confusion))
        if show_errors:
            print("\n".join(errors))
    return {"macro": macro, "micro": micro[2], "voice": voice_acc}


def actor_spans(text: str) -> dict[str, list[Span]]:
    out: dict[str, list[Span]] = {}
    for key, pat in ACTOR_SURFACES.items():
        spans = [Span(m.start(), m.end()) for m in re.finditer(pat, text)]
        if spans:
            out[key] = spans
    return out


def sign(x: float, dead: float = 0.2) -> int:
    return 1 if x > dead else -1 if x < -dead else 0


def dev_eval() -> None:
    if not DEV_TEXT.is_dir():
        print("(no dev corpus)")
        return
    found = need = false = 0
    stance_ok = stance_n = 0
    for path in sorted(DEV_TEXT.glob("*.txt")):
        gold_path = DEV_GOLD / (path.stem + ".json")
        if not gold_path.exists():
            continue
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        text = path.read_text(encoding="utf-8")
        sents = split_sentences(text)
        frames = detect_frames(make_document(text, sentences=sents), quote_spans(text))
        pred = {f["id"]: f for f in frames}
        want = set(gold.get("frames") or [])
        forb = set(gold.get("frames_forbidden") or [])
        hit = want & set(pred)
        bad = forb & set(pred)
        found += len(hit)
        need += len(want)
        false += len(bad)
        print(f"\n== {path.name}: recall {len(hit)}/{len(want)}, forbidden emitted {len(bad)}")
        print("  missed:", sorted(want - set(pred)))
        print("  forbidden:", [(b, pred[b]["voice"], pred[b]["score"]) for b in sorted(bad)])
        print("  other:", [(f["id"], f["voice"], f["score"]) for f in frames if f["id"] not in want | forb])
        print("  found:", [(f["id"], f["voice"], f["score"]) for f in frames if f["id"] in want])
        stance = compute_stance(make_document(text, sentences=sents), actor_spans(text), frames)
        by = {s["target"]: s for s in stance}
        gs = gold.get("stance") or {}
        for actor, g in gs.items():
            s = by.get(actor, {}).get("score", 0.0)
            ok = sign(s) == (1 if g > 0 else -1 if g < 0 else 0)
            stance_ok += ok
            stance_n += 1
            print(
                f"  stance {actor}: gold {g:+d} pred {s:+.2f} {'OK' if ok else 'WRONG'} {by.get(actor, {}).get('drivers')}"
            )
        if not gs:
            print("  stance (no gold):", {k: v["score"] for k, v in by.items()})
    print(
        f"\nDEV frames recall {found}/{need}, forbidden frames emitted {false}, stance signs {stance_ok}/{stance_n}"
    )


def speed() -> None:
    texts = (
        [p.read_text(encoding="utf-8") for p in sorted(DEV_TEXT.glob("*.txt"))] if DEV_TEXT.is_dir() else []
    )
    texts.append("\n".join(r["text"] for r in load_labelled()))
    load_catalogue()
    n_chars = sum(len(t) for t in texts)
    prepared = [(t, split_sentences(t), actor_spans(t)) for t in texts]
    reps = 5
    t0 = time.perf_counter()
    for _ in range(reps):
        for t, sents, actors in prepared:
            fr = detect_frames(make_document(t, sentences=sents), [])
            compute_stance(make_document(t, sentences=sents), actors, fr)
    dt = time.perf_counter() - t0
    print(
        f"\nspeed detect_frames+compute_stance: {n_chars * reps / dt:,.0f} chars/s ({n_chars} chars x {reps})"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--errors", action="store_true", help="list train-split errors")
    ap.add_argument("--calibrate", action="store_true", help="threshold sweep on the train split")
    args = ap.parse_args(argv)
    rows = load_labelled()
    train = [r for r in rows if r["split"] == "train"]
    test = [r for r in rows if r["split"] == "test"]
    if args.calibrate:
        base = frames_mod.THRESHOLD
        for th in (0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7):
            frames_mod.THRESHOLD = th
            res = evaluate(train, quiet=True)
            print(f"threshold {th:.2f}: train macro-F1 {res['macro']:.3f} micro-F1 {res['micro']:.3f}")
        frames_mod.THRESHOLD = base
        return 0
    print(
        f"labelled: {len(rows)} items ({len(train)} train, {len(test)} test, "
        f"{sum(1 for r in rows if not r['frames'])} negatives)"
    )
    print("\n=== TRAIN ===")
    evaluate(train, show_errors=args.errors)
    print("\n=== TEST ===")
    evaluate(test)
    dev_eval()
    speed()
    return 0


if __name__ == "__main__":
    sys.exit(main())
