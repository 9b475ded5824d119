"""``workbook progress``, fourth step (the words): what the report says about the results.

Each function here turns computed results into what the theme's ``report/progress.html``
shows: a goal's measures, charts, strategies and notes; a questionnaire's table and
chart; the Goal Attainment Scaling table; the risk box; the lines for the terminal.
Every sentence is a message of the theme's catalogue, in the language the files were
made in, and every number and date goes through :mod:`workbook.formats`.
"""

from __future__ import annotations

import datetime
from collections import Counter

from markupsafe import Markup

from workbook.clinical.instruments import Outcome
from workbook.clinical.wording import (
    count_text,
    day_text,
    gas_level_names,
    signed_level,
    target_words,
)
from workbook.content.i18n import Catalogue
from workbook.formats import (
    interval_text,
    shown_change,
    shown_fixed,
    shown_number,
    skeleton_text,
)
from workbook.render import colours
from workbook.report import charts, timeline
from workbook.report.compute import GoalResult, Results
from workbook.report.scores import InstrumentSeries
from workbook.report.timeline import GoalSeries, MeasureSummary
from workbook.returned.reading import TrackedMeasure


def questionnaire_view(instrument: InstrumentSeries, svg: str, t: Catalogue) -> dict:
    rows = []
    items = len(instrument.rules.items)
    # what each later row is compared with: the first administration with a total
    baseline = next((row for row in instrument.rows if row.score.total is not None), None)
    for row in instrument.rows:
        score, change = row.score, row.outcome.change
        reliable, recovery = outcome_words(row.outcome, t)
        better = None if not change else (change < 0) == (instrument.rules.higher_is == "worse")
        a = row.administration
        rows.append(
            {
                "when": t.date(a.date, "long") if a.date else t("undated ({file})", file=a.file),
                "total": "–"
                if score.total is None
                else shown_number(score.total, t.locale)
                + (" " + t("(prorated)") if score.prorated else ""),
                "case": "" if score.case is None else t("case") if score.case else t("not a case"),
                "band": score.band or "–" if score.total is not None else score.reason,
                "change": "–"
                if change is None or row is baseline
                else shown_change(change, t.locale),
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
            low=shown_number(rules.low, t.locale),
            high=shown_number(rules.high, t.locale),
            direction=direction,
        )
    ]
    if rules.caseness is not None:
        facts.append(
            t("a case at {value} or above", value=shown_number(rules.caseness, t.locale))
            if rules.higher_is == "worse"
            else t("a case below {value}", value=shown_number(rules.caseness, t.locale))
        )
    if rules.rc_threshold is not None:
        facts.append(
            t(
                "a reliable change is {value} points or more",
                value=shown_number(rules.rc_threshold, t.locale),
            )
        )
    latest = next((r for r in reversed(instrument.rows) if r.score.total is not None), None)
    if latest is None or latest.score.total is None:
        summary = t(
            "{title}: {n} filled in, none could be scored",
            title=instrument.title,
            n=len(instrument.rows),
        )
    else:
        summary = t(
            "{title}: latest total {total}",
            title=instrument.title,
            total=shown_number(latest.score.total, t.locale),
        )
        if latest.score.band:
            summary += f" ({latest.score.band})"
        if len(instrument.rows) > 1 and latest.outcome.reliable:
            summary += " · " + outcome_words(latest.outcome, t)[0]
    return {
        "title": instrument.title,
        "rows": rows,
        "chart": Markup(svg),
        "rules": "; ".join(facts) + ".",
        "summary": summary,
    }


def questionnaire_chart(instrument: InstrumentSeries, accent: str, t: Catalogue) -> str:
    rules = instrument.rules
    totals = [row.score.total for row in instrument.rows]
    labels = [
        skeleton_text(row.administration.date, "MMMd", t.locale)
        if row.administration.date
        else str(index)
        for index, row in enumerate(instrument.rows, start=1)
    ]
    values = ", ".join(
        f"{label}: {'–' if total is None else shown_number(total, t.locale)}"
        for label, total in zip(labels, totals, strict=True)
    )
    subtitle = (
        t("Total at each filling-in; bands shaded")
        if rules.bands
        else t("Total at each filling-in")
    )
    caseness = (
        t("case from {value}", value=shown_number(rules.caseness, t.locale))
        if rules.caseness is not None and rules.higher_is == "worse"
        else t("case below {value}", value=shown_number(rules.caseness, t.locale))
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
        accent=accent,
        description=f"{instrument.title}. {subtitle}. {values}.",
        texts=charts.ChartTexts(
            empty=t("Nothing filled in yet"), number=lambda v: shown_number(v, t.locale)
        ),
    )


def _period(goal: GoalSeries, t: Catalogue) -> str:
    weeks = goal.last_week
    span = t("week 1") if weeks == 1 else t("weeks 1–{n}", n=weeks)
    if goal.start is None:
        return t("{weeks} (no start date, so days are numbered)", weeks=span)
    last = goal.start + datetime.timedelta(
        days=max(goal.last_day, weeks * 7 if not goal.last_day else goal.last_day) - 1
    )
    dates = interval_text(goal.start, last, t.locale)
    return f"{dates} · {span}"


def _target(m: TrackedMeasure, t: Catalogue) -> str:
    if not m.target:
        return ""
    return target_words(m.kind, m.every, m.target["direction"], m.target["value"], t)


