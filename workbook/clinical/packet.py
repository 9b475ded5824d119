"""Client packets: one PDF made for one client, with their name and real dates filled in.

``workbook packet`` puts a cover (client, therapist, start date, organization)
in front of the chosen goals' sheets and the chosen free sheets. The client's
name is filled into every sheet's name line; a tracker's start-date line and
every day or week row carry dates counted from ``--start``, and day rows are
headed by weekday. All of these stay editable form fields, and each gets an
appearance stream so the values show in every viewer and on paper.

Packets hold personal data, so:

* they are never written inside the site's output (a folder carrying the
  build's marker, or the project's ``output/``), ``content/`` or ``templates/``;
* they go to ``DIR/packets/`` unless ``--out`` says otherwise; a new packets
  folder is private (0700) and carries a ``.gitignore`` of its own, and every
  packet is written private (0600);
* file names carry no name: ``packet-<start>.pdf`` (``-2``, ``-3``… rather than
  replace an existing one), or ``<csv name>-row<N>.pdf`` for the row on line N of
  a caseload file; messages never repeat a client's or therapist's name.
"""

from __future__ import annotations

import csv
import datetime
import difflib
import io
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from babel.dates import format_interval, format_skeleton

from workbook.content import schema
from workbook.render.pdf.appearance import draw_field_values
from workbook.content.load import Content, _missing
from workbook.errors import Problem, Report, WorkbookError
from workbook.model.formdata import info_entries
from workbook.render.pdf.fonts import coverage, font_files, missing
from workbook.render.html import make_env, markdown_html, render_template
from workbook.output.write import MARKER
from workbook.model.plan import Part, PdfJob, plan_site
from workbook.project import Project
from workbook.render.pdf.schedule import engine_spec, link_resolver, page_setup
from workbook.model.sheets import (SheetDoc, TrackerBlock, free_sheet, goal_gas, goal_session_prep,
                     goal_sheet_kinds, goal_tracker, goal_worksheet, part_title)

COLUMNS = ("client", "therapist", "start", "goals", "sheets")
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


@dataclass
class Packet:
    data: bytes
    pages: int


# --------------------------------------------------------------------------- inputs


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


