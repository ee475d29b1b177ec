"""The web UI's views: one function per page, returning plain data.

Each function here is the whole of a page's work: the ``/api/...`` route returns its result as JSON, the
HTML route renders a template over the same dict (the Datasette pattern).  They read the store through
:mod:`kansoku.store` and :mod:`kansoku.corpus` only, a bounded number of rows each; bad input raises
:class:`WebError` with a status and a message key of :mod:`kansoku.web.i18n`.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from kansoku.corpus.base import Corpus
from kansoku.store import browse, db
from kansoku.store.search import HL_CLOSE, HL_OPEN, plain
from kansoku.web.highlight import snippet_parts
from kansoku.web.i18n import translate

#: Results per page (search), claims per page, events per page, stories per page.
PER_PAGE = 20
CLAIMS_PER_PAGE = 50
EVENTS_PER_PAGE = 100
STORIES_PER_PAGE = 50
#: A story page compares at most this many articles (the newest); a briefing reads at most this many.
STORY_MAX_DOCS = 60
BRIEFING_MAX_DOCS = 100
#: Above this many articles the timeline page needs an entity or a story.
TIMELINE_UNFILTERED_MAX = 20_000
#: The last page a listing serves (deep paging costs as much as reading everything before it).
MAX_PAGE = 500


class WebError(Exception):
    """A request the store cannot answer: HTTP STATUS and a message (``key`` of the catalogue + params)."""

    def __init__(self, status: int, key: str, **params: object) -> None:
        self.status = status
        self.key = key
        self.params = params
        super().__init__(self.message("en"))

    def message(self, lang: str) -> str:
        return translate(lang, f"err.{self.key}", **{k: str(v) for k, v in self.params.items()})


def bad(detail: str) -> WebError:
    return WebError(400, "bad_param", detail=detail)


class Store:
    """The store a server reads: one SQLite connection per thread (read-only unless ``writable``), the
    story clusters computed once per store revision (in a background thread) and small caches."""

    def __init__(self, path: str | Path, writable: bool = False) -> None:
        self.path = Path(path)
        self.writable = writable
        self._local = threading.local()
        self._lock = threading.Lock()
        self._stories: dict[str, Any] = {"rev": None, "list": None, "by_id": {}, "by_doc": {}}
        self._stories_thread: threading.Thread | None = None
        self._speakers: tuple[str, list[dict]] | None = None
        self._briefings: OrderedDict[tuple, dict] = OrderedDict()
        con = self.con()  # fails early (missing file, not a store, older layout)
        con.execute("SELECT count(*) FROM meta").fetchone()

    def con(self) -> sqlite3.Connection:
        con = getattr(self._local, "con", None)
        if con is None:
            if self.writable:
                con = db.connect(self.path, create=False, upgrade=False)
            else:
                if not self.path.exists():
                    raise FileNotFoundError(f"{self.path}: no such store (run `kansoku ingest` first)")
                con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, isolation_level=None,
                                      check_same_thread=False, timeout=30.0)  # fmt: skip
                con.row_factory = sqlite3.Row
                con.execute("PRAGMA busy_timeout=30000")
                con.execute("PRAGMA cache_size=-65536")
                con.execute("PRAGMA mmap_size=2147418112")
                try:
                    db.init_schema(con, create=False, upgrade=False)
                except db.StoreVersionError as exc:
                    con.close()
                    raise db.StoreVersionError(f"{self.path}: {exc}") from None
            self._local.con = con
        return con

    def corpus(self) -> Corpus:
        return Corpus(self.con(), owned=False, persistent=True)

    def revision(self) -> str:
        return db.revision(self.con())

    def size(self) -> int:
        return self.con().execute("SELECT count(*) FROM documents").fetchone()[0]

    # ------------------------------------------------------------------------------------------ stories

    def stories(self, wait: bool = False) -> list[dict] | None:
        """The stories of two articles or more, largest first; None while they are being computed (a
        background thread clusters the store once per revision; the store's own cache makes that fast)."""
        rev = self.revision()
        with self._lock:
            if self._stories["rev"] == rev and self._stories["list"] is not None:
                return self._stories["list"]
            if self._stories_thread is None or not self._stories_thread.is_alive():
                self._stories_thread = threading.Thread(target=self._compute_stories, args=(rev,), daemon=True)
                self._stories_thread.start()
            thread = self._stories_thread
        if wait:
            thread.join()
            return self.stories(wait=False) if self._stories["rev"] == rev else self._stories["list"]
        return None

    def _compute_stories(self, rev: str) -> None:
        from kansoku.corpus.stories import cluster_stories

        con = db.connect(self.path, create=False, upgrade=False) if self.writable else None
        try:
            if con is None:
                # read only: a separate connection for the thread's long read
                c = Corpus(sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False),
                           persistent=True)  # fmt: skip
                c.con.row_factory = sqlite3.Row
            else:
                c = Corpus(con, persistent=True)
            with c:
                res = cluster_stories(c)
        except Exception:  # noqa: BLE001 - the stories page says they are unavailable; the rest works
            res = []
        by_doc = {d: s["id"] for s in res for d in s["doc_ids"]}
        with self._lock:
            self._stories = {"rev": rev, "list": res, "by_id": {s["id"]: s for s in res}, "by_doc": by_doc}

    def story(self, story_id: str) -> dict | None:
        stories = self.stories(wait=True) or []
        s = self._stories["by_id"].get(story_id)
        if s is None and len(story_id) >= 6:
            hits = [x for x in stories if x["id"].startswith(story_id)]
            s = hits[0] if len(hits) == 1 else None
        return s

    def story_of(self, doc_id: str) -> dict | None:
        """The story a document belongs to, when the stories are known already (never waits)."""
        if self.stories() is None:
            return None
        sid = self._stories["by_doc"].get(doc_id)
        return self._stories["by_id"].get(sid) if sid else None

    def top_speakers(self) -> list[dict]:
        rev = self.revision()
        if self._speakers is None or self._speakers[0] != rev:
            self._speakers = (rev, browse.top_speakers(self.con()))
        return self._speakers[1]

    def cached_briefing(self, key: tuple, make: Any) -> dict:
        key = (self.revision(), *key)
        if key in self._briefings:
            self._briefings.move_to_end(key)
            return self._briefings[key]
        res = make()
        self._briefings[key] = res
        while len(self._briefings) > 16:
            self._briefings.popitem(last=False)
        return res


