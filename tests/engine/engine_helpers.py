"""Constants and helpers of the engine tests."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "corpus"
LIVEDOOR = ROOT.parent / "shared" / "eval" / "livedoor-news" / "text"

#: A real poison document: a JSON Lines record whose text holds a lone surrogate (the JSON escape \ud800).
#: The reader accepts it (it is valid JSON), and analysis raises (UnicodeEncodeError while hashing the
#: text for the document id); nothing is injected or monkeypatched.
POISON_LINES = (
    '{"title": "poison", "text": "ロシア軍は\\ud800東部で攻勢を強めた。"}\n'
    '{"title": "healthy", "text": "ウクライナのゼレンスキー大統領は十五日、会見で停戦案を拒否すると述べた。"}\n'
)


def canonical(rec: dict) -> dict:
    """A record after a canonical JSON round trip (key order ignored)."""
    return json.loads(json.dumps(rec, sort_keys=True, ensure_ascii=False))


def run_local(inputs: list[str]) -> list:
    from kansoku.engine import EngineConfig, get_engine
    from kansoku.pipeline import Options

    return list(get_engine("local", EngineConfig(workers=2)).analyze(inputs, Options()))
