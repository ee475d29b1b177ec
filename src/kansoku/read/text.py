"""Plain text and Markdown files.

Markdown is stripped lightly (heading marks, emphasis, links ``[t](u)`` → ``t (u)``, images,
inline code, quote marks, fences and rules); a YAML-style front matter block supplies metadata.

Header lines of text dumps are metadata, not body (``split_header``): they are removed from the text
and become candidates with origin ``header``. Two forms are read:

- the dump form: a bare URL line and a bare date/timestamp line at the top (any order), then the title
  line (``http://news.livedoor.com/article/detail/4778030/``, ``2010-05-22T14:30:00+0900``, title);
- mail-style headers: two or more ``Key: value`` lines at the top with known keys (``Title``, ``Date``,
  ``Author``, ``URL``, ``Source`` and Japanese forms such as 件名, 日付, 著者, 媒体), up to a blank line.
"""

from __future__ import annotations

import re

from kansoku import rx
from kansoku.model import Candidate, RawDoc
from kansoku.read.dates import calendar_date
from kansoku.read.encoding import decode_bytes
from kansoku.read.errors import ReadFailure

__all__ = ["read_markdown", "read_text", "split_header", "strip_markdown"]

_FRONT_MATTER = rx.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_FRONT_KEY = rx.compile(r"^([A-Za-z_][\w-]*)[ \t]*:[ \t]*(.*?)[ \t]*$")
# header keys (front matter and mail-style), lower-cased, by field
_HEADER_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("title", "subject", "headline", "件名", "タイトル", "見出し", "表題", "題名"),
    "published": ("date", "published", "pubdate", "publish_date", "published_at", "created", "posted", "日付", "日時",
                  "配信日", "配信日時", "公開日", "公開日時", "掲載日", "掲載日時", "発行日", "投稿日", "作成日"),
    "updated": ("updated", "modified", "lastmod", "last_modified", "updated_at", "更新日", "更新日時", "最終更新"),
    "author": ("author", "authors", "by", "byline", "from", "writer", "creator", "著者", "筆者", "執筆者", "記者",
               "作成者", "投稿者"),
    "url": ("url", "link", "permalink", "canonical", "uri", "リンク", "元url", "記事url"),
    "outlet": ("outlet", "source", "publisher", "site", "media", "newspaper", "publication", "媒体", "配信元",
               "掲載元", "発行元", "提供", "新聞"),
    "original_outlet": ("出典", "原典", "original", "via"),
}
_KEY_FIELD = {k: field for field, keys in _HEADER_KEYS.items() for k in keys}
_MAIL_KEY = rx.compile(r"^\s*([A-Za-z_][\w -]{0,20}?|[\u3040-\u30FF\u4E00-\u9FFF]{1,6}|[A-Za-z]{1,3}URL)\s*[:：]\s*(\S.*?)\s*$")
_URL_LINE = rx.compile(r"^\s*<?(https?://[^\s<>]+)>?\s*$")
_DATE_LINE = rx.compile(
    r"^\s*[\[【(（]?\s*(?:\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|\d{4}\s*[/.年]\s*\d{1,2}\s*[/.月]\s*\d{1,2}\s*日?(?:\s*[(（][月火水木金土日][)）])?"
    r"(?:\s*\d{1,2}[:：時]\d{2}分?(?:[:：]\d{2})?)?"
    r"|[A-Z][a-z]{2}, \d{1,2} [A-Z][a-z]{2} \d{4}[^\n]{0,20})\s*(?:配信|公開|掲載|更新|JST)?\s*[\]】)）]?\s*$"
)

_HEADING = rx.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
_SETEXT_UNDERLINE = rx.compile(r"^[ \t]{0,3}(?:=+|-{2,})[ \t]*$")
_RULE = rx.compile(r"^[ \t]{0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$", re.MULTILINE)
_FENCE = rx.compile(r"^[ \t]{0,3}(?:```|~~~).*$\n?", re.MULTILINE)
_QUOTE = rx.compile(r"^[ \t]{0,3}>[ \t]?", re.MULTILINE)
_IMAGE = rx.compile(r"!\[([^\]\n]*)\]\([^)\n]*\)")
_LINK = rx.compile(r"\[([^\]\n]+)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"\n]*\")?\s*\)")
_REF_LINK = rx.compile(r"\[([^\]\n]+)\]\[[^\]\n]*\]")
_REF_DEFINITION = rx.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]+\S+.*$\n?", re.MULTILINE)
_AUTOLINK = rx.compile(r"<(https?://[^>\s]+)>")
_INLINE_CODE = rx.compile(r"`([^`\n]+)`")
_STRONG = rx.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
# "*" may emphasise inside a word (CommonMark), which Japanese needs: "*技術の蓄積*につながる".
_EMPHASIS_STAR = rx.compile(r"(?<!\*)\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?!\*)")
_EMPHASIS_UNDERSCORE = rx.compile(r"(?<![_\w])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![_\w])")
_STRIKE = rx.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_HTML_COMMENT = rx.compile(r"<!--.*?-->", re.DOTALL)


def read_text(data: bytes, source: str) -> RawDoc:
    """A plain-text file: the decoded text; header lines at the top (see ``split_header``) → metadata."""
    notes: list[str] = []
    text = _require_text(decode_bytes(data, source, notes=notes))
    candidates, body = split_header(text)
    doc = RawDoc(source=source, text=_require_text(body), candidates=candidates, fmt="text", warnings=notes)
    return _with_fields(doc)


