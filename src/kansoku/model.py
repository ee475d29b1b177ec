"""Plain data types passed between pipeline stages.

Data flows one way: read -> normalize -> nlp -> extract -> resolve -> analyze -> store/report.
Every stage takes these types (or the record dicts built from them) and returns new ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A half-open character range ``text[start:end]`` of a document's clean text."""

    start: int
    end: int

    def of(self, text: str) -> str:
        return text[self.start : self.end]


@dataclass(frozen=True, slots=True)
class Candidate:
    """One value for a provenance field, as one source in or around the document states it.

    ``field``: title | author | outlet | published | updated | url | original_outlet | original_url
    | original_title | original_author | original_published | lang | section.
    ``origin``: where it was read: ``jsonld``, ``meta`` (OpenGraph, ``<meta>``, ``<time>``, ``<link>``),
    ``header`` (header lines of a text dump, front matter), ``feed``, ``record`` (a JSON field),
    ``docx`` / ``pdf`` (document properties), ``html`` (visible page elements such as ``<h1>``).
    ``kind`` qualifies authors: person | team | ai | organisation; ``role`` and ``affiliation`` go with them
    where the source states them.
    """

    field: str
    value: str
    origin: str
    kind: str | None = None
    #: for authors: a role or title given beside the name (記者, 編集委員) and an affiliation
    role: str | None = None
    affiliation: str | None = None


@dataclass(slots=True)
class RawDoc:
    """One article as a reader produced it: decoded text or HTML plus whatever metadata the container had.

    ``title`` … ``outlet`` are the container's best values (kept for simple readers and callers);
    ``candidates`` lists every value each source offered, with its origin, for the provenance decision
    in ``extract/metadata.py``. ``warnings`` are one-line notes on input that was read with repairs
    (replaced bytes, a guessed encoding); they travel into the record.
    """

    source: str
    text: str | None = None
    html: str | None = None
    title: str | None = None
    url: str | None = None
    published: str | None = None
    author: str | None = None
    outlet: str | None = None
    candidates: list[Candidate] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    encoding: str | None = None
    fmt: str | None = None
    #: how ``kansoku collect`` fetched it: ``{url, final_url, status, fetched_at, feed}`` (None for files)
    fetch: dict | None = None


#: key under which ``pipeline.run(derive=...)`` puts the caller's per-record result into a record, in the
#: worker that made it; not part of the output contract (the caller removes it)
DERIVED = "_derived"


@dataclass(slots=True)
class ReadError:
    """An input that could not be read; ``reason`` is one human sentence, no traceback.

    ``level`` "warning" marks a notice that is not a failure (files of unsupported formats skipped in
    a folder): it is printed, but does not make the run fail.
    """

    source: str
    reason: str
    level: str = "error"

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"


@dataclass(slots=True)
class Document:
    """The one analysed document every stage reads and adds to (spaCy's ``Doc`` idea).

    ``normalize`` builds it once: clean ``text``, its ``sentences`` and ``lines`` (non-empty line spans),
    the title placed at the top, the reader's provenance ``candidates``. ``nlp`` tokenises spans on demand
    through :func:`kansoku.nlp.tokens.tokens`, memoised in ``token_cache`` so that no span is tokenised
    twice; over a batch of documents it tokenises every sentence and runs the tagger over all of them at once
    (``ner``, :mod:`kansoku.nlp.batch`). Each later stage writes its result into ``layers`` under its name (``layers["claims"]`` …) and
    reads the layers of the stages before it; ``kansoku.pipeline.to_record`` turns the finished document
    into the JSON contract.
    """

    source: str
    text: str
    sentences: list[Span] = field(default_factory=list)
    title: str | None = None
    url: str | None = None
    published: str | None = None
    author: str | None = None
    outlet: str | None = None
    title_span: Span | None = None
    #: where the title was read (``jsonld``, ``meta``, ``header``, ``body`` …), see extract/provenance.py
    title_origin: str | None = None
    candidates: list[Candidate] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    lines: list[Span] = field(default_factory=list)
    #: how a page fetched by `kansoku collect` was fetched (url, final_url, status, fetched_at, feed)
    fetch: dict[str, Any] | None = None
    layers: dict[str, Any] = field(default_factory=dict)
    token_cache: dict[tuple[int, int], list[Any]] = field(default_factory=dict, repr=False)
    #: the statistical tagger's ``(start, end, TYPE)`` spans of each sentence, in sentence order, when the nlp
    #: stage ran over the document's batch (``kansoku.nlp.batch``); else None and the entity stage tags them
    ner: list[list[tuple[int, int, str]]] | None = field(default=None, repr=False)

    def layer(self, name: str) -> Any:
        """The result of stage ``name``; a clear error when that stage has not run (or was disabled)."""
        try:
            return self.layers[name]
        except KeyError:
            done = ", ".join(self.layers) or "none"
            raise KeyError(f"stage {name!r} has not run on {self.source} (done: {done}); run it first or do "
                           f"not disable it") from None
