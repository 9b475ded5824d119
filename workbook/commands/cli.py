"""The ``workbook`` command: a thin layer over the library.

The only place where a WorkbookError becomes text on stderr and an exit code.
"""

from __future__ import annotations

import os
import signal
import sys
import time
import traceback
from pathlib import Path
from types import FrameType
from typing import Any

import click

from workbook.build import BuildConfig, BuildResult, build
from workbook.errors import Problem, WorkbookError, one_line
from workbook.formats import PAPERS
from workbook.project import new_project, open_project
from workbook.version import __version__


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


def _fail(error: WorkbookError, root: Path | None, what: str, what_one: str | None = None) -> None:
    """Every problem, a line each, then how many and what happened (``what_one`` when
    there is only one, where the words differ: "fix it" for "fix them")."""
    _warn(error.warnings, root)
    for problem in error.problems:
        click.echo(str(_shown_path(problem, root)), err=True)
    count = len(error.problems)
    if count > 1 or error.problems[0].path:
        said = what_one if count == 1 and what_one else what
        click.echo(f"{_count(count, 'problem')} found; {said}", err=True)
    sys.exit(error.exit_code)


def _warn(warnings: list[Problem], root: Path | None) -> None:
    for warning in warnings:
        shown = _shown_path(warning, root)
        click.echo(str(Problem(shown.path, shown.line, f"warning: {shown.message}")), err=True)


def _count(n: int, thing: str, things: str | None = None) -> str:
    """'1 goal', '2 goals', '1 guidance page'."""
    return f"{n} {thing if n == 1 else things or thing + 's'}"


def _root_of(directory: str) -> Path | None:
    path = Path(directory).expanduser()
    return path.resolve() if path.is_dir() else None


class Command(click.Group):
    """Turns an interruption or a bug into a message and an exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        previous = signal.signal(signal.SIGTERM, _terminated)
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as exc:
            click.echo(
                "Interrupted: nothing was written; the previous output is unchanged.", err=True
            )
            sys.exit(143 if isinstance(exc, Terminated) else 130)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as exc:  # a bug in this program, not a mistake in the content
            report = _save_traceback()
            click.echo(f"Internal error: {type(exc).__name__}: {exc}", err=True)
            click.echo(
                "This is a bug in Goal Workbooks, not in your files; nothing was written "
                f"and the previous output is unchanged. Details: {report}",
                err=True,
            )
            sys.exit(70)
        finally:
            signal.signal(signal.SIGTERM, previous)


class Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C so the build cleans up after itself."""


def _terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated


def _save_traceback() -> str:
    import tempfile

    handle, path = tempfile.mkstemp(prefix="workbook-error-", suffix=".txt")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        traceback.print_exc(file=out)
    return path


#: Options that build and serve (and, for the paper, packet) share, written once.
PAPER_OPTION = click.option(
    "--paper",
    type=click.Choice(PAPERS),
    default=None,
    help="Paper size for the PDFs (default: 'paper' in workbook.yaml).",
)
SITE_OUT_OPTION = click.option(
    "--out",
    type=click.Path(file_okay=False),
    default=None,
    help="Output folder (default: DIRECTORY/output).",
)


@click.group(cls=Command, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="workbook")
def main() -> None:
    """Goal Workbooks: build a self-help site and fillable PDF worksheets,
    trackers and session-prep sheets from YAML goals and Markdown guidance."""


@main.command()
@click.argument("directory", type=click.Path(file_okay=False))
def new(directory: str) -> None:
    """Start a project in DIRECTORY with the sample content and settings."""
    try:
        new_project(directory)
    except WorkbookError as error:
        _fail(error, None, "no project was made")
    click.echo(f"Made a new workbook project in {directory}.")
    click.echo(
        f"Edit {Path(directory) / 'workbook.yaml'} and the files in "
        f"{Path(directory) / 'content'}, then run: workbook build {directory}"
    )


