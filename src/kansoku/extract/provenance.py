"""Provenance: the one place that decides title, authors, outlet, dates, canonical URL and original source.

Inputs are the candidates the read stage collected (``RawDoc.candidates``: JSON-LD, meta tags, headings,
visible byline lines, header lines of text dumps, feed and record fields, document properties) and what
``extract/metadata.py`` read in the body (bylines with offsets, dated lines, credits, the original-article
block). Each field is decided by an ordered list of sources; the first that delivers a valid value wins,
and ``field_sources`` records which one (trafilatura's ``trafilatura_sequence`` is the model).

Order of trust, per field:

- **title**: a title stated by a header, record, feed or document property; else a visible heading that
  matches a metadata title (JSON-LD ``headline``, ``og:title``, ``<title>``): the page's own headline,
  without the site name the metadata appends; else the best metadata title with site names, page numbers,
  sections and provider suffixes cut; else the first headline-like line of the body.
- **authors**: header/record/feed/document authors; JSON-LD Persons; ``<meta>`` authors that are names
  (not the publisher's company, not "No Author"); visible bylines near the headline and in byline
  elements; bylines in the body. An organisation in JSON-LD ``author`` is the publisher (dropped) or a
  provider (→ ``original.outlet``), never an author. A wire credit (（共同）, 【ワシントン=共同】, JIJI) is
  an author of kind ``organisation`` only when no person, team or AI desk is named. ``kind`` is
  person | team | ai | organisation.
- **outlet**: a header/record/feed outlet; ``og:site_name`` (a bare domain is looked up instead);
  the JSON-LD site or publisher name; the URL's host in the shipped host table (``data/news_hosts.toml``);
  a site name in ``<title>`` beside the headline; a credit or copyright line of the body. Never an
  author's name or a file name; unknown stays null.
- **published** / **updated**: header/record/feed/document dates; JSON-LD; meta tags; the ``<time>``
  after the headline; a date line beside the headline (a year it lacks is completed from the other
  candidates, by weekday when one is written); htmldate's guess; a dated line of the body.
- **url**: ``<link rel=canonical>``, JSON-LD ``url``, ``og:url``, a header or record URL.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from kansoku import rx
from kansoku.model import Candidate
from kansoku.read.dates import calendar_date, complete_year, partial_date

__all__ = ["author_kind", "decide", "decide_title", "parse_byline_lines"]

# origins of values stated by the container itself, before anything read from a page
_CONTAINER = ("header", "record", "feed", "docx", "pdf")
_SEPARATORS = rx.compile(r"\s+[|｜\-–—:：/／]\s+|[|｜]|\s*[：:]\s*|\s+[-–—]\s*|\s*[-–—]\s+")
_DECORATION = "■□◆◇●○★☆▼▽▶►※◎・>＞ \u3000"
_PAGE_NUMBER = rx.compile(r"\s*[(（]\s*\d+\s*/\s*\d+\s*ページ\s*[)）]\s*$|\s*[(（]?\s*(?:page|p\.)\s*\d+\s*[)）]?\s*$", re.I)
_DATE_SUFFIX = rx.compile(r"\s*[(（][^()（）]{0,6}\d{4}年\d{1,2}月\d{1,2}日[^()（）]{0,12}[)）]\s*$")
_COMPANY = rx.compile(
    r"(?:\b(?:Inc|Ltd|LLC|Corp|Corporation|Co|Company|Group|Holdings|GmbH|S\.A|K\.K|Media|Digital|Publishing|"
    r"Press|Newspapers?|Shimbun|Broadcasting)\b\.?\s*$|株式会社|有限会社|合同会社|\(株\)|（株）|新聞社|通信社|放送局|"
    r"出版社|ホールディングス)",
    re.I,
)
_NOT_A_NAME = rx.compile(r"^(?:no author|unknown|anonymous|admin|administrator|staff|editor|webmaster|author|"
                         r"null|none|匿名|不明|管理人|名無し)$", re.I)
_AI = rx.compile(r"(?:^|[^A-Za-z])(?:AI|Ai|ＡＩ)(?:[^a-z]|$)|人工知能|生成AI|ChatGPT|GPT|bot$|Bot$|ボット", re.I)
_TEAM = rx.compile(r"(?:編集部|編集局|編集室|取材班|報道部|報道局|デスク|チーム|スタッフ|編集委員会|班|"
                   r"\b(?:Team|Staff|Desk|Editors|Editorial|Newsroom|Bureau|Board|Writers)\b)$|^(?:The )?Editorial Board$",
                   re.I)


# ---- helpers ------------------------------------------------------------------------------------------------
def _norm(text: str | None) -> str:
    s = unicodedata.normalize("NFKC", text or "").lower()
    s = s.lstrip(_DECORATION)
    return re.sub(r"[\s\u3000・･]+", "", s).removeprefix("the")


def _first(cands: list[Candidate], field: str, origins: Iterable[str] | None = None) -> Candidate | None:
    allowed = tuple(origins) if origins is not None else None
    for c in cands:
        if c.field == field and (allowed is None or c.origin in allowed):
            return c
    return None


def _all(cands: list[Candidate], field: str) -> list[Candidate]:
    return [c for c in cands if c.field == field]


def _hosts():  # noqa: ANN202 - the host table module is optional in stripped-down installs of older data
    from kansoku.read import hosts

    return hosts


def _looks_like_domain(name: str) -> bool:
    return bool(re.fullmatch(r"(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)+", name.strip().lower()))


def _is_japanese(text: str) -> bool:
    sample = text[:2000]
    jp = len(re.findall(r"[\u3040-\u30FF\u4E00-\u9FFF]", sample))
    return jp >= max(10, 0.1 * len(sample))


# ---- authors ------------------------------------------------------------------------------------------------
def author_kind(name: str, hint: str | None = None) -> str:
    """person | team | ai | organisation, from the name (and a schema.org type hint when there is one)."""
    n = name.strip()
    if _AI.search(n):
        return "ai"
    if _TEAM.search(n):
        return "team"
    if hint == "organisation" or _COMPANY.search(n) or _agency(n):
        return "organisation"
    return "person"


def _agency(name: str) -> str | None:
    """The canonical name of a news agency when ``name`` is one (共同, JIJI, Reuters …)."""
    from kansoku.extract.claims import cues

    wires = cues()["metadata"]["wire_credits"]
    n = unicodedata.normalize("NFKC", name).strip()
    if n in wires:
        return wires[n]
    try:
        outlet = _hosts().by_name(n)
    except ImportError:
        return None
    if outlet is not None and outlet.kind == "agency":
        return outlet.ja
    return None


def _valid_author(name: str, block: set[str]) -> bool:
    from kansoku.extract.metadata import plausible_name

    n = name.strip()
    if not n or _NOT_A_NAME.match(n) or n.startswith(("http://", "https://", "@")):
        return False
    if _norm(n) in block:
        return False
    return plausible_name(n) or bool(_AI.search(n) or _TEAM.search(n))


_LABEL = rx.compile(
    r"^[\s(（【\[〔]*(?:文|取材・文|文・写真|写真・文|文と写真|執筆|執筆者|筆者|著者|記者|ライター|寄稿|書いた人|投稿者|"
    r"Text|Words|Written by|Reporting by|By|BY|by)\s*(?:[:：・=＝/／]\s*|\s+|(?<=By)|(?<=by)|(?<=BY))"
    r"(?P<rest>.+?)[\s)）】\]〕]*$"
)
_ROLE_WORDS = (r"(?:上級|特別|専門|客員)?(?:編集委員|論説委員|解説委員|論説主幹|編集長|副編集長|編集者|記者|特派員|支局長|総局長|"
               r"ニュース・?エディター|エディター|コラムニスト|コメンテーター|ジャーナリスト|ライター|アナリスト|"
               r"デスク|キャスター|主筆|研究員|教授|准教授|フェロー|[^\s・]{1,6}部(?:長)?)")
_ROLE_NAME = rx.compile(rf"^(?P<role>[^\s・/／|｜:：]{{0,8}}?{_ROLE_WORDS})(?:\s*[・/／|｜:：]\s*|\s+)(?P<name>[^\s・/／|｜:：()（）]{{2,12}}"
                        r"(?:[ 　][^\s・/／|｜:：()（）]{1,8})?)$")
_NAME_ROLE = rx.compile(rf"^(?P<name>[^\s・()（）【】\[\]]{{2,10}}?)\s*(?:・\s*)?(?P<role>{_ROLE_WORDS}|記者|特派員)$")
_NAME_AFFIL = rx.compile(r"^(?P<name>[\u4E00-\u9FFF々]{2,6}|[\u30A0-\u30FF]{2,8}(?:・[\u30A0-\u30FF]{2,8})?)"
                         r"[・、,，\s　]+(?P<aff>.{2,60}(?:教授|准教授|講師|研究員|フェロー|所長|理事|代表|記者|委員|"
                         r"ジャーナリスト|アナリスト|ライター|作家|評論家|学者|弁護士|医師))$")
_BRACKET = rx.compile(r"^[\[［【〔(（]\s*(?P<name>[^\]］】〕)）,，、/／\s][^\]］】〕)）,，、/／]{1,15}?)\s*"
                      r"(?:[,，、/／]\s*(?P<org>[^\]］】〕)）]{1,30}))?\s*[\]］】〕)）]$")
_WIRE_LINE = rx.compile(r"[【\[(（][^】\])）]{0,12}?[=＝]?\s*(?P<w>共同|時事|ロイター|AFP時事|AFP|AP|新華社|聯合|"
                        r"ブルームバーグ|EPA時事|タス)\s*[】\])）]")
# what follows a byline on the same line: a date, a published/updated label, a separator
_TAIL = rx.compile(r"\s+(?=(?:公開|更新|配信|掲載|投稿|最終更新|日付|Published|Updated|Posted)|(?:19|20)\d{2}\s*[年/.\-])"
                   r"|\s*[|｜]\s*|\s{2,}")
_LATIN_NAME = rx.compile(r"^[A-Z][a-zA-Z'’.\-]+(?:\s+(?:[A-Z]\.|[A-Z][a-zA-Z'’\-]+|de|van|von|der|da|bin|al)){1,3}$")


def parse_byline_lines(lines: list[tuple[str, str | None]]) -> list[dict[str, Any]]:
    """Authors named by visible byline lines of a page: (text, "attr" when the line is a byline element).

    Only explicit forms count: labels (文・, 執筆者:, By …), a role beside a name (編集委員・田村建二, 山田太郎記者),
    a name with its affiliation and title (稲葉剛・立教大学…客員教授), bracket credits ([田中宏昌，ITmedia]),
    wire credits, and — inside an element marked as a byline — a bare name or agency.
    """
    from kansoku.extract.metadata import _clean_name, plausible_name

    out: list[dict[str, Any]] = []

    def add(name: str, role: str | None = None, affiliation: str | None = None, kind: str | None = None) -> None:
        name = name.strip(" 　・,，、")
        if not name or not plausible_name(name) and not (_AI.search(name) or _TEAM.search(name)):
            return
        if any(_norm(a["name"]) == _norm(name) for a in out):
            return
        out.append({"name": name, "affiliation": affiliation, "role": role, "start": None, "end": None,
                    "kind": kind or author_kind(name), "origin": "byline"})

    for raw, mark in lines:
        line = unicodedata.normalize("NFKC", raw).strip() if raw.isascii() else raw.strip()
        if not line or len(line) > 90:
            continue
        if m := _LABEL.match(line):
            rest = _TAIL.split(m.group("rest"), 1)[0]
            for part in re.split(r"\s*(?:,|，|、|/|／| and | & |と(?=[^\s]{2,}$))\s*", rest):
                name, title, _ = _clean_name(part)
                if name and not _COMPANY.search(name) and not _NOT_A_NAME.match(name):
                    add(name, title)  # an explicit label: any plausible name (a pen name too)
            continue
        if m := _ROLE_NAME.match(line):
            if _person_like(m.group("name")):
                add(m.group("name"), m.group("role"))
            continue
        if m := _NAME_AFFIL.match(line):
            if _person_like(m.group("name")):
                aff = m.group("aff")
                add(m.group("name"), None, aff)
            continue
        if m := _NAME_ROLE.match(line):
            if _person_like(m.group("name")):
                add(m.group("name"), m.group("role"))
            continue
        if m := _BRACKET.match(line):
            name = m.group("name").strip()
            if _person_like(name) and (m.group("org") or mark == "attr" or re.fullmatch(r"[\u4E00-\u9FFF々]{3,6}", name)):
                add(name, None, (m.group("org") or "").strip() or None)
            continue
        if mark == "attr":
            agency = _agency(line)
            if agency or (len(line) <= 12 and line.isupper() and line.isascii() and line.isalpha()):
                add(line, "wire", None, "organisation")
                continue
            name, title, _ = _clean_name(line)
            if (_LATIN_NAME.match(name) or re.fullmatch(r"[\u4E00-\u9FFF々ぁ-ゖァ-ヺー]{2,8}(?:[ 　][\u4E00-\u9FFF々ぁ-ゖァ-ヺー]{1,6})?",
                                                         name)) and _person_like(name):
                add(name, title)
                continue
    return out


def _strip_label(name: str) -> str:
    """A byline label glued to a container's author value: '文Ai News Team', '執筆:山田' → the name."""
    from kansoku.extract.claims import cues

    n = name.strip()
    for lb in sorted(cues()["metadata"]["byline_labels"], key=len, reverse=True):
        if n.startswith(lb) and len(n) > len(lb) + 1 and re.match(r"[A-Za-z:：・\s=＝]", n[len(lb)]):
            return n[len(lb) :].lstrip(":：・=＝ 　")
    return n


