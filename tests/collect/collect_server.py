"""A local HTTP server for the collect tests and bench: routes in memory, every request logged.

``LocalServer(host="127.0.0.1")`` listens on a free port of a loopback address (threaded ``http.server``,
HTTP/1.1 keep-alive). Routes (``add``) answer with a body and content type, an ETag (and optionally a
Last-Modified) for conditional requests, a delay before the headers, a scripted series of statuses with
``Retry-After``, or a large body streamed in chunks. ``log`` holds one :class:`Hit` per request, with the
server-side time it arrived, so tests can prove what was and was not requested and when.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: bool = True
    last_modified: float | None = None  # epoch seconds: send Last-Modified, honour If-Modified-Since
    delay: float = 0.0  # seconds before the status line
    script: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # statuses served first, in turn
    stream_size: int = 0  # send this many bytes (generated) instead of body
    send_length: bool = True
    handler: Callable[[BaseHTTPRequestHandler], tuple[int, dict[str, str], bytes]] | None = None


@dataclass
class Hit:
    t: float  # time.monotonic() when the request line was read
    path: str
    host: str
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    done: float = 0.0


class LocalServer:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[tuple[str | None, str], Route] = {}
        self.log: list[Hit] = []
        self.lock = threading.Lock()
        self.in_flight: dict[str, int] = {}
        self.max_in_flight: dict[str, int] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                server._serve(self)

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: object, client_address: object) -> None:
                pass  # a client that hangs up (a refused large body) is not an error here

        self.httpd = Server((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.host = host
        self.port = self.httpd.server_address[1]
        self.url = f"http://{host}:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> LocalServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def add(self, path: str, body: bytes | str = b"", *, host: str | None = None, **kw: object) -> Route:
        route = Route(body=body.encode("utf-8") if isinstance(body, str) else body, **kw)  # type: ignore[arg-type]
        self.routes[(host, path)] = route
        return route

    def hits(self, path: str | None = None, prefix: str | None = None) -> list[Hit]:
        with self.lock:
            return [
                h for h in self.log
                if (path is None or h.path == path) and (prefix is None or h.path.startswith(prefix))
            ]  # fmt: skip

    def clear(self) -> None:
        with self.lock:
            self.log.clear()

    # ------------------------------------------------------------------------------------------------
    def _serve(self, req: BaseHTTPRequestHandler) -> None:
        host = (req.headers.get("Host") or "").rsplit(":", 1)[0].strip("[]")
        hit = Hit(time.monotonic(), req.path, host, headers={k.lower(): v for k, v in req.headers.items()})
        with self.lock:
            self.log.append(hit)
            self.in_flight[host] = self.in_flight.get(host, 0) + 1
            self.max_in_flight[host] = max(self.max_in_flight.get(host, 0), self.in_flight[host])
        try:
            route = self.routes.get((host, req.path)) or self.routes.get((None, req.path))
            if route is None:
                self._send(req, hit, 404, {"Content-Type": "text/plain"}, b"not found")
                return
            if route.delay:
                time.sleep(route.delay)
            if route.handler is not None:
                status, headers, body = route.handler(req)
                self._send(req, hit, status, headers, body)
                return
            with self.lock:
                scripted = route.script.pop(0) if route.script else None
            if scripted is not None:
                status, headers = scripted
                self._send(req, hit, status, {"Content-Type": "text/plain", **headers}, f"status {status}".encode())
                return
            headers = {"Content-Type": route.content_type, **route.headers}
            if route.stream_size:
                self._stream(req, hit, route, headers)
                return
            if route.etag:
                tag = '"' + hashlib.sha1(route.body).hexdigest()[:16] + '"'
                headers["ETag"] = tag
                if req.headers.get("If-None-Match") == tag:
                    self._send(req, hit, 304, {"ETag": tag}, b"")
                    return
            if route.last_modified is not None:
                headers["Last-Modified"] = formatdate(route.last_modified, usegmt=True)
                since = req.headers.get("If-Modified-Since")
                if since and not route.etag:
                    from email.utils import parsedate_to_datetime

                    if parsedate_to_datetime(since).timestamp() >= int(route.last_modified):
                        self._send(req, hit, 304, {}, b"")
                        return
            self._send(req, hit, route.status, headers, route.body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with self.lock:
                self.in_flight[host] -= 1
            hit.done = time.monotonic()

    def _send(self, req: BaseHTTPRequestHandler, hit: Hit, status: int, headers: dict[str, str], body: bytes) -> None:
        hit.status = status
        req.send_response(status)
        for k, v in headers.items():
            req.send_header(k, v)
        if status != 304:
            req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        if body and status != 304:
            req.wfile.write(body)

    def _stream(self, req: BaseHTTPRequestHandler, hit: Hit, route: Route, headers: dict[str, str]) -> None:
        hit.status = route.status
        req.send_response(route.status)
        for k, v in headers.items():
            req.send_header(k, v)
        if route.send_length:
            req.send_header("Content-Length", str(route.stream_size))
        else:
            req.send_header("Connection", "close")
            req.close_connection = True
        req.end_headers()
        chunk = b"<p>" + "長い本文".encode() * 4000 + b"</p>\n"
        sent = 0
        while sent < route.stream_size:
            part = chunk[: route.stream_size - sent]
            req.wfile.write(part)
            sent += len(part)
