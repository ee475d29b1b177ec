"""Read stage: files and folders → RawDoc / ReadError, including every kind of bad input."""

from __future__ import annotations

import inspect
import json
import os
import random
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

import kansoku.read as read
from kansoku.model import RawDoc, ReadError
from kansoku.read import SUPPORTED_SUFFIXES, iter_documents
from kansoku.read.encoding import ReadFailure, decode_bytes
from kansoku.read.html import declared_charset, html_to_text, parse_html
from kansoku.read.text import strip_markdown

DATA = Path(__file__).parent / "data" / "read"

ARTICLE = (
    "【ワシントン=共同】米国務省の報道官は3日の記者会見で、日本との同盟関係は「揺るぎない」と述べた。\n"
    "報道官は、東シナ海や南シナ海での中国の活動に懸念を示し、同盟国と緊密に連携する考えを強調した。\n"
)
GOOD = "外務省は4日、日中韓外相会談を今月下旬に東京で開催すると発表した。\n"


def decided(raw: RawDoc) -> tuple[str | None, dict]:
    """The title and metadata the pipeline decides from what the reader offered (read → extract)."""
    from kansoku.extract.metadata import extract_metadata
    from kansoku.pipeline import prepare

    doc = prepare(raw)
    return doc.title, extract_metadata(doc)


def collect(paths: list[str | Path] | str | Path) -> tuple[list[RawDoc], list[ReadError]]:
    docs: list[RawDoc] = []
    errors: list[ReadError] = []
    for item in iter_documents(paths):
        (errors if isinstance(item, ReadError) else docs).append(item)
    return docs, errors


def assert_one_clean_error(errors: list[ReadError], source: Path | str) -> ReadError:
    """Exactly one error, for ``source``, whose reason is a single line with no traceback."""
    assert len(errors) == 1, errors
    error = errors[0]
    assert error.source == str(source)
    assert error.reason
    assert "\n" not in error.reason and "\r" not in error.reason
    assert "Traceback" not in error.reason
    assert str(error) == f"{source}: {error.reason}"
    return error


@pytest.fixture
def good_file(tmp_path: Path) -> Path:
    path = tmp_path / "good.txt"
    path.write_text(GOOD, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    "codec",
    ["utf-8", "utf-8-sig", "utf-16", "utf-16-be-bom", "utf-32", "cp932", "shift_jis", "euc_jp", "iso2022_jp"],
)
def test_japanese_encodings_decode_to_the_same_text(tmp_path: Path, codec: str) -> None:
    data = b"\xfe\xff" + ARTICLE.encode("utf-16-be") if codec == "utf-16-be-bom" else ARTICLE.encode(codec)
    path = tmp_path / f"article-{codec}.txt"
    path.write_bytes(data)

    docs, errors = collect([path])

    assert errors == []
    assert [doc.text for doc in docs] == [ARTICLE]
    assert docs[0].source == str(path)


@pytest.mark.parametrize("codec", ["cp932", "euc_jp", "iso2022_jp", "utf-8"])
def test_short_japanese_text_is_not_mistaken_for_another_encoding(codec: str) -> None:
    text = "首相は「遺憾だ」と述べた。"
    assert decode_bytes(text.encode(codec), "x") == text


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("関係国", "euc_jp"),  # no kana at all
        ("全長2", "cp932"),
        ("――日", "cp932"),
        ("2026年3", "euc_jp"),  # these EUC-JP bytes are also valid UTF-8 ("2026ǯ3")
        ("- 半", "euc_jp"),
        ("©北洋日報社。", "euc_jp"),
    ],
)
def test_tiny_kanaless_snippets(text: str, codec: str) -> None:
    assert decode_bytes(text.encode(codec), "x") == text


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("café", "utf-8"),
        ("Erdoğan", "utf-8"),
        ("Путин заявил", "utf-8"),
        ("Ce texte est écrit en français.", "cp1252"),
        ("café au lait", "cp1252"),
        ("Правительство объявило о новых санкциях против компаний.", "cp1251"),
        ("政府周一宣布对这些公司实施新的制裁措施。外交部发言人表示，中方坚决反对任何单边制裁。", "gb2312"),
        ("정부는 월요일 새로운 제재를 발표했다.", "euc_kr"),
    ],
)
def test_other_languages_are_not_read_as_japanese(text: str, codec: str) -> None:
    assert decode_bytes(text.encode(codec), "x") == text


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(codec: str) -> None:
    assert decode_bytes(ARTICLE.encode(codec), "x") == ARTICLE


