"""``workbook progress``, third step: what the matched sheets add up to.

Each goal's measures summarised week by week (:func:`~workbook.report.timeline.summarise`),
each questionnaire's copies scored and compared with the first
(:func:`~workbook.report.scores.score_series`, by the rules of
:mod:`workbook.clinical.instruments`), and the goal ratings' Goal Attainment Scaling
T-score (:mod:`workbook.clinical.gas`). What was left blank is said; when nothing at all
was filled in there is no report to make.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workbook.clinical import gas
from workbook.content.i18n import Catalogue
from workbook.errors import Problem, WorkbookError
from workbook.report import scores, timeline
from workbook.report.match import Matched
from workbook.report.scores import InstrumentSeries
from workbook.report.timeline import GoalSeries, MeasureSummary
from workbook.returned.reading import Rating, Reading


@dataclass
class GoalResult:
    series: GoalSeries
    summaries: list[MeasureSummary]


@dataclass
class Results:
    """Everything the report, the tables, the charts and the FHIR export are made from."""

    reading: Reading
    t: Catalogue
    goals: list[GoalResult]
    ratings: list[Rating]  # the latest of each goal
    earlier_ratings: list[Rating]
    gas_t_score: float | None  # over the latest ratings; None without any
    instruments: list[InstrumentSeries]
    warnings: list[Problem] = field(default_factory=list)


def compute(matched: Matched) -> Results:
    """Summaries, scores and the T-score; WorkbookError when nothing is filled in at all."""
    warnings = list(matched.warnings)
    instruments = []
    for slug, given in matched.instruments.items():
        series, said = scores.score_series(slug, given)
        instruments.append(series)
        warnings += said
    reading, t = matched.reading, matched.t
    warnings += [
        Problem(r.file, None, t("the goal rating for '{title}' is not filled in", title=r.title))
        for r in reading.ratings
        if r.level is None and not r.warned
    ]
    warnings += [
        Problem(
            tr.file, None, t("nothing is filled in on the tracker for '{title}'", title=tr.title)
        )
        for tr in reading.trackers
        if not tr.entries
    ]
    if not any(tr.entries for tr in reading.trackers) and not matched.ratings and not instruments:
        raise _nothing_filled_in(reading.files)
    ratings = matched.ratings
    rated = [(r.level, r.weight) for r in ratings if r.level is not None]  # all of them
    t_score = gas.t_score(rated) if rated else None
    goals = [GoalResult(goal, timeline.summarise(goal)) for goal in matched.goals]
    return Results(
        reading, t, goals, ratings, matched.earlier_ratings, t_score, instruments, warnings
    )


def _nothing_filled_in(files: list[str]) -> WorkbookError:
    if len(files) == 1:
        return WorkbookError(
            [
                Problem(
                    files[0],
                    None,
                    "nothing is filled in on this file; there is no progress to report yet",
                )
            ]
        )
    return WorkbookError(
        [
            Problem(
                "",
                None,
                f"nothing is filled in on any of these {len(files)} files ({', '.join(files)}); "
                "there is no progress to report yet",
            )
        ]
    )