def _person_like(name: str) -> bool:
    from kansoku.extract.metadata import _Meta

    n = name.strip()
    if not n or _COMPANY.search(n) or _NOT_A_NAME.match(n):
        return False
    return _Meta._person_like(n)


# ---- title --------------------------------------------------------------------------------------------------
def _site_names(cands: list[Candidate], url: str | None) -> set[str]:
    names = {c.value for c in cands if c.field in ("site_name", "publisher", "outlet")}
    try:
        hosts = _hosts()
        for n in list(names):
            if (o := hosts.by_name(n)) is not None:
                names.update((o.ja, o.en, *o.aliases))
        if url and (o := hosts.lookup(url)) is not None:
            names.update((o.ja, o.en, *o.aliases))
    except ImportError:
        pass
    return {_norm(n) for n in names if n and n.strip()}


def clean_title(title: str, sites: set[str], extra: set[str] = frozenset()) -> tuple[str, str | None]:
    """(title without site name, sections, page numbers and date/provider suffixes, provider if cut)."""
    t = title.strip()
    provider = None
    drop = sites | extra
    for _ in range(6):
        before = t
        t = _PAGE_NUMBER.sub("", t).strip()
        t = _DATE_SUFFIX.sub("", t).strip()
        segs = _split_segments(t)
        if len(segs) > 1:
            # a leading or trailing segment that is a site name (or empty) goes
            if _norm(segs[-1][0]) in drop or not _norm(segs[-1][0]):
                sep = segs[-1][1]
                t = t[: segs[-1][2]].rstrip()
                segs = _split_segments(t)
                # the short labels between headline and site name, joined by the same separator, go too
                while len(segs) > 1 and segs[-1][1].strip() == sep.strip() and len(segs[-1][0].strip()) <= 8 \
                        and not re.search(r"[。！？!?「」]", segs[-1][0]):
                    t = t[: segs[-1][2]].rstrip()
                    segs = _split_segments(t)
            elif _norm(segs[0][0]) in drop:
                t = t[segs[1][2] + len(segs[1][1]) :].strip() if len(segs) > 1 else t
        m = re.search(r"\s*[(（]\s*([^()（）]{2,40})\s*[)）]\s*$", t)
        if m and len(t) - len(m.group(0)) >= 8 and (_norm(m.group(1)) in drop or _known_outlet(m.group(1))):
            provider = provider or m.group(1).strip()
            t = t[: m.start()].rstrip()
        if t == before:
            break
    return t.lstrip(_DECORATION) or title.strip(), provider


