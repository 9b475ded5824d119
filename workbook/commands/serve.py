"""``workbook serve``: a live preview of the site while you write.

It builds the project with :func:`~workbook.build.build`, serves the output
folder over HTTP (on 127.0.0.1 unless told otherwise), and polls the content,
the templates and ``workbook.yaml`` for changes. After each change it builds
again, and the open pages reload themselves.

A build that fails changes nothing on disk (the build only swaps a finished
site into place), so the last good site keeps being served; the problems go
to the terminal (through the ``on_build`` callback) and onto every open page.

The reload needs a script, which is added only to the HTML this server sends,
never to the files on disk: ``<script src="/__workbook__/live.js">``. It is a
same-origin script, so the site's Content-Security-Policy (``script-src
'self'``, ``connect-src 'self'``) lets it run and poll ``/__workbook__/status``.

The server only sends files inside the output folder: paths with ``..`` (plain
or percent-encoded), backslashes or NUL bytes are refused, hidden files are not
served, and a symlink that leads outside the folder is refused. It answers GET
and HEAD only. Polling is plain ``os.scandir`` every half second: projects are
a few hundred files, so a file-watching library would add a dependency for no
gain a person would notice.
"""

from __future__ import annotations

import errno
import html
import json
import mimetypes
import os
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from workbook.build import BuildConfig, BuildResult, build
from workbook.errors import WorkbookError
from workbook.output.write import OUTPUT_MARKER, check_output_dir
from workbook.project import CONFIG_NAME, Project, open_project
from workbook.render.pdf.pool import close_kept_pool

PREFIX = "/__workbook__/"
POLL_SECONDS = 0.5

#: Sent with every HTML page; polls the status and reloads, or shows the problems.
LIVE_JS = r"""/* workbook serve: reload this page when the site is rebuilt. Only in the preview. */
(function () {
  "use strict";
  var seen = Number(document.currentScript.dataset.version);
  var box = null;
  function show(problems) {
    if (!box) {
      box = document.createElement("section");
      box.id = "workbook-problems";
      box.setAttribute("role", "alert");
      Object.assign(box.style, {
        position: "fixed", left: "0", right: "0", bottom: "0", zIndex: "1000",
        maxHeight: "50vh", overflow: "auto", margin: "0", padding: "1rem 1.25rem",
        background: "#5c0a0a", color: "#ffffff", font: "15px/1.5 ui-monospace, monospace",
        borderTop: "4px solid #ff9b9b"
      });
      document.body.appendChild(box);
    }
    box.replaceChildren();
    var title = document.createElement("strong");
    title.textContent = "The last change could not be built; this is the last good version. " +
      "Fix these problems and save again:";
    box.appendChild(title);
    var list = document.createElement("ul");
    problems.forEach(function (problem) {
      var item = document.createElement("li");
      item.textContent = problem;
      list.appendChild(item);
    });
    box.appendChild(list);
  }
  function poll() {
    fetch("/__workbook__/status", { cache: "no-store" }).then(function (response) {
      return response.json();
    }).then(function (status) {
      if (status.version !== seen && status.ok) {
        location.reload();
        return;
      }
      seen = status.version;
      if (status.ok) {
        if (box) { box.remove(); box = null; }
      } else {
        show(status.problems);
      }
      setTimeout(poll, 600);
    }).catch(function () { setTimeout(poll, 1500); });
  }
  poll();
})();
"""

