"""The kansoku web UI: ``create_app(db_path, lang, allow_ingest)`` builds the FastAPI application.

Every page comes from one view function of :mod:`kansoku.web.views`: ``GET /api/X`` returns its data as
JSON, ``GET /X`` renders a Jinja2 template over the same dict.  Pages work without JavaScript; the few
lines of ``static/app.js`` only add conveniences.  Japanese by default (``lang``), English with
``?lang=en`` (remembered in a cookie), switchable from every page.

Security: Jinja2 autoescaping is on and no template marks data safe; the article text's highlight markup
is built from escaped pieces (:mod:`kansoku.web.highlight`); every response carries a strict
Content-Security-Policy (scripts and styles from this server only, no inline script or style, no
framing); the store is opened read-only unless ``allow_ingest``.
"""


import base64
import json
import math
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

from fastapi import Depends, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.exceptions import HTTPException as StarletteHTTPException

from kansoku import __version__
from kansoku.store.browse import KINDS as CLAIM_KINDS
from kansoku.store.browse import Filters
from kansoku.web import views
from kansoku.web.highlight import entity_url, evidence_panel, highlight
from kansoku.web.i18n import LANGS, translate
from kansoku.web.views import Store, WebError

HERE = Path(__file__).resolve().parent

#: The Content-Security-Policy of every response: nothing inline, nothing from elsewhere.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # not "no-referrer": with it, form posts carry "Origin: null"
    "X-Frame-Options": "DENY",
}