def _known_outlet(name: str) -> bool:
    try:
        return _hosts().by_name(name) is not None
    except ImportError:
        return False


def _split_segments(t: str) -> list[tuple[str, str, int]]:
    """(segment text, separator before it, start offset of that separator) for each separated segment."""
    out: list[tuple[str, str, int]] = []
    pos, sep, sep_start = 0, "", 0
    for m in _SEPARATORS.finditer(t):
        if m.start() == 0:
            continue
        out.append((t[pos : m.start()], sep, sep_start))
        pos, sep, sep_start = m.end(), m.group(0), m.start()
    out.append((t[pos:], sep, sep_start))
    return out


def _overlap(a: str, b: str) -> int:
    na, nb = _norm(a), _norm(b)
    if not na or not nb:
        return 0
    if na in nb or nb in na:
        return min(len(na), len(nb))
    n = 0
    for x, y in zip(na, nb, strict=False):
        if x != y:
            break
        n += 1
    return n if n >= 8 and n >= 0.6 * min(len(na), len(nb)) else 0


def _prefix_of(text: str, nchars: int) -> str:
    """The shortest prefix of ``text`` whose normalised form has ``nchars`` characters."""
    count = 0
    for i, ch in enumerate(text):
        count += len(_norm(ch)) if ch not in _DECORATION or count else 0
        if count >= nchars:
            return text[: i + 1]
    return text


