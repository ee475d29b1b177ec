"""Ingest speed and memory on the livedoor news corpus: fresh ingest, re-ingest, peak RSS of the process tree.

usage: python bench/ingest.py [--n N] [--workers W] [--batch-size B] [--corpus DIR] [--no-baseline]
                              [--keep DIR]

Runs the real command line (``python -m kansoku.cli``) as a child process on the first N livedoor
articles (default: all 7,367; ``LICENSE.txt``/``README.txt``/``CHANGES.txt`` are not articles and are left
out), in this order:

1. baseline: ``kansoku analyze FILES --out X.jsonl`` (the analysis alone, same workers), unless
   ``--no-baseline``; it is what ingest costs at least;
2. ``kansoku ingest FILES --db NEW`` into a fresh store;
3. ``kansoku ingest FILES --db SAME`` again (nothing changed: every input must be skipped);
4. ``cat``-like baseline for the re-ingest: reading every file's bytes once (the I/O floor).

While each child runs, the process tree (the child, its forkserver and pool workers) is sampled from
/proc every 0.2 s; the peak of the summed RSS (resident pages, shared library pages counted once per
process, as ``ps`` does) and of the summed PSS (shared pages divided between the processes that map
them) is reported.  Targets (issue 15): fresh ingest < 180 s on 2 cores, re-ingest < 15 s, peak RSS of
the tree <= 1.2 GB.  Times depend on the machine's load: the load average is printed, and the ratios to
the baselines measured in the same run are the figures to compare across runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "eval" / "livedoor-news" / "text"
NOT_ARTICLES = {"LICENSE.txt", "README.txt", "CHANGES.txt"}
PAGE = os.sysconf("SC_PAGE_SIZE")


def articles(corpus: Path, n: int | None) -> list[Path]:
    files = sorted(p for p in corpus.glob("*/*.txt") if p.name not in NOT_ARTICLES)
    return files[:n] if n else files


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        kids.setdefault(ppid, []).append(int(d))
    return kids


def tree(pid: int) -> list[int]:
    kids = _children()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


class Sampler(threading.Thread):
    """Peak summed RSS / PSS of a process tree, sampled every ``interval`` seconds."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_rss = self.peak_pss = 0
        self.peak_procs = 0
        self.stop = threading.Event()

    def run(self) -> None:
        k = 0
        while not self.stop.is_set():
            pids = tree(self.pid)
            self.peak_procs = max(self.peak_procs, len(pids))
            self.peak_rss = max(self.peak_rss, sum(_rss(p) for p in pids))
            if k % 3 == 0:  # PSS is dearer to read
                self.peak_pss = max(self.peak_pss, sum(_pss(p) for p in pids))
            k += 1
            self.stop.wait(self.interval)


def run(cmd: list[str], env: dict) -> dict:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    sampler = Sampler(proc.pid)
    sampler.start()
    out, err = proc.communicate()
    secs = time.perf_counter() - t0
    sampler.stop.set()
    sampler.join()
    last = err.strip().splitlines()[-1] if err.strip() else ""
    if proc.returncode not in (0, 1):
        print(f"ingest bench: {' '.join(cmd[:4])} … failed ({proc.returncode}): {last}", file=sys.stderr)
    return {"s": secs, "rss": sampler.peak_rss, "pss": sampler.peak_pss, "procs": sampler.peak_procs,
            "rc": proc.returncode, "summary": last}  # fmt: skip


def read_all(files: list[Path]) -> float:
    t0 = time.perf_counter()
    for f in files:
        f.read_bytes()
    return time.perf_counter() - t0


