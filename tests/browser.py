"""Browser-test helpers: Debian's Chromium driven by Playwright, a local web server,
and the npm-installed checkers (axe-core, the Nu HTML Checker).

Nothing here skips: a missing Chromium, Java or npm fails the test with the
command that installs it (``.ci/run`` installs them all). Playwright never
downloads a browser; it drives ``/usr/bin/chromium``.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WEB = Path(__file__).parent / "web"  # package.json: axe-core and vnu-jar, pinned
AXE_JS = WEB / "node_modules/axe-core/axe.min.js"
VNU_JAR = WEB / "node_modules/vnu-jar/build/dist/vnu.jar"


@pytest.fixture(scope="session")
def web_tools() -> Path:
    """axe-core and the Nu HTML Checker from npm (tests/web), installed on first use."""
    if not AXE_JS.is_file() or not VNU_JAR.is_file():
        if shutil.which("npm") is None:
            pytest.fail("npm is needed to install axe-core and vnu-jar: apt-get install nodejs npm")
        subprocess.run(["npm", "ci", "--silent", "--no-audit", "--no-fund"], cwd=WEB, check=True)
    return WEB


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium for the whole session."""
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (never 'playwright install')")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:
        pass


class StaticSite:
    """A folder served over HTTP on 127.0.0.1, as any static host would serve it."""

    def __init__(self, folder: Path):
        handler = functools.partial(_QuietHandler, directory=str(folder))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/"
        self.netloc = urlsplit(self.url).netloc

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextlib.contextmanager
def static_site(folder: Path) -> Iterator[StaticSite]:
    site = StaticSite(folder)
    try:
        yield site
    finally:
        site.close()


@pytest.fixture(scope="session")
def sample_site(built_sample: Path) -> Iterator[StaticSite]:
    """The built sample (with PDFs) on a local web server."""
    with static_site(built_sample) as site:
        yield site
