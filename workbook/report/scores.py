"""``workbook progress`` for questionnaires: each instrument's administrations scored,
put in order, compared with the first, and written as ``scores.csv``, a chart each and
the report's risk box and table.

The rules are :mod:`workbook.clinical.instruments`; what a file holds is
:mod:`workbook.returned.reading`. The CSV's columns are data, so they stay English
whatever language the questionnaires were made in; a client's text never reaches
it (every cell is a number, a date, a slug or a word this module writes), and the
cells that come from a file (band labels) are neutralised all the same.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field

from workbook.clinical import instruments
from workbook.clinical.instruments import Outcome, Rules, Score
from workbook.errors import Problem
from workbook.formats import data_number
from workbook.report.table import cell
from workbook.returned.reading import Administration

SCORES_COLUMNS = (
    "instrument",
    "administered",
    "total",
    "band",
    "caseness",
    "change",
    "reliable_change",
    "recovery",
    "items_answered",
    "risk",
)


@dataclass
class Scored:
    administration: Administration
    score: Score
    outcome: Outcome

    @property
    def risk_items(self) -> list[str]:
        return list(dict.fromkeys(risk.item for risk in self.score.risk))


@dataclass
class InstrumentSeries:
    """Every administration of one questionnaire, oldest first."""

    instrument: str
    title: str
    preset: str | None
    rules: Rules  # the latest administration's
    rows: list[Scored] = field(default_factory=list)


def group(
    administrations: list[Administration],
) -> tuple[dict[str, list[Administration]], list[Problem]]:
    """Each questionnaire's filled copies, in date order (undated ones after the dated, in
    the order of the files); a copy with nothing filled in is left out, with a warning
    (one per questionnaire and file: a packet's later copies are blank for a while)."""
    warnings: list[Problem] = []
    by_instrument: dict[str, list[Administration]] = {}
    blank: dict[tuple[str, str], list[Administration]] = {}
    for administration in administrations:
        if not administration.answered:
            key = (administration.file, administration.instrument)
            blank.setdefault(key, []).append(administration)
            continue
        by_instrument.setdefault(administration.instrument, []).append(administration)
    for (file, _), copies in blank.items():
        first = copies[0]
        warnings.append(
            Problem(
                file,
                None,
                first.t("nothing is filled in on the questionnaire '{title}'", title=first.title)
                if len(copies) == 1
                else first.t(
                    "{n} copies of the questionnaire '{title}' are not filled in (yet)",
                    n=len(copies),
                    title=first.title,
                ),
            )
        )
    for given in by_instrument.values():
        given.sort(key=lambda a: (a.date is None, a.date or datetime.date.min, a.order))
    return dict(sorted(by_instrument.items())), warnings


def score_series(
    instrument: str, given: list[Administration]
) -> tuple[InstrumentSeries, list[Problem]]:
    """Every copy of one questionnaire scored, and each compared with the first scored one
    by the latest copy's rules; a copy that cannot be scored says why."""
    warnings: list[Problem] = []
    latest = given[-1]
    if len({a.version for a in given}) > 1:
        warnings.append(
            Problem(
                latest.file,
                None,
                latest.t(
                    "the copies of '{title}' were made from different versions of it (its items "
                    "or scoring changed); each is scored by its own rules",
                    title=latest.title,
                ),
            )
        )
    scores = [instruments.score(a.rules, a.answers, a.t) for a in given]
    for administration, scored in zip(given, scores, strict=True):
        if scored.total is None:
            warnings.append(
                Problem(
                    administration.file,
                    None,
                    administration.t(
                        "{title}: not scored: {reason}",
                        title=administration.title,
                        reason=scored.reason,
                    ),
                )
            )
    outcomes = instruments.series(latest.rules, [s.total for s in scores])
    rows = [Scored(a, s, o) for a, s, o in zip(given, scores, outcomes, strict=True)]
    return InstrumentSeries(instrument, latest.title, latest.preset, latest.rules, rows), warnings


def scores_csv(instruments: list[InstrumentSeries]) -> bytes:
    """One row per administration, in the order of :data:`SCORES_COLUMNS`."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SCORES_COLUMNS)
    for instrument in instruments:
        for row in instrument.rows:
            score, outcome = row.score, row.outcome
            band = score.band if score.total is not None else f"not scored: {score.reason}"
            case = "" if score.case is None else "yes" if score.case else "no"
            writer.writerow(
                [
                    instrument.instrument,
                    row.administration.date.isoformat() if row.administration.date else "",
                    data_number(score.total),
                    cell(band),
                    case,
                    data_number(outcome.change, signed=True),
                    outcome.reliable,
                    outcome.recovery,
                    score.answered,
                    " ".join(row.risk_items),
                ]
            )
    return buffer.getvalue().encode("utf-8")