ERROR_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'; connect-src 'self'">
<title>The site could not be built</title>
</head>
<body>
<main>
<h1>The site could not be built</h1>
<p>Fix these problems and save; this page reloads when the site builds.</p>
<ul>{items}</ul>
</main>
</body>
</html>
"""


@dataclass
class Status:
    version: int = 0  # goes up after every build, good or bad
    problems: list[str] = field(default_factory=list)  # empty when the last build worked
    has_site: bool = False  # the output folder holds a site to serve

    def as_json(self) -> bytes:
        return json.dumps(
            {"version": self.version, "ok": not self.problems, "problems": self.problems}
        ).encode("utf-8")


BuildCallback = Callable[["BuildResult | None", "BaseException | None"], None]


class Preview:
    """Build, serve and watch one project. ``start()`` then ``stop()``; or ``serve_forever()``."""

    def __init__(
        self,
        config: BuildConfig,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        on_build: BuildCallback | None = None,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self.project: Project = open_project(config.project_dir)
        self.out_dir = check_output_dir(config.out or self.project.root / "output", self.project)
        # the PDF workers stay up between rebuilds: WeasyPrint loads once per preview
        self.config = BuildConfig(
            project_dir=self.project.root,
            out=self.out_dir,
            paper=config.paper,
            pdf=config.pdf,
            jobs=config.jobs,
            keep_workers=True,
        )
        self.on_build = on_build or (lambda result, error: None)
        self.poll_seconds = poll_seconds
        self.status = Status(has_site=(self.out_dir / OUTPUT_MARKER).is_file())
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        try:
            self.server = _Server((host, port), _Handler)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise WorkbookError(
                    f"port {port} on {host} is already in use; choose another with --port"
                ) from None
            raise WorkbookError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from None
        self.server.preview = self

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        host = host.decode() if isinstance(host, bytes) else host  # a TCP server's: text
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"

    # ------------------------------------------------------------ running

    def start(self) -> None:
        """Build once, then serve and watch in background threads."""
        self._seen = self.snapshot()  # before building: a change made meanwhile is not missed
        self.rebuild()
        for target in (self.server.serve_forever, self._watch):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)

    def serve_forever(self) -> None:
        self.start()
        try:
            while not self._stopping.wait(3600):
                pass
        finally:
            self.stop()

    def stop(self) -> None:
        self._stopping.set()
        self.server.shutdown()
        self.server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        close_kept_pool()

    def rebuild(self) -> None:
        """Build the site; on failure keep the last good one and remember the problems."""
        try:
            result = build(self.config)
        except WorkbookError as error:
            with self._lock:
                self.status.version += 1
                self.status.problems = [str(problem) for problem in error.problems]
            self.on_build(None, error)
            return
        except Exception as error:  # a bug: keep the preview alive and say so
            with self._lock:
                self.status.version += 1
                self.status.problems = [
                    "internal error while building: "
                    + "".join(traceback.format_exception_only(error)).strip()
                ]
            self.on_build(None, error)
            return
        with self._lock:
            self.status.version += 1
            self.status.problems = []
            self.status.has_site = True
        self.on_build(result, None)

    def snapshot(self) -> dict[str, tuple[int, int]]:
        """Modification time and size of every file the build reads."""
        seen: dict[str, tuple[int, int]] = {}
        roots = [
            self.project.root / CONFIG_NAME,
            self.project.content_dir,
            *self.project.theme_dirs,
        ]
        for root in roots:
            _scan(root, seen)
        return seen

    def _watch(self) -> None:
        before = self._seen
        while not self._stopping.wait(self.poll_seconds):
            now = self.snapshot()
            if now == before:
                continue
            while not self._stopping.wait(0.15):  # let an editor finish saving
                settled = self.snapshot()
                if settled == now:
                    break
                now = settled
            before = now
            if not self._stopping.is_set():
                self.rebuild()

    def current(self) -> Status:
        with self._lock:
            return Status(self.status.version, list(self.status.problems), self.status.has_site)


def _scan(path: Path, seen: dict[str, tuple[int, int]]) -> None:
    try:
        if path.is_file():
            info = path.stat()
            seen[str(path)] = (info.st_mtime_ns, info.st_size)
            return
        with os.scandir(path) as entries:
            for entry in entries:
                if entry.name.startswith(".") or entry.name.endswith("~"):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    _scan(Path(entry.path), seen)
                elif entry.is_file():
                    info = entry.stat()
                    seen[entry.path] = (info.st_mtime_ns, info.st_size)
    except OSError:
        return  # removed while we looked: the next poll sees it


# ------------------------------------------------------------ HTTP


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    preview: Preview

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up or sends garbage is no reason to print a traceback."""


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "workbook-serve"
    sys_version = ""

    def version_string(self) -> str:
        return self.server_version

    protocol_version = "HTTP/1.0"

    def log_message(self, format: str, *args) -> None:  # a quiet terminal
        pass

    # Every method but GET and HEAD: 405.
    def __getattr__(self, name: str) -> Callable[[], None]:
        if name.startswith("do_"):
            return self._not_allowed
        raise AttributeError(name)

    def _not_allowed(self) -> None:
        self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def do_GET(self) -> None:
        self._respond(head=False)

    # ------------------------------------------------------------

    def _respond(self, head: bool) -> None:
        preview = self.server.preview
        raw = self.path
        if not raw.startswith("/"):
            return self._plain(HTTPStatus.BAD_REQUEST, "bad request", head)
        path = urlsplit(raw).path
        if path.startswith(PREFIX):
            return self._internal(path[len(PREFIX) :], head)
        status = preview.current()
        if not status.has_site:
            items = (
                "".join(f"<li>{html.escape(p)}</li>" for p in status.problems)
                or "<li>The first build has not finished yet.</li>"
            )
            body = self._with_live(ERROR_PAGE.format(items=items).encode("utf-8"), status)
            return self._send(
                HTTPStatus.SERVICE_UNAVAILABLE, "text/html; charset=utf-8", body, head
            )
        parts = self._safe_parts(path)
        if parts is None:
            return self._plain(HTTPStatus.FORBIDDEN, "refused: outside the site", head)
        found = self._find(preview.out_dir, parts)
        if found is None:
            missing = self._find(preview.out_dir, ["404.html"])
            if not isinstance(missing, Path):
                return self._plain(HTTPStatus.NOT_FOUND, "not found", head)
            code, target = HTTPStatus.NOT_FOUND, missing
        elif isinstance(found, str):  # "outside"
            return self._plain(HTTPStatus.FORBIDDEN, "refused: outside the site", head)
        else:
            code, target = HTTPStatus.OK, found
        try:
            body = target.read_bytes()
        except OSError:
            return self._plain(HTTPStatus.NOT_FOUND, "not found", head)
        kind = _content_type(target)
        if kind.startswith("text/html"):
            body = self._with_live(body, status)
        self._send(code, kind, body, head)

    @staticmethod
    def _safe_parts(path: str) -> list[str] | None:
        """The path's segments, or None if it tries to leave the folder."""
        try:
            decoded = unquote(path, errors="strict")
        except UnicodeDecodeError:
            return None
        if "\x00" in decoded or "\\" in decoded:
            return None
        parts = [part for part in decoded.split("/") if part]
        if any(part in (".", "..") for part in parts):
            return None
        if decoded.endswith("/") or not parts:
            parts.append("index.html")
        return parts

    @staticmethod
    def _find(out_dir: Path, parts: list[str]) -> Path | str | None:
        """The file to send; "outside" for a path that leads out of the folder."""
        if any(part.startswith(".") for part in parts):
            return None
        for _ in range(40):  # the folder is missing only while a build swaps it in
            root = out_dir.resolve()
            if out_dir.is_dir():
                break
            time.sleep(0.05)
        candidate = out_dir.joinpath(*parts)
        try:
            resolved = candidate.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if not resolved.is_relative_to(root):
            return "outside"
        if resolved.is_dir():
            index = (candidate / "index.html").resolve()
            return index if index.is_file() and index.is_relative_to(root) else None
        return resolved if resolved.is_file() else None

    def _internal(self, name: str, head: bool) -> None:
        preview = self.server.preview
        if name == "live.js":
            return self._send(
                HTTPStatus.OK, "text/javascript; charset=utf-8", LIVE_JS.encode("utf-8"), head
            )
        if name == "status":
            return self._send(HTTPStatus.OK, "application/json", preview.current().as_json(), head)
        return self._plain(HTTPStatus.NOT_FOUND, "not found", head)

    @staticmethod
    def _with_live(body: bytes, status: Status) -> bytes:
        tag = (
            f'<script src="{PREFIX}live.js" data-version="{status.version}" defer></script>'
        ).encode()
        at = body.rfind(b"</body>")
        return body[:at] + tag + body[at:] if at >= 0 else body + tag

    def _plain(self, code: HTTPStatus, text: str, head: bool) -> None:
        self._send(code, "text/plain; charset=utf-8", (text + "\n").encode("utf-8"), head)

    def _send(self, code: HTTPStatus, kind: str, body: bytes, head: bool) -> None:
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            self.wfile.write(body)


_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".xml": "application/xml",
    ".pdf": "application/pdf",
    ".ttf": "font/ttf",
    ".wasm": "application/wasm",
    ".txt": "text/plain; charset=utf-8",
}


def _content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    return _TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
