"""Tests for kansoku.extract.quantities."""

from __future__ import annotations

import json
import time
from importlib import resources
from pathlib import Path

import pytest

from kansoku.extract.quantities import extract_quantities, parse_number, units_version
from kansoku.model import Span
from kansoku.normalize import make_document
from kansoku.normalize.segment import line_spans

CASES_PATH = Path(__file__).parent / "data" / "quantities_cases.jsonl"
CASES = [json.loads(line) for line in CASES_PATH.read_text(encoding="utf-8").splitlines() if line.strip()]




def run(text: str) -> list[dict]:
    return extract_quantities(make_document(text, sentences=line_spans(text)))


def one(text: str) -> dict:
    got = run(text)
    assert len(got) == 1, got
    return got[0]


# --- numerals -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("s", "value"),
    [
        ("1万5000", 15000),
        ("1.5万", 15000),
        ("3億", 300_000_000),
        ("120億", 12_000_000_000),
        ("5兆", 5_000_000_000_000),
        ("二千", 2000),
        ("百", 100),
        ("三十五", 35),
        ("一万五千", 15000),
        ("1,200", 1200),
        ("3億7500万", 375_000_000),
        ("二〇二五", 2025),
    ],
)
def test_parse_number(s: str, value: int) -> None:
    assert parse_number(s) == pytest.approx(value)


def test_parse_number_rejects_garbage() -> None:
    assert parse_number("万") is None
    assert parse_number("1.2.3") is None


def test_unit_table_is_versioned() -> None:
    raw = json.loads(resources.files("kansoku").joinpath("data/units.json").read_text(encoding="utf-8"))
    assert raw["version"] == units_version() != ""
    surfaces = [u["surface"] for u in raw["units"]]
    assert len(surfaces) == len(set(surfaces))


@pytest.mark.parametrize(
    ("text", "surface", "value", "unit"),
    [
        ("兵士３０人が負傷した。", "３０人", 30, "person"),
        ("1,200人が集まった。", "1,200人", 1200, "person"),
        ("支援は3億ドルに上る。", "3億ドル", 300_000_000, "USD"),
        ("予算は5兆円だ。", "5兆円", 5_000_000_000_000, "JPY"),
        ("融資は120億ユーロ。", "120億ユーロ", 12_000_000_000, "EUR"),
        ("損失は2000億ルーブル。", "2000億ルーブル", 200_000_000_000, "RUB"),
        ("輸入額は40億元だった。", "40億元", 4_000_000_000, "CNY"),
        ("給与は1万フリブナだ。", "1万フリブナ", 10000, "UAH"),
        ("英国は5億ポンドを拠出した。", "5億ポンド", 500_000_000, "GBP"),
        ("前線まで800メートル。", "800メートル", 0.8, "km"),
        ("国境から20キロ離れた。", "20キロ", 20, "km"),
        ("ミサイル4発が着弾した。", "4発", 4, "round"),
        ("艦艇2隻が沈んだ。", "2隻", 2, "ship"),
        ("加盟32カ国が署名した。", "32カ国", 32, "country"),
        ("原油200万バレルを輸出した。", "200万バレル", 2_000_000, "barrel"),
        ("警察官5名が負傷した。", "5名", 5, "person"),
        ("停戦は30日間続いた。", "30日間", 30, "day"),
        ("交渉は2週間続いた。", "2週間", 2, "week"),
        ("包囲は3カ月に及んだ。", "3カ月", 3, "month"),
        ("国民の3割が反対した。", "3割", 30, "percent"),
        ("支持率は45パーセントだった。", "45パーセント", 45, "percent"),
        ("支持率は４５％だった。", "４５％", 45, "percent"),
        ("発足から百日間が過ぎた。", "百日間", 100, "day"),
    ],
)
def test_units_and_values(text: str, surface: str, value: float, unit: str) -> None:
    q = one(text)
    assert (q["text"], q["unit"]) == (surface, unit)
    assert q["value"] == pytest.approx(value)


def test_one_in_n_is_a_percentage() -> None:
    q = one("国民の5人に1人が賛成した。")
    assert (q["text"], q["value"], q["unit"], q["subject"]) == ("5人に1人", 20, "percent", "国民")
    assert one("4人に1人が反対した。")["value"] == 25


def test_ratio_with_decimal_subunit() -> None:
    q = one("賛成は3割5分にとどまった。")
    assert (q["value"], q["unit"]) == (35, "percent")


