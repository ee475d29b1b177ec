"""One-kanji country abbreviations (米, 露, 土 …): the data file and the guards against ordinary words."""

import tomllib
from importlib import resources

import pytest

from kansoku.extract.entities import find_mentions
from kansoku.nlp.gazetteer import GazEntity, build
from kansoku.nlp.gazetteer import default as default_gazetteer
from kansoku.normalize import make_document
from kansoku.normalize.segment import split_sentences


@pytest.fixture(scope="module")
def gaz():
    E = GazEntity
    return build([
        E("gpe:united-states", "アメリカ", "United States", "GPE", abbrev=["米"]),
        E("gpe:russia", "ロシア", "Russia", "GPE", abbrev=["露"]),
        E("gpe:japan", "日本", "Japan", "GPE", abbrev=["日"]),
        E("gpe:turkey", "トルコ", "Turkey", "GPE", abbrev=["土"]),
        E("gpe:ukraine", "ウクライナ", "Ukraine", "GPE", abbrev=["宇"]),
        E("gpe:philippines", "フィリピン", "Philippines", "GPE", abbrev=["比"]),
        E("gpe:north-korea", "北朝鮮", "North Korea", "GPE", abbrev=["朝"]),
        E("gpe:taiwan", "台湾", "Taiwan", "GPE", abbrev=["台"]),
    ])


def abbrevs(text, gaz):
    return [(m.text, m.candidates) for m in find_mentions(make_document(text, sentences=split_sentences(text)), gaz) if m.how == "abbrev"]


def test_every_gazetteer_abbreviation_has_a_reading():
    data = tomllib.loads((resources.files("kansoku") / "data" / "abbrev.toml").read_text(encoding="utf-8"))
    readings = data["readings"]
    used = {a for e in default_gazetteer().entities.values() for a in e.abbrev}
    assert used, "the shipped gazetteer has abbreviations"
    assert used <= set(readings), f"abbreviations without a reading: {sorted(used - set(readings))}"
    for ch, rs in readings.items():
        assert len(ch) == 1 and rs and all(r and all("ァ" <= c <= "ヺ" or c == "ー" for c in r) for r in rs)


@pytest.mark.parametrize("text", [
    "旅行のお土産を買った。",          # 土産: souvenir, not Turkey
    "朝日が昇る前に出発した。",          # 朝日: the morning sun
    "宇土為光の娘が嫁いだ。",            # 宇土: a surname
    "調査では男女比に差があった。",       # 比 after a noun: a ratio
    "石より先に土台を据えた。",          # 土台: foundation
])
def test_ordinary_words_are_not_abbreviations(gaz, text):
    assert abbrevs(text, gaz) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("米露の首脳が電話で協議した。", {"gpe:united-states", "gpe:russia"}),
    ("政府は対露制裁を強化した。", {"gpe:russia"}),
    ("大統領は来月来日する。", {"gpe:japan"}),
    ("日米の協力が進んだ。", {"gpe:japan", "gpe:united-states"}),
    ("比政府は抗議した。", {"gpe:philippines"}),
])
def test_abbreviation_compounds_still_resolve(gaz, text, expected):
    found = {c for _, cands in abbrevs(text, gaz) for c in cands}
    assert found == expected
