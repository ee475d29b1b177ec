from kansoku.normalize.segment import split_sentences


def texts(t: str) -> list[str]:
    return [s.of(t) for s in split_sentences(t)]


def test_lines_are_hard_boundaries_for_headings_bylines_and_bullets():
    t = "米露首脳会談の行方\n筆者:山田太郎\n・第一に停戦\n・第二に制裁\n本文が続く。次の文。"
    assert texts(t) == ["米露首脳会談の行方", "筆者:山田太郎", "・第一に停戦", "・第二に制裁", "本文が続く。", "次の文。"]


def test_dialogue_lines_stay_separate_and_quotes_are_not_split():
    t = "水城: 彼は「停戦は近い。だが条件がある。」と述べた。本当ですか?\nアオイ: そうです。"
    assert texts(t) == ["水城: 彼は「停戦は近い。だが条件がある。」と述べた。", "本当ですか?", "アオイ: そうです。"]


def test_offsets_point_into_the_text_and_skip_whitespace():
    t = "  一文目。  二文目!\n\n\n三文目"
    for s in split_sentences(t):
        assert s.of(t) == s.of(t).strip() and s.of(t)


def test_overlong_units_are_cut_at_a_bound():
    t = "あ" * 5000
    spans = split_sentences(t, max_len=1000)
    assert len(spans) == 5 and all(s.end - s.start <= 1000 for s in spans)
    assert "".join(s.of(t) for s in spans) == t


def test_unbalanced_quote_does_not_swallow_the_line():
    t = "「閉じない引用。" + "あ" * 500 + "。次の文。"
    assert len(split_sentences(t)) >= 2
