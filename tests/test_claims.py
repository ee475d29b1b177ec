"""Claims and quotes: speaker, kind, cue and spans on hand-written sentences."""

from __future__ import annotations

import pytest

from kansoku.extract.claims import extract_claims, plausible_speaker
from kansoku.model import Span
from kansoku.normalize import make_document
from kansoku.normalize.segment import line_spans, split_spans


def _claims(text: str) -> list[dict]:
    out = extract_claims(make_document(text, sentences=line_spans(text)))
    for c in out:
        assert text[c["start"] : c["end"]] == c["text"]
        if c["speaker_span"]:
            assert text[c["speaker_span"]["start"] : c["speaker_span"]["end"]] == c["speaker"]
        assert c["content_span"]["start"] < c["content_span"]["end"]
    return out


def _content(text: str, c: dict) -> str:
    return text[c["content_span"]["start"] : c["content_span"]["end"]]


# (sentence, speaker, kind, cue, content)
SINGLE = [
    ("ペスコフ大統領報道官は記者団に対し「交渉の扉は閉ざされていない」と述べた。", "ペスコフ大統領報道官", "quote", "と述べた",
     "交渉の扉は閉ざされていない"),
    ("フィンランドのストゥッブ大統領は「国境の安全は譲れない」と強調した。", "フィンランドのストゥッブ大統領", "quote", "と強調した",
     "国境の安全は譲れない"),
    ("国連のグテーレス事務総長は「民間人の犠牲は容認できない」と訴えた。", "国連のグテーレス事務総長", "quote", "と訴えた",
     "民間人の犠牲は容認できない"),
    ("ゼレンスキー氏は「支援の遅れは命に関わる」と警告した。", "ゼレンスキー氏", "quote", "と警告した", "支援の遅れは命に関わる"),
    ("中国外務省の報道官は「内政干渉だ」と批判した。", "中国外務省の報道官", "quote", "と批判した", "内政干渉だ"),
    ("ラトビア国防省は「演習は予定通り行う」と明らかにした。", "ラトビア国防省", "quote", "と明らかにした", "演習は予定通り行う"),
    ("ブリンケン国務長官が「同盟は揺るがない」と語った。", "ブリンケン国務長官", "quote", "と語った", "同盟は揺るがない"),
    ("専門家のイワノフ氏は、制裁の効果は限定的だと指摘した。", "専門家のイワノフ氏", "reported", "と指摘した", "制裁の効果は限定的だ"),
    ("日本政府は、対話の継続が重要だとの考えを示した。", "日本政府", "reported", "との考えを示した", "対話の継続が重要だ"),
    ("米国防総省は、ロシアが新型ミサイルを配備したと発表した。", "米国防総省", "reported", "と発表した",
     "ロシアが新型ミサイルを配備した"),
    ("エストニアのカラス首相は、抑止力の強化が急務だと主張した。", "エストニアのカラス首相", "reported", "と主張した",
     "抑止力の強化が急務だ"),
    ("英国防省は、前線の兵力が不足しているとの見方を示した。", "英国防省", "reported", "との見方を示した",
     "前線の兵力が不足している"),
    ("ノルウェー政府は、北極圏での監視を強化すると説明した。", "ノルウェー政府", "reported", "と説明した",
     "北極圏での監視を強化する"),
    ("英BBCは、交渉が水面下で続いていると報じた。", "英BBC", "reported", "と報じた", "交渉が水面下で続いている"),
    ("トルコのエルドアン大統領は電話会談で、仲介の用意があると語った。", "トルコのエルドアン大統領", "reported", "と語った",
     "仲介の用意がある"),
    ("マクロン氏は同日の会見で、欧州の防衛費を増やす必要があると述べ、各国に協力を求めた。", "マクロン氏", "reported",
     "と述べ", "欧州の防衛費を増やす必要がある"),
    ("外務省関係者によると、首脳会談は来月にも開かれる見込みだ。", "外務省関係者", "reported", "によると",
     "首脳会談は来月にも開かれる見込みだ"),
    ("ロシア国防省によりますと、無人機12機を撃墜しました。", "ロシア国防省", "reported", "によりますと", "無人機12機を撃墜しました"),
    ("ロシア外務省は「挑発には断固対応する」とする声明を発表した。", "ロシア外務省", "quote", "とする声明を発表した",
     "挑発には断固対応する"),
]


