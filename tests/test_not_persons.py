"""Entity precision: common nouns and role words (tests/data/not_persons.txt, ≥ 300) never become a PERSON.

Each word is put where names usually stand — the subject of a quote, the source of a report, a topic — and
the analysis must not return a PERSON entity whose mentions are only that word (with or without a title).
"""

from pathlib import Path

import pytest

from kansoku.model import RawDoc
from kansoku.pipeline import analyze_batch

WORDS = [w.strip() for w in (Path(__file__).parent / "data" / "not_persons.txt").read_text(encoding="utf-8")
         .splitlines() if w.strip() and not w.startswith("#")]
TEMPLATES = ("{w}は「今後も状況を注視する」と述べた。", "{w}によると、交渉は来週再開される。",
             "会見では{w}について質問が相次いだ。")


def test_the_list_is_long_and_clean():
    assert len(WORDS) >= 300
    assert len(set(WORDS)) == len(WORDS)


def _docs():
    return [RawDoc(source=w, text="".join(t.format(w=w) for t in TEMPLATES)) for w in WORDS]


@pytest.fixture(scope="module")
def records():
    out = analyze_batch(_docs())
    assert all(isinstance(r, dict) for r in out)
    return {r["source"]: r for r in out}


def test_no_common_noun_is_a_person(records):
    bad = []
    for w, r in records.items():
        for e in r["entities"]:
            if e["type"] == "PERSON" and any(m["text"] == w or m["text"].startswith(w) and len(m["text"]) <= len(w) + 1
                                             for m in e["mentions"]):
                bad.append(w)
    assert not bad, f"{len(bad)} common words taken for persons: {bad[:20]}"


def test_abstract_nouns_are_no_entities_at_all(records):
    """見方, 平和, 羅針盤 … are not places or organisations either."""
    abstract = ["見方", "考え", "平和", "羅針盤", "民主主義", "停戦", "皮肉", "現実", "背景"]
    bad = [(w, e["type"]) for w in abstract for e in records[w]["entities"] if any(m["text"] == w for m in e["mentions"])]
    assert not bad, bad


@pytest.mark.parametrize("word", ["北極星", "平和", "羅針盤", "正義", "自由"])
def test_a_word_set_off_as_a_metaphor_is_no_entity(word):
    """反米という「北極星」を失ったロシア: a term in quotation marks is no organisation or place."""
    (r,) = analyze_batch([RawDoc(source="m", text=f"反米という「{word}」を失ったロシアは迷走している。")])
    assert not [e for e in r["entities"] if any(m["text"] == word for m in e["mentions"])]