def test_cp932_extensions_and_halfwidth_katakana() -> None:
    text = "①　㈱東都通信によると、ｶﾀｶﾅ表記の社名も含まれる。政府は対応を急ぐ。"
    assert decode_bytes(text.encode("cp932"), "x") == text


def test_declared_charset_of_html_is_honoured(tmp_path: Path) -> None:
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">'
        "<title>防衛白書を公表</title></head><body><p>政府は防衛白書を閣議に報告した。"
        "中国の軍事動向を「これまでにない最大の戦略的な挑戦」と明記した。</p></body></html>"
    )
    path = tmp_path / "page.html"
    path.write_bytes(html.encode("cp932"))

    docs, errors = collect([path])

    assert errors == []
    assert "これまでにない最大の戦略的な挑戦" in (docs[0].text or "")
    assert decided(docs[0])[0] == "防衛白書を公表"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'<meta charset="euc-jp">', "euc-jp"),
        (b"<META HTTP-EQUIV='Content-Type' CONTENT='text/html; charset=Shift_JIS'>", "Shift_JIS"),
        (b'<?xml version="1.0" encoding="windows-31j"?><html>', "windows-31j"),
        (b"<html><head><title>t</title>", None),
    ],
)
def test_declared_charset(head: bytes, expected: str | None) -> None:
    assert declared_charset(head + b"<body></body></html>") == expected


def test_utf8_file_cut_in_the_middle_of_a_character_is_still_read() -> None:
    data = ARTICLE.encode("utf-8") * 20
    text = decode_bytes(data[:-2], "x")
    assert text.startswith(ARTICLE)
    assert text.endswith("\ufffd")


def test_non_japanese_legacy_text_falls_back_to_charset_normalizer() -> None:
    text = "Die Regierung hat am Montag neue Sanktionen beschlossen. Größere Änderungen folgen später."
    assert decode_bytes(text.encode("cp1252"), "x") == text


# --------------------------------------------------------------------------- bad inputs


def _random_bytes(size: int) -> bytes:
    rng = random.Random(20260304)
    return bytes(rng.randrange(256) for _ in range(size))