@pytest.mark.parametrize(("text", "speaker", "kind", "cue", "content"), SINGLE)
def test_single_claim(text: str, speaker: str, kind: str, cue: str, content: str) -> None:
    out = _claims(text)
    assert len(out) == 1, out
    c = out[0]
    assert (c["speaker"], c["kind"], c["cue"]) == (speaker, kind, cue)
    assert _content(text, c) == content
    assert c["text"] == text.rstrip()


HEARSAY = [
    ("この基地には約2000人の兵士が駐留しているとされる。", "とされる", "この基地には約2000人の兵士が駐留している"),
    ("部隊はすでに撤退を始めたと伝えられている。", "と伝えられている", "部隊はすでに撤退を始めた"),
    ("この地域には豊富な鉱物資源が眠っているといわれる。", "といわれる", "この地域には豊富な鉱物資源が眠っている"),
    ("村ではすでに電力の供給が止まっているという。", "という", "村ではすでに電力の供給が止まっている"),
    ("作戦は数週間前から準備されていたと報じられている。", "と報じられている", "作戦は数週間前から準備されていた"),
]


@pytest.mark.parametrize(("text", "cue", "content"), HEARSAY)
def test_hearsay(text: str, cue: str, content: str) -> None:
    out = _claims(text)
    assert len(out) == 1
    c = out[0]
    assert (c["kind"], c["speaker"], c["speaker_span"], c["cue"]) == ("hearsay", None, None, cue)
    assert _content(text, c) == content


ASSERTIONS = [
    "欧州は自らの防衛に責任を持つべきだ。",
    "この合意が長続きしないことは明らかだ。",
    "停戦の背後に別の思惑があるに違いない。",
]


@pytest.mark.parametrize("text", ASSERTIONS)
def test_assertion(text: str) -> None:
    out = _claims(text)
    assert [(c["kind"], c["speaker"]) for c in out] == [("assertion", None)]
    assert _content(text, out[0]) == text.rstrip("。")


NONE = [
    "ロシア軍は東部の町を制圧した。",
    "首脳会談は来月ヘルシンキで開かれる予定だ。",
    "「北極星」という表現が使われている。",
    "この点について述べた記事は多い。",
    "調査では、支援継続と回答した人は6割に上った。",
    "この方針は、政府が昨年発表した計画に基づいている。",
    "両国は対話を続けることを明らかにした文書に署名した。",
]


@pytest.mark.parametrize("text", NONE)
def test_no_claim(text: str) -> None:
    assert _claims(text) == []


def test_two_quotes_one_sentence() -> None:
    text = "ストルテンベルグ事務総長は「支援は続く」と述べ、「加盟の道は開かれている」と強調した。"
    out = _claims(text)
    assert [(c["speaker"], c["kind"], c["cue"]) for c in out] == [
        ("ストルテンベルグ事務総長", "quote", "と述べ"), ("ストルテンベルグ事務総長", "quote", "と強調した")]
    assert [_content(text, c) for c in out] == ["支援は続く", "加盟の道は開かれている"]


def test_speaker_several_clauses_earlier() -> None:
    text = "シュルツ氏は会見の冒頭で、前日の攻撃に触れた上で、国際法違反だと非難した。"
    out = _claims(text)
    assert len(out) == 1
    assert out[0]["speaker"] == "シュルツ氏"
    assert out[0]["kind"] == "reported"


