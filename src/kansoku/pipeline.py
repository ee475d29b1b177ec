"""The analysis core: a pure function from a batch of raw documents to output records.

``analyze_batch`` is what every runner calls: the embedded default runs it in a multiprocessing pool
(``run``), and a scale-out engine can call the same function from Spark ``mapInPandas`` or a Dask/Ray
task.  Models and data files are loaded lazily, once per process, by the modules that use them.
Corpus-wide steps that need all records (folding short forms of entities across documents) live in
``kansoku.resolve.corpus`` and run after the batches.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import multiprocessing as mp
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from kansoku import SCHEMA_VERSION, __version__, prefilter, rx
from kansoku.model import DERIVED, Candidate, Document, RawDoc, ReadError, Span


@dataclass(frozen=True, slots=True)
class Options:
    """Per-run settings that change analysis results."""

    published_default: str | None = None
    # documents above this many characters are refused with a one-line error (split them first)
    max_chars: int = 2_000_000
    #: stage names to skip (see STAGES); their layers stay empty
    disable: frozenset[str] = frozenset()


def doc_id(text: str) -> str:
    """Stable id of a document: a hash of its clean text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def prepare(raw: RawDoc) -> Document:
    """read -> normalize: clean text and sentence spans, the title decided and placed at the top."""
    from kansoku.extract.provenance import decide_title
    from kansoku.normalize import make_document
    from kansoku.normalize.text import clean_text

    body = raw.text
    if body is None and raw.html is not None:
        from kansoku.read.html import html_to_text

        body = html_to_text(raw.html)
    text = clean_text(body or "")
    candidates = container_candidates(raw)
    title, origin = decide_title(candidates, text[:6000].split("\n", 40)[:40])
    title_span = None
    if title:
        t = clean_text(title).strip()
        if raw.fmt == "html" and t:
            text = _from_headline(text, t)
        if t and not text.startswith(t):
            text = t + "\n\n" + text
        title = t or None
        title_span = Span(0, len(t)) if t else None
    return make_document(
        text,
        source=raw.source,
        title=title,
        url=raw.url,
        published=raw.published,
        author=raw.author,
        outlet=raw.outlet,
        title_span=title_span,
        title_origin=origin,
        candidates=candidates,
        warnings=list(raw.warnings),
        fetch=raw.fetch,
    )


def _from_headline(text: str, title: str) -> str:
    """A page's text from its headline on: lines before the headline (within the first 40) are the
    site's navigation and sidebars, which the extractor sometimes keeps."""
    lines = text.split("\n", 40)
    key = "".join(title.split())
    for k, line in enumerate(lines[:40]):
        if k and "".join(line.split()) == key:
            return "\n".join(lines[k:])
    return text


def container_candidates(raw: RawDoc) -> list[Candidate]:
    """``raw.candidates`` with the reader's simple fields (a feed item's or a JSON record's own title,
    author, outlet, date, URL) in front: a container states these for the article, so they come first."""
    origin = "feed" if raw.fmt == "feed" else "record"
    have = {(c.field, c.value) for c in raw.candidates}
    front = [
        Candidate(field, value.strip(), origin)
        for field, value in (("title", raw.title), ("author", raw.author), ("outlet", raw.outlet),
                             ("published", raw.published), ("url", raw.url))
        if value and value.strip() and (field, value) not in have and (field, value.strip()) not in have
    ]
    return front + list(raw.candidates)


# ---- the stages -------------------------------------------------------------------------------------------------
# Each stage reads the document and the layers of the stages before it and writes its own layer. A disabled
# stage leaves its empty value, so the stages after it still run (on nothing).


@dataclass(frozen=True, slots=True)
class Stage:
    """One named step of the analysis: ``run(doc, options)`` sets ``doc.layers[name]``."""

    name: str
    run: Callable[[Document, Options], None]
    requires: tuple[str, ...] = ()
    empty: Callable[[], Any] = list


