"""The ``workbook`` command: a thin layer over the library.

The only place where a WorkbookError becomes text on stderr and an exit code.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
from pathlib import Path

import click

from . import __version__
from .build import BuildConfig, build, check_project
from .errors import Problem, WorkbookError
from .project import new_project, open_project


def _shown_path(problem: Problem, root: Path | None) -> Problem:
    """Paths in messages relative to where the user is, so they can be opened directly."""
    if root is None or not problem.path or problem.path.startswith("("):
        return problem
    full = root / problem.path
    try:
        shown = os.path.relpath(full)
    except ValueError:  # pragma: no cover - other drive on Windows
        shown = str(full)
    if shown.startswith(".." + os.sep + ".."):
        shown = str(full)
    return Problem(shown, problem.line, problem.message)


def _fail(error: WorkbookError, root: Path | None, what: str) -> None:
    for problem in error.problems:
        click.echo(str(_shown_path(problem, root)), err=True)
    count = len(error.problems)
    if count > 1 or error.problems[0].path:
        click.echo(f"{count} problem{'s' if count != 1 else ''} found; {what}", err=True)
    sys.exit(error.exit_code)


def _root_of(directory: str) -> Path | None:
    path = Path(directory).expanduser()
    return path.resolve() if path.is_dir() else None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="workbook")
def main() -> None:
    """Goal Workbooks: build a self-help site and fillable PDF worksheets,
    trackers and session-prep sheets from YAML goals and Markdown guidance."""


@main.command()
@click.argument("directory", type=click.Path(file_okay=False))
def new(directory: str) -> None:
    """Start a project in DIRECTORY with the sample content and settings."""
    try:
        project = new_project(directory)
    except WorkbookError as error:
        _fail(error, None, "no project was made")
    click.echo(f"Made a new workbook project in {directory}.")
    click.echo(f"Edit {Path(directory) / 'workbook.yaml'} and the files in "
               f"{Path(directory) / 'content'}, then run: workbook build {directory}")
    del project


@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
def check(directory: str) -> None:
    """Check every content file; print each problem as path:line: message."""
    root = _root_of(directory)
    try:
        content = check_project(open_project(directory))
    except WorkbookError as error:
        _fail(error, root, "fix them and run 'workbook check' again")
    click.echo(f"No problems found: {len(content.goals)} goals, {len(content.guidance)} guidance "
               f"pages, {len(content.sheets)} sheets, {len(content.workbooks)} workbooks.")


@main.command(name="build")
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Output folder (default: DIRECTORY/output).")
@click.option("--paper", type=click.Choice(["letter", "a4"]), default=None,
              help="Paper size for the PDFs (default: 'paper' in workbook.yaml).")
@click.option("--no-pdf", "no_pdf", is_flag=True, help="Build the HTML site only (fast).")
def build_command(directory: str, out: str | None, paper: str | None, no_pdf: bool) -> None:
    """Build the site and PDFs into the output folder."""
    root = _root_of(directory)
    config = BuildConfig(
        project_dir=Path(directory),
        out=Path(out) if out else None,
        paper=paper,
        pdf=not no_pdf,
    )
    try:
        result = build(config)
    except WorkbookError as error:
        _fail(error, root, "nothing was written; the previous output is unchanged")
    pdfs = (f" and {result.pdf_files} PDFs ({result.pdf_pages} pages)"
            if result.pdf_files else "")
    click.echo(f"Built {result.html_pages} pages{pdfs} with {result.controls} form fields "
               f"into {os.path.relpath(result.out_dir)} in {result.seconds:.1f} s.")


@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to serve on.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to serve on; the default is reachable from this computer only.")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="Output folder (default: DIRECTORY/output).")
@click.option("--paper", type=click.Choice(["letter", "a4"]), default=None,
              help="Paper size for the PDFs (default: 'paper' in workbook.yaml).")
@click.option("--no-pdf", "no_pdf", is_flag=True, help="Build the HTML site only (fast previews).")
def serve(directory: str, port: int, host: str, out: str | None, paper: str | None,
          no_pdf: bool) -> None:
    """Build, serve on http://127.0.0.1:8000/ and rebuild when a file changes.

    Open pages reload after each build. When a change breaks the build, the
    problems are shown here and on the page, and the last good site stays up."""
    from .serve import Preview

    root = _root_of(directory)

    def report(result, error) -> None:
        stamp = time.strftime("%H:%M:%S")
        if result is not None:
            pdfs = f" and {result.pdf_files} PDFs" if result.pdf_files else ""
            click.echo(f"{stamp} Built {result.html_pages} pages{pdfs} in {result.seconds:.1f} s.")
        elif isinstance(error, WorkbookError):
            for problem in error.problems:
                click.echo(str(_shown_path(problem, root)), err=True)
            count = len(error.problems)
            click.echo(f"{stamp} {count} problem{'s' if count != 1 else ''} found; the last good "
                       "site is still being served", err=True)
        else:
            click.echo(f"{stamp} internal error while building (please report it):", err=True)
            click.echo("".join(traceback.format_exception(error)), err=True)

    config = BuildConfig(project_dir=Path(directory), out=Path(out) if out else None,
                         paper=paper, pdf=not no_pdf)
    try:
        preview = Preview(config, host=host, port=port, on_build=report)
    except WorkbookError as error:
        _fail(error, root, "nothing was served")
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"Warning: serving on {host}; other computers may be able to see the preview.",
                   err=True)
    click.echo(f"Building {os.path.relpath(preview.out_dir)} ...")
    preview.start()
    click.echo(f"Serving {preview.url} - changes to content/, templates/ and workbook.yaml "
               "rebuild the site. Press Ctrl+C to stop.")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        preview.stop()


if __name__ == "__main__":  # pragma: no cover
    main()
