"""`workbook serve`: live rebuilds, errors on the page, the last good site kept, safe paths."""

from __future__ import annotations

import http.client
import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import run
from workbook import BuildConfig
from workbook.commands.serve import Preview

GOAL = "content/goals/ease-anxiety.yaml"


@pytest.fixture
def preview(project: Path) -> Iterator[Preview]:
    built: list[object] = []
    server = Preview(
        BuildConfig(project_dir=project, pdf=False),
        port=0,
        poll_seconds=0.1,
        on_build=lambda result, error: built.append(result or error),
    )
    server.built = built  # type: ignore[attr-defined]
    server.start()
    yield server
    server.stop()


def request(preview: Preview, path: str, method: str = "GET") -> tuple[int, bytes]:
    host, port = preview.server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.putrequest(method, path, skip_accept_encoding=True)  # path sent exactly as given
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


def status(preview: Preview) -> dict:
    return json.loads(request(preview, "/__workbook__/status")[1])


def wait_for(condition, seconds: float = 15.0) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_edit_shows_on_the_open_page_and_a_broken_file_keeps_the_last_good_site(
    preview: Preview, project: Path, browser
) -> None:
    page = browser.new_page()
    page.goto(preview.url + "goals/ease-anxiety.html")
    assert page.locator("h1").inner_text() == "Ease everyday anxiety"

    # Edit: the open page reloads by itself and shows the change.
    edit(project / GOAL, "title: Ease everyday anxiety", "title: Calm everyday worry")
    page.locator("h1", has_text="Calm everyday worry").wait_for(timeout=15000)
    assert b"Calm everyday worry" in (project / "output/goals/ease-anxiety.html").read_bytes()
    version = status(preview)["version"]

    # Break it: the problem is on the page and in the status; the old page is still served.
    edit(project / GOAL, "timeframe: 12 weeks", "timeframe: soon")
    problems = page.locator("#workbook-problems")
    problems.wait_for(timeout=15000)
    assert f"{GOAL}:" in problems.inner_text()
    assert "timeframe must look like '8 weeks', got 'soon'" in problems.inner_text()
    assert page.locator("h1").inner_text() == "Calm everyday worry"  # not reloaded away
    now = status(preview)
    assert now["ok"] is False and now["version"] > version
    assert any("timeframe must look like" in p for p in now["problems"])
    code, body = request(preview, "/goals/ease-anxiety.html")
    assert code == 200 and b">Calm everyday worry</h1>" in body
    assert isinstance(preview.built[-1], Exception)  # type: ignore[attr-defined]

    # Fix it: the page reloads and the problems are gone.
    edit(project / GOAL, "timeframe: soon", "timeframe: 8 weeks")
    page.locator(".eyebrow", has_text="8 weeks").wait_for(timeout=15000)
    assert page.locator("#workbook-problems").count() == 0
    assert status(preview)["ok"] is True
    page.close()


def test_the_files_on_disk_have_no_reload_script(preview: Preview, project: Path) -> None:
    code, body = request(preview, "/index.html")
    assert code == 200 and b'<script src="/__workbook__/live.js"' in body
    assert b"__workbook__" not in (project / "output/index.html").read_bytes()
    assert request(preview, "/")[1] == body
    assert request(preview, "/goals/")[1] == request(preview, "/goals/index.html")[1]


@pytest.mark.parametrize(
    "path",
    [
        "/../workbook.yaml",
        "/goals/../../workbook.yaml",
        "/%2e%2e/workbook.yaml",
        "/%2E%2E%2Fworkbook.yaml",
        "/goals/..%2f..%2fworkbook.yaml",
        "/..%5cworkbook.yaml",
        "/%00index.html",
    ],
)
def test_nothing_outside_the_output_folder_is_served(preview: Preview, path: str) -> None:
    code, body = request(preview, path)
    assert code == 403
    assert b"title:" not in body


def test_a_symlink_out_of_the_output_folder_is_refused(preview: Preview, project: Path) -> None:
    os.symlink(project / "workbook.yaml", project / "output/leak.yaml")
    os.symlink(project / "content", project / "output/leak")
    assert request(preview, "/leak.yaml")[0] == 403
    assert request(preview, "/leak/goals/ease-anxiety.yaml")[0] == 403
    assert request(preview, "/.workbook-output")[0] == 404  # hidden files are not served


def test_only_get_and_head_are_answered(preview: Preview) -> None:
    code, body = request(preview, "/index.html", "HEAD")
    assert code == 200 and body == b""
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "BREW"):
        assert request(preview, "/index.html", method)[0] == 405, method
    assert request(preview, "/no-such-page.html")[0] == 404


def test_malformed_requests_do_not_stop_the_server(preview: Preview) -> None:
    host, port = preview.server.server_address[:2]
    for garbage in (
        b"GARBAGE\r\n\r\n",
        b"GET\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n",
        b"\x00\xff\xfe\r\n\r\n",
        b"GET http://evil.example/ HTTP/1.1\r\n\r\n",
        b"",
    ):
        with socket.create_connection((host, port), timeout=5) as sock:
            sock.sendall(garbage)
            sock.shutdown(socket.SHUT_WR)
            reply = sock.recv(200)
        assert not reply.startswith(b"HTTP/1.0 200"), reply  # an error, or nothing
    assert request(preview, "/index.html")[0] == 200


def test_serve_without_a_good_first_build_shows_the_problems(project: Path) -> None:
    edit(project / GOAL, "timeframe: 12 weeks", "timeframe: soon")
    server = Preview(BuildConfig(project_dir=project, pdf=False), port=0, poll_seconds=0.1)
    server.start()
    try:
        code, body = request(server, "/index.html")
        assert code == 503
        assert b"timeframe must look like" in body and b"/__workbook__/live.js" in body
        edit(project / GOAL, "timeframe: soon", "timeframe: 12 weeks")
        wait_for(lambda: request(server, "/index.html")[0] == 200)
    finally:
        server.stop()


def test_cli_refuses_a_port_in_use(project: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(["serve", str(project), "--port", str(port), "--no-pdf"], project)
    assert result.exit_code == 1
    assert (
        f"port {port} on 127.0.0.1 is already in use; choose another with --port" in result.output
    )
    assert "Traceback" not in result.output


def test_binds_to_this_computer_only_by_default(preview: Preview) -> None:
    assert preview.server.server_address[0] == "127.0.0.1"
