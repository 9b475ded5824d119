"""A progress report in the language its trackers were made in: no English left.

The Spanish project of the site test gets a goal rating sheet; its tracker and
rating sheet are filled in as a client would (with one value that cannot be
used), and ``workbook progress`` must write report.html, its charts and
report.pdf with every word from the Spanish content, the Spanish catalogue, the
Spanish calendar or what the client wrote.
"""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from babel import Locale

from tests.helpers import (
    SPANISH_GOAL,
    VisibleWords,
    allowed_words,
    fill,
    run,
    words,
    write_spanish_project,
)
from workbook import BuildConfig, build

pytestmark = pytest.mark.slow

GAS = """\
gas:
  levels:
    2: Duermo a mi hora todas las noches y me despierto descansado.
    1: Cumplo el horario casi todas las noches de la semana.
    0: Cumplo el horario cinco noches por semana.
    -1: Cumplo el horario algunas noches, menos de cinco.
    -2: Sigo acostándome a horas muy distintas cada noche.
"""
T = "dormir_tracker"
CLIENT = {"Lucía", "Ortega", "Leí", "antes", "de", "dormir", "tranquila"}


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_spanish_project(
        tmp_path_factory.mktemp("es") / "proyecto", goal=SPANISH_GOAL + GAS
    )
    build(BuildConfig(project_dir=root))
    downloads = root / "output/downloads"
    work = root.parent
    values = {
        f"{T}_name": "Lucía Ortega",
        f"{T}_date": "4 de enero de 2027",
        f"{T}_w01_d1_minutos": "45",
        f"{T}_w01_d1_cansancio": "7",
        f"{T}_w01_d1_s1": "/Yes",
        f"{T}_w01_d2_minutos": "mucho",
        f"{T}_w01_d2_cansancio": "6",
        f"{T}_w01_d3_minutos": "30",
        f"{T}_w01_d3_cansancio": "12",
        f"{T}_w01_d3_notes": "Leí antes de dormir, más tranquila",
        f"{T}_w01_siestas": "2",
        f"{T}_w02_d1_minutos": "20",
        f"{T}_w02_d1_cansancio": "4",
        f"{T}_w02_d1_s2": "/Yes",
        f"{T}_w02_siestas": "1",
    }
    fill(downloads / "dormir-tracker.pdf", work / "registro.pdf", values)
    fill(
        downloads / "dormir-gas.pdf",
        work / "valoracion.pdf",
        {"dormir_gas_level": "/1", "dormir_gas_date": "2027-01-18"},
    )
    result = run(["progress", "registro.pdf", "valoracion.pdf", "--out", "informe"], work)
    assert result.exit_code == 0, result.output
    assert "Lucía" not in result.output
    return work / "informe"


def spanish_words(project: Path) -> set[str]:
    """What a Spanish report may say: the site's words, the client's, and the Spanish
    calendar's month and day names (CLDR, through Babel)."""
    es = Locale.parse("es")
    calendar = {
        name
        for context in ("format", "stand-alone")
        for width in ("wide", "abbreviated")
        for table in (es.months, es.days)
        for name in table[context][width].values()
    }
    return (
        allowed_words(project)
        | words(" ".join(calendar))
        | words(" ".join(CLIENT))
        | {"registro", "valoracion", "pdf"}
    )  # the file names, as given


def test_report_html_has_no_english(report: Path) -> None:
    project = report.parent / "proyecto"
    html = (report / "report.html").read_text(encoding="utf-8")
    assert '<html lang="es">' in html
    parser = VisibleWords()
    parser.feed(html)
    seen = " ".join(parser.chunks)
    assert words(seen) - spanish_words(project) == set()
    for text in (
        "Informe de progreso",
        "rellenado en 4 de 8 días",
        "37,5 (semana 1)",
        "60,0",
        "Más de lo esperado",
        "Minutos hasta dormirme",
        "no es un número de minutos",
        "fuera de la escala",
    ):
        assert text in seen, text


def test_charts_and_pdf_have_no_english(report: Path) -> None:
    project = report.parent / "proyecto"
    allowed = spanish_words(project)
    charts = sorted(report.glob("*.svg"))
    assert len(charts) == 3
    for chart in charts:  # its title, description and every label drawn
        shown = " ".join(node.text or "" for node in ET.parse(chart).iter())
        assert words(shown) - allowed == set(), chart.name
    text = subprocess.run(
        ["pdftotext", "-layout", str(report / "report.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert words(text) - allowed == set()
    assert "Página 1 de" in text
