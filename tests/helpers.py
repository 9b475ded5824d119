"""Helpers the tests share: write a file, run the CLI, compare trees, parse a page.

Test modules import these from here, never from each other.
"""

from __future__ import annotations

import contextlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest
import yaml
from click.testing import CliRunner
from pypdf import PdfReader, PdfWriter

from workbook.commands.cli import main
from workbook.content.load import load_content
from workbook.errors import WorkbookError
from workbook.project import default_theme, open_project

REPO = Path(__file__).resolve().parent.parent
TESTS = REPO / "tests"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run(args: list[str], cwd: Path):
    """Run the CLI in-process from ``cwd``; returns click's Result (stdout, stderr, exit code)."""
    with contextlib.chdir(cwd):
        return CliRunner().invoke(main, args, catch_exceptions=True)


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes, for before/after comparisons."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def fill(source: Path, target: Path, values: dict[str, str]) -> Path:
    """``source`` with its form fields set to ``values`` (field name → value; a tick box
    or radio option by its state, "/Yes", "/1"), as a PDF viewer saves it."""
    writer = PdfWriter(clone_from=PdfReader(source))
    for page in writer.pages:
        writer.update_page_form_field_values(page, values, auto_regenerate=False)
    writer.write(target)
    return target


# ------------------------------------------------------------------ content

GOAL = """\
title: Sleep better
area: behaviour-change
summary: Fall asleep sooner.
smart:
  specific: Go to bed at 23:00.
  measurable: Note minutes to fall asleep.
  achievable: Start with weeknights.
  relevant: I am tired at work.
  time_bound: Within 8 weeks.
timeframe: 8 weeks
measures:
  - id: minutes
    label: Minutes to fall asleep
    kind: minutes
    every: day
    target: {direction: lower, value: 20}
guidance: [smart-goals]
"""


def problems(root: Path) -> list[str]:
    with pytest.raises(WorkbookError) as info:
        load_content(open_project(root))
    return [str(p) for p in info.value.problems]


# ------------------------------------------------------------------ pages


class PageParser(HTMLParser):
    """Collects links, resources, form controls and labels of one page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, dict]] = []  # (url, attrs) of <a href>
        self.resources: list[str] = []  # src=, <link href>
        self.controls: list[dict] = []
        self.proxies: list[dict] = []  # unnamed controls that write into named ones
        self.label_for: set[str] = set()
        self.ids: list[str] = []
        self._label_depth = 0
        self.tracker_rows = 0
        self._in_tracker = False

    def handle_starttag(self, tag: str, attrs_list) -> None:
        attrs = dict(attrs_list)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "a" and "href" in attrs:
            self.links.append((attrs["href"], attrs))
        if tag in ("img", "script", "iframe", "source", "audio", "video") and "src" in attrs:
            self.resources.append(attrs["src"])
        if tag == "link" and "href" in attrs:
            self.resources.append(attrs["href"])
        if tag == "label":
            self._label_depth += 1
            if "for" in attrs:
                self.label_for.add(attrs["for"])
        if tag in ("input", "textarea", "select"):
            attrs["_wrapped"] = self._label_depth > 0  # a label around it labels it
            # a tracker's one-day view edits the table's fields: its own have no name
            (self.proxies if "data-proxy" in attrs else self.controls).append(attrs)
        if tag == "table" and "tracker" in attrs.get("class", ""):
            self._in_tracker = True
        if tag == "tr" and self._in_tracker:
            self.tracker_rows += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._label_depth -= 1
        if tag == "table":
            self._in_tracker = False


def parse(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


# ------------------------------------------------------------------ a Spanish project
# Content and settings written in Spanish; with language: es, every word a reader
# sees must come from this content or from templates/locales/es.yaml.

ES = default_theme() / "locales/es.yaml"

CONFIG = """\
title: Cuadernos de objetivos
organization: Centro Ribera
language: es
paper: a4
accent_color: "#2f6f73"
support_note: Si estás en peligro o piensas en hacerte daño, llama ahora al número de emergencias.
questionnaires: [animo]
"""

#: A PHQ-9 with test wording in Spanish: the preset's bands and risk message are theme text.
QUESTIONNAIRE = """\
title: Cuestionario del ánimo
preset: phq-9
licence: Libre para las pruebas.
citation: Texto de prueba, 2026.
period: En las dos últimas semanas, ¿con qué frecuencia te ha pasado esto?
options:
  - {label: Nunca, score: 0}
  - {label: Varios días, score: 1}
  - {label: Más de la mitad de los días, score: 2}
  - {label: Casi todos los días, score: 3}
items:
""" + "".join(f"  - {{id: p{n}, text: 'Frase de prueba número {n}.'}}\n" for n in range(1, 10))

SPANISH_GOAL = """\
title: Dormir con un horario estable
area: behaviour-change
summary: Acostarme a una hora fija y preparar el descanso para que las noches sean más tranquilas.
smart:
  specific: Estaré en la cama a las once entre semana y apagaré las pantallas media hora antes.
  measurable: Cada mañana anotaré cuántos minutos tardé en dormirme y si cumplí el horario.
  achievable: Adelantaré la hora de acostarme poco a poco, quince minutos cada vez.
  relevant: Cuando duermo mal estoy irritable y todo lo demás me cuesta más.
  time_bound: Durante ocho semanas quiero cumplir el horario al menos cinco noches por semana.
