"""Sudachi tokenisation, loaded once per process.

SudachiPy (the tokenizer inside GiNZA) runs at hundreds of thousands of characters per second, two orders
of magnitude faster than the full ja_ginza pipeline, so every sentence goes through it; the GiNZA parser
(``kansoku.nlp.parser``) is kept for the few sentences where a dependency tree pays for itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from kansoku.model import Document, Span


@dataclass(frozen=True, slots=True)
class Token:
    surface: str
    start: int
    end: int
    pos: tuple[str, ...]
    normalized: str
    reading: str
    oov: bool = False

    @property
    def is_proper(self) -> bool:
        return self.pos[0] == "名詞" and self.pos[1] == "固有名詞"

    @property
    def proper_kind(self) -> str | None:
        """人名 / 地名 / 組織名 / 一般 for proper nouns, else None."""
        return self.pos[2] if self.is_proper else None


@lru_cache(maxsize=1)
def _tokenizer():  # type: ignore[no-untyped-def]
    from sudachipy import Dictionary, SplitMode

    return Dictionary(dict="core").create(SplitMode.C), SplitMode


# Sudachi refuses inputs above ~49,149 bytes; sentences are bounded well below that by the segmenter.
_MAX_CHARS = 12000


def tokenize(text: str, span: Span | None = None) -> list[Token]:
    """Tokens of ``text[span]`` with offsets into ``text``."""
    tok, _ = _tokenizer()
    s = span.start if span else 0
    e = span.end if span else len(text)
    out: list[Token] = []
    pos = s
    while pos < e:
        chunk_end = min(e, pos + _MAX_CHARS)
        for m in tok.tokenize(text[pos:chunk_end]):
            out.append(
                Token(
                    m.surface(),
                    pos + m.begin(),
                    pos + m.end(),
                    tuple(m.part_of_speech()),
                    m.normalized_form(),
                    m.reading_form(),
                    m.is_oov(),
                )
            )
        pos = chunk_end
    return out


def tokens(doc: Document, span: Span | None = None) -> list[Token]:
    """Tokens of ``doc.text[span]`` (the whole text when no span), tokenised once per document and span.

    Sudachi's segmentation depends on the context it is given, so a span is always tokenised on its own,
    exactly as :func:`tokenize` would; what the cache saves is tokenising the same span again in another
    stage (entities and quantities read the same sentences).
    """
    key = (span.start, span.end) if span else (0, len(doc.text))
    got = doc.token_cache.get(key)
    if got is None:
        got = tokenize(doc.text, Span(*key))
        doc.token_cache[key] = got
    return got
