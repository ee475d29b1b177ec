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


def _reference_split(text: str, max_len: int = 1000) -> list:
    """The per-character loop the segmenter had before it jumped between brackets and terminators."""
    from kansoku.model import Span
    from kansoku.normalize.segment import _CLOSE, _MAX_QUOTE, _OPEN, _TERMINATORS, _emit

    out: list = []
    pos = 0
    while pos <= len(text):
        nl = text.find("\n", pos)
        end = len(text) if nl < 0 else nl
        depth: list[str] = []
        opened_at, unit_start, i = 0, pos, pos
        while i < end:
            ch = text[i]
            if ch in _OPEN:
                if not depth:
                    opened_at = i
                depth.append(_OPEN[ch])
            elif ch in _CLOSE:
                if depth and depth[-1] == ch:
                    depth.pop()
            elif ch in _TERMINATORS and (not depth or i - opened_at > _MAX_QUOTE):
                j = i + 1
                while j < end and (text[j] in _TERMINATORS or text[j] in _CLOSE):
                    j += 1
                _emit(text, unit_start, j, max_len, out)
                unit_start = j
                depth.clear()
                i = j
                continue
            i += 1
        _emit(text, unit_start, end, max_len, out)
        pos = end + 1
    assert all(isinstance(s, Span) for s in out)
    return out


def test_split_matches_the_per_character_reference() -> None:
    import random

    from kansoku.normalize.segment import split_sentences

    rng = random.Random(3)
    alphabet = "あいう。！？!?「」『』（）()【】“”\n 、x"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert split_sentences(text) == _reference_split(text), text
        assert split_sentences(text, max_len=5) == _reference_split(text, max_len=5), text
    for text in ("「" + "あ" * 450 + "。いう」。え。", "（" + "あ。" * 300 + "）お。", "x" * 2500 + "。y"):
        assert split_sentences(text) == _reference_split(text)
