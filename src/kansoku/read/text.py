"""Plain text and Markdown files.

Markdown is stripped lightly (heading marks, emphasis, links ``[t](u)`` → ``t (u)``, images,
inline code, quote marks, fences and rules); a YAML-style front matter block supplies metadata.
"""

from __future__ import annotations

import re

from kansoku.model import RawDoc
from kansoku.read.encoding import decode_bytes
from kansoku.read.errors import ReadFailure
from kansoku.read.html import iso_datetime

__all__ = ["read_markdown", "read_text", "strip_markdown"]

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_FRONT_KEY = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:[ \t]*(.*?)[ \t]*$")
_FRONT_FIELDS = {
    "title": "title",
    "url": "url",
    "link": "url",
    "date": "published",
    "published": "published",
    "author": "author",
    "outlet": "outlet",
    "source": "outlet",
    "site": "outlet",
}

_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$", re.MULTILINE)
_SETEXT_UNDERLINE = re.compile(r"^[ \t]{0,3}(?:=+|-{2,})[ \t]*$")
_RULE = re.compile(r"^[ \t]{0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$", re.MULTILINE)
_FENCE = re.compile(r"^[ \t]{0,3}(?:```|~~~).*$\n?", re.MULTILINE)
_QUOTE = re.compile(r"^[ \t]{0,3}>[ \t]?", re.MULTILINE)
_IMAGE = re.compile(r"!\[([^\]\n]*)\]\([^)\n]*\)")
_LINK = re.compile(r"\[([^\]\n]+)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"\n]*\")?\s*\)")
_REF_LINK = re.compile(r"\[([^\]\n]+)\]\[[^\]\n]*\]")
_REF_DEFINITION = re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]+\S+.*$\n?", re.MULTILINE)
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_INLINE_CODE = re.compile(r"`([^`\n]+)`")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
# "*" may emphasise inside a word (CommonMark), which Japanese needs: "*技術の蓄積*につながる".
_EMPHASIS_STAR = re.compile(r"(?<!\*)\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?!\*)")
_EMPHASIS_UNDERSCORE = re.compile(r"(?<![_\w])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![_\w])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def read_text(data: bytes, source: str) -> RawDoc:
    """A plain-text file: the decoded text, no metadata."""
    notes: list[str] = []
    return RawDoc(source=source, text=_require_text(decode_bytes(data, source, notes=notes)), warnings=notes)


def read_markdown(data: bytes, source: str) -> RawDoc:
    """A Markdown file: front matter → metadata, first ``# heading`` → title when there is none."""
    notes: list[str] = []
    raw = decode_bytes(data, source, notes=notes).replace("\r\n", "\n").replace("\r", "\n")
    fields: dict[str, str] = {}
    if match := _FRONT_MATTER.match(raw.lstrip("\ufeff")):
        fields = _front_matter(match.group(1))
        raw = raw.lstrip("\ufeff")[match.end() :]
    if "title" not in fields and (heading := _HEADING.search(raw)):
        title = strip_markdown(heading.group(1)).strip()
        if title:
            fields["title"] = title
    return RawDoc(source=source, text=_require_text(strip_markdown(raw)), warnings=notes, **fields)


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


def _front_matter(block: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in block.split("\n"):
        match = _FRONT_KEY.match(line)
        if not match:
            continue
        key, value = match.group(1).lower(), match.group(2).strip().strip("\"'")
        target = _FRONT_FIELDS.get(key)
        if target and value and target not in fields:
            if target == "published":
                value = iso_datetime(value) or value
            fields[target] = value
    return fields


def _require_text(text: str) -> str:
    if not text.strip():
        raise ReadFailure("file contains no text")
    return text
