"""Genre of small synthetic documents and persuasion spans."""

from __future__ import annotations

import pytest

from kansoku.analyze.genre import classify_genre
from kansoku.analyze.persuasion import KINDS, find_persuasion
from kansoku.normalize import make_document
from kansoku.normalize.segment import split_sentences

DIALOGUE = """司会: 今日はウクライナ情勢について伺います。
田中: 停戦交渉はまだ難しいと思います。
司会: その理由は何でしょうか。
田中: ロシアが要求を下げていないからです。
佐藤: 私は少し違う見方をしています。
"""

REPORT = """【モスクワ＝共同】ロシア大統領府のペスコフ報道官は15日、米国との首脳会談の日程について
「調整を続けている」と述べた。タス通信によると、会談は来月にも開かれる見通しだという。
ウクライナ外務省は同日、ロシア軍の攻撃で東部の民間施設が被害を受けたと発表した。
"""

OPINION = """私は、日本がウクライナ支援を続けるべきだと考える。
力による現状変更を認めれば、東アジアの秩序も揺らぐ。政府は支援の規模を拡大すべきである。
筆者は、今こそ国民的な議論が必要だと確信する。
"""

BLOG = """今日は久しぶりにニュースを見て考えたことを書きますね。
僕はウクライナのことがずっと気になっているんですよ（笑）
皆さんはどう思いますか？ 正直、よくわからないことだらけですね。
コメント欄で教えてもらえると嬉しいです！！
"""

ANALYSIS = """■ 背景
米露首脳会談は、停戦交渉の行方を占う場となった。

■ 3つのシナリオ
・停戦が早期に成立するシナリオ
・交渉が長期化するシナリオ
・戦闘が激化するシナリオ
第一に、ロシアが要求を緩める可能性は低いとみられる。第二に、欧州の関与が強まるかもしれない。

■ まとめ
当面は交渉の長期化が最も可能性が高いと考えられる。
"""


@pytest.mark.parametrize(
    "text,label",
    [
        (DIALOGUE, "dialogue"),
        (REPORT, "report"),
        (OPINION, "opinion"),
        (BLOG, "blog"),
        (ANALYSIS, "analysis"),
    ],
)
def test_genre_labels(text: str, label: str) -> None:
    got = classify_genre(make_document(text, sentences=split_sentences(text)), None)
    assert got["label"] == label
    assert got["cues"], "a genre decision must show its cues"
    for cue in got["cues"]:
        assert text[cue["start"] : cue["end"]] == cue["text"]
        assert cue["cue"]


def test_dialogue_cues_are_speaker_prefixes() -> None:
    got = classify_genre(make_document(DIALOGUE, sentences=[]), None)
    speakers = {c["text"] for c in got["cues"]}
    assert {"司会:", "田中:"} <= speakers


def test_genre_empty_text_defaults_to_report() -> None:
    assert classify_genre(make_document("", sentences=[]), None)["label"] == "report"


PERSUASIVE = (
    "キエフのネオナチ政権は西側の傀儡にすぎない。戦争は既に決着がついている。"
    "この戦争の黒幕はディープステートだ。敵はゴキブリのような連中で、駆除するしかない。"
    "イラク戦争を棚に上げて、西側もずっと同じことをしてきたではないか。"
)


def test_persuasion_kinds_and_offsets() -> None:
    spans = find_persuasion(make_document(PERSUASIVE, sentences=split_sentences(PERSUASIVE)))
    kinds = {s["kind"] for s in spans}
    assert kinds == set(KINDS)
    for s in spans:
        assert PERSUASIVE[s["start"] : s["end"]] == s["text"]
    texts = {s["text"]: s["kind"] for s in spans}
    assert texts["傀儡"] == "loaded_label"
    assert texts["黒幕"] == "hidden_hand"
    assert texts["ディープステート"] == "hidden_hand"
    assert texts["ゴキブリ"] == "dehumanizing"
    assert any(k == "inevitability" and "決着がついている" in t for t, k in texts.items())
    assert any(k == "whataboutism" for k in texts.values())
    # spans never overlap and come in text order
    starts = [s["start"] for s in spans]
    assert starts == sorted(starts)
    for a, b in zip(spans, spans[1:], strict=False):
        assert a["end"] <= b["start"]


def test_persuasion_neutral_text() -> None:
    text = "ロシアとウクライナの代表団は捕虜交換で合意した。会談は来週も続く。"
    assert find_persuasion(make_document(text, sentences=split_sentences(text))) == []
