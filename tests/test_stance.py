"""Author stance toward actors: sign on short passages, balanced pieces near zero, voice weighting."""

from __future__ import annotations

import re

from kansoku.analyze.frames import detect_frames, quote_spans
from kansoku.analyze.stance import compute_stance, load_lexicon
from kansoku.model import Span
from kansoku.normalize import make_document
from kansoku.normalize.segment import split_sentences

SURFACES = {
    "Russia": "ロシア",
    "Ukraine": "ウクライナ",
    "Europe": "欧州",
    "United States": "米国",
    "Vladimir Putin": "プーチン",
}

PRO_KREMLIN = (
    "ウクライナはネオナチに支配された国家であり、ロシアは自国民を守るためにやむを得ず特別軍事作戦に踏み切った。"
    "ロシアは一貫して和平を望んでいるが、欧州が停戦を妨害している。ウクライナの敗北はもはや時間の問題だ。"
)
WESTERN = (
    "ロシアによるウクライナ侵略は明白な国際法違反であり、プーチンは帝国の復活を夢見ている。"
    "ロシア軍の蛮行で多くの民間人が犠牲になった。ウクライナ軍は勇敢に抵抗を続けている。"
    "ロシアは交渉を時間稼ぎに使っている。"
)
BALANCED = (
    "ロシアとウクライナの代表団は、イスタンブールで3回目の直接協議を行った。"
    "ロシア側は東部4州からのウクライナ軍撤退を求め、ウクライナ側は即時停戦を優先すべきだと主張した。"
    "協議では捕虜交換で合意したが、領土問題では双方の立場の隔たりが大きい。"
    "専門家の間では、ロシアが戦場での優位を背景に要求を強めるとの見方と、"
    "ウクライナの防空能力向上で戦況が膠着するとの見方が分かれている。"
)
REPORTED_ONLY = (
    "ロシア外務省は声明で「キエフの政権はネオナチだ」と非難した。"
    "ウクライナ外務省はこれに対し、ロシアの主張は事実無根だと反論した。"
    "ロシアとウクライナの協議は来週も続く予定だ。"
)


def stance(text: str) -> dict[str, dict]:
    sents = split_sentences(text)
    actors = {
        key: [Span(m.start(), m.end()) for m in re.finditer(surface, text)]
        for key, surface in SURFACES.items()
    }
    actors = {k: v for k, v in actors.items() if v}
    frames = detect_frames(make_document(text, sentences=sents), quote_spans(text))
    return {s["target"]: s for s in compute_stance(make_document(text, sentences=sents), actors, frames)}


def test_pro_kremlin_passage_signs() -> None:
    got = stance(PRO_KREMLIN)
    assert got["Russia"]["score"] > 0.3
    assert got["Ukraine"]["score"] < -0.3
    assert "nazi_ukraine" in got["Ukraine"]["drivers"]


def test_western_passage_signs() -> None:
    got = stance(WESTERN)
    assert got["Russia"]["score"] < -0.3
    assert got["Ukraine"]["score"] > 0.0
    assert "lexical" in got["Russia"]["drivers"]
    assert "russian_imperialism" in got["Russia"]["drivers"]


def test_balanced_passage_near_zero() -> None:
    got = stance(BALANCED)
    for key in ("Russia", "Ukraine"):
        assert abs(got[key]["score"]) < 0.2, (key, got[key])


def test_reported_narrative_counts_much_less() -> None:
    reported = stance(REPORTED_ONLY)
    adopted = stance(
        "キエフの政権はネオナチだ。ロシアとウクライナの協議は来週も続く予定だ。ウクライナは危うい。"
    )
    assert abs(reported["Ukraine"]["score"]) < 0.2
    assert adopted["Ukraine"]["score"] < reported["Ukraine"]["score"] - 0.2


def test_victim_of_aggression_is_not_blamed() -> None:
    text = "ロシアのウクライナ侵略は続いている。ロシアの蛮行を許してはならない。ウクライナは耐えている。"
    got = stance(text)
    assert got["Russia"]["score"] < -0.2
    assert got["Ukraine"]["score"] >= 0.0


def test_negated_evaluation_is_skipped() -> None:
    text = "ロシアは脅威ではない。ロシアとの対話は続く。"
    got = stance(text)
    assert got["Russia"]["score"] >= 0.0


def test_only_actors_mentioned_twice_and_output_shape() -> None:
    text = WESTERN + "米国は声明を出した。"
    got = stance(text)
    assert "United States" not in got  # one mention only
    for key, row in got.items():
        assert -1.0 <= row["score"] <= 1.0
        assert row["target"] == key
        assert row["target_name"] == load_lexicon()["names"][key]
        for ev in row["evidence"]:
            assert text[ev["start"] : ev["end"]] == ev["text"]


def test_no_actors() -> None:
    assert compute_stance(make_document("何もない文。", sentences=[]), {}, []) == []
