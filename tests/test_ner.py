"""The shipped statistical NER model (kansoku.nlp.ner) on hand-written sentences."""

from __future__ import annotations

from pathlib import Path

import pytest

from kansoku.model import Span
from kansoku.nlp import ner
from kansoku.nlp.tokens import tokenize

SENTENCES = [
    "米国のトランプ大統領は記者団に対し、NATOへの支持を表明した。",
    "岸田文雄首相は、東京で記者会見を開いた。",
    "トヨタ自動車は名古屋市に新しい工場を建設すると発表した。",
    "山田太郎氏は京都大学を卒業後、三菱商事に入社した。",
    "ウクライナのゼレンスキー大統領はキーウで演説した。",
    "日本銀行は金融政策決定会合で利上げを決めた。",
    "佐藤花子さんは大阪府堺市の出身で、ソニーで働いている。",
    "",
    "   ",
]


def _predict(text: str) -> list[tuple[int, int, str]]:
    return ner.predict(text, tokenize(text))


def test_model_loads_once() -> None:
    assert ner.model() is ner.model()
    assert len(ner.model().index) > 1000


@pytest.mark.parametrize("text", SENTENCES)
def test_offsets_are_valid(text: str) -> None:
    toks = tokenize(text)
    starts = {t.start for t in toks}
    ends = {t.end for t in toks}
    spans = ner.predict(text, toks)
    last_end = 0
    for s, e, typ in spans:
        assert 0 <= s < e <= len(text)
        assert s in starts
        # a PERSON span may end inside a token when a title is cut off (トランプ大統領 -> トランプ)
        assert e in ends or (typ == "PERSON" and any(t.start < e < t.end for t in toks))
        assert typ in ner.TYPES
        assert s >= last_end  # sorted, non-overlapping
        last_end = e
        assert text[s:e].strip() == text[s:e]


def test_offsets_into_longer_text() -> None:
    text = "前置き。山田太郎氏は京都大学を卒業後、三菱商事に入社した。"
    spans = ner.predict(text, tokenize(text, Span(4, len(text))))
    i = text.index("山田太郎")
    assert (i, i + 4, "PERSON") in spans


def _found(text: str) -> set[tuple[str, str]]:
    return {(text[s:e], t) for s, e, t in _predict(text)}


def test_clear_entities() -> None:
    got = _found("トヨタ自動車は名古屋市に新しい工場を建設すると発表した。")
    assert ("トヨタ自動車", "ORG") in got
    assert ("名古屋市", "LOC") in got
    got = _found("山田太郎氏は京都大学を卒業後、三菱商事に入社した。")
    assert ("山田太郎", "PERSON") in got
    assert ("京都大学", "ORG") in got
    got = _found("佐藤花子さんは大阪府堺市の出身で、ソニーで働いている。")
    assert any(t == "PERSON" and s.startswith("佐藤") for s, t in got)
    assert any(t == "LOC" and "大阪府" in s for s, t in got)


def test_titles_are_not_part_of_person_names() -> None:
    text = "ロシアのプーチン大統領と米国のトランプ大統領がアラスカで会談した。"
    got = _found(text)
    assert ("プーチン", "PERSON") in got
    assert ("トランプ", "PERSON") in got  # one Sudachi token トランプ大統領, trimmed by characters
    assert ("アラスカ", "LOC") in got
    assert not any("大統領" in s for s, _ in got)


def test_urls_are_not_entities() -> None:
    text = "詳細は https://www.example.com/news/1 を参照。"
    assert all("example" not in text[s:e] and "http" not in text[s:e] for s, e, _ in _predict(text))


def test_spans_do_not_cross_punctuation() -> None:
    text = "北大西洋条約機構（NATO）は、ブリュッセルで会合を開いた。"
    for s, e, _ in _predict(text):
        assert not set(text[s:e]) & set("（）、。")
    assert ("北大西洋条約機構", "ORG") in _found(text)


def test_empty() -> None:
    assert ner.predict("", []) == []