def decide_title(cands: list[Candidate], lines: list[str] | None = None) -> tuple[str | None, str | None]:
    """(title, origin) from the candidates and, for pages without headings, the text's first ``lines``;
    (None, None) leaves it to the body."""
    for origin in _CONTAINER:
        if c := _first(cands, "title", [origin]):
            return c.value.strip(), origin
    url = (_first(cands, "url") or Candidate("url", "", "")).value or None
    sites = _site_names(cands, url)
    authors = {_norm(c.value) for c in cands if c.field == "author"}
    metas = [c for c in cands if c.field in ("title", "page_title") and c.origin in ("jsonld", "meta", "html")]
    # a microdata headline is often the visible heading itself, byline included: a last resort
    metas = [c for c in metas if c.kind != "microdata"] + [c for c in metas if c.kind == "microdata"]
    if any(c.kind != "microdata" for c in metas):
        metas = [c for c in metas if c.kind != "microdata"] or metas
    cleaned = [(clean_title(c.value, sites, authors)[0], c) for c in metas]
    sites |= {_norm(c.value) for c in cands if c.field == "heading" and c.kind == "site"}
    headings = [c for c in cands if c.field == "heading" and c.kind != "site"]
    if lines and metas:
        # old layouts set the headline in <b> or <font>: the text's own short lines stand in for headings
        headings += [Candidate("heading", ln.strip(), "body") for ln in lines[:40] if 6 <= len(ln.strip()) <= 150]
    best: tuple[int, str, str] | None = None
    for h in headings:
        hv = h.value.strip().lstrip(_DECORATION)
        if _norm(hv) in sites:
            continue
        for clean, c in cleaned:
            ov = _overlap(hv, clean)
            if ov < 6 or ov < 0.5 * len(_norm(clean)) and ov < 20:
                continue
            nh, nc = _norm(hv), _norm(clean)
            if nh in nc:
                value = hv
            elif nc in nh:
                value = clean
            else:
                value = _prefix_of(hv, ov).rstrip(" 　(（")
            origin = c.origin if _norm(value) == nc else "body"
            if best is None or ov > best[0]:
                best = (ov, value, origin)
    if best:
        return best[1], best[2]
    for field, origin in (("title", "jsonld"), ("title", "meta"), ("page_title", "meta"), ("title", "html")):
        for clean, c in cleaned:
            if c.field == field and c.origin == origin and clean and _norm(clean) not in sites:
                return clean, origin
    # the metadata names only the site (a blog's <title>): the first heading that is not the site's name
    for h in headings:
        if h.origin != "body" and _norm(h.value) not in sites and len(h.value) >= 4 \
                and not calendar_date(h.value) and not partial_date(h.value):
            return h.value.strip().lstrip(_DECORATION), "body"
    return None, None