def _page(page: int) -> int:
    if page < 1 or page > MAX_PAGE:
        raise bad(f"page: expected a number from 1 to {MAX_PAGE}, got {page}")
    return page


# -------------------------------------------------------------------------------------------- search


def search(st: Store, q: str = "", filters: browse.Filters | None = None, page: int = 1,
           sort: str = "relevance") -> dict:  # fmt: skip
    """Search page: ``{"query", "filters", "total", "page", "pages", "per_page", "sort", "facets",
    "facets_over", "results": [{"id", "title", "outlet", "published", "snippet", "snippet_parts", …}]}``.
    Without words and filters: the newest articles."""
    f = filters or browse.Filters()
    try:
        res = browse.search_page(st.con(), q or "", f, page=_page(page), per_page=PER_PAGE, sort=sort)
    except browse.BadRequest as exc:
        raise bad(str(exc)) from None
    for h in res["results"]:
        h["snippet_parts"] = snippet_parts(h["snippet"], HL_OPEN, HL_CLOSE)
        h["snippet"] = plain(h["snippet"])
    return {"query": q or "", "filters": f.active(), **res}


# ------------------------------------------------------------------------------------------- article


def article(st: Store, doc_id: str) -> dict:
    """Article page: the output-contract record as stored."""
    rec = browse.document_record(st.con(), doc_id)
    if rec is None:
        raise WebError(404, "no_article", id=doc_id)
    return rec


# -------------------------------------------------------------------------------------------- entity


def entity(st: Store, entity_id: str, limit: int = 50) -> dict:
    """Entity page: :func:`kansoku.corpus.entity.entity_profile` plus ``spellings`` (each with the reasons
    its mentions were merged) and ``months`` (articles by month and outlet)."""
    from kansoku.corpus.entity import entity_profile

    if not 1 <= limit <= 500:
        raise bad(f"limit: expected a number from 1 to 500, got {limit}")
    prof = entity_profile(st.corpus(), entity_id, max_items=limit)
    if prof is None:
        raise WebError(404, "no_entity", id=entity_id)
    con = st.con()
    variants = prof["variants"][:40]
    methods = browse.spelling_methods(con, prof["id"], [v["text"] for v in variants])
    prof["spellings"] = [{"text": v["text"], "count": v["count"], "methods": methods.get(v["text"], {})}
                         for v in variants]  # fmt: skip
    prof["months"] = browse.entity_months(con, prof["id"])
    return prof