def test_quote_subject_is_not_speaker() -> None:
    text = "マリノフ報道官は声明で、隣国の発言が「緊張を高める」と反発した。\nさらに日本が「歴史を歪めている」などとも述べた。"
    out = _claims(text)
    assert [c["speaker"] for c in out] == ["マリノフ報道官", "マリノフ報道官"]
    assert out[1]["cue"] == "などとも述べた"
    assert _content(text, out[1]) == "歴史を歪めている"


def test_doushi_is_kept_for_the_resolver() -> None:
    """Extraction keeps the words of the claim's own sentence (同氏); resolve/links.py finds who it is."""
    text = "ベルギーのデクロー首相は、凍結資産の活用に慎重な姿勢を示した。同氏は、法的な課題が残ると説明した。"
    out = _claims(text)
    assert [c["speaker"] for c in out] == ["同氏"]
    assert out[0]["cue"] == "と説明した"
    from kansoku.model import RawDoc
    from kansoku.pipeline import analyze_document

    (c,) = analyze_document(RawDoc(source="t", text=text))["claims"]
    assert "デクロー" in c["speaker"] and c["speaker_resolution"]["method"] == "anaphor"


def test_dialogue_lines() -> None:
    text = "前置きの文章です。\n\n山吹: 制裁が解除されたら何が起きるでしょう。\n\nKai: 資本はすぐには戻らないと思います。\n\n山吹: なるほど。"
    out = _claims(text)
    assert [(c["speaker"], c["kind"]) for c in out] == [("山吹", "quote"), ("Kai", "quote"), ("山吹", "quote")]
    assert _content(text, out[1]) == "資本はすぐには戻らないと思います。"


def test_label_lines_are_not_dialogue() -> None:
    text = "出典: Example Review, 2024年1月1日\n出典: Another Journal\n概要: 本文の概要です。\n概要: もう一つの概要です。"
    assert _claims(text) == []


def test_single_dialogue_prefix_is_not_dialogue() -> None:
    text = "ポイント: 価格は上昇した。\n本文です。"
    assert _claims(text) == []


def test_split_sentences_keeps_quotes_whole() -> None:
    text = "彼は「よし。始めよう」と言った。次の文。"
    spans = split_spans(text, [Span(0, len(text))])
    assert [text[s.start : s.end] for s in spans] == ["彼は「よし。始めよう」と言った。", "次の文。"]


def test_plausible_speaker() -> None:
    assert plausible_speaker("ロシア外務省")
    assert plausible_speaker("ザハロワ報道官")
    assert plausible_speaker("日本")
    assert not plausible_speaker("今回")
    assert not plausible_speaker("関税政策")
    assert not plausible_speaker("2024年")


TOSHITA = [
    ("ロシア外務省は、対話の用意があるとした。", "ロシア外務省", "とした", "対話の用意がある"),
    ("カナダ政府は、追加の支援を検討するとしている。", "カナダ政府", "としている", "追加の支援を検討する"),
]


@pytest.mark.parametrize(("text", "speaker", "cue", "content"), TOSHITA)
def test_toshita_with_speaker(text: str, speaker: str, cue: str, content: str) -> None:
    out = _claims(text)
    assert [(c["speaker"], c["kind"], c["cue"]) for c in out] == [(speaker, "reported", cue)]
    assert _content(text, out[0]) == content


TOSHITA_NOT = [
    "新政権は停戦を最優先の課題とした。",
    "その結果、多くの住民が移住を余儀なくされたとしている。",
]


@pytest.mark.parametrize("text", TOSHITA_NOT)
def test_toshita_not_a_claim(text: str) -> None:
    assert [c for c in _claims(text) if c["kind"] == "reported"] == []


def test_speaker_after_quote() -> None:
    text = "「停戦の条件は整っていない」とリトアニアのブドリス外相は述べた。"
    out = _claims(text)
    assert [(c["speaker"], c["kind"], c["cue"]) for c in out] == [("リトアニアのブドリス外相", "quote", "と述べた")]
    assert _content(text, out[0]) == "停戦の条件は整っていない"