BAD_FILES = {
    "png": ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64), "PNG image"),
    "jpeg": ("scan.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64), "JPEG image"),
    "pdf": ("report.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n", "PDF"),
    "zip": ("archive.txt", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(40), "ZIP"),
    "gzip": ("dump.txt.gz", b"\x1f\x8b\x08\x00" + bytes(40), "gzip"),
    "empty": ("empty.txt", b"", "empty"),
    "whitespace": ("blank.txt", b" \n\r\n\t \n", "whitespace"),
    "random": ("noise.dat", _random_bytes(4096), "binary"),
    "controls": ("controls.txt", b"\x01\x02\x03\x04abc\x05\x06\x07\x08" * 50, "binary"),
    "undecodable": ("mojibake.txt", b"\x82\xa0\xff\xfe\xfd" * 200, "could not decode"),
    "replacement": ("replaced.txt", "\ufffd".encode() * 300 + "です。".encode(), "replacement"),
    "bad-utf16": ("broken16.txt", b"\xff\xfe" + "記事".encode("utf-16-le") + b"\x00\xd8", "UTF-16"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_file_gives_exactly_one_clean_error_and_the_rest_still_reads(
    tmp_path: Path, good_file: Path, case: str
) -> None:
    name, data, expected = BAD_FILES[case]
    bad = tmp_path / name
    bad.write_bytes(data)

    docs, errors = collect([bad, good_file])

    error = assert_one_clean_error(errors, bad)
    assert expected.lower() in error.reason.lower()
    assert [doc.text for doc in docs] == [GOOD]


def test_missing_path(tmp_path: Path, good_file: Path) -> None:
    missing = tmp_path / "nope.txt"
    docs, errors = collect([missing, good_file])
    assert assert_one_clean_error(errors, missing).reason == "no such file or directory"
    assert len(docs) == 1


def test_fifo_is_not_opened(tmp_path: Path, good_file: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    docs, errors = collect([fifo, good_file])  # would block forever if it were opened
    assert assert_one_clean_error(errors, fifo).reason == "not a regular file"
    assert len(docs) == 1


def test_file_over_the_size_cap_is_refused_without_reading_it(tmp_path: Path, good_file: Path) -> None:
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:  # sparse: takes no disk space
        handle.truncate(read.MAX_FILE_BYTES + 1024 * 1024)

    started = time.perf_counter()
    docs, errors = collect([huge, good_file])

    assert time.perf_counter() - started < 2
    error = assert_one_clean_error(errors, huge)
    assert "201.0 MB" in error.reason and "200 MB limit" in error.reason
    assert len(docs) == 1


def test_twenty_megabyte_text_file_is_read_whole_without_many_copies(tmp_path: Path) -> None:
    line = "政府関係者によると、両国は安全保障分野での協力を一段と深めることで合意した。\n"
    repeats = 20 * 1024 * 1024 // len(line.encode("utf-8")) + 1
    path = tmp_path / "big.txt"
    path.write_text(line * repeats, encoding="utf-8")
    size = path.stat().st_size
    assert size >= 20 * 1024 * 1024

    def peak_memory(action: Callable[[], object]) -> int:
        tracemalloc.start()
        try:
            action()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    # The floor: one read plus one decode (CPython's UTF-8 decoder alone peaks near 3x the text size).
    floor = peak_memory(lambda: path.read_bytes().decode("utf-8"))
    result: list[tuple[list[RawDoc], list[ReadError]]] = []
    peak = peak_memory(lambda: result.append(collect([path])))

    docs, errors = result[0]
    assert errors == []
    assert len(docs) == 1
    assert len(docs[0].text or "") == len(line) * repeats
    # One more full copy of the text (14 MB) or of the bytes (20 MB) would break this bound.
    assert peak < floor + 0.3 * size, f"peak {peak / 1e6:.0f} MB, floor {floor / 1e6:.0f} MB"


def test_unexpected_reader_crash_becomes_one_line_error(
    tmp_path: Path, good_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "crash.md"
    path.write_text("# 見出し\n本文。\n", encoding="utf-8")

    def boom(data: bytes, source: str) -> RawDoc:
        raise RuntimeError("boom\nsecond line of a message")

    monkeypatch.setattr(read, "read_markdown", boom)
    docs, errors = collect([path, good_file])

    error = assert_one_clean_error(errors, path)
    assert error.reason == "unexpected RuntimeError while reading: boom second line of a message"
    assert len(docs) == 1


# --------------------------------------------------------------------------- HTML


def test_html_article_text_and_metadata() -> None:
    docs, errors = collect([DATA / "article.html"])

    assert errors == []
    (doc,) = docs
    title, md = decided(doc)
    assert title == "日米防衛相が会談\u3000南西諸島の抑止力強化で一致"
    assert md["outlet"] == "東都新聞"
    assert [a["name"] for a in md["authors"]] == ["山本里奈"]
    assert md["published"] == "2026-03-04"
    assert any(c.field == "published" and c.value == "2026-03-04T18:30:00+09:00" for c in doc.candidates)
    assert md["url"] == "https://news.example.jp/articles/20260304-001"
    assert doc.html and doc.html.startswith("<!DOCTYPE html>")
    text = doc.text or ""
    assert text.startswith(title + "\n")  # the headline as written, U+3000 included
    assert "ヘグセス米国防長官と防衛省で会談した" in text
    assert "防衛装備品の共同生産についても協議したという。" in text
    assert "ホーム" not in text  # <nav> is not article text


def test_html_keeps_ideographic_spaces_and_paragraph_indents() -> None:
    html = (
        "<html><body><article><h1>首相\u3000訪米へ</h1>"
        "<p>\u3000政府は4日、首相が来週訪米すると発表した。日米同盟の強化を確認する。</p>"
        "<p>\u3000外務省幹部は「重要な機会だ」と述べた。野党は説明を求めている。</p></article></body></html>"
    )
    assert parse_html(html, "x").text == (
        "首相\u3000訪米へ\n"
        "\u3000政府は4日、首相が来週訪米すると発表した。日米同盟の強化を確認する。\n"
        "\u3000外務省幹部は「重要な機会だ」と述べた。野党は説明を求めている。"
    )


def test_malformed_html_with_unclosed_tags_still_gives_text(tmp_path: Path, good_file: Path) -> None:
    page = tmp_path / "broken.html"
    page.write_text(
        "<html><body><p>本文の第一段落。政府は4日、声明を出した。<div><p>第二段落。野党は反発した。"
        "<div><p>第三段落<b>太字",
        encoding="utf-8",
    )

    docs, errors = collect([page, good_file])

    assert errors == []
    text = docs[0].text or ""
    for part in (
        "本文の第一段落。政府は4日、声明を出した。",
        "第二段落。野党は反発した。",
        "第三段落",
        "太字",
    ):
        assert part in text
    assert docs[1].text == GOOD


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><title>空</title></head><body></body></html>",
        "<html><body><script>var x = 1;</script><style>p{}</style><div>  </div></body></html>",
        "<!-- nothing -->",
    ],
)
def test_html_without_text_is_an_error(tmp_path: Path, good_file: Path, html: str) -> None:
    page = tmp_path / "empty.html"
    page.write_text(html, encoding="utf-8")

    docs, errors = collect([page, good_file])

    assert assert_one_clean_error(errors, page).reason == "no article text found in HTML"
    assert len(docs) == 1


def test_parse_html_fallback_when_trafilatura_finds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    monkeypatch.setattr(trafilatura, "bare_extraction", lambda *args, **kwargs: None)
    html = (
        "<html><head><title>見出し | 東都新聞</title><meta property='og:site_name' content='東都新聞'></head>"
        "<body><nav><p>ホーム</p></nav><h2>防衛相\u3000会見</h2><p>短い<b>本文</b>。<br>二行目</p>"
        "<div><blockquote><p>引用の段落</p></blockquote></div><ul><li>項目</li></ul>"
        "<script>var x = '<p>no</p>';</script></body></html>"
    )
    doc = parse_html(html, "page.html")
    assert doc.text == "防衛相\u3000会見\n短い本文。\n二行目\n引用の段落\n項目"
    title, md = decided(doc)
    assert title == "見出し"
    assert md["outlet"] == "東都新聞"


def test_html_to_text_keeps_line_structure_and_ideographic_space() -> None:
    assert html_to_text("<p>第一段落。<br>改行</p><p>第二&amp;段落</p>") == "第一段落。\n改行\n第二&段落"
    assert html_to_text("比の補給船に<b>放水</b>した。") == "比の補給船に放水した。"
    assert html_to_text("<p>首相\u3000会見</p>") == "首相\u3000会見"
    assert html_to_text("plain summary") == "plain summary"


# --------------------------------------------------------------------------- JSON Lines / JSON


def test_jsonl_broken_line_is_one_error_and_other_lines_come_through() -> None:
    path = DATA / "articles.jsonl"
    docs, errors = collect([path])

    error = assert_one_clean_error(errors, f"{path}:3")
    assert error.reason.startswith("line 3 is not valid JSON (Expecting ',' delimiter")
    assert [doc.source for doc in docs] == [f"{path}#a1", f"{path}#2", f"{path}#5"]
    first, second, third = docs
    assert first.title == "北大西洋条約機構、東京に連絡事務所開設を再検討"
    assert first.url == "https://example.jp/a1" and first.published == "2026-03-01"
    assert first.outlet == "東都新聞"
    assert second.author == "森田恵"
    assert third.text == "インド政府は日本の新幹線方式の導入を正式に決定した。"
    title, md = decided(third)
    assert title == "インドが日本製新幹線の導入を正式決定"
    assert md["outlet"] == "時事ポスト" and md["field_sources"]["outlet"] == "record"


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ('{"title": "本文なし"}', 'line 2 has neither a non-empty "text" nor "html" field'),
        ('{"text": "   "}', 'line 2 has neither a non-empty "text" nor "html" field'),
        ('["配列"]', "line 2 is an array, not an object"),
        ('{"text": 42}', 'line 2: "text" must be a string, not a number'),
        ('{"text": "本文。", "id": [1]}', 'line 2: "id" must be a string or an integer, not an array'),
        ('{"html": "<html><body></body></html>"}', 'line 2: "html" no article text found in HTML'),
    ],
)
def test_jsonl_invalid_records(tmp_path: Path, line: str, reason: str) -> None:
    path = tmp_path / "records.jsonl"
    good = json.dumps({"text": GOOD, "id": 7}, ensure_ascii=False)
    path.write_text(f"{good}\n{line}\n{good.replace('7', '8')}\n", encoding="utf-8")

    docs, errors = collect([path])

    assert assert_one_clean_error(errors, f"{path}:2").reason == reason
    assert [doc.source for doc in docs] == [f"{path}#7", f"{path}#8"]


