"""HTML → :class:`RawDoc`: article text via trafilatura, provenance candidates from the whole page.

trafilatura does the main-content extraction; when it finds nothing (malformed or very short
pages) the text of paragraphs and headings is taken directly. trafilatura turns the ideographic
space U+3000 into an ASCII space (and drops paragraph indents); lines are restored from the page.
Title, authors, outlet and dates are not decided here: ``read/pagemeta.py`` lists what JSON-LD, meta
tags, headings and visible bylines offer, and ``extract/provenance.py`` decides.
"""

from __future__ import annotations

import logging
import re
import threading
from datetime import datetime
from itertools import accumulate

import lxml.html
from lxml import etree

from kansoku import rx
from kansoku.model import Candidate, RawDoc
from kansoku.read.encoding import decode_bytes
from kansoku.read.errors import ReadFailure
from kansoku.read.pagemeta import page_candidates

__all__ = ["declared_charset", "html_to_text", "parse_html", "read_html_bytes", "repair_markup"]

_META_CHARSET = rx.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)
_DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "iframe",
)
_BLOCK_TAGS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd", "dt", "figcaption", "td", "th"}
)
_ASCII_SPACE = rx.compile(r"[ \t\r\n\f\v\xa0]+")
_LAYOUT_TAGS = ("div", "section", "article", "main", "table", "tr", "ul", "ol", "dl", "center")
_PRUNE_XPATH = ["//nav", "//*[@role='navigation']", "//*[@aria-hidden='true']"]

# markup repair before parsing (see repair_markup)
_XML_INVALID = rx.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_TITLE_OPEN = rx.compile(r"<title\b[^<>]*>", re.IGNORECASE)
_TAG_START = rx.compile(r"<[A-Za-z/!?]")
# a tag, or a comment; "[^<>]*" keeps a page full of stray "<" linear
_TAG = rx.compile(r"<!--.*?(?:-->|\Z)|<(/?)([A-Za-z][A-Za-z0-9:_-]*)[^<>]*>", re.DOTALL)
_MAX_DEPTH = 150
_NON_VOID_TAG = rx.compile(
    r"<(/?)(?!(?:area|base|br|col|embed|hr|img|input|link|meta|param|source|track|wbr)\b)[A-Za-z]",
    re.IGNORECASE,
)
_VOID = frozenset(
    {
        "area", "base", "basefont", "bgsound", "br", "col", "embed", "frame", "hr", "img", "input", "keygen",
        "link", "meta", "param", "source", "track", "wbr",
    }
)  # fmt: skip
_RAW_TEXT = frozenset({"script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes"})
_CLOSES_P = frozenset(
    {
        "address", "article", "aside", "blockquote", "div", "dl", "fieldset", "footer", "form", "h1", "h2", "h3",
        "h4", "h5", "h6", "header", "hr", "main", "nav", "ol", "p", "pre", "section", "table", "ul",
    }
)  # fmt: skip
# start tag -> open elements it closes when they are the current element
_IMPLIED_END: dict[str, frozenset[str]] = {
    **{name: frozenset({"p"}) for name in _CLOSES_P},
    "li": frozenset({"li", "p"}),
    "dt": frozenset({"dt", "dd", "p"}),
    "dd": frozenset({"dt", "dd", "p"}),
    "tr": frozenset({"tr", "td", "th"}),
    "td": frozenset({"td", "th"}),
    "th": frozenset({"td", "th"}),
    "option": frozenset({"option"}),
}

# trafilatura reports ordinary parsing trouble at WARNING/ERROR level; it is not ours to show.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)


def declared_charset(data: bytes) -> str | None:
    """The encoding a page declares in its first 4 kB (``<meta charset>``, ``http-equiv``, XML prolog)."""
    match = _META_CHARSET.search(data[:4096])
    if not match:
        return None
    return (match.group(1) or match.group(2)).decode("ascii")


def read_html_bytes(data: bytes, source: str) -> RawDoc:
    """Decode an HTML file (honouring its declared charset) and extract the article."""
    notes: list[str] = []
    doc = parse_html(decode_bytes(data, source, declared=declared_charset(data), notes=notes), source)
    doc.warnings.extend(notes)
    return doc


def parse_html(html: str, source: str) -> RawDoc:
    """Extract one article from a whole page; raise :class:`ReadFailure` when it holds no text.

    The article text comes from trafilatura (block text as the fallback); every provenance value the
    page offers is collected as a :class:`~kansoku.model.Candidate` (``read/pagemeta.py``) and decided
    later, together with the body's bylines, by ``extract/provenance.py``.
    """
    html = repair_markup(html)  # trafilatura parses the page itself: give it the repaired markup
    tree = _parse(html)
    candidates = page_candidates(tree) if tree is not None else []
    text, extracted = _trafilatura(html)
    if tree is not None and _LAYOUT_ROW.search(text):
        # a layout table came out as one table row per page region: read it again as blocks
        text, extracted = _trafilatura(_without_layout_tables(tree))
    if tree is not None:
        blocks = _block_text(tree)
        text = _restore_spacing(text, blocks) if text else blocks
    if not text:
        raise ReadFailure("no article text found in HTML")
    if extracted.get("date"):
        candidates.append(Candidate("published", extracted["date"], "html"))
    if extracted.get("sitename"):
        candidates.append(Candidate("site_name", extracted["sitename"], "html"))

    return RawDoc(source=source, text=text, html=html, candidates=candidates, fmt="html")


