"""Client packets: one PDF made for one client, with their name and real dates filled in.

``workbook packet`` puts a cover (client, therapist, start date, organization)
in front of the chosen goals' sheets and the chosen free sheets. The client's
name is filled into every sheet's name line; a tracker's start-date line and
every day or week row carry dates counted from ``--start``, and day rows are
headed by weekday. All of these stay editable form fields, and each gets an
appearance stream so the values show in every viewer and on paper.

What a packet holds is checked in :mod:`workbook.packets.caseload`. Packets
hold personal data, so (see :mod:`workbook.output.private`):

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

import datetime
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pikepdf

from workbook.content.i18n import Catalogue
from workbook.content.load import Content
from workbook.errors import CommandLineError, Problem, Report
from workbook.formats import interval_text, skeleton_text
from workbook.model.blocks import SheetDoc, TrackerBlock
from workbook.model.fields import DATE, NAME, header_field
from workbook.model.formdata import info_entries
from workbook.model.plan import Part, PdfJob, plan_site
from workbook.model.sheets import (
    free_sheet,
    goal_gas,
    goal_session_prep,
    goal_sheet_kinds,
    goal_tracker,
    goal_worksheet,
    part_title,
    questionnaire_sheet,
)
from workbook.output.private import (
    check_file,
    check_folder,
    next_free,
    private_folder,
    shown,
    write_private,
)
from workbook.packets.caseload import Request, check_request, read_caseload
from workbook.project import Project
from workbook.render.pdf.appearance import draw_field_values
from workbook.render.pdf.jobs import field_labels, page_setup, pdf_context
from workbook.render.pdf.setup import theme_engine_spec
from workbook.render.templates import make_env, render_template

#: What to do instead, in every refusal of a place to write a packet.
PLACE_HINT = "Leave out --out to use the packets/ folder, or choose a folder outside the site"


@dataclass
class Packet:
    data: bytes
    pages: int


def default_folder(project: Project) -> Path:
    return project.root / "packets"


# --------------------------------------------------------------------------- the sheets


def packet_docs(content: Content, request: Request) -> list[SheetDoc]:
    """The packet's sheets, freshly made (so filling them in changes nothing else)."""
    t = content.t
    makers = {
        "worksheet": goal_worksheet,
        "tracker": goal_tracker,
        "session-prep": goal_session_prep,
        "gas": goal_gas,
    }
    docs: list[SheetDoc] = []
    for slug in request.goals:
        goal = content.goals[slug]
        for kind in goal_sheet_kinds(goal):
            doc = makers[kind](goal, t)
            if kind == "tracker":
                date_tracker(doc, request.start, t)
            docs.append(doc)
    docs += [free_sheet(content.sheets[slug], t) for slug in request.sheets]
    for slug, day in request.copies(content):  # in date order, after the other sheets
        doc = questionnaire_sheet(content.questionnaires[slug], t, copy=day)
        doc.title = t("{title}, {date}", title=doc.title, date=t.date(day, "long"))
        for f in doc.fields:
            if f.name == header_field(doc.prefix, DATE):
                f.value = t.date(day, "long")
        docs.append(doc)
    for doc in docs:
        for f in doc.fields:
            if f.name == header_field(doc.prefix, NAME):
                f.value = request.client
    return docs


def date_tracker(doc: SheetDoc, start: datetime.date, t: Catalogue) -> None:
    """Real dates on a tracker: the start-date line, each row's date, weekday row labels,
    and the dates each week covers in its caption."""
    locale = t.locale
    for f in doc.fields:
        if f.name == header_field(doc.prefix, DATE):
            f.value = t.date(start, "long")
    for block in doc.blocks:
        if not isinstance(block, TrackerBlock):
            continue
        if block.per == "day":
            for week in block.weeks:
                first = start + datetime.timedelta(days=(week.number - 1) * 7)
                last = first + datetime.timedelta(days=len(week.rows) - 1)
                week.caption = t(
                    "Week {week} · {dates}",
                    week=week.number,
                    dates=interval_text(first, last, locale),
                )
                for index, row in enumerate(week.rows):
                    day = first + datetime.timedelta(days=index)
                    row.label = skeleton_text(day, "EEE", locale)
                    row.fields[0].value = skeleton_text(day, "MMMd", locale)
        else:
            for week in block.weeks:
                for number, row in enumerate(week.rows, start=1):
                    first = start + datetime.timedelta(days=(number - 1) * 7)
                    # the week's first day: a range does not fit the column
                    row.fields[0].value = skeleton_text(first, "MMMd", locale)
                last = start + datetime.timedelta(days=len(week.rows) * 7 - 1)
                week.caption = t(
                    "Weeks 1–{n} · {dates}",
                    n=len(week.rows),
                    dates=interval_text(start, last, locale),
                )


# --------------------------------------------------------------------------- rendering