def _metadata(doc: Document, opts: Options) -> None:
    from kansoku.extract.metadata import extract_metadata

    meta = extract_metadata(doc)
    if not meta.get("published") and opts.published_default:
        meta["published"] = opts.published_default
        meta["field_sources"]["published"] = "default"
    doc.layers["metadata"] = meta


def _entities(doc: Document, opts: Options) -> None:
    from kansoku.extract.entities import find_mentions
    from kansoku.resolve.entities import resolve_document

    meta = doc.layer("metadata")
    bylines = [a["name"] for a in meta.get("authors", []) if a.get("name") and a.get("kind") == "person"]
    doc.layers["entities"] = resolve_document(find_mentions(doc, persons=bylines))


def _quantities(doc: Document, opts: Options) -> None:
    from kansoku.extract.quantities import extract_quantities

    doc.layers["quantities"] = extract_quantities(doc)


def _timex(doc: Document, opts: Options) -> None:
    from kansoku.extract.timex import extract_timex

    doc.layers["timex"] = extract_timex(doc, _iso_date(doc.layer("metadata").get("published")))


def _claims(doc: Document, opts: Options) -> None:
    from kansoku.extract.claims import extract_claims

    authors = doc.layer("metadata").get("authors", [])
    author_voice = doc.layer("genre").get("label") in ("opinion", "analysis", "blog") and any(
        a.get("name") and a.get("kind") == "person" and a.get("role") != "original_author" for a in authors)
    doc.layers["claims"] = extract_claims(doc, author_voice)


def _links(doc: Document, opts: Options) -> None:
    """resolve: claim speakers and figure sources → entity ids (in place)."""
    from kansoku.resolve.links import link_claims, link_quantities

    link_claims(doc.layer("claims"), doc.layer("entities"), doc.text, doc.layer("metadata").get("authors"))
    link_quantities(doc.layer("quantities"), doc.layer("entities"), doc.layer("claims"), doc.text)
    doc.layers["links"] = True


def _events(doc: Document, opts: Options) -> None:
    from kansoku.extract.timex import extract_events
    from kansoku.resolve.links import link_events

    events = extract_events(doc, doc.layer("timex"))
    link_events(events, doc.layer("entities"), doc.layer("claims"))
    doc.layers["events"] = events


def _sourcing(doc: Document, opts: Options) -> None:
    from kansoku.extract.sourcing import profile_sourcing

    doc.layers["sourcing"] = profile_sourcing(doc, doc.layer("claims"), doc.layer("quantities"),
                                              doc.layer("metadata").get("urls", []))


def _frames(doc: Document, opts: Options) -> None:
    from kansoku.analyze.frames import detect_frames

    attributed = [Span(c["content_span"]["start"], c["content_span"]["end"])
                  for c in doc.layer("claims") if c.get("speaker") and c.get("content_span")]
    doc.layers["frames"] = detect_frames(doc, attributed)


def _stance(doc: Document, opts: Options) -> None:
    from kansoku.analyze.stance import compute_stance
    from kansoku.extract.entities import loaded_label_stance
    from kansoku.resolve.links import actor_spans

    loaded = [(Span(m["start"], m["end"]), loaded_label_stance(m["text"]))
              for e in doc.layer("entities") for m in e["mentions"] if m.get("label") == "loaded"]
    doc.layers["stance"] = compute_stance(doc, actor_spans(doc.layer("entities")), doc.layer("frames"), loaded)


def _genre(doc: Document, opts: Options) -> None:
    from kansoku.analyze.genre import classify_genre

    doc.layers["genre"] = classify_genre(doc, doc.layer("metadata").get("title"))


def _persuasion(doc: Document, opts: Options) -> None:
    from kansoku.analyze.persuasion import find_persuasion

    doc.layers["persuasion"] = find_persuasion(doc)


def _empty_metadata() -> dict:
    return {"title": None, "title_span": None, "authors": [], "outlet": None, "published": None, "updated": None,
            "original": None, "url": None, "field_sources": {}, "urls": [], "handles": [], "series": None}