def test_jsonl_repeated_id_falls_back_to_line_number(tmp_path: Path) -> None:
    path = tmp_path / "dupes.jsonl"
    lines = [json.dumps({"id": "same", "text": text}, ensure_ascii=False) for text in (GOOD, ARTICLE, GOOD)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    docs, errors = collect([path])

    assert errors == []
    assert [doc.source for doc in docs] == [f"{path}#same", f"{path}#2", f"{path}#3"]


def test_jsonl_line_in_shift_jis_is_decoded_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    good = json.dumps({"text": GOOD}, ensure_ascii=False).encode()
    path.write_bytes(good + b"\n" + '{"text": "外相"}'.encode("cp932") + b"\n")

    docs, errors = collect([path])

    assert errors == []
    assert [doc.text for doc in docs] == [GOOD, "外相"]
    assert docs[0].warnings == []
    assert docs[1].warnings == ["line is not UTF-8; decoded as Shift_JIS"]


def test_jsonl_line_with_undecodable_bytes(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    good = json.dumps({"text": GOOD}, ensure_ascii=False).encode()
    path.write_bytes(good + b"\n" + b'{"text": "\xff\x01\x02\x03\x04\x05\x06"}' + b"\n")

    docs, errors = collect([path])

    error = assert_one_clean_error(errors, f"{path}:2")
    assert error.reason == "line 2 is not valid UTF-8 (at byte 10); looks like binary data (too many control bytes), not text"
    assert len(docs) == 1


def test_jsonl_that_is_not_jsonl_gives_up_early(tmp_path: Path) -> None:
    path = tmp_path / "notes.jsonl"
    path.write_text("これはJSONではない。\n" * 1000, encoding="utf-8")

    docs, errors = collect([path])

    assert docs == []
    assert len(errors) == 21
    assert errors[-1].source == str(path)
    assert "is this JSON Lines?" in errors[-1].reason


def test_json_array_and_single_object(tmp_path: Path) -> None:
    array = tmp_path / "batch.json"
    array.write_text(json.dumps([{"text": GOOD}, {"title": "本文なし"}, {"text": ARTICLE, "id": "x9"}]))
    single = tmp_path / "one.json"
    single.write_text(json.dumps({"text": ARTICLE, "title": "国務省会見"}))

    docs, errors = collect([array, single])

    assert_one_clean_error(errors, f"{array}#2")
    assert [doc.source for doc in docs] == [f"{array}#1", f"{array}#x9", str(single)]
    assert docs[2].title == "国務省会見"


def test_broken_json_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"text": "本文",}', encoding="utf-8")
    _, errors = collect([path])
    assert assert_one_clean_error(errors, path).reason.startswith("not valid JSON (")


# --------------------------------------------------------------------------- feeds


def test_rss_items_become_documents() -> None:
    path = DATA / "feed.rss"
    docs, errors = collect([path])

    assert errors == []
    assert [doc.source for doc in docs] == [f"{path}#1", f"{path}#2"]
    first, second = docs
    assert first.title == "韓国大統領が来日へ\u3000シャトル外交を継続"
    assert first.url == "https://hokuyo.example.jp/world/1001"
    assert first.published == "2026-03-03T20:15:00+09:00"
    assert first.author == "佐々木真一"
    assert first.outlet == "北洋日報 国際ニュース"
    assert first.html and "<p>" in first.html  # content:encoded wins over description
    assert first.text == (
        "韓国の大統領が来週、来日する方向で調整に入ったことが3日、分かった。"
        "日韓両政府は首脳が相互に訪問する「シャトル外交」の継続を確認する見通しだ。\n"
        "会談では北朝鮮の核・ミサイル開発への対応も議題となる。"
    )
    assert (
        second.text
        == "フィリピン政府は4日、南シナ海で中国海警局の船が比の補給船に放水したと発表し、中国に抗議した。"
    )
    assert second.published == "2026-03-04T09:00:00+09:00"


def test_atom_entry_becomes_a_document() -> None:
    path = DATA / "feed.atom"
    docs, errors = collect([path])

    assert errors == []
    (doc,) = docs
    assert doc.source == f"{path}#1"
    assert doc.title == "外相、中東歴訪へ\u3000停戦仲介国と連携確認"
    assert doc.published == "2026-03-04T11:00:00+09:00"
    assert doc.author == "小林直樹"
    assert doc.outlet == "時事ポスト 外交"
    assert doc.url == "https://jiji-post.example.jp/diplomacy/2001"
    assert (
        doc.text
        == "外相は4日、エジプトとカタールを訪問すると発表した。ガザ地区の停戦を仲介する両国と連携を確認する。"
    )


def test_xml_suffix_is_sniffed(tmp_path: Path, good_file: Path) -> None:
    feed = tmp_path / "news.xml"
    feed.write_bytes((DATA / "feed.atom").read_bytes())
    config = tmp_path / "config.xml"
    config.write_text('<?xml version="1.0"?>\n<!-- settings -->\n<config><a>1</a></config>\n')

    docs, errors = collect([feed, config, good_file])

    error = assert_one_clean_error(errors, config)
    assert error.reason == "XML file is not an RSS/Atom feed (root element <config>)"
    assert [doc.source for doc in docs] == [f"{feed}#1", str(good_file)]


def test_feed_without_items_and_garbage_feed(tmp_path: Path) -> None:
    empty = tmp_path / "empty.rss"
    empty.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>')
    garbage = tmp_path / "garbage.rss"
    garbage.write_text("これはフィードではありません。", encoding="utf-8")

    _, errors = collect([empty])
    assert assert_one_clean_error(errors, empty).reason == "feed has no items"
    _, errors = collect([garbage])
    assert assert_one_clean_error(errors, garbage).reason.startswith("not a valid RSS/Atom feed")


def test_feed_item_without_text_is_an_item_error(tmp_path: Path) -> None:
    path = tmp_path / "partial.rss"
    path.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        "<item><title>見出しだけ</title></item>"
        "<item><title>本文あり</title><description>政府は声明を出した。</description></item>"
        "</channel></rss>",
        encoding="utf-8",
    )
    docs, errors = collect([path])
    assert "item 1 has no text" in assert_one_clean_error(errors, f"{path}#1").reason
    assert [doc.source for doc in docs] == [f"{path}#2"]


