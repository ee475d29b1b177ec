"""Metadata extraction: bylines, original source, dates, outlet, URLs, handles (hand-written snippets)."""

from __future__ import annotations

import pytest

from kansoku.extract.metadata import classify_url, extract_metadata, find_urls, plausible_name
from kansoku.model import Document, Span


def _doc(text: str, **kw: str | None) -> Document:
    spans, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            spans.append(Span(pos, pos + len(line)))
        pos += len(line) + 1
    return Document(source="t.txt", text=text, sentences=spans, **kw)


def _names(md: dict) -> list[str | None]:
    return [a["name"] for a in md["authors"]]


def _check_offsets(text: str, md: dict) -> None:
    for a in md["authors"]:
        if a["name"] and a["start"] is not None:
            assert text[a["start"] : a["end"]] == a["name"]
    for u in md["urls"]:
        assert text[u["start"] : u["end"]] == u["url"]
    for h in md["handles"]:
        assert text[h["start"] : h["end"]] == h["handle"]
    if md["title_span"]:
        assert text[md["title_span"]["start"] : md["title_span"]["end"]] == md["title"]


# --- bylines: (text, expected names, expected affiliation of the first, expected role of the first)
BYLINES = [
    ("北極海航路をめぐる覇権争い\n本文です。\n執筆者:佐伯恵理子", ["佐伯恵理子"], None, None),
    ("見出し\n筆者:トマス・エルガー(北欧政策研究所)\n本文。", ["トマス・エルガー"], "北欧政策研究所", None),
    ("見出し\n著者：河野健太郎\n本文。", ["河野健太郎"], None, None),
    ("港湾の町を歩く\n文・写真:森下葵\n本文。", ["森下葵"], None, None),
    ("見出し\n本文。\n〔ブリュッセル=内海達也記者〕", ["内海達也"], None, "記者"),
    ("【ソウル=秋元雅人特派員】韓国政府は10日、新たな方針を示した。", ["秋元雅人"], None, "特派員"),
    ("見出し\n本文が続く。(長谷部透記者)", ["長谷部透"], None, "記者"),
    ("Baltic cables under threat\nBy Maria Lindqvist\nThe article body.", ["Maria Lindqvist"], None, None),
    ("Headline here\nWritten by: Oleksandr Hrytsenko\nBody.", ["Oleksandr Hrytsenko"], None, None),
    ("Title\nBody text.\nBy\nKatarzyna Nowak", ["Katarzyna Nowak"], None, None),
    (
        "見出し\n本文。\nマルタ・ヴェンゲル博士は、欧州安全保障研究所の上級研究員である。専門は軍備管理。",
        ["マルタ・ヴェンゲル"], "欧州安全保障研究所", "上級研究員",
    ),
    ("見出し\n本文。\n寄稿: 三宅隆之(防衛大学校教授)", ["三宅隆之"], "防衛大学校", "教授"),
    ("見出し\n著者について:ヘンリク・サルミネン博士\n本文。", ["ヘンリク・サルミネン"], None, "博士"),
    ("Title\nBody.\nJonas Berg is a senior fellow at the Nordic Defence Institute.", ["Jonas Berg"],
     "Nordic Defence Institute", "senior fellow"),
    ("見出し\n文:Ai News Team\n本文。", ["Ai News Team"], None, None),
    ("見出し\n■執筆者:編集部\n本文。", ["編集部"], None, None),
    ("見出し\n翻訳: 石田美咲\n本文。", ["石田美咲"], None, "translator"),
]


@pytest.mark.parametrize(("text", "names", "aff", "role"), BYLINES)
def test_bylines(text: str, names: list[str], aff: str | None, role: str | None) -> None:
    md = extract_metadata(_doc(text))
    assert _names(md) == names
    assert md["authors"][0]["affiliation"] == aff
    assert md["authors"][0]["role"] == role
    _check_offsets(text, md)


NO_AUTHOR = [
    "ロシア軍は東部で攻勢を強めた。\n欧州連合は追加制裁を検討している。",
    "見出し\n筆者:この問題については後で詳しく述べます。\n本文。",
    "見出し\n文:これは長い説明文であり、人名ではない。\n本文。",
    "見出し\n記者会見で外相は発言した。",
    "ロシアは、権威主義国家の代表である。\n本文。",
    "見出し\nBy the way, the talks went on for hours.\n本文。",
]


@pytest.mark.parametrize("text", NO_AUTHOR)
def test_no_garbage_authors(text: str) -> None:
    assert [a for a in extract_metadata(_doc(text))["authors"] if a["name"]] == []


