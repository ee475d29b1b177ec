"""The attribution test set (bench/data/attribution_cases.jsonl) is well formed.

These tests check the DATA only, never the extractor: the file is the hand-labelled reference that
``bench/claims_eval.py --set attribution`` scores the claim extractor against. The passages are written
for the set (no real article is copied); dev items come first, test items were written last.

Labelling conventions beyond the field definitions:

- 〜によると / によれば / の話では / の調べでは / の分析では / の集計によると: ``reported`` with that source
  as speaker, also when the sentence ends in という. A following sentence that only ends in という
  (…という。) is ``hearsay`` and keeps the source of the sentence before it; with no source, null.
- Xによると、Yは「…」と述べた is one ``quote`` by Y (the subject of the speech verb); 同紙は政府高官の話
  として…と報じた is one claim by the paper. 朝鮮中央通信は、金総書記が…を視察したと報じた: the agency.
- A quote inside a quote (「…『…』…」) and a 「term」 inside an indirect clause are not claims of their
  own; the outer claim keeps its kind (quote / reported).
- 「」 and 『』 around names, titles and terms (「遼寧」, 「ミンスク合意」, 報告書「…」, 『book』) are not
  quotes. A document as subject (報告書は, 判決は, 白書は) speaks for its issuer when the issuer is named,
  else under its own name (防衛白書).
- Speech acts without a content clause (会談した, 結婚を発表した, 論じた, 懸念を表明した) are not
  claims; with one (…と, …との考えを示した, …方針を示した, …ことを明らかにした, …と位置づけた) they are.
- ``quote`` whenever the content is a direct 「」 quotation, whatever the cue (と抗議した, とのコメントを
  出した, こう語った, 次のように述べた + block, と漏らした, と声を弾ませた, とはにかんだ).
- Speakers: surname or shortest unambiguous name; institutions as written (ロシア国防省); unnamed people as
  the phrase in the text (所属事務所, 防衛省の担当者, 被告の男); 首相 / 前首相 / 同相 / 同大統領 resolved to
  the person; 同国外務省 to the country (フィリピン).
- ``assertion``: one per author-voiced sentence with evaluative, epistemic or deontic modality (べきだ,
  べきではない, なければならない, に違いない, 明らかだ, 言わざるを得ない, だろう, はずだ, 間違いない,
  否定できない, ではないか, あってはならない, 責任がある); in op-ed passages a few unmarked evaluative
  sentences are assertions too. Modality inside a quote or a reported clause is not an assertion, and
  neutral narration (schedules, facts, 見通しだ, 予定だ) is no claim at all.
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