timeframe: 2 weeks
measures:
  - id: minutos
    label: Minutos hasta dormirme
    kind: minutes
    every: day
    target: {direction: lower, value: 30}
  - id: cansancio
    label: Cansancio (0-10)
    kind: scale
    min: 0
    max: 10
    anchors: {0: descansado, 10: agotado}
    every: day
  - id: siestas
    label: Siestas en la semana
    kind: count
    every: week
    target: {direction: higher, value: 1}
strategies:
  - Pantallas apagadas antes de dormir
  - Levantarme siempre a la misma hora
steps:
  - by: semana 1
    text: Me levanto a la misma hora todos los días.
prompts:
  - ¿Qué suele retrasar la hora de acostarme?
guidance: [descanso]
"""

GUIDANCE = """\
---
title: Cuidar el descanso
summary: Ideas sencillas para dormir mejor.
---
## Una rutina tranquila

Apaga las pantallas y lee un rato. Mira también la ficha [de revisión](../sheets/revision.yaml).
"""

SHEET = """\
title: Revisión semanal
kind: session-prep
summary: Mira atrás antes de la sesión.
intro: Rellénala la víspera de la sesión.
blocks:
  - kind: scale
    id: semana
    label: ¿Cómo fue la semana?
    min: 0
    max: 4
    anchors: {0: muy difícil, 4: muy buena}
  - kind: prompt
    label: ¿Qué salió mejor de lo esperado?
    lines: 2
  - kind: checklist
    label: Esta semana...
    items: [Rellené mi registro, Probé una estrategia]
  - kind: list
    label: Temas para la sesión
    lines: 2
  - kind: table
    label: Momentos importantes
    columns: [Día, Qué pasó]
    rows: 2
"""

WORKBOOK = """\
title: Primeros pasos
subtitle: Un cuaderno para empezar
contents:
  - {guidance: descanso}
  - {sheet: revision}
  - {goal: dormir}
  - {questionnaire: animo}
"""


def write_spanish_project(root: Path, goal: str = SPANISH_GOAL) -> Path:
    write(root / "workbook.yaml", CONFIG)
    write(root / "content/goals/dormir.yaml", goal)
    write(root / "content/guidance/descanso.md", GUIDANCE)
    write(root / "content/sheets/revision.yaml", SHEET)
    write(root / "content/workbooks/primeros-pasos.yaml", WORKBOOK)
    write(root / "content/questionnaires/animo.yaml", QUESTIONNAIRE)
    return root


class VisibleWords(HTMLParser):
    """Words a visitor can see or hear: text, and the attributes read aloud or shown."""

    SPOKEN: ClassVar[set[str]] = {
        "aria-label",
        "title",
        "alt",
        "placeholder",
        "content",
        "data-title",
        "data-kind",
    }

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        attrs = dict(attrs)
        if (tag == "meta" and attrs.get("http-equiv")) or (
            tag == "meta" and attrs.get("name") in ("viewport", "referrer")
        ):
            return
        for name, value in attrs.items():
            if value and (
                name in self.SPOKEN
                or (
                    name.startswith("data-")
                    and name
                    not in (
                        "data-sheet",
                        "data-root",
                        "data-bundle",
                        "data-pagefind-meta",
                        "data-pdf",
                        "data-fill-script",
                        "data-filled-name",
                    )
                )
            ):  # keys, addresses, file names
                if name in ("data-rules", "data-risk"):  # JSON: its texts are shown, not its keys
                    self.chunks.extend(_json_texts(json.loads(value)))
                else:
                    self.chunks.append(value)

    def handle_endtag(self, tag) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data) -> None:
        if not self._skip:
            self.chunks.append(data)


def _json_texts(data) -> list[str]:
    """The texts in JSON data a page carries for its script (band names, risk messages),
    without the keys and the syntax words ('sum', 'worse') the script reads."""
    if isinstance(data, dict):
        return [
            t
            for key, value in data.items()
            if key in ("label", "message", "bands", "risk")
            for t in _json_texts(value)
        ]
    if isinstance(data, list):
        return [t for item in data for t in _json_texts(item)]
    return [data] if isinstance(data, str) else []


WORD = re.compile(r"[^\W\d_]+")
NEUTRAL = {"pdf", "smart", "s", "m", "a", "r", "t"}  # the acronym's letters, strategy keys "S1"


def words(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(text)}


def allowed_words(project: Path) -> set[str]:
    spanish = yaml.safe_load(ES.read_text(encoding="utf-8"))
    allowed = set(NEUTRAL)
    for translation in spanish.values():
        allowed |= words(re.sub(r"\{\w+\}", " ", translation))
    for path in [project / "workbook.yaml", *(project / "content").rglob("*.yaml")]:
        allowed |= words(" ".join(_human_text(yaml.safe_load(path.read_text(encoding="utf-8")))))
    for path in (project / "content").rglob("*.md"):
        allowed |= words(re.sub(r"\]\([^)]*\)", "]", path.read_text(encoding="utf-8")))
    return allowed


#: Keys whose values are syntax ('every: week', 'kind: scale'), not words a reader sees.
SYNTAX = {
    "id",
    "kind",
    "every",
    "direction",
    "area",
    "timeframe",
    "guidance",
    "sheet",
    "goal",
    "sheets",
    "paper",
    "language",
    "accent_color",
    "logo",
    "site_url",
    "preset",
    "questionnaires",
    "questionnaire",
    "higher_is",
    "method",
}


def _human_text(data, key=None) -> list[str]:
    if isinstance(data, dict):
        return [t for k, v in data.items() if k not in SYNTAX for t in _human_text(v, k)]
    if isinstance(data, list):
        return [t for item in data for t in _human_text(item, key)]
    return [str(data)] if isinstance(data, str) else []