def _empty_sourcing() -> dict:
    from kansoku.extract.sourcing import profile_sourcing

    return profile_sourcing(Document(source="", text=""), [], [], [])


#: The analysis, in order. ``Options(disable=...)`` switches stages off by name; ``engine/`` runners use the
#: same table. Each stage's module is imported when the stage first runs.
STAGES: tuple[Stage, ...] = (
    Stage("metadata", _metadata, empty=_empty_metadata),
    Stage("entities", _entities, ("metadata",)),
    Stage("quantities", _quantities),
    Stage("timex", _timex, ("metadata",)),
    Stage("genre", _genre, ("metadata",), empty=lambda: {"label": None, "cues": []}),
    Stage("claims", _claims, ("metadata", "genre")),
    Stage("links", _links, ("claims", "entities", "quantities", "metadata"), empty=lambda: False),
    Stage("events", _events, ("timex", "entities", "claims")),
    Stage("sourcing", _sourcing, ("claims", "quantities", "metadata"), empty=_empty_sourcing),
    Stage("frames", _frames, ("claims",)),
    Stage("stance", _stance, ("entities", "frames")),
    Stage("persuasion", _persuasion),
)
STAGE_NAMES = tuple(st.name for st in STAGES)


class StageError(Exception):
    """A stage failed on a document: says which stage, and the error in one line."""

    def __init__(self, stage: str, exc: BaseException) -> None:
        reason = str(exc).splitlines()[0] if str(exc) else ""
        super().__init__(f"analysis failed in stage {stage!r}: {type(exc).__name__}: {reason}"[:300])
        self.stage = stage


def analyze_doc(doc: Document, options: Options | None = None) -> Document:
    """Run every enabled stage over ``doc`` in order (see :data:`STAGES`); returns ``doc``."""
    opts = options or Options()
    for st in STAGES:
        if st.name in opts.disable:
            doc.layers[st.name] = st.empty()
            continue
        try:
            st.run(doc, opts)
        except Exception as exc:  # noqa: BLE001 - named and reported per document by analyze_batch
            raise StageError(st.name, exc) from exc
    return doc


def to_record(doc: Document, warnings: list[str] | None = None) -> dict:
    """The output contract (docs/output.md) of an analysed document."""
    meta = doc.layers["metadata"]
    record = {
        "schema_version": SCHEMA_VERSION,
        "id": doc_id(doc.text),
        "source": doc.source,
        "title": meta.get("title"),
        "text": doc.text,
        "metadata": {
            "authors": meta.get("authors", []),
            "outlet": meta.get("outlet"),
            "published": meta.get("published"),
            "updated": meta.get("updated"),
            "original": meta.get("original")
            or {"outlet": None, "title": None, "author": None, "published": None},
            "urls": meta.get("urls", []),
            "handles": meta.get("handles", []),
            "series": meta.get("series"),
            "title_span": meta.get("title_span"),
            "url": meta.get("url"),
            "field_sources": meta.get("field_sources", {}),
        },
        "sentences": [[s.start, s.end] for s in doc.sentences],
        "entities": doc.layers["entities"],
        "quantities": doc.layers["quantities"],
        "timex": doc.layers["timex"],
        "events": doc.layers["events"],
        "claims": doc.layers["claims"],
        "stance": doc.layers["stance"],
        "frames": doc.layers["frames"],
        "genre": doc.layers["genre"],
        "persuasion": doc.layers["persuasion"],
        "sourcing": doc.layers["sourcing"],
        "warnings": list(doc.warnings if warnings is None else warnings),
        "pipeline": {"kansoku": __version__},
    }
    if doc.fetch:  # a page fetched by `kansoku collect`: metadata.fetch (docs/output.md)
        record["metadata"]["fetch"] = dict(doc.fetch)
    return record