def test_honorific_and_gloss_trimmed_from_speaker() -> None:
    text = "港町に住む早苗さん（45歳・漁業）は「燃料代が倍になった」と話してくれた。"
    out = _claims(text)
    assert [(c["speaker"], c["kind"]) for c in out] == [("早苗さん", "quote")]


def test_quote_opened_on_previous_line() -> None:
    text = "「前半は守りに徹した。\n後半は攻めに転じた」と話した。"
    out = _claims(text)
    assert [(c["speaker"], c["kind"]) for c in out] == [(None, "quote")]
    assert _content(text, out[0]) == "後半は攻めに転じた"


def test_spec_sheet_is_not_dialogue() -> None:
    text = "価格: 12800円\n重量: 180g\n価格: 9800円\n発売日: 5月1日\n本文です。"
    assert _claims(text) == []


def test_dialogue_with_sentence_spans() -> None:
    text = "山吹: 制裁は続く。でも効果は薄い。\nKai: そう思います。長期戦ですね。\n山吹: なるほど。"
    sents = split_spans(text, line_spans(text))
    out = extract_claims(make_document(text, sentences=sents))
    assert [(c["speaker"], c["kind"]) for c in out] == [("山吹", "quote"), ("Kai", "quote"), ("山吹", "quote")]
    assert out[0]["text"] == "山吹: 制裁は続く。でも効果は薄い。"


def test_spaced_latin_speaker() -> None:
    text = "米シンクタンクのAtlantic Councilは、ロシアの戦略が変化したと分析した。"
    out = _claims(text)
    assert [(c["speaker"], c["kind"], c["cue"]) for c in out] == [
        ("米シンクタンクのAtlantic Council", "reported", "と分析した")]


def test_kou_katatta_takes_previous_quote() -> None:
    text = "「我々は準備ができている」。ショイグ氏は11日、こう語った。"
    out = _claims(text)
    assert [(c["speaker"], c["kind"], c["cue"]) for c in out] == [("ショイグ氏", "quote", "こう語った")]
    assert _content(text, out[0]) == "我々は準備ができている"
    assert out[0]["text"] == text


def test_sonoue_de_without_comma_continues_speaker() -> None:
    text = "ペスコフ氏は「交渉は続いている」と指摘。その上で「結果を急ぐべきではない」と強調した。"
    assert [c["speaker"] for c in _claims(text)] == ["ペスコフ氏", "ペスコフ氏"]


def test_source_phrase_skipped_from_content() -> None:
    text = "ロイター通信は関係筋の話として、会談が延期されたと報じた。"
    out = _claims(text)
    assert (out[0]["speaker"], _content(text, out[0])) == ("ロイター通信", "会談が延期された")


def test_anonymous_official_speaker() -> None:
    text = "米政府高官は記者団に対し、追加の制裁を準備していると述べた。タス通信が伝えた。"
    out = _claims(text)
    assert [(c["speaker"], c["kind"]) for c in out] == [("米政府高官", "reported")]


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("ゼレンスキー大統領は記者団の前に姿を見せた。また、支援の継続が不可欠だとも語った。", "ゼレンスキー大統領"),
        # a sentence between without a topic leaves the earlier one
        ("ゼレンスキー大統領は記者団の前に姿を見せた。会見は約一時間続いた。また、支援の継続が不可欠だとも語った。",
         "ゼレンスキー大統領"),
        # a speaker named since replaces it
        ("ゼレンスキー大統領は記者団の前に姿を見せた。岸田首相は「連携を強める」と述べた。会見は約一時間続いた。"
         "また、支援の継続が不可欠だとも語った。", "岸田首相"),
    ],
)
def test_a_continuation_takes_the_latest_topic_or_speaker(text: str, speaker: str) -> None:
    doc = make_document(text)  # sentence by sentence: the speaker comes from the context
    assert len(doc.sentences) >= 2
    last = extract_claims(doc)[-1]
    assert (last["cue"], last["speaker"], last.get("_via")) == ("とも語った", speaker, "context")