def test_role_only_author() -> None:
    text = "見出し\n本文。\nブログ運営者(筆者)としては、交渉は長引くと考える。"
    md = extract_metadata(_doc(text))
    assert md["authors"] == [{"name": "", "affiliation": None, "role": "ブログ運営者(筆者)", "start": 8, "end": 18,
                              "kind": "person", "origin": "byline"}]
    assert text[8:18] == "ブログ運営者(筆者)"


def test_container_author_label_glued() -> None:
    md = extract_metadata(_doc("見出し\n本文。", author="文Ai News Team"))
    assert _names(md) == ["Ai News Team"]
    assert md["authors"][0]["start"] is None


def test_plausible_name() -> None:
    assert plausible_name("ヤン・コヴァルスキ")
    assert plausible_name("Jane Doe")
    assert not plausible_name("文Ai News Team")
    assert not plausible_name("ロシアは撤退すると述べた")
    assert not plausible_name("a")


# --- original article blocks
def test_original_news_block() -> None:
    text = (
        "制裁の抜け穴を読む\n◆今回のニュース:\"Sanctions Leak Through Central Asia\"\n"
        "  • 出典: Foreign Policy, 2024年3月5日\n  • 筆者:Lena Hartmann\n  • 概要:中央アジア経由の迂回輸出\n本文。"
    )
    md = extract_metadata(_doc(text))
    assert md["original"] == {"outlet": "Foreign Policy", "title": "Sanctions Leak Through Central Asia",
                              "author": "Lena Hartmann", "published": "2024-03-05"}
    assert md["authors"][0]["name"] == "Lena Hartmann"
    assert md["authors"][0]["role"] == "original_author"
    assert md["published"] is None
    _check_offsets(text, md)


def test_original_source_line_japanese_title() -> None:
    text = "見出し\n出典:「黒海の穀物回廊はなぜ止まったか」(ポリティコ、2023年7月20日)\n本文。"
    md = extract_metadata(_doc(text))
    assert md["original"]["title"] == "黒海の穀物回廊はなぜ止まったか"
    assert md["original"]["outlet"] == "ポリティコ"
    assert md["original"]["published"] == "2023-07-20"


def test_original_outlet_without_the_translators_note() -> None:
    text = "見出し\n本文です。\n出典: Foreign Policy, 2025年8月18日(英語原文を編集部が要約・翻訳した)\n"
    md = extract_metadata(_doc(text))
    assert md["original"]["outlet"] == "Foreign Policy"
    assert md["original"]["published"] == "2025-08-18"


def test_original_english_title_after_translation_marker() -> None:
    text = (
        "見出しです\n本文です。\n本記事:\n執筆者:パウル・ヴェーバー\n"
        "Why the Arctic Is the Next Front Line\nBy"
    )
    md = extract_metadata(_doc(text))
    assert md["original"]["title"] == "Why the Arctic Is the Next Front Line"
    assert md["original"]["author"] == "パウル・ヴェーバー"
    assert _names(md) == ["パウル・ヴェーバー"]


def test_original_marker_original_label() -> None:
    text = "見出し\n原文: The Kremlin's Long Game (The Economist)\n本文。"
    md = extract_metadata(_doc(text))
    assert md["original"]["outlet"] is not None
    assert md["published"] is None


# --- dates
DATES = [
    ("見出し\n【ワシントン=2025年8月16日】米政府は…", "2025-08-16", None),
    ("見出し\n2024年11月3日 公開\n本文。", "2024-11-03", None),
    ("見出し\n公開日:2023/04/09\n本文。", "2023-04-09", None),
    ("見出し\n投稿日：2022.12.24\n本文。", "2022-12-24", None),
    ("見出し\n本文。\n2021年5月7日配信", "2021-05-07", None),
    ("見出し\n更新日:6月30日\n本文。", None, "XXXX-06-30"),
    ("見出し\n公開日:2024年1月9日 更新日:2024年1月12日\n本文。", "2024-01-09", "2024-01-12"),
    ("見出し\n2020-02-29\n本文。", "2020-02-29", None),
    ("見出し\n令和6年4月1日\n本文。", "2024-04-01", None),
    ("Title\nPublished: March 3, 2024\nBody.", "2024-03-03", None),
    ("見出し\n政府は2024年2月24日に声明を出した。", None, None),
    ("見出し\n本文。2019年の合意は2022年3月1日に破棄された。\n結論。", None, None),
]


