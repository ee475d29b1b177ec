"""Throughput of `kansoku analyze` against bare `spacy.load('ja_ginza')` on the same texts, same run.

usage: python bench/throughput.py [--n 300] [--workers 2] [--corpus DIR]

Each measurement runs in its own child process so that peak RSS (self + its workers) is reported per
system. Texts: the first N articles of ../shared/eval/livedoor-news/text/*/*.txt (URL and date lines
dropped); skipped with a message when that folder is absent.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import zlib
from pathlib import Path

DEFAULT_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "livedoor-news" / "text"


def load_texts(corpus: Path, n: int) -> list[str]:
    files = sorted(p for p in corpus.glob("*/*.txt") if p.name not in ("LICENSE.txt", "README.txt"))
    # spread the sample over the categories
    files = sorted(files, key=lambda p: (zlib.crc32(p.name.encode()) % 997, p.name))[:n] if len(files) > n else files
    out = []
    for p in sorted(files):
        lines = p.read_text(encoding="utf-8").splitlines()
        out.append("\n".join(lines[2:]))
    return out


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + kids) / 1024


def tree_rss_mb(root: int) -> float:
    """Current RSS of ``root`` and all its descendants (pool workers live under a forkserver)."""
    parent: dict[int, int] = {}
    rss: dict[int, int] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            parent[int(d.name)] = int(fields[1])
            rss[int(d.name)] = int(fields[21]) * resource.getpagesize()
        except (OSError, IndexError, ValueError):
            continue
    tree, frontier = {root}, [root]
    while frontier:
        p = frontier.pop()
        for c, pp in parent.items():
            if pp == p and c not in tree:
                tree.add(c)
                frontier.append(c)
    return sum(rss.get(p, 0) for p in tree) / 2**20


class TreeRSS:
    """Samples the process tree's total RSS every 0.2 s; ``peak`` in MB."""

    def __init__(self) -> None:
        import os
        import threading

        self.peak = 0.0
        self._stop = threading.Event()
        self._pid = os.getpid()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, tree_rss_mb(self._pid))

    def stop(self) -> float:
        self._stop.set()
        self._t.join()
        return max(self.peak, tree_rss_mb(self._pid))


def child(kind: str, corpus: Path, n: int, workers: int) -> dict:
    texts = load_texts(corpus, n)
    chars = sum(map(len, texts))
    if kind == "ginza":
        import spacy

        nlp = spacy.load("ja_ginza")
        t0 = time.perf_counter()
        n_ents = sum(len(d.ents) for d in nlp.pipe(texts, n_process=workers, batch_size=16))
        dt = time.perf_counter() - t0
        return {"system": f"ja_ginza x{workers}", "chars": chars, "seconds": dt, "entities": n_ents}
    from kansoku.model import RawDoc
    from kansoku.pipeline import _warm, run

    _warm()
    raws = [RawDoc(source=f"doc{i}", text=t) for i, t in enumerate(texts)]
    t0 = time.perf_counter()
    recs = list(run(raws, workers=workers))
    dt = time.perf_counter() - t0
    n_ents = sum(sum(len(e["mentions"]) for e in r["entities"]) for r in recs if isinstance(r, dict))
    failed = sum(not isinstance(r, dict) for r in recs)
    return {"system": f"kansoku x{workers}", "chars": chars, "seconds": dt, "entities": n_ents, "failed": failed}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--child", choices=["ginza", "kansoku"])
    a = ap.parse_args()
    if a.child:
        sampler = TreeRSS()
        res = child(a.child, a.corpus, a.n, a.workers)
        res["peak_rss_mb"] = max(sampler.stop(), peak_rss_mb())
        print(json.dumps(res))
        return 0
    if not a.corpus.is_dir():
        print(f"skipped: {a.corpus} not found (the livedoor-news evaluation corpus lives in ../shared)")
        return 0
    results = {}
    for kind in ("ginza", "kansoku"):
        for w in sorted({1, a.workers}):
            cmd = [sys.executable, __file__, "--child", kind, "--n", str(a.n), "--workers", str(w),
                   "--corpus", str(a.corpus)]
            out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
            r = json.loads(out)
            r["chars_per_s"] = r["chars"] / r["seconds"]
            results[(kind, w)] = r
            print(f"{r['system']:<14} {r['chars']:>9,} chars {r['seconds']:8.1f} s "
                  f"{r['chars_per_s']:>10,.0f} chars/s  peak RSS {r['peak_rss_mb']:7.0f} MB  "
                  f"entity mentions {r['entities']:,}", flush=True)
    for w in sorted({1, a.workers}):
        ratio = results[("kansoku", w)]["chars_per_s"] / results[("ginza", w)]["chars_per_s"]
        print(f"ratio kansoku/ja_ginza with {w} process(es): {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