def test_missing_model(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        ner.load_file(tmp_path / "nope.npz")


def test_pair_words_split_at_every_bar() -> None:
    from kansoku.nlp.ner import pair_words

    ww_left, ww_right, wp_left, pw_right = pair_words(["ww-1=a|b", "ww+1=x|y|z", "wp+1=q|名詞-普通名詞",
                                                       "pw+1=名詞-固有名詞|r", "w=a|b"])
    assert ww_left == {"a", "x", "x|y"} and ww_right == {"b", "y|z", "z"}
    assert wp_left == {"q"} and pw_right == {"r"}


def test_direct_vocab_holds_every_value_after_a_direct_prefix() -> None:
    from kansoku.nlp.ner import _DIRECT, _GROUPS, direct_vocab

    sets = direct_vocab(["w=a", "w-2=b", "w+1=a=b", "n=c", "pr1=d", "su3=efg", "p=名詞-普通名詞", "L=3カ0", "ww-1=x|y"])
    by_slot = dict(zip((slot for slot, _ in _GROUPS), sets, strict=True))
    assert by_slot[0] == {"a", "b", "a=b"} and by_slot[11] == {"c"} and by_slot[4] == {"d"} and by_slot[8] == {"efg"}
    assert all(not x for x, direct in zip(sets, _DIRECT, strict=True) if not direct)  # memoised groups: none


def test_id_matrix_is_token_features() -> None:
    """The fast path's feature ids are the ids of token_features(), sentence by sentence, in order."""
    from kansoku.nlp.ner import model, token_features
    from kansoku.nlp.tokens import tokenize

    m = model()
    sents = [tokenize(s) for s in ("ロシア国防省は２０日、ドネツク州の集落を制圧したと発表した。",
                                   "トランプ大統領|は「Make America Great Again」と述べた。", "x")]
    ids = m.id_matrix(sents)
    want = [m.index.get(f, m.unknown) for toks in sents for f in token_features(toks)]
    assert ids.ravel().tolist() == want


def test_emissions_many_equal_the_full_sum(monkeypatch) -> None:
    """The per-key sums of the own features plus the other columns give the same float32 scores, bit for
    bit, as summing all N_FEATURES weight rows, also while the per-key arrays grow."""
    import numpy as np

    import kansoku.nlp.ner as ner
    from kansoku.nlp.tokens import tokenize

    m = ner.model()
    m._reset()
    m._rows, m._presum = m._rows[:4], m._presum[:4]  # start small: every call below grows them
    texts = ["ロシア国防省は２０日、ドネツク州の集落を制圧したと発表した。", "ＡＢＣ-123型のXYZ社製ドローン",
             "ゼレンスキー大統領はキーウで記者団に語った。", "x", "米国務省は追加支援を表明した。"]
    for k in range(len(texts)):
        sents = [tokenize(t) for t in texts[: k + 1]]
        want = m.weights[m.id_matrix(sents)].sum(axis=1)
        got = m.emissions_many(sents)
        assert got.dtype == np.float32 and np.array_equal(got, want)
    m._reset()


def test_id_matrix_across_cache_generations(monkeypatch) -> None:
    """With tiny cache bounds the pair/triple caches roll over generations and the token caches restart,
    and the ids are still those of token_features()."""
    import kansoku.nlp.ner as ner
    from kansoku.nlp.tokens import tokenize

    m = ner.model()
    monkeypatch.setattr(ner, "_MAX_FAMILY", 40)
    texts = ["ロシア国防省は２０日、ドネツク州の集落を制圧したと発表した。", "米国務省は追加支援を表明した。",
             "ゼレンスキー大統領はキーウで記者団に語った。", "ロシア国防省は２０日、ドネツク州の集落を制圧したと発表した。"]
    for t in texts:
        toks = tokenize(t)
        assert m.id_matrix([toks]).ravel().tolist() == [m.index.get(f, m.unknown) for f in ner.token_features(toks)]
    assert any(m._older.values())  # a generation rolled over
    monkeypatch.setattr(ner, "_MAX_KEYS", 1)  # every call starts the caches again
    toks = tokenize(texts[1])
    assert m.id_matrix([toks]).ravel().tolist() == [m.index.get(f, m.unknown) for f in ner.token_features(toks)]
    monkeypatch.undo()
    m._reset()


def test_id_matrix_dense_tables_grow_and_fall_back(monkeypatch) -> None:
    """The dense part-of-speech, shape and cluster tables start small and grow as new values come; a table
    that would be too large leaves its family to the dict cache. The ids stay those of token_features()."""
    import kansoku.nlp.ner as ner
    from kansoku.nlp.tokens import tokenize

    m = ner.model()
    texts = ["ロシア国防省は２０日、ドネツク州の集落を制圧したと発表した。", "ＡＢＣ-123型のXYZ社製ドローン、約1.5km飛行",
             "ゼレンスキー大統領はキーウで記者団に語った。"]
    for dense, limit in ((True, ner._DENSE_MAX), (False, 64 * 64 - 1)):  # below the smallest pair table
        monkeypatch.setattr(ner, "_DENSE_MAX", limit)
        m._reset()
        for t in texts:
            toks = tokenize(t)
            assert m.id_matrix([toks]).ravel().tolist() == [m.index.get(f, m.unknown)
                                                            for f in ner.token_features(toks)]
        if dense:
            assert set(m._tables) == {"pp", "ss", "cc", "ppp"} and not m._families["pp"]
        else:
            assert not m._tables and m._families["pp"] and m._families["ppp"]
    monkeypatch.undo()
    m._reset()


def test_id_matrix_from_several_threads() -> None:
    """The fast path's caches are shared by the threads of a process: the same ids from each."""
    from concurrent.futures import ThreadPoolExecutor

    from kansoku.nlp.ner import model, token_features
    from kansoku.nlp.tokens import tokenize

    m = model()
    texts = [f"{name}氏は{n}日、{place}で記者団に語った。" for n in range(1, 9)
             for name, place in (("ゼレンスキー", "キーウ"), ("山田太郎", "大阪市"), ("ジョン・スミス", "ワシントン"))]
    sents = [tokenize(t) for t in texts]
    want = [[m.index.get(f, m.unknown) for f in token_features(s)] for s in sents]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(lambda s: m.id_matrix([s]).ravel().tolist(), sents * 4))
    assert got == want * 4