@pytest.mark.parametrize(("text", "published", "updated"), DATES)
def test_dates(text: str, published: str | None, updated: str | None) -> None:
    md = extract_metadata(_doc(text))
    assert md["published"] == published
    assert md["updated"] == updated


def test_container_date_wins() -> None:
    md = extract_metadata(_doc("見出し\n2024年11月3日 公開\n本文。", published="2025-01-02T10:00:00+09:00"))
    assert md["published"] == "2025-01-02"


# --- outlet, series, title
OUTLETS = [
    ("【モスクワ=共同】ロシア政府は…", None),
    ("ロシア政府は声明を出した。(ロイター)", None),
    ("見出し\n本文。\n© 2024 North Sea Times. All rights reserved.", "North Sea Times"),
    ("見出し\n本文。\nCopyright © Baltic Monitor", "Baltic Monitor"),
    ("北海道みなと新聞\n見出し\n本文。", "北海道みなと新聞"),
    ("見出し\n本文。NHKよりの引用である。", None),
]


@pytest.mark.parametrize(("text", "outlet"), OUTLETS)
def test_outlet(text: str, outlet: str | None) -> None:
    assert extract_metadata(_doc(text))["outlet"] == outlet


WIRES = [
    ("【モスクワ=共同】ロシア政府は…", "共同", "共同通信"),
    ("ロシア政府は声明を出した。(ロイター)", "ロイター", "ロイター"),
    ("[ワシントン 16日 ロイター] - 米政府は…", "ロイター", "ロイター"),
    ("【ワシントン共同】米政府は", "共同", "共同通信"),
]


@pytest.mark.parametrize(("text", "credit", "agency"), WIRES)
def test_wire_credit_is_the_original_source_and_an_organisation_author(text: str, credit: str, agency: str) -> None:
    """A credited agency is where the story comes from, not the outlet that publishes it."""
    md = extract_metadata(_doc(text))
    assert md["original"]["outlet"] == agency
    assert [(a["name"], a["kind"]) for a in md["authors"]] == [(credit, "organisation")]
    a = md["authors"][0]
    assert text[a["start"] : a["end"]] == credit


def test_wire_credit_is_not_an_author_beside_a_named_reporter() -> None:
    md = extract_metadata(_doc("【ワシントン=共同】米政府は…\n本文。\n(文・山田花子)"))
    assert [(a["name"], a["kind"]) for a in md["authors"]] == [("山田花子", "person")]
    assert md["original"]["outlet"] == "共同通信"


def test_container_outlet_and_title() -> None:
    text = "見出しA\n本文。"
    md = extract_metadata(_doc(text, title="見出しA", outlet="Example Daily"))
    assert md["outlet"] == "Example Daily"
    assert md["title"] == "見出しA"
    assert md["title_span"] == {"start": 0, "end": 4}


def test_series() -> None:
    assert extract_metadata(_doc("見出し\nシリーズ: 北方の窓\n本文。"))["series"] == "北方の窓"
    assert extract_metadata(_doc("見出し\n連載：国境の町\n本文。"))["series"] == "国境の町"


TITLES = [
    ("top of page\n\nバルト海で何が起きているのか\n本文です。", "バルト海で何が起きているのか"),
    ("Google Map\n停戦協議、三度目の決裂\n本文。", "停戦協議、三度目の決裂"),
    ("写真:ロイター\n港湾封鎖の影響広がる\n本文。", "港湾封鎖の影響広がる"),
    ("2024年5月1日\n国境地帯の避難続く\n本文。", "国境地帯の避難続く"),
    ("ロシア軍は10日、東部の複数の町に対する攻撃を強め、住民の避難が続いていると現地当局が明らかにした。\n本文。", None),
    ("短い文。\n本文。", "短い文。"),
]


@pytest.mark.parametrize(("text", "title"), TITLES)
def test_title(text: str, title: str | None) -> None:
    md = extract_metadata(_doc(text))
    assert md["title"] == title
    _check_offsets(text, md)


