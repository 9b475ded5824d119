"""A Spanish site: every piece of theme text comes from templates/locales/es.yaml.

The test project is written in Spanish (content, settings, no areas of its
own, so the default areas are theme text too). After building it with
``language: es``, every word on every page and in every PDF must come from
the Spanish content or the Spanish catalogue: an English word left anywhere is
theme text that bypassed the catalogue.
"""

from __future__ import annotations

import ast
import datetime
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest
import yaml
from jinja2 import nodes

from workbook import BuildConfig, build
from workbook.stages import check_project
from workbook.render.html import render_pages
from workbook.render.templates import make_env
from workbook.content.i18n import Catalogue
from workbook.model.plan import plan_site
from workbook.project import default_theme, open_project
from workbook.content.schema import DEFAULT_AREAS

from .conftest import REPO, write

ES = default_theme() / "locales/es.yaml"

CONFIG = """\
title: Cuadernos de objetivos
organization: Centro Ribera
language: es
paper: a4
accent_color: "#2f6f73"
support_note: Si estás en peligro o piensas en hacerte daño, llama ahora al número de emergencias.
"""

GOAL = """\
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
"""


@pytest.fixture(scope="module")
def spanish(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("es") / "proyecto"
    write(root / "workbook.yaml", CONFIG)
    write(root / "content/goals/dormir.yaml", GOAL)
    write(root / "content/guidance/descanso.md", GUIDANCE)
    write(root / "content/sheets/revision.yaml", SHEET)
    write(root / "content/workbooks/primeros-pasos.yaml", WORKBOOK)
    build(BuildConfig(project_dir=root))
    return root


# ------------------------------------------------------------------ the catalogue


def theme_messages() -> set[str]:
    """Every message the default theme and the engine look up (static extraction)."""
    found: set[str] = set(DEFAULT_AREAS.values())
    env = jinja2.Environment()
    for path in default_theme().rglob("*"):
        if path.suffix in (".html", ".xml"):
            for call in env.parse(path.read_text(encoding="utf-8")).find_all(nodes.Call):
                if isinstance(call.node, nodes.Name) and call.node.name == "_" and call.args \
                        and isinstance(call.args[0], nodes.Const):
                    found.add(call.args[0].value)
    for path in (REPO / "workbook").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                    and isinstance(node.args[0].value, str):
                func = node.func
                if (isinstance(func, ast.Name) and func.id in ("t", "_")) or \
                        (isinstance(func, ast.Attribute) and func.attr == "t"):
                    found.add(node.args[0].value)
    return found


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


def test_spanish_catalogue_is_complete_and_has_nothing_stale() -> None:
    spanish = yaml.safe_load(ES.read_text(encoding="utf-8"))
    used = theme_messages()
    assert len(used) > 140
    assert sorted(used - set(spanish)) == []  # untranslated
    assert sorted(set(spanish) - used) == []  # no longer used
    for english, translation in spanish.items():
        assert placeholders(translation) == placeholders(english), english


def test_building_in_spanish_looks_up_no_missing_message(spanish: Path) -> None:
    project = open_project(spanish)
    content = check_project(project)
    plan = plan_site(content, with_pdfs=True)
    render_pages(plan, make_env(project, content.t), project)
    assert content.t.missing == set()


def test_dates_are_written_the_spanish_way() -> None:
    day = datetime.date(2027, 1, 4)
    assert Catalogue("es").date(day, "EEE d MMM") == "lun 4 ene"
    assert Catalogue("es").date(day, "long") == "4 de enero de 2027"
    assert Catalogue("en").date(day, "EEE d MMM") == "Mon 4 Jan"
    env = make_env(open_project(REPO), Catalogue("es"))
    assert env.from_string("{{ day|date('d MMMM') }}").render(day=day) == "4 enero"


# ------------------------------------------------------------------ the built site


class _Words(HTMLParser):
    """Words a visitor can see or hear: text, and the attributes read aloud or shown."""

    SPOKEN = {"aria-label", "title", "alt", "placeholder", "content", "data-title", "data-kind"}

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        attrs = dict(attrs)
        if tag == "meta" and attrs.get("http-equiv") or tag == "meta" and attrs.get("name") in (
                "viewport", "referrer"):
            return
        for name, value in attrs.items():
            if value and (name in self.SPOKEN or (name.startswith("data-") and name not in (
                    "data-sheet", "data-root", "data-bundle", "data-pagefind-meta"))):
                self.chunks.append(value)

    def handle_endtag(self, tag) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data) -> None:
        if not self._skip:
            self.chunks.append(data)


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
SYNTAX = {"id", "kind", "every", "direction", "area", "timeframe", "guidance", "sheet", "goal",
          "sheets", "paper", "language", "accent_color", "logo", "site_url"}


def _human_text(data, key=None) -> list[str]:
    if isinstance(data, dict):
        return [t for k, v in data.items() if k not in SYNTAX for t in _human_text(v, k)]
    if isinstance(data, list):
        return [t for item in data for t in _human_text(item, key)]
    return [str(data)] if isinstance(data, str) else []


def test_no_english_theme_text_on_any_page(spanish: Path) -> None:
    out = spanish / "output"
    allowed = allowed_words(spanish)
    english = {w for message in theme_messages() for w in words(message)} - allowed
    assert {"week", "notes", "download", "search", "skip", "goals"} <= english  # the test can see
    left: dict[str, set[str]] = {}
    pages = sorted(out.rglob("*.html"))
    assert len(pages) >= 12
    for path in pages:
        parser = _Words()
        parser.feed(path.read_text(encoding="utf-8"))
        stray = words(re.sub(r"\{\w+\}", " ", " ".join(parser.chunks))) - allowed
        if stray:
            left[path.relative_to(out).as_posix()] = stray
        assert '<html lang="es">' in path.read_text(encoding="utf-8")
    assert left == {}


def test_goal_page_in_spanish(spanish: Path) -> None:
    html = (spanish / "output/goals/dormir.html").read_text(encoding="utf-8")
    for text in ("Cambio de hábitos · 2 semanas", "Un ejemplo redactado con el método SMART",
                 "30 o menos al día", "Descargar PDF", "Saltar al contenido principal",
                 "Fichas para este objetivo", "¿Necesitas ayuda ahora?"):
        assert text in html, text


def test_no_english_theme_text_in_the_pdfs(spanish: Path) -> None:
    allowed = allowed_words(spanish)
    pdfs = sorted((spanish / "output/downloads").glob("*.pdf"))
    assert len(pdfs) == 5  # three goal sheets, the free sheet, the workbook
    for pdf in pdfs:
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout
        assert words(text) - allowed == set(), pdf.name
        assert re.search(r"Página \d+ de \d+", text), pdf.name
    tracker = subprocess.run(["pdftotext", str(spanish / "output/downloads/dormir-tracker.pdf"), "-"],
                             capture_output=True, text=True, check=True).stdout
    tracker = " ".join(tracker.split())
    for text in ("Semana 1 · días 1–7", "Final de la semana 2", "Fecha de inicio", "Notas"):
        assert text in tracker, text
