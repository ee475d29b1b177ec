"""Outlets of the news-host table are entities when the text names them (docs/entities.md, "Outlets named
in the text"), except forms that would match ordinary words."""

import pytest

from kansoku.model import RawDoc
from kansoku.pipeline import analyze_document


def _entities(text: str) -> dict[str, set[str]]:
    rec = analyze_document(RawDoc(source="t.txt", text=text))
    return {e["id"]: {m["text"] for m in e["mentions"]} for e in rec["entities"]}


@pytest.mark.parametrize(
    ("text", "entity", "surface"),
    [
        ("16日のニコニコニュースが報じ、ネット上で議論を呼んでいる。", "org:niconico-news", "ニコニコニュース"),
        ("俳優の山田太郎は自身のツイッターで謝罪した。", "org:x", "ツイッター"),
        ("発売中の「女性自身」が、二人の交際を報じている。", "org:josei-jishin", "女性自身"),
        ("この番組はTOKYO MXで毎週放送されている。", "org:tokyo-metropolitan-television", "TOKYO MX"),
        ("英デイリー・メールによれば、首相は辞任を否定した。", "org:daily-mail", "デイリー・メール"),
    ],
)
def test_an_outlet_named_in_the_text_is_an_org_entity(text, entity, surface):
    ents = _entities(text)
    assert entity in ents, sorted(ents)
    assert surface in ents[entity]


@pytest.mark.parametrize(
    ("text", "not_entity"),
    [
        ("Windows、MacOS X、iOSに対応する。", "org:x"),  # a one-letter outlet name is never matched alone
        ("時事問題について毎日のように議論した。", "org:jiji-press"),  # 時事 and 毎日 are ordinary words
        ("時事問題について毎日のように議論した。", "org:the-mainichi"),
    ],
)
def test_ordinary_words_are_not_outlets(text, not_entity):
    from kansoku.nlp.gazetteer import default

    assert default().get(not_entity) is not None  # the outlet exists, under its long names
    assert not_entity not in _entities(text)


def test_outlets_the_gazetteer_knows_are_left_to_it():
    from kansoku.nlp.gazetteer import default

    g = default()
    ids = [eid for eid, how in g.lookup("ニコニコ動画")]
    assert ids == ["org:niconico"]  # the gazetteer's entry, not a second one from the host table
    assert "X" in g.get("org:x").unmatched and not g.lookup("X")
