"""Boilerplate filter and clean_text on plain-text dumps of Japanese news pages."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import pytest

from kansoku.normalize.boilerplate import load_patterns, parse_patterns, strip_boilerplate
from kansoku.normalize.text import clean_text

DUMPS = Path(__file__).parent / "data" / "dumps"
DUMP_NAMES = sorted(
    path.name.removesuffix(".txt") for path in DUMPS.glob("*.txt") if ".expected" not in path.name
)

BODY = "【ワシントン=共同】米国務長官は3日、日本との同盟関係は揺るぎないと述べた。"
BODY2 = "国務長官は、中国の海洋進出に懸念を示した。"


def test_there_are_six_to_eight_dumps_each_with_an_expected_file() -> None:
    assert 6 <= len(DUMP_NAMES) <= 8
    for name in DUMP_NAMES:
        assert (DUMPS / f"{name}.expected.txt").is_file(), name


@pytest.mark.parametrize("name", DUMP_NAMES)
def test_dump_cleans_to_expected(name: str) -> None:
    raw = (DUMPS / f"{name}.txt").read_text(encoding="utf-8")
    expected = (DUMPS / f"{name}.expected.txt").read_text(encoding="utf-8")
    assert clean_text(raw) + "\n" == expected


@pytest.mark.parametrize("name", DUMP_NAMES)
def test_cleaning_only_removes_whole_lines(name: str) -> None:
    """Every kept line is an original line (minus trailing spaces), in the original order."""
    raw_lines = [
        line.rstrip(" \t") for line in (DUMPS / f"{name}.txt").read_text(encoding="utf-8").split("\n")
    ]
    kept = [line for line in (DUMPS / f"{name}.expected.txt").read_text(encoding="utf-8").split("\n") if line]
    position = 0
    for line in kept:
        position = raw_lines.index(line, position) + 1


@pytest.mark.parametrize("name", DUMP_NAMES)
def test_cleaning_is_idempotent(name: str) -> None:
    once = clean_text((DUMPS / f"{name}.txt").read_text(encoding="utf-8"))
    assert clean_text(once) == once


BOILERPLATE_LINES = [
    "top of page",
    "bottom of page",
    "Top of Page",
    "この記事が気に入ったらフォローしよう",
    "この記事が気に入ったら いいね！しよう",
    "Xでフォローしよう",
    "フォローする",
    "Aa",
    "シェアする",
    "この記事をシェア",
    "ツイート",
    "いいね!",
    "いいね！",
    "Facebookでシェア",
    "LINEで送る",
    "はてなブックマーク",
    "関連記事",
    "【関連記事】",
    "▼関連記事",
    "ランキング",
    "アクセスランキング",
    "広告",
    "PR",
    "【PR】",
    "広告の後に記事が続きます",
    "当サイトではCookieを使用しています。",
    "本サイトは利便性向上のためクッキーを利用しています。詳しくはプライバシーポリシーをご覧ください。",
    "サイトを閲覧し続けることでCookieの使用に同意したものとみなします。",
    "We use cookies to improve your experience.",
    "Copyright © 2026 The Toto Shimbun",
    "©北洋日報社",
    "Copyright (C) 2026 JIJI POST. All rights reserved.",
    "All Rights Reserved.",
    "記事・写真の無断転載を禁じます。",
    "ログイン",
    "会員登録",
    "無料会員登録",
    "ログインして続きを読む",
    "この記事は有料会員限定です。",
    "残り1089文字（全文1562文字）",
    "有料会員になると続きをお読みいただけます。",
    "今すぐ登録",
    "ページの先頭へ戻る",
    "メインコンテンツへスキップ",
    "文字サイズ",
    "小 中 大",
    "印刷",
    "コメント156件",
    "#安全保障 #尖閣",
    "利用規約 | プライバシーポリシー | お問い合わせ",
    "ホーム | 政治 | 経済 | 国際 | 社会",
    "ホーム > 国際 > アジア",
    "Share this article",
    "メルマガ登録",
    "Sign up for our daily newsletter",
    "スポンサーリンク",
    "おすすめ記事",
    "続きを読む",
    "読了時間: 3分",
]


@pytest.mark.parametrize("line", BOILERPLATE_LINES)
def test_boilerplate_line_is_removed(line: str) -> None:
    assert strip_boilerplate(f"{BODY}\n{line}\n{BODY2}") == f"{BODY}\n{BODY2}"


@pytest.mark.parametrize("line", BOILERPLATE_LINES)
def test_boilerplate_line_with_surrounding_spaces_is_removed(line: str) -> None:
    assert strip_boilerplate(f"{BODY}\n\u3000 {line}\t \n{BODY2}") == f"{BODY}\n{BODY2}"


@pytest.mark.parametrize(
    "sentence",
    [
        "政府はSNSでシェアやフォローを呼びかける投稿が増えていると分析した。",
        "首相は「PRが足りない」と述べた。",
        "同社は広告収入の減少を理由に挙げた。",
        "欧州連合はクッキーの使用に同意するよう求める規則を改めた。",
        "報告書は「All rights reserved」の表記を巡る訴訟にも触れた。",
        "外相はX（旧ツイッター）で「フォローする価値がある」と投稿した。",
        "関連記事によると、会談は3時間に及んだ。",
        "ランキングは毎年発表されている。",
    ],
)
def test_words_inside_sentences_are_kept(sentence: str) -> None:
    text = f"{BODY}\n{sentence}\n{BODY2}"
    assert strip_boilerplate(text) == text


@pytest.mark.parametrize(
    "line",
    [
        "記者: 最後に、停戦の見通しは。",
        "高橋：年内の合意は難しいでしょう。",
        "「名前: 山田」",
        "2026年3月4日 19:42",
        "3/5(木) 6:03配信",
        "【北京=共同】",
        "（聞き手・石井翔太）",
        "■背景",
        "令和8年3月4日",
        "外務省",
        "北洋日報 電子版",
    ],
)
def test_short_real_content_is_kept(line: str) -> None:
    text = f"{BODY}\n{line}\n{BODY2}"
    assert strip_boilerplate(text) == text


def test_menu_run_is_removed_but_a_list_of_countries_is_kept() -> None:
    menu = "ホーム\n政治\n経済\n国際\nアジア\nスポーツ\n"
    countries = "出席国\nインドネシア\nシンガポール\nタイ\nフィリピン\n"
    assert strip_boilerplate(f"{menu}\n{BODY}\n\n{countries}\n{BODY2}") == f"\n{BODY}\n\n{countries}\n{BODY2}"


def test_two_menu_words_are_not_a_menu() -> None:
    text = f"国際\n2026年3月4日\n{BODY}"
    assert strip_boilerplate(text) == text


def test_menu_run_does_not_swallow_a_headline_after_a_blank_line() -> None:
    text = "ホーム\n政治\n経済\n国際\n\n日米会談\n" + BODY
    assert strip_boilerplate(text) == "\n日米会談\n" + BODY


def test_related_articles_list_is_removed_but_following_paragraph_kept() -> None:
    text = (
        f"{BODY}\n\n関連記事\n・中国外相が来日へ\n・日中首脳会談、来月にも調整\n\n■背景\n{BODY2}\n\n"
        "ランキング\n1 円相場、一時1ドル=160円台\n2. 首相、衆院解散「考えていない」\n"
    )
    assert strip_boilerplate(text) == f"{BODY}\n\n■背景\n{BODY2}\n\n"


def test_related_heading_does_not_remove_a_following_sentence() -> None:
    text = f"関連記事\n{BODY}\n{BODY2}"
    assert strip_boilerplate(text) == f"{BODY}\n{BODY2}"


def test_unbulleted_headline_after_blank_line_is_not_taken_for_a_list() -> None:
    text = f"ランキング\n\n国連安保理が緊急会合\n\n{BODY}"
    assert strip_boilerplate(text) == f"\n国連安保理が緊急会合\n\n{BODY}"


def test_button_counters_go_but_numbers_in_a_table_stay() -> None:
    text = f"{BODY}\nいいね！\n1,234\nシェア\n56\n\n防衛費の推移\n2024\n7.9兆円\n2025\n8.7兆円\n{BODY2}"
    assert strip_boilerplate(text) == f"{BODY}\n\n防衛費の推移\n2024\n7.9兆円\n2025\n8.7兆円\n{BODY2}"


def test_blank_line_runs_collapse_and_trailing_spaces_go() -> None:
    text = f"{BODY}   \n\n\n\n{BODY2}\t\n\n{BODY}\n\n\n"
    assert strip_boilerplate(text) == f"{BODY}\n\n{BODY2}\n\n{BODY}\n\n"


def test_whitespace_only_lines_count_as_blank_and_crlf_is_accepted() -> None:
    text = f"{BODY}\r\n\u3000\u3000\r\n \r\n\t\r\nシェアする\r\n{BODY2}\r\n"
    assert strip_boilerplate(text) == f"{BODY}\n\n{BODY2}\n"


def test_everything_else_is_byte_identical() -> None:
    text = f"\u3000{BODY}\n\u3000\u3000{BODY2}（２０２６年）ｶﾀｶﾅ"
    assert strip_boilerplate(text) == text


# --------------------------------------------------------------------------- clean_text


def test_clean_text_newlines_invisible_and_control_characters() -> None:
    raw = (
        "\ufeff\r\n\r\n首相は\u200b会見で\u00a0述べた。\r\n外相は\x07同意した。\r二行目\x0c\u2028三行目\n\n\n"
    )
    assert clean_text(raw) == "首相は会見で 述べた。\n外相は同意した。\n二行目\n三行目"


def test_clean_text_keeps_ideographic_space_tabs_and_does_no_nfkc() -> None:
    raw = "\u3000　政府は２０２６年度予算案を決定した。\tｶﾀｶﾅ・①・㈱はそのまま。"
    assert clean_text(raw) == raw


def test_clean_text_applies_the_boilerplate_filter() -> None:
    raw = f"top of page\r\nシェアする\r\n\r\n{BODY}\r\nCopyright © 2026 東都新聞\r\n"
    assert clean_text(raw) == BODY


def test_clean_text_of_only_boilerplate_is_empty() -> None:
    assert clean_text("top of page\nシェアする\n\nbottom of page\n") == ""


# --------------------------------------------------------------------------- pattern file


def test_pattern_file_is_versioned_and_compiles() -> None:
    text = resources.files("kansoku").joinpath("data", "boilerplate.txt").read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# version: 1"
    patterns = load_patterns()
    assert patterns.version == 1
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            re.compile(line)


def test_parse_patterns_reports_bad_lines() -> None:
    with pytest.raises(ValueError, match="must start with"):
        parse_patterns("広告\n")
    with pytest.raises(ValueError, match="line 3: bad pattern"):
        parse_patterns("# version: 2\n広告\n(unclosed\n")
    with pytest.raises(ValueError, match="unknown section 'footer'"):
        parse_patterns("# version: 2\n# section: footer\n")
    custom = parse_patterns("# version: 7\nお知らせ\n# section: menu\n速報\n")
    assert custom.version == 7
    assert custom.line.fullmatch("お知らせ") and not custom.line.fullmatch("速報")
    assert custom.menu.fullmatch("速報")


def test_line_tiers_give_the_same_answer_as_the_whole_pattern() -> None:
    """is_line() tries only the patterns that can match a line that long: the same answer as fullmatch of
    all of them, on the lines of the sample corpus and on boilerplate lines padded to each tier's edge."""
    from pathlib import Path

    from kansoku.normalize.boilerplate import load_patterns

    pats = load_patterns()
    assert [limit for limit, _ in pats.line_tiers][:-1] == [16, 32, 64, 128]
    corpus = Path(__file__).resolve().parents[1] / "examples" / "corpus"
    lines = [x.strip() for f in sorted(corpus.glob("*.txt"))
             for x in f.read_bytes().decode("utf-8", "replace").splitlines()]
    lines += ["シェアする", "関連記事", "いいね！ 12", "残り 1,234 文字" + "あ" * 40, "〒100-0001 " + "東京都" * 50,
              "読了時間 約 3 分", "ＰＡＧＥ ＴＯＰ", "a" * 16, "a" * 17, "x" * 200]
    lines += ["いいね" + " " * k for k in (12, 13, 29, 30, 61, 62, 125, 126)]
    assert any(pats.is_line(x) for x in lines) and not all(pats.is_line(x) for x in lines)
    for x in lines:
        assert pats.is_line(x) == (pats.line.fullmatch(x) is not None), x
