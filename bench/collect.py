"""Collect overhead: 1,000 pages fetched from a local server vs the same pages analysed from disk.

usage: python bench/collect.py [--pages 1000] [--workers 2] [--concurrency 4] [--repeat 1] [--keep DIR]

Generates PAGES fictional Japanese news pages from four templates (JSON-LD, canonical link, byline, 5–9
paragraphs), writes them to a folder and serves the same bytes from a local HTTP server on 127.0.0.1 (the
test server of tests/collect, threaded, keep-alive, running in this process) with a sitemap listing them.
Then, per turn (``--repeat``; the order of 1 and 2 alternates between turns):

1. ``kansoku ingest FOLDER --db ingest.db`` (analysis from disk);
2. ``kansoku collect http://127.0.0.1:PORT/sitemap.xml --db collect.db --delay 0 --concurrency 4
   --allow-private`` (politeness off);
3. the same collect again (incremental: nothing new).

Each command runs as a subprocess with ``--workers`` analysis processes; wall time, pages/s, CPU seconds
and the peak resident memory of its process tree (main process + fork server + workers, sampled every 50 ms
from /proc) are printed, with the load average. Target: collect wall time ≤ 1.3 × ingest wall time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "collect"))

from collect_server import LocalServer  # noqa: E402

CITIES = ["ハルキウ", "ヘルソン", "ザポリージャ", "オデーサ", "ドニプロ", "スムイ", "リヴィウ", "キーウ", "ミコライウ",
          "クラマトルスク", "ポクロウシク", "チェルニヒウ"]  # fmt: skip
ACTORS = ["ロシア国防省", "ウクライナ軍参謀本部", "欧州連合の報道官", "北大西洋条約機構の事務総長", "米国務省の報道官",
          "国際原子力機関", "国連人道問題調整事務所", "ポーランド外務省"]  # fmt: skip
AUTHORS = ["山田太郎", "佐藤花子", "鈴木一郎", "高橋美咲", "田中健", "伊藤由紀"]
OUTLETS = ["東亜通信", "極東新報", "北の便り", "ユーラシア・ウォッチ"]
SENTENCES = [
    "{city}の当局者によると、{d}日未明に無人機{n}機による攻撃があり、住民約{m}人が避難した。",
    "{actor}は「軍事施設のみを標的にした」と述べたが、地元当局は民間の住宅が被害を受けたと反論している。",
    "{actor}は{d}日、攻撃を非難する声明を出し、{city}への人道支援を約{n}億円増やす方針を示した。",
    "専門家の一人は匿名を条件に「冬を前に電力網を狙う動きが強まっている」との見方を示した。",
    "関係者によれば、停戦交渉は{month}月中にも再開される可能性があるという。",
    "{city}では{n}カ所の変電所が損傷し、約{m}世帯で停電が続いている。",
    "{actor}は、前線の状況について「極めて厳しい」と語った。",
    "同日、{city}近郊では砲撃で{n}人が死亡、{m}人が負傷したと伝えられている。",
    "欧州各国は防空システムの追加供与を協議しており、{month}月の首脳会議で最終決定する見通しだ。",
]
TEMPLATES = [
    # news with JSON-LD and a visible byline
    """<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>{title} | {outlet}</title>
<link rel="canonical" href="https://{host}/articles/{i}"><meta property="og:type" content="article">
<script type="application/ld+json">{ld}</script></head><body><nav><a href="/">トップ</a></nav>
<article><h1>{title}</h1><p class="byline">{author}記者</p>{body}</article><footer>© {outlet}</footer></body></html>""",
    # OpenGraph only, time element
    """<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><meta property="og:title" content="{title}">
<meta property="og:site_name" content="{outlet}"><meta property="og:url" content="https://{host}/n/{i}">
<meta property="article:published_time" content="{published}"></head><body><header>{outlet}</header>
<main><h1>{title}</h1><time datetime="{published}">{date}</time>{body}</main></body></html>""",
    # blog-like with a sidebar
    """<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"><title>{title}</title>
<meta name="author" content="{author}"></head><body><div id="main"><h2>{title}</h2><div class="entry">{body}</div>
<p>文・{author}</p></div><div id="side"><ul><li>カテゴリー</li><li>アーカイブ</li></ul></div></body></html>""",
    # wire story with a dateline
    """<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>{title}</title>