# ---- the decision ---------------------------------------------------------------------------------------------
def decide(cands: list[Candidate], body: dict[str, Any], text: str, title: str | None,
           title_origin: str | None) -> dict[str, Any]:
    """Final provenance fields (see the module docstring) from candidates and the body's findings.

    ``body`` holds what extract/metadata.py read in the text: ``authors`` (with offsets), ``published``,
    ``updated``, ``outlet`` (credit or copyright line), ``wire`` (a credited news agency), ``original``.
    """
    sources: dict[str, str] = {}
    if title:
        sources["title"] = title_origin or "body"

    # url
    url = None
    for origin, field_order in (("meta", ("url",)), ("jsonld", ("url",)), ("header", ("url",)),
                                ("record", ("url",)), ("feed", ("url",))):
        for c in cands:
            if c.field in field_order and c.origin == origin:
                url = c.value.strip()
                break
        if url:
            sources["url"] = origin
            break
    canonical = next((c.value for c in cands if c.field == "url" and c.origin == "meta"), None)
    if canonical:
        url = canonical

    # authors
    publisher_names = {_norm(c.value) for c in cands if c.field in ("publisher", "site_name")}
    host_outlet = None
    try:
        host_outlet = _hosts().lookup(url) if url else None
    except ImportError:
        host_outlet = None
    if host_outlet is not None:
        publisher_names |= {_norm(n) for n in (host_outlet.ja, host_outlet.en, *host_outlet.aliases)}
    authors: list[dict[str, Any]] = []
    providers: list[tuple[str, str]] = []

    def add(name: str, origin: str, kind: str | None = None, role: str | None = None, affiliation: str | None = None,
            start: int | None = None, end: int | None = None) -> None:
        name = re.sub(r"^(?:By|BY|by)\s+", "", name.strip()).strip()
        for existing in authors:
            if existing["name"] and (_norm(existing["name"]) == _norm(name) or (
                    len(_norm(name)) >= 2 and (_norm(name) in _norm(existing["name"])
                                               or _norm(existing["name"]) in _norm(name)))):
                if existing["start"] is None and start is not None:
                    existing.update(start=start, end=end)
                existing["role"] = existing["role"] or role
                existing["affiliation"] = existing["affiliation"] or affiliation
                return
        authors.append({"name": name, "affiliation": affiliation, "role": role, "start": start, "end": end,
                        "kind": kind or author_kind(name), "origin": origin})

    for c in cands:
        if c.field != "author":
            continue
        value = _strip_label(c.value)
        names = [value] if c.origin == "jsonld" else re.split(r"\s*(?:,|，|、|;|／| and | & )\s*", value)
        for raw in names:
            name = re.sub(r"^(?:By|BY|by)\s+", "", raw.strip())
            if c.origin == "jsonld" and (c.kind == "organisation" or (c.kind is None and _COMPANY.search(name))):
                if _norm(name) not in publisher_names:
                    providers.append((name, "jsonld"))
                continue
            if _COMPANY.search(name) and c.origin in ("meta", "jsonld"):
                continue
            if not _valid_author(name, publisher_names):
                continue
            add(name, c.origin, c.kind if c.kind in ("person", "team", "ai") and c.origin not in ("meta", "jsonld")
                else "person" if c.kind == "person" else None, c.role, c.affiliation)
    byline_lines = [(c.value, c.kind) for c in cands if c.field == "byline"]
    for a in parse_byline_lines(byline_lines):
        if _norm(a["name"]) in publisher_names and a["kind"] != "organisation":
            continue
        add(a["name"], "byline", a["kind"], a["role"], a["affiliation"])
    for a in body.get("authors", []):
        if a.get("name") and _norm(a["name"]) in publisher_names:
            continue
        if not a.get("name"):
            authors.append({**a, "kind": "person", "origin": "byline"})
            continue
        add(a["name"], "byline", None, a.get("role"), a.get("affiliation"), a.get("start"), a.get("end"))
    wire = body.get("wire")
    people = [a for a in authors if a["name"] and a["kind"] in ("person", "team", "ai")]
    if people:
        authors = [a for a in authors if not (a["kind"] == "organisation" and a.get("role") == "wire")]
    elif wire and not any(a["kind"] == "organisation" for a in authors):
        add(wire["name"], "byline", "organisation", "wire", None, wire.get("start"), wire.get("end"))
    if authors:
        sources["authors"] = authors[0]["origin"]

    # outlet
    outlet = None
    author_keys = {_norm(a["name"]) for a in authors if a["name"]}

    def take(value: str | None, origin: str) -> bool:
        nonlocal outlet
        if not value or not value.strip() or _norm(value) in author_keys:
            return False
        outlet = value.strip()
        sources["outlet"] = origin
        return True

    lang_ja = _is_japanese(text)
    done = False
    for origin in _CONTAINER:
        if (c := _first(cands, "outlet", [origin])) and take(c.value, origin):
            done = True
            break
    if not done:
        for c in [*(c for c in _all(cands, "site_name") if c.origin == "meta"),
                  *(c for c in _all(cands, "site_name") if c.origin == "jsonld")]:
            value = c.value
            if _looks_like_domain(value):
                try:
                    o = _hosts().lookup(value)
                except ImportError:
                    o = None
                if o is None:
                    continue
                value = o.ja if lang_ja else o.en
            if take(value, c.origin):
                done = True
                break
    if not done and (c := _first(cands, "publisher", ["jsonld"])) and take(c.value, "jsonld"):
        done = True
    if not done and host_outlet is not None and host_outlet.kind != "platform":
        done = take(host_outlet.ja if lang_ja else host_outlet.en, "host")
    if not done:
        site_heading = next((c.value for c in cands if c.field == "heading" and c.kind == "site"), None)
        done = take(site_heading, "body") if site_heading else False
    if not done:
        done = take(_site_from_page_title(cands, title), "meta")
    if not done and body.get("outlet"):
        done = take(body["outlet"], "body")

    # dates
    published, porigin = _decide_date(cands, "published", body.get("published"))
    if published:
        sources["published"] = porigin
    updated, uorigin = _decide_date(cands, "updated", body.get("updated"))
    if updated:
        sources["updated"] = uorigin

    # original source: the body's block, else a provider named by the metadata or a title suffix
    original = dict(body.get("original") or {"outlet": None, "title": None, "author": None, "published": None})
    if original.get("outlet"):
        sources["original"] = "body"
    else:
        oc = _first(cands, "original_outlet")
        provider = (oc.value, oc.origin) if oc else providers[0] if providers else None
        if provider is None and wire:
            provider = (wire.get("agency") or wire["name"], "byline")
        if provider is None and title:
            for c in cands:
                if c.field in ("title", "page_title"):
                    _, p = clean_title(c.value, _site_names(cands, url))
                    if p and _norm(p) != _norm(outlet):
                        provider = (p, c.origin)
                        break
        if provider and _norm(provider[0]) != _norm(outlet):
            original["outlet"] = provider[0]
            sources["original"] = provider[1]
    if url:
        sources.setdefault("url", "meta")
    return {"url": url, "authors": authors, "outlet": outlet, "published": published, "updated": updated,
            "original": original, "field_sources": sources}


