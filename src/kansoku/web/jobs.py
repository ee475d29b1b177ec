"""The ingest page (``kansoku serve --allow-ingest``): uploads, URL lists and server paths, analysed and
stored by a background thread while the rest of the UI stays usable.

Runs go through the same code as the command line: files and paths through
:func:`kansoku.store.ingest.ingest` (as ``kansoku ingest``), URLs through
:func:`kansoku.collect.run.collect` (as ``kansoku collect``, with its robots.txt, per-host delay and
address policy).  One run at a time (SQLite has one writer); later ones wait in a queue.  Uploaded files
are kept beside the store (``STORE.uploads/RUN/``) so that their sources stay readable for ``reanalyze``.

Limits: :data:`MAX_FILES` files of at most :data:`MAX_FILE_MB` MB each, :data:`MAX_LINES` URLs or paths
a run; beyond them the request is refused with one line (413).  A POST must carry the page's token
(a cross-site form cannot read it) and, when the browser sends one, an Origin of this server.
"""

from __future__ import annotations

import queue
import re
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response

MAX_FILES = 200
MAX_FILE_MB = 20
MAX_LINES = 500
_CHUNK = 1 << 16


@dataclass
class Job:
    id: str
    kind: str  # files | urls | paths
    inputs: list[str]
    status: str = "queued"  # queued | running | finished | error
    total: int = 0
    done: int = 0
    failed: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    messages: list[str] = field(default_factory=list)
    created: float = field(default_factory=time.time)
    finished: float | None = None
    error: str | None = None

    def note(self, msg: str) -> None:
        self.messages.append(msg)
        del self.messages[:-50]

    def public(self, lang: str = "ja") -> dict:
        from kansoku.web.i18n import translate

        d = asdict(self)
        d["inputs"] = self.inputs[:20]
        d["input_names"] = [Path(x).name if self.kind == "files" else x for x in self.inputs[:20]]
        d["status_label"] = translate(lang, f"ingest.{self.status}")
        return d


class Jobs:
    """The runs of one server, in a queue served by one thread."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = Path(db_path)
        self.token = secrets.token_urlsafe(24)
        self.jobs: OrderedDict[str, Job] = OrderedDict()
        self._queue: queue.Queue[Job] = queue.Queue()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, daemon=True, name="kansoku-ingest")
        self._thread.start()

    def submit(self, kind: str, inputs: list[str], total: int, job_id: str | None = None) -> Job:
        job = Job(id=job_id or secrets.token_hex(4), kind=kind, inputs=inputs, total=total)
        with self._lock:
            self.jobs[job.id] = job
            while len(self.jobs) > 30:
                self.jobs.popitem(last=False)
        self._queue.put(job)
        return job

    def uploads_dir(self, job_id: str) -> Path:
        d = self.db_path.parent / (self.db_path.name + ".uploads") / job_id
        d.mkdir(parents=True, exist_ok=True)
        return d

    def _serve(self) -> None:
        while True:
            job = self._queue.get()
            job.status = "running"
            try:
                if job.kind == "urls":
                    self._collect(job)
                else:
                    self._ingest(job)
                job.status = "finished"
            except Exception as exc:  # noqa: BLE001 - the run's page shows the one-line reason
                job.status = "error"
                job.error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]
                job.note(job.error)
            job.finished = time.time()

    def _ingest(self, job: Job) -> None:
        from kansoku.store.ingest import ingest

        def on_item(source: str) -> None:
            job.done += 1
            job.total = max(job.total, job.done + job.failed)

        def on_error(err: Any) -> None:
            if getattr(err, "level", "") == "warning":
                job.note(str(err))
                return
            job.failed += 1
            job.total = max(job.total, job.done + job.failed)
            job.note(str(err))

        stats = ingest(self.db_path, paths=[Path(p) for p in job.inputs], on_item=on_item, on_error=on_error)
        job.added, job.updated, job.unchanged = stats.added, stats.updated, stats.unchanged
        job.note(stats.summary())

    def _collect(self, job: Job) -> None:
        from kansoku.collect.run import CollectOptions, collect

        lst = self.uploads_dir(job.id) / "urls.txt"
        lst.write_text("\n".join(job.inputs) + "\n", encoding="utf-8")

        def on_event(e: Any) -> None:
            if e.kind == "page":
                job.done += 1
                if e.status == "failed":
                    job.failed += 1
            elif e.kind == "failed":
                job.failed += 1
                job.note(f"{e.url}: {e.detail}")
            elif e.kind == "warning":
                job.note(f"{e.url}: warning: {e.detail}")
            job.total = max(job.total, job.done)

        stats = collect([str(lst)], self.db_path, CollectOptions(), on_event=on_event)
        job.added, job.updated, job.unchanged = stats.added, stats.updated, stats.unchanged
        job.note(stats.summary())

    def view(self, lang: str = "ja") -> dict:
        with self._lock:
            jobs = list(self.jobs.values())
        return {
            "jobs": [j.public(lang) for j in reversed(jobs)],
            "limits": {"files": MAX_FILES, "file_mb": MAX_FILE_MB, "lines": MAX_LINES},
            "token": self.token,
        }


_SAFE = re.compile(r"[^\w.\-()\[\] \u3000-\u9fff\uff00-\uffef]")


def safe_name(name: str, i: int) -> str:
    """An uploaded file's name as a plain file name (no folders, no control or shell characters)."""
    base = Path(name.replace("\\", "/")).name.strip() or f"upload-{i}"
    base = _SAFE.sub("_", base).lstrip(".") or f"upload-{i}"
    return f"{i:03d}-{base[:120]}"