class KJSON(JSONResponse):
    """JSON as UTF-8 text (Japanese as written, not \\u escapes)."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, default=_default).encode("utf-8")


def _default(o: object) -> object:
    if isinstance(o, set | frozenset):
        return sorted(o)
    raise TypeError(type(o).__name__)


# ------------------------------------------------------------------------------------ query parameters


def search_params(
    q: Annotated[str, Query(description="Words (AND); names match every spelling of the entity.")] = "",
    outlet: Annotated[str | None, Query(description="Outlet (substring).")] = None,
    author: Annotated[str | None, Query(description="Author (substring).")] = None,
    entity: Annotated[str | None, Query(description="Articles mentioning this entity (id, name or spelling).")] = None,
    speaker: Annotated[str | None, Query(description="Articles quoting this speaker (id, name or words).")] = None,
    frame: Annotated[str | None, Query(description="Frame id (data/frames.toml).")] = None,
    genre: Annotated[str | None, Query(description="Genre label.")] = None,
    since: Annotated[str | None, Query(description="From this date: YYYY-MM-DD, YYYY-MM or YYYY.")] = None,
    until: Annotated[str | None, Query(description="Until this date (inclusive): YYYY-MM-DD, YYYY-MM or YYYY.")] = None,
    page: Annotated[int, Query(ge=1, le=views.MAX_PAGE)] = 1,
    sort: Annotated[Literal["relevance", "date"], Query()] = "relevance",
) -> dict:
    f = Filters(entity=entity or None, outlet=outlet or None, author=author or None, speaker=speaker or None,
                frame=frame or None, genre=genre or None, since=since or None, until=until or None)  # fmt: skip
    return {"q": q, "filters": f, "page": page, "sort": sort}


def article_params(doc_id: Annotated[str, PathParam(description="Document id (or a unique prefix).")]) -> dict:
    return {"doc_id": doc_id}


def entity_params(
    entity_id: Annotated[str, PathParam(description="Entity id, name or any spelling.")],
    limit: Annotated[int, Query(ge=1, le=500, description="Items per list.")] = 50,
) -> dict:
    return {"entity_id": entity_id, "limit": limit}


def claims_params(
    speaker: Annotated[str | None, Query(description="Speaker: entity id, name, spelling or words.")] = None,
    about: Annotated[str | None, Query(description="Claims whose content mentions this entity.")] = None,
    kind: Annotated[Literal["quote", "reported", "hearsay", "assertion"] | None, Query()] = None,
    page: Annotated[int, Query(ge=1, le=views.MAX_PAGE)] = 1,
) -> dict:
    return {"speaker": speaker, "about": about, "kind": kind, "page": page}


def stories_params(page: Annotated[int, Query(ge=1, le=views.MAX_PAGE)] = 1) -> dict:
    return {"page": page}


def story_params(story_id: Annotated[str, PathParam(description="Story id (s-…) or a unique prefix.")]) -> dict:
    return {"story_id": story_id}


def timeline_params(
    entity: Annotated[str | None, Query(description="Only events involving this entity.")] = None,
    story: Annotated[str | None, Query(description="Only the articles of this story.")] = None,
    page: Annotated[int, Query(ge=1, le=views.MAX_PAGE)] = 1,
) -> dict:
    return {"entity": entity or None, "story": story or None, "page": page}


def _lang_of(request: Request, default: str) -> str:
    q = request.query_params.get("lang")
    if q in LANGS:
        return q
    c = request.cookies.get("lang")
    return c if c in LANGS else default


# ---------------------------------------------------------------------------------------------- app


def create_app(db_path: str | Path, lang: str = "ja", allow_ingest: bool = False) -> FastAPI:
    """The web application over the store DB_PATH; LANG (``ja``/``en``) is the default language;
    ALLOW_INGEST opens the store for writing and adds the ingest page.

    Raises FileNotFoundError (no store there; with ALLOW_INGEST an empty store is created instead),
    :class:`kansoku.store.db.StoreVersionError` (an older layout) or ValueError (a bad LANG)."""
    if lang not in LANGS:
        raise ValueError(f"--lang: expected ja or en, got {lang!r}")
    if allow_ingest and not Path(db_path).exists():
        from kansoku.store import db

        db.connect(db_path).close()
    store = Store(db_path, writable=allow_ingest)
    default_lang = lang
    app = FastAPI(
        title="kansoku",
        version=__version__,
        description="Structured, checkable knowledge from Japanese geopolitical news: the JSON twin of every "
        "page of the kansoku web UI (docs/web.md).",
        docs_url=None,
        redoc_url=None,
    )
    app.state.store = store
    app.state.allow_ingest = allow_ingest
    app.state.default_lang = lang
    env = Environment(
        loader=FileSystemLoader(str(HERE / "templates")),
        autoescape=select_autoescape(["html", "xml"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(entity_url=entity_url, quote=quote, claim_kinds=CLAIM_KINDS, version=__version__)
    env.filters["num"] = lambda v: f"{v:,}" if isinstance(v, int) else v
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    jobs = None
    if allow_ingest:
        from kansoku.web.jobs import Jobs

        jobs = Jobs(store.path)
        app.state.jobs = jobs

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Response:
        response = await call_next(request)
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        q = request.query_params.get("lang")
        if q in LANGS and q != request.cookies.get("lang"):
            response.set_cookie("lang", q, max_age=365 * 86400, samesite="lax", httponly=True)
        return response

    def render(request: Request, template: str, data: Any, page: str, status: int = 200, **extra: Any) -> HTMLResponse:
        lg = _lang_of(request, default_lang)
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]

        def url(path: str, **kw: Any) -> str:
            items = [(k, v) for k, v in kw.items() if v not in (None, "", False)]
            return path + ("?" + urlencode(items) if items else "")

        def here(**kw: Any) -> str:
            """This page's URL with some parameters changed (None removes one); paging restarts."""
            cur = dict(params)
            if "page" not in kw:
                cur.pop("page", None)
            for k, v in kw.items():
                if v in (None, ""):
                    cur.pop(k, None)
                else:
                    cur[k] = str(v)
            return request.url.path + ("?" + urlencode(cur) if cur else "")

        other = "en" if lg == "ja" else "ja"
        ctx = {
            "d": data, "lang": lg, "page": page, "url": url, "here": here,
            "t": lambda key, **p: translate(lg, key, **p),
            "switch_url": request.url.path + "?" + urlencode([*params, ("lang", other)]),
            "api_url": ("/api" + quote(request.url.path, safe="/:@") + ("?" + urlencode(params) if params else ""))
            if page != "error" else None,
            "allow_ingest": allow_ingest, "query_value": request.query_params.get("q", ""),
            **extra,
        }  # fmt: skip
        html = env.get_template(template).render(ctx)
        return HTMLResponse(html, status_code=status)

    def error_response(request: Request, status: int, key: str, **params: Any) -> Response:
        msg_en = translate("en", f"err.{key}", **params)
        if request.url.path.startswith("/api/") or request.url.path in ("/healthz", "/openapi.json"):
            return KJSON({"ok": False, "status": status, "error": msg_en}, status_code=status)
        lg = _lang_of(request, default_lang)
        return render(request, "error.html", {"status": status, "error": translate(lg, f"err.{key}", **params)},
                      "error", status=status)  # fmt: skip

    @app.exception_handler(WebError)
    async def on_web_error(request: Request, exc: WebError) -> Response:
        return error_response(request, exc.status, exc.key, **{k: str(v) for k, v in exc.params.items()})

    @app.exception_handler(RequestValidationError)
    async def on_validation(request: Request, exc: RequestValidationError) -> Response:
        errs = exc.errors()
        first = errs[0] if errs else {}
        where = str((first.get("loc") or ["", "?"])[-1])
        detail = f"{where}: {first.get('msg', 'invalid value')}"
        if first.get("input") is not None:
            detail += f" (got {str(first.get('input'))[:60]!r})"
        return error_response(request, 400, "bad_param", detail=detail)

    @app.exception_handler(StarletteHTTPException)
    async def on_http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return error_response(request, 404, "not_found", path=request.url.path)
        return error_response(request, exc.status_code, "bad_param", detail=str(exc.detail))

    @app.exception_handler(Exception)
    async def on_error(request: Request, exc: Exception) -> Response:
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        return error_response(request, 500, "internal", detail=f"{type(exc).__name__}: {detail}")

    # ------------------------------------------------------------------------------------- pages

    def twin(name: str, html_path: str, api_path: str, template: str, view: Any, dep: Any, summary: str,
             extra: Any = None) -> None:  # fmt: skip
        """GET api_path → view(**params) as JSON; GET html_path → template over the same data."""

        def api(p: Annotated[dict, Depends(dep)]) -> Any:
            return KJSON(view(store, **p))

        def page(request: Request, p: Annotated[dict, Depends(dep)]) -> Any:
            data = view(store, **p)
            more = extra(request, data, p) if extra else {}
            return render(request, template, data, name, **more)

        app.add_api_route(api_path, api, methods=["GET"], name=f"api_{name}", summary=summary, tags=["pages"])
        app.add_api_route(html_path, page, methods=["GET"], name=name, include_in_schema=False,
                          response_class=HTMLResponse)  # fmt: skip

    def search_view(st: Store, q: str, filters: Filters, page: int, sort: str) -> dict:
        return views.search(st, q, filters, page, sort)

    twin("search", "/search", "/api/search", "search.html", search_view, search_params,
         "Full-text search with facets, snippets and paging")

    def article_extra(request: Request, data: dict, p: dict) -> dict:
        return {"text_html": highlight(data), "panel": evidence_panel(data), "story": store.story_of(data["id"])}

    twin("article", "/articles/{doc_id}", "/api/articles/{doc_id}", "article.html",
         lambda st, doc_id: views.article(st, doc_id), article_params,
         "One article: the output-contract record", article_extra)

    def entity_extra(request: Request, data: dict, p: dict) -> dict:
        return {"chart": month_chart(data["months"])}

    twin("entity", "/entities/{entity_id}", "/api/entities/{entity_id}", "entity.html",
         lambda st, entity_id, limit: views.entity(st, entity_id, limit), entity_params,
         "One entity: spellings and why merged, mentions by outlet and month, claims, co-occurring entities",
         entity_extra)
    twin("claims", "/claims", "/api/claims", "claims.html",
         lambda st, **p: views.claims(st, **p), claims_params,
         "Claims by speaker, with contradictions between speakers")
    twin("stories", "/stories", "/api/stories", "stories.html",
         lambda st, page: views.stories(st, page), stories_params, "Story clusters, largest first")
    twin("story", "/stories/{story_id}", "/api/stories/{story_id}", "story.html",
         lambda st, story_id: views.story(st, story_id), story_params,
         "One story: articles by outlet, shared and unique entities, conflicting figures, frames, stance, blind spots")
    def compare_params(
        a: Annotated[str | None, Query(description="Side A: document ids (comma-separated) or an outlet.")] = None,
        b: Annotated[str | None, Query(description="Side B: document ids (comma-separated) or an outlet.")] = None,
    ) -> dict:
        return {"a": a or None, "b": b or None}

    twin("compare", "/compare", "/api/compare", "compare.html",
         lambda st, **p: views.compare(st, **p), compare_params,
         "Compare two articles or outlets: shared and unique entities and claims, figures, frames, stance, blind spots")
    twin("timeline", "/timeline", "/api/timeline", "timeline.html",
         lambda st, **p: views.timeline(st, **p), timeline_params,
         "Dated events across articles with independent-source counts")

    def briefing_params(
        request: Request,
        q: Annotated[str | None, Query(description="Entity or words.")] = None,
        story: Annotated[str | None, Query(description="Story id.")] = None,
    ) -> dict:
        return {"q": q, "story": story, "lang": _lang_of(request, default_lang)}

    def briefing_extra(request: Request, data: dict, p: dict) -> dict:
        return {"charts": briefing_charts(data)}

    twin("briefing", "/briefing", "/api/briefing", "briefing.html",
         lambda st, **p: views.briefing(st, **p), briefing_params,
         "Briefing (key points, glossary, figures, charts) for a query or a story", briefing_extra)

    @app.get("/briefing/download/{fmt}", include_in_schema=True, tags=["downloads"],
             summary="The briefing as Markdown, self-contained HTML, CSV (figures) or JSONL (articles)")
    def briefing_download(fmt: Literal["md", "html", "csv", "jsonl"],
                          p: Annotated[dict, Depends(briefing_params)]) -> Response:  # fmt: skip
        return download(p, fmt)

    @app.get("/healthz", tags=["service"], summary="Liveness: the store and its size")
    def healthz() -> Any:
        return KJSON(views.health(store))

    @app.get("/", include_in_schema=False)
    def root(request: Request) -> Response:
        q = ("?" + urlencode(list(request.query_params.multi_items()))) if request.query_params else ""
        return RedirectResponse("/search" + q, status_code=307)

    @app.get("/api", include_in_schema=False, response_class=HTMLResponse)
    def api_page(request: Request) -> Any:
        spec = app.openapi()
        rows = [{"path": path, "method": m.upper(), "summary": op.get("summary", ""),
                 "params": [{"name": x["name"], "in": x["in"], "description": x.get("description", "")}
                            for x in op.get("parameters", [])]}
                for path, ops in spec["paths"].items() for m, op in ops.items()]  # fmt: skip
        return render(request, "api.html", {"routes": rows}, "api")

    @app.get("/robots.txt", include_in_schema=False)
    def robots() -> Any:
        return PlainTextResponse("User-agent: *\nDisallow: /\n")

    # ---------------------------------------------------------------------------------- downloads

    def download(p: dict, fmt: str) -> Response:
        data = views.briefing(store, **p)
        b = data.get("briefing")
        if not b:
            raise WebError(400, "bad_param", detail="nothing to download: give q or story")
        name = "briefing"
        if fmt == "md":
            from kansoku.report.briefing import render_markdown

            body, mime = render_markdown(b, {}), "text/markdown; charset=utf-8"
        elif fmt == "html":
            from kansoku.report.briefing import make_charts, render_html

            body, mime = render_html(b, make_charts(b)), "text/html; charset=utf-8"
        elif fmt == "csv":
            import csv
            import io

            from kansoku.store.export import csv_cell

            buf = io.StringIO()
            w = csv.writer(buf)
            cols = ["doc_id", "outlet", "text", "value", "unit", "qualifier", "subject", "category", "source"]
            w.writerow(cols)
            for f in b["figures"]:
                w.writerow([csv_cell(f.get(c)) for c in cols])
            body, mime, name = "\ufeff" + buf.getvalue(), "text/csv; charset=utf-8", "figures"
        else:
            ids = [d["id"] for d in b["docs"]]
            body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in store.corpus().records(ids))
            mime, name = "application/x-ndjson; charset=utf-8", "articles"
        headers = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
        if fmt == "html":
            # the briefing page is self-contained with inline CSS: it gets its own, still script-free, policy
            headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
        return Response(body, media_type=mime, headers=headers)

    if jobs is not None:
        from kansoku.web.jobs import register_ingest

        register_ingest(app, store, jobs, render, error_response)
    else:

        @app.get("/ingest", include_in_schema=False)
        def ingest_off(request: Request) -> Response:
            return error_response(request, 403, "ingest_off")

    return app