@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
def check(directory: str) -> None:
    """Check every content file; print each problem as path:line: message."""
    from workbook.stages import check_project

    root = _root_of(directory)
    try:
        content = check_project(open_project(directory))
    except WorkbookError as error:
        _fail(
            error,
            root,
            "fix them and run 'workbook check' again",
            "fix it and run 'workbook check' again",
        )
    _warn(content.warnings, root)
    warned = f" ({_count(len(content.warnings), 'warning')} above)" if content.warnings else ""
    click.echo(
        f"No problems found{warned}: {_count(len(content.goals), 'goal')}, "
        f"{_count(len(content.guidance), 'guidance page')}, "
        f"{_count(len(content.sheets), 'sheet')}, "
        f"{_count(len(content.workbooks), 'workbook')}, "
        f"{_count(len(content.questionnaires), 'questionnaire')}."
    )


@main.command(name="build")
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@SITE_OUT_OPTION
@PAPER_OPTION
@click.option("--no-pdf", "no_pdf", is_flag=True, help="Build the HTML site only (fast).")
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="PDF worker processes (default: one per core).",
)
@click.option("--clean", is_flag=True, help="Ignore the build cache and render everything.")
def build_command(
    directory: str, out: str | None, paper: str | None, no_pdf: bool, jobs: int | None, clean: bool
) -> None:
    """Build the site and PDFs into the output folder (only what changed)."""
    root = _root_of(directory)
    bar = ProgressBar()
    config = BuildConfig(
        project_dir=Path(directory),
        out=Path(out) if out else None,
        paper=paper,
        pdf=not no_pdf,
        jobs=jobs,
        clean=clean,
        progress=bar.update if bar.enabled else None,
    )
    try:
        result = build(config)
    except WorkbookError as error:
        bar.finish()
        _fail(error, root, "nothing was written; the previous output is unchanged")
    bar.finish()
    _warn(result.warnings, root)
    where = os.path.relpath(result.out_dir)
    if result.up_to_date:
        click.echo(f"Nothing changed since the last build; {where} is up to date.")
        return
    pdfs = f" and {result.pdf_files} PDFs ({result.pdf_pages} pages)" if result.pdf_files else ""
    changed = f"; {len(result.written)} files changed"
    click.echo(
        f"Built {result.html_pages} pages{pdfs} with {result.controls} form fields "
        f"into {where} in {result.seconds:.1f} s{changed}."
    )