# --- approximations and ranges -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "surface", "qualifier"),
    [
        ("死者は約100人だ。", "約100人", "about"),
        ("死者はおよそ100人だ。", "およそ100人", "about"),
        ("死者は100人超に上る。", "100人超", "more_than"),
        ("死者は100人以上だ。", "100人以上", "at_least"),
        ("被害は100億円未満だ。", "100億円未満", "less_than"),
        ("死者は100人近くに上る。", "100人近く", "about"),
        ("死者は100人余りに上る。", "100人余り", "more_than"),
        ("賛成は3割強だった。", "3割強", "more_than"),
        ("賛成は3割弱だった。", "3割弱", "less_than"),
        ("負傷者は50人程度だ。", "50人程度", "about"),
        ("参加者は1万人前後だ。", "1万人前後", "about"),
        ("1万人規模の部隊が動いた。", "1万人規模", "about"),
        ("死者は少なくとも30人だ。", "少なくとも30人", "at_least"),
        ("期間は最大6カ月だ。", "最大6カ月", "up_to"),
        ("死者は1000人を超える。", "1000人", "more_than"),
    ],
)
def test_approximations(text: str, surface: str, qualifier: str) -> None:
    q = one(text)
    assert (q["text"], q["approx"], q["qualifier"]) == (surface, True, qualifier)


def test_exact_figure_is_not_approximate() -> None:
    q = one("死者は100人だ。")
    assert (q["approx"], q["qualifier"], q["range_to"]) == (False, None, None)


def test_range() -> None:
    q = one("20〜30人が拘束された。")
    assert (q["text"], q["value"], q["range_to"], q["qualifier"], q["approx"]) == (
        "20〜30人",
        20,
        30,
        "range",
        True,
    )
    q = one("難民は20～30万人に上る。")
    assert (q["value"], q["range_to"]) == (200_000, 300_000)


def test_change_gives_two_quantities() -> None:
    got = run("支持率は74%から19%に低下した。")
    assert [(q["text"], q["value"]) for q in got] == [("74%", 74), ("19%", 19)]
    assert all(q["subject"] == "支持率" for q in got)


# --- dates are not quantities --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "2025年に会談が行われた。",
        "8月15日に終戦を迎えた。",
        "外相は15日、記者団に語った。",
        "会談は午前4時半に始まった。",
        "20世紀の戦争を振り返る。",
        "2022年2月24日に侵攻が始まった。",
        "令和7年度予算が成立した。",
        "第2次世界大戦の教訓だ。",
        "G7首脳が集まった。",
        "一部の部隊が撤退した。",
        "https://example.com/news/2025/08/15/123.html",
        "数十人が負傷した。",
        "交渉は2週間後に再開する。",
    ],
)
def test_not_quantities(text: str) -> None:
    assert run(text) == []


@pytest.mark.parametrize(
    ("text", "surface", "value"),
    [
        ("戦後80年を迎えた。", "80年", 80),
        ("戦争は3年続いた。", "3年", 3),
        ("対立は20年以上に及ぶ。", "20年以上", 20),
        ("過去3年間で状況は変わった。", "3年間", 3),
        ("攻撃は10日以上続いた。", "10日以上", 10),
    ],
)
def test_year_and_day_durations(text: str, surface: str, value: int) -> None:
    q = one(text)
    assert (q["text"], q["value"]) == (surface, value)
    assert q["unit"] in ("year", "day")


# --- subject and source --------------------------------------------------------------------------------------


def test_subject_and_source_with_spans() -> None:
    text = "ウクライナ国防省によると、ロシア軍の死傷者は約80万人に上る。"
    q = one(text)
    assert q["subject"] == "ロシア軍の死傷者"
    assert q["source"] == "ウクライナ国防省"
    span = q["source_span"]
    assert text[span["start"] : span["end"]] == "ウクライナ国防省"


def test_source_from_previous_sentence() -> None:
    text = "国連の報告書によると、被害は拡大している。\n死者は1万2000人に上る。"
    q = one(text)
    assert (q["source"], q["subject"]) == ("国連", "死者")


def test_source_from_speech_verb() -> None:
    q = one("ウクライナ空軍は、ロシア軍がミサイル6発を発射したと発表した。")
    assert (q["source"], q["subject"]) == ("ウクライナ空軍", "ミサイル")


def test_no_source_without_attribution() -> None:
    q = one("避難民200万人が国境を越えた。")
    assert (q["subject"], q["source"], q["source_span"]) == ("避難民", None, None)


def test_passive_report_is_not_a_source() -> None:
    assert one("動員兵は1万人と伝えられた。")["source"] is None


def test_survey_source_carries_to_later_survey_sentence() -> None:
    text = "調査機関キーウ国際社会学研究所は、計8回、世論調査を実施した。\n質問は同じだ。\n最新の調査では賛成が19%だった。"
    got = run(text)
    assert [(q["text"], q["source"]) for q in got] == [
        ("8回", "キーウ国際社会学研究所"),
        ("19%", "キーウ国際社会学研究所"),
    ]


# --- offsets, ordering, robustness ---------------------------------------------------------------------------


def test_offsets_into_document_and_sorted() -> None:
    text = "前書き。\n\n　ロシア軍の死傷者は約８０万人。兵士３０人が負傷。\nおわり"
    sents = [Span(0, 4), Span(7, 23), Span(23, 32), Span(33, 36)]
    got = extract_quantities(make_document(text, sentences=sents))
    assert [q["text"] for q in got] == ["約８０万人", "３０人"]
    for q in got:
        assert text[q["start"] : q["end"]] == q["text"]
    assert got[0]["value"] == 800_000