def test_viterbi_many_equals_viterbi_per_sequence() -> None:
    """The batched decoder gives each sequence the path the one-sequence decoder gives it, ties included
    (emissions rounded to a few values, so equal scores are common)."""
    import numpy as np

    from kansoku.nlp.ner import N_TAGS, model, viterbi, viterbi_many

    trans = model().trans
    rng = np.random.default_rng(5)
    for _ in range(200):
        lengths = rng.integers(1, 40, rng.integers(1, 12)).tolist()
        em = np.round(rng.standard_normal((sum(lengths), N_TAGS)) * 2).astype(np.float32)
        got = viterbi_many(em, lengths, trans)
        offsets = np.cumsum([0, *lengths])
        assert got == [viterbi(em[offsets[k] : offsets[k + 1]], trans) for k in range(len(lengths))]


@pytest.mark.parametrize("text", [*SENTENCES, "ｶﾀｶﾅ\u3000半角 テスト\t①㍻", "😀絵文字\u200bと結合文字é́", "前置き。" * 3])
def test_token_offsets_from_surfaces_are_sudachis_own(text: str) -> None:
    """tokenize takes each token's offsets from the surfaces' lengths: the same as Sudachi's begin/end (its
    fallback when the surfaces do not tile the input), also from inside a longer text."""
    from kansoku.nlp.tokens import _tokenizer, _tokens_by_offsets

    tok = _tokenizer()[0]
    assert tokenize(text) == _tokens_by_offsets(tok, text, 0, len(text))
    lo = len(text) // 3
    assert tokenize(text, Span(lo, len(text))) == _tokens_by_offsets(tok, text, lo, len(text))