# --- URLs and handles
URLS = [
    ("https://www.youtube.com/watch?v=abc123", "video"),
    ("https://youtu.be/xyz", "video"),
    ("https://note.com/someone/n/n123", "blog"),
    ("https://example.substack.com/p/post", "blog"),
    ("https://www.mofa.go.jp/mofaj/press.html", "official"),
    ("http://kremlin.ru/events/president/news/1", "official"),
    ("https://www.state.gov/briefings/", "official"),
    ("https://www.nato.int/cps/en/natohq/news.htm", "official"),
    ("https://x.com/someone/status/1", "social"),
    ("https://t.me/channel/55", "social"),
    ("https://www3.nhk.or.jp/news/html/20240101/k1.html", "news"),
    ("https://www.reuters.com/world/europe/story", "news"),
    ("https://tass.ru/politika/1", "news"),
    ("https://www.theatlantic.com/ideas/archive/2024/01/x/1/", "news"),
    ("https://example.org/page", "other"),
]


@pytest.mark.parametrize(("url", "kind"), URLS)
def test_classify_url(url: str, kind: str) -> None:
    assert classify_url(url) == kind


def test_find_urls_trailing_punctuation() -> None:
    text = "詳細は記事(https://www.asahi.com/articles/ABC123.html)を参照。動画https://youtu.be/q1、無料。"
    urls = find_urls(text)
    assert [u["url"] for u in urls] == ["https://www.asahi.com/articles/ABC123.html", "https://youtu.be/q1"]
    assert [u["kind"] for u in urls] == ["news", "video"]
    for u in urls:
        assert text[u["start"] : u["end"]] == u["url"]


def test_wikipedia_url_keeps_balanced_parens() -> None:
    text = "参照 https://en.wikipedia.org/wiki/Sea_(disambiguation) まで"
    assert find_urls(text)[0]["url"] == "https://en.wikipedia.org/wiki/Sea_(disambiguation)"


def test_handles() -> None:
    text = "見出し\nX: @north_watch\nTwitter：@BalticDesk\n連絡は @press_office へ。メール info@example.com"
    md = extract_metadata(_doc(text))
    assert [(h["handle"], h["platform"]) for h in md["handles"]] == [
        ("@north_watch", "x"), ("@BalticDesk", "x"), ("@press_office", None)]
    _check_offsets(text, md)


def test_handle_inside_url_ignored() -> None:
    md = extract_metadata(_doc("見出し\nhttps://medium.com/@writer/post-1 を参照"))
    assert md["handles"] == []
    assert md["urls"][0]["kind"] == "blog"


# --- more byline shapes
MORE_BYLINES = [
    ("見出し\n文＝杉浦千夏\n本文。", ["杉浦千夏"]),
    ("見出し\n【筆者】大森周平\n本文。", ["大森周平"]),
    ("見出し\n筆者:山根悠斗、北川真由\n本文。", ["山根悠斗", "北川真由"]),
    ("Title\nBy Anna Weiss and Piotr Malek\nBody.", ["Anna Weiss", "Piotr Malek"]),
    ("見出し\n執筆者:三浦遼(みうら・りょう)\n本文。", ["三浦遼"]),
    ("見出し\n松井千尋(国際ジャーナリスト)\n本文です。", ["松井千尋"]),
    ("見出し\n倉田誠一 : 東亜経済 コラムニスト\n本文です。", ["倉田誠一"]),
    ("(ワシントン=青柳和成)米政府は10日、方針を示した。", ["青柳和成"]),
]


@pytest.mark.parametrize(("text", "names"), MORE_BYLINES)
def test_more_bylines(text: str, names: list[str]) -> None:
    md = extract_metadata(_doc(text))
    assert _names(md) == names
    _check_offsets(text, md)


def test_reading_is_not_affiliation() -> None:
    md = extract_metadata(_doc("見出し\n執筆者:三浦遼(みうら・りょう)\n本文。"))
    assert md["authors"][0]["affiliation"] is None


def test_bare_role_line_affiliation() -> None:
    md = extract_metadata(_doc("見出し\n倉田誠一 : 東亜経済 コラムニスト\n本文です。"))
    assert (md["authors"][0]["affiliation"], md["authors"][0]["role"]) == ("東亜経済", "コラムニスト")


MORE_NO_AUTHOR = [
    "見出し\n本文。多極主義(孤立主義=米州主義)の世界へ。",
    "見出し\n(ニューヨーク・タイムズ記者)の報道によれば、本文。",
    "見出し\n国際情勢(地政学リスク)\n本文です。",
]


@pytest.mark.parametrize("text", MORE_NO_AUTHOR)
def test_more_no_garbage(text: str) -> None:
    assert [a["name"] for a in extract_metadata(_doc(text))["authors"] if a["name"]] == []