def _lines(text: str | None) -> list[str]:
    return [x.strip() for x in (text or "").splitlines() if x.strip() and not x.strip().startswith("#")]


def register_ingest(app: FastAPI, store: Any, jobs: Jobs, render: Any, error_response: Any) -> None:
    """Add ``GET/POST /ingest`` and ``GET/POST /api/ingest``, ``GET /api/ingest/{id}`` to APP."""
    from starlette.datastructures import UploadFile

    from kansoku.web.app import _lang_of

    def lang(request: Request) -> str:
        return _lang_of(request, app.state.default_lang)

    @app.get("/ingest", include_in_schema=False)
    def ingest_page(request: Request) -> Response:
        data = jobs.view(lang(request))
        running = any(j["status"] in ("queued", "running") for j in data["jobs"])
        return render(request, "ingest.html", data, "ingest", running=running)

    @app.get("/api/ingest", tags=["ingest"], summary="Ingest runs (with --allow-ingest), their progress and the POST token")
    def ingest_api(request: Request) -> Any:
        from kansoku.web.app import KJSON

        return KJSON(jobs.view(lang(request)))

    @app.get("/api/ingest/{job_id}", tags=["ingest"], summary="One ingest run")
    def ingest_job(request: Request, job_id: str) -> Any:
        from kansoku.web.app import KJSON

        job = jobs.jobs.get(job_id)
        if job is None:
            return error_response(request, 404, "no_job", id=job_id)
        return KJSON(job.public(lang(request)))

    async def submit(request: Request) -> list[Job] | Response:
        origin = request.headers.get("origin")
        if origin and origin != f"{request.url.scheme}://{request.url.netloc}":
            return error_response(request, 403, "upload", detail=f"cross-site request from {origin}")
        try:
            form = await request.form(max_files=MAX_FILES + 1, max_fields=20)
        except Exception as exc:  # noqa: BLE001 - starlette's MultiPartException and parser errors
            return error_response(request, 413, "upload", detail=str(exc)[:200])
        if not secrets.compare_digest(str(form.get("token") or ""), jobs.token):
            return error_response(request, 403, "upload", detail="missing or wrong token (reload the ingest page)")
        files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
        if len(files) > MAX_FILES:
            return error_response(request, 413, "upload", detail=f"{len(files)} files; at most {MAX_FILES} a run")
        urls = _lines(str(form.get("urls") or ""))
        paths = _lines(str(form.get("paths") or ""))
        for what, lst in (("URLs", urls), ("paths", paths)):
            if len(lst) > MAX_LINES:
                return error_response(request, 413, "upload", detail=f"{len(lst)} {what}; at most {MAX_LINES} a run")
        bad = [u for u in urls if not re.match(r"https?://", u)]
        if bad:
            return error_response(request, 400, "upload", detail=f"not an http(s) URL: {bad[0][:100]}")
        missing = [p for p in paths if not Path(p).exists()]
        if missing:
            return error_response(request, 400, "upload", detail=f"{missing[0]}: no such file or folder on the server")
        if not (files or urls or paths):
            return error_response(request, 400, "upload", detail="nothing to ingest: choose files, or give URLs or paths")
        out: list[Job] = []
        if files:
            job_id = secrets.token_hex(4)
            folder = jobs.uploads_dir(job_id)
            saved: list[str] = []
            limit = MAX_FILE_MB * 1024 * 1024
            for i, f in enumerate(files):
                target = folder / safe_name(f.filename or "", i)
                size = 0
                with target.open("wb") as fh:
                    while chunk := await f.read(_CHUNK):
                        size += len(chunk)
                        if size > limit:
                            fh.close()
                            target.unlink(missing_ok=True)
                            return error_response(request, 413, "upload",
                                                  detail=f"{f.filename}: larger than {MAX_FILE_MB} MB")  # fmt: skip
                        fh.write(chunk)
                saved.append(str(target))
            out.append(jobs.submit("files", saved, len(saved), job_id=job_id))
        if urls:
            out.append(jobs.submit("urls", urls, len(urls)))
        if paths:
            out.append(jobs.submit("paths", paths, 0))
        return out

    @app.post("/ingest", include_in_schema=False)
    async def ingest_post(request: Request) -> Response:
        res = await submit(request)
        if isinstance(res, Response):
            return res
        return RedirectResponse("/ingest", status_code=303)

    @app.post("/api/ingest", tags=["ingest"], status_code=202,
              summary="Start ingest runs: multipart form with token, files, urls (one a line), paths (one a line)")  # fmt: skip
    async def ingest_post_api(request: Request) -> Any:
        from kansoku.web.app import KJSON

        res = await submit(request)
        if isinstance(res, Response):
            return res
        return KJSON({"jobs": [j.public(lang(request)) for j in res]}, status_code=202)