# ------------------------------------------------------------------------------------------ charts


def month_chart(months: list[dict], width: int = 720, height: int = 220) -> dict | None:
    """Geometry of the entity page's stacked bar chart (articles by month, one colour per outlet), drawn
    by the template as SVG with numeric attributes only (no inline style: the CSP forbids it)."""
    dated = [m for m in months if m["month"]]
    if not dated:
        return None
    by_month: dict[str, dict[str, int]] = {}
    totals: dict[str, int] = {}
    for m in dated:
        by_month.setdefault(m["month"], {})[m["outlet"] or "?"] = m["docs"]
        totals[m["outlet"] or "?"] = totals.get(m["outlet"] or "?", 0) + m["docs"]
    outlets = sorted(totals, key=lambda o: -totals[o])
    top = outlets[:8]
    months_sorted = sorted(by_month)
    if len(months_sorted) > 36:
        months_sorted = months_sorted[-36:]
    peak = max(sum(by_month[m].values()) for m in months_sorted) or 1
    left, bottom, top_pad = 36, 28, 8
    bw = (width - left - 8) / max(1, len(months_sorted))
    bars = []
    for i, m in enumerate(months_sorted):
        y = height - bottom
        for k, o in enumerate([*top, "other"]):
            v = by_month[m].get(o, 0) if o != "other" else sum(v for x, v in by_month[m].items() if x not in top)
            if not v:
                continue
            h = v / peak * (height - bottom - top_pad)
            y -= h
            bars.append({"x": round(left + i * bw + 1, 1), "y": round(y, 1), "w": round(max(1.0, bw - 2), 1),
                         "h": round(h, 1), "c": k, "title": f"{m} {o}: {v}"})  # fmt: skip
    step = max(1, math.ceil(len(months_sorted) / 12))
    labels = [{"x": round(left + i * bw + bw / 2, 1), "text": m} for i, m in enumerate(months_sorted) if i % step == 0]
    legend = [{"c": k, "name": o} for k, o in enumerate(top)]
    if len(outlets) > len(top):
        legend.append({"c": len(top), "name": "…"})
    return {"width": width, "height": height, "bars": bars, "labels": labels, "legend": legend, "peak": peak,
            "axis_y": height - bottom}  # fmt: skip


def briefing_charts(data: dict) -> dict[str, str]:
    """The briefing's charts as ``data:`` URIs of SVG images (an image cannot run script; the page's CSP
    allows ``img-src data:``)."""
    b = data.get("briefing")
    if not b:
        return {}
    from kansoku.report.briefing import make_charts

    return {k: "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
            for k, svg in make_charts(b).items() if svg}  # fmt: skip

