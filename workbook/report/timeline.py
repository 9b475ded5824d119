"""``workbook progress``, second step: each goal's trackers on one timeline, summarised.

How trackers of one goal combine: when every tracker has a start date (from
a packet, or written on its start-date line) days are placed by date; two
files with different values for the same day and measure keep the tracker
that started later and report the other value. When none has a start date
they are read one after another in the order given, each starting the week
after the last week filled in on the one before. Trackers of one goal made
from different measure definitions (a changed goal) cannot be combined.

Then each measure is summarised week by week (:class:`MeasureSummary`): the
weekly mean of a daily measure, or for a yes-no measure the share of filled-in
days with a yes, as a percentage.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from workbook.errors import Problem, WorkbookError
from workbook.returned.reading import FilledValue, Rating, TrackedMeasure, Tracker

# --------------------------------------------------------------------------- combining


@dataclass
class Point:
    """One usable or unusable value on a goal's timeline."""

    tracker: Tracker
    entry: FilledValue
    day: int | None  # on the goal's timeline
    week: int
    date: datetime.date | None
    used: bool = True
    note: str | None = None  # why not used, beyond entry.problem


@dataclass
class GoalSeries:
    goal: str
    title: str
    trackers: list[Tracker]
    measures: list[TrackedMeasure]
    start: datetime.date | None
    points: list[Point]
    conflicts: list[Problem] = field(default_factory=list)

    @property
    def last_day(self) -> int:
        return max((p.day for p in self.points if p.day is not None), default=0)

    @property
    def last_week(self) -> int:
        return max((p.week for p in self.points), default=0)


def combine(trackers: list[Tracker]) -> tuple[list[GoalSeries], list[Problem]]:
    """Put each goal's trackers on one timeline. Returns the series and warnings; raises
    WorkbookError when trackers of one goal cannot be combined."""
    errors: list[Problem] = []
    warnings: list[Problem] = []
    by_goal: dict[str, list[Tracker]] = {}
    for tracker in trackers:
        by_goal.setdefault(tracker.goal, []).append(tracker)
    series = []
    for goal, group in by_goal.items():
        first = group[0]
        for other in group[1:]:
            if other.version != first.version:
                errors.append(
                    Problem(
                        other.file,
                        None,
                        (
                            f"its tracker for '{other.title}' was made from a changed version of the "
                            f"goal ({_difference(first, other)}), so it cannot be combined with "
                            f"{first.file}; run progress on them separately"
                        ),
                    )
                )
        dated = [t for t in group if t.start]
        if dated and len(dated) != len(group):
            undated = next(t for t in group if not t.start)
            errors.append(
                Problem(
                    undated.file,
                    None,
                    (
                        f"its tracker for '{undated.title}' has no start date but {dated[0].file}'s "
                        "has one; write the start date on its start date line so the two can be "
                        "put in order"
                    ),
                )
            )
        if errors:
            continue
        if dated:
            starts = {id(t): t.start for t in dated if t.start is not None}
            start = min(starts.values())
            for t in group:
                t.offset = (starts[id(t)] - start).days
            order = sorted(group, key=lambda t: (starts[id(t)], group.index(t)))
        else:
            start = None
            offset = 0
            for t in group:
                t.offset = offset
                offset += 7 * t.last_week
            order = group
        points = _points(order, start, warnings)
        series.append(GoalSeries(goal, first.title, order, _union_measures(order), start, points))
    if errors:
        raise WorkbookError(errors)
    return series, warnings


def _difference(a: Tracker, b: Tracker) -> str:
    old = {m.id: m for m in a.measures}
    new = {m.id: m for m in b.measures}
    parts = []
    for mid in new.keys() - old.keys():
        parts.append(f"'{mid}' was added")
    for mid in old.keys() - new.keys():
        parts.append(f"'{mid}' was removed")
    for mid in sorted(old.keys() & new.keys()):
        x, y = old[mid], new[mid]
        if x.kind != y.kind:
            parts.append(f"'{mid}' is now a {y.kind}, was a {x.kind}")
        elif (x.min, x.max) != (y.min, y.max):
            parts.append(f"'{mid}' is now {y.min}–{y.max}, was {x.min}–{x.max}")
        elif x.every != y.every:
            parts.append(f"'{mid}' is now {'daily' if y.every == 'day' else 'weekly'}")
    return "; ".join(sorted(parts)) or "its measures changed"


def _union_measures(trackers: list[Tracker]) -> list[TrackedMeasure]:
    """Every measure any of the trackers has, in the order they first appear, each with
    its label and target as the latest tracker holding it writes them."""
    found: dict[str, TrackedMeasure] = {}
    for tracker in trackers:  # earliest start first: a later one's wording wins
        for measure in tracker.measures:
            found[measure.id] = measure  # an id seen before keeps its place
    return list(found.values())


