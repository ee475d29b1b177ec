"""The attribution test set (bench/data/attribution_cases.jsonl) is well formed.

These tests check the DATA only, never the extractor: the file is the hand-labelled reference that
``bench/claims_eval.py --set attribution`` scores the claim extractor against.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

PATH = Path(__file__).resolve().parents[1] / "bench" / "data" / "attribution_cases.jsonl"

MIN_PER_GROUP = {
    "direct_quote": 25,
    "reported": 35,
    "according_to": 20,
    "hearsay": 15,
    "assertion": 20,
    "nested_quote": 10,
    "media_institution": 20,
    "anaphora": 35,
    "zero_subject": 15,
    "distractor": 20,
    "negative": 25,
    "mixed": 10,
}
KINDS = {"quote", "reported", "hearsay", "assertion"}
VOICES = {"author", "attributed"}
SPLITS = {"dev", "test"}
ITEM_KEYS = {"id", "group", "split", "author", "text", "claims"}
CLAIM_KEYS = {"speaker", "kind", "voice", "contains"}


def _lines() -> list[str]:
    return [x for x in PATH.read_text(encoding="utf-8").splitlines() if x.strip()]


def _items() -> list[dict[str, Any]]:
    return [json.loads(x) for x in _lines()]


def test_every_line_is_a_json_object() -> None:
    for i, line in enumerate(_lines(), 1):
        obj = json.loads(line)
        assert isinstance(obj, dict), f"line {i} is not an object"


def test_size_and_splits() -> None:
    items = _items()
    assert len(items) >= 240
    splits = Counter(it["split"] for it in items)
    assert splits["test"] >= 70
    assert splits["dev"] >= 150
    # the test items were written last: no dev item after the first test item
    seen_test = False
    for it in items:
        seen_test = seen_test or it["split"] == "test"
        assert not (seen_test and it["split"] == "dev"), it["id"]


def test_ids_unique() -> None:
    ids = [it["id"] for it in _items()]
    assert len(ids) == len(set(ids))


def test_minimum_counts_per_group() -> None:
    counts = Counter(it["group"] for it in _items())
    for group, n in MIN_PER_GROUP.items():
        assert counts[group] >= n, f"{group}: {counts[group]} < {n}"


@pytest.mark.parametrize("item", _items(), ids=lambda it: it["id"])
def test_item(item: dict[str, Any]) -> None:
    assert set(item) == ITEM_KEYS
    assert item["group"] in MIN_PER_GROUP
    assert item["split"] in SPLITS
    assert item["author"] is None or (isinstance(item["author"], str) and item["author"])
    text = item["text"]
    assert isinstance(text, str) and text
    assert isinstance(item["claims"], list)
    if item["group"] == "negative":
        assert item["claims"] == []
    else:
        assert item["claims"], "only negatives may have no claims"
    last = -1
    for c in item["claims"]:
        assert set(c) == CLAIM_KEYS
        assert c["kind"] in KINDS
        assert c["voice"] in VOICES
        assert (c["voice"] == "author") == (c["kind"] == "assertion")
        snippet = c["contains"]
        assert 8 <= len(snippet) <= 25, snippet
        assert text.count(snippet) == 1, f"{snippet!r} must occur exactly once"
        pos = text.index(snippet)
        assert pos > last, f"claims out of text order at {snippet!r}"
        last = pos
        speaker = c["speaker"]
        if c["kind"] == "assertion":
            assert speaker == item["author"], "an assertion's speaker is the byline (or null)"
        elif speaker is not None:
            assert speaker in text, f"speaker {speaker!r} not in text"
