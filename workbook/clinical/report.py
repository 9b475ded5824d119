"""``workbook progress``: from what was read (:mod:`workbook.progress`) to the files.

Writes into the output folder:

* ``progress.csv``: one row per date (or week) and measure, tidy, with what
  was written, the number used and why a value was left out;
* ``<goal>-<measure>.svg``: one chart per measure (:mod:`workbook.charts`);
* ``report.html`` and ``report.pdf``: the session report, one page per goal,
  rendered from the theme's ``report/progress.html`` with the theme font.

These files hold personal data: the folder is refused inside a built site, a
new folder is private (0700) and every file is written private (0600).
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from babel.dates import format_interval, format_skeleton
from markupsafe import Markup

from workbook.clinical import charts

from workbook.clinical import gas

from workbook.clinical import reading as progress
from workbook.errors import Problem, WorkbookError
from workbook.render.html import make_env, render_template
from workbook.content.i18n import Catalogue, load_catalogue
from workbook.output.write import MARKER
from workbook.render.pdf.setup import declared_fonts
from workbook.render.pdf.setup import PageSetup
from workbook.render.pdf.engine import PdfEngine
from workbook.project import Project, bundled_root, default_theme
from workbook.clinical.reading import GoalSeries, MeasureSummary, Reading

CSV_COLUMNS = ("goal", "date", "week", "day", "measure", "label", "kind", "value",
               "as_written", "problem", "file")


@dataclass
class Outcome:
    """What ``workbook progress`` did: files written, and what to tell the user."""

    written: list[Path]
    summary: list[str]
    warnings: list[Problem]


def run_progress(files: list[str], out: str | None) -> Outcome:
    paths = [(Path(name).expanduser(), name) for name in files]
    reading = progress.read_files(paths)
    series, clashes = progress.combine(reading.trackers)
    warnings = reading.warnings + clashes
    ratings, earlier = progress.latest_ratings(reading.ratings)
    for rating in reading.ratings:
        if rating.level is None and not any(p.message.startswith("the goal rating for")
                                            and p.path == rating.file for p in warnings):
            warnings.append(Problem(rating.file, None,
                                    f"the goal rating for '{rating.title}' is not filled in"))
    for tracker in reading.trackers:
        if not tracker.entries:
            warnings.append(Problem(tracker.file, None,
                                    f"nothing is filled in on the tracker for '{tracker.title}'"))
    if not any(t.entries for t in reading.trackers) and not ratings:
        raise WorkbookError([Problem("", None, "nothing is filled in on "
                                     + ("this file" if len(files) == 1 else "any of these files")
                                     + "; there is no progress to report yet")])
    folder = Path(out).expanduser() if out else paths[0][0].parent / "progress"
    refuse_site(folder)
    t = _catalogue(reading.site.get("language", "en"))
    outputs: dict[str, bytes] = {}
    goal_views = []
    for goal in series:
        summaries = progress.summarise(goal)
        chart_files = {}
        for summary in summaries:
            name = f"{goal.goal}-{summary.measure.id}.svg"
            svg = _chart(goal, summary, reading, t)
            outputs[name] = svg.encode("utf-8")
            chart_files[summary.measure.id] = svg
        goal_views.append(_goal_view(goal, summaries, chart_files, t))
    outputs["progress.csv"] = _csv(series, reading.ratings)
    unused = [str(w) for w in warnings]
    context = _report_context(reading, goal_views, ratings, earlier, unused, t)
    html = _render_html(context, t)
    outputs["report.html"] = html.encode("utf-8")
    outputs["report.pdf"] = _render_pdf(html, reading.site, t)
    written = write_private_files(folder, outputs)
    summary = []
    for view in goal_views:
        summary.append(f"{view['title']}: {view['filled']}")
    if ratings:
        summary.append(f"Goal attainment: T-score {context['gas']['t']} over "
                       f"{len(ratings)} rated goal{'s' if len(ratings) != 1 else ''}")
    return Outcome(written, summary, warnings)


def refuse_site(folder: Path) -> None:
    resolved = folder.expanduser().absolute().resolve()
    for candidate in (resolved, *resolved.parents):
        if (candidate / MARKER).is_file():
            raise WorkbookError(
                f"{_shown(folder)}: refusing to write a progress report inside the site's "
                f"output folder ({_shown(candidate)}); it holds personal data and that folder "
                "gets published. Choose a folder outside the site with --out")


def _shown(path: Path) -> str:
    shown = os.path.relpath(path.expanduser().absolute())
    return str(path.expanduser().absolute()) if shown.startswith("../..") else shown


def write_private_files(folder: Path, outputs: dict[str, bytes]) -> list[Path]:
    try:
        if not folder.is_dir():
            folder.mkdir(parents=True, mode=0o700)
        written = []
        for name, data in outputs.items():
            handle, temporary = tempfile.mkstemp(prefix=".progress-", dir=folder)
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, folder / name)
            written.append(folder / name)
        return written
    except OSError as exc:
        raise WorkbookError(f"{_shown(folder)}: cannot write there: {exc.strerror}") from None


def _catalogue(language: str) -> Catalogue:
    try:
        return load_catalogue(language, [default_theme()])
    except LookupError:
        return Catalogue("en")


# --------------------------------------------------------------------------- pieces


def _day(date: datetime.date, t: Catalogue) -> str:
    return _plain(format_skeleton("MMMEd", date, locale=t.locale))


def _plain(text: str) -> str:
    return text.replace("\u2009", " ").replace("\u202f", " ").replace("\u200a", " ")


def _period(goal: GoalSeries, t: Catalogue) -> str:
    weeks = goal.last_week
    span = f"week 1" if weeks == 1 else f"weeks 1–{weeks}"
    if goal.start is None:
        return f"{span} (no start date, so days are numbered)"
    last = goal.start + datetime.timedelta(days=max(goal.last_day, weeks * 7 if not goal.last_day
                                                    else goal.last_day) - 1)
    return _plain(format_interval(goal.start, last, "yMMMd", locale=t.locale)) + f" · {span}"


def _number(value: float, percent: bool = False) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{round(value)}%" if percent else text


def target_text(measure: progress.Measure) -> str:
    target = measure.target
    if not target:
        return "–"
    value = _number(target["value"])
    per = "a day" if measure.every == "day" else "a week"
    if target["direction"] == "lower":
        return f"{value} or {'fewer' if measure.kind == 'count' else 'lower'} {per}"
    return f"{value} or {'more' if measure.kind == 'count' else 'higher'} {per}"


def _measure_row(summary: MeasureSummary) -> dict:
    m = summary.measure
    percent = m.kind == "yes-no"
    what = "share of days" if percent else ("daily, weekly average" if m.every == "day" else "")

    def cell(point):
        if point is None:
            return "–"
        return f"{_number(point[1], percent)} (week {point[0]})"

    change = summary.change
    if change is None:
        change_text = "–"
    else:
        sign = "+" if change > 0 else "−" if change < 0 else "±"
        change_text = f"{sign}{_number(abs(change))}{' points' if percent else ''}"
        if summary.better is not None:
            change_text += ", better" if summary.better else ", worse"
    met = summary.target_met
    return {
        "label": m.label,
        "what": what,
        "first": cell(summary.first),
        "latest": cell(summary.latest),
        "change": change_text,
        "better": summary.better,
        "target": target_text(m),
        "met": "–" if met is None else ("Yes" if met else "Not yet"),
        "met_class": "" if met is None else ("yes" if met else "no"),
        "filled": f"{summary.filled} of {summary.span} {summary.unit}",
    }


def _chart(goal: GoalSeries, summary: MeasureSummary, reading: Reading, t: Catalogue) -> str:
    m = summary.measure
    if m.kind == "yes-no":
        subtitle = "Share of filled-in days with a yes, week by week"
    elif m.every == "day":
        subtitle = "Weekly average (line) of single days (dots)"
    else:
        subtitle = "Week by week"
    if m.target:
        subtitle += f" · target {target_text(m)}"
    low, high = (m.min, m.max) if m.kind == "scale" else (0, None)
    weeks = max(goal.last_week, 1)
    labels = charts.week_labels(goal.start, weeks,
                                lambda d: _plain(format_skeleton("MMMd", d, locale=t.locale)))
    values = ", ".join(f"week {w}: {_number(v, m.kind == 'yes-no')}"
                       for w, v in summary.weekly.items())
    return charts.measure_chart(
        title=m.label, subtitle=subtitle, kind=m.kind, weekly=summary.weekly,
        daily=summary.daily if m.kind != "yes-no" else [], weeks=weeks, low=low, high=high,
        target=m.target, accent=reading.site.get("accent_color", "#2f6f73"),
        week_labels=labels, description=f"{m.label}. {subtitle}. {values}.")


def _goal_view(goal: GoalSeries, summaries: list[MeasureSummary], chart_files: dict[str, str],
               t: Catalogue) -> dict:
    days = {p.day for p in goal.points if p.day is not None}
    if goal.last_day:
        filled = f"filled in on {len(days)} of {goal.last_day} days"
    else:
        weeks = {p.week for p in goal.points}
        filled = f"filled in for {len(weeks)} of {goal.last_week} weeks"
    notes = []
    for point, label in progress.notes(goal):
        when = _day(point.date, t) if point.date else (
            f"Day {point.day}" if point.day else f"Week {point.week}")
        notes.append({"when": when, "label": label, "text": point.entry.text})
    shown_notes = notes[-6:]
    strategies = progress.strategy_counts(goal)
    partial = _partial_days(goal)
    return {
        "slug": goal.goal,
        "title": goal.title,
        "period": _period(goal, t),
        "filled": filled,
        "files": ", ".join(dict.fromkeys(tr.file for tr in goal.trackers)),
        "measures": [_measure_row(s) for s in summaries],
        "charts": [Markup(chart_files[s.measure.id]) for s in summaries],
        "strategies": strategies[:4],
        "more_strategies": len(strategies) - 4 if len(strategies) > 4 else 0,
        "unit": "days" if goal.last_day else "weeks",
        "notes": list(reversed(shown_notes)),
        "more_notes": len(notes) - len(shown_notes),
        "partial": partial,
    }


def _partial_days(goal: GoalSeries) -> int:
    """Days with some, but not all, of the daily measures filled in."""
    daily = [m.id for m in goal.measures if m.every == "day" and m.kind not in ("yes-no",)]
    if len(daily) < 2:
        return 0
    by_day: dict[int, set[str]] = {}
    for p in goal.points:
        if p.day is not None:
            by_day.setdefault(p.day, set()).add(p.entry.measure)
    return sum(1 for ids in by_day.values() if 0 < len(ids & set(daily)) < len(daily))


def _report_context(reading: Reading, goals: list[dict], ratings, earlier, unused, t) -> dict:
    names = Counter(n for n in [tr.client for tr in reading.trackers] +
                    [r.client for r in reading.ratings] if n)
    gas_view = None
    if ratings:
        score = gas.t_score((r.level, r.weight) for r in ratings)
        names_by_level = {2: "Much more than expected", 1: "More than expected",
                          0: "The expected outcome", -1: "Less than expected",
                          -2: "Much less than expected"}
        gas_view = {
            "t": f"{score:.1f}",
            "rows": [{"title": r.title, "level": f"{r.level:+d}" if r.level else "0",
                      "name": names_by_level[r.level],
                      "description": r.levels.get(str(r.level), ""),
                      "weight": _number(r.weight), "date": r.date_text or "–"}
                     for r in sorted(ratings, key=lambda r: r.title)],
            "earlier": len(earlier),
        }
    return {
        "client": names.most_common(1)[0][0] if names else "",
        "organization": reading.site.get("organization", ""),
        "goals": goals,
        "gas": gas_view,
        "unused": unused,
    }


def _render_html(context: dict, t: Catalogue) -> str:
    project = Project(bundled_root())
    env = make_env(project, t)
    return render_template(env, project, "report/progress.html", {
        **context, "config": {"language": t.language}})


def _render_pdf(html: str, site: dict, t: Catalogue) -> bytes:
    project = Project(bundled_root())
    fonts = project.theme_file("pdf/fonts.css")
    setup = PageSetup(paper=site.get("paper", "letter"),
                      organization="",  # the report names it in its own header
                      support_note="", page_label="Page {page} of {pages}",
                      accent_color=site.get("accent_color", "#2f6f73"))
    engine = PdfEngine([fonts], setup, roots=[project.root, default_theme()],
                       font_families=declared_fonts(fonts))
    return engine.render(html, base_url=project.root.as_uri() + "/", name="report.pdf",
                         labels={}).data


def _csv(series: list[GoalSeries], ratings: list[progress.Rating]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    rows = []
    for goal in series:
        order = {m.id: i for i, m in enumerate(goal.measures)}
        for p in goal.points:
            e = p.entry
            value = "" if e.value is None or not p.used else _number(e.value)
            problem = e.problem or (f"not used: {p.note}" if p.note else "")
            rank = order.get(e.measure, len(order) + (int(e.measure[1:]) if e.kind == "strategy"
                                                      else 99))
            rows.append(((goal.goal, p.day or p.week * 7, p.day is None, rank, p.tracker.file), [
                goal.goal, p.date.isoformat() if p.date else "", p.week, p.day or "", e.measure,
                e.label, e.kind, value, e.text, problem, p.tracker.file]))
    for r in ratings:
        rows.append(((r.goal, 10 ** 6, False, 0, r.file), [
            r.goal, r.date.isoformat() if r.date else "", "", "", "gas-level", "Goal rating",
            "gas", "" if r.level is None else r.level, r.date_text and f"rated on {r.date_text}"
            or "", "" if r.level is not None else "not filled in", r.file]))
    for _, row in sorted(rows, key=lambda item: item[0]):
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8")