MORE_OUTLETS = [
    ("[ワシントン 16日 ロイター] - 米政府は…", None),
    ("【ワシントン共同】米政府は", None),
    ("見出し\n本文。\n(C) 2025 Kyodo News", "Kyodo News"),
    ("見出し\n本文。\n© Sputnik / Ivan Petrov", None),
    ("見出し\n本文。\n(C) 2012 映画「北の港」製作委員会", None),
    ("見出し\n本文。\n© 2025 Baltic Review", "Baltic Review"),
    ("見出し\n" + "本文の行。\n" * 8 + "ある記事は(ロイター)と伝えた中身だ。\n" + "本文の行。\n" * 8, None),
]


@pytest.mark.parametrize(("text", "outlet"), MORE_OUTLETS)
def test_more_outlets(text: str, outlet: str | None) -> None:
    assert extract_metadata(_doc(text))["outlet"] == outlet


MORE_DATES = [
    ("見出し\n2025年8月16日 5時12分\n本文。", "2025-08-16"),
    ("見出し\n2024年5月1日(水) 10:00 配信\n本文。", "2024-05-01"),
    ("見出し\n【2023年3月3日】\n本文。", "2023-03-03"),
    ("見出し\n2022年2月24日 侵攻開始\n本文。", None),
    ("Title\n16 June 2024 12:00 JST\nBody.", "2024-06-16"),
]


@pytest.mark.parametrize(("text", "published"), MORE_DATES)
def test_more_dates(text: str, published: str | None) -> None:
    assert extract_metadata(_doc(text))["published"] == published


ROLE_SHAPES = [
    ("見出し\n本文。\n(翻訳:水野里奈)", [("水野里奈", "translator")]),
    ("見出し\n投稿者：サイト管理人\n本文。", [("", "サイト管理人")]),
    ("見出し\nジャーナリスト　西田博之\n本文。", [("西田博之", "ジャーナリスト")]),
    ("見出し\n倉田誠一 / 東亜経済コラムニスト\n本文", [("倉田誠一", "コラムニスト")]),
    ("見出し\n投稿者: admin\n本文", []),
]


@pytest.mark.parametrize(("text", "expected"), ROLE_SHAPES)
def test_role_shapes(text: str, expected: list[tuple[str, str]]) -> None:
    md = extract_metadata(_doc(text))
    assert [(a["name"], a["role"]) for a in md["authors"]] == expected
    for a in md["authors"]:
        if not a["name"]:
            assert text[a["start"] : a["end"]] == a["role"]


def test_organisation_before_person_in_byline() -> None:
    md = extract_metadata(_doc("見出し\n本文。\n(取材・文:North Desk Club 新井美穂)"))
    assert [(a["name"], a["affiliation"]) for a in md["authors"]] == [("新井美穂", "North Desk Club")]
    _check_offsets("見出し\n本文。\n(取材・文:North Desk Club 新井美穂)", md)


def test_section_heading_is_not_outlet() -> None:
    assert extract_metadata(_doc("見出し\n■すれちがいの通信\n本文。"))["outlet"] is None
    assert extract_metadata(_doc("見出し\n本文。\nCopyright(C) Hoshino Media All rights reserved."))["outlet"] == \
        "Hoshino Media"


def test_department_before_person() -> None:
    md = extract_metadata(_doc("見出し\n(文=国際部・田島光)\n本文。"))
    assert [(a["name"], a["affiliation"]) for a in md["authors"]] == [("田島光", "国際部")]


def test_foreign_name_with_initial_not_split() -> None:
    md = extract_metadata(_doc("見出し\n執筆者:ルーカス・B・ハルトマン\n本文。"))
    assert [a["name"] for a in md["authors"]] == ["ルーカス・B・ハルトマン"]


def test_original_source_given_as_url() -> None:
    text = "見出し\n出典: https://www.foreignaffairs.com/russia/limits\n本文。"
    md = extract_metadata(_doc(text))
    assert md["original"]["outlet"] == "foreignaffairs.com"
    assert [(u["url"], u["kind"]) for u in md["urls"]] == [("https://www.foreignaffairs.com/russia/limits", "news")]


def test_original_block_ends_at_body() -> None:
    body = "北極圏の航路をめぐって各国の思惑が交錯している。" * 5
    text = f"見出し\n出典: Arctic Review, 2024年2月2日\n{body}\n執筆者:平野沙耶\n"
    md = extract_metadata(_doc(text))
    assert [(a["name"], a["role"]) for a in md["authors"]] == [("平野沙耶", None)]
    assert md["original"]["author"] is None
    assert md["original"]["outlet"] == "Arctic Review"