#: failure drills (docs/scale.md): when this environment variable is set, a document whose text contains
#: its value fails in analysis, so that an engine's handling of a poison document can be exercised end to
#: end (Spark executors, pool workers) without patching code.  Unset, it costs one lookup per document.
FAULT_ENV = "KANSOKU_FAULT_MARKER"


class InjectedFault(RuntimeError):
    """The failure a drill asked for (see FAULT_ENV)."""


def analyze_document(raw: RawDoc, options: Options | None = None) -> dict:
    """One raw document in, one output record (the JSON contract, docs/output.md) out."""
    return to_record(analyze_doc(_prepare_checked(raw), options))


def _prepare_checked(raw: RawDoc) -> Document:
    marker = os.environ.get(FAULT_ENV)
    if marker and marker in (raw.text or ""):
        raise InjectedFault(f"{FAULT_ENV} marker found in the text")
    return prepare(raw)


def _iso_date(value: str | None) -> str | None:
    if not value:
        return None
    v = str(value)[:10]
    if len(v) == 10 and v[4] == "-" and v[7] == "-" and v[:4].isdigit():
        return v
    return None


#: documents prepared and tagged together by analyze_batch: the tagger's decoding steps are shared by the
#: group (kansoku.nlp.batch), and no more than this many documents' tokens are held at once
NLP_GROUP = 16


def analyze_batch(raws: list[RawDoc], options: Options | None = None) -> list[dict | ReadError]:
    """The pure core: a batch of raw documents in, one record (or a one-line error) per document out.

    The documents go in groups of :data:`NLP_GROUP`: each is read and normalised (:func:`prepare`), the nlp
    stage tokenises and tags the group's sentences together, then each document runs the later stages.  A
    document that fails at any step becomes its one-line error; the others go on."""
    opts = options or Options()
    out: list[dict | ReadError] = []
    for k in range(0, len(raws), NLP_GROUP):
        group = raws[k : k + NLP_GROUP]
        docs: list[Document | ReadError] = []
        for raw in group:
            try:
                docs.append(_prepare_checked(raw))
            except Exception as exc:  # noqa: BLE001 - one bad document must not stop the batch
                docs.append(_failure(raw, exc))
        if "entities" not in opts.disable:
            from kansoku.nlp.batch import tag_documents

            # a failure here is met again in each document's own entity stage, which names it for that document
            with contextlib.suppress(Exception):
                tag_documents([d for d in docs if isinstance(d, Document)])
        for raw, doc in zip(group, docs, strict=True):
            if isinstance(doc, ReadError):
                out.append(doc)
                continue
            try:
                out.append(to_record(analyze_doc(doc, opts)))
            except Exception as exc:  # noqa: BLE001 - one bad document must not stop the batch
                out.append(_failure(raw, exc))
    rx.save()  # patterns first compiled in this batch, for the next process (workers skip atexit)
    prefilter.save()  # and the literal guards first computed
    _freeze_loaded()
    return out


def _failure(raw: RawDoc, exc: Exception) -> ReadError:
    """A document's one-line error: a stage's failure names the stage, anything else its exception."""
    if isinstance(exc, StageError):
        return ReadError(raw.source, f"{exc}; please report it with this file")
    reason = str(exc).splitlines()[0] if str(exc) else ""
    return ReadError(raw.source, f"analysis failed: {type(exc).__name__}: {reason}"[:300])


_frozen = False


