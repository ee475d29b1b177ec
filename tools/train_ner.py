"""Train kansoku's statistical NER tagger (``kansoku.nlp.ner``) on the Stockmark Wikipedia NER TRAIN split.

usage: python tools/train_ner.py [--data PATH] [--epochs N] [--out DIR] [--eval-test]

Split (the same as bench/ner_stockmark.py): sentences in ner.json order; index % 5 == 0 is the held-out
TEST split and is never used here for training or model selection. Of the remaining TRAIN sentences,
every tenth (train position % 10 == 0) is the DEV slice used to choose the number of epochs; the shipped
model is then retrained on the whole TRAIN split (dev included) for that many epochs.

Entity character spans are aligned to Sudachi SplitMode.C tokens from ``kansoku.nlp.tokens.tokenize``;
spans whose start or end falls inside a token, and spans overlapping an earlier span, are dropped (the
counts are printed). The model is an averaged structured perceptron; ``--eval-test`` scores the final
model once on the test split with bench/ner_stockmark.py's scoring.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from kansoku.nlp import ner  # noqa: E402
from kansoku.nlp.tokens import Token, tokenize  # noqa: E402
from ner_stockmark import DATA, STOCKMARK, gold_of, score  # noqa: E402

CLASSES = ("PERSON", "ORG", "LOC", "FAC", "PRODUCT", "EVENT")
TAG_ID = {t: i for i, t in enumerate(ner.TAGS)}


def load_split(path: Path) -> tuple[list[dict], list[dict]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    train = [d for i, d in enumerate(data) if i % 5 != 0]
    test = [d for i, d in enumerate(data) if i % 5 == 0]
    return train, test


def align(d: dict, toks: list[Token], stats: Counter) -> list[int]:
    """Gold BIO tag ids of ``toks`` for sentence ``d``; counts dropped spans in ``stats``."""
    tags = [0] * len(toks)
    start_at = {t.start: i for i, t in enumerate(toks)}
    end_at = {t.end: i for i, t in enumerate(toks)}
    for e in sorted(d["entities"], key=lambda e: (e["span"][0], -e["span"][1])):
        s, t = e["span"]
        typ = STOCKMARK[e["type"]]
        stats["spans"] += 1
        if s not in start_at or t not in end_at:
            stats["misaligned"] += 1
            continue
        i, j = start_at[s], end_at[t]
        if any(tags[k] for k in range(i, j + 1)):
            stats["overlapping"] += 1
            continue
        tags[i] = TAG_ID[f"B-{typ}"]
        for k in range(i + 1, j + 1):
            tags[k] = TAG_ID[f"I-{typ}"]
        stats["aligned"] += 1
    return tags


def build_clusters(k: int, seed: int, max_words: int) -> dict[str, int]:
    """Word -> cluster id: k-means (cosine) over the 20,000 static vectors shipped with ja_ginza.

    ja_ginza's vector table maps ~480k words (most frequent first) to 20k rows; each row is clustered, and
    the first ``max_words`` words with a kanji, katakana or Latin letter and at least two characters
    inherit their row's cluster.
    """
    import ja_ginza
    from spacy.vocab import Vocab

    path = next(Path(ja_ginza.__file__).parent.glob("ja_ginza-*")) / "vocab"
    vocab = Vocab().from_disk(path)
    vec = vocab.vectors
    x = np.asarray(vec.data, dtype=np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True) + 1e-8
    rng = np.random.default_rng(seed)
    cent = x[rng.choice(len(x), k, replace=False)]
    for _ in range(15):
        assign = (x @ cent.T).argmax(1)
        for j in range(k):
            members = assign == j
            if members.any():
                cent[j] = x[members].mean(0)
        cent /= np.linalg.norm(cent, axis=1, keepdims=True) + 1e-8
    assign = (x @ cent.T).argmax(1)
    wordy = re.compile(r"[\u30a0-\u30ff\u4e00-\u9fffA-Za-z]")
    out: dict[str, int] = {}
    for key, row in vec.key2row.items():
        w = vocab.strings[key]
        if len(w) >= 2 and wordy.search(w):
            out[w] = int(assign[row])
            if len(out) >= max_words:
                break
    return out


def featurize(sents: list[tuple[list[Token], list[int]]], index: dict[str, int], grow: bool) -> list:
    """(feature ids (n_tokens, N_FEATURES), gold tags, tokens) per sentence; unknown features -> -1."""
    out = []
    for toks, tags in sents:
        ids = []
        for f in ner.token_features(toks):
            k = index.get(f)
            if k is None and grow:
                k = index[f] = len(index)
            ids.append(-1 if k is None else k)
        out.append((np.asarray(ids, dtype=np.intp).reshape(-1, ner.N_FEATURES), tags, toks))
    return out


class Perceptron:
    def __init__(self, n_feat: int) -> None:
        # one extra all-zero row, indexed by -1, for features unseen in training
        self.w = np.zeros((n_feat + 1, ner.N_TAGS), dtype=np.float32)
        self.u = np.zeros((n_feat + 1, ner.N_TAGS), dtype=np.float64)
        self.t = np.zeros((ner.N_TAGS + 1, ner.N_TAGS), dtype=np.float64)
        self.tu = np.zeros_like(self.t)
        self.c = 1
        self.mask = ner.allowed_transitions()

    def masked(self, t: np.ndarray) -> np.ndarray:
        return np.where(self.mask, t, -1e9).astype(np.float32)

    def update(self, ids: np.ndarray, gold: list[int], pred: list[int]) -> None:
        g = np.asarray(gold)
        p = np.asarray(pred)
        diff = g != p
        f = ids[diff].ravel()
        gt = np.repeat(g[diff], ner.N_FEATURES)
        pt = np.repeat(p[diff], ner.N_FEATURES)
        c = self.c
        np.add.at(self.w, (f, gt), 1.0)
        np.add.at(self.w, (f, pt), -1.0)
        np.add.at(self.u, (f, gt), c)
        np.add.at(self.u, (f, pt), -c)
        prev_g = np.concatenate(([ner.N_TAGS], g[:-1]))
        prev_p = np.concatenate(([ner.N_TAGS], p[:-1]))
        np.add.at(self.t, (prev_g, g), 1.0)
        np.add.at(self.t, (prev_p, p), -1.0)
        np.add.at(self.tu, (prev_g, g), c)
        np.add.at(self.tu, (prev_p, p), -c)

    def averaged(self) -> tuple[np.ndarray, np.ndarray]:
        w = (self.w - self.u / self.c).astype(np.float32)
        t = self.t - self.tu / self.c
        return w, t.astype(np.float32)

    def epoch(self, data: list, rng: random.Random) -> int:
        order = list(range(len(data)))
        rng.shuffle(order)
        wt = self.masked(self.t.astype(np.float32))
        errors = 0
        for k in order:
            ids, gold, _ = data[k]
            if not gold:
                continue
            pred = ner.viterbi(self.w[ids].sum(axis=1), wt)
            if pred != gold:
                errors += 1
                self.update(ids, gold, pred)
                wt = self.masked(self.t.astype(np.float32))
            self.c += 1
        return errors


def evaluate(w: np.ndarray, t: np.ndarray, data: list, mask: np.ndarray) -> dict:
    tm = np.where(mask, t, -1e9).astype(np.float32)
    gold, pred = [], []
    for ids, tags, toks in data:
        p = ner.viterbi(w[ids].sum(axis=1), tm)
        gold.append(set(ner.spans_of(tags, toks)))
        pred.append(set(ner.clean_spans(p, toks)))
    return score(gold, pred, CLASSES)


def train(data: list, n_feat: int, epochs: int, seed: int, dev: list | None) -> tuple[Perceptron, list]:
    model = Perceptron(n_feat)
    rng = random.Random(seed)
    history = []
    for ep in range(1, epochs + 1):
        t0 = time.perf_counter()
        err = model.epoch(data, rng)
        line = f"epoch {ep:2d}: {err} sentence errors, {time.perf_counter() - t0:.1f}s"
        if dev is not None:
            w, t = model.averaged()
            s = evaluate(w, t, dev, model.mask)
            history.append((ep, s["typed"][2]))
            line += f"; dev typed F1 {s['typed'][2]:.4f} " + " ".join(f"{c} {s[c][2]:.3f}" for c in CLASSES)
        print(line, flush=True)
    return model, history


def prune(index: dict[str, int], w: np.ndarray, threshold: float) -> tuple[dict[str, int], np.ndarray]:
    w = w[:-1]  # the unknown-feature row
    keep = np.abs(w).max(axis=1) >= threshold
    keep[index["b"]] = True
    new_id = np.cumsum(keep) - 1
    new_index = {f: int(new_id[k]) for f, k in index.items() if keep[k]}
    return new_index, w[keep]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--epochs", type=int, default=20, help="maximum epochs when choosing on dev")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--clusters", type=int, default=256, help="number of word-vector clusters")
    ap.add_argument("--cluster-words", type=int, default=1_000_000,
                    help="words kept in the cluster table (default: all ~455k)")
    ap.add_argument("--prune", type=float, default=0.05, help="drop features whose |weight| stays below this")
    ap.add_argument("--out", type=Path, default=ROOT / "src" / "kansoku" / "data" / "ner")
    ap.add_argument("--eval-test", action="store_true", help="score the final model once on the test split")
    ap.add_argument("--dev-fold", type=int, default=0, choices=range(10),
                    help="which tenth of the train split is the dev slice (train position %% 10; shipped: 0)")
    ap.add_argument("--dev-out", type=Path, default=None,
                    help="also save the model trained without the dev slice here (for tuning the recogniser on "
                         "dev sentences the model has not seen)")
    a = ap.parse_args()
    t_start = time.perf_counter()

    clusters = build_clusters(a.clusters, a.seed, a.cluster_words)
    ner.set_clusters({w: str(c) for w, c in clusters.items()})
    print(f"word clusters: {len(clusters):,} words in {a.clusters} clusters")
    train_docs, test_docs = load_split(a.data)
    stats: Counter = Counter()
    sents = []
    for d in train_docs:
        toks = tokenize(d["text"])
        sents.append((toks, align(d, toks, stats)))
    print(f"train split: {len(train_docs)} sentences; spans {stats['spans']}, aligned {stats['aligned']}, "
          f"dropped misaligned {stats['misaligned']}, dropped overlapping {stats['overlapping']}")
    dev_pos = {i for i in range(len(sents)) if i % 10 == a.dev_fold}
    fit = [s for i, s in enumerate(sents) if i not in dev_pos]
    dev = [s for i, s in enumerate(sents) if i in dev_pos]

    # 1. choose the number of epochs on the dev slice
    index: dict[str, int] = {}
    fit_x = featurize(fit, index, grow=True)
    dev_x = featurize(dev, index, grow=False)
    print(f"fit {len(fit)} / dev {len(dev)} sentences, {len(index):,} features")
    _, history = train(fit_x, len(index), a.epochs, a.seed, dev_x)
    best_ep = max(history, key=lambda h: (h[1], -h[0]))[0]
    print(f"best epoch on dev: {best_ep} (typed F1 {dict(history)[best_ep]:.4f})")
    if a.dev_out is not None:
        dev_model, _ = train(fit_x, len(index), best_ep, a.seed, None)
        w, t = dev_model.averaged()
        d_index, w = prune(dict(index), w, a.prune)
        a.dev_out.mkdir(parents=True, exist_ok=True)
        ner.save(a.dev_out / ner.MODEL_FILE, d_index, w, t, clusters,
                 {"feature_version": ner.FEATURE_VERSION, "tags": list(ner.TAGS), "epochs": best_ep,
                  "data": "train split without the dev slice (train position % 10 != 0)"})
        print(f"wrote the dev-tuning model to {a.dev_out / ner.MODEL_FILE}")

    # 2. retrain on the whole train split for that many epochs
    index = {}
    all_x = featurize(sents, index, grow=True)
    model, _ = train(all_x, len(index), best_ep, a.seed, None)
    w, t = model.averaged()
    n_before = len(index)
    index, w = prune(index, w, a.prune)
    print(f"features: {n_before:,} -> {len(index):,} after pruning |w| < {a.prune}")
    a.out.mkdir(parents=True, exist_ok=True)
    path = a.out / ner.MODEL_FILE
    train_secs = time.perf_counter() - t_start
    meta = {"feature_version": ner.FEATURE_VERSION, "tags": list(ner.TAGS), "epochs": best_ep,
            "train_sentences": len(sents), "features": len(index), "clusters": a.clusters,
            "train_seconds": round(train_secs, 1),
            "data": "Stockmark ner-wikipedia (CC BY-SA 3.0), train split (index % 5 != 0)"}
    ner.save(path, index, w, t, clusters, meta)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB); training took {train_secs:.0f}s")

    if a.eval_test:
        m = ner.load_file(path)
        texts = [d["text"] for d in test_docs]
        gold = [gold_of(d) for d in test_docs]
        toks = [tokenize(x) for x in texts]
        t0 = time.perf_counter()
        pred = [set(ner.clean_spans(m.tag(tk), tk)) for tk in toks]
        dt = time.perf_counter() - t0
        s = score(gold, pred, CLASSES)
        chars = sum(map(len, texts))
        print(f"TEST ({len(texts)} sentences): typed F1 {s['typed'][2]:.4f} P {s['typed'][0]:.4f} "
              f"R {s['typed'][1]:.4f}; span F1 {s['span'][2]:.4f}")
        print("  " + "  ".join(f"{c} P {s[c][0]:.3f} R {s[c][1]:.3f} F1 {s[c][2]:.3f}" for c in CLASSES))
        print(f"  tagging speed (tokens given): {chars / dt:,.0f} chars/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
