"""Every target of issue 15 (speed and footprint), each measured against its baseline in the same run.

usage: python bench/targets.py [--n 300] [--workers 2] [--runs 7] [--skip-throughput] [--skip-search]
       [--skip-scale]

`make bench` runs this (after installing the bench extra).  It prints, in order:

1. the machine: CPUs, CPU model, RAM, load average, Python;
2. install size: the installed files of the closure of pyproject.toml's dependencies (what `make demo`
   installs, with pip and setuptools)
   against the closure of the dependencies before issue 15 (spacy, ginza, ja-ginza, pyarrow among them),
   both summed from the installed distributions' RECORD files of this environment; target <= 700 MB;
3. start-up: wall time of ``kansoku analyze`` on one small file (median of --runs), against the same
   command with ``KANSOKU_CACHE_DIR=off`` (the data loaded as before: indexes built at every start), bare
   ``ja_ginza`` on the same file, and an empty interpreter; target < 0.8 s; then where the time goes
   (``python -X importtime`` by top-level package, and the loading steps);
4. throughput (bench/throughput.py): whole process >= 20x bare ja_ginza, steady state >= 30x (the two
   taking turns slice by slice), one worker each;
5. the corpus benches bench/ingest.py and bench/corpus_scale.py when present, and bench/search_latency.py;
6. a summary table.

Timings on a shared machine are noisy: compare the ratios, and the load average printed with them.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "corpus" / "01_wire_kramatorsk_toa.txt"
SHARED = ROOT.parent / "shared"

# pyproject.toml before issue 15 (commit 8f5fa7b): what `make demo` installed then
OLD_DEPENDENCIES = [
    "spacy>=3.7,<3.9", "ginza>=5.2,<6", "ja-ginza>=5.2,<6", "sudachipy>=0.6.8", "sudachidict-core>=20240409",
    "trafilatura>=1.12", "charset-normalizer>=3.3", "feedparser>=6.0", "ja-timex>=0.2.8", "datasketch>=1.6",
    "typer>=0.12", "rich>=13", "jsonschema>=4.20", "matplotlib>=3.8", "japanize-matplotlib>=1.1.3",
    "numpy>=1.24", "pyarrow>=15", "pip", "setuptools",
]  # fmt: skip
TARGETS = {"install_mb": 700, "startup_s": 0.8, "whole_x": 20, "steady_x": 30}


def section(title: str) -> None:
    print(f"\n== {title}", flush=True)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# ------------------------------------------------------------------ machine


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    ram = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = int(line.split()[1]) / 2**20
    except OSError:
        pass
    m = {"nproc": os.cpu_count(), "cpu": cpu, "ram_gb": round(ram, 1), "python": platform.python_version(),
         "date": time.strftime("%Y-%m-%d %H:%M"), "load": load()}  # fmt: skip
    print(f"{m['nproc']} CPUs ({m['cpu']}), {m['ram_gb']} GB RAM, Python {m['python']}, {m['date']}, "
          f"load average {m['load']}")  # fmt: skip
    return m


# ------------------------------------------------------------------ install size


def _closure(reqs: list[str], missing: set[str]) -> dict[str, object]:
    from importlib.metadata import PackageNotFoundError, distribution

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    seen: dict[str, object] = {}
    todo = [(Requirement(r), "") for r in reqs]
    while todo:
        req, extra = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": extra}):
            continue
        name = canonicalize_name(req.name)
        if name in seen:
            continue
        try:
            dist = distribution(req.name)
        except PackageNotFoundError:
            missing.add(name)
            continue
        seen[name] = dist
        for r in dist.requires or []:
            rq = Requirement(r)
            if rq.marker is None:
                todo.append((rq, ""))
            else:
                for ex in ["", *req.extras]:
                    if rq.marker.evaluate({"extra": ex}):
                        todo.append((rq, ex))
                        break
    return seen


def _size_mb(dists: dict[str, object]) -> float:
    total = 0
    for dist in dists.values():
        for f in dist.files or []:  # type: ignore[attr-defined]
            with contextlib.suppress(OSError):
                total += dist.locate_file(f).stat().st_size  # type: ignore[attr-defined]
    return total / 2**20


def install_size() -> dict:
    runtime_missing: set[str] = set()
    old_missing: set[str] = set()
    import tomllib

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    runtime = _closure([*deps, "pip", "setuptools"], runtime_missing)
    old = _closure(OLD_DEPENDENCIES, old_missing)
    r_mb, o_mb = _size_mb(runtime), _size_mb(old)
    gone = sorted(set(old) - set(runtime), key=lambda n: -_size_mb({n: old[n]}))
    print(f"runtime closure of kansoku ({len(runtime)} distributions): {r_mb:7.0f} MiB  target <= "
          f"{TARGETS['install_mb']} MB")  # fmt: skip
    print(f"closure of the dependencies before issue 15:     {o_mb:7.0f} MiB  ratio {r_mb / o_mb:.2f}")
    print("  no longer installed by make demo: " + ", ".join(f"{n} {_size_mb({n: old[n]}):.0f} MiB" for n in gone[:12]))
    added = sorted(set(runtime) - set(old) - {"kansoku"})
    if added:
        print("  added: " + ", ".join(f"{n} {_size_mb({n: runtime[n]}):.1f} MiB" for n in added))
    biggest = sorted(runtime, key=lambda n: -_size_mb({n: runtime[n]}))[:8]
    print("  largest now: " + ", ".join(f"{n} {_size_mb({n: runtime[n]}):.0f} MiB" for n in biggest))
    if runtime_missing or old_missing:
        print(f"  not installed here, not counted: {', '.join(sorted(runtime_missing | old_missing))}")
    return {"runtime_mb": r_mb, "old_mb": o_mb}


# ------------------------------------------------------------------ start-up


def _wall(cmd: list[str], env: dict | None = None) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
    return time.perf_counter() - t0


_STEPS = r"""
import time, sys
t = time.perf_counter(); c = time.process_time()
out = []
def lap(name):
    global t, c
    n, nc = time.perf_counter(), time.process_time(); out.append((name, n - t, nc - c)); t, c = n, nc
