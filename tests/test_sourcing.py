"""Sourcing profile: named and anonymous sources, hedges, unattributed figures, URL counts."""

from __future__ import annotations

import pytest

from kansoku.extract.claims import extract_claims
from kansoku.extract.metadata import find_urls
from kansoku.extract.sourcing import find_anonymous, find_hedges, is_anonymous, profile_sourcing, source_key
from kansoku.model import Span
from kansoku.normalize import make_document


def _profile(text: str, quantities: list[dict] | None = None) -> dict:
    spans = [Span(0, len(text))]
    claims = extract_claims(make_document(text, sentences=spans))
    return profile_sourcing(make_document(text, sentences=spans), claims, quantities or [], find_urls(text))


ANON = [
    ("複数の米政府関係者によると、部隊は北へ移動した。", "複数の米政府関係者"),
    ("交渉に近い筋は、合意は近いと語った。", "交渉に近い筋"),
    ("外交筋によれば、大使は召還される。", "外交筋"),
    ("消息筋の話では、会談は延期された。", "消息筋"),
    ("ウクライナ政府筋は、攻撃を確認した。", "ウクライナ政府筋"),
    ("事情に詳しい人物は、計画は白紙だと述べた。", "事情に詳しい人物"),
    ("ある当局者は匿名を条件に取材に応じた。", "ある当局者"),
    ("欧州の高官は、支援の継続を約束した。", "欧州の高官"),
    ("米情報筋は、発射の兆候があると指摘した。", "米情報筋"),
]


@pytest.mark.parametrize(("text", "first"), ANON)
def test_anonymous_sources(text: str, first: str) -> None:
    found = find_anonymous(text)
    assert found, text
    assert found[0]["text"] == first
    for a in found:
        assert text[a["start"] : a["end"]] == a["text"]


def test_anonymous_with_two_cues() -> None:
    text = "ある当局者は匿名を条件に取材に応じた。"
    assert [a["text"] for a in find_anonymous(text)] == ["ある当局者", "匿名を条件に"]


def test_named_official_is_not_anonymous() -> None:
    assert find_anonymous("国務省当局者のジョン・カーター氏は、制裁を発表した。") == []
    assert find_anonymous("ロシア軍は東部で前進した。") == []


HEDGES = [
    ("部隊は撤退したとみられる。", ["とみられる"]),
    ("停戦が崩れる可能性がある。", ["可能性がある"]),
    ("会談は延期される模様だ。", ["模様だ"]),
    ("物価はさらに上がる恐れがある。", ["恐れがある"]),
    ("合意は近いかもしれない。", ["かもしれない"]),
    ("交渉は長期化するとの見方が強い。", ["との見方"]),
    ("北部で戦闘が続いていると伝えられる。", ["と伝えられる"]),
    ("ロシア軍は前進した。", []),
]


@pytest.mark.parametrize(("text", "hedges"), HEDGES)
def test_hedges(text: str, hedges: list[str]) -> None:
    found = find_hedges(text)
    assert [h["text"] for h in found] == hedges
    for h in found:
        assert text[h["start"] : h["end"]] == h["text"]


def test_profile_counts_and_named_sources() -> None:
    text = (
        "ペスコフ大統領報道官は「協議は続く」と述べた。ペスコフ報道官はまた、合意は近いとの見方を示した。"
        "外交筋によると、会談は延期される可能性がある。"
        "詳細はhttps://www.reuters.com/a とhttps://t.me/chan/1 を参照。"
    )
    q = [
        {"text": "3万人", "start": 0, "end": 3, "source": None},
        {"text": "5%", "start": 5, "end": 7, "source": "国防省"},
    ]
    p = _profile(text, q)
    assert p["named_sources"] == [{"name": "ペスコフ大統領報道官", "count": 2}]
    assert [a["text"] for a in p["anonymous_sources"]] == ["外交筋"]
    assert [h["text"] for h in p["hedges"]] == ["との見方", "可能性がある"]
    assert p["unattributed_figures"] == [{"text": "3万人", "start": 0, "end": 3}]
    assert p["urls"] == {"news": 1, "video": 0, "blog": 0, "official": 0, "social": 1, "other": 0}
    assert p["counts"] == {"claims": 3, "named": 2, "anonymous": 1, "hedges": 2, "unattributed_figures": 1}


def test_anonymous_speaker_is_not_named() -> None:
    text = "政府関係者は、計画は見直されると語った。"
    p = _profile(text)
    assert p["named_sources"] == []
    assert p["counts"]["claims"] == 1
    assert p["counts"]["anonymous"] == 1


def test_empty_profile() -> None:
    p = profile_sourcing(make_document("", sentences=[]), [], [], [])
    assert p["counts"] == {"claims": 0, "named": 0, "anonymous": 0, "hedges": 0, "unattributed_figures": 0}
    assert p["urls"] == {k: 0 for k in ("news", "video", "blog", "official", "social", "other")}


def test_source_key_and_is_anonymous() -> None:
    assert source_key("プーチン大統領") == source_key("プーチン氏") == "プーチン"
    assert source_key("ロシア外務省のザハロワ報道官") == "ザハロワ"
    assert is_anonymous("米政府当局者")
    assert not is_anonymous("ザハロワ報道官")


def test_anonymous_speaker_without_following_particle() -> None:
    assert is_anonymous("ロシアの高官")
    text = "ロシアの高官は、会談は来週だと明らかにした。"
    p = _profile(text)
    assert p["named_sources"] == []
    assert [a["text"] for a in p["anonymous_sources"]] == ["ロシアの高官"]


def test_hedge_not_inside_ordinary_words() -> None:
    assert find_hedges("素晴らしい成果だった。理由は以下のようだ。") == []
    assert [h["text"] for h in find_hedges("交渉は難航しているようだ。")] == ["ようだ"]
