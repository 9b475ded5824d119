"""``workbook progress``, second step: each filled sheet matched to what it measures.

A tracker joins its goal's timeline (:func:`~workbook.report.timeline.combine`), a goal
rating joins its goal's ratings (the latest counts), and a questionnaire's copy joins
its instrument's series in date order (:func:`~workbook.report.scores.group`). The
report is written in the first file's language, with its settings (paper, colour).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workbook.content.i18n import Catalogue, catalogue_named_by
from workbook.errors import Problem
from workbook.project import default_theme
from workbook.report import scores, timeline
from workbook.report.timeline import GoalSeries
from workbook.returned.reading import Administration, Rating, Reading


@dataclass
class Matched:
    """The files' sheets grouped by goal and by instrument."""

    reading: Reading
    t: Catalogue  # the report's language: the first file's
    goals: list[GoalSeries]
    ratings: list[Rating]  # the latest rating of each goal
    earlier_ratings: list[Rating]
    instruments: dict[str, list[Administration]]  # slug → filled copies, oldest first
    warnings: list[Problem] = field(default_factory=list)


def match(reading: Reading) -> Matched:
    """Group what was read; WorkbookError when trackers of one goal cannot be combined."""
    goals, clashes = timeline.combine(reading.trackers)
    latest, earlier = timeline.latest_ratings(reading.ratings)
    instruments, blank = scores.group(reading.administrations)
    t = catalogue_named_by(reading.site["language"], [default_theme()])
    warnings = [*reading.warnings, *clashes, *blank]
    return Matched(reading, t, goals, latest, earlier, instruments, warnings)