# --------------------------------------------------------------------------- text and Markdown


def test_plain_text_file() -> None:
    docs, errors = collect([DATA / "plain.txt"])
    assert errors == []
    assert docs[0].text == (DATA / "plain.txt").read_text(encoding="utf-8")
    assert docs[0].html is None and docs[0].title is None


def test_markdown_file_front_matter_and_light_stripping() -> None:
    docs, errors = collect([DATA / "article.md"])

    assert errors == []
    (doc,) = docs
    assert doc.title == "日英伊の次期戦闘機、共同開発機関が発足"
    assert doc.published == "2026-03-02"
    assert doc.author == "上田玲子"
    assert doc.text == (
        "日英伊の次期戦闘機、共同開発機関が発足\n\n"
        "日本、英国、イタリアの3カ国は2日、次期戦闘機を共同開発する国際機関"
        "「GIGO (https://example.org/gigo)」を正式に発足させた。\n\n"
        "防衛省は「技術の蓄積につながる」としている。\n\n"
        "今後の課題\n\n"
        "- 第三国への輸出ルール\n"
        "- 開発費の分担\n"
    )


@pytest.mark.parametrize(
    ("markdown", "plain"),
    [
        ("## 背景 ##", "背景"),
        ("**強調**と__強調__と*斜体*と _斜体_ と", "強調と強調と斜体と 斜体 と"),
        ("[外務省](https://www.mofa.go.jp/)の発表", "外務省 (https://www.mofa.go.jp/)の発表"),
        ("![首相の写真](img.png)", "首相の写真"),
        ("`code` と ~~取り消し~~", "code と 取り消し"),
        ("snake_case_name と 5 * 3 * 2", "snake_case_name と 5 * 3 * 2"),
        ("見出し\n===\n本文", "見出し\n本文"),
        ("> 引用文", "引用文"),
    ],
)
def test_strip_markdown(markdown: str, plain: str) -> None:
    assert strip_markdown(markdown) == plain