def check_request(content: Content, *, client: str | None, therapist: str | None,
                  start: str | None, goals: list[str], sheets: list[str],
                  where: tuple[str, int | None], report: Report, cli: bool) -> Request | None:
    """Validate one packet's inputs; add each problem to ``report`` (never a name in it)."""
    before = len(report.problems)

    def name(option: str) -> str:
        return f"--{option}" if cli else option

    def add(message: str) -> None:
        report.problems.append(_problem(where, message))

    covered = _font_coverage(content)
    for option, value, required in (("client", client, True), ("therapist", therapist, False)):
        if value is None or not value.strip():
            if required:
                add(f"{name(option)} is missing: give the client's name" if value is None
                    else f"{name(option)} is empty")
            continue
        if any(ord(c) < 32 for c in value):
            add(f"{name(option)} must be on one line")
        elif len(value.strip()) > MAX_NAME:
            add(f"{name(option)} is longer than {MAX_NAME} characters")
        elif covered and (lacking := missing(value, covered)):
            shown = ", ".join(f"'{c}' (U+{ord(c):04X})" for c in lacking[:5])
            add(f"{name(option)} has {'a character' if len(lacking) == 1 else 'characters'} "
                f"the PDF font lacks: {shown}; write the name without "
                f"{'it' if len(lacking) == 1 else 'them'}")
    day = None
    if start is None or not start.strip():
        add(f"{name('start')} is missing: give the first day, like 2027-01-04")
    else:
        day = parse_start(start)
        if day is None:
            shown = start.strip() if len(start.strip()) <= 40 else start.strip()[:37] + "..."
            add(f"{name('start')} must be a real date written like 2027-01-04, got '{shown}'")
    if not goals and not sheets:
        add(f"no goals or sheets: list at least one with {name('goal')} or {name('sheet')}"
            if cli else "no goals or sheets: fill in the goals or sheets column")
    for kind, slugs, known, other in (("goal", goals, content.goals, content.sheets),
                                      ("sheet", sheets, content.sheets, content.goals)):
        seen: set[str] = set()
        for slug in slugs:
            label = name(kind) if cli else f"{kind}s"
            if slug in seen:
                add(f"{label}: {kind} '{slug}' is listed twice")
                continue
            seen.add(slug)
            if not schema.SLUG_RE.match(slug):
                add(f"{label}: '{slug[:40]}' is not a {kind} slug (lower-case letters, digits "
                    "and hyphens)" + ("" if cli else "; separate several with spaces"))
            elif slug not in known:
                message = _missing(kind, slug, known, f"{kind}s", ".yaml")
                if slug in other:
                    message += f"; '{slug}' is a {'sheet' if kind == 'goal' else 'goal'}"
                    message += f", use {name('sheet' if kind == 'goal' else 'goal')}" if cli else \
                        f", put it under {'sheets' if kind == 'goal' else 'goals'}"
                add(f"{label}: {message}" if not cli else f"{label}: {message}")
    if len(report.problems) > before:
        return None
    return Request(client.strip(), day, list(goals), list(sheets),
                   therapist.strip() if therapist and therapist.strip() else None, where)


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
        raise WorkbookError([_problem(where, "is not UTF-8 text; save it as 'CSV UTF-8' from "
                                             "your spreadsheet")]) from None
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
        raise WorkbookError([_problem((shown, reader.line_num),
                                      f"cannot read this line as CSV: {exc}")]) from None
    if not rows:
        raise WorkbookError([_problem(where, "is empty; the first line must name the columns "
                                             f"{', '.join(COLUMNS)}")])
    header_line, header = rows[0]
    columns = [cell.strip().lower() for cell in header]
    for column in columns:
        if column not in COLUMNS:
            close = difflib.get_close_matches(column, COLUMNS, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else f"; columns are: {', '.join(COLUMNS)}"
            report.add(shown, header_line, f"unknown column '{column[:40]}'{hint}")
        elif columns.count(column) > 1:
            report.add(shown, header_line, f"column '{column}' is there twice")
    for column in ("client", "start"):
        if column not in columns:
            report.add(shown, header_line, f"missing column '{column}' (the first line must "
                                           f"name the columns {', '.join(COLUMNS)})")
    if "goals" not in columns and "sheets" not in columns:
        report.add(shown, header_line, "missing column 'goals' (the first line must name the "
                                       f"columns {', '.join(COLUMNS)})")
    report.raise_if_any()
    if len(rows) == 1:
        raise WorkbookError([_problem(where, "has no rows below the header; add one row per "
                                             "client")])
    requests: list[Request] = []
    for line, cells in rows[1:]:
        if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns):]):
            report.problems.append(Problem(
                shown, line, f"has {len(cells)} cells but the first line names {len(columns)} "
                             f"columns; put several goals in one cell, separated by spaces"))
            continue
        row = {column: (cells[i] if i < len(cells) else "") for i, column in enumerate(columns)}
        request = check_request(
            content,
            client=row.get("client", ""),
            therapist=row.get("therapist") or None,
            start=row.get("start", ""),
            goals=_slugs(row.get("goals", "")),
            sheets=_slugs(row.get("sheets", "")),
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


# --------------------------------------------------------------------------- where to write


def refuse_published(target: Path, project: Project, what: str = "a packet") -> None:
    """Refuse a path inside the site's output (published) or the project's own sources."""
    resolved = target.expanduser().absolute().resolve()
    root = project.root
    for folder in (resolved, *resolved.parents):
        if (folder / MARKER).is_file():
            raise WorkbookError(
                f"{_shown(target)}: refusing to write {what} inside the site's output folder "
                f"({_shown(folder)}); it holds personal data and that folder gets published. "
                "Leave out --out to use the packets/ folder, or choose a folder outside the site")
    places = {"output": "the site's output folder", "content": "the content folder",
              "templates": "the templates folder"}
    for name, label in places.items():
        if resolved.is_relative_to((root / name).resolve()):
            raise WorkbookError(
                f"{_shown(target)}: refusing to write {what} inside {label} ({name}/); it "
                "holds personal data and could end up published. Leave out --out to use the "
                "packets/ folder, or choose a folder outside the site")


def _shown(path: Path) -> str:
    try:
        shown = os.path.relpath(path.expanduser().absolute())
    except ValueError:  # pragma: no cover - another drive on Windows
        return str(path)
    return str(path.expanduser().absolute()) if shown.startswith("../..") else shown


def default_folder(project: Project) -> Path:
    return project.root / "packets"


def private_folder(folder: Path) -> None:
    """Make ``folder`` if needed: private to this user, and ignored by git on its own."""
    if folder.is_dir():
        return
    try:
        folder.mkdir(parents=True, mode=0o700)
        (folder / ".gitignore").write_text(
            "# Client packets hold personal data: never commit them.\n*\n", encoding="utf-8")
    except OSError as exc:
        raise WorkbookError(f"{_shown(folder)}: cannot make the folder: {exc.strerror}") from None


def next_free(folder: Path, stem: str) -> Path:
    candidate = folder / f"{stem}.pdf"
    number = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{number}.pdf"
        number += 1
    return candidate


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` readable by this user only; whole or not at all."""
    try:
        handle, temporary = tempfile.mkstemp(prefix=".packet-", suffix=".tmp", dir=path.parent)
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except OSError as exc:
        raise WorkbookError(f"{_shown(path)}: cannot write the packet: {exc.strerror}") from None


# --------------------------------------------------------------------------- the sheets


def packet_docs(content: Content, request: Request) -> list[SheetDoc]:
    """The packet's sheets, freshly made (so filling them in changes nothing else)."""
    t = content.t
    makers = {"worksheet": goal_worksheet, "tracker": goal_tracker,
              "session-prep": goal_session_prep, "gas": goal_gas}
    docs: list[SheetDoc] = []
    for slug in request.goals:
        goal = content.goals[slug]
        for kind in goal_sheet_kinds(goal):
            doc = makers[kind](goal, t)
            if kind == "tracker":
                date_tracker(doc, request.start, t)
            docs.append(doc)
    docs += [free_sheet(content.sheets[slug], t) for slug in request.sheets]
    for doc in docs:
        for f in doc.fields:
            if f.name == f"{doc.prefix}_name":
                f.value = request.client
    return docs


def date_tracker(doc: SheetDoc, start: datetime.date, t) -> None:
    """Real dates on a tracker: the start-date line, each row's date, weekday row labels,
    and the dates each week covers in its caption."""
    locale = t.locale
    for f in doc.fields:
        if f.name == f"{doc.prefix}_date":
            f.value = _plain(t.date(start, "long"))
    for block in doc.blocks:
        if not isinstance(block, TrackerBlock):
            continue
        if block.per == "day":
            for week in block.weeks:
                first = start + datetime.timedelta(days=(week.number - 1) * 7)
                last = first + datetime.timedelta(days=len(week.rows) - 1)
                week.caption = t("Week {week} · {dates}", week=week.number,
                                 dates=_interval(first, last, locale))
                for index, row in enumerate(week.rows):
                    day = first + datetime.timedelta(days=index)
                    row.label = _plain(format_skeleton("EEE", day, locale=locale))
                    row.fields[0].value = _plain(format_skeleton("MMMd", day, locale=locale))
        else:
            for week in block.weeks:
                for number, row in enumerate(week.rows, start=1):
                    first = start + datetime.timedelta(days=(number - 1) * 7)
                    # the week's first day: a range does not fit the column
                    row.fields[0].value = _plain(format_skeleton("MMMd", first, locale=locale))
                last = start + datetime.timedelta(days=len(week.rows) * 7 - 1)
                week.caption = t("Weeks 1–{n} · {dates}", n=len(week.rows),
                                 dates=_interval(start, last, locale))


def _interval(first: datetime.date, last: datetime.date, locale) -> str:
    return _plain(format_interval(first, last, "yMMMd", locale=locale))


def _plain(text: str) -> str:
    """CLDR puts thin and narrow no-break spaces around dashes; the theme font (and many
    PDF viewers' field fonts) lack them, so use plain spaces."""
    return re.sub("[\u2009\u200a\u202f]", " ", text)


# --------------------------------------------------------------------------- rendering


def render_packets(content: Content, requests: list[Request],
                   paper: str | None = None) -> list[Packet]:
    project = content.project
    plan = plan_site(content, with_pdfs=False)
    site = plan.site
    env = make_env(project, content.t)
    engine = engine_spec(project, page_setup(content, paper)).create()
    base_url = project.root.as_uri() + "/"
    packets = []
    for request in requests:
        docs = packet_docs(content, request)
        _check_unique_fields(docs, request)
        parts = [Part("sheet", f"sheet-{doc.prefix}", part_title(doc), sheet=doc)
                 for doc in docs]
        job = PdfJob(path="packet.pdf", title=content.t("Your goal packet"),
                     template="pdf/packet.html", parts=parts)
        resolve = link_resolver(job, site, project)
        logo = site.config.logo
        html = render_template(env, project, "pdf/packet.html", {
            "site": site,
            "config": site.config,
            "paper": paper or site.config.paper,
            "title": job.title,
            "description": "",
            "md": lambda text: markdown_html(text, resolve),
            "parts": parts,
            "logo_url": (project.root / logo).as_uri() if logo else None,
            "client": request.client,
            "therapist": request.therapist,
            "start": _plain(content.t.date(request.start, "long")),
        })
        labels = {f.name: f.label for doc in docs for f in doc.fields}
        starts = {slug: request.start for slug in request.goals}
        rendered = engine.render(html, base_url=base_url, name="packet", labels=labels,
                                 info=info_entries(docs, site.config, starts))
        packets.append(Packet(with_appearances(rendered.data), rendered.pages))
    return packets


def _check_unique_fields(docs: list[SheetDoc], request: Request) -> None:
    """A field name twice in one PDF makes readers mix the two up: refuse it."""
    owner: dict[str, SheetDoc] = {}
    report = Report()
    for doc in docs:
        for f in doc.fields:
            other = owner.setdefault(f.name, doc)
            if other is not doc:
                report.problems.append(_problem(
                    request.where, f"{doc.source_rel} and {other.source_rel} both make a form "
                                   f"field named '{f.name}', so they cannot share a packet"))
    report.raise_if_any()


def with_appearances(data: bytes) -> bytes:
    """Give every pre-filled field an appearance stream, so its value shows in viewers
    that do not draw fields themselves, and when printed or flattened."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        draw_field_values(pdf)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=True)
        return out.getvalue()


def run_packet_command(content: Content, *, goals: list[str], sheets: list[str],
                       client: str | None, therapist: str | None, start: str | None,
                       caseload: str | None, out: str | None, paper: str | None) -> str:
    """``workbook packet``: check everything, render every packet, then write them all.
    Returns the message for the terminal (file names only, never a person's name)."""
    project = content.project
    if caseload is not None:
        given = [f"--{name}" for name, value in (("goal", goals), ("sheet", sheets),
                 ("client", client), ("therapist", therapist), ("start", start)) if value]
        if given:
            raise WorkbookError(f"--from reads the client, therapist, start, goals and sheets "
                                f"from the file; leave out {', '.join(given)}")
        requests = read_caseload(Path(caseload).expanduser(), caseload, content)
        folder = Path(out).expanduser() if out else default_folder(project)
        if folder.exists() and not folder.is_dir():
            raise WorkbookError(f"{_shown(folder)}: with --from, --out names a folder, and this "
                                "is a file")
        refuse_published(folder / "packet.pdf", project, "packets")
        stem = Path(caseload).stem or "caseload"
        targets = [folder / f"{stem}-row{request.where[1]}.pdf" for request in requests]
    else:
        report = Report()
        request = check_request(content, client=client, therapist=therapist, start=start,
                                goals=goals, sheets=sheets, where=("", None), report=report,
                                cli=True)
        report.raise_if_any()
        requests = [request]
        if out and not (out.endswith(("/", os.sep)) or Path(out).expanduser().is_dir()):
            target = Path(out).expanduser()
            refuse_published(target, project)
            if target.suffix.lower() != ".pdf":
                raise WorkbookError(f"--out must name a .pdf file, got '{out}'")
            folder = target.parent
        else:
            folder = Path(out).expanduser() if out else default_folder(project)
            refuse_published(folder / "packet.pdf", project)
            target = None
        targets = [target]
    packets = render_packets(content, requests, paper)
    private_folder(folder)
    written = []
    for target, request, made in zip(targets, requests, packets):
        target = target or next_free(folder, f"packet-{request.start.isoformat()}")
        write_private(target, made.data)
        written.append(target)
    pages = sum(made.pages for made in packets)
    if len(written) == 1:
        return f"Wrote 1 packet ({pages} pages) to {_shown(written[0])}."
    names = ", ".join(path.name for path in written)
    return f"Wrote {len(written)} packets ({pages} pages) to {_shown(folder)}/: {names}."


__all__ = ["Request", "Packet", "check_request", "read_caseload", "render_packets",
           "refuse_published"]
