"""Plain data types passed between pipeline stages.

Data flows one way: read -> normalize -> nlp -> extract -> resolve -> analyze -> store/report.
Every stage takes these types (or the record dicts built from them) and returns new ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A half-open character range ``text[start:end]`` of a document's clean text."""

    start: int
    end: int

    def of(self, text: str) -> str:
        return text[self.start : self.end]


@dataclass(slots=True)
class RawDoc:
    """One article as a reader produced it: decoded text or HTML plus whatever metadata the container had."""

    source: str
    text: str | None = None
    html: str | None = None
    title: str | None = None
    url: str | None = None
    published: str | None = None
    author: str | None = None
    outlet: str | None = None


@dataclass(slots=True)
class ReadError:
    """An input that could not be read; ``reason`` is one human sentence, no traceback."""

    source: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


@dataclass(slots=True)
class Document:
    """A normalised document: clean text, its sentences and the metadata the reader found."""

    source: str
    text: str
    sentences: list[Span] = field(default_factory=list)
    title: str | None = None
    url: str | None = None
    published: str | None = None
    author: str | None = None
    outlet: str | None = None
    title_span: Span | None = None
