"""Deterministic generator of damaged and hostile input files for the read stage and the pipeline.

Used by ``tests/test_fuzz.py`` (about 150 small cases) and ``bench/fuzz.py`` (more and larger ones).
Every case is a file name (its suffix picks the reader) and the bytes to write; the description says
which seed document and which mutation made it, so that a failure can be reproduced by hand.
The seed documents are made-up news written for these tests.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass

__all__ = ["Case", "cases"]

ARTICLES = (
    "【札幌】北海道の鈴木知事は12日の記者会見で、2025年度の観光振興予算を前年度比15％増の約42億円とする"
    "方針を明らかにした。知事は「冬の観光客を呼び戻したい」と述べた。\n道によると、昨年度の外国人宿泊者数は"
    "延べ約880万人で、過去最多だった。",
    "気象庁によると、13日午前6時ごろ、福岡県北部で震度4の揺れを観測した。津波の心配はないという。\n"
    "県は被害の有無を確認している。JR九州は一部の列車の運転を見合わせた。",
    "日本銀行は1日、企業短期経済観測調査（短観）を発表した。大企業製造業の業況判断指数はプラス12と、前回"
    "から2ポイント改善した。\n市場関係者は「円安が追い風になった」と分析している。",
    "ABC Electronics said on Monday it would open a research centre in Osaka in April 2026, creating about 300 "
    'jobs. The company\'s chief executive, Jane Doe, called Japan "our most important market".',
)
TITLES = ("観光予算15％増へ", "福岡で震度4", "短観、2期ぶり改善", "ABC to open Osaka centre")
ENCODINGS = ("utf-8", "cp932", "euc_jp", "iso2022_jp", "utf-16", "utf-8-sig")


@dataclass(frozen=True)
class Case:
    description: str
    name: str
    data: bytes


# --------------------------------------------------------------------------- seed documents


def _text(i: int) -> str:
    return ARTICLES[i % len(ARTICLES)]


def _markdown(i: int) -> str:
    return (
        f"---\ntitle: {TITLES[i % 4]}\ndate: 2025-01-{10 + i % 9:02d}\nauthor: 観測太郎\n---\n\n"
        f"# {TITLES[i % 4]}\n\n"
        + _text(i).replace("\n", "\n\n")
        + "\n\n* 関連: [記事](https://example.jp/a)\n"
    )


def _html(i: int, charset: str = "utf-8") -> str:
    paragraphs = "".join(f"<p>{p}</p>\n" for p in _text(i).split("\n"))
    return (
        f'<!DOCTYPE html>\n<html lang="ja"><head><meta charset="{charset}"><title>{TITLES[i % 4]} | 観測新聞</title>'
        f'<meta property="og:title" content="{TITLES[i % 4]}"><meta name="author" content="観測太郎">'
        '<meta property="article:published_time" content="2025-01-12T09:30:00+09:00">'
        '<script>var x = "<p>not text</p>";</script></head>\n'
        '<body><nav><a href="/">ホーム</a></nav><article><h1>'
        + TITLES[i % 4]
        + "</h1>\n"
        + paragraphs
        + "</article>"
        "<footer>(c) 観測新聞</footer></body></html>\n"
    )


def _rss(n: int, encoding: str = "utf-8") -> str:
    items = "".join(
        f"<item><title>{TITLES[k % 4]}</title><link>https://example.jp/{k}</link>"
        f"<pubDate>Mon, 13 Jan 2025 0{k % 10}:00:00 +0900</pubDate>"
        f"<description><![CDATA[<p>{_text(k)}</p>]]></description></item>\n"
        for k in range(n)
    )
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0"><channel><title>観測新聞</title>'
        f"<link>https://example.jp/</link>\n{items}</channel></rss>\n"
    )


def _atom(n: int) -> str:
    entries = "".join(
        f'<entry><title>{TITLES[k % 4]}</title><link href="https://example.jp/{k}"/><id>urn:x:{k}</id>'
        f'<updated>2025-01-1{k % 10}T09:00:00+09:00</updated><content type="html">'
        f"&lt;p&gt;{_text(k)}&lt;/p&gt;</content></entry>\n"
        for k in range(n)
    )
    return f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>観測</title>\n{entries}</feed>\n'


def _records(n: int) -> list[dict]:
    return [
        {
            "id": f"r{k}",
            "title": TITLES[k % 4],
            "text": _text(k),
            "published": "2025-01-12",
            "outlet": "観測新聞",
        }
        for k in range(n)
    ]


def _jsonl(n: int) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in _records(n))


def _seed(rng: random.Random) -> tuple[str, str, bytes]:
    """A random well-formed seed: (what, file name, bytes)."""
    i = rng.randrange(8)
    kind = rng.choice(("txt", "md", "html", "rss", "atom", "jsonl", "json"))
    if kind == "txt":
        codec = rng.choice(ENCODINGS)
        return f"text #{i} in {codec}", "a.txt", _text(i).encode(codec)
    if kind == "md":
        return f"markdown #{i}", "a.md", _markdown(i).encode()
    if kind == "html":
        codec = rng.choice(("utf-8", "cp932", "euc_jp"))
        return f"html #{i} in {codec}", "a.html", _html(i, codec).encode(codec)
    if kind == "rss":
        n = rng.randrange(1, 6)
        return f"rss with {n} items", "feed.rss", _rss(n).encode()
    if kind == "atom":
        n = rng.randrange(1, 6)
        return f"atom with {n} entries", "feed.xml", _atom(n).encode()
    if kind == "jsonl":
        n = rng.randrange(1, 6)
        return f"jsonl with {n} records", "a.jsonl", _jsonl(n).encode()
    n = rng.randrange(1, 4)
    return f"json array of {n}", "a.json", json.dumps(_records(n), ensure_ascii=False).encode()


# --------------------------------------------------------------------------- mutations


def _flip_bytes(rng: random.Random, scale: int) -> Case:
    what, name, data = _seed(rng)
    data = bytearray(data)
    k = rng.choice((1, 2, 5, 20, max(1, len(data) // 10)))
    for _ in range(k):
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    return Case(f"{what}: {k} bit flips", name, bytes(data))


def _random_bytes(rng: random.Random, scale: int) -> Case:
    what, name, data = _seed(rng)
    data = bytearray(data)
    k = rng.choice((1, 3, 10, 50))
    for _ in range(k):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return Case(f"{what}: {k} bytes overwritten", name, bytes(data))


def _truncate(rng: random.Random, scale: int) -> Case:
    what, name, data = _seed(rng)
    cut = rng.randrange(len(data))
    return Case(f"{what}: cut at byte {cut} of {len(data)}", name, data[:cut])


def _insert_nuls(rng: random.Random, scale: int) -> Case:
    what, name, data = _seed(rng)
    k = rng.choice((1, 3, 40))
    for _ in range(k):
        at = rng.randrange(len(data) + 1)
        data = data[:at] + b"\x00" * rng.choice((1, 1, 4)) + data[at:]
    return Case(f"{what}: {k} NUL runs inserted", name, data)


def _invalid_utf8(rng: random.Random, scale: int) -> Case:
    what, name, data = _seed(rng)
    junk = (
        b"\xff",
        b"\xc0\xaf",
        b"\xe3\x81",
        b"\xed\xa0\x80",
        b"\xf8\x88\x80\x80\x80",
        b"\x80\x80",
        b"\xfe\xff",
    )
    k = rng.choice((1, 2, 4, 30))
    for _ in range(k):
        at = rng.randrange(len(data) + 1)
        data = data[:at] + rng.choice(junk) + data[at:]
    return Case(f"{what}: {k} invalid UTF-8 sequences inserted", name, data)


def _utf16_no_bom(rng: random.Random, scale: int) -> Case:
    i = rng.randrange(8)
    codec = rng.choice(("utf-16-le", "utf-16-be"))
    data = (_text(i) * scale).encode(codec)
    how = rng.choice(("whole", "odd cut", "flipped"))
    if how == "odd cut":
        data = data[: len(data) - 1 - 2 * rng.randrange(3)]
    elif how == "flipped":
        data = bytearray(data)
        data[rng.randrange(len(data))] ^= 0xFF
        data = bytes(data)
    name = rng.choice(("a.txt", "a.md", "noext"))
    return Case(f"text #{i} in {codec} without BOM, {how}", name, data)


def _mixed_encodings(rng: random.Random, scale: int) -> Case:
    parts = []
    codecs_used = []
    for k in range(rng.randrange(2, 5)):
        codec = rng.choice(("utf-8", "cp932", "euc_jp", "iso2022_jp"))
        codecs_used.append(codec)
        parts.append(_text(k).encode(codec))
    name = rng.choice(("a.txt", "a.html", "a.jsonl", "a.md"))
    return Case(f"mixed encodings {'+'.join(codecs_used)}", name, b"\n".join(parts))


def _markup(rng: random.Random, scale: int) -> Case:
    i = rng.randrange(8)
    html = _html(i)
    kind = rng.choice(
        (
            "unclosed",
            "deep",
            "deep-unclosed",
            "entities",
            "huge-attr",
            "title",
            "script-only",
            "no-body",
            "stray-lt",
        )
    )
    if kind == "unclosed":
        for tag in ("</p>", "</article>", "</body>", "</head>", "</h1>", "</html>"):
            if rng.random() < 0.6:
                html = html.replace(tag, "")
    elif kind == "deep":
        depth = rng.choice((200, 255, 256, 300, 1000, 2100, 5000 * scale))
        tag = rng.choice(("div", "span", "b", "table", "li", "blockquote"))
        html = html.replace("<article>", "<article>" + f"<{tag}>" * depth).replace(
            "</article>", f"</{tag}>" * depth + "</article>"
        )
        kind = f"{depth} nested <{tag}>"
    elif kind == "deep-unclosed":
        depth = rng.choice((300, 3000))
        html = html.replace("<article>", "<article>" + "<div><font>" * depth)
        kind = f"{depth} unclosed <div><font>"
    elif kind == "entities":
        junk = ("&#xD800;", "&#99999999;", "&bogus;", "&amp", "&#;", "&#x;", "&#0;", "&lt", "&#x110000;")
        html = html.replace("。", rng.choice(junk) + "。")
    elif kind == "huge-attr":
        size = 200_000 * scale
        html = html.replace("<article>", f'<article data-x="{"あ" * size}">')
        kind = f"{size}-character attribute"
    elif kind == "title":
        html = html.replace("</title>", "")
        kind = "unclosed <title>"
    elif kind == "script-only":
        html = (
            "<html><head><script>"
            + "var a = 1;\n" * 200
            + "</script></head><body><script>x()</script></body></html>"
        )
    elif kind == "no-body":
        html = "<html><head><title>題</title></head></html>"
    else:
        html = html.replace("。", "。<<<a<" + "<" * rng.randrange(50))
    name = rng.choice(("a.html", "a.html", "a.xhtml", "noext"))
    return Case(f"html #{i}: {kind}", name, html.encode())


def _feed(rng: random.Random, scale: int) -> Case:
    n = rng.randrange(2, 7)
    xml = _rss(n) if rng.random() < 0.6 else _atom(n)
    kind = rng.choice(
        (
            "broken items",
            "no text",
            "bad entity",
            "control chars",
            "truncated",
            "billion laughs",
            "nested",
            "huge item",
        )
    )
    if kind == "broken items":
        for tag in ("</item>", "</entry>", "</description>", "</title>", "</content>"):
            xml = xml.replace(tag, "", rng.randrange(1, 3))
    elif kind == "no text":
        xml = xml.replace("<description>", "<x>", 2).replace("</description>", "</x>", 2)
        xml = xml.replace('<content type="html">', "<x>", 2).replace("</content>", "</x>", 2)
    elif kind == "bad entity":
        xml = xml.replace("。", "&nbsp;&#xD800;&bogus;。", 3)
    elif kind == "control chars":
        xml = xml.replace("。", "\x01\x02。\x0b", 4)
    elif kind == "truncated":
        xml = xml[: rng.randrange(len(xml) // 3, len(xml))]
    elif kind == "billion laughs":
        entities = '<!ENTITY a "ああああああああああ">' + "".join(
            f'<!ENTITY {chr(98 + k)} "{("&" + chr(97 + k) + ";") * 10}">' for k in range(8)
        )
        xml = xml.replace("?>\n", f"?>\n<!DOCTYPE rss [{entities}]>\n", 1).replace("。", "&i;。", 1)
    elif kind == "nested":
        xml = xml.replace("<item>", "<item><item>", 2).replace("<entry>", "<entry><entry>", 2)
    else:
        big = _text(0) * (60 * scale)
        xml = xml.replace("<![CDATA[<p>", "<![CDATA[<p>" + big, 1).replace("&lt;p&gt;", "&lt;p&gt;" + big, 1)
    name = rng.choice(("feed.rss", "feed.xml", "feed.atom", "noext"))
    data = xml.encode(rng.choice(("utf-8", "utf-8", "cp932")) if kind != "control chars" else "utf-8")
    return Case(f"feed of {n}: {kind}", name, data)


def _jsonl_mutation(rng: random.Random, scale: int) -> Case:
    records: list[object] = list(_records(rng.randrange(2, 6)))
    kind = rng.choice(
        (
            "wrong types",
            "missing fields",
            "broken lines",
            "huge line",
            "deep json",
            "surrogates",
            "not objects",
        )
    )
    lines: list[str]
    if kind == "wrong types":
        for r in records:
            assert isinstance(r, dict)
            key = rng.choice(("text", "title", "published", "id", "html", "author"))
            r[key] = rng.choice((42, 3.5, None, True, ["a"], {"b": 1}, ""))
    elif kind == "missing fields":
        for r in records:
            assert isinstance(r, dict)
            for key in rng.sample(sorted(r), rng.randrange(1, len(r) + 1)):
                del r[key]
    elif kind == "surrogates":
        for r in records:
            assert isinstance(r, dict)
            r["text"] = r["text"] + "\ud83d" + "記事"
            r["title"] = "\udc00見出し"
    elif kind == "not objects":
        records += [[1, 2], "文字列", 7, None]
    lines = [json.dumps(r, ensure_ascii=rng.random() < 0.3) for r in records]
    if kind == "broken lines":
        for k in rng.sample(range(len(lines)), rng.randrange(1, len(lines))):
            lines[k] = lines[k][: rng.randrange(len(lines[k]))]
    elif kind == "huge line":
        lines.append(json.dumps({"text": _text(1) * (150 * scale)}, ensure_ascii=False))
    elif kind == "deep json":
        lines.insert(1, "[" * 100_000 + "]" * 100_000)
        lines.insert(1, '{"text": ' + '{"a": ' * 5000 + "1" + "}" * 5000 + "}")
    name = rng.choice(("a.jsonl", "a.jsonl", "a.ndjson", "a.json"))
    data = "\n".join(lines) if not name.endswith(".json") else "[" + ",".join(lines) + "]"
    return Case(f"jsonl: {kind}", name, data.encode("utf-8", "surrogatepass"))


def _long_line(rng: random.Random, scale: int) -> Case:
    size = rng.choice((5_000, 10_000)) * scale
    body = "".join(_text(k).replace("\n", "") for k in range(8))
    text = (body * (size // len(body) + 1))[:size]
    kind = rng.choice(("prose", "no stops", "no spaces ascii", "one character"))
    if kind == "no stops":
        text = text.replace("。", "、").replace(".", ",")
    elif kind == "no spaces ascii":
        text = ("abc123" * size)[:size]
    elif kind == "one character":
        text = rng.choice(("あ", "。", "「", "（", "1", "<", "&")) * size
    name = rng.choice(("a.txt", "a.md", "a.html", "noext"))
    return Case(f"{size}-character single line: {kind}", name, text.encode())


def _empty(rng: random.Random, scale: int) -> Case:
    data = rng.choice(
        (
            b"",
            b" ",
            b"\n\n\n",
            b"\r\n\t \xe3\x80\x80\n",
            b"\xef\xbb\xbf",
            b"\xff\xfe",
            b"\xfe\xff\x00 ",
            b"\x00",
            b"{}",
        )
    )
    name = rng.choice(("a.txt", "a.md", "a.html", "a.jsonl", "a.json", "feed.rss", "feed.xml", "noext"))
    return Case(f"nearly empty {data!r}", name, data)


def _wrong_suffix(rng: random.Random, scale: int) -> Case:
    what, _, data = _seed(rng)
    name = rng.choice(("a.txt", "a.md", "a.html", "a.jsonl", "a.json", "feed.rss", "feed.xml", "noext"))
    return Case(f"{what} named {name}", name, data)


MUTATIONS: tuple[Callable[[random.Random, int], Case], ...] = (
    _flip_bytes,
    _random_bytes,
    _truncate,
    _insert_nuls,
    _invalid_utf8,
    _utf16_no_bom,
    _mixed_encodings,
    _markup,
    _markup,
    _feed,
    _feed,
    _jsonl_mutation,
    _jsonl_mutation,
    _long_line,
    _empty,
    _wrong_suffix,
)


def cases(n: int, seed: int = 0, scale: int = 1) -> Iterator[Case]:
    """``n`` cases, the mutations taken in turn; ``scale`` multiplies the sizes of the big inputs."""
    rng = random.Random(seed)
    for number in range(n):
        mutation = MUTATIONS[number % len(MUTATIONS)]
        case = mutation(rng, scale)
        yield Case(f"case {number} (seed {seed}): {case.description}", case.name, case.data)