import kansoku.cli; lap("import kansoku.cli (typer, commands)")
import numpy; lap("import numpy")
import ja_timex; lap("import ja_timex (pendulum)")
import kansoku.pipeline, kansoku.extract.entities, kansoku.extract.timex, kansoku.extract.claims
import kansoku.extract.metadata, kansoku.extract.quantities, kansoku.extract.sourcing, kansoku.resolve.links
import kansoku.analyze.frames, kansoku.analyze.stance, kansoku.analyze.genre, kansoku.analyze.persuasion
import kansoku.resolve.entities, kansoku.resolve.corpus; lap("import the analysis modules")
import kansoku.read; lap("import kansoku.read")
from kansoku.nlp.ner import model; model(); lap("NER model")
from kansoku.nlp.gazetteer import default; default(); lap("gazetteer")
from kansoku.nlp.tokens import tokenize; tokenize("ロシア"); lap("Sudachi dictionary")
from kansoku.read import iter_documents
from kansoku.pipeline import analyze_document
raw = next(iter(iter_documents([sys.argv[1]])))
analyze_document(raw); lap("first document (regexes compiled on first use)")
analyze_document(raw); lap("the same document again")
import json; print(json.dumps(out))
"""


def startup(runs: int) -> dict:
    py = sys.executable
    cmd = [py, "-m", "kansoku.cli", "analyze", str(SAMPLE), "--quiet"]
    off = dict(os.environ, KANSOKU_CACHE_DIR="off")
    have_ginza = importlib.util.find_spec("spacy") is not None and importlib.util.find_spec("ja_ginza") is not None
    ginza = [py, "-c", "import spacy,sys; nlp=spacy.load('ja_ginza'); nlp(open(sys.argv[1]).read())", str(SAMPLE)]
    # byte-code as an installed package has it (pip compiles site-packages; an editable install writes
    # src/'s on first import unless PYTHONDONTWRITEBYTECODE is set, which would put compiling every
    # changed module into each measured run)
    subprocess.run([py, "-m", "compileall", "-q", str(ROOT / "src")], stdout=subprocess.DEVNULL, check=False)
    _wall(cmd)  # builds the cache entries when missing
    times: dict[str, list[float]] = defaultdict(list)
    for _ in range(runs):  # interleaved, so that load changes hit all alike
        times["kansoku"].append(_wall(cmd))
        times["cache off"].append(_wall(cmd, off))
        times["python -c pass"].append(_wall([py, "-c", "pass"]))
        if have_ginza:
            times["ja_ginza"].append(_wall(ginza))
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"kansoku analyze {SAMPLE.relative_to(ROOT)} ({SAMPLE.stat().st_size:,} bytes), median of {runs}, "
          f"load average {load()}:")  # fmt: skip
    for k, v in med.items():
        ratio = "" if k == "kansoku" else f"   kansoku / this: {med['kansoku'] / v:.2f}"
        print(f"  {k:<16} {v:6.2f} s  (min {min(times[k]):.2f}){ratio}")
    print(f"  target < {TARGETS['startup_s']} s")
    # where the time goes: imports by top-level package
    p = subprocess.run([py, "-X", "importtime", *cmd[1:]], capture_output=True, text=True, check=False)
    by_pkg: dict[str, int] = defaultdict(int)
    for line in p.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+\d+ \| (\s*)(\S+)", line)
        if m:
            by_pkg[m.group(3).split(".")[0]] += int(m.group(1))
    top = sorted(by_pkg.items(), key=lambda kv: -kv[1])
    total = sum(by_pkg.values())
    print(f"  python -X importtime, self time by top-level package (total {total / 1e6:.2f} s): "
          + ", ".join(f"{k} {v / 1e3:.0f} ms" for k, v in top[:12]))  # fmt: skip
    p = subprocess.run([py, "-c", _STEPS, str(SAMPLE)], capture_output=True, text=True, check=False)
    steps = json.loads(p.stdout.strip().splitlines()[-1]) if p.returncode == 0 else []
    if steps:
        print("  steps in one process, wall (CPU) ms: " + ", ".join(f"{n} {w * 1000:.0f} ({c * 1000:.0f})"
                                                               for n, w, c in steps))  # fmt: skip
    return {"median": med, "min": {k: min(v) for k, v in times.items()}, "imports": top[:15], "steps": steps}


# ------------------------------------------------------------------ other benches


def run_script(name: str, args: list[str] | None = None) -> int | None:
    path = ROOT / "bench" / name
    if not path.exists():
        print(f"bench/{name} not present: skipped")
        return None
    print(f"$ python bench/{name} {' '.join(args or [])}", flush=True)
    return subprocess.run([sys.executable, str(path), *(args or [])], check=False).returncode


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=300, help="texts for the throughput bench")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--runs", type=int, default=7, help="runs of each start-up command")
    ap.add_argument("--skip-throughput", action="store_true")
    ap.add_argument("--skip-search", action="store_true")
    ap.add_argument("--skip-scale", action="store_true", help="skip bench/corpus_scale.py (the 100,000-article store)")
    a = ap.parse_args()
    if not (SHARED / "eval" / "livedoor-news" / "text").is_dir():
        print(f"{SHARED}/eval/livedoor-news/text not present: nothing to measure")
        return 0
    section("machine")
    m = machine()
    section("install size")
    inst = install_size()
    section("start-up")
    st = startup(a.runs)
    tp: dict = {}
    if not a.skip_throughput:
        section("throughput (bench/throughput.py)")
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "throughput.json"
            subprocess.run([sys.executable, str(ROOT / "bench" / "throughput.py"), "--n", str(a.n),
                            "--workers", str(a.workers), "--json", str(out)], check=False)  # fmt: skip
            if out.exists():
                tp = json.loads(out.read_text(encoding="utf-8"))
    section("corpus and store")
    run_script("ingest.py")
    if not a.skip_scale:
        run_script("corpus_scale.py")
    if not a.skip_search:
        run_script("search_latency.py")
    section(f"summary (load average now {load()}; at start {m['load']})")
    rows = [
        ("install (make demo closure)", f"<= {TARGETS['install_mb']} MB", f"{inst['runtime_mb']:.0f} MiB",
         f"{inst['old_mb']:.0f} MiB before", inst["runtime_mb"] <= TARGETS["install_mb"]),
        ("analyze one small file", f"< {TARGETS['startup_s']} s", f"{st['median']['kansoku']:.2f} s",
         f"{st['median']['cache off']:.2f} s cache off" + (f", {st['median']['ja_ginza']:.2f} s ja_ginza"
                                                           if "ja_ginza" in st["median"] else ""),
         st["median"]["kansoku"] < TARGETS["startup_s"]),
    ]  # fmt: skip
    if "ratio_whole_x1" in tp:
        rows.append(("whole process vs ja_ginza, 1 worker", f">= {TARGETS['whole_x']}x",
                     f"{tp['ratio_whole_x1']:.1f}x", f"{tp['ginza_x1']['whole_chars_per_s']:,.0f} chars/s ja_ginza",
                     tp["ratio_whole_x1"] >= TARGETS["whole_x"]))  # fmt: skip
        il = tp.get("interleaved")
        base = (f"{il['ginza_chars_per_s']:,.0f} chars/s ja_ginza, taking turns" if il else
                f"{tp['ginza_x1']['chars_per_s']:,.0f} chars/s ja_ginza")
        rows.append(("steady state vs ja_ginza, 1 worker", f">= {TARGETS['steady_x']}x",
                     f"{tp['ratio_steady_x1']:.1f}x", base, tp["ratio_steady_x1"] >= TARGETS["steady_x"]))
        if il:
            rows.append(("  the same, one after the other", "-", f"{tp['ratio_steady_seq_x1']:.1f}x",
                         f"{tp['ginza_x1']['chars_per_s']:,.0f} chars/s ja_ginza", True))  # fmt: skip
    print(f"{'target':<38} {'goal':<10} {'measured':<10} {'baseline':<44} met")
    for name, goal, got, base, ok in rows:
        print(f"{name:<38} {goal:<10} {got:<10} {base:<44} {'yes' if ok else 'NO'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
