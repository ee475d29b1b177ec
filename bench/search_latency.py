"""Search latency of the SQLite store at 100,000 articles.

usage: python bench/search_latency.py [--docs 100000] [--queries 200] [--max-chars 2000] [--workers 2]
                                      [--corpus DIR] [--keep DIR]

Builds a store of recombined livedoor news texts (../shared/eval/livedoor-news/text/*/*.txt; skipped with a
message when absent) without running the analysis pipeline: every livedoor paragraph is tokenised once with
Sudachi (``kansoku.store.db.token_string``, in ``--workers`` processes), then each synthetic article is a
random title plus random paragraphs up to ``--max-chars``, with synthetic outlet, publication date, genre
and frames so that filters can be exercised.  Documents, FTS rows and frames are inserted with executemany
in one transaction.  Then it times ``kansoku.store.search.search`` on 200 queries in four classes
(1-character, 2-character, 3+-character terms, and 2-term queries with one filter) and prints p50/p95 per
class.  Target: p95 < 50 ms for the 2-term + filter class.  The store lives in a temporary folder that is
deleted afterwards (unless --keep).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "eval" / "livedoor-news" / "text"

OUTLETS = ["東亜通信", "極東新報", "北の便り", "ユーラシア・ウォッチ", "中央時事", "東洋ポリシー・レビュー",
           "西日本タイムズ", "国際経済新聞", "アジア通信", "ライブドア"]  # fmt: skip
FRAMES = ["humanitarian_cost", "pressure_russia", "alliance_cohesion_risk", "energy_security", "russia_stalling",
          "multipolar_order", "europe_warmongers", "nato_expansion_root_cause"]  # fmt: skip
GENRES = ["report", "analysis", "opinion", "dialogue", "blog"]
CONTENT = re.compile(r"^[\u4e00-\u9fff\u30a0-\u30ffー]+$")  # kanji/katakana tokens: content words


def load_articles(corpus: Path) -> list[tuple[str, list[str]]]:
    out = []
    for p in sorted(corpus.glob("*/*.txt")):
        if p.name in ("LICENSE.txt", "README.txt"):
            continue
        lines = p.read_text(encoding="utf-8").splitlines()
        if len(lines) < 4:
            continue
        paras = [x.strip() for x in lines[3:] if x.strip()]
        if paras:
            out.append((lines[2].strip(), paras))
    return out


def _tok(texts: list[str]) -> list[str]:
    from kansoku.store.db import token_string

    return [token_string(t) for t in texts]


def tokenise_all(texts: list[str], workers: int) -> list[str]:
    chunks = [texts[i : i + 500] for i in range(0, len(texts), 500)]
    if workers <= 1:
        return [t for c in chunks for t in _tok(c)]
    with mp.get_context("fork").Pool(workers) as pool:
        return [t for c in pool.map(_tok, chunks) for t in c]


def build(
    db_path: Path, articles: list[tuple[str, list[str]]], n_docs: int, max_chars: int, workers: int
) -> dict:
    from kansoku.store import db

    t0 = time.perf_counter()
    pieces: list[str] = []
    index: dict[str, int] = {}
    titles: list[int] = []
    paras: list[int] = []
    for title, ps in articles:
        for s in [title, *ps]:
            if s not in index:
                index[s] = len(pieces)
                pieces.append(s)
        titles.append(index[title])
        paras.extend(index[p] for p in ps)
    toks = tokenise_all(pieces, workers)
    t_tok = time.perf_counter() - t0
    nchars = sum(map(len, pieces))

    rng = random.Random(7)
    con = db.connect(db_path)
    # a bulk load into an empty file: no journal (WAL would write everything twice); WAL again afterwards
    con.execute("PRAGMA journal_mode=DELETE")
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("BEGIN")
    docs, ftoks, frames = [], [], []
    total_chars = 0

    def flush() -> None:
        con.executemany(
            "INSERT INTO documents(n, id, source, title, outlet, published, authors, genre, text, record_json, "
            "content_hash, pipeline_version, ingested_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            docs,
        )
        con.executemany("INSERT INTO fts_tok(rowid, tok) VALUES (?, ?)", ftoks)
        con.executemany("INSERT INTO frames(doc_id, frame_id, score, evidence) VALUES (?,?,?,'[]')", frames)
        docs.clear()
        ftoks.clear()
        frames.clear()

    for n in range(1, n_docs + 1):
        t = rng.choice(titles)
        parts = [t]
        size = len(pieces[t])
        while size < max_chars:
            p = rng.choice(paras)
            parts.append(p)
            size += len(pieces[p]) + 1
        text = pieces[t] + "\n\n" + "\n".join(pieces[p] for p in parts[1:])
        text = text[:max_chars]
        total_chars += len(text)
        doc_id = f"{n:016x}"
        day = rng.randrange(0, 6 * 365)
        published = time.strftime("%Y-%m-%d", time.gmtime(1577836800 + day * 86400))
        docs.append(
            (n, doc_id, f"synthetic/{n}.txt", pieces[t], rng.choice(OUTLETS), published, None, rng.choice(GENRES),
             text, "{}", doc_id, "bench", "2026-01-01T00:00:00+00:00")
        )  # fmt: skip
        ftoks.append((n, " ".join(toks[i] for i in parts)))
        for f in rng.sample(FRAMES, rng.choice([0, 0, 1, 1, 2])):
            frames.append((doc_id, f, 0.5))
        if len(docs) >= 5000:
            flush()
    flush()
    con.execute("COMMIT")
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA optimize")
    con.close()
    return {
        "docs": n_docs,
        "chars": total_chars,
        "pieces_tokenised": len(pieces),
        "piece_chars": nchars,
        "tokenise_s": round(t_tok, 1),
        "build_s": round(time.perf_counter() - t0, 1),
        "size_mb": round(sum(p.stat().st_size for p in db_path.parent.glob(db_path.name + "*")) / 2**20, 1),
        "_toks": toks,
    }


def make_queries(toks: list[str], n: int) -> list[tuple[str, str, dict]]:
    rng = random.Random(11)
    vocab: dict[int, list[str]] = {1: [], 2: [], 3: []}
    seen: set[str] = set()
    for t in toks:
        for w in t.split():
            if w in seen or not CONTENT.match(w):
                continue
            seen.add(w)
            vocab[min(len(w), 3)].append(w)
    per = n // 4
    filters = [
        lambda: {"outlet": rng.choice(OUTLETS)},
        lambda: {"since": f"{rng.randrange(2020, 2026)}-0{rng.randrange(1, 10)}-01"},
        lambda: {"frame": rng.choice(FRAMES)},
        lambda: {"genre": rng.choice(GENRES)},
    ]
    qs: list[tuple[str, str, dict]] = []
    qs += [("1-char", rng.choice(vocab[1]), {}) for _ in range(per)]
    qs += [("2-char", rng.choice(vocab[2]), {}) for _ in range(per)]
    qs += [("3+-char", rng.choice(vocab[3]), {}) for _ in range(per)]
    i = 0
    while len(qs) < n:
        # two content words that occur in the same text, so that queries have hits
        words = list(dict.fromkeys(w for w in rng.choice(toks).split() if CONTENT.match(w)))
        short = [w for w in words if len(w) == 2]
        long = [w for w in words if len(w) >= 3]
        if len(long) < 2 or not short:
            continue
        a = rng.choice(short) if i % 2 else rng.choice(long)
        b = rng.choice([w for w in long if w != a])
        qs.append(("2-term+filter", f"{a} {b}", filters[i % len(filters)]()))
        i += 1
    rng.shuffle(qs)
    return qs


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--max-chars", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--limit", type=int, default=20)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument(
        "--keep",
        type=Path,
        default=None,
        help="build the store in this folder and keep it (reused when present)",
    )
    args = ap.parse_args()
    if not args.corpus.is_dir():
        print(f"search_latency: {args.corpus} not found; skipping (needs the livedoor news corpus)")
        return 0
    from kansoku.store import db
    from kansoku.store.search import search

    articles = load_articles(args.corpus)
    if not articles:
        print(f"search_latency: no articles in {args.corpus}; skipping")
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="kansoku-bench-")) if args.keep is None else args.keep
    tmp.mkdir(parents=True, exist_ok=True)
    db_path = tmp / "bench.db"
    try:
        if args.keep is not None and db_path.exists():
            # reuse a store kept by an earlier run; sample query words from its token column
            con = db.connect(db_path, create=False)
            toks = [r[0] for r in con.execute("SELECT tok FROM fts_tok WHERE rowid % 97 = 0")]
            con.close()
            print(json.dumps({"reused": str(db_path), "sampled_docs": len(toks)}))
        else:
            info = build(db_path, articles, args.docs, args.max_chars, args.workers)
            toks = info.pop("_toks")
            print(json.dumps({"build": info}, ensure_ascii=False))
        queries = make_queries(toks, args.queries)
        con = db.connect(db_path, create=False)
        for _cls, q, f in queries[:5]:  # warm: Sudachi, gazetteer, page cache
            search(db_path, q, limit=args.limit, con=con, **f)
        times: dict[str, list[float]] = {}
        hits: dict[str, list[int]] = {}
        slow: list[tuple[float, str, dict]] = []
        for cls, q, f in queries:
            t = time.perf_counter()
            res = search(db_path, q, limit=args.limit, con=con, **f)
            ms = (time.perf_counter() - t) * 1000
            times.setdefault(cls, []).append(ms)
            hits.setdefault(cls, []).append(len(res))
            slow.append((ms, q, f))
        con.close()
        print(f"{'class':<15} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'median hits':>12}")
        for cls in ("1-char", "2-char", "3+-char", "2-term+filter"):
            xs = times.get(cls, [])
            if xs:
                print(
                    f"{cls:<15} {len(xs):>4} {pct(xs, 50):>8.1f} {pct(xs, 95):>8.1f} {max(xs):>8.1f} "
                    f"{statistics.median(hits[cls]):>12}"
                )
        print(
            "slowest:", "; ".join(f"{q} {f or ''} {ms:.0f} ms" for ms, q, f in sorted(slow, reverse=True)[:5])
        )
        p95 = pct(times.get("2-term+filter", [0.0]), 95)
        print(f"target p95 < 50 ms for 2-term+filter: {'met' if p95 < 50 else 'NOT met'} ({p95:.1f} ms)")
    finally:
        if args.keep is None:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
