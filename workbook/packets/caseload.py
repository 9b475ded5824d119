"""What a client packet holds, from the command line or a caseload CSV, checked.

``workbook packet --client ... --goal ...`` describes one packet; ``--from
caseload.csv`` one per row (columns client, therapist, start, goals, sheets).
Both become :class:`Request` objects, and every problem with any of them is
reported together, pointing at the option or the CSV line. A client's or
therapist's name is personal data: no message ever repeats one, not even a
name in the wrong column.
"""

from __future__ import annotations

import csv
import datetime
import difflib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic_core import PydanticCustomError

from workbook.content import schema
from workbook.content.load import Content
from workbook.content.rules import MAX_TIMEFRAME_DAYS, missing_message
from workbook.errors import Problem, Report, WorkbookError
from workbook.render.pdf.fonts import coverage, font_files, missing

CASELOAD_COLUMNS = ("client", "therapist", "start", "goals", "sheets", "questionnaires")
#: A packet holds at most this many dated copies of its questionnaires.
MAX_COPIES = 60
MAX_NAME = 120
MAX_CASELOAD_BYTES = 1024 * 1024
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass
class Request:
    """What one packet holds. ``where`` is how messages point at it: a CSV line or ''."""

    client: str
    start: datetime.date
    goals: list[str]
    sheets: list[str] = field(default_factory=list)
    therapist: str | None = None
    where: tuple[str, int | None] = ("", None)
    questionnaires: list[str] = field(default_factory=list)  # asked for, and the goals'
    every: schema.Timeframe | None = None  # --every: instead of each questionnaire's own

    def copies(self, content: Content) -> list[tuple[str, datetime.date]]:
        """Each questionnaire's dated copies: the start, then every ``every`` across the
        packet's timeframe (its longest goal's), the last on its final day; one copy
        when the packet has no goal."""
        days = max((content.goals[g].data.timeframe.days for g in self.goals), default=0)
        found = []
        for slug in self.questionnaires:
            step = (self.every or content.questionnaires[slug].data.every).days
            found += [
                (slug, self.start + datetime.timedelta(days=offset))
                for offset in range(0, days + 1, max(step, 1))
            ]
        return sorted(found, key=lambda copy: (copy[1], copy[0]))


def parse_every(text: str) -> schema.Timeframe | None:
    """'2 weeks' as a timeframe of 1 day to 12 months (the content files' own rule), or
    None."""
    try:
        every = schema.parse_timeframe(text)
    except PydanticCustomError:
        return None
    return every if 1 <= every.days <= MAX_TIMEFRAME_DAYS else None


def parse_start(text: str) -> datetime.date | None:
    """An ISO date (2027-01-04), or None. Only this form: 04/01/2027 means two dates."""
    text = text.strip()
    if not _ISO_DATE.match(text):
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def _problem(where: tuple[str, int | None], message: str) -> Problem:
    return Problem(where[0], where[1], message)


def check_request(
    content: Content,
    *,
    client: str | None,
    therapist: str | None,
    start: str | None,
    goals: list[str],
    sheets: list[str],
    where: tuple[str, int | None],
    report: Report,
    cli: bool,
    questionnaires: Sequence[str] = (),
    every: str | None = None,
) -> Request | None:
    """Validate one packet's inputs; add each problem to ``report`` (never a name in it).
    ``cli``: the inputs are options (``--goal``), else a caseload row's cells."""
    check = _Check(content, where, report, cli)
    before = len(report.problems)
    check.name_of("client", client, required=True)
    check.name_of("therapist", therapist, required=False)
    day = check.start(start)
    check.something_chosen(goals, sheets, questionnaires)
    chosen = check.questionnaires(questionnaires)
    cadence = check.every(every)
    check.slugs("goal", goals, content.goals, content.sheets)
    check.slugs("sheet", sheets, content.sheets, content.goals)
    if len(report.problems) > before or client is None or day is None:
        return None
    for goal in goals:  # a goal's questionnaires come with it
        chosen += [slug for slug in content.goals[goal].data.questionnaires if slug not in chosen]
    request = Request(
        client.strip(),
        day,
        list(goals),
        list(sheets),
        therapist.strip() if therapist and therapist.strip() else None,
        where,
        chosen,
        cadence,
    )
    copies = len(request.copies(content))
    if copies > MAX_COPIES:
        check.add(
            f"the questionnaires would need {copies} dated copies over the packet's "
            f"timeframe; at most {MAX_COPIES} fit in one packet: choose a longer "
            f"{check.option('every')}"
        )
        return None
    return request


