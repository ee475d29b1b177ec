#!/usr/bin/env python3
"""Provenance on the livedoor news dump: header lines read as metadata, relative dates resolved.

usage: python bench/livedoor_provenance.py [--limit N] [--workers N] [TEXT_DIR]

Each livedoor file is line 1 URL, line 2 ISO timestamp, line 3 title, then the body. For every article
the script checks that the record's published date is line 2's date, the title is line 3, the outlet
names livedoor (from the host table), the header lines are not in the analysed text (so no timex or
entity comes from them), and every date is resolved (no ``XXXX`` year left, which is what an unknown
publication date leaves in 今年, 昨日, 16日, 先月; times of day such as 12時 are not dates, and 同日, 翌日,
前年 … are dated against another date of the story, so they are left out of this share). Prints each share; exits 1 when one is under 99 %.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

from kansoku.pipeline import Options, run
from kansoku.read import iter_documents

# 同日, 翌日, 前年 …: dated against another date of the story, not against publication; left out of the share
_ANAPHORIC = re.compile(r"同[日月年週夜朝]|翌|前[日年月夜週]|当[日夜]")
DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "eval" / "livedoor-news" / "text"


def _plain(s: str) -> str:
    """Without zero-width characters and surrounding space (clean_text drops them from titles)."""
    return re.sub(r"[\u200b-\u200f\ufeff]", "", s).strip()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("text_dir", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--limit", type=int, default=0, help="only the first N articles (sorted by path)")
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    if not a.text_dir.is_dir():
        print(f"{a.text_dir}: not found (the livedoor corpus lives in ../shared/eval)", file=sys.stderr)
        return 2
    files = sorted(p for p in a.text_dir.glob("*/*.txt") if re.search(r"-\d+\.txt$", p.name))
    if a.limit:
        files = files[: a.limit]
    header = {}
    for f in files:
        lines = f.read_text(encoding="utf-8").split("\n")
        header[str(f)] = (lines[0].strip(), lines[1].strip(), lines[2].strip())
    t0 = time.perf_counter()
    keys = ("published", "title", "outlet", "no_header_in_text", "timex_resolved")
    ok = dict.fromkeys(keys, 0)
    with_timex = 0
    n = 0
    misses: dict[str, list[str]] = {k: [] for k in keys}
    for r in run(iter_documents(files), Options(), workers=a.workers):
        if not isinstance(r, dict):
            print(f"kansoku: {r}", file=sys.stderr)
            continue
        n += 1
        url, stamp, title = header[r["source"]]
        md = r["metadata"]
        checks = {
            "published": md.get("published") == stamp[:10],
            "title": _plain(r.get("title") or "") == _plain(title),
            "outlet": "livedoor" in (md.get("outlet") or "").lower(),
            # the header lines are not text (the article may quote its own URL further down)
            "no_header_in_text": stamp not in r["text"] and url not in "\n".join(r["text"].split("\n")[:3]),
        }
        dates = [t for t in r["timex"] if t.get("type") == "DATE" and not _ANAPHORIC.search(t.get("text") or "")]
        if dates:
            with_timex += 1
            checks["timex_resolved"] = not any(str(t.get("value")).startswith("XXXX") for t in dates)
        for k, v in checks.items():
            ok[k] += v
            if not v and len(misses[k]) < 5:
                misses[k].append(Path(r["source"]).name)
    seconds = time.perf_counter() - t0
    print(f"{n} livedoor articles analysed in {seconds:.0f} s ({a.workers} workers)")
    failed = False
    for k in keys:
        total = with_timex if k == "timex_resolved" else n
        share = ok[k] / total if total else 1.0
        failed |= share < 0.99
        extra = f"  e.g. {', '.join(misses[k])}" if misses[k] else ""
        print(f"  {k:18} {ok[k]:>6}/{total:<6} {share:7.2%}{extra}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