def _freeze_loaded() -> None:
    """Once per process, after its first batch: what is loaded by then (NER model, gazetteer, catalogues,
    compiled patterns) lives as long as the process, so it leaves the cyclic collector's generations
    (``gc.freeze``) and full collections stop walking it: collection time over 300 livedoor articles
    0.23 -> 0.11 s.  Objects made later are collected as before."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.freeze()


def _work(
    args: tuple[list[RawDoc], Options], derive: Callable[[dict], object] | None = None
) -> list[dict | ReadError]:
    out = analyze_batch(*args)
    if derive is not None:
        for r in out:
            # when derive raises, the key is left out: the caller derives again and reports it there
            with contextlib.suppress(Exception):
                if isinstance(r, dict):
                    r[DERIVED] = derive(r)
    release_memory()
    return out


@lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        import ctypes

        return ctypes.CDLL(None).malloc_trim  # type: ignore[no-any-return]
    except (OSError, AttributeError):  # not glibc
        return None


def release_memory() -> None:
    """Give the heap pages freed by a batch back to the system (glibc keeps them otherwise): a long run's
    workers stay ~13 MiB smaller each, for well under 1 % of the time (~0.05 ms a call)."""
    fn = _malloc_trim()
    if fn is not None:
        fn(0)


def run(
    items: Iterable[RawDoc | ReadError],
    options: Options | None = None,
    workers: int | None = None,
    batch_size: int = 8,
    on_result: Callable[[dict | ReadError], None] | None = None,
    derive: Callable[[dict], object] | None = None,
) -> Iterator[dict | ReadError]:
    """Analyse a stream of raw documents, in order, with ``workers`` processes (default: CPU count).

    Read errors in the input stream are passed through unchanged so that callers report them in place.
    Input is consumed lazily, a few batches ahead of the workers, so memory stays bounded.
    ``derive`` (a module-level function, so that it pickles): run on each record in the worker that made
    it, its result put under ``record[DERIVED]`` (left out when it raises), so that the caller's own
    per-record work runs in parallel too (ingest: the store's token pass; the parent then loads no
    tokenizer).  The caller removes the key.
    """
    opts = options or Options()
    workers = workers if workers is not None else min(os.cpu_count() or 1, 4)

    def batches() -> Iterator[tuple[list[RawDoc], Options] | ReadError]:
        buf: list[RawDoc] = []
        for it in items:
            if isinstance(it, ReadError):
                if buf:
                    yield (buf, opts)
                    buf = []
                yield it
                continue
            size = len(it.text or it.html or "")
            if size > opts.max_chars:
                if buf:
                    yield (buf, opts)
                    buf = []
                yield ReadError(
                    it.source,
                    f"document has {size:,} characters, above the --max-chars limit of {opts.max_chars:,}; "
                    "split it or raise the limit",
                )
                continue
            buf.append(it)
            if len(buf) >= batch_size or sum(len(r.text or r.html or "") for r in buf) > 2_000_000:
                yield (buf, opts)
                buf = []
        if buf:
            yield (buf, opts)

    if workers <= 1:
        for b in batches():
            results = [b] if isinstance(b, ReadError) else _work(b, derive)
            for r in results:
                if on_result:
                    on_result(r)
                yield r
        return

    ctx = mp.get_context("forkserver" if os.name == "posix" else "spawn")
    in_flight: deque = deque()
    with ctx.Pool(workers, initializer=_warm) as pool:
        for b in batches():
            in_flight.append(pool.apply_async(_passthrough, (b, derive)))
            # bounded look-ahead: never more than two batches per worker queued
            while len(in_flight) > 2 * workers:
                yield from _drain(in_flight.popleft().get(), on_result)
        while in_flight:
            yield from _drain(in_flight.popleft().get(), on_result)


def _drain(results: list[dict | ReadError], on_result) -> Iterator[dict | ReadError]:
    for r in results:
        if on_result:
            on_result(r)
        yield r


def _passthrough(
    b: tuple[list[RawDoc], Options] | ReadError, derive: Callable[[dict], object] | None = None
) -> list[dict | ReadError]:
    if isinstance(b, ReadError):
        return [b]
    return _work(b, derive)


def _warm() -> None:
    """Load tokenizer and data once per worker process, before the first batch.

    Workers ignore Ctrl-C: the terminal sends it to the whole process group, and only the parent stops
    the pool (so an interrupted run prints one line, not a traceback per worker).
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from kansoku.nlp.gazetteer import default
    from kansoku.nlp.ner import model
    from kansoku.nlp.tokens import tokenize

    default()
    model()
    tokenize("ロシアとウクライナ")