class ProgressBar:
    """PDFs done / total and the current one, on a terminal only (not in CI or a pipe)."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty() and not os.environ.get("CI")
        self.bar: Any = None  # click's progress bar, once the first PDF is done

    def update(self, done: int, total: int, item: str) -> None:
        if self.bar is None:
            self.bar = click.progressbar(
                length=total,
                label="Rendering PDFs",
                file=sys.stderr,
                show_pos=True,
                item_show_func=lambda i: i,
            )
            self.bar.__enter__()
        self.bar.update(1, item)

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option(
    "--goal",
    "goals",
    multiple=True,
    metavar="SLUG",
    help="A goal whose sheets go in: worksheet, tracker, session prep and goal rating (repeat it).",
)
@click.option(
    "--sheet",
    "sheets",
    multiple=True,
    metavar="SLUG",
    help="A free-standing sheet to add (repeat it).",
)
@click.option(
    "--questionnaire",
    "questionnaires",
    multiple=True,
    metavar="SLUG",
    help="A questionnaire to add: dated copies at the start and every 'every' "
    "across the packet's timeframe (repeat it). A goal's own questionnaires "
    "come with it.",
)
@click.option(
    "--every",
    metavar="DURATION",
    help="How often the questionnaires repeat, like '2 weeks' (default: each "
    "questionnaire's 'every').",
)
@click.option("--client", metavar="NAME", help="The client's name, for the cover and name lines.")
@click.option("--therapist", metavar="NAME", help="The therapist's name, for the cover.")
@click.option("--start", metavar="DATE", help="The first day, like 2027-01-04: dates the tracker.")
@click.option(
    "--from",
    "caseload",
    metavar="CSV",
    help="Make one packet per row of a CSV file (client, therapist, start, goals, sheets).",
)
@click.option(
    "--out",
    metavar="PATH",
    help="The PDF to write (default: DIRECTORY/packets/packet-<start>.pdf); with "
    "--from, the folder to write into.",
)
@PAPER_OPTION
def packet(
    directory: str,
    goals: tuple[str, ...],
    sheets: tuple[str, ...],
    questionnaires: tuple[str, ...],
    every: str | None,
    client: str | None,
    therapist: str | None,
    start: str | None,
    caseload: str | None,
    out: str | None,
    paper: str | None,
) -> None:
    """Make a client packet: a cover and the chosen sheets, with the client's name and
    real dates filled in. Packets hold personal data; they never go into the site."""
    from workbook.packets.make import run_packet_command
    from workbook.stages import check_project

    root = _root_of(directory)
    try:
        project = open_project(directory)
        content = check_project(project)
    except WorkbookError as error:
        _fail(error, root, "no packet was written")
    try:
        message = run_packet_command(
            content,
            goals=list(goals),
            sheets=list(sheets),
            client=client,
            therapist=therapist,
            start=start,
            caseload=caseload,
            out=out,
            paper=paper,
            questionnaires=list(questionnaires),
            every=every,
        )
    except WorkbookError as error:
        _fail(error, None, "no packet was written")
    click.echo(message)


@main.command(name="progress")
@click.argument("files", nargs=-1, required=True, metavar="FILE.pdf...")
@click.option(
    "--out",
    metavar="DIR",
    help="Folder for progress.csv, the charts and the report (default: a 'progress' "
    "folder beside the first file).",
)
@click.option(
    "--copies",
    is_flag=True,
    help="Also write a print-ready copy of each file (as 'workbook flatten' does) "
    "into that folder.",
)
@click.option(
    "--fhir",
    metavar="FILE.json",
    help="Also write the questionnaires' results as a FHIR R4 Bundle "
    "(QuestionnaireResponse and Observation resources) to this new file.",
)
def progress_command(
    files: tuple[str, ...], out: str | None, copies: bool, fhir: str | None
) -> None:
    """Read filled trackers, goal rating sheets and questionnaires; write progress.csv,
    scores.csv, a chart per measure and questionnaire, and a progress report (HTML and
    PDF)."""
    from workbook.progress import ProgressConfig, progress

    try:
        outcome = progress(ProgressConfig(list(files), out, copies=copies, fhir=fhir))
    except WorkbookError as error:
        _fail(error, None, "nothing was written")
    for warning in outcome.warnings:
        click.echo(str(warning), err=True)
    for line in outcome.summary:  # goal titles come from the files: one line each, escaped
        click.echo(one_line(line))
    folder = outcome.written[0].parent
    charts = sum(1 for path in outcome.written if path.suffix == ".svg")
    tables = (
        "progress.csv, scores.csv"
        if any(path.name == "scores.csv" and path.parent == folder for path in outcome.written)
        else "progress.csv"
    )
    click.echo(
        f"Wrote {tables}, report.html, report.pdf and {charts} chart"
        f"{'s' if charts != 1 else ''} to {os.path.relpath(folder)}/"
        + (
            f" ({len(outcome.warnings)} warning{'s' if len(outcome.warnings) != 1 else ''}"
            " above, also listed in the report)"
            if outcome.warnings
            else ""
        )
        + "."
    )
    if fhir:
        click.echo(f"Wrote the FHIR Bundle to {os.path.relpath(Path(fhir).expanduser())}.")
    if copies:
        printed = [path for path in outcome.written if path.name.endswith("-print.pdf")]
        click.echo(
            f"Wrote {_count(len(printed), 'print-ready copy', 'print-ready copies')} "
            f"to {os.path.relpath(folder)}/."
        )


@main.command(name="import-questionnaire")
@click.argument("file", metavar="FILE.json")
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option(
    "--out",
    metavar="FILE.yaml",
    help="Where to write it (default: DIRECTORY/content/questionnaires/<slug>.yaml; "
    "an existing file is never replaced).",
)
def import_questionnaire(file: str, directory: str, out: str | None) -> None:
    """Turn a FHIR R4 Questionnaire (JSON, e.g. LOINC's PHQ-9) into a questionnaire file of
    the project in DIRECTORY, scores taken from ordinalValue or itemWeight."""
    from workbook.fhir.importer import read_fhir_questionnaire, write_imported

    try:
        imported = read_fhir_questionnaire(Path(file).expanduser(), file)
        if out:
            target = Path(out).expanduser()
        else:
            project = open_project(directory)
            target = project.content_dir / "questionnaires" / f"{imported.slug}.yaml"
        write_imported(imported, target)
    except WorkbookError as error:
        _fail(error, None, "nothing was written")
    for note in imported.notes:
        click.echo(one_line(f"{file}: note: {note}"), err=True)
    preset = f", preset {imported.preset}" if imported.preset else ""
    click.echo(
        f"Wrote {os.path.relpath(target)}: {_count(imported.items, 'item')}{preset}. "
        f"Check it with 'workbook check', and add '{imported.slug}' to "
        "'questionnaires:' in workbook.yaml to publish it."
    )


@main.command()
@click.argument("file", metavar="FILE.pdf")
@click.option(
    "--out",
    metavar="FILE",
    help="Where to write the copy (default: FILE-print.pdf beside FILE; an "
    "existing file is never replaced).",
)
def flatten(file: str, out: str | None) -> None:
    """Write a print-ready copy of a filled PDF: every answer drawn in the theme's font,
    shrunk to fit its box, ticks drawn, no form fields left."""
    from workbook.returned.flatten import flatten_file

    try:
        target, flattened = flatten_file(
            Path(file).expanduser(), Path(out).expanduser() if out else None, shown_as=file
        )
    except WorkbookError as error:
        _fail(error, None, "no copy was written")
    for warning in flattened.warnings:
        click.echo(one_line(f"{file}: warning: {warning}"), err=True)
    click.echo(
        f"Wrote {os.path.relpath(target)}: {_count(flattened.answers, 'answer')} and "
        f"{_count(flattened.ticks, 'tick')} drawn, no form fields left."
    )


@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to serve on.",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to serve on; the default is reachable from this computer only.",
)
@SITE_OUT_OPTION
@PAPER_OPTION
@click.option("--no-pdf", "no_pdf", is_flag=True, help="Build the HTML site only (fast previews).")
def serve(
    directory: str, port: int, host: str, out: str | None, paper: str | None, no_pdf: bool
) -> None:
    """Build, serve on http://127.0.0.1:8000/ and rebuild when a file changes.

    Open pages reload after each build. When a change breaks the build, the
    problems are shown here and on the page, and the last good site stays up."""
    from workbook.commands.serve import Preview

    root = _root_of(directory)

    def report(result: BuildResult | None, error: BaseException | None) -> None:
        stamp = time.strftime("%H:%M:%S")
        if result is not None:
            pdfs = f" and {result.pdf_files} PDFs" if result.pdf_files else ""
            click.echo(f"{stamp} Built {result.html_pages} pages{pdfs} in {result.seconds:.1f} s.")
        elif isinstance(error, WorkbookError):
            for problem in error.problems:
                click.echo(str(_shown_path(problem, root)), err=True)
            count = len(error.problems)
            click.echo(
                f"{stamp} {count} problem{'s' if count != 1 else ''} found; the last good "
                "site is still being served",
                err=True,
            )
        else:
            click.echo(f"{stamp} internal error while building (please report it):", err=True)
            click.echo("".join(traceback.format_exception(error)), err=True)

    config = BuildConfig(
        project_dir=Path(directory), out=Path(out) if out else None, paper=paper, pdf=not no_pdf
    )
    try:
        preview = Preview(config, host=host, port=port, on_build=report)
    except WorkbookError as error:
        _fail(error, root, "nothing was served")
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(
            f"Warning: serving on {host}; other computers may be able to see the preview.", err=True
        )
    click.echo(f"Building {os.path.relpath(preview.out_dir)} ...")
    preview.start()
    click.echo(
        f"Serving {preview.url} - changes to content/, templates/ and workbook.yaml "
        "rebuild the site. Press Ctrl+C to stop."
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        preview.stop()


if __name__ == "__main__":  # pragma: no cover
    main()
