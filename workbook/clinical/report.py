"""``workbook progress``: from the filled files to the CSV, the charts and the report.

Reads the files (:mod:`~workbook.clinical.reading`), puts each goal's trackers
on one timeline (:mod:`~workbook.clinical.timeline`), then writes into the
output folder:

* ``progress.csv`` (:mod:`~workbook.clinical.table`);
* ``<goal>-<measure>.svg``: one chart per measure (:mod:`~workbook.clinical.charts`);
* ``report.html`` and ``report.pdf``: the session report, one page per goal,
  rendered from the theme's ``report/progress.html`` with the theme font.

Every sentence of the report is a message of the theme's catalogue, in the
language the trackers were made in (the shared clinical words are
:mod:`~workbook.clinical.wording`). These files hold personal data, so they
are written by :mod:`workbook.output.private`: refused inside a built site, a
new folder private (0700), every file private (0600).
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from babel.dates import format_interval, format_skeleton
from babel.numbers import format_decimal, format_percent
from markupsafe import Markup

from workbook.clinical import charts, gas, scores, timeline
from workbook.clinical.fhir import fhir_bundle
from workbook.clinical.flatten import flatten_bytes
from workbook.clinical.reading import Reading, read_files
from workbook.clinical.table import progress_csv
from workbook.clinical.timeline import GoalSeries, MeasureSummary
from workbook.clinical.wording import (
    count_text,
    day_text,
    gas_level_names,
    signed_level,
    target_words,
)
from workbook.content.i18n import Catalogue, catalogue_named_by, plain_spaces
from workbook.errors import Problem, WorkbookError
from workbook.output.private import check_file, check_folder, private_folder, write_private
from workbook.project import Project, bundled_root, default_theme
from workbook.render import colours
from workbook.render.pdf.fonts import embedded_font_faces
from workbook.render.pdf.setup import PageSetup, declared_fonts
from workbook.render.templates import make_env, render_template

PLACE_HINT = "Choose a folder outside the site with --out"


@dataclass
class Outcome:
    """What ``workbook progress`` did: files written, and what to tell the user."""

    written: list[Path]
    summary: list[str]
    warnings: list[Problem]


def run_progress(
    files: list[str], out: str | None, *, copies: bool = False, fhir: str | None = None
) -> Outcome:
    """``copies``: also a print-ready copy of each file (:mod:`workbook.clinical.flatten`),
    ``NAME-print.pdf`` in the report's folder. ``fhir``: also write the questionnaires'
    results as a FHIR R4 Bundle to that file (:mod:`workbook.clinical.fhir`)."""
    paths = [(Path(name).expanduser(), name) for name in files]
    reading = read_files(paths)
    series, clashes = timeline.combine(reading.trackers)
    warnings = reading.warnings + clashes
    ratings, earlier = timeline.latest_ratings(reading.ratings)
    t = catalogue_named_by(reading.site["language"], [default_theme()])
    instruments, score_warnings = scores.score_all(reading.administrations, t)
    warnings += score_warnings
    for rating in reading.ratings:
        if rating.level is None and not rating.warned:
            warnings.append(
                Problem(
                    rating.file,
                    None,
                    t("the goal rating for '{title}' is not filled in", title=rating.title),
                )
            )
    for tracker in reading.trackers:
        if not tracker.entries:
            warnings.append(
                Problem(
                    tracker.file,
                    None,
                    t("nothing is filled in on the tracker for '{title}'", title=tracker.title),
                )
            )
    if not any(tr.entries for tr in reading.trackers) and not ratings and not instruments:
        if len(files) == 1:
            raise WorkbookError(
                [
                    Problem(
                        files[0],
                        None,
                        "nothing is filled in on this file; there is no progress to report yet",
                    )
                ]
            )
        raise WorkbookError(
            [
                Problem(
                    "",
                    None,
                    f"nothing is filled in on any of these "
                    f"{len(files)} files ({', '.join(files)}); there is no "
                    "progress to report yet",
                )
            ]
        )
    folder = Path(out).expanduser() if out else paths[0][0].parent / "progress"
    check_folder(folder, "a progress report", PLACE_HINT)
    fhir_target = None
    if fhir is not None:
        fhir_target = Path(fhir).expanduser()
        check_file(fhir_target, "a FHIR export", PLACE_HINT)
        if not fhir_target.parent.is_dir():  # found now, before anything is written
            raise WorkbookError(
                [
                    Problem(
                        fhir,
                        None,
                        "the folder for the FHIR export does not "
                        "exist; make it first or choose another",
                    )
                ]
            )
        if not instruments:
            raise WorkbookError(
                [
                    Problem(
                        "",
                        None,
                        "--fhir exports questionnaire results, and "
                        "none of these files holds a filled one",
                    )
                ]
            )
    outputs: dict[str, bytes] = {}
    goal_views = []
    for goal in series:
        summaries = timeline.summarise(goal)
        chart_files = {}
        for summary in summaries:
            svg = _chart(goal, summary, reading, t)
            outputs[f"{goal.goal}-{summary.measure.id}.svg"] = svg.encode("utf-8")
            chart_files[summary.measure.id] = svg
        goal_views.append(_goal_view(goal, summaries, chart_files, t))
    outputs["progress.csv"] = progress_csv(series, reading.ratings)
    questionnaire_views = []
    if instruments:
        outputs["scores.csv"] = scores.scores_csv(instruments)
        for instrument in instruments:
            svg = _score_chart(instrument, reading, t)
            outputs[f"{instrument.instrument}.scores.svg"] = svg.encode("utf-8")
            questionnaire_views.append(_questionnaire_view(instrument, svg, t))
    context = _report_context(reading, goal_views, ratings, earlier, [str(w) for w in warnings], t)
    context["questionnaires"] = questionnaire_views
    context["risks"] = scores.risk_rows(instruments, t)
    # reading.site was checked with the description (clinical/description.Site): a paper
    # size of two, a hex colour; safe to reach CSS and SVG
    accent = colours.readable_on(reading.site["accent_color"], colours.LIGHT_BACKGROUND)
    context["accent"] = accent
    outputs["report.html"] = _render_html(context, t, embed_fonts=True).encode("utf-8")
    # the PDF gets the same fonts from the theme's fonts.css, not from data: URLs
    outputs["report.pdf"] = _render_pdf(
        _render_html(context, t, embed_fonts=False), reading.site, t
    )
    if copies:
        for path, name in paths:
            copy = f"{_safe_stem(path.stem)}-print.pdf"
            number = 2
            while copy in outputs:
                copy = f"{_safe_stem(path.stem)}-{number}-print.pdf"
                number += 1
            outputs[copy] = flatten_bytes(path, name).data
    bundle = fhir_bundle(instruments) if fhir_target is not None else None
    private_folder(folder)
    written = []
    for name, data in outputs.items():
        write_private(folder / name, data, "the report")
        written.append(folder / name)
    if bundle is not None:
        write_private(fhir_target, bundle, "the FHIR export")
        written.append(fhir_target)
    summary = [f"{view['title']}: {view['filled']}" for view in goal_views]
    summary += [view["summary"] for view in questionnaire_views]
    if context["risks"]:
        summary.insert(
            0,
            t(
                "{n} risk answers: read the report's first box before anything else",
                n=len(context["risks"]),
            )
            if len(context["risks"]) != 1
            else t("1 risk answer: read the report's first box before anything else"),
        )
    if ratings:
        summary.append(
            t(
                "Goal attainment: T-score {t} over {n} rated goals",
                t=context["gas"]["t"],
                n=len(ratings),
            )
            if len(ratings) != 1
            else t("Goal attainment: T-score {t} over 1 rated goal", t=context["gas"]["t"])
        )
    return Outcome(written, summary, warnings)


# --------------------------------------------------------------------------- pieces


def _questionnaire_view(instrument: scores.Instrument, svg: str, t: Catalogue) -> dict:
    rows = []
    items = len(instrument.rules.items)
    # what each later row is compared with: the first administration with a total
    baseline = next((row for row in instrument.rows if row.score.total is not None), None)
    for row in instrument.rows:
        score, change = row.score, row.outcome.change
        reliable, recovery = scores.outcome_words(row.outcome, t)
        better = None if not change else (change < 0) == (instrument.rules.higher_is == "worse")
        a = row.administration
        rows.append(
            {
                "when": t.date(a.date, "long") if a.date else t("undated ({file})", file=a.file),
                "total": "–"
                if score.total is None
                else _shown(score.total, t) + (" " + t("(prorated)") if score.prorated else ""),
                "case": "" if score.case is None else t("case") if score.case else t("not a case"),
                "band": score.band or "–" if score.total is not None else score.reason,
                "change": "–"
                if change is None or row is baseline
                else f"{'+' if change > 0 else '−' if change < 0 else '±'}{_shown(abs(change), t)}",
                "change_class": "" if better is None else "better" if better else "worse",
                "reliable": reliable if row is not baseline else "–",
                "recovery": recovery if row is not baseline else "–",
                "answered": t("{n} of {total}", n=score.answered, total=items),
                "risk": bool(score.risk),
            }
        )
    rules = instrument.rules
    direction = (
        t("higher means more difficulty")
        if rules.higher_is == "worse"
        else t("higher means better")
    )
    facts = [
        t(
            "Total from {low} to {high}; {direction}",
            low=_shown(rules.low, t),
            high=_shown(rules.high, t),
            direction=direction,
        )
    ]
    if rules.caseness is not None:
        facts.append(
            t("a case at {value} or above", value=_shown(rules.caseness, t))
            if rules.higher_is == "worse"
            else t("a case below {value}", value=_shown(rules.caseness, t))
        )
    if rules.rc_threshold is not None:
        facts.append(
            t("a reliable change is {value} points or more", value=_shown(rules.rc_threshold, t))
        )
    latest = next((r for r in reversed(instrument.rows) if r.score.total is not None), None)
    if latest is None:
        summary = t(
            "{title}: {n} filled in, none could be scored",
            title=instrument.title,
            n=len(instrument.rows),
        )
    else:
        summary = t(
            "{title}: latest total {total}",
            title=instrument.title,
            total=_shown(latest.score.total, t),
        )
        if latest.score.band:
            summary += f" ({latest.score.band})"
        if len(instrument.rows) > 1 and latest.outcome.reliable:
            summary += " · " + scores.outcome_words(latest.outcome, t)[0]
    return {
        "title": instrument.title,
        "rows": rows,
        "chart": Markup(svg),
        "rules": "; ".join(facts) + ".",
        "summary": summary,
    }


def _score_chart(instrument: scores.Instrument, reading: Reading, t: Catalogue) -> str:
    rules = instrument.rules
    totals = [row.score.total for row in instrument.rows]
    labels = [
        plain_spaces(format_skeleton("MMMd", row.administration.date, locale=t.locale))
        if row.administration.date
        else str(index)
        for index, row in enumerate(instrument.rows, start=1)
    ]
    values = ", ".join(
        f"{label}: {'–' if total is None else _shown(total, t)}"
        for label, total in zip(labels, totals)
    )
    subtitle = (
        t("Total at each filling-in; bands shaded")
        if rules.bands
        else t("Total at each filling-in")
    )
    caseness = (
        t("case from {value}", value=_shown(rules.caseness, t))
        if rules.caseness is not None and rules.higher_is == "worse"
        else t("case below {value}", value=_shown(rules.caseness, t))
        if rules.caseness is not None
        else ""
    )
    return charts.score_chart(
        title=instrument.title,
        subtitle=subtitle,
        totals=totals,
        labels=labels,
        low=rules.low,
        high=rules.high,
        bands=[(b.min, b.max, b.label) for b in rules.bands],
        caseness=rules.caseness,
        caseness_text=caseness,
        accent=reading.site["accent_color"],
        description=f"{instrument.title}. {subtitle}. {values}.",
        texts=charts.ChartTexts(empty=t("Nothing filled in yet"), number=lambda v: _shown(v, t)),
    )


def _safe_stem(stem: str) -> str:
    """A file name's stem as a name in the report's folder: letters, digits, - and _ only
    (a returned file's name may hold anything)."""
    kept = "".join(c if c.isalnum() or c in "-_" else "-" for c in stem)[:80].strip("-.")
    return kept or "file"


def _period(goal: GoalSeries, t: Catalogue) -> str:
    weeks = goal.last_week
    span = t("week 1") if weeks == 1 else t("weeks 1–{n}", n=weeks)
    if goal.start is None:
        return t("{weeks} (no start date, so days are numbered)", weeks=span)
    last = goal.start + datetime.timedelta(
        days=max(goal.last_day, weeks * 7 if not goal.last_day else goal.last_day) - 1
    )
    dates = plain_spaces(format_interval(goal.start, last, "yMMMd", locale=t.locale))
    return f"{dates} · {span}"


def _shown(value: float, t: Catalogue, percent: bool = False) -> str:
    """A value as the report shows it, with the language's decimal mark: 3.5, 3,5, 40%."""
    if percent:
        return format_percent(round(value) / 100, locale=t.locale)
    return format_decimal(round(value, 1), format="#,##0.#", locale=t.locale)


def _target(m, t: Catalogue) -> str:
    if not m.target:
        return ""
    return target_words(m.kind, m.every, m.target["direction"], m.target["value"], t)


def _measure_row(summary: MeasureSummary, t: Catalogue) -> dict:
    m = summary.measure
    percent = m.kind == "yes-no"
    what = (
        "" if m.every == "week" else t("share of days") if percent else t("daily, weekly average")
    )

    def cell(point):
        if point is None:
            return "–"
        return t("{value} (week {week})", value=_shown(point[1], t, percent), week=point[0])

    change = summary.change
    if change is None:
        change_text = "–"
    else:
        sign = "+" if change > 0 else "−" if change < 0 else "±"
        change_text = f"{sign}{_shown(abs(change), t)}"
        if percent:
            change_text = t("{change} points", change=change_text)
        if summary.better is not None:
            change_text = (
                t("{change}, better", change=change_text)
                if summary.better
                else t("{change}, worse", change=change_text)
            )
    met = summary.target_met
    filled = (
        t("{n} of {total} days", n=summary.filled, total=summary.span)
        if summary.unit == "days"
        else t("{n} of {total} weeks", n=summary.filled, total=summary.span)
    )
    return {
        "label": m.label,
        "what": what,
        "first": cell(summary.first),
        "latest": cell(summary.latest),
        "change": change_text,
        "better": summary.better,
        "target": _target(m, t) or "–",
        "met": "–" if met is None else (t("Yes") if met else t("Not yet")),
        "met_class": "" if met is None else ("yes" if met else "no"),
        "filled": filled,
    }


def _chart(goal: GoalSeries, summary: MeasureSummary, reading: Reading, t: Catalogue) -> str:
    m = summary.measure
    percent = m.kind == "yes-no"
    if percent and m.every == "week":
        subtitle = t("Yes (100%) or no (0%), week by week")
    elif percent:
        subtitle = t("Share of filled-in days with a yes, week by week")
    elif m.every == "day":
        subtitle = t("Weekly average (line) of single days (dots)")
    else:
        subtitle = t("Week by week")
    if m.target:
        subtitle = t("{subtitle} · target {target}", subtitle=subtitle, target=_target(m, t))
    low, high = (m.min, m.max) if m.kind == "scale" else (0, None)
    weeks = max(goal.last_week, 1)
    labels = charts.week_labels(
        goal.start, weeks, lambda d: plain_spaces(format_skeleton("MMMd", d, locale=t.locale))
    )
    values = ", ".join(
        t("week {week}: {value}", week=w, value=_shown(v, t, percent))
        for w, v in summary.weekly.items()
    )
    return charts.measure_chart(
        title=m.label,
        subtitle=subtitle,
        kind=m.kind,
        weekly=summary.weekly,
        daily=summary.daily if not percent else [],
        weeks=weeks,
        low=low,
        high=high,
        target=m.target,
        accent=reading.site["accent_color"],
        week_labels=labels,
        description=f"{m.label}. {subtitle}. {values}.",
        texts=charts.ChartTexts(
            week=lambda n: t("Wk {n}", n=n),
            target=lambda v: t("target {value}", value=v),
            empty=t("Nothing filled in yet"),
            number=lambda v: _shown(v, t),
        ),
    )


def _goal_view(
    goal: GoalSeries, summaries: list[MeasureSummary], chart_files: dict[str, str], t: Catalogue
) -> dict:
    days = {p.day for p in goal.points if p.day is not None}
    if goal.last_day:
        filled = t("filled in on {n} of {total} days", n=len(days), total=goal.last_day)
    else:
        weeks = {p.week for p in goal.points}
        filled = t("filled in for {n} of {total} weeks", n=len(weeks), total=goal.last_week)
    notes = []
    for point, label in timeline.notes(goal):
        when = (
            day_text(point.date, t.locale)
            if point.date
            else (t("Day {n}", n=point.day) if point.day else t("Week {n}", n=point.week))
        )
        notes.append({"when": when, "label": label, "text": point.entry.text})
    shown_notes = notes[-6:]
    unit = "day" if goal.last_day else "week"
    strategies = [
        (text, count_text(count, unit, t)) for text, count in timeline.strategy_counts(goal)
    ]
    partial = _partial_days(goal)
    return {
        "slug": goal.goal,
        "title": goal.title,
        "period": _period(goal, t),
        "filled": filled,
        "partial": t("({n} with only some measures)", n=partial) if partial else "",
        "files": ", ".join(dict.fromkeys(tr.file for tr in goal.trackers)),
        "measures": [_measure_row(s, t) for s in summaries],
        "charts": [Markup(chart_files[s.measure.id]) for s in summaries],
        "strategies": strategies[:4],
        "more_strategies": len(strategies) - 4 if len(strategies) > 4 else 0,
        "notes": list(reversed(shown_notes)),
        "more_notes": len(notes) - len(shown_notes),
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


def _report_context(
    reading: Reading, goals: list[dict], ratings, earlier, unused, t: Catalogue
) -> dict:
    names = Counter(
        n
        for n in [tr.client for tr in reading.trackers]
        + [r.client for r in reading.ratings]
        + [a.client for a in reading.administrations]
        if n
    )
    gas_view = None
    if ratings:
        score = gas.t_score((r.level, r.weight) for r in ratings)
        names_by_level = gas_level_names(t)
        gas_view = {
            "t": format_decimal(round(score, 1), format="0.0", locale=t.locale),
            "rows": [
                {
                    "title": r.title,
                    "level": signed_level(r.level),
                    "name": names_by_level[r.level],
                    "description": r.levels.get(str(r.level), ""),
                    "weight": _shown(r.weight, t),
                    "date": r.date_text or "–",
                }
                for r in sorted(ratings, key=lambda r: r.title)
            ],
            "earlier": len(earlier),
        }
    return {
        "client": names.most_common(1)[0][0] if names else "",
        "organization": reading.site["organization"],
        "goals": goals,
        "gas": gas_view,
        "unused": unused,
    }


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
