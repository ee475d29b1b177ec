#!/usr/bin/env python3
"""Golden digests of analysis records: a refactor or a speed change must leave every record byte-identical.

usage: python tools/golden_records.py [--update] [--n 500]

Analyses ``examples/corpus`` and the first N livedoor articles (spread over the categories, from
``../shared/eval/livedoor-news/text`` when present) and compares the SHA-256 of each record's canonical
JSON (keys sorted; the ``pipeline`` version field left out, ``source`` cut to the file name
so that the digests do not depend on where the checkout lives) with ``tests/data/golden_records.json``.
``--update`` rewrites that file: do it only in a commit that changes analysis results on purpose, and
say why in its message. Digests, not records, are kept: the livedoor texts are not redistributed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "data" / "golden_records.json"
LIVEDOOR = ROOT.parent / "shared" / "eval" / "livedoor-news" / "text"


def livedoor_files(n: int) -> list[Path]:
    files = sorted(p for p in LIVEDOOR.glob("*/*.txt") if p.stem.rsplit("-", 1)[-1].isdigit())
    return sorted(sorted(files, key=lambda p: (zlib.crc32(p.name.encode()) % 997, p.name))[:n])


def digest(record: dict) -> str:
    """SHA-256 of the canonical record, independent of where the checkout lives: the ``pipeline`` field
    is left out and ``source`` is cut to the file name (and ``#item``)."""
    rec = {k: v for k, v in record.items() if k != "pipeline"}
    rec["source"] = Path(str(rec.get("source", "")).split("#")[0]).name + (
        "#" + str(rec["source"]).split("#", 1)[1] if "#" in str(rec.get("source", "")) else "")
    return hashlib.sha256(json.dumps(rec, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def compute(paths: list[Path], workers: int = 2) -> dict[str, str]:
    from kansoku.pipeline import Options, run
    from kansoku.read import iter_documents

    out: dict[str, str] = {}
    for r in run(iter_documents(paths), Options(), workers=workers):
        if isinstance(r, dict):
            key = Path(r["source"].split("#")[0]).name + ("#" + r["source"].split("#")[1] if "#" in r["source"] else "")
            out[key] = digest(r)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--update", action="store_true")
    ap.add_argument("--n", type=int, default=500)
    a = ap.parse_args()
    paths = sorted((ROOT / "examples" / "corpus").iterdir())
    if LIVEDOOR.is_dir():
        paths += livedoor_files(a.n)
    got = compute(paths)
    if a.update:
        GOLDEN.write_text(json.dumps(got, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")
        print(f"{GOLDEN}: {len(got)} digests written")
        return 0
    want = json.loads(GOLDEN.read_text(encoding="utf-8"))
    diff = sorted(k for k in want if k in got and got[k] != want[k])
    missing = sorted(set(want) - set(got))
    print(f"{len(got)} records, {len(diff)} changed, {len(missing)} missing" + (f": {diff[:10]}" if diff else ""))
    return 1 if diff or missing else 0


if __name__ == "__main__":
    sys.exit(main())