def _points(
    trackers: list[Tracker], start: datetime.date | None, warnings: list[Problem]
) -> list[Point]:
    points: list[Point] = []
    seen: dict[tuple, Point] = {}
    for tracker in trackers:  # earliest start first: a later tracker wins a clash
        for entry in tracker.entries:
            if entry.day is not None:
                day = tracker.offset + entry.day
                week = (day - 1) // 7 + 1
            else:
                day = None
                week = tracker.offset // 7 + entry.week
            if start is None:
                date = None
            elif day is not None:
                date = start + datetime.timedelta(days=day - 1)
            else:  # a weekly value: the week's first day
                date = start + datetime.timedelta(days=7 * (week - 1))
            point = Point(tracker, entry, day, week, date, used=entry.problem is None)
            key = (entry.measure, day, week if day is None else None)
            earlier = seen.get(key)
            if earlier is not None and earlier.used and point.used and entry.kind not in ("notes",):
                t = earlier.tracker.t
                if earlier.entry.value != entry.value or earlier.entry.text != entry.text:
                    earlier.used = False
                    earlier.note = t(
                        "{file} has {value} for this day",
                        file=tracker.file,
                        value=entry.text or t("no tick"),
                    )
                    warnings.append(
                        Problem(
                            earlier.tracker.file,
                            None,
                            t(
                                "{where}: '{label}' is {here} here and {there} in {file}; used "
                                "{file}'s (it started later)",
                                where=earlier.tracker.position(earlier.entry),
                                label=entry.label,
                                here=earlier.entry.text or t("not ticked"),
                                there=entry.text or t("not ticked"),
                                file=tracker.file,
                            ),
                        )
                    )
                else:
                    earlier.used = False
                    earlier.note = t("the same as in {file}", file=tracker.file)
            if point.used:
                seen[key] = point
            points.append(point)
    return points


# --------------------------------------------------------------------------- summaries


@dataclass
class MeasureSummary:
    measure: TrackedMeasure
    weekly: dict[int, float]  # week → weekly value (mean; for yes-no a percentage: of days
    # with a yes, or 100/0 for a weekly one)
    daily: list[tuple[int, float]]  # (day, value) of usable daily values
    first: tuple[int, float] | None
    latest: tuple[int, float] | None
    filled: int  # days (or weeks) with a usable value
    span: int  # days (or weeks) from the start to the last filled one
    unit: str  # "days" or "weeks"

    @property
    def change(self) -> float | None:
        if self.first is None or self.latest is None or self.first[0] == self.latest[0]:
            return None
        return self.latest[1] - self.first[1]

    @property
    def target_met(self) -> bool | None:
        target = self.measure.target
        if not target or self.latest is None:
            return None
        if target["direction"] == "lower":
            return self.latest[1] <= target["value"]
        return self.latest[1] >= target["value"]

    @property
    def better(self) -> bool | None:
        """Whether the change goes the way the target points."""
        change = self.change
        target = self.measure.target
        if change is None or not target or change == 0:
            return None
        return (change < 0) == (target["direction"] == "lower")


def summarise(series: GoalSeries) -> list[MeasureSummary]:
    summaries = []
    span_days = series.last_day
    span_weeks = series.last_week
    for m in series.measures:
        if m.kind == "text":
            continue
        used = [
            (p, p.entry.value)
            for p in series.points
            if p.used and p.entry.measure == m.id and p.entry.value is not None
        ]
        daily: list[tuple[int, float]]
        if m.every == "day":
            daily = sorted((p.day, value) for p, value in used if p.day is not None)
            by_week: dict[int, list[float]] = {}
            for day, value in daily:
                by_week.setdefault((day - 1) // 7 + 1, []).append(value)
            if m.kind == "yes-no":
                weekly = {w: 100 * sum(v) / len(v) for w, v in by_week.items()}
            else:
                weekly = {w: sum(v) / len(v) for w, v in by_week.items()}
            filled, span, unit = len(daily), span_days, "days"
        else:  # a weekly yes-no is 100% for a ticked week, as a daily one's share is
            daily = []
            scale = 100 if m.kind == "yes-no" else 1
            weekly = {p.week: scale * value for p, value in used}
            filled, span, unit = len(weekly), span_weeks, "weeks"
        weeks = sorted(weekly)
        summaries.append(
            MeasureSummary(
                m,
                {w: weekly[w] for w in weeks},
                daily,
                (weeks[0], weekly[weeks[0]]) if weeks else None,
                (weeks[-1], weekly[weeks[-1]]) if weeks else None,
                filled,
                span,
                unit,
            )
        )
    return summaries


def strategy_counts(series: GoalSeries) -> list[tuple[str, int]]:
    """Strategies by how many days (or weeks) they were ticked, most used first."""
    counts: Counter[str] = Counter()
    order: dict[str, int] = {}
    for p in series.points:
        if p.entry.kind == "strategy" and p.used:
            counts[p.entry.label] += 1
            order.setdefault(p.entry.label, int(p.entry.measure[1:]))
    return sorted(counts.items(), key=lambda item: (-item[1], order[item[0]]))


def notes(series: GoalSeries) -> list[tuple[Point, str]]:
    """What the client wrote in words: notes and text measures, in time order."""
    found = []
    for p in series.points:
        if p.entry.kind in ("notes", "text"):
            label = "" if p.entry.kind == "notes" else p.entry.label
            found.append((p, label))
    return sorted(found, key=lambda item: (item[0].day or item[0].week * 7, item[1]))


def latest_ratings(ratings: list[Rating]) -> tuple[list[Rating], list[Rating]]:
    """The latest rating of each goal (by the date written on it, then file order), and the
    earlier ones."""
    by_goal: dict[str, list[Rating]] = {}
    for rating in ratings:
        if rating.level is not None:
            by_goal.setdefault(rating.goal, []).append(rating)
    latest, earlier = [], []
    for group in by_goal.values():
        group.sort(key=lambda r: (r.date or datetime.date.min, r.order))
        latest.append(group[-1])
        earlier.extend(group[:-1])
    return latest, earlier