def test_unknown_suffix_is_sniffed_as_text_html_or_feed(tmp_path: Path) -> None:
    text = tmp_path / "README"
    text.write_text(GOOD, encoding="utf-8")
    html = tmp_path / "page.php"
    html.write_text(
        "<!DOCTYPE html><html><body><p>官房長官は会見で説明した。</p></body></html>", encoding="utf-8"
    )
    feed = tmp_path / "feed.cgi"
    feed.write_bytes((DATA / "feed.rss").read_bytes())

    docs, errors = collect([text, html, feed])

    assert errors == []
    assert [doc.source for doc in docs] == [str(text), str(html), f"{feed}#1", f"{feed}#2"]
    assert docs[1].text == "官房長官は会見で説明した。"


# --------------------------------------------------------------------------- folders


def _tree(root: Path) -> None:
    for relative, content in {
        "b.txt": "第二の記事。",
        "a.md": "# 第一の記事\n本文。",
        "m/c.txt": "第三の記事。",
        "m/n/d.txt": "第四の記事。",
        "z.txt": "最後の記事。",
        ".hidden.txt": "隠しファイル。",
        ".git/config.txt": "隠しフォルダ。",
        "__pycache__/x.txt": "キャッシュ。",
    }.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    (root / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(32))
    (root / "m" / "paper.pdf").write_bytes(b"%PDF-1.4\n")
    (root / "m" / "blob.xyz").write_bytes(_random_bytes(512))


