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
from pathlib import Path

import jinja2
import pytest
import yaml
from jinja2 import nodes

from tests.helpers import ES, REPO, VisibleWords, allowed_words, words, write_spanish_project
from workbook import BuildConfig, build
from workbook.content.i18n import Catalogue
from workbook.content.schema import DEFAULT_AREAS
from workbook.model.plan import plan_site
from workbook.project import default_theme, open_project
from workbook.render.html import render_pages
from workbook.render.templates import make_env
from workbook.stages import check_project


@pytest.fixture(scope="module")
def spanish(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_spanish_project(tmp_path_factory.mktemp("es") / "proyecto")
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
                if (
                    isinstance(call.node, nodes.Name)
                    and call.node.name == "_"
                    and call.args
                    and isinstance(call.args[0], nodes.Const)
                ):
                    found.add(call.args[0].value)
    for path in (REPO / "workbook").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                func = node.func
                if (isinstance(func, ast.Name) and func.id in ("t", "_")) or (
                    isinstance(func, ast.Attribute) and func.attr == "t"
                ):
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


def test_no_english_theme_text_on_any_page(spanish: Path) -> None:
    out = spanish / "output"
    allowed = allowed_words(spanish)
    english = {w for message in theme_messages() for w in words(message)} - allowed
    assert {"week", "notes", "download", "search", "skip", "goals"} <= english  # the test can see
    left: dict[str, set[str]] = {}
    pages = sorted(out.rglob("*.html"))
    assert len(pages) >= 12
    for path in pages:
        parser = VisibleWords()
        parser.feed(path.read_text(encoding="utf-8"))
        stray = words(re.sub(r"\{\w+\}", " ", " ".join(parser.chunks))) - allowed
        if stray:
            left[path.relative_to(out).as_posix()] = stray
        assert '<html lang="es">' in path.read_text(encoding="utf-8")
    assert left == {}


def test_goal_page_in_spanish(spanish: Path) -> None:
    html = (spanish / "output/goals/dormir.html").read_text(encoding="utf-8")
    for text in (
        "Cambio de hábitos · 2 semanas",
        "Un ejemplo redactado con el método SMART",
        "30 o menos al día",
        "Descargar: registro (PDF)",
        "Saltar al contenido principal",
        "Fichas para este objetivo",
        "¿Necesitas ayuda ahora?",
    ):
        assert text in html, text


def test_no_english_theme_text_in_the_pdfs(spanish: Path) -> None:
    allowed = allowed_words(spanish)
    pdfs = sorted((spanish / "output/downloads").glob("*.pdf"))
    assert len(pdfs) == 6  # three goal sheets, the free sheet, the questionnaire, the workbook
    for pdf in pdfs:
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert words(text) - allowed == set(), pdf.name
        assert re.search(r"Página \d+ de \d+", text), pdf.name
    tracker = subprocess.run(
        ["pdftotext", str(spanish / "output/downloads/dormir-tracker.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    tracker = " ".join(tracker.split())
    for text in ("Semana 1 · días 1–7", "Final de la semana 2", "Fecha de inicio", "Notas"):
        assert text in tracker, text
