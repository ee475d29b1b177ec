"""Where the analysis time goes: cProfile of ``analyze_batch`` over N livedoor articles, one process.

usage: python bench/profile_analysis.py [--n 150] [--top 15] [--corpus DIR] [--out FILE.prof]

The models are loaded and one article analysed first (start-up is measured by bench/targets.py), then N
articles are analysed under cProfile.  Prints the time per stage (the callees of
``pipeline.analyze_document``, cumulative) and the functions with the most self time.  cProfile inflates
many small Python calls; for a sampling profile and a flame graph of the same run use py-spy:

    py-spy record -o docs/profile.svg -- python bench/profile_analysis.py --no-cprofile
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from throughput import DEFAULT_CORPUS, load_texts  # noqa: E402


def _short(func: tuple[str, int, str]) -> str:
    path, line, name = func
    if path == "~":
        return name
    p = Path(path)
    parts = p.parts
    if "kansoku" in parts:
        path = "/".join(parts[parts.index("kansoku") :])
    elif "site-packages" in parts:
        path = "/".join(parts[parts.index("site-packages") + 1 :])
    else:
        path = p.name
    return f"{path}:{line}({name})"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=150)
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--out", type=Path, help="save the raw profile here")
    ap.add_argument("--no-cprofile", action="store_true", help="just run (for py-spy)")
    a = ap.parse_args()
    if not a.corpus.is_dir():
        print(f"skipped: {a.corpus} not found (the livedoor-news evaluation corpus lives in ../shared)")
        return 0
    from kansoku.model import RawDoc
    from kansoku.pipeline import _warm, analyze_batch

    texts = load_texts(a.corpus, a.n)
    raws = [RawDoc(source=f"doc{i}", text=t) for i, t in enumerate(texts)]
    _warm()
    analyze_batch(raws[:1])
    chars = sum(map(len, texts))
    if a.no_cprofile:
        t0 = time.perf_counter()
        analyze_batch(raws)
        print(f"{len(raws)} articles, {chars:,} chars, {time.perf_counter() - t0:.1f} s")
        return 0
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    analyze_batch(raws)
    prof.disable()
    wall = time.perf_counter() - t0
    if a.out:
        prof.dump_stats(a.out)
    st = pstats.Stats(prof)
    total = st.total_tt  # type: ignore[attr-defined]
    print(f"{len(raws)} articles, {chars:,} chars: {wall:.1f} s under cProfile "
          f"({chars / wall:,.0f} chars/s profiled), load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    stats = st.stats  # type: ignore[attr-defined]
    doc = next(f for f in stats if f[2] == "analyze_document" and f[0].endswith("pipeline.py"))
    stages = [(func, ct) for func, (_cc, _nc, _tt, ct, callers) in stats.items() if doc in callers
              for ct in [callers[doc][3]]]  # fmt: skip
    print("\nper stage (cumulative, callees of pipeline.analyze_document):")
    print(f"{'share':>6} {'seconds':>8}  function")
    for func, ct in sorted(stages, key=lambda x: -x[1])[: a.top]:
        print(f"{ct / total:6.1%} {ct:8.2f}  {_short(func)}")
    print(f"\ntop {a.top} by self time:")
    print(f"{'share':>6} {'seconds':>8} {'calls':>9}  function")
    for func, (_cc, nc, tt, _ct, _callers) in sorted(stats.items(), key=lambda kv: -kv[1][2])[: a.top]:
        print(f"{tt / total:6.1%} {tt:8.2f} {nc:9,}  {_short(func)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
