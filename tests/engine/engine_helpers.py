"""Constants and helpers of the engine tests."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "corpus"
LIVEDOOR = ROOT.parent / "shared" / "eval" / "livedoor-news" / "text"

#: A poison document: analysis of the first record raises, through the pipeline's failure drill
#: (``KANSOKU_FAULT_MARKER``, set by conftest.py before any engine starts, so Spark's Python workers and
#: pool workers inherit it).  The analysis core itself no longer has a known crashing input (the lone
#: surrogate that used to crash it is now read with a warning), so the drill is how a crash is provoked.
FAULT_MARKER = "kansoku-drill-poison-7f3a"
POISON_LINES = (
    '{"title": "poison", "text": "ロシア軍は東部で攻勢を強めた。' + FAULT_MARKER + '"}\n'
    '{"title": "healthy", "text": "ウクライナのゼレンスキー大統領は十五日、会見で停戦案を拒否すると述べた。"}\n'
)


def canonical(rec: dict) -> dict:
    """A record after a canonical JSON round trip (key order ignored)."""
    return json.loads(json.dumps(rec, sort_keys=True, ensure_ascii=False))


def run_local(inputs: list[str]) -> list:
    from kansoku.engine import EngineConfig, get_engine
    from kansoku.pipeline import Options

    return list(get_engine("local", EngineConfig(workers=2)).analyze(inputs, Options()))