def test_folder_is_walked_recursively_in_sorted_order(tmp_path: Path) -> None:
    _tree(tmp_path)

    docs, errors = collect([tmp_path])

    assert [Path(doc.source).relative_to(tmp_path).as_posix() for doc in docs] == [
        "a.md",
        "b.txt",
        "m/c.txt",
        "m/n/d.txt",
        "z.txt",
    ]
    # images are skipped with one warning line for the folder; an unknown binary file is reported
    warnings = [e for e in errors if e.level == "warning"]
    assert [(w.source, w.reason) for w in warnings] == [
        (str(tmp_path), "skipped 1 file of unsupported formats (.png 1)")]
    blob, pdf = sorted((e for e in errors if e.level == "error"), key=lambda e: e.source)
    assert (blob.source, pdf.source) == (str(tmp_path / "m" / "blob.xyz"), str(tmp_path / "m" / "paper.pdf"))
    assert blob.reason.startswith("unsupported format (binary data")
    assert pdf.reason.startswith("damaged PDF")  # PDFs are read now; this one is a stub


def test_explicit_image_or_hidden_file_is_always_tried(tmp_path: Path) -> None:
    _tree(tmp_path)

    docs, errors = collect([tmp_path / "photo.png", tmp_path / ".hidden.txt"])

    assert assert_one_clean_error(errors, tmp_path / "photo.png").reason == "unsupported format (a PNG image)"
    assert [doc.text for doc in docs] == ["隠しファイル。"]


def test_folder_without_readable_files(tmp_path: Path) -> None:
    (tmp_path / "img.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    _, errors = collect([tmp_path])
    assert assert_one_clean_error(errors, tmp_path).reason == (
        "folder contains no files to read (skipped 1 file of unsupported formats: .jpg 1)")


def test_a_file_named_twice_is_read_once(tmp_path: Path) -> None:
    _tree(tmp_path)
    docs, _ = collect([tmp_path / "b.txt", tmp_path, tmp_path / "b.txt"])
    sources = [Path(doc.source).name for doc in docs]
    assert sources.count("b.txt") == 1
    assert sources[0] == "b.txt"


def test_symlink_loop_does_not_hang(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "loop").symlink_to(tmp_path, target_is_directory=True)
    docs, errors = collect([tmp_path])
    assert errors == []
    assert [doc.text for doc in docs] == [GOOD]


# --------------------------------------------------------------------------- API shape


def test_iter_documents_is_lazy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text(GOOD, encoding="utf-8")
    opened: list[str] = []
    original = Path.read_bytes

    def spy(self: Path) -> bytes:
        opened.append(self.name)
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", spy)
    documents = iter_documents([tmp_path])
    assert inspect.isgenerator(documents)
    assert opened == []
    next(documents)
    assert opened == ["a.txt"]


def test_a_single_path_string_is_accepted(good_file: Path) -> None:
    docs, errors = collect(str(good_file))
    assert errors == [] and [doc.text for doc in docs] == [GOOD]


def test_supported_suffixes() -> None:
    assert {".txt", ".md", ".html", ".htm", ".jsonl", ".json", ".xml", ".rss", ".atom"} <= SUPPORTED_SUFFIXES
    assert all(suffix.startswith(".") and suffix == suffix.lower() for suffix in SUPPORTED_SUFFIXES)


def test_read_failure_reason_is_one_line() -> None:
    assert ReadFailure("first\n  second\tthird").reason == "first second third"
    assert len(ReadFailure("x" * 1000).reason) == 300