def _restore_spacing(text: str, blocks: str) -> str:
    """Put back the U+3000 spaces trafilatura turns into ASCII spaces or drops (paragraph indents).

    A line of trafilatura's text is replaced by the page's own block text when both have the same
    characters apart from whitespace; other lines are left as trafilatura wrote them.
    """
    originals = {"".join(line.split()): line for line in blocks.split("\n") if "\u3000" in line}
    if not originals:
        return text
    return "\n".join(originals.get("".join(line.split()), line) for line in text.split("\n"))


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment (a feed item's ``content:encoded``), one block per line.

    Markup-free input comes back unchanged apart from surrounding whitespace.
    """
    if "<" not in fragment and "&" not in fragment:
        return fragment.strip()
    tree = _parse(f"<div>{fragment}</div>")
    if tree is None:
        return ""
    return _block_text(tree, drop_layout=False)


def _parse(html: str) -> lxml.html.HtmlElement | None:
    if not html.strip():
        return None
    try:
        # Encoding declarations are meaningless (and rejected by lxml) once the text is a str.
        return lxml.html.document_fromstring(_strip_xml_declaration(repair_markup(html)), parser=_parser())
    except (etree.ParserError, ValueError):
        return None


def repair_markup(html: str) -> str:
    """Undo what makes libxml2 lose text: characters XML forbids, an unclosed ``<title>``, deep nesting.

    Control characters are dropped (lxml refuses to store them) and lone surrogates become U+FFFD;
    a ``<title>`` not closed before the next tag is closed there (the page's markup would otherwise
    become the title's text); tags nested more than ``_MAX_DEPTH`` deep are removed, keeping their
    text, because libxml2 (and trafilatura, which uses it) stops parsing at depth 256.
    """
    if _XML_INVALID.search(html):
        html = _XML_INVALID.sub(lambda m: "\ufffd" if "\ud800" <= m.group() <= "\udfff" else "", html)
    html = _close_titles(html)
    if html.count("<") > _MAX_DEPTH and _may_be_deep(html):
        html = _flatten(html)
    return html


def _may_be_deep(html: str) -> bool:
    """A quick bound on the nesting: start tags minus end tags so far, never below zero.

    Implied end tags only lower the real depth; only end tags of elements that were never opened,
    amid the deep part, could hide it (libxml2 ignores those).
    """
    steps = [1 - 2 * len(slash) for slash in _NON_VOID_TAG.findall(html)]
    return max(accumulate(steps, lambda depth, step: max(0, depth + step)), default=0) > _MAX_DEPTH


_parsers = threading.local()


def _parser() -> lxml.html.HTMLParser:
    """One parser per thread; ``huge_tree`` lifts libxml2's depth limit from 256 to 2048."""
    parser = getattr(_parsers, "parser", None)
    if parser is None:
        parser = _parsers.parser = lxml.html.HTMLParser(huge_tree=True)
    return parser


def _close_titles(html: str) -> str:
    pieces: list[str] = []
    position = 0
    for match in _TITLE_OPEN.finditer(html):
        if match.start() < position:
            continue
        following = _TAG_START.search(html, match.end())
        if following is None or html[following.start() : following.start() + 7].lower() == "</title":
            continue
        pieces += [html[position : following.start()], "</title>"]
        position = following.start()
    return "".join(pieces) + html[position:] if pieces else html


def _flatten(html: str) -> str:
    """Drop the tags that open deeper than ``_MAX_DEPTH`` (and their end tags); all text stays.

    The depth is tracked with a small model of the HTML tree builder (void elements, ``<p>``/``<li>``
    closed by their successors, end tags closing what they match), so an ordinary page is left as is.
    """
    lower = html.lower()
    stack: list[tuple[str, bool]] = []
    open_count: dict[str, int] = {}
    pieces: list[str] = []
    position = 0
    changed = False
    for match in _TAG.finditer(html):
        if match.start() < position:  # inside a script/style skipped below
            continue
        closing, name = match.group(1), (match.group(2) or "").lower()
        if match.group(0).startswith("<!--") or not name:
            continue  # a comment (the tag pattern's groups are unset for it)
        if closing:
            if not open_count.get(name):
                continue
            while stack:
                top, dropped = stack.pop()
                open_count[top] -= 1
                if top == name:
                    break
            if dropped:
                pieces += [html[position : match.start()], _replacement(name)]
                position, changed = match.end(), True
            continue
        if name in _VOID or match.group(0).endswith("/>"):
            continue
        if stack and stack[-1][0] in _IMPLIED_END.get(name, ()):
            top, _ = stack.pop()
            open_count[top] -= 1
        dropped = len(stack) >= _MAX_DEPTH
        stack.append((name, dropped))
        open_count[name] = open_count.get(name, 0) + 1
        if dropped:
            pieces += [html[position : match.start()], _replacement(name)]
            position, changed = match.end(), True
        if name in _RAW_TEXT:  # script, style, ...: their content is not markup
            end = lower.find(f"</{name}", match.end())
            position_after = len(html) if end < 0 else end
            if not dropped:
                pieces.append(html[position:position_after])
                position = position_after
            else:
                position = position_after  # the content of a dropped script is dropped too
    if not changed:
        return html
    return "".join(pieces) + html[position:]


def _replacement(name: str) -> str:
    return "\n" if name in _BLOCK_TAGS or name in _LAYOUT_TAGS else ""


def _strip_xml_declaration(html: str) -> str:
    stripped = html.lstrip()
    if stripped.startswith("<?xml"):
        end = stripped.find("?>")
        return stripped[end + 2 :] if end != -1 else stripped
    return html


_LAYOUT_CELL_CHARS = 200
_LAYOUT_ROW = rx.compile(r"^\|[^\n]*[^|\n]{200}", re.MULTILINE)


def _without_layout_tables(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement | str:
    """The page with layout tables turned into ``div``s, so that the extractor reads them as page blocks.

    A table is for layout when it nests another table or a cell holds paragraphs (over 200 characters or
    block elements); data tables are left alone. The tree is returned as it is when there is none.
    """
    layout = []
    for table in tree.iter("table"):
        cells = table.xpath("./tr/td|./tbody/tr/td|./tr/th|./tbody/tr/th")
        if table.find(".//table") is not None or any(
            len(c.text_content()) > _LAYOUT_CELL_CHARS or c.find(".//p") is not None or c.find(".//h1") is not None
            or c.find(".//h2") is not None for c in cells
        ):
            layout.append(table)
    if not layout:
        return tree
    copy = _copy(tree)
    for table in list(copy.iter("table")):
        cells = table.xpath("./tr/td|./tbody/tr/td|./tr/th|./tbody/tr/th")
        if table.find(".//table") is not None or any(
            len(c.text_content()) > _LAYOUT_CELL_CHARS or c.find(".//p") is not None or c.find(".//h1") is not None
            or c.find(".//h2") is not None for c in cells
        ):
            for el in [table, *table.iter("tbody", "thead", "tfoot", "tr", "td", "th")]:
                el.tag = "div"
                for attr in ("width", "colspan", "rowspan", "valign", "align", "bgcolor"):
                    el.attrib.pop(attr, None)
    return copy


def _trafilatura(html: str | lxml.html.HtmlElement) -> tuple[str, dict[str, str]]:
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            html,
            with_metadata=True,
            include_comments=False,
            favor_recall=True,
            include_tables=True,
            prune_xpath=_PRUNE_XPATH,
        )
    except Exception:  # trafilatura raises assorted errors on pathological markup; the fallback copes
        return "", {}
    if doc is None:
        return "", {}
    fields = {
        name: value.strip()
        for name in ("title", "author", "date", "sitename", "url")
        if isinstance(value := getattr(doc, name, None), str) and value.strip()
    }
    text = doc.text if isinstance(doc.text, str) else ""
    return text.strip(), fields


def _block_text(tree: lxml.html.HtmlElement, drop_layout: bool = True) -> str:
    """Text of paragraphs, headings and list items (outermost only); all text if there are none."""
    tree = _copy(tree)
    drop = _DROP_TAGS if drop_layout else ("script", "style", "noscript", "template")
    for element in tree.iter(*drop):
        if element.getparent() is not None:
            element.drop_tree()
    body = tree.find("body") if tree.tag == "html" else tree
    if body is None:
        body = tree
    for br in body.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for element in body.iter(*_LAYOUT_TAGS):
        element.text = "\n" + (element.text or "")
        element.tail = "\n" + (element.tail or "")
    lines: list[str] = []
    for element in body.iter(*_BLOCK_TAGS):
        if any(ancestor.tag in _BLOCK_TAGS for ancestor in element.iterancestors()):
            continue
        lines.extend(_lines(element.text_content()))
    if not lines:
        lines = _lines(body.text_content())
    return "\n".join(lines)


def _lines(text: str) -> list[str]:
    return [line for raw in text.split("\n") if (line := _squash(raw))]


def _copy(tree: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(lxml.html.tostring(tree, encoding="unicode"))


def _squash(text: str) -> str:
    """Collapse ASCII whitespace runs (markup indentation); U+3000 is Japanese text and stays."""
    return _ASCII_SPACE.sub(" ", text).strip(" ")


def iso_datetime(value: str) -> str | None:
    """An ISO 8601 date or datetime string, kept with its UTC offset; ``None`` if unparseable."""
    value = value.strip()
    candidate = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    try:
        parsed = datetime.fromisoformat(candidate)
    except ValueError:
        match = re.match(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", value)
        if not match:
            return None
        try:
            return datetime(*map(int, match.groups())).date().isoformat()
        except ValueError:
            return None
    if len(candidate) <= 10:
        return parsed.date().isoformat()
    return parsed.isoformat()
