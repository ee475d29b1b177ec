"""Local engine (multiprocessing, 2 workers) vs Spark local[2] on livedoor news, in one run.

    python bench/engines.py [--n 2000] [--sizes 500,1000,2000] [--ppc 1,2] [--out FILE.json]

Every measurement is a fresh child process (``--child``), so each includes what a user pays: process pool
start or JVM start, model loading in every worker, reading, analysis, the corpus step and records back in
the driver (``Engine.analyze``, as ``kansoku analyze --engine …`` does).  The parent samples the RSS of the
child's whole process tree (Python workers, the JVM, Spark's Python daemon and workers) every 0.2 s and
reports the peak.  The machine is shared: ratios come from the same run, and the load average is printed.

Needs ../shared/eval/livedoor-news/text and, for Spark, pyspark and Java.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIVEDOOR = ROOT.parent / "shared" / "eval" / "livedoor-news" / "text"


def articles(n: int) -> list[str]:
    files = sorted(LIVEDOOR.glob("*/*-*.txt"))
    step = max(1, len(files) // n)
    return [str(p) for p in files[::step][:n]]


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                out.extend(int(x) for x in fh.read().split())
    except OSError:
        pass
    return out


def tree_rss(pid: int) -> int:
    """Resident memory (bytes) of PID and all its descendants."""
    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/statm") as fh:
                total += int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            continue
        stack.extend(_children(p))
    return total


def worker_rss(pid: int) -> list[int]:
    """RSS of each Python worker below PID (pool workers or pyspark.worker processes)."""
    out, stack = [], [pid]
    while stack:
        p = stack.pop()
        kids = _children(p)
        stack.extend(kids)
        try:
            cmd = Path(f"/proc/{p}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            rss = int(Path(f"/proc/{p}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            continue
        if p != pid and "python" in cmd and ("forkserver" in cmd or "pyspark.daemon" in cmd) and not kids:
            out.append(rss)
    return out


def measure(args: list[str]) -> dict:
    proc = subprocess.Popen([sys.executable, __file__, "--child", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    peak, workers = 0, []
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak, workers
        while not stop.is_set():
            peak = max(peak, tree_rss(proc.pid))
            w = worker_rss(proc.pid)
            if sum(w) > sum(workers):
                workers = w
            time.sleep(0.2)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    out, _ = proc.communicate()
    stop.set()
    t.join()
    res = json.loads(out.decode().strip().splitlines()[-1])
    res["peak_rss_mb"] = peak / 2**20
    res["worker_rss_mb"] = [round(w / 2**20) for w in sorted(workers, reverse=True)]
    return res


def child(engine: str, n: int, partitions: int | None) -> None:
    t0 = time.perf_counter()
    from kansoku.engine import EngineConfig, get_engine
    from kansoku.pipeline import Options

    files = articles(n)
    chars = 0
    cfg = EngineConfig(workers=2) if engine == "local" else EngineConfig(master="local[2]", partitions=partitions)
    eng = get_engine(engine, cfg)
    t_start = time.perf_counter()
    if engine == "spark":
        from kansoku.engine.spark import session

        session("local[2]")  # JVM start, measured apart
    t_ready = time.perf_counter()
    docs = errors = 0
    for r in eng.analyze(files, Options()):
        if isinstance(r, dict):
            docs += 1
            chars += len(r["text"])
        else:
            errors += 1
    t_end = time.perf_counter()
    print(json.dumps({"engine": engine, "n": n, "partitions": partitions, "docs": docs, "errors": errors,
                      "chars": chars, "wall": t_end - t0, "startup": t_ready - t_start,
                      "analysis": t_end - t_ready}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--sizes", default="500,1000,2000")
    ap.add_argument("--ppc", default="1,2", help="Spark partitions per core for the scaling curve")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--curve-only", action="store_true", help="skip the headline pair (local vs Spark at --n)")
    ap.add_argument("--child", nargs=3, metavar=("ENGINE", "N", "PARTITIONS"))
    a = ap.parse_args()
    if a.child:
        child(a.child[0], int(a.child[1]), int(a.child[2]) or None)
        return
    if not LIVEDOOR.is_dir():
        sys.exit(f"bench/engines.py: {LIVEDOOR} is not present")
    cores = 2
    load0 = os.getloadavg()
    rows: list[dict] = []
    sizes = sorted({int(x) for x in a.sizes.split(",")})
    ppcs = [int(x) for x in a.ppc.split(",")]
    log = a.out.with_suffix(".jsonl") if a.out else None

    def run(engine: str, n: int, partitions: int) -> None:
        r = measure([engine, str(n), str(partitions)])
        r["load"] = os.getloadavg()
        rows.append(r)
        print(_line(r), flush=True)
        if log:
            with log.open("a") as fh:
                fh.write(json.dumps(r) + "\n")

    # the headline first: local vs Spark with the input's own split, N articles
    if not a.curve_only:
        run("local", a.n, 0)
        run("spark", a.n, 0)
    # the scaling curve: sizes × partitions per core
    for n in sizes:
        if n != a.n or a.curve_only:
            run("local", n, 0)
        for ppc in ppcs:
            run("spark", n, ppc * cores)
    sizes = sorted(set(sizes) | {a.n})
    load1 = os.getloadavg()
    print(f"\nload average before {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}, "
          f"after {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f} (2 cores)")
    print("\n| articles | engine | partitions | wall s | vs local | analysis s | startup s | docs/s | "
          "chars/s per core | peak RSS MB | worker RSS MB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for n in sizes:
        base = next((r for r in rows if r["n"] == n and r["engine"] == "local"), None)
        if base is None:
            continue
        for r in (x for x in rows if x["n"] == n):
            print(f"| {n} | {r['engine']} | {r['partitions'] or 'default'} | {r['wall']:.1f} | "
                  f"{r['wall'] / base['wall']:.2f}× | {r['analysis']:.1f} | {r['startup']:.1f} | "
                  f"{r['docs'] / r['wall']:.1f} | {r['chars'] / r['wall'] / cores:,.0f} | {r['peak_rss_mb']:.0f} | "
                  f"{', '.join(map(str, r['worker_rss_mb']))} |")
    if a.out:
        a.out.write_text(json.dumps({"load_before": load0, "load_after": load1, "rows": rows}, indent=1))


def _line(r: dict) -> str:
    return (f"{r['engine']:5} n={r['n']:5} partitions={r['partitions'] or 'default':7} wall={r['wall']:.1f}s "
            f"peak={r['peak_rss_mb']:.0f}MB errors={r['errors']}")


if __name__ == "__main__":
    main()