class _Check:
    """The checks of one packet's inputs, each adding its problems at ``where``: an
    option's name when they came from the command line, a column's for a caseload row
    (whose cells are never repeated: a shifted column puts names in them)."""

    def __init__(
        self, content: Content, where: tuple[str, int | None], report: Report, cli: bool
    ) -> None:
        self.content, self.where, self.report, self.cli = content, where, report, cli
        self.covered = _font_coverage(content)

    def option(self, name: str) -> str:
        return f"--{name}" if self.cli else name

    def add(self, message: str) -> None:
        self.report.problems.append(_problem(self.where, message))

    def name_of(self, option: str, value: str | None, *, required: bool) -> None:
        """A person's name: one line, not too long, every character in the PDF font."""
        shown = self.option(option)
        if value is None or not value.strip():
            if required:
                self.add(
                    f"{shown} is missing: give the client's name"
                    if value is None
                    else f"{shown} is empty"
                )
            return
        covered = self.covered
        if any(ord(c) < 32 for c in value):
            self.add(f"{shown} must be on one line")
        elif len(value.strip()) > MAX_NAME:
            self.add(f"{shown} is longer than {MAX_NAME} characters")
        elif covered and (lacking := missing(value, covered)):
            chars = ", ".join(f"'{c}' (U+{ord(c):04X})" for c in lacking[:5])
            self.add(
                f"{shown} has {'a character' if len(lacking) == 1 else 'characters'} "
                f"the PDF font lacks: {chars}; write the name without "
                f"{'it' if len(lacking) == 1 else 'them'}"
            )

    def start(self, start: str | None) -> datetime.date | None:
        if start is None or not start.strip():
            self.add(f"{self.option('start')} is missing: give the first day, like 2027-01-04")
            return None
        day = parse_start(start)
        if day is None and self.cli:
            shown = start.strip() if len(start.strip()) <= 40 else start.strip()[:37] + "..."
            self.add(
                f"{self.option('start')} must be a real date written like 2027-01-04, got '{shown}'"
            )
        elif day is None:
            self.add("the start column must hold a real date written like 2027-01-04")
        return day

    def something_chosen(
        self, goals: Sequence[str], sheets: Sequence[str], questionnaires: Sequence[str]
    ) -> None:
        if goals or sheets or questionnaires:
            return
        self.add(
            f"no goals, sheets or questionnaires: list at least one with "
            f"{self.option('goal')}, {self.option('sheet')} or {self.option('questionnaire')}"
            if self.cli
            else "no goals, sheets or questionnaires: fill in the goals, sheets or "
            "questionnaires column"
        )

    def questionnaires(self, slugs: Sequence[str]) -> list[str]:
        """The questionnaires asked for that the project has, each once."""
        known = self.content.questionnaires
        label = self.option("questionnaire") if self.cli else "questionnaires"
        chosen: list[str] = []
        for slug in slugs:
            if slug in chosen:
                self.add(f"{label}: questionnaire '{slug[:40]}' is listed twice")
            elif not schema.SLUG_RE.match(slug) or slug not in known:
                close = difflib.get_close_matches(slug, sorted(known), n=1, cutoff=0.8)
                shown = f"'{slug[:40]}' " if self.cli else ""
                self.add(
                    f"{label}: {shown}is not one of this project's questionnaires (content/"
                    f"questionnaires/); "
                    + (
                        f"did you mean '{close[0]}'?"
                        if close
                        else f"they are: {', '.join(sorted(known)) or 'none yet'}"
                    )
                )
            else:
                chosen.append(slug)
        return chosen

    def every(self, every: str | None) -> schema.Timeframe | None:
        if every is None:
            return None
        cadence = parse_every(every)
        if cadence is None:
            self.add(
                f"{self.option('every')} must look like '2 weeks' (from 1 day to 12 months), "
                f"got '{every.strip()[:40]}'"
                if self.cli
                else "the every column must look like '2 weeks' (from 1 day to 12 months)"
            )
        return cadence

    def slugs(
        self,
        kind: str,
        slugs: Sequence[str],
        known: dict[str, Any],
        other: dict[str, Any],
    ) -> None:
        """Goals or sheets asked for: each once, each the project's own (``other``: the
        project's sheets for goals and goals for sheets, to say when one was put in the
        other's place)."""
        label = self.option(kind) if self.cli else f"{kind}s"
        seen: set[str] = set()
        for slug in slugs:
            if slug in seen:
                self.add(
                    f"{label}: {kind} '{slug}' is listed twice"
                    if self.cli or slug in known
                    else f"{label}: a {kind} is listed twice"
                )
                continue
            seen.add(slug)
            if not self.cli and slug not in known and slug not in other:
                # never repeat the cell (a shifted column puts names here); list what exists
                close = difflib.get_close_matches(slug, sorted(known), n=1, cutoff=0.8)
                self.add(
                    f"{label}: an entry is not one of this project's {kind}s; "
                    + (
                        f"did you mean '{close[0]}'?"
                        if close
                        else f"they are: {', '.join(sorted(known)) or 'none yet'}"
                    )
                )
            elif not schema.SLUG_RE.match(slug):
                self.add(
                    f"{label}: '{slug[:40]}' is not a {kind} slug (lower-case letters, digits "
                    "and hyphens)" + ("" if self.cli else "; separate several with spaces")
                )
            elif slug not in known:
                self.add(f"{label}: {self._misplaced(kind, slug, known, other)}")

    def _misplaced(self, kind: str, slug: str, known: dict[str, Any], other: dict[str, Any]) -> str:
        message = missing_message(kind, slug, known, f"{kind}s", ".yaml")
        if slug in other:
            message += f"; '{slug}' is a {'sheet' if kind == 'goal' else 'goal'}"
            message += (
                f", use {self.option('sheet' if kind == 'goal' else 'goal')}"
                if self.cli
                else f", put it under {'sheets' if kind == 'goal' else 'goals'}"
            )
        return message