def test_cases_offsets_hold() -> None:
    for case in CASES:
        text = case["text"]
        for q in run(text):
            assert text[q["start"] : q["end"]] == q["text"]
            if q["source_span"]:
                assert text[q["source_span"]["start"] : q["source_span"]["end"]] == q["source"]
            assert set(q) == {
                "text",
                "start",
                "end",
                "value",
                "unit",
                "approx",
                "subject",
                "source",
                "source_span",
                "qualifier",
                "range_to",
            }


def test_empty_inputs() -> None:
    assert extract_quantities(make_document("", sentences=[])) == []
    assert extract_quantities(make_document("死者は10人。", sentences=[])) == []
    assert extract_quantities(make_document("abc", sentences=[Span(5, 9)])) == []


def test_long_document_is_fast() -> None:
    block = (
        "ウクライナ国防省によると、ロシア軍の死傷者は約80万人に上る。2025年8月15日に会談。"
        + "あ" * 200
        + "\n"
    )
    text = block * 2000
    spans = line_spans(text)
    t0 = time.perf_counter()
    got = extract_quantities(make_document(text, sentences=spans))
    assert len(got) == 2000
    assert time.perf_counter() - t0 < 60
    assert got == sorted(got, key=lambda q: q["start"])


def test_long_line_without_punctuation() -> None:
    text = "1" * 5000 + "人" + "あ" * 100000
    got = extract_quantities(make_document(text, sentences=[Span(0, len(text))]))
    assert len(got) <= 1


# --- the hand-written cases file -----------------------------------------------------------------------------


def test_cases_file_size() -> None:
    assert len(CASES) >= 70
    assert sum(len(c["quantities"]) for c in CASES) >= 70


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:20] for c in CASES])
def test_case_values(case: dict) -> None:
    got = {q["text"]: q for q in run(case["text"])}
    assert set(got) == {q["text"] for q in case["quantities"]}
    for exp in case["quantities"]:
        q = got[exp["text"]]
        assert q["unit"] == exp["unit"]
        assert q["value"] == pytest.approx(exp["value"], rel=1e-3)
        assert q["approx"] == exp["approx"]
        if "qualifier" in exp:
            assert q["qualifier"] == exp["qualifier"]
        if "range_to" in exp:
            assert q["range_to"] == pytest.approx(exp["range_to"])


def _score(field: str) -> tuple[float, float]:
    tp = n_pred = n_gold = 0
    for case in CASES:
        got = {q["text"]: q for q in run(case["text"])}
        n_pred += sum(1 for q in got.values() if q[field])
        for exp in case["quantities"]:
            n_gold += bool(exp[field])
            q = got.get(exp["text"])
            tp += bool(q and exp[field] and q[field] == exp[field])
    return tp / max(n_pred, 1), tp / max(n_gold, 1)


def test_source_precision_recall() -> None:
    p, r = _score("source")
    assert p >= 0.85 and r >= 0.85, (p, r)


def test_subject_precision_recall() -> None:
    p, r = _score("subject")
    assert p >= 0.8 and r >= 0.8, (p, r)


# --- later additions ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "九州で大雨が続いた。",
        "両国は二元的な外交を続けた。",
        "93年から同職を務めた。",
        "02年の大会で優勝した。",
        "中学2年の生徒が参加した。",
        "15日〜17日にかけて会合を開く。",
        "1,2,3の順に並べた。",
    ],
)
def test_more_non_quantities(text: str) -> None:
    assert run(text) == []


def test_n_in_m_people() -> None:
    q = one("難民の10人中7人が女性だ。")
    assert (q["text"], q["value"], q["unit"]) == ("10人中7人", 70, "percent")


def test_rate_denominator_is_skipped() -> None:
    got = run("原油は1バレル=80ドル前後で推移した。")
    assert [(q["text"], q["unit"]) for q in got] == [("80ドル前後", "USD")]


def test_source_noun_phrase_is_trimmed() -> None:
    assert one("米CNNによると、死者は約40人だ。")["source"] == "CNN"
    assert one("英国の調査会社ユーガブによると、賛成は4割弱だった。")["source"] == "ユーガブ"
    assert one("世界銀行などの共同評価によれば、費用は5000億ドルだ。")["source"] == "世界銀行"


def test_block_quote_source() -> None:
    text = "元将校のタナカ氏が投稿した記事は示唆に富む。\n一部を抜粋すると、次のように指摘している。\n\n人口は6万人だった。"
    assert one(text)["source"] == "タナカ"


def test_gaps_cut_carry_over() -> None:
    text = "国防省によると、攻撃が続いている。\n\n\n別の話題として、観客は3万人だった。"
    assert one(text)["source"] is None


def test_long_sentence_is_split_without_losing_figures() -> None:
    text = ("死者は10人だ" + "あ" * 50) * 200
    got = extract_quantities(make_document(text, sentences=[Span(0, len(text))]))
    assert len(got) == 200
    assert all(text[q["start"] : q["end"]] == "10人" for q in got)