def _measure_row(summary: MeasureSummary, t: Catalogue) -> dict:
    m = summary.measure
    percent = m.kind == "yes-no"
    what = (
        "" if m.every == "week" else t("share of days") if percent else t("daily, weekly average")
    )

    def cell(point: tuple[int, float] | None) -> str:
        if point is None:
            return "–"
        return t(
            "{value} (week {week})",
            value=shown_number(point[1], t.locale, percent=percent),
            week=point[0],
        )

    change = summary.change
    if change is None:
        change_text = "–"
    else:
        change_text = shown_change(change, t.locale)
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


def goal_measure_chart(goal: GoalSeries, summary: MeasureSummary, accent: str, t: Catalogue) -> str:
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
    labels = charts.week_labels(goal.start, weeks, lambda d: skeleton_text(d, "MMMd", t.locale))
    values = ", ".join(
        t("week {week}: {value}", week=w, value=shown_number(v, t.locale, percent=percent))
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
        accent=accent,
        week_labels=labels,
        description=f"{m.label}. {subtitle}. {values}.",
        texts=charts.ChartTexts(
            week=lambda n: t("Wk {n}", n=n),
            target=lambda v: t("target {value}", value=v),
            empty=t("Nothing filled in yet"),
            number=lambda v: shown_number(v, t.locale),
        ),
    )


def goal_view(result: GoalResult, chart_files: dict[str, str], t: Catalogue) -> dict:
    goal, summaries = result.series, result.summaries
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


def report_context(results: Results, goals: list[dict], questionnaires: list[dict]) -> dict:
    """What ``report/progress.html`` is rendered with."""
    reading, t = results.reading, results.t
    names = Counter(
        n
        for n in [tr.client for tr in reading.trackers]
        + [r.client for r in reading.ratings]
        + [a.client for a in reading.administrations]
        if n
    )
    gas_view = None
    if results.gas_t_score is not None:
        names_by_level = gas_level_names(t)
        gas_view = {
            "t": shown_fixed(results.gas_t_score, t.locale),
            "rows": [
                {
                    "title": r.title,
                    "level": signed_level(r.level),
                    "name": names_by_level[r.level],
                    "description": r.levels.get(str(r.level), ""),
                    "weight": shown_number(r.weight, t.locale),
                    "date": r.date_text or "–",
                }
                for r in sorted(results.ratings, key=lambda r: r.title)
                if r.level is not None
            ],
            "earlier": len(results.earlier_ratings),
        }
    return {
        "client": names.most_common(1)[0][0] if names else "",
        "organization": reading.site["organization"],
        "goals": goals,
        "gas": gas_view,
        "unused": [str(w) for w in results.warnings],
        "questionnaires": questionnaires,
        "risks": risk_rows(results.instruments, t),
        # the site settings were checked with the description (returned/description:
        # DescribedSite): a hex colour, safe to reach CSS and SVG
        "accent": colours.readable_on(reading.site["accent_color"], colours.LIGHT_BACKGROUND),
    }


def summary_lines(results: Results, goals: list[dict], context: dict) -> list[str]:
    """What the terminal says: a risk answer first, then each goal's and questionnaire's
    line, then the T-score (goal titles come from the files: the CLI escapes each line)."""
    t = results.t
    lines = [f"{view['title']}: {view['filled']}" for view in goals]
    lines += [view["summary"] for view in context["questionnaires"]]
    risks = len(context["risks"])
    if risks:
        lines.insert(
            0,
            t("1 risk answer: read the report's first box before anything else")
            if risks == 1
            else t("{n} risk answers: read the report's first box before anything else", n=risks),
        )
    rated = len(results.ratings)
    if rated:
        shown = context["gas"]["t"]
        lines.append(
            t("Goal attainment: T-score {t} over 1 rated goal", t=shown)
            if rated == 1
            else t("Goal attainment: T-score {t} over {n} rated goals", t=shown, n=rated)
        )
    return lines


def risk_rows(instruments: list[InstrumentSeries], t: Catalogue) -> list[dict]:
    """Every risk answer, newest first, for the box the report opens with."""
    rows = []
    for instrument in instruments:
        numbers = {item: n for n, (item, _) in enumerate(instrument.rules.items, start=1)}
        for row in instrument.rows:
            a = row.administration
            for risk in row.score.risk:
                rows.append(
                    {
                        "date": a.date,
                        "when": t.date(a.date, "long") if a.date else t("undated"),
                        "title": instrument.title,
                        "item": t("item {n}", n=numbers.get(risk.item, "?")),
                        "answer": a.answers.get(risk.item),
                        "message": risk.message,
                        "file": a.file,
                    }
                )
    rows.sort(key=lambda r: (r["date"] is not None, r["date"] or datetime.date.min), reverse=True)
    return rows


def outcome_words(outcome: Outcome, t: Catalogue) -> tuple[str, str]:
    """The reliable change and recovery in the report's language."""
    reliable = {
        "improved": t("reliably improved"),
        "deteriorated": t("reliably deteriorated"),
        "none": t("no reliable change"),
        "": "–",
    }[outcome.reliable]
    recovery = {
        "reliably recovered": t("reliably recovered"),
        "recovered": t("recovered"),
        "not recovered": t("not recovered"),
        "not a case at start": t("not a case at start"),
        "": "–",
    }[outcome.recovery]
    return reliable, recovery
