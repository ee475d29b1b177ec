"""Damaged input that the read stage repairs (or refuses in one line): stray bytes, BOM-less UTF-16,
feeds with broken items, markup that libxml2 mangles (deep nesting, an unclosed ``<title>``)."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from kansoku.model import RawDoc, ReadError
from kansoku.pipeline import (
    analyze_batch,
    prepare,  # the title is decided from the reader's candidates
)
from kansoku.read import iter_documents
from kansoku.read.encoding import decode_bytes, decode_text
from kansoku.read.html import parse_html

LINE = "外務省は4日、日中韓外相会談を今月下旬に東京で開催すると発表した。"
LINES = [LINE] * 400  # about 26 kB in any of the encodings


def collect(*paths: Path) -> tuple[list[RawDoc], list[ReadError]]:
    docs: list[RawDoc] = []
    errors: list[ReadError] = []
    for item in iter_documents(list(paths)):
        (errors if isinstance(item, ReadError) else docs).append(item)
    return docs, errors


def damaged(codec: str, stray: bytes, every: int, lines: list[str] = LINES) -> bytes:
    """``lines`` encoded, with ``stray`` at the end of every ``every``-th line (before its newline)."""
    return b"\n".join(
        line.encode(codec) + stray if number % every == 0 else line.encode(codec)
        for number, line in enumerate(lines)
    )


# --------------------------------------------------------------------------- 1. a few invalid bytes


@pytest.mark.parametrize(
    ("codec", "stray", "name"),
    [
        ("utf-8", b"\xff", "UTF-8"),
        ("utf-8", b"\xe3\x81", "UTF-8"),  # a character cut after two of its three bytes
        ("cp932", b"\x82", "Shift_JIS"),  # a lead byte whose trail byte is the newline
        ("cp932", b"\xfd", "Shift_JIS"),  # unassigned in Shift_JIS (Python maps it to the private use area)
        ("euc_jp", b"\xff", "EUC-JP"),
        ("euc_jp", b"\x8e", "EUC-JP"),
    ],
)
def test_three_stray_bytes_are_replaced_with_a_warning(
    tmp_path: Path, codec: str, stray: bytes, name: str
) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes(damaged(codec, stray, 150))  # lines 0, 150 and 300

    [doc], errors = collect(path)

    assert errors == []
    count = 3 * len(stray)
    assert doc.warnings == [f"{count} invalid bytes replaced (decoded as {name})"]
    lines = doc.text.split("\n")
    assert lines[0] == lines[150] == lines[300] == LINE + "\ufffd"
    assert lines[1:150] == [LINE] * 149
    assert doc.text.count("\ufffd") == 3


def test_one_stray_byte_in_a_short_file(tmp_path: Path) -> None:
    path = tmp_path / "short.txt"
    path.write_bytes(LINE[:10].encode("cp932") + b"\x82\n" + LINE[10:].encode("cp932"))

    [doc], errors = collect(path)

    assert errors == []
    assert doc.warnings == ["1 invalid byte replaced (decoded as Shift_JIS)"]
    assert doc.text == LINE[:10] + "\ufffd\n" + LINE[10:]


def test_nul_padding_after_the_text_and_stray_nuls_are_removed(tmp_path: Path) -> None:
    body = "\n".join(LINES[:100]).encode("utf-8")
    (tmp_path / "a-padded.txt").write_bytes(body + bytes(8192))  # a file cut short by a crash
    (tmp_path / "b-stray.txt").write_bytes(body[:300] + b"\x00" + body[300:600] + b"\x00\x00" + body[600:])
    (tmp_path / "c-both.txt").write_bytes(damaged("cp932", b"\x82", 150)[:5000] + b"\x00" + bytes(4096))
    (tmp_path / "d-zeros.txt").write_bytes(bytes(4096))
    (tmp_path / "e-holes.txt").write_bytes(body[:3000] + bytes(512) + body[3000:])  # a hole mid-file

    docs, errors = collect(tmp_path)

    assert [(Path(d.source).name, d.warnings) for d in docs] == [
        ("a-padded.txt", ["8192 NUL bytes removed (decoded as UTF-8)"]),
        ("b-stray.txt", ["3 NUL bytes removed (decoded as UTF-8)"]),
        ("c-both.txt", ["1 invalid byte replaced and 4097 NUL bytes removed (decoded as Shift_JIS)"]),
    ]
    assert docs[0].text == docs[1].text == "\n".join(LINES[:100])
    assert [(Path(e.source).name, e.reason) for e in errors] == [
        ("d-zeros.txt", "contains only NUL bytes, not text"),
        ("e-holes.txt", "looks like binary data (it contains NUL bytes), not text"),
    ]


def test_decode_bytes_appends_the_note_and_keeps_its_old_signature() -> None:
    data = damaged("utf-8", b"\xff", 200)
    notes: list[str] = ["earlier note"]

    text = decode_bytes(data, "x", notes=notes)

    assert notes == ["earlier note", "2 invalid bytes replaced (decoded as UTF-8)"]
    assert decode_bytes(data, "x") == text
    assert decode_bytes(LINE.encode("utf-8"), "x", notes=notes) == LINE
    assert len(notes) == 2  # a clean decode adds nothing


def test_damage_over_one_percent_is_refused_saying_how_much(tmp_path: Path) -> None:
    path = tmp_path / "broken.txt"
    path.write_bytes(damaged("cp932", b"\x82", 1))  # 400 broken bytes in 26 kB: 1.5 %

    docs, [error] = collect(path)

    assert docs == []
    assert error.reason == (
        "could not decode the bytes as text: 1.5 % of the bytes are invalid even as Shift_JIS, the closest fit "
        "(tried UTF-8, Shift_JIS/CP932, EUC-JP, ISO-2022-JP)"
    )


def test_latin1_text_is_not_read_as_damaged_utf8() -> None:
    text = "Le président a déclaré que la réunion aurait lieu à Tokyo. " * 20
    decoded = decode_text(text.encode("cp1252"))
    assert decoded.text == text
    assert decoded.replaced == 0


def test_damaged_file_after_a_byte_order_mark() -> None:
    data = b"\xef\xbb\xbf" + damaged("utf-8", b"\xff", 400)
    decoded = decode_text(data)
    assert decoded.note() == "1 invalid byte replaced (decoded as UTF-8)"
    assert decoded.text.startswith(LINE + "\ufffd\n" + LINE)


def test_damaged_iso2022jp_is_repaired_not_read_as_ascii() -> None:
    data = bytearray("\n".join(LINES[:50]).encode("iso2022_jp"))
    data[200] = 0x7F  # a DEL inside a JIS X 0208 run
    decoded = decode_text(bytes(data))
    assert decoded.encoding == "ISO-2022-JP"
    assert decoded.replaced >= 1
    assert "\x1b" not in decoded.text
    assert decoded.text.count(LINE) >= 48


def test_the_warning_reaches_every_reader_and_the_record(tmp_path: Path) -> None:
    body = damaged("cp932", b"\x82", 150)
    (tmp_path / "a.txt").write_bytes(body)
    (tmp_path / "b.md").write_bytes(b"# \x8c\xa9\x8fo\x82\xb5\n\n" + body)  # "# 見出し"
    (tmp_path / "c.html").write_bytes(
        b'<html><head><meta charset="shift_jis"></head><body><p>'
        + body.replace(b"\n", b"</p><p>")
        + b"</p></body></html>"
    )
    (tmp_path / "d.dat").write_bytes(body)

    docs, errors = collect(tmp_path)

    assert errors == []
    assert [Path(doc.source).name for doc in docs] == ["a.txt", "b.md", "c.html", "d.dat"]
    for doc in docs:
        assert doc.warnings == ["3 invalid bytes replaced (decoded as Shift_JIS)"], doc.source
    [record] = analyze_batch([docs[0]])
    assert isinstance(record, dict)
    assert record["warnings"] == ["3 invalid bytes replaced (decoded as Shift_JIS)"]


def test_jsonl_line_with_a_stray_byte(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    record = json.dumps({"id": "a1", "text": "\n".join(LINES[:20])}, ensure_ascii=False).encode()
    cut = record.index("発表".encode())
    path.write_bytes(record[:cut] + b"\xff" + record[cut:] + b"\n")

    [doc], errors = collect(path)

    assert errors == []
    assert doc.source == f"{path}#a1"
    assert doc.warnings == ["1 invalid byte replaced (decoded as UTF-8)"]
    assert doc.text.count("\ufffd") == 1


def test_ascii_escaped_jsonl_line_with_one_high_byte_is_repaired_not_guessed(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    line = json.dumps({"text": LINE, "title": "見出し"}).encode()  # \\uXXXX escapes: pure ASCII
    path.write_bytes(line.replace(b'"title"', b'"title\xa9"') + b"\n")

    [doc], errors = collect(path)

    assert errors == []
    assert (doc.text, doc.title) == (LINE, None)  # the damaged key is not "title" any more
    assert doc.warnings == ["1 invalid byte replaced (decoded as UTF-8)"]


def test_jsonl_wrong_optional_types_and_lone_surrogates_are_warnings(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    path.write_text(
        json.dumps({"text": LINE + "\ud800", "published": 20240105, "title": ["a"], "author": "記者"}) + "\n",
        encoding="utf-8",
    )

    [doc], errors = collect(path)

    assert errors == []
    assert doc.text == LINE + "\ufffd"
    assert (doc.published, doc.title, doc.author) == (None, None, "記者")
    assert doc.warnings == [
        '"title" ignored: an array, not a string',
        '"published" ignored: a number, not a string',
        "1 lone surrogate escape replaced by U+FFFD",
    ]
    [record] = analyze_batch([doc])
    assert isinstance(record, dict)


# --------------------------------------------------------------------------- 2. UTF-16 without a BOM


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize(
    "text",
    [
        "【東京】" + LINE + "\n2024年1月5日 Reuters\n" * 3,  # Japanese with some ASCII: NULs in one column
        "外務省は、日中韓外相会談を今月下旬に東京で開催すると発表した。" * 30,  # no ASCII at all: no NUL
        "The ministry said on Friday that the talks would be held in Tokyo.\n" * 10,
    ],
)
def test_utf16_without_bom_is_decoded(tmp_path: Path, codec: str, text: str) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes(text.encode(codec))

    [doc], errors = collect(path)

    assert errors == []
    assert doc.text == text
    assert doc.warnings == []


def test_utf16_without_bom_cut_off_in_the_middle_of_a_character(tmp_path: Path) -> None:
    path = tmp_path / "article.txt"
    path.write_bytes(("\n".join(LINES[:40])).encode("utf-16-le")[:-1])

    [doc], errors = collect(path)

    assert errors == []
    assert doc.warnings == ["1 invalid byte replaced (decoded as UTF-16LE)"]
    assert doc.text.endswith("発表した\ufffd")


@pytest.mark.parametrize(
    "data",
    [
        random.Random(7).randbytes(4096),
        b"".join(n.to_bytes(2, "little") for n in range(0, 60000, 7)),  # an array of 16-bit integers
        random.Random(8).randbytes(4096).replace(b"\x00", b"\x01"),  # no NUL at all
    ],
)
def test_binary_data_is_still_refused(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "data.txt"
    path.write_bytes(data)

    docs, [error] = collect(path)

    assert docs == []
    assert "binary" in error.reason or "could not decode" in error.reason


# --------------------------------------------------------------------------- 3. feeds with broken items


def _item(number: int, description: str | None = None) -> str:
    description = f"記事{number}の本文です。{LINE}" if description is None else description
    return (
        f"<item><title>見出し{number}</title><link>https://example.jp/news/{number}</link>"
        f"<description>{description}</description></item>"
    )


def _feed(items: list[str], encoding: str = "utf-8") -> str:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0"><channel><title>観測新聞</title>'
        + "".join(items)
        + "</channel></rss>"
    )


def test_feed_with_two_broken_items_reports_each_and_reads_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    items = [
        _item(1),
        _item(2, ""),
        _item(3),
        "<item><title>見出し4</title></item>",
        _item(5, "本文\x01五です。"),
    ]
    path.write_text(_feed(items), encoding="utf-8")

    docs, errors = collect(path)

    assert [(e.source, e.reason) for e in errors] == [
        (f"{path}#2", "item 2 has no text (no content, description or summary)"),
        (f"{path}#4", "item 4 has no text (no content, description or summary)"),
    ]
    assert [doc.source for doc in docs] == [f"{path}#1", f"{path}#3", f"{path}#5"]
    assert [doc.title for doc in docs] == ["見出し1", "見出し3", "見出し5"]
    assert docs[0].text == f"記事1の本文です。{LINE}"
    assert "本文" in docs[2].text and "五です。" in docs[2].text


def test_damaged_shift_jis_feed_is_decoded_as_shift_jis(tmp_path: Path) -> None:
    path = tmp_path / "feed.rss"
    data = _feed([_item(1), _item(2), _item(3)], encoding="Shift_JIS").encode("cp932")
    broken = data.index("記事2の".encode("cp932")) + 5  # after "記事2", before "の"
    path.write_bytes(data[:broken] + b"\x82" + b"\x0a" + data[broken:])

    docs, errors = collect(path)

    assert errors == []
    assert [doc.title for doc in docs] == ["見出し1", "見出し2", "見出し3"]
    assert docs[1].text.startswith("記事2\ufffd")
    assert [doc.warnings for doc in docs] == [[], ["1 invalid byte replaced (decoded as Shift_JIS)"], []]
    assert docs[0].outlet == "観測新聞"


def test_feed_character_references_to_surrogates_do_not_lose_the_feed(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    items = [_item(1), _item(2, "本文&#xD800;二&#99999999999;です。&#0;"), _item(3)]
    path.write_text(_feed(items), encoding="utf-8")

    docs, errors = collect(path)

    assert errors == []
    assert [doc.title for doc in docs] == ["見出し1", "見出し2", "見出し3"]
    assert docs[1].text == "本文\ufffd二\ufffdです。\ufffd"


# --------------------------------------------------------------------------- 4. markup libxml2 mangles


@pytest.mark.parametrize("depth", [254, 300, 3000, 20000])
@pytest.mark.parametrize("tag", ["div", "span", "section"])
def test_deeply_nested_text_is_kept(depth: int, tag: str) -> None:
    html = (
        "<html><head><title>深い入れ子</title></head><body><p>前の段落です。</p>"
        + f"<{tag}>" * depth
        + "<p>深い入れ子の中の本文です。</p>"
        + f"</{tag}>" * depth
        + "<p>後の段落です。</p></body></html>"
    )

    doc = parse_html(html, "deep.html")

    assert doc.text.split("\n") == ["前の段落です。", "深い入れ子の中の本文です。", "後の段落です。"]
    assert prepare(doc).title == "深い入れ子"


def test_deeply_nested_unclosed_tags_keep_their_text(tmp_path: Path) -> None:
    path = tmp_path / "deep.html"
    path.write_text(
        "<html><body>"
        + "<div><font>" * 400
        + "<p>閉じられない入れ子の本文です。</p>"
        + "<p>最後の段落。</p>",
        encoding="utf-8",
    )

    [doc], errors = collect(path)

    assert errors == []
    assert "閉じられない入れ子の本文です。" in doc.text
    assert "最後の段落。" in doc.text


@pytest.mark.parametrize(
    "head",
    [
        "<title>首相が会見",  # never closed
        "<title>首相が会見</head>",  # closed by the end of the head only
        "<TITLE lang='ja'>首相が会見<meta charset='utf-8'>",
    ],
)
def test_unclosed_title_keeps_markup_out_of_the_title_and_in_the_body(head: str) -> None:
    html = (
        f"<html><head>{head}<meta name='author' content='山田記者'></head>"
        "<body><h1>首相が会見</h1><p>首相は5日、記者会見で経済対策を発表した。</p>"
        "<p>対策の規模は10兆円に上る。</p></body></html>"
    )

    doc = parse_html(html, "page.html")

    assert prepare(doc).title == "首相が会見"
    assert "<" not in doc.text and "head" not in doc.text
    assert "首相は5日、記者会見で経済対策を発表した。" in doc.text
    assert "対策の規模は10兆円に上る。" in doc.text


def test_control_characters_in_markup_do_not_lose_the_page() -> None:
    html = "<html><body><p>本文\x01の\x0b段落\x00です。</p><p>二つ目\ud800の段落。</p></body></html>"

    doc = parse_html(html, "page.html")

    assert doc.text.split("\n") == ["本文の段落です。", "二つ目\ufffdの段落。"]


def test_comments_among_deeply_nested_tags_do_not_break_flattening() -> None:
    """A page nested deeper than the flattening limit that also holds comments (real pages do) is read."""
    html = "<html><body>" + "<div><!-- c -->" * 200 + "<p>深い本文です。</p>" + "</div>" * 200 + "</body></html>"
    doc = parse_html(html, "page.html")
    assert "深い本文です。" in doc.text