<link rel="canonical" href="https://{host}/wire/{i}"></head><body><article><h1>{title}</h1>
<p>【{city}共同】{lead}</p>{body}<p>（共同）</p></article></body></html>""",
]


def make_pages(n: int, seed: int = 7) -> dict[str, bytes]:
    rng = random.Random(seed)
    pages: dict[str, bytes] = {}
    for i in range(n):
        city, actor = rng.choice(CITIES), rng.choice(ACTORS)

        def fill(s: str, city: str = city) -> str:
            return s.format(city=city, actor=rng.choice(ACTORS), d=rng.randint(1, 28), n=rng.randint(2, 90),
                            m=rng.randint(100, 9000), month=rng.randint(1, 12))  # fmt: skip

        paras = ["<p>" + "".join(fill(rng.choice(SENTENCES)) for _ in range(rng.randint(2, 4))) + "</p>"
                 for _ in range(rng.randint(5, 9))]  # fmt: skip
        title = f"{city}で攻撃、{actor}が声明 第{i}報"
        published = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00+09:00"
        author, outlet = rng.choice(AUTHORS), rng.choice(OUTLETS)
        ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
                         "author": {"@type": "Person", "name": author}, "datePublished": published,
                         "publisher": {"@type": "Organization", "name": outlet}}, ensure_ascii=False)  # fmt: skip
        html = TEMPLATES[i % len(TEMPLATES)].format(
            title=title, outlet=outlet, host="news.example.jp", i=i, ld=ld, author=author, body="".join(paras),
            published=published, date=published[:10], city=city, lead=fill(SENTENCES[0]),
        )
        pages[f"/a/{i:05d}.html"] = html.encode("utf-8")
    return pages


def _tree(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


_TICK = os.sysconf("SC_CLK_TCK")


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of one process so far."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / _TICK
    except (OSError, ValueError, IndexError):
        return 0.0


def measure(cmd: list[str], env: dict[str, str]) -> dict:
    """Run CMD; wall seconds, exit status, peak RSS (MB) of its process tree and of its main process, and
    CPU seconds of the tree and of the main process (sampled every 50 ms; the last 50 ms may be missed)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak_tree = peak_main = 0
    cpu: dict[int, float] = {}
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak_tree, peak_main
        while not stop.is_set():
            pids = _tree(proc.pid)
            peak_tree = max(peak_tree, sum(_rss_kb(p) for p in pids))
            peak_main = max(peak_main, _rss_kb(proc.pid))
            for p in pids:
                cpu[p] = max(cpu.get(p, 0.0), _cpu_s(p))
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = proc.communicate()
    stop.set()
    sampler.join()
    return {"seconds": time.perf_counter() - t0, "status": proc.returncode, "tree_mb": peak_tree / 1024,
            "main_mb": peak_main / 1024, "cpu": sum(cpu.values()), "main_cpu": cpu.get(proc.pid, 0.0),
            "stderr": stderr.strip().splitlines()[-1:]}  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=1, help="runs of each (ingest and collect alternate, in "
                    "turns that start with one then the other); the median is reported")
    ap.add_argument("--keep", type=Path, help="keep the pages and stores in this folder")
    args = ap.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="kansoku-collect-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    pages = make_pages(args.pages)
    folder = work / "pages"
    folder.mkdir(exist_ok=True)
    for path, data in pages.items():
        (folder / Path(path).name).write_bytes(data)
    chars = sum(len(d.decode("utf-8")) for d in pages.values())
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    kansoku = [sys.executable, "-m", "kansoku.cli"]

    def fresh(name: str) -> Path:
        for suffix in ("", "-wal", "-shm"):
            Path(work / (name + suffix)).unlink(missing_ok=True)
        return work / name

    with LocalServer() as server:
        server.add("/robots.txt", "User-agent: *\nDisallow:\n", content_type="text/plain")
        for path, data in pages.items():
            server.add(path, data)
        urls = "".join(f"<url><loc>{server.url}{p}</loc></url>" for p in pages)
        server.add("/sitemap.xml", '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                   + urls + "</urlset>", content_type="application/xml")  # fmt: skip
        print(f"{args.pages} pages, {chars / 1e6:.2f} M characters of HTML; workers {args.workers}; "
              f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

        def ingest_cmd() -> list[str]:
            return [*kansoku, "ingest", str(folder), "--db", str(fresh("ingest.db")), "--workers",
                    str(args.workers), "--quiet"]  # fmt: skip

        def collect_cmd(new: bool = True) -> list[str]:
            db = fresh("collect.db") if new else work / "collect.db"
            return [*kansoku, "collect", server.url + "/sitemap.xml", "--db", str(db), "--delay", "0",
                    "--concurrency", str(args.concurrency), "--allow-private", "--workers", str(args.workers),
                    "--quiet"]  # fmt: skip

        results: dict[str, list[dict]] = {"ingest (from disk)": [], "collect (local server)": [],
                                          "collect again (nothing new)": []}  # fmt: skip
        order = ["ingest (from disk)", "collect (local server)"]
        for turn in range(args.repeat):
            for name in order if turn % 2 == 0 else order[::-1]:
                server.clear()
                r = measure(ingest_cmd() if name.startswith("ingest") else collect_cmd(), env)
                r["requests"] = len(server.log)
                results[name].append(r)
                _show(name, r, args.pages)
            server.clear()
            r = measure(collect_cmd(new=False), env)
            r["requests"] = len(server.log)
            results["collect again (nothing new)"].append(r)
            _show("collect again (nothing new)", r, args.pages)
    med = {name: statistics.median(r["seconds"] for r in rs) for name, rs in results.items()}
    cpu = {name: statistics.median(r["cpu"] for r in rs) for name, rs in results.items()}
    a, b = "collect (local server)", "ingest (from disk)"
    print(f"collect / ingest: wall {med[a] / med[b]:.2f}x (target <= 1.3x), CPU {cpu[a] / cpu[b]:.2f}x "
          f"(median of {args.repeat}); load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


def _show(name: str, r: dict, pages: int) -> None:
    print(f"{name:28s} {r['seconds']:7.1f} s {pages / r['seconds']:6.1f} pages/s  CPU {r['cpu']:6.1f} s "
          f"(main {r['main_cpu']:5.1f} s)  peak RSS {r['tree_mb']:5.0f} MB tree, {r['main_mb']:4.0f} MB main  "
          f"requests {r['requests']:5d}  exit {r['status']}  load {os.getloadavg()[0]:.1f}", flush=True)
    for line in r["stderr"]:
        print(f"    {line}", flush=True)


if __name__ == "__main__":
    main()
