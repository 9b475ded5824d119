"""``progress(config)``: the way back, top to bottom, as ``build()`` is the way out.

    read and check every file → match each to its goal or instrument → compute →
    render → write

Each step is a call into its room: :mod:`workbook.returned` reads what clients hand
back (in a bounded child process), :mod:`workbook.report` matches, computes and renders,
:mod:`workbook.fhir` exports, :mod:`workbook.output.private` writes. Every problem with
the files is found before anything is written, and the places to write are checked
before the report is made; what is written holds personal data, so it goes only where
:mod:`workbook.output.private` allows, private (0700 folders, 0600 files).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from workbook.errors import Problem, WorkbookError
from workbook.fhir.export import fhir_bundle
from workbook.output.private import check_file, check_folder, write_private, write_private_files
from workbook.report.compute import Results, compute
from workbook.report.document import render
from workbook.report.match import match
from workbook.returned.flatten import print_copies
from workbook.returned.reading import read_files

#: What to do instead, in every refusal of a place to write the report or the export.
PROGRESS_PLACE_HINT = "Choose a folder outside the site with --out"


@dataclass
class ProgressConfig:
    files: list[str]  # the returned PDFs, as the user named them
    out: str | None = None  # default: a 'progress' folder beside the first file
    copies: bool = False  # also a print-ready copy of each file, NAME-print.pdf
    fhir: str | None = None  # also the questionnaires' results as a FHIR R4 Bundle here


@dataclass
class ProgressResult:
    """What ``workbook progress`` did: files written, and what to tell the user."""

    written: list[Path]
    summary: list[str]  # a line each; texts from the files, so escaped when printed
    warnings: list[Problem] = field(default_factory=list)


def progress(config: ProgressConfig) -> ProgressResult:
    """Read, match, compute, render, write; WorkbookError (nothing written) for any
    problem with the files or the places to write."""
    inputs = [(Path(name).expanduser(), name) for name in config.files]
    reading = read_files(inputs)  # every file checked, each problem listed
    matched = match(reading)  # trackers to goals, copies to instruments
    results = compute(matched)  # weekly summaries, scores, reliable change, T-score
    folder, fhir = _places(config, inputs, results)  # before anything is made
    rendered = render(results)  # CSVs, charts, report.html and report.pdf
    files = rendered.files
    if config.copies:
        files.update(print_copies(inputs, taken=set(files)))
    bundle = fhir_bundle(results.instruments) if fhir else b""
    written = write_private_files(folder, files, "the report")
    if fhir:
        write_private(fhir, bundle, "the FHIR export")
        written.append(fhir)
    return ProgressResult(written, rendered.summary, results.warnings)


def _places(
    config: ProgressConfig, inputs: list[tuple[Path, str]], results: Results
) -> tuple[Path, Path | None]:
    """The report's folder and the FHIR export's file, refused now if they may not be
    written, so nothing is made that could not be kept."""
    folder = Path(config.out).expanduser() if config.out else inputs[0][0].parent / "progress"
    check_folder(folder, "a progress report", PROGRESS_PLACE_HINT)
    if config.fhir is None:
        return folder, None
    target = Path(config.fhir).expanduser()
    check_file(target, "a FHIR export", PROGRESS_PLACE_HINT)
    if not target.parent.is_dir():
        raise WorkbookError(
            [
                Problem(
                    config.fhir,
                    None,
                    "the folder for the FHIR export does not exist; make it first or choose "
                    "another",
                )
            ]
        )
    if not results.instruments:
        raise WorkbookError(
            [
                Problem(
                    "",
                    None,
                    "--fhir exports questionnaire results, and none of these files holds a "
                    "filled one",
                )
            ]
        )
    return folder, target