def read_markdown(data: bytes, source: str) -> RawDoc:
    """A Markdown file: front matter → metadata, first ``# heading`` → title when there is none."""
    notes: list[str] = []
    raw = decode_bytes(data, source, notes=notes).replace("\r\n", "\n").replace("\r", "\n")
    candidates: list[Candidate] = []
    if match := _FRONT_MATTER.match(raw.lstrip("\ufeff")):
        candidates = _front_matter(match.group(1))
        raw = raw.lstrip("\ufeff")[match.end() :]
    else:
        candidates, raw = split_header(raw)
    if not any(c.field == "title" for c in candidates) and (heading := _HEADING.search(raw)):
        title = strip_markdown(heading.group(1)).strip()
        if title:
            candidates.append(Candidate("title", title, "body"))
    doc = RawDoc(source=source, text=_require_text(strip_markdown(raw)), candidates=candidates, fmt="markdown",
                 warnings=notes)
    return _with_fields(doc)


def _with_fields(doc: RawDoc) -> RawDoc:
    """Fill the simple container fields from the candidates (first of each), for simple callers."""
    for c in doc.candidates:
        if c.field in ("title", "url", "published", "outlet") and getattr(doc, c.field) is None:
            setattr(doc, c.field, c.value)
        elif c.field == "author" and doc.author is None:
            doc.author = c.value
    return doc


def split_header(text: str) -> tuple[list[Candidate], str]:
    """Header lines at the top of a text dump → (candidates with origin ``header``, the rest of the text).

    Text without such a header comes back unchanged with no candidates.
    """
    lines = text.split("\n")
    first = 0
    while first < len(lines) and not lines[first].strip(" \t\ufeff\u3000"):
        first += 1
    # mail-style: two or more known `Key: value` lines, up to a blank line
    found: list[Candidate] = []
    i = first
    while i < len(lines) and lines[i].strip():
        m = _MAIL_KEY.match(lines[i].lstrip("\ufeff"))
        field = _KEY_FIELD.get(m.group(1).strip().lower()) if m else None
        if not field:
            break
        value = m.group(2).strip().strip("\"'")
        if field in ("published", "updated") and calendar_date(value) is None:
            break
        found.append(Candidate(field, value, "header"))
        i += 1
    if len(found) >= 2 and (i == len(lines) or not lines[i].strip()):
        return found, "\n".join(lines[i:]).lstrip("\n")
    # dump form: a URL line and a date line (either order, at most one each), then a title line
    found = []
    i = first
    kinds: set[str] = set()
    while i < len(lines) and len(kinds) < 2:
        line = lines[i].strip(" \t\ufeff\u3000")
        if "url" not in kinds and (m := _URL_LINE.match(line)):
            found.append(Candidate("url", m.group(1), "header"))
            kinds.add("url")
        elif "date" not in kinds and _DATE_LINE.match(line) and calendar_date(line):
            found.append(Candidate("published", line, "header"))
            kinds.add("date")
        else:
            break
        i += 1
    if "url" not in kinds:
        return [], text
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i + 1 < len(lines) and _title_like(lines[i]):
        found.append(Candidate("title", lines[i].strip(" \t\u3000"), "header"))
        i += 1
    return found, "\n".join(lines[i:])


def _title_like(line: str) -> bool:
    s = line.strip(" \t\u3000")
    return 2 <= len(s) <= 150 and not _URL_LINE.match(s) and not (s.endswith("。") and len(s) > 60)


def strip_markdown(text: str) -> str:
    """Remove Markdown markup but keep every word and the line structure of the prose."""
    text = _HTML_COMMENT.sub("", text)
    text = _FENCE.sub("", text)
    text = _REF_DEFINITION.sub("", text)
    text = "\n".join(_drop_setext(text.split("\n")))
    text = _RULE.sub("", text)
    text = _HEADING.sub(r"\1", text)
    text = _QUOTE.sub("", text)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", text)
    text = _REF_LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _INLINE_CODE.sub(r"\1", text)
    text = _STRONG.sub(r"\2", text)
    text = _STRIKE.sub(r"\1", text)
    text = _EMPHASIS_STAR.sub(r"\1", text)
    text = _EMPHASIS_UNDERSCORE.sub(r"\1", text)
    return text


def _drop_setext(lines: list[str]) -> list[str]:
    """Drop ``===`` / ``---`` underlines that follow a text line (setext headings)."""
    kept: list[str] = []
    for line in lines:
        if _SETEXT_UNDERLINE.match(line) and kept and kept[-1].strip():
            continue
        kept.append(line)
    return kept


def _front_matter(block: str) -> list[Candidate]:
    found: list[Candidate] = []
    for line in block.split("\n"):
        match = _FRONT_KEY.match(line)
        if not match:
            continue
        key, value = match.group(1).lower(), match.group(2).strip().strip("\"'")
        target = _KEY_FIELD.get(key)
        if target and value and not any(c.field == target for c in found):
            found.append(Candidate(target, value, "header"))
    return found


def _require_text(text: str) -> str:
    if not text.strip():
        raise ReadFailure("file contains no text")
    return text
