"""``workbook progress``, fourth step: the results as files.

What :func:`render` makes, for the output folder:

* ``progress.csv`` (:mod:`~workbook.report.table`) and, with questionnaires,
  ``scores.csv`` (:mod:`~workbook.report.scores`);
* ``<goal>-<measure>.svg`` and ``<questionnaire>.scores.svg``: one chart per measure
  and questionnaire (:mod:`~workbook.report.charts`);
* ``report.html`` and ``report.pdf``: the session report, one page per goal, rendered
  from the theme's ``report/progress.html`` with the theme font; the words are
  :mod:`~workbook.report.views`.

The files hold personal data; writing them is the pipeline's last step
(:func:`workbook.progress.progress`, through :mod:`workbook.output.private`).
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from workbook.content.i18n import Catalogue
from workbook.project import Project, bundled_root, default_theme
from workbook.render.pdf.fonts import embedded_font_faces
from workbook.render.pdf.setup import PageSetup, declared_fonts
from workbook.render.templates import make_env, render_template
from workbook.report import views
from workbook.report.compute import Results
from workbook.report.scores import scores_csv
from workbook.report.table import progress_csv


@dataclass
class Rendered:
    files: dict[str, bytes]  # file name in the output folder → its bytes
    summary: list[str]  # the lines for the terminal


def render(results: Results) -> Rendered:
    """Every file of the report, in memory; nothing is written here."""
    t, site = results.t, results.reading.site
    files: dict[str, bytes] = {}
    goals = []
    for goal in results.goals:
        charts = {
            s.measure.id: views.goal_measure_chart(goal.series, s, site["accent_color"], t)
            for s in goal.summaries
        }
        files.update({f"{goal.series.goal}-{m}.svg": svg.encode() for m, svg in charts.items()})
        goals.append(views.goal_view(goal, charts, t))
    files["progress.csv"] = progress_csv([g.series for g in results.goals], results.reading.ratings)
    questionnaires = []
    if results.instruments:
        files["scores.csv"] = scores_csv(results.instruments)
        for instrument in results.instruments:
            svg = views.questionnaire_chart(instrument, site["accent_color"], t)
            files[f"{instrument.instrument}.scores.svg"] = svg.encode()
            questionnaires.append(views.questionnaire_view(instrument, svg, t))
    context = views.report_context(results, goals, questionnaires)
    files["report.html"] = _render_html(context, t, embed_fonts=True).encode()
    # the PDF gets the same fonts from the theme's fonts.css, not from data: URLs
    files["report.pdf"] = _render_pdf(_render_html(context, t, embed_fonts=False), site, t)
    return Rendered(files, views.summary_lines(results, goals, context))


def _render_html(context: dict, t: Catalogue, *, embed_fonts: bool) -> str:
    """The report as HTML; ``embed_fonts``: carrying the theme font itself (report.html is
    opened on its own, anywhere)."""
    project = Project(bundled_root())
    env = make_env(project, t)
    faces = embedded_font_faces(project.theme_file("pdf/fonts.css")) if embed_fonts else ""
    return render_template(
        env,
        project,
        "report/progress.html",
        {**context, "config": {"language": t.language}, "font_faces": Markup(faces)},
    )


def _render_pdf(html: str, site: dict, t: Catalogue) -> bytes:
    from workbook.render.pdf.engine import PdfEngine  # WeasyPrint: only when writing

    project = Project(bundled_root())
    fonts = project.theme_file("pdf/fonts.css")
    setup = PageSetup(
        paper=site["paper"],
        organization="",  # the report names it in its own header
        support_note="",
        page_label=t("Page {page} of {pages}"),
        accent_color=site["accent_color"],
    )
    engine = PdfEngine(
        [fonts], setup, roots=[project.root, default_theme()], font_families=declared_fonts(fonts)
    )
    return engine.render(
        html, base_url=project.root.as_uri() + "/", name="report.pdf", labels={}
    ).data