# -------------------------------------------------------------------------------------------- claims


def claims(st: Store, speaker: str | None = None, about: str | None = None, kind: str | None = None,
           page: int = 1) -> dict:  # fmt: skip
    """Claims page: one page of claims (newest articles first) by a speaker, about an entity, of a kind;
    ``speakers``: the speakers with most claims in the store; ``conflicts``: claims on this page's
    articles where different speakers say opposite things about one subject
    (:func:`kansoku.corpus.claims.contradictions`)."""
    from kansoku.corpus.claims import contradictions

    try:
        res = browse.claims_page(st.con(), speaker or None, about or None, kind or None, page=_page(page),
                                 per_page=CLAIMS_PER_PAGE)  # fmt: skip
    except browse.BadRequest as exc:
        raise bad(str(exc)) from None
    doc_ids = list(dict.fromkeys(c["doc_id"] for c in res["claims"]))[:30]
    recs = st.corpus().records(doc_ids) if doc_ids else []
    pairs = contradictions(recs, max_pairs=20)
    conflicts = [{"subject": p["subject"], "shared_terms": p["shared_terms"],
                  "a": _claim_side(p["a"]), "b": _claim_side(p["b"])} for p in pairs]  # fmt: skip
    return {"speaker": speaker or None, "about": about or None, "kind": kind or None, **res,
            "speakers": st.top_speakers(), "conflicts": conflicts}  # fmt: skip


def _claim_side(row: dict) -> dict:
    keys = ("doc_id", "title", "outlet", "published", "speaker", "speaker_entity_id", "kind", "cue", "content",
            "start", "end")
    return {k: row.get(k) for k in keys}


# ------------------------------------------------------------------------------------------- stories