def render_packets(
    content: Content, requests: list[Request], paper: str | None = None
) -> list[Packet]:
    project = content.project
    plan = plan_site(content, with_pdfs=False)
    site = plan.site
    env = make_env(project, content.t)
    from workbook.render.pdf.engine import engine_for  # WeasyPrint: only when packets are made

    setup = page_setup(content, paper)  # the one place the paper is chosen
    engine = engine_for(theme_engine_spec(project, setup))
    base_url = project.root.as_uri() + "/"
    packets = []
    for request in requests:
        docs = packet_docs(content, request)
        _check_unique_fields(docs, request)
        parts = [Part("sheet", f"sheet-{doc.prefix}", part_title(doc), sheet=doc) for doc in docs]
        job = PdfJob(
            path="packet.pdf",
            title=content.t("Your goal packet"),
            template="pdf/packet.html",
            parts=parts,
        )
        html = render_template(
            env,
            project,
            job.template,
            pdf_context(
                job,
                site,
                project,
                setup.paper,
                client=request.client,
                therapist=request.therapist,
                start=content.t.date(request.start, "long"),
            ),
        )
        labels = field_labels(docs)
        starts = dict.fromkeys(request.goals, request.start)
        rendered = engine.render(
            html,
            base_url=base_url,
            name="packet",
            labels=labels,
            info=info_entries(docs, site.config, paper=setup.paper, starts=starts),
        )
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
                report.problems.append(
                    Problem(
                        *request.where,
                        f"{doc.source_rel} and {other.source_rel} both make a form "
                        f"field named '{f.name}', so they cannot share a packet",
                    )
                )
    report.raise_if_any()


def with_appearances(data: bytes) -> bytes:
    """Give every pre-filled field an appearance stream, so its value shows in viewers
    that do not draw fields themselves, and when printed or flattened."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        draw_field_values(pdf)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True, compress_streams=True)
        return out.getvalue()


def run_packet_command(
    content: Content,
    *,
    goals: list[str],
    sheets: list[str],
    client: str | None,
    therapist: str | None,
    start: str | None,
    caseload: str | None,
    out: str | None,
    paper: str | None,
    questionnaires: Sequence[str] = (),
    every: str | None = None,
) -> str:
    """``workbook packet``: check everything, render every packet, then write them all.
    Returns the message for the terminal (file names only, never a person's name)."""
    project = content.project
    if caseload is not None:
        given = [
            f"--{name}"
            for name, value in (
                ("goal", goals),
                ("sheet", sheets),
                ("client", client),
                ("therapist", therapist),
                ("start", start),
                ("questionnaire", questionnaires),
            )
            if value
        ]
        if given:
            raise CommandLineError(
                f"--from reads the client, therapist, start, goals and sheets "
                f"from the file; leave out {', '.join(given)}"
            )
        requests = read_caseload(Path(caseload).expanduser(), caseload, content)
        folder = Path(out).expanduser() if out else default_folder(project)
        if folder.exists() and not folder.is_dir():
            raise CommandLineError(
                f"{shown(folder)}: with --from, --out names a folder, and this is a file"
            )
        check_folder(folder, "packets", PLACE_HINT, project)
        stem = Path(caseload).stem or "caseload"
        # -2, -3…: two caseloads with the same name never replace each other's packets
        targets: list[Path | str] = [f"{stem}-row{request.where[1]}" for request in requests]
        explicit = False
    else:
        report = Report()
        request = check_request(
            content,
            client=client,
            therapist=therapist,
            start=start,
            goals=goals,
            sheets=sheets,
            where=("", None),
            report=report,
            cli=True,
            questionnaires=list(questionnaires),
            every=every,
        )
        report.raise_if_any(CommandLineError)  # each a mistake in an option: exit code 2
        assert request is not None  # no problem was reported, so there is a request
        requests = [request]
        if out and not (out.endswith(("/", os.sep)) or Path(out).expanduser().is_dir()):
            target = Path(out).expanduser()
            check_file(target, "a packet", PLACE_HINT, project)
            if target.suffix.lower() != ".pdf":
                raise CommandLineError(f"--out must name a .pdf file, got '{out}'")
            folder = target.parent
            targets = [target]
            explicit = True
        else:
            folder = Path(out).expanduser() if out else default_folder(project)
            check_folder(folder, "a packet", PLACE_HINT, project)
            targets = [f"packet-{request.start.isoformat()}"]
            explicit = False
    packets = render_packets(content, requests, paper)
    if not explicit or not folder.is_dir():  # a file named by hand goes where it was told
        private_folder(folder, ignored_as="Client packets")
    written = []
    for name, made in zip(targets, packets, strict=True):
        target = name if isinstance(name, Path) else next_free(folder, name)
        write_private(target, made.data, "the packet")
        written.append(target)
    pages = sum(made.pages for made in packets)
    if len(written) == 1:
        return f"Wrote 1 packet ({pages} pages) to {shown(written[0])}."
    names = ", ".join(path.name for path in written)
    return f"Wrote {len(written)} packets ({pages} pages) to {shown(folder)}/: {names}."


__all__ = [
    "Packet",
    "Request",
    "check_request",
    "read_caseload",
    "render_packets",
    "run_packet_command",
]
