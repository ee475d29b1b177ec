"""Provenance candidates from a parsed web page: every value each part of the page offers, with its origin.

This module only *collects*; ``kansoku.extract.provenance`` decides. Sources, by origin:

- ``jsonld``: ``<script type="application/ld+json">`` objects of an article type (``NewsArticle``,
  ``Article``, ``BlogPosting`` …, also inside ``@graph`` and lists): ``headline``, ``author`` and
  ``creator`` (Person → person, Organization → organisation), ``publisher.name``, ``datePublished``,
  ``dateModified``, ``url`` / ``mainEntityOfPage``, ``isBasedOn`` / ``provider`` / ``sourceOrganization``,
  ``inLanguage``; the name of a top-level ``WebSite``/``NewsMediaOrganization`` as a site name.
- ``meta``: OpenGraph (``og:title``, ``og:site_name``, ``og:url``), ``article:*`` times and authors,
  ``<meta name=author|byl|dc.creator|…>`` (the ``value`` attribute is read where ``content`` is missing, as
  some re-serialised pages have it), ``<link rel=canonical>``, ``<title>``, ``<time datetime>`` (the first
  one after the headline), microdata (``itemprop=headline|author|datePublished|dateModified``).
- ``html``: visible headings (``h1``–``h3``, ruby readings dropped) for the title decision.
- ``byline``: short text lines around the visible headline and elements whose class, ``rel`` or
  ``itemprop`` names an author, byline, writer or credit — raw strings that the byline parser reads.
- ``body``: a date-only line beside the headline (``2019年02月11日``, ``3/9(木) 18:45配信``).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

import lxml.html

from kansoku import rx
from kansoku.model import Candidate

__all__ = ["page_candidates"]

_ARTICLE_TYPES = frozenset({
    "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle", "opinionnewsarticle",
    "backgroundnewsarticle", "reviewnewsarticle", "askpublicnewsarticle", "blogposting", "liveblogposting",
    "socialmediaposting", "techarticle", "scholarlyarticle", "report", "medicalscholarlyarticle",
})  # fmt: skip
_SITE_TYPES = frozenset({"website", "newsmediaorganization", "organization", "corporation"})

# <meta> keys by field, most specific first within each tuple
_META_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("og:title", "twitter:title", "dc.title", "cxenseparse:title", "sailthru.title", "title",
              "parsely-title", "krux:title"),
    "site_name": ("og:site_name", "application-name", "apple-mobile-web-app-title", "al:ios:app_name"),
    "url": ("og:url", "twitter:url", "parsely-link", "cxenseparse:url"),
    "published": ("article:published_time", "article:published", "og:published_time", "og:article:published_time",
                  "datepublished", "pubdate", "publishdate", "publish-date", "dc.date.issued", "dcterms.issued",
                  "dc.date", "dcterms.date", "date", "cxenseparse:recs:publishtime", "sailthru.date",
                  "parsely-pub-date", "release_date", "pdate", "displaydate", "original-publish-date"),
    "updated": ("article:modified_time", "article:modified", "og:updated_time", "datemodified", "dcterms.modified",
                "lastupdate", "last-modified", "revised"),
    "author": ("author", "article:author", "dc.creator", "dcterms.creator", "byl", "sailthru.author",
               "cxenseparse:author", "parsely-author", "citation_author"),
}
_HEADINGS = ("h1", "h2", "h3")
_BYLINE_ATTR = rx.compile(r"author|byline|by-line|writer|reporter|credit|journalist|contributor|kisha|shippitsu",
                          re.I)
_NOT_BYLINE_ATTR = rx.compile(r"comment|avatar|share|social|related|recommend|ranking|footer|nav", re.I)
_SPACE = rx.compile(r"\s+")
_DATE_ONLY = rx.compile(
    r"^[\s\[【(（]*(?:(?:19|20)\d{2}\s*[年./／-]\s*)?\d{1,2}\s*[月./／-]\s*\d{1,2}\s*日?\s*"
    r"(?:[(（][月火水木金土日][)）])?\s*(?:\d{1,2}\s*[:：時]\s*\d{1,2}\s*分?)?\s*"
    r"(?:配信|公開|掲載|更新|投稿|発行)?[\s\]】)）]*$"
)


def page_candidates(tree: lxml.html.HtmlElement) -> list[Candidate]:
    """Every provenance value the page offers (see the module docstring); the tree is not modified."""
    out: list[Candidate] = []
    out.extend(_jsonld(tree))
    out.extend(_metas(tree))
    out.extend(_microdata(tree))
    headline = _headings(tree, out)
    out.extend(_near_headline(tree, headline))
    out.extend(_byline_elements(tree))
    out.extend(_labelled_lines(tree))
    lang = (tree.get("lang") or tree.get("xml:lang") or "").strip()
    if lang:
        out.append(Candidate("lang", lang, "meta"))
    return _dedupe(out)


def _dedupe(items: list[Candidate]) -> list[Candidate]:
    seen: set[Candidate] = set()
    out = []
    for c in items:
        if c.value and c not in seen:
            seen.add(c)
            out.append(c)
    return out


def squash(text: str) -> str:
    """Collapse ASCII whitespace runs; ideographic spaces are text and stay."""
    return re.sub(r"[ \t\r\n\f\v\xa0]+", " ", text).strip(" ")


# ---- JSON-LD ------------------------------------------------------------------------------------------------
def _jsonld(tree: lxml.html.HtmlElement) -> Iterator[Candidate]:
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        raw = (script.text or "").strip()
        if not raw:
            continue
        data = _loads(raw)
        if data is None:
            continue
        for obj in _objects(data):
            types = {t.lower() for t in _types(obj)}
            if types & _ARTICLE_TYPES:
                yield from _article(obj)
            elif types & _SITE_TYPES and isinstance(obj.get("name"), str):
                yield Candidate("site_name", squash(obj["name"]), "jsonld")


def _loads(raw: str) -> Any:
    raw = raw.strip().removeprefix("<!--").removesuffix("-->").strip()
    raw = raw.removeprefix("//<![CDATA[").removesuffix("//]]>").strip()
    for attempt in (raw, re.sub(r",\s*([}\]])", r"\1", raw)):
        try:
            return json.loads(attempt, strict=False)
        except ValueError:
            continue
    return None


def _objects(data: Any, depth: int = 0) -> Iterator[dict]:
    if depth > 6:
        return
    if isinstance(data, list):
        for item in data:
            yield from _objects(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _objects(data["@graph"], depth + 1)


def _types(obj: dict) -> list[str]:
    t = obj.get("@type")
    if isinstance(t, str):
        return [t]
    if isinstance(t, list):
        return [x for x in t if isinstance(x, str)]
    return []


def _article(obj: dict) -> Iterator[Candidate]:
    for key in ("headline", "name", "alternativeHeadline"):
        if isinstance(obj.get(key), str) and obj[key].strip():
            yield Candidate("title", squash(obj[key]), "jsonld")
            break
    for key in ("author", "creator"):
        for name, kind in _agents(obj.get(key)):
            yield Candidate("author", name, "jsonld", kind)
    for name, _kind in _agents(obj.get("publisher")):
        yield Candidate("publisher", name, "jsonld", "organisation")
    for key in ("provider", "sourceOrganization", "isBasedOn"):
        for name, _kind in _agents(obj.get(key)):
            yield Candidate("original_outlet", name, "jsonld", "organisation")
    for key, field in (("datePublished", "published"), ("dateCreated", "published"), ("dateModified", "updated")):
        value = obj.get(key)
        if isinstance(value, str) and value.strip():
            yield Candidate(field, value.strip(), "jsonld")
    page = obj.get("mainEntityOfPage")
    page_id = page.get("@id") if isinstance(page, dict) else page
    for url in (obj.get("url"), page_id):
        if isinstance(url, str) and url.startswith(("http://", "https://")):
            yield Candidate("url", url.strip(), "jsonld")
    lang = obj.get("inLanguage")
    if isinstance(lang, str) and lang.strip():
        yield Candidate("lang", lang.strip(), "jsonld")


def _agents(value: Any) -> Iterator[tuple[str, str | None]]:
    """(name, kind) of a schema.org author/publisher value: a string, an object or a list of them."""
    if isinstance(value, str):
        if value.strip() and not value.strip().startswith(("http://", "https://", "#")):
            yield squash(value), None
    elif isinstance(value, list):
        for item in value[:20]:
            yield from _agents(item)
    elif isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, list):
            name = next((n for n in name if isinstance(n, str)), None)
        if isinstance(name, str) and name.strip():
            types = {t.lower() for t in _types(value)}
            kind = "person" if "person" in types else "organisation" if types & (_SITE_TYPES | {
                "newsmediaorganization", "organization", "corporation", "governmentorganization"}) else None
            yield squash(name), kind


# ---- <meta>, <link>, <title>, <time> ------------------------------------------------------------------------
def _metas(tree: lxml.html.HtmlElement) -> Iterator[Candidate]:
    metas: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        value = meta.get("content")
        if value is None:
            value = meta.get("value")
        value = squash(value or "")
        if key and value:
            metas.setdefault(key, []).append(value)
    for field, keys in _META_KEYS.items():
        for key in keys:
            for value in metas.get(key, []):
                if field == "author" and value.startswith(("http://", "https://", "@")):
                    continue
                if field == "url" and not value.startswith(("http://", "https://")):
                    continue
                yield Candidate(field, value, "meta")
    for link in tree.iter("link"):
        rels = (link.get("rel") or "").lower().split()
        href = (link.get("href") or "").strip()
        if "canonical" in rels and href.startswith(("http://", "https://")):
            yield Candidate("url", href, "meta")
    head = tree.find("head")
    for title in (head if head is not None else tree).iter("title"):
        text = squash(title.text_content() or "")
        if text:
            yield Candidate("page_title", text, "meta")
            break


def _microdata(tree: lxml.html.HtmlElement) -> Iterator[Candidate]:
    for el in tree.xpath("//*[@itemprop]"):
        if el.tag == "meta":
            continue
        props = (el.get("itemprop") or "").lower().split()
        if "headline" in props:
            text = _visible_text(el)
            if text:
                yield Candidate("title", text, "meta", "microdata")
        if "author" in props or "creator" in props:
            names = el.xpath(".//*[@itemprop='name']")
            text = (names[0].get("content") or _visible_text(names[0])) if names else _visible_text(el)
            if text and len(text) <= 80:
                kind = "person" if "person" in (el.get("itemtype") or "").lower() else None
                yield Candidate("author", text, "meta", kind)
        for prop, field in (("datepublished", "published"), ("datemodified", "updated")):
            if prop in props:
                value = el.get("datetime") or el.get("content") or _visible_text(el)
                if value:
                    yield Candidate(field, value.strip(), "meta")


# ---- visible headline, what surrounds it ------------------------------------------------------------------------
def _visible_text(el: lxml.html.HtmlElement, sep: str = "") -> str:
    """Text of an element without ruby readings (<rt>, <rp>), scripts or styles; ``sep`` goes between
    child elements (a space keeps 'byline' and 'date' spans apart)."""
    parts: list[str] = []

    def walk(node: lxml.html.HtmlElement) -> None:
        if not isinstance(node.tag, str) or node.tag in ("rt", "rp", "script", "style", "noscript", "template"):
            if node.tail:
                parts.append(node.tail)
            return
        if node.tag == "br" or (sep and node is not el and node.tag not in ("a", "b", "strong", "em", "ruby", "rb")):
            parts.append(sep or " ")
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
        if node.tail and node is not el:
            parts.append(node.tail)

    walk(el)
    return squash("".join(parts))


def _headings(tree: lxml.html.HtmlElement, found: list[Candidate]) -> lxml.html.HtmlElement | None:
    """Add visible headings as ``heading`` candidates; return the element most like the metadata title."""
    titles = [c.value for c in found if c.field in ("title", "page_title")]
    best, best_score = None, 0
    seen = 0
    for el in tree.iter(*_HEADINGS):
        if _in_chrome(el):
            continue
        text = _visible_text(el)
        if not text or len(text) > 300:
            continue
        seen += 1
        if seen > 40:
            break
        if _is_site_heading(el):
            found.append(Candidate("heading", text, "html", "site"))
            continue
        found.append(Candidate("heading", text, "html", el.tag))
        score = max((_overlap(text, t) for t in titles), default=0)
        if score > best_score:
            best, best_score = el, score
    if best is None:
        h1 = next((el for el in tree.iter("h1") if _visible_text(el) and not _in_chrome(el)), None)
        return h1
    return best


def _is_site_heading(el: lxml.html.HtmlElement) -> bool:
    """A heading that is the site's name: its only link goes to the site's home page, or it holds only a
    logo image (the blog name in an <h1> on every page of a blog)."""
    if el.tag not in ("h1", "h2"):
        return False
    links = el.findall(".//a")
    if len(links) == 1:
        href = (links[0].get("href") or "").strip()
        path = re.sub(r"^(?:https?:)?//[^/]+", "", href)
        if path in ("", "/", "./", "../", "index.html", "/index.html", "index.php", "/index.php"):
            return True
    text = _visible_text(el)
    return not text and el.find(".//img") is not None


def _in_chrome(el: lxml.html.HtmlElement) -> bool:
    return any(anc.tag in ("nav", "footer", "aside") for anc in el.iterancestors())


def norm(text: str) -> str:
    """Comparison key of a title: NFKC, lower case, no spaces, no leading decoration (■, ◆ …)."""
    s = unicodedata.normalize("NFKC", text).lower().lstrip("■□◆◇●○★☆▼▽▶►※◎・>＞ \u3000")
    return re.sub(r"[\s\u3000]+", "", s)


def _overlap(a: str, b: str) -> int:
    """Characters shared by two title strings when one contains the other or they share a long prefix."""
    na, nb = norm(a), norm(b)
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


_BLOCKS = ("p", "div", "span", "li", "dd", "dt", "address", "time", "a", "h2", "h3", "h4", "h5", "h6", "td",
           "figcaption", "small", "strong", "b", "em")


def _near_headline(tree: lxml.html.HtmlElement, headline: lxml.html.HtmlElement | None) -> Iterator[Candidate]:
    """Short text lines just after (and just before) the headline: bylines, datelines, the date."""
    if headline is None:
        return
    lines: list[str] = []
    # the headline's own text may carry a byline after the title (<h1>見出し <span>編集委員 名前</span></h1>)
    for child in headline.iter():
        if child is not headline and isinstance(child.tag, str) and child.tag in ("span", "small", "p", "div", "em"):
            t = _visible_text(child)
            if t and len(t) <= 60:
                lines.append(t)
    after = _following_lines(tree, headline, 14)
    before = _following_lines(tree, headline, 4, backwards=True)
    for text in lines + after + before:
        yield Candidate("byline", text, "byline")
    for text in after[:10] + before[:4]:
        if _DATE_ONLY.match(text):
            yield Candidate("published", text, "body")
            break
    # the first <time datetime> after the headline is the article's own
    for el in headline.itersiblings():
        times = el.iter("time") if el.tag != "time" else [el]
        for t in times:
            if t.get("datetime"):
                yield Candidate("published", t.get("datetime").strip(), "meta")
                return
    parent = headline.getparent()
    for anc in [parent, parent.getparent() if parent is not None else None]:
        if anc is None:
            continue
        for t in anc.iter("time"):
            if t.get("datetime"):
                yield Candidate("published", t.get("datetime").strip(), "meta")
                return


def _following_lines(tree: lxml.html.HtmlElement, start: lxml.html.HtmlElement, limit: int,
                     backwards: bool = False) -> list[str]:
    """Texts of leaf-like blocks after (or before) ``start`` in document order, up to ``limit`` lines."""
    elements = list(tree.iter())
    try:
        i = elements.index(start)
    except ValueError:
        return []
    descendants = set(start.iter())
    seq = reversed(elements[:i]) if backwards else elements[i + 1 :]
    out: list[str] = []
    for el in seq:
        if el in descendants or not isinstance(el.tag, str) or el.tag not in _BLOCKS:
            continue
        if any(child.tag in ("p", "div", "li", "dd", "address", "h2", "h3", "h4") for child in el
               if isinstance(child.tag, str)):
            continue  # not a leaf block
        if _in_chrome(el):
            continue
        text = _visible_text(el, " ")
        if not text:
            continue
        if len(text) > 120:
            if not backwards:
                break  # the body begins
            continue
        if out and out[-1] == text:
            continue
        out.append(text)
        if len(out) >= limit:
            break
    return out


_LABELLED = rx.compile(r"^[\s(（【\[]*(?:この記事を書いた人|書いた人|執筆者|筆者|著者|文|取材・文|記者|Written by|Author|By)"
                       r"\s*[:：・=＝]", re.I)


def _labelled_lines(tree: lxml.html.HtmlElement) -> Iterator[Candidate]:
    """Short lines anywhere on the page that open with an explicit byline label (書いた人: …, 執筆者：…),
    outside comment threads: profile boxes and footers of blogs carry the author there."""
    n = 0
    for el in tree.iter("p", "div", "span", "li", "dd", "address", "small", "td"):
        if len(el) > 3:
            continue
        text = _visible_text(el, " ")
        if not text or len(text) > 60 or not _LABELLED.match(text):
            continue
        if any(_NOT_BYLINE_ATTR.search(" ".join(filter(None, (a.get("class"), a.get("id")))))
               for a in el.iterancestors() if isinstance(a.tag, str)):
            continue
        yield Candidate("byline", text, "byline")
        n += 1
        if n >= 6:
            return


def _byline_elements(tree: lxml.html.HtmlElement) -> Iterator[Candidate]:
    n = 0
    for el in tree.iter():
        if not isinstance(el.tag, str) or el.tag in ("html", "body", "head", "meta", "link", "script", "style"):
            continue
        attrs = " ".join(filter(None, (el.get("class"), el.get("rel"), el.get("itemprop"), el.get("id"))))
        if not attrs or not _BYLINE_ATTR.search(attrs) or _NOT_BYLINE_ATTR.search(attrs):
            continue
        if _in_chrome(el):
            continue
        text = _visible_text(el)
        if text and len(text) <= 120:
            yield Candidate("byline", text, "byline", "attr")
            n += 1
            if n >= 12:
                return