def stories(st: Store, page: int = 1) -> dict:
    """Stories list: ``{"pending", "total", "page", "pages", "stories": [{id, label, size, first, last,
    outlets}]}``; ``pending`` while the clusters are being computed."""
    res = st.stories()
    if res is None:
        return {"pending": True, "total": 0, "page": 1, "pages": 1, "stories": []}
    p = _page(page)
    chunk = res[(p - 1) * STORIES_PER_PAGE : p * STORIES_PER_PAGE]
    outlets = _doc_outlets(st, [d for s in chunk for d in s["doc_ids"]])
    return {
        "pending": False, "total": len(res), "page": p, "pages": max(1, -(-len(res) // STORIES_PER_PAGE)),
        "stories": [{k: s[k] for k in ("id", "label", "size", "first", "last", "cohesion")}
                    | {"outlets": sorted({outlets.get(d, "") for d in s["doc_ids"]} - {""})} for s in chunk],
    }  # fmt: skip


def _doc_outlets(st: Store, doc_ids: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    con = st.con()
    for i in range(0, len(doc_ids), 5000):
        out.update(con.execute(
            "SELECT d.id, f.outlet FROM documents d JOIN doc_features f ON f.n = d.n "
            "WHERE d.id IN (SELECT value FROM json_each(?))", (json.dumps(doc_ids[i : i + 5000]),)
        ).fetchall())  # fmt: skip
    return out


def _doc_rows(st: Store, doc_ids: list[str]) -> list[dict]:
    rows = st.con().execute(
        "SELECT d.id, d.title, f.outlet, f.date FROM documents d JOIN doc_features f ON f.n = d.n "
        "WHERE d.id IN (SELECT value FROM json_each(?)) ORDER BY coalesce(f.date, '9999'), d.id",
        (json.dumps(doc_ids),),
    ).fetchall()
    return [{"id": r[0], "title": r[1], "outlet": r[2], "date": r[3]} for r in rows]


def story(st: Store, story_id: str) -> dict:
    """Story page: the story, its articles by outlet and :func:`kansoku.corpus.compare.compare_story` over
    them (shared and unique entities per pair of outlets, conflicting figures, frames and stance by outlet,
    blind spots).  Stories of more than :data:`STORY_MAX_DOCS` articles are compared on their newest
    ones (``compared`` says how many)."""
    from kansoku.corpus.compare import compare_story

    s = st.story(story_id)
    if s is None:
        raise WebError(404, "no_story", id=story_id)
    docs = _doc_rows(st, s["doc_ids"])
    use = [d["id"] for d in docs[-STORY_MAX_DOCS:]]
    recs = st.corpus().records(use)
    cmp = compare_story(dict(s, doc_ids=use), recs)
    by_outlet: dict[str, list[dict]] = {}
    for d in docs:
        by_outlet.setdefault(d["outlet"] or "", []).append(d)
    pairs = []
    for p in cmp["pairs"][:45]:
        c = p["comparison"]
        ent = c["entities"]
        pairs.append({
            "a": p["a"], "b": p["b"],
            "entities": {"shared": ent["shared"][:30], "only_a": ent["only_a"][:30], "only_b": ent["only_b"][:30]},
            "figures": c["figures"], "blind_spots": c["blind_spots"], "frames": c["frames"], "stance": c["stance"],
            "claims": {"shared": len(c["claims"]["shared"]), "only_a": len(c["claims"]["only_a"]),
                       "only_b": len(c["claims"]["only_b"])},
            "speaker_conflicts": c["speaker_conflicts"][:10],
        })  # fmt: skip
    return {
        "story": {k: s[k] for k in ("id", "label", "size", "first", "last", "cohesion", "near_duplicates")},
        "articles": docs, "by_outlet": by_outlet, "compared": len(use),
        "groups": cmp["groups"], "conflicts": cmp["conflicts"], "agreements": cmp["agreements"],
        "frames": cmp["frames"], "stance": cmp["stance"], "pairs": pairs,
    }  # fmt: skip


COMPARE_MAX_DOCS = 50


def _side_ids(st: Store, key: str) -> list[str]:
    """Documents named by one side of a comparison: comma-separated document ids (or unique prefixes of 6
    or more characters) or an outlet (its newest :data:`COMPARE_MAX_DOCS` articles)."""
    con = st.con()
    ids: list[str] = []
    for part in [x.strip() for x in key.split(",") if x.strip()]:
        rec_id = con.execute("SELECT id FROM documents WHERE id = ?", (part,)).fetchone()
        if rec_id is None and len(part) >= 6:
            found = con.execute("SELECT id FROM documents WHERE id >= ? AND id < ? LIMIT 2", (part, part + "g")).fetchall()
            rec_id = found[0] if len(found) == 1 else None
        if rec_id is not None:
            ids.append(rec_id[0])
            continue
        ids += [r[0] for r in con.execute(
            "SELECT d.id FROM documents d JOIN doc_features f ON f.n = d.n WHERE f.outlet = ? OR d.outlet = ? "
            "ORDER BY coalesce(f.date, '0000') DESC, d.id LIMIT ?", (part, part, COMPARE_MAX_DOCS))]  # fmt: skip
    return list(dict.fromkeys(ids))[:COMPARE_MAX_DOCS]


def compare(st: Store, a: str | None = None, b: str | None = None) -> dict:
    """Compare page: :func:`kansoku.corpus.compare.compare` of side A and side B (each: comma-separated
    document ids, or an outlet), with the articles of each side; without A and B, an empty form."""
    from kansoku.corpus.compare import compare as cmp

    if not a or not b:
        return {"a": a, "b": b, "articles_a": [], "articles_b": [], "comparison": None}
    ia, ib = _side_ids(st, a), _side_ids(st, b)
    for key, ids in ((a, ia), (b, ib)):
        if not ids:
            raise WebError(404, "no_side", id=key)
    c = st.corpus()
    res = cmp(c.records(ia), c.records(ib))
    return {"a": a, "b": b, "articles_a": _doc_rows(st, ia), "articles_b": _doc_rows(st, ib), "comparison": res}


# ------------------------------------------------------------------------------------------ timeline


def timeline(st: Store, entity: str | None = None, story: str | None = None, page: int = 1) -> dict:
    """Timeline page: dated events merged across articles, with independent-source counts, optionally of
    one entity or one story; ``EVENTS_PER_PAGE`` a page."""
    from kansoku.corpus.timeline import timeline as tl

    p = _page(page)
    s = None
    if story:
        s = st.story(story)
        if s is None:
            raise WebError(404, "no_story", id=story)
    name = None
    if entity:
        from kansoku.corpus.entity import resolve_entity

        eid = resolve_entity(st.corpus(), entity)
        if eid is None:
            raise WebError(404, "no_entity", id=entity)
        name = st.corpus().entity_names([eid]).get(eid, (eid,))[0]
        entity = eid
    if s is None and not entity and st.size() > TIMELINE_UNFILTERED_MAX:
        # every event of a large store would be read and merged (2 s at 100,000 articles): ask for a filter
        stories = st.stories() or []
        return {"entity": None, "entity_name": None, "story": None, "page": 1, "more": False, "events": [],
                "needs_filter": True,
                "suggestions": [{"id": x["id"], "label": x["label"], "size": x["size"]} for x in stories[:10]]}  # fmt: skip
    events = tl(st.corpus(), entity=entity, story=s, limit=p * EVENTS_PER_PAGE + 1)
    more = len(events) > p * EVENTS_PER_PAGE
    chunk = events[(p - 1) * EVENTS_PER_PAGE : p * EVENTS_PER_PAGE]
    return {"entity": entity, "entity_name": name, "story": {"id": s["id"], "label": s["label"]} if s else None,
            "page": p, "more": more, "events": chunk, "needs_filter": False, "suggestions": []}  # fmt: skip


# ------------------------------------------------------------------------------------------ briefing


def _briefing_ids(st: Store, q: str | None, story: str | None) -> tuple[list[str], str | None, bool]:
    title = None
    if story:
        s = st.story(story)
        if s is None:
            raise WebError(404, "no_story", id=story)
        ids = s["doc_ids"]
        title = s["label"]
    else:
        from kansoku.corpus.entity import resolve_entity

        c = st.corpus()
        eid = resolve_entity(c, q or "")
        if eid is not None:
            rows = c.con.execute(
                "SELECT d.id FROM doc_entities x JOIN documents d ON d.n = x.n JOIN doc_features f ON f.n = x.n "
                "WHERE x.entity_id = ? AND x.in_record = 1 ORDER BY coalesce(f.date, '0000') DESC, d.id LIMIT ?",
                (eid, BRIEFING_MAX_DOCS + 1),
            ).fetchall()
            ids = [r[0] for r in rows]
        else:
            res = browse.search_page(c.con, q or "", browse.Filters(), per_page=BRIEFING_MAX_DOCS + 1, sort="date")
            ids = [h["id"] for h in res["results"]]
        title = q
    capped = len(ids) > BRIEFING_MAX_DOCS
    if capped and story:
        rows = _doc_rows(st, ids)
        ids = [d["id"] for d in rows[-BRIEFING_MAX_DOCS:]]
    return ids[:BRIEFING_MAX_DOCS], title, capped


def briefing(st: Store, q: str | None = None, story: str | None = None, lang: str = "ja") -> dict:
    """Briefing page: :func:`kansoku.report.briefing.build_briefing` over the articles of a query (the
    entity it names, else the words) or of a story, at most :data:`BRIEFING_MAX_DOCS` (the newest);
    without either, an empty form (``{"query": null, "story": null}``)."""
    from kansoku.report.briefing import build_briefing

    if not (q or "").strip() and not story:
        return {"query": None, "story": None, "briefing": None, "capped": False}
    if lang not in ("ja", "en"):
        raise bad(f"lang: expected ja or en, got {lang!r}")

    def make() -> dict:
        ids, title, capped = _briefing_ids(st, q, story)
        recs = st.corpus().records(ids)
        data = json.loads(json.dumps(build_briefing(recs, title=title, lang=lang), ensure_ascii=False,
                                     default=lambda o: sorted(o)))  # fmt: skip
        return {"query": q or None, "story": story or None, "briefing": data if recs else None, "capped": capped,
                "articles": len(recs)}  # fmt: skip

    return st.cached_briefing((q or "", story or "", lang), make)


def health(st: Store) -> dict:
    return {"ok": True, "store": str(st.path), "articles": st.size(), "revision": st.revision(),
            "writable": st.writable}  # fmt: skip