def _font_coverage(content: Content) -> frozenset[int]:
    return coverage(font_files(content.project.theme_file("pdf/fonts.css")))


def read_caseload(path: Path, shown: str, content: Content) -> list[Request]:
    """Every row of a caseload CSV as a request; raise WorkbookError listing every problem."""
    report = Report()
    where = (shown, None)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise WorkbookError([_problem(where, "no such file")]) from None
    except IsADirectoryError:
        raise WorkbookError([_problem(where, "is a folder, not a CSV file")]) from None
    except OSError as exc:
        raise WorkbookError([_problem(where, f"cannot read the file: {exc.strerror}")]) from None
    if len(raw) > MAX_CASELOAD_BYTES:
        raise WorkbookError([_problem(where, "is larger than 1 MB; split it into smaller files")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise WorkbookError(
            [_problem(where, "is not UTF-8 text; save it as 'CSV UTF-8' from your spreadsheet")]
        ) from None
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    try:
        while True:
            line = reader.line_num + 1
            try:
                cells = next(reader)
            except StopIteration:
                break
            if any(cell.strip() for cell in cells):
                rows.append((line, cells))
    except csv.Error as exc:
        raise WorkbookError(
            [_problem((shown, reader.line_num), f"cannot read this line as CSV: {exc}")]
        ) from None
    if not rows:
        raise WorkbookError(
            [
                _problem(
                    where,
                    f"is empty; the first line must name the columns {', '.join(CASELOAD_COLUMNS)}",
                )
            ]
        )
    header_line, header = rows[0]
    columns = [cell.strip().lower() for cell in header]
    for column in columns:
        if column not in CASELOAD_COLUMNS:
            close = difflib.get_close_matches(column, CASELOAD_COLUMNS, n=1, cutoff=0.6)
            hint = (
                f"; did you mean '{close[0]}'?"
                if close
                else f"; columns are: {', '.join(CASELOAD_COLUMNS)}"
            )
            report.add(shown, header_line, f"unknown column '{column[:40]}'{hint}")
        elif columns.count(column) > 1:
            report.add(shown, header_line, f"column '{column}' is there twice")
    for column in ("client", "start"):
        if column not in columns:
            report.add(
                shown,
                header_line,
                f"missing column '{column}' (the first line must "
                f"name the columns {', '.join(CASELOAD_COLUMNS)})",
            )
    if "goals" not in columns and "sheets" not in columns:
        report.add(
            shown,
            header_line,
            f"missing column 'goals' (the first line must name the columns {', '.join(CASELOAD_COLUMNS)})",
        )
    report.raise_if_any()
    if len(rows) == 1:
        raise WorkbookError(
            [_problem(where, "has no rows below the header; add one row per client")]
        )
    requests: list[Request] = []
    for line, cells in rows[1:]:
        if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
            report.problems.append(
                Problem(
                    shown,
                    line,
                    f"has {len(cells)} cells but the first line names {len(columns)} "
                    f"columns; put several goals in one cell, separated by spaces",
                )
            )
            continue
        row = {column: (cells[i] if i < len(cells) else "") for i, column in enumerate(columns)}
        request = check_request(
            content,
            client=row.get("client", ""),
            therapist=row.get("therapist") or None,
            start=row.get("start", ""),
            goals=_slugs(row.get("goals", "")),
            sheets=_slugs(row.get("sheets", "")),
            questionnaires=_slugs(row.get("questionnaires", "")),
            where=(shown, line),
            report=report,
            cli=False,
        )
        if request:
            requests.append(request)
    report.raise_if_any()
    return requests


def _slugs(cell: str) -> list[str]:
    """Several slugs in one cell: separated by spaces (commas and semicolons work too,
    since a slug never contains them)."""
    return [part for part in _SEPARATORS.split(cell.strip()) if part]
