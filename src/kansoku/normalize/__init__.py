"""normalize stage: clean text (boilerplate out), sentence and line spans, and the Document built from them."""

from __future__ import annotations

from typing import Any

from kansoku.model import Document, Span

__all__ = ["make_document"]


def make_document(text: str, source: str = "text", sentences: list[Span] | None = None, **fields: Any) -> Document:
    """A :class:`Document` over ``text`` as given (no cleaning): sentences (the segmenter's unless given)
    and lines. ``fields`` are the other Document fields (title, candidates …)."""
    from kansoku.normalize.segment import line_spans, split_sentences

    return Document(source=source, text=text, sentences=split_sentences(text) if sentences is None else sentences,
                    lines=line_spans(text), **fields)