def _site_from_page_title(cands: list[Candidate], title: str | None) -> str | None:
    """The site name a ``<title>`` carries beside the headline: '記事名 | サイト名', 'ブログ名 - 記事名'.

    A segment that is a visible heading (a blog's name in its logo) wins; else the last segment, then the
    first, when it is short and not part of the headline.
    """
    page = _first(cands, "page_title")
    if page is None or not title:
        return None
    segs = _split_segments(page.value)
    if len(segs) < 2:
        return None
    nt = _norm(title)
    rest = [s[0].strip() for s in segs if _norm(s[0]) and _norm(s[0]) not in nt and nt not in _norm(s[0])]
    headings = {_norm(c.value) for c in cands if c.field == "heading"}
    for r in rest:
        if _norm(r) in headings and 2 <= len(r) <= 40:
            return r
    for seg in (segs[-1][0].strip(), segs[0][0].strip()):
        if seg in rest and 2 <= len(seg) <= 30 and not calendar_date(seg) and not re.fullmatch(r"[\d\s/.-]+", seg):
            return seg
    return None


def _decide_date(cands: list[Candidate], field: str, body_value: str | None) -> tuple[str | None, str | None]:
    full: list[tuple[str, str]] = []
    partial: list[tuple[int, int, int | None]] = []
    for origin in (*_CONTAINER, "jsonld", "meta", "body", "html"):
        for c in cands:
            if c.field != field or c.origin != origin:
                continue
            d = calendar_date(c.value)
            if d:
                full.append((d, origin))
            elif origin == "body" and (p := partial_date(c.value)):
                partial.append(p)
    strong = [f for f in full if f[1] in (*_CONTAINER, "jsonld", "meta")]
    if strong:
        return strong[0]
    visible = [f for f in full if f[1] == "body"]
    if visible:
        return visible[0]
    reference = next((f[0] for f in full), None) or (calendar_date(body_value) if body_value else None)
    if partial and reference:
        month, day, weekday = partial[0]
        if done := complete_year(month, day, weekday, reference):
            return done, "body"
    # a dated line the body itself labels (公開, 配信, a date-only line at the top) beats an extractor's guess
    if body_value and not body_value.startswith("XXXX"):
        return body_value, "body"
    if full:
        return full[0]
    if body_value:
        return body_value, "body"
    return None, None
