"""The output contract's JSON Schema and a validator that also checks evidence offsets."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(resources.files("kansoku").joinpath("data/output.schema.json").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _validator():  # type: ignore[no-untyped-def]
    from jsonschema import Draft202012Validator

    return Draft202012Validator(schema())


def _spans(rec: dict):  # type: ignore[no-untyped-def]
    """Every (path, item) whose ``text`` must equal ``rec['text'][start:end]``."""
    for e in rec.get("entities", []):
        for m in e.get("mentions", []):
            yield f"entities[{e.get('id')}]", m
    for key in ("quantities", "timex", "claims", "events", "persuasion"):
        for i, it in enumerate(rec.get(key, [])):
            yield f"{key}[{i}]", it
    for f in rec.get("frames", []):
        for ev in f.get("evidence", []):
            yield f"frames[{f.get('id')}]", ev
    for i, a in enumerate((rec.get("sourcing") or {}).get("anonymous_sources", [])):
        yield f"sourcing.anonymous_sources[{i}]", a


def validate_record(rec: dict) -> list[str]:
    """Problems with one record: schema violations, then evidence whose offsets do not match its text."""
    problems = [
        f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in _validator().iter_errors(rec)
    ]
    text = rec.get("text", "")
    for path, it in _spans(rec):
        if "text" in it and "start" in it and text[it["start"] : it["end"]] != it["text"]:
            problems.append(f"{path}: text[{it['start']}:{it['end']}] != {it['text'][:30]!r}")
    return problems
