"""Sudachi tokenisation, loaded once per process.

SudachiPy (the tokenizer inside GiNZA) runs at hundreds of thousands of characters per second, two orders
of magnitude faster than the full ja_ginza pipeline, so every sentence goes through it; the GiNZA parser
(``kansoku.nlp.parser``) is kept for the few sentences where a dependency tree pays for itself.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, NamedTuple

from kansoku.model import Document, Span


class Token(NamedTuple):
    """One Sudachi morpheme with offsets into the document text.

    ``is_proper`` and ``proper_kind`` are read on almost every token by the entity patterns: they are
    computed once, when the token is made (:func:`make_token`), not on each access.
    """

    surface: str
    start: int
    end: int
    pos: tuple[str, ...]
    normalized: str
    reading: str
    oov: bool = False
    is_proper: bool = False
    #: 人名 / 地名 / 組織名 / 一般 for proper nouns, else None
    proper_kind: str | None = None


def make_token(surface: str, start: int, end: int, pos: tuple[str, ...], normalized: str, reading: str,
               oov: bool = False) -> Token:
    """A :class:`Token` with its proper-noun fields filled from ``pos``."""
    return Token(surface, start, end, pos, normalized, reading, oov, *_proper(pos))


def _proper(pos: tuple[str, ...]) -> tuple[bool, str | None]:
    """(is_proper, proper_kind) of a part of speech."""
    proper = len(pos) > 2 and pos[0] == "名詞" and pos[1] == "固有名詞"
    return proper, pos[2] if proper else None


@lru_cache(maxsize=1)
def _tokenizer():  # type: ignore[no-untyped-def]
    from sudachipy import Dictionary, SplitMode

    return Dictionary(dict="core").create(SplitMode.C), SplitMode


#: part-of-speech id → (Sudachi's part-of-speech tuple, is_proper, proper_kind) (the dictionary is fixed for the
#: process)
_POS: dict[int, tuple[tuple[str, ...], bool, str | None]] = {}

# Sudachi refuses inputs above ~49,149 bytes; sentences are bounded well below that by the segmenter.
_MAX_CHARS = 12000


def tokenize(text: str, span: Span | None = None) -> list[Token]:
    """Tokens of ``text[span]`` with offsets into ``text``."""
    tok, _ = _tokenizer()
    s = span.start if span else 0
    e = span.end if span else len(text)
    out: list[Token] = []
    pos = s
    pos_of = _POS
    new = tuple.__new__  # Token(...) without the keyword handling of a NamedTuple's __new__
    while pos < e:
        chunk_end = min(e, pos + _MAX_CHARS)
        first = len(out)
        # Sudachi's morphemes tile its input, so each one starts where the one before ended: the offsets come
        # from the surfaces' lengths (two method calls fewer per token); checked against the chunk's length
        cur = pos
        for m in tok.tokenize(text[pos:chunk_end]):
            pid = m.part_of_speech_id()
            known = pos_of.get(pid)
            if known is None:  # one tuple per part of speech, not a new one per token (a fifth of this loop)
                p = m.part_of_speech()
                known = pos_of[pid] = (p, *_proper(p))
            p, proper, kind = known
            surface = m.surface()
            start = cur
            cur += len(surface)
            out.append(new(Token, (surface, start, cur, p, m.normalized_form(), m.reading_form(), m.is_oov(),
                                   proper, kind)))
        if cur != chunk_end:  # not a tiling after all: Sudachi's own offsets
            del out[first:]
            out += _tokens_by_offsets(tok, text, pos, chunk_end)
        pos = chunk_end
    return out


def _tokens_by_offsets(tok: Any, text: str, pos: int, end: int) -> list[Token]:
    return [make_token(m.surface(), pos + m.begin(), pos + m.end(), m.part_of_speech(), m.normalized_form(),
                       m.reading_form(), m.is_oov()) for m in tok.tokenize(text[pos:end])]


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
