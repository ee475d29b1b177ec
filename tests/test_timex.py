"""Temporal expressions and dated events, on sentences written for these tests (tests/data/timex_cases.jsonl)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kansoku.extract.timex import extract_events, extract_timex, load_wareki
from kansoku.model import Span
from kansoku.normalize import make_document

CASES_PATH = Path(__file__).parent / "data" / "timex_cases.jsonl"
CASES = [json.loads(line) for line in CASES_PATH.read_text(encoding="utf-8").splitlines() if line.strip()]
KEYS = {"text", "start", "end", "value", "type", "resolved", "anchor", "zone"}


def sents(text: str) -> list[Span]:
    return [Span(m.start(), m.end()) for m in re.finditer(r"[^。\n]+。?", text)]


def run(text: str, doc_date: str | None = None) -> list[dict]:
    return extract_timex(make_document(text, sentences=sents(text)), doc_date)


def one(text: str, doc_date: str | None = None) -> dict:
    out = run(text, doc_date)
    assert len(out) == 1, out
    return out[0]


def pairs(text: str, doc_date: str | None = None) -> list[tuple[str, str]]:
    return [(t["text"], t["value"]) for t in run(text, doc_date)]


# --------------------------------------------------------------------------------------------- cases file


def test_cases_file_is_big_enough() -> None:
    assert len(CASES) >= 60
    assert sum(1 for c in CASES if c["doc_date"] is None) >= 20
    assert sum(1 for c in CASES if c["doc_date"] is not None) >= 20


@pytest.mark.parametrize("case", CASES, ids=[f"{i:02d}" for i in range(len(CASES))])
def test_case(case: dict) -> None:
    text = case["text"]
    got = [(t["text"], t["value"]) for t in extract_timex(make_document(text, sentences=sents(text)), case["doc_date"])]
    want = [(e["text"], e["value"]) for e in case["expected"]]
    assert got == want


# --------------------------------------------------------------------------------------------- interface


@pytest.mark.parametrize("case", CASES[::5], ids=lambda c: c["text"][:12])
def test_offsets_and_fields(case: dict) -> None:
    text = case["text"]
    out = extract_timex(make_document(text, sentences=sents(text)), case["doc_date"])
    starts = [t["start"] for t in out]
    assert starts == sorted(starts)
    for t in out:
        assert set(t) == KEYS
        assert text[t["start"] : t["end"]] == t["text"]
        assert t["type"] in ("DATE", "TIME", "DURATION", "SET")
        assert t["anchor"] in ("document", "context", None)
        assert t["zone"] in ("local", "JST", None)
        assert isinstance(t["resolved"], bool)


def test_offsets_are_document_offsets_across_sentences() -> None:
    text = "冒頭の段落。\n外相は二十三日に訪米した。\n会談は２０２５年８月１５日に行われた。"
    out = run(text)
    assert [t["text"] for t in out] == ["二十三日", "２０２５年８月１５日"]
    for t in out:
        assert text[t["start"] : t["end"]] == t["text"]
    assert out[0]["value"] == "XXXX-XX-23"
    assert out[1]["value"] == "2025-08-15"


def test_empty_sentence_list_means_whole_text() -> None:
    out = extract_timex(make_document("会談は2025年8月15日。", sentences=[]), None)
    assert [(t["text"], t["value"]) for t in out] == [("2025年8月15日", "2025-08-15")]


def test_no_timex_in_plain_text() -> None:
    assert run("両国の関係は冷え込んでいる。外交努力が求められる。") == []


# --------------------------------------------------------------------------------------------- ja-timex spot checks


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2025年8月15日", "2025-08-15"),
        ("2024年12月", "2024-12"),
        ("令和5年4月1日", "2023-04-01"),
        ("2022年", "2022"),
        ("1945年8月15日", "1945-08-15"),
        ("2025/8/15", "2025-08-15"),
    ],
)
def test_absolute_dates_survive_the_resolver(text: str, value: str) -> None:
    """Absolute dates come out the same with or without a document date."""
    for doc in (None, "2030-01-01", "1990-06-30"):
        t = one(f"会談は{text}に行われた。", doc)
        assert (t["text"], t["value"], t["type"], t["resolved"], t["anchor"]) == (
            text,
            value,
            "DATE",
            True,
            None,
        )


def test_timex_parser_itself_splits_last_year_december() -> None:
    """The fault we work around: ja-timex returns 昨年 and 12月 as two unjoined tags."""
    from ja_timex import TimexParser

    tags = TimexParser().parse("昨年12月に会談した。")
    assert [t.text for t in tags] == ["昨年", "12月"]
    t = one("昨年12月に会談した。", "2025-03-01")
    assert (t["text"], t["value"], t["anchor"]) == ("昨年12月", "2024-12", "document")


# --------------------------------------------------------------------------------------------- relative expressions


@pytest.mark.parametrize(
    ("expr", "value"),
    [
        ("昨年", "2024"),
        ("去年", "2024"),
        ("今年", "2025"),
        ("来年", "2026"),
        ("一昨年", "2023"),
        ("先月", "2025-07"),
        ("今月", "2025-08"),
        ("来月", "2025-09"),
        ("先週", "2025-W33"),
        ("今週", "2025-W34"),
        ("昨日", "2025-08-19"),
        ("今日", "2025-08-20"),
        ("本日", "2025-08-20"),
        ("明日", "2025-08-21"),
        ("3日前", "2025-08-17"),
        ("2週間前", "2025-08-06"),
        ("先月15日", "2025-07-15"),
        ("今年3月", "2025-03"),
        ("来年1月", "2026-01"),
    ],
)
def test_relative_against_document_date(expr: str, value: str) -> None:
    t = one(f"政府は{expr}、方針を示した。", "2025-08-20")
    assert (t["text"], t["value"], t["resolved"], t["anchor"]) == (expr, value, True, "document")


@pytest.mark.parametrize(
    "expr", ["昨年", "先月", "先週", "昨日", "明日", "3日前", "水曜日", "来週水曜日", "昨年12月"]
)
def test_relative_without_document_date_stays_unresolved(expr: str) -> None:
    t = one(f"政府は{expr}、方針を示した。", None)
    assert t["text"] == expr
    assert t["resolved"] is False
    assert t["value"] is None or "X" in t["value"]
    assert not re.search(r"20[0-9]{2}", t["value"] or ""), "must never come from the machine clock"


def test_year_boundaries() -> None:
    assert pairs("先月の会合。", "2025-01-10") == [("先月", "2024-12")]
    assert pairs("来月の会合。", "2025-12-10") == [("来月", "2026-01")]
    assert pairs("昨日の会合。", "2025-01-01") == [("昨日", "2024-12-31")]
    assert pairs("3日前の会合。", "2024-03-01") == [("3日前", "2024-02-27")]


def test_weekdays_news_style() -> None:
    # 2025-08-20 is a Wednesday
    assert pairs("水曜日に発表した。", "2025-08-20") == [("水曜日", "2025-08-20")]
    assert pairs("月曜日に発表した。", "2025-08-20") == [("月曜日", "2025-08-18")]
    assert pairs("金曜日に発表した。", "2025-08-20") == [("金曜日", "2025-08-15")]
    assert pairs("来週月曜日に発表する。", "2025-08-20") == [("来週月曜日", "2025-08-25")]
    assert pairs("次の金曜日に発表する。", "2025-08-20") == [("金曜日", "2025-08-22")]
    assert pairs("先週の水曜日に発表した。", "2025-08-20") == [("先週の水曜日", "2025-08-13")]


def test_written_weekday_picks_the_year() -> None:
    # 2026-01-09 is a Friday; 2025-01-09 a Thursday
    assert pairs("1月9日(金)に公開。", "2025-12-20") == [("1月9日(金)", "2026-01-09")]


def test_context_words_follow_the_previous_mention() -> None:
    text = (
        "首脳は2024年2月28日に会談した。同日、共同声明を出した。翌日には帰国した。前日には準備会合があった。"
    )
    out = run(text)
    assert [(t["text"], t["value"], t["anchor"]) for t in out] == [
        ("2024年2月28日", "2024-02-28", None),
        ("同日", "2024-02-28", "context"),
        ("翌日", "2024-02-29", "context"),
        ("前日", "2024-02-28", "context"),
    ]


def test_context_word_without_mention_uses_document_date() -> None:
    t = one("翌日に判断する。", "2025-08-20")
    assert (t["value"], t["anchor"]) == ("2025-08-21", "document")


def test_same_month_and_year() -> None:
    assert pairs("2019年7月に締結し、同月末に公表した。", None) == [
        ("2019年7月", "2019-07"),
        ("同月", "2019-07"),
    ]
    assert pairs("2019年に締結し、翌年に発効した。", None) == [("2019年", "2019"), ("翌年", "2020")]


# --------------------------------------------------------------------------------------------- partial dates


def test_month_day_takes_document_year_or_previous() -> None:
    assert pairs("6月30日に回答する。", "2025-05-01") == [("6月30日", "2025-06-30")]
    assert pairs("11月3日に回答した。", "2025-02-01") == [("11月3日", "2024-11-03")]
    assert pairs("6月30日に回答する。", None) == [("6月30日", "XXXX-06-30")]


def test_day_only() -> None:
    assert pairs("外相は15日に訪米した。", None) == [("15日", "XXXX-XX-15")]
    assert pairs("外相は15日に訪米した。", "2025-08-20") == [("15日", "2025-08-15")]
    assert pairs("外相は28日に訪米した。", "2025-03-02") == [("28日", "2025-02-28")]
    # 2025-02-30 does not exist, so the day stays in the document month
    assert pairs("外相は30日に訪米した。", "2025-03-02") == [("30日", "2025-03-30")]


def test_day_only_month_from_context() -> None:
    assert pairs("会議は3月2日に始まり、5日に閉幕した。", None) == [
        ("3月2日", "XXXX-03-02"),
        ("5日", "XXXX-03-05"),
    ]
    out = run("会議は3月2日に始まり、5日に閉幕した。", "2025-08-20")
    assert [(t["value"], t["anchor"]) for t in out] == [("2025-03-02", "document"), ("2025-03-05", "context")]


def test_year_from_same_sentence_only_without_document_date() -> None:
    text = "政変は2014年2月に起きた。\n6月30日に選挙が行われた。"
    assert pairs(text, None) == [("2014年2月", "2014-02"), ("6月30日", "XXXX-06-30")]
    assert pairs("政変は2014年2月に起き、6月30日に選挙が行われた。", None) == [
        ("2014年2月", "2014-02"),
        ("6月30日", "2014-06-30"),
    ]


def test_year_from_previous_sentence_with_document_date() -> None:
    out = run("政変は2014年2月に起きた。6月30日に選挙が行われた。", "2025-08-20")
    assert [(t["value"], t["anchor"]) for t in out] == [("2014-02", None), ("2014-06-30", "context")]


# --------------------------------------------------------------------------------------------- eras, centuries


def test_wareki_table() -> None:
    eras = load_wareki()
    assert eras["令和"] == 2019 and eras["平成"] == 1989 and eras["昭和"] == 1926 and eras["明治"] == 1868
    assert len(eras) > 200
    raw = json.loads((Path(__file__).parents[1] / "src/kansoku/data/wareki.json").read_text(encoding="utf-8"))
    assert "version" in raw


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("令和7年", "2025"),
        ("平成31年", "2019"),
        ("昭和20年", "1945"),
        ("令和元年", "2019"),
        ("平成元年1月8日", "1989-01-08"),
        ("明治元年", "1868"),
        ("大正十年", "1921"),
    ],
)
def test_era_years(text: str, value: str) -> None:
    t = one(f"{text}に制定された。")
    assert (t["text"], t["value"], t["type"]) == (text, value, "DATE")


def test_centuries_decades_fiscal_years() -> None:
    assert pairs("20世紀と21世紀。") == [("20世紀", "19"), ("21世紀", "20")]
    assert pairs("1990年代から2000年代にかけて。") == [("1990年代", "199"), ("2000年代", "200")]
    assert pairs("2025年度の予算。") == [("2025年度", "2025")]
    assert pairs("その2世紀後に再建された。") == [("2世紀", "P200Y")]


# --------------------------------------------------------------------------------------------- durations


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3年間", "P3Y"),
        ("30日間", "P30D"),
        ("24時間", "PT24H"),
        ("3カ月", "P3M"),
        ("ここ数週間", "PXW"),
        ("この数カ月", "PXM"),
        ("ここ数年", "PXY"),
        ("数十年", "PXDE"),
    ],
)
def test_durations(text: str, value: str) -> None:
    t = one(f"戦闘は{text}続いた。", "2025-08-20")
    assert (t["text"], t["value"], t["type"], t["anchor"]) == (text, value, "DURATION", None)


def test_counts_are_not_dates() -> None:
    t = one("戦後80年の節目。")
    assert (t["text"], t["value"], t["type"]) == ("80年", "P80Y", "DURATION")
    t = one("2022年の侵攻。")
    assert (t["value"], t["type"]) == ("2022", "DATE")
    assert run("U-23日本代表が勝った。") == []
    assert run("一時的に停止した。十分な説明がない。") == []


def test_vague_past() -> None:
    t = one("数年前に始まった。")
    assert (t["value"], t["type"], t["resolved"]) == ("PAST_REF", "DATE", False)


# --------------------------------------------------------------------------------------------- times and zones


def test_local_and_japan_time() -> None:
    text = "会談は現地時間の15日午前11時半、日本時間の16日午前4時半に始まった。"
    out = run(text, "2025-08-17")
    assert [(t["text"], t["value"], t["type"], t["zone"]) for t in out] == [
        ("15日午前11時半", "2025-08-15T11:30", "TIME", "local"),
        ("16日午前4時半", "2025-08-16T04:30", "TIME", "JST"),
    ]
    out = run(text, None)
    assert [t["value"] for t in out] == ["XXXX-XX-15T11:30", "XXXX-XX-16T04:30"]
    assert all(t["resolved"] is False for t in out)


def test_clock_times() -> None:
    assert one("午後3時に始まった。")["value"].endswith("T15:00")
    assert pairs("2025年8月1日午後3時に始まった。") == [("2025年8月1日午後3時", "2025-08-01T15:00")]
    assert pairs("1日午前0時に発効した。", "2025-08-20") == [("1日午前0時", "2025-08-01T00:00")]
    t = one("8月1日午後3時(日本時間)に始まった。")
    assert t["zone"] == "JST"


def test_sets() -> None:
    assert pairs("毎週月曜日に開かれる。") == [("毎週月曜日", "XXXX-WXX-1")]
    assert one("毎年開かれる。")["type"] == "SET"


# --------------------------------------------------------------------------------------------- events


def test_events_one_per_dated_sentence() -> None:
    text = "外相は2025年8月15日に訪米した。会談は3時間に及んだ。翌日、共同声明が出された。各国は毎年協議している。"
    sp = sents(text)
    tx = extract_timex(make_document(text, sentences=sp), None)
    ev = extract_events(make_document(text, sentences=sp), tx)
    assert [e["date"] for e in ev] == ["2025-08-15", "2025-08-16"]
    for e in ev:
        assert text[e["start"] : e["end"]] == e["text"]
        for i in e["timex_index"]:
            assert e["start"] <= tx[i]["start"] < e["end"]
            assert tx[i]["type"] in ("DATE", "TIME")


def test_event_date_is_most_specific_resolved() -> None:
    text = "2024年に始まった交渉は、2025年3月1日と15日に山場を迎えた。"
    sp = sents(text)
    tx = extract_timex(make_document(text, sentences=sp), None)
    ev = extract_events(make_document(text, sentences=sp), tx)
    assert len(ev) == 1
    assert ev[0]["date"] == "2025-03-01"
    assert len(ev[0]["timex_index"]) == 3


def test_event_keeps_unresolved_date() -> None:
    text = "外相は15日に訪米した。"
    sp = sents(text)
    ev = extract_events(make_document(text, sentences=sp), extract_timex(make_document(text, sentences=sp), None))
    assert [e["date"] for e in ev] == ["XXXX-XX-15"]


def test_no_event_for_duration_only() -> None:
    text = "戦闘は3年間続いた。"
    sp = sents(text)
    assert extract_events(make_document(text, sentences=sp), extract_timex(make_document(text, sentences=sp), None)) == []


# --------------------------------------------------------------------------------------------- harder cases


def test_range_across_year_end() -> None:
    out = run("受付は10月13日(木)〜1月31日(火)。", "2011-10-19")
    assert [t["value"] for t in out] == ["2011-10-13", "2012-01-31"]
    out = run("2024年11月から2月にかけて寒波が続いた。")
    assert [t["value"] for t in out] == ["2024-11", "2025-02"]


def test_quantities_that_look_like_dates() -> None:
    assert pairs("到着後2日以内に連絡する。") == [("2日", "P2D")]
    assert run("レモン1/2個と砂糖約2/3を加える。") == []
    assert run("同年代の若者に人気だ。") == []
    assert pairs("内容は毎月内容が変わる。") == [("毎月", "P1M")]
    assert pairs("その2世紀も前の話だ。") == [("2世紀", "P200Y")]
    assert pairs("2000年以上前の遺跡。") == [("2000年", "P2000Y")]


def test_seasons_halves_quarters() -> None:
    assert pairs("今夏に発売する。昨秋に発表した。", "2025-08-20") == [
        ("今夏", "2025-SU"),
        ("昨秋", "2024-FA"),
    ]
    assert pairs("2025年前半と2025年第2四半期。") == [
        ("2025年前半", "2025-H1"),
        ("2025年第2四半期", "2025-Q2"),
    ]
    assert pairs("春の訪問。") == []
    assert pairs("年内に合意する。", "2025-08-20") == [("年内", "2025")]


def test_named_zones() -> None:
    t = one("声明は米東部時間の14日夕方に出された。", "2025-08-20")
    assert (t["text"], t["value"], t["zone"]) == ("14日", "2025-08-14", "local")
    t = one("式典はモスクワ時間9日午前10時に始まった。", "2025-08-20")
    assert (t["value"], t["zone"]) == ("2025-08-09T10:00", "local")
    t = one("15日(日本時間)に発表された。", "2025-08-20")
    assert (t["value"], t["zone"]) == ("2025-08-15", "JST")
    assert one("会見は15日に行われた。", "2025-08-20")["zone"] is None


def test_event_counted_from_an_event_is_a_duration() -> None:
    t = one("合意は侵攻開始から2年後に結ばれた。", "2025-08-20")
    assert (t["text"], t["value"], t["type"]) == ("2年後", "P2Y", "DURATION")
    t = one("3年後に見直す。", "2025-08-20")
    assert (t["value"], t["type"], t["anchor"]) == ("2028", "DATE", "document")


def test_thread_safety() -> None:
    from concurrent.futures import ThreadPoolExecutor

    texts = [f"会議は二〇二五年{m}月{d}日に開かれた。" for m in range(1, 13) for d in (1, 15, 28)]
    with ThreadPoolExecutor(4) as ex:
        results = list(ex.map(lambda s: run(s), texts))
    for s, out in zip(texts, results, strict=True):
        assert len(out) == 1 and s[out[0]["start"] : out[0]["end"]] == out[0]["text"]
        assert out[0]["value"].startswith("2025-")


def test_other_timex_parsers_do_not_interfere() -> None:
    """ja-timex shares one NumberNormalizer between parsers built with defaults; ours must not care."""
    from ja_timex import TimexParser

    TimexParser(ignore_kansuji=False)  # flips the shared normaliser to converting kanji numerals
    assert pairs("2025年第2四半期の成長率。") == [("2025年第2四半期", "2025-Q2")]
    assert run("四半期ごとに見直す。一時的な措置だ。") == []


def test_very_long_sentence_is_chunked_with_exact_offsets() -> None:
    text = "2024年3月15日に売上1,234億円、" * 150
    out = extract_timex(make_document(text, sentences=[Span(0, len(text))]), None)
    assert len(out) == 150
    assert all(text[t["start"] : t["end"]] == t["text"] == "2024年3月15日" for t in out)
    assert {t["value"] for t in out} == {"2024-03-15"}


def test_weekday_picks_month_for_a_bare_day() -> None:
    # 2025-07-28 is a Monday; the document is dated 2025-08-20
    assert pairs("会談は28日(月)に開かれた。", "2025-08-20") == [("28日(月)", "2025-07-28")]
    assert pairs("原油を1日当たり100万バレル減産する。", "2025-08-20") == [("1日", "P1D")]


def test_future_sentences_keep_or_advance_the_year() -> None:
    # past narration: a date well after the document date belongs to the previous year
    assert pairs("首相は9月に訪米した。", "2025-03-12") == [("9月", "2024-09")]
    # planned events stay in the document year, or move to the next one
    assert pairs("首相は9月に訪米する予定だ。", "2025-03-12") == [("9月", "2025-09")]
    assert pairs("首脳会談は1月に開かれる見通しだ。", "2025-11-20") == [("1月", "2026-01")]
    assert pairs("首脳会談は1月に開かれた。", "2025-11-20") == [("1月", "2025-01")]


def test_next_day_with_number() -> None:
    out = run("議会は11日夜、法案を可決した。翌12日には大統領が署名した。", "2025-03-20")
    assert [(t["text"], t["value"]) for t in out] == [("11日", "2025-03-11"), ("翌12日", "2025-03-12")]
    assert out[1]["anchor"] == "context"
    out = run("会議は3月31日に終わり、翌1日に声明が出た。", None)
    assert [t["value"] for t in out] == ["XXXX-03-31", "XXXX-04-01"]


def test_year_ranges_with_short_second_year() -> None:
    assert pairs("第1次世界大戦(1914〜18年)の教訓。") == [("1914", "1914"), ("18年", "1918")]
    assert pairs("1939-45年の戦争。") == [("1939", "1939"), ("45年", "1945")]
    assert pairs("1998年から2002年まで在任した。") == [("1998年", "1998"), ("2002年", "2002")]
    assert pairs("1998年から22年がたった。") == [("1998年", "1998"), ("22年", "P22Y")]
    assert pairs("2014年から8年間続いた。") == [("2014年", "2014"), ("8年間", "P8Y")]


def test_guarded_extract_is_ja_timex_extract(tmp_path, monkeypatch) -> None:
    """The literal-guarded ``_extract`` finds exactly what ja-timex's own finds, guards cached or not."""
    from ja_timex import TimexParser
    from ja_timex.number_normalizer import NumberNormalizer

    from kansoku.extract import timex

    texts = ["2025年3月12日午前10時30分に発表", "毎週月曜日、3カ月ぶり", "8/15 15:30〜16:00", "約2週間後の1日",
             "平成30年度から10年間", "第3四半期に20%増", "36・9%", "毎年1回、半年ごと", "12月9日(金)", "文字だけ"]
    ref = TimexParser(number_normalizer=NumberNormalizer(), ignore_kansuji=True)
    for cache_dir in (str(tmp_path), str(tmp_path), "off"):  # build the cache entry, read it, no cache
        monkeypatch.setenv("KANSOKU_CACHE_DIR", cache_dir)
        fast = timex._guarded_extract(ref)
        for text in texts:
            norm = ref._normalize_number(text)
            want = [(e.type_name, e.re_match.span(), e.pattern) for e in TimexParser._extract(ref, norm)]
            assert [(e.type_name, e.re_match.span(), e.pattern) for e in fast(norm)] == want