def gb(x: int) -> str:
    return f"{x / 2**30:.2f}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=None, help="first N articles (default: all)")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--batch-size", type=int, default=None)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--no-baseline", action="store_true", help="skip the `kansoku analyze` baseline")
    ap.add_argument("--keep", type=Path, default=None, help="keep the store in this folder")
    ap.add_argument("--src", type=Path, default=ROOT / "src", help="kansoku sources to run (default: this tree)")
    args = ap.parse_args()
    if not args.corpus.is_dir():
        print(f"ingest bench: {args.corpus} not found; skipping (needs the livedoor news corpus)")
        return 0
    files = articles(args.corpus, args.n)
    chars = sum(len(f.read_text(encoding="utf-8")) for f in files)
    tmp = Path(tempfile.mkdtemp(prefix="kansoku-ingest-")) if args.keep is None else args.keep
    tmp.mkdir(parents=True, exist_ok=True)
    db = tmp / "ingest.db"
    for p in tmp.glob("ingest.db*"):
        p.unlink()
    env = dict(os.environ, PYTHONPATH=str(args.src) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    cli = [sys.executable, "-m", "kansoku.cli"]
    opts = ["--quiet"] + (["--workers", str(args.workers)] if args.workers else [])
    load0 = os.getloadavg()
    print(f"kansoku from {args.src}")
    print(f"{len(files)} articles, {chars / 1e6:.1f} M characters, {os.cpu_count()} CPUs, "
          f"load average {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}")  # fmt: skip
    try:
        res: dict[str, dict] = {}
        if not args.no_baseline:
            res["analyze (baseline)"] = run([*cli, "analyze", *map(str, files), "--out", str(tmp / "a.jsonl"), *opts],
                                            env)  # fmt: skip
        bs = ["--batch-size", str(args.batch_size)] if args.batch_size else []
        res["ingest, fresh store"] = run([*cli, "ingest", *map(str, files), "--db", str(db), *opts, *bs], env)
        res["ingest again (unchanged)"] = run([*cli, "ingest", *map(str, files), "--db", str(db), *opts, *bs], env)
        t_read = read_all(files)
        size = sum(p.stat().st_size for p in tmp.glob("ingest.db*"))
        load1 = os.getloadavg()
        print(f"{'run':<26} {'s':>8} {'art/s':>8} {'peak RSS GiB':>12} {'peak PSS GiB':>12} {'procs':>6}")
        for name, r in res.items():
            print(f"{name:<26} {r['s']:>8.1f} {len(files) / r['s']:>8.1f} {gb(r['rss']):>12} {gb(r['pss']):>12} "
                  f"{r['procs']:>6}")  # fmt: skip
        print(f"{'read every file (floor)':<26} {t_read:>8.2f}")
        print(f"store {size / 2**20:.0f} MB; ingest summary: {res['ingest, fresh store']['summary']}")
        print(f"re-ingest summary: {res['ingest again (unchanged)']['summary']}")
        fresh, again = res["ingest, fresh store"], res["ingest again (unchanged)"]
        if "analyze (baseline)" in res:
            base = res["analyze (baseline)"]
            print(f"ratio ingest / analyze: time {fresh['s'] / base['s']:.2f}, peak RSS {fresh['rss'] / base['rss']:.2f}")
        print(f"ratio re-ingest / reading the files: {again['s'] / max(t_read, 1e-3):.1f}")
        full = args.n is None or args.n >= 7367
        scale = 7367 / len(files)
        print("targets" + ("" if full else f" (scaled ×{scale:.1f} from {len(files)} articles)") + ":")
        print(f"  fresh ingest < 180 s: {fresh['s'] * scale:.0f} s  {'met' if fresh['s'] * scale < 180 else 'NOT met'}")
        print(f"  re-ingest < 15 s: {again['s'] * scale:.1f} s  {'met' if again['s'] * scale < 15 else 'NOT met'}")
        peak = max(fresh["rss"], again["rss"])
        print(f"  peak RSS of the tree <= 1.2 GiB: {gb(peak)} GiB  {'met' if peak <= 1.2 * 2**30 else 'NOT met'} "
              f"(PSS {gb(max(fresh['pss'], again['pss']))} GiB)")
        print(f"load average at the end {load1[0]:.2f} {load1[1]:.2f} {load1[2]:.2f}")
    finally:
        if args.keep is None:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
