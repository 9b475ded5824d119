"""``workbook flatten`` and ``workbook progress --copies``: print-ready copies of filled PDFs.

The four engines' own fills are in tests/render/pdf/test_engines.py; here, what the command
does with names, long answers, odd files and its output."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pikepdf
import pytest

from tests.helpers import fill, run
from workbook.returned.flatten import flatten_bytes

T = "ease-anxiety_tracker"
SP = "ease-anxiety_session-prep"


@pytest.fixture()
def filled(built_sample: Path, tmp_path: Path) -> Path:
    return fill(
        built_sample / "downloads/ease-anxiety-session-prep.pdf",
        tmp_path / "sam.pdf",
        {
            f"{SP}_name": "Sam Okafor",
            f"{SP}_progress": "Calmer.",
            f"{SP}_closeness": "/4",
            f"{SP}_s2": "/Yes",
        },
    )


def text_of(path: Path) -> str:
    return " ".join(
        subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout.split()
    )


def test_flatten_writes_a_copy_beside_the_file_and_never_replaces_one(filled: Path) -> None:
    result = run(["flatten", "sam.pdf"], filled.parent)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Wrote sam-print.pdf: 2 answers and 2 ticks drawn, no form fields left.\n"
    )
    copy = filled.parent / "sam-print.pdf"
    assert stat.S_IMODE(os.stat(copy).st_mode) == 0o600  # it holds a client's answers
    assert "Sam Okafor" in text_of(copy) and "Calmer." in text_of(copy)
    with pikepdf.open(copy) as pdf:
        assert "/AcroForm" not in pdf.Root
        assert "/GoalWorkbooks" not in pdf.docinfo  # progress reads the filled file, not this
    before = copy.read_bytes()
    again = run(["flatten", "sam.pdf"], filled.parent)
    assert again.exit_code == 1
    assert again.stderr == (
        "sam-print.pdf: exists already; refusing to replace it. Choose "
        "another name, or move the old file away\n"
    )
    assert copy.read_bytes() == before


def test_flatten_is_deterministic(filled: Path) -> None:
    assert flatten_bytes(filled, "sam.pdf").data == flatten_bytes(filled, "sam.pdf").data


def test_a_long_answer_shrinks_to_fit_and_a_too_long_one_is_said(
    built_sample: Path, tmp_path: Path
) -> None:
    source = built_sample / "downloads/ease-anxiety-session-prep.pdf"
    fill(source, tmp_path / "long.pdf", {f"{SP}_bring-up1": "word " * 30})
    result = run(["flatten", "long.pdf"], tmp_path)
    assert result.exit_code == 0 and result.stderr == ""
    assert text_of(tmp_path / "long-print.pdf").count("word") == 30
    fill(source, tmp_path / "huge.pdf", {f"{SP}_bring-up1": "word " * 800})
    result = run(["flatten", "huge.pdf", "--out", "huge-copy.pdf"], tmp_path)
    assert result.exit_code == 0
    assert result.stderr == (
        f"huge.pdf: warning: {SP}_bring-up1: the answer is too long to "
        "show whole at 4 pt; the copy shows it running past its box\n"
    )


def test_a_character_the_theme_font_lacks_is_said_not_dropped(
    built_sample: Path, tmp_path: Path
) -> None:
    fill(
        built_sample / "downloads/ease-anxiety-session-prep.pdf",
        tmp_path / "cjk.pdf",
        {f"{SP}_name": "Mei 美"},
    )
    result = run(["flatten", "cjk.pdf"], tmp_path)
    assert result.exit_code == 0
    assert result.stderr == (
        f"cjk.pdf: warning: {SP}_name: the theme font has no glyph for \\u7f8e, shown as a box\n"
    )


def test_a_file_without_a_form_or_not_a_pdf_is_refused(built_sample: Path, tmp_path: Path) -> None:
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        pdf.save(tmp_path / "plain.pdf")
    (tmp_path / "notes.pdf").write_text("not a pdf")
    result = run(["flatten", "plain.pdf"], tmp_path)
    assert (result.exit_code, result.stderr) == (
        1,
        (
            "plain.pdf: has no form fields; there is nothing to flatten\n"
            "1 problem found; no copy was written\n"
        ),
    )
    result = run(["flatten", "notes.pdf"], tmp_path)
    assert (result.exit_code, result.stderr) == (
        1,
        (
            "notes.pdf: is not a PDF, or it is damaged; ask for the file again\n"
            "1 problem found; no copy was written\n"
        ),
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.pdf", "plain.pdf"]


def test_flatten_refuses_the_sites_output_folder(
    built_sample: Path, tmp_path: Path, filled: Path
) -> None:
    result = run(["flatten", str(filled), "--out", str(built_sample / "downloads/x.pdf")], tmp_path)
    assert result.exit_code == 1
    assert "refusing to write a filled copy inside the site's output folder" in result.stderr
    assert not (built_sample / "downloads/x.pdf").exists()


def test_progress_copies_one_print_ready_copy_per_file(built_sample: Path, tmp_path: Path) -> None:
    fill(
        built_sample / "downloads/ease-anxiety-tracker.pdf",
        tmp_path / "week 1 (Ana).pdf",
        {f"{T}_date": "4 January 2027", f"{T}_w01_d1_spells": "3", f"{T}_w01_d1_s1": "/Yes"},
    )
    result = run(["progress", "week 1 (Ana).pdf", "--copies", "--out", "report"], tmp_path)
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("Wrote 1 print-ready copy to report/.\n")
    copy = tmp_path / "report/week-1--Ana-print.pdf"
    assert "Day 1" in text_of(copy)
    with pikepdf.open(copy) as pdf:
        assert "/AcroForm" not in pdf.Root
