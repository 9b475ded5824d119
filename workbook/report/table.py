"""``progress.csv``: every value read, one row per date (or week) and measure.

Tidy on purpose (one observation a row), so a spreadsheet or R can pivot it:
what was written, the number used, and why a value was left out. Goal
ratings follow their goal's rows. The columns are data, so they stay English
whatever language the trackers were made in. Text a client wrote that a
spreadsheet would run as a formula is neutralised (:func:`cell`).
"""

from __future__ import annotations

import csv
import io

from workbook.formats import data_number
from workbook.report.timeline import GoalSeries
from workbook.returned.reading import Rating

PROGRESS_COLUMNS = (
    "goal",
    "date",
    "week",
    "day",
    "measure",
    "label",
    "kind",
    "value",
    "as_written",
    "problem",
    "file",
)
#: Rating rows sort after every day of their goal.
_AFTER_EVERY_DAY = 10**6


#: What a spreadsheet takes as the start of a formula (OWASP's list, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def cell(text: object) -> object:
    """A text cell a spreadsheet shows as written: one that would start a formula
    (=HYPERLINK(...), +1, @SUM) gets a leading ' so it stays text. Numbers the tool
    wrote itself (the value, week and day columns) are left as numbers."""
    if isinstance(text, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def progress_csv(series: list[GoalSeries], ratings: list[Rating]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(PROGRESS_COLUMNS)
    rows = []
    for goal in series:
        order = {m.id: i for i, m in enumerate(goal.measures)}
        for p in goal.points:
            e = p.entry
            value = "" if e.value is None or not p.used else data_number(e.value, places=1)
            problem = e.problem or (f"not used: {p.note}" if p.note else "")
            rank = order.get(
                e.measure, len(order) + (int(e.measure[1:]) if e.kind == "strategy" else 99)
            )
            rows.append(
                (
                    (goal.goal, p.day or p.week * 7, p.day is None, rank, p.tracker.file),
                    [
                        goal.goal,
                        p.date.isoformat() if p.date else "",
                        p.week,
                        p.day or "",
                        e.measure,
                        cell(e.label),
                        e.kind,
                        value,
                        cell(e.text),
                        cell(problem),
                        cell(p.tracker.file),
                    ],
                )
            )
    for r in ratings:
        rows.append(
            (
                (r.goal, _AFTER_EVERY_DAY, False, 0, r.file),
                [
                    r.goal,
                    r.date.isoformat() if r.date else "",
                    "",
                    "",
                    "gas-level",
                    "Goal rating",
                    "gas",
                    "" if r.level is None else r.level,
                    cell((r.date_text and f"rated on {r.date_text}") or ""),
                    "" if r.level is not None else "not filled in",
                    cell(r.file),
                ],
            )
        )
    for _, row in sorted(rows, key=lambda item: item[0]):
        writer.writerow(row)
    return buffer.getvalue().encode("utf-8")
