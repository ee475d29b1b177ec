"""Latency of the web UI's pages (``kansoku serve``) on a 100,000-article store.

usage: python bench/web_latency.py [--docs 100000] [--base 3000] [--dir out/bench] [--n 200] [--json]

The store is ``bench/corpus_scale.py``'s (built by its builder when missing, and cached under ``--dir``:
3,000 livedoor news articles analysed by the real pipeline, replicated to 100,000 with new ids, outlets,
dates and perturbed texts; see that script's docstring).  The app (``create_app``, read-only, as
``kansoku serve`` runs it) is served by uvicorn on 127.0.0.1 in this process, and each page is requested
over HTTP with httpx, one request at a time, so the figures include HTTP, routing, the view, SQLite and
the template.  Before timing, the stories are loaded (``kansoku serve`` does this in the background at
the first request) and every page kind is requested a few times.

Pages (``--n`` requests each, sampled with a fixed seed):

* search: ``bench/search_latency.py``'s query mix (1, 2 and 3+ character terms; 2 terms + a filter) on
  the words of this store, as ``/search?q=…`` (total, facets over the first 1,000 hits, 20 snippets);
* article: random documents, ``/articles/{id}`` (the text with every evidence span, the side panel);
* entity: the 20 entities named in most articles, then random entities of 2 articles or more,
  ``/entities/{id}``;
* story: random stories of the cached clustering (largest first: the 20 largest, then random),
  ``/stories/{id}``.

For each page: p50 and p95 in ms, the target (p95 < 150 ms), and ratios: p95 ÷ target, and the page ÷ its
JSON twin (``/api/...``, same view without the template) as the cost of rendering HTML.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "src"))

TARGET_MS = 150.0


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def ensure_store(args: argparse.Namespace) -> Path:
    db_path = args.dir / f"corpus-{args.docs}-{args.base}.db"
    if db_path.exists():
        return db_path
    import corpus_scale as cs

    if not args.corpus.is_dir():
        print(f"web_latency: {args.corpus} not found and no store at {db_path}; skipping (needs livedoor news)")
        sys.exit(0)
    args.dir.mkdir(parents=True, exist_ok=True)
    bases = cs.base_records(args.corpus, args.base, args.dir)
    print(json.dumps({"build": cs.build(db_path, bases, args.docs)}), flush=True)
    return db_path


class Server:
    """uvicorn serving APP on 127.0.0.1 (a free port) in a thread."""

    def __init__(self, app: object) -> None:
        import uvicorn

        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.05)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def samples(db_path: Path, app: object, n: int) -> dict[str, list[str]]:
    """The URLs to request per page kind."""
    import sqlite3

    import search_latency as sl

    rng = random.Random(16)
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    toks = [r[0] for r in con.execute("SELECT tok FROM fts_tok WHERE rowid % 97 = 0")]
    genres = [r[0] for r in con.execute("SELECT DISTINCT genre FROM documents WHERE genre IS NOT NULL")]
    sl.GENRES[:] = genres or sl.GENRES
    search = []
    for _cls, q, f in sl.make_queries(toks, n):
        search.append("/search?" + urlencode({"q": q, **f}))
    top_n = con.execute("SELECT max(n) FROM documents").fetchone()[0]
    arts = []
    while len(arts) < n:
        row = con.execute("SELECT id FROM documents WHERE n = ?", (rng.randint(1, top_n),)).fetchone()
        if row:
            arts.append(f"/articles/{row[0]}")
    freq = con.execute(
        "SELECT entity_id, count(*) AS k FROM doc_entities WHERE in_record = 1 GROUP BY entity_id HAVING k >= 2 "
        "ORDER BY k DESC"
    ).fetchall()
    ents = [f"/entities/{quote(e, safe='')}" for e, _k in freq[:20]]
    rest = freq[20:]
    ents += [f"/entities/{quote(e, safe='')}" for e, _k in rng.sample(rest, min(len(rest), n - len(ents)))]
    con.close()
    stories = app.state.store.stories(wait=True) or []  # type: ignore[attr-defined]
    st = [f"/stories/{s['id']}" for s in stories[:20]]
    st += [f"/stories/{s['id']}" for s in rng.sample(stories[20:], min(len(stories) - 20, n - len(st)))] if len(stories) > 20 else []
    return {"search": search, "article": arts, "entity": ents, "story": st}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--base", type=int, default=3000)
    ap.add_argument("--dir", type=Path, default=ROOT / "out" / "bench")
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "eval" / "livedoor-news" / "text")
    ap.add_argument("--n", type=int, default=200, help="requests per page kind")
    ap.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    args = ap.parse_args()
    db_path = ensure_store(args)
    load0 = os.getloadavg()
    print(f"load average {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}, {os.cpu_count()} CPUs")

    import httpx

    from kansoku.web.app import create_app

    t0 = time.perf_counter()
    app = create_app(db_path)
    t_app = time.perf_counter() - t0
    t0 = time.perf_counter()
    urls = samples(db_path, app, args.n)
    t_stories = time.perf_counter() - t0
    size = sum(p.stat().st_size for p in db_path.parent.glob(db_path.name + "*"))
    docs = app.state.store.size()  # type: ignore[attr-defined]
    print(f"store {db_path.name}: {docs:,} articles, {size / 2**30:.2f} GB; app start {t_app * 1000:.0f} ms; "
          f"stories loaded (and URLs sampled) in {t_stories:.1f} s")  # fmt: skip
    results = {}
    with Server(app) as base, httpx.Client(base_url=base, timeout=120) as client:
        for _kind, lst in urls.items():  # warm-up: a few of each kind, HTML and JSON
            for u in lst[:5]:
                client.get(u)
                client.get("/api" + u)
        for kind, lst in urls.items():
            times, api_times, bad = [], [], 0
            for u in lst:
                t = time.perf_counter()
                r = client.get(u)
                times.append((time.perf_counter() - t) * 1000)
                bad += r.status_code != 200
                t = time.perf_counter()
                client.get("/api" + u)
                api_times.append((time.perf_counter() - t) * 1000)
            results[kind] = {"n": len(times), "p50": pct(times, 50), "p95": pct(times, 95), "max": max(times),
                             "api_p50": pct(api_times, 50), "api_p95": pct(api_times, 95), "errors": bad}  # fmt: skip
    load1 = os.getloadavg()
    print(f"\n{'page':<10} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'target':>10} {'p95÷target':>11} "
          f"{'JSON p50':>9} {'JSON p95':>9} {'page÷JSON':>10}")  # fmt: skip
    for kind, r in results.items():
        met = "met" if r["p95"] < TARGET_MS else "NOT met"
        print(f"{kind:<10} {r['n']:>5} {r['p50']:>8.1f} {r['p95']:>8.1f} {r['max']:>8.1f} {'<150 ' + met:>10} "
              f"{r['p95'] / TARGET_MS:>11.2f} {r['api_p50']:>9.1f} {r['api_p95']:>9.1f} "
              f"{r['p50'] / max(r['api_p50'], 1e-6):>10.2f}" + (f"  ({r['errors']} non-200)" if r["errors"] else ""))
    print(f"HTTP over 127.0.0.1, one request at a time; load average at the end {load1[0]:.2f} {load1[1]:.2f} "
          f"{load1[2]:.2f}")  # fmt: skip
    if args.json:
        print(json.dumps({"docs": docs, "size_gb": round(size / 2**30, 2), "pages": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
