"""``workbook progress`` for questionnaires: each instrument's administrations scored,
put in order, compared with the first, and written as ``scores.csv``, a chart each and
the report's risk box and table.

The rules are :mod:`workbook.clinical.questionnaires`; what a file holds is
:mod:`workbook.clinical.reading`. The CSV's columns are data, so they stay English
whatever language the questionnaires were made in; a client's text never reaches
it (every cell is a number, a date, a slug or a word this module writes), and the
cells that come from a file (band labels) are neutralised all the same.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field

from workbook.clinical import questionnaires
from workbook.clinical.questionnaires import Outcome, Rules, Score
from workbook.clinical.reading import Administration
from workbook.clinical.table import cell
from workbook.content.i18n import Catalogue
from workbook.errors import Problem

COLUMNS = (
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
class Instrument:
    """Every administration of one questionnaire, oldest first."""

    instrument: str
    title: str
    preset: str | None
    rules: Rules  # the latest administration's
    rows: list[Scored] = field(default_factory=list)


def score_all(
    administrations: list[Administration], t: Catalogue
) -> tuple[list[Instrument], list[Problem]]:
    """Score every administration and group them by instrument (nothing filled in: left
    out, with a warning). Undated ones keep the order of the files, after the dated."""
    warnings: list[Problem] = []
    by_instrument: dict[str, list[Administration]] = {}
    blank: dict[tuple[str, str], list[Administration]] = {}
    for administration in administrations:
        if not administration.answered:  # a packet's later copies are blank for a while
            blank.setdefault((administration.file, administration.instrument), []).append(
                administration
            )
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
    found = []
    for instrument, given in sorted(by_instrument.items()):
        given.sort(key=lambda a: (a.date is None, a.date or datetime.date.min, a.order))
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
        scores = [questionnaires.score(a.rules, a.answers, a.t) for a in given]
        for administration, scored in zip(given, scores):
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
        outcomes = questionnaires.series(latest.rules, [s.total for s in scores])
        found.append(
            Instrument(
                instrument,
                latest.title,
                latest.preset,
                latest.rules,
                [Scored(a, s, o) for a, s, o in zip(given, scores, outcomes)],
            )
        )
    return found, warnings


def number_text(value: float | None, signed: bool = False) -> str:
    if value is None:
        return ""
    text = str(int(value)) if value == int(value) else f"{value:.2f}".rstrip("0").rstrip(".")
    return f"+{text}" if signed and value > 0 else text


def scores_csv(instruments: list[Instrument]) -> bytes:
    """One row per administration, in the order of :data:`COLUMNS`."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for instrument in instruments:
        for row in instrument.rows:
            score, outcome = row.score, row.outcome
            band = score.band if score.total is not None else f"not scored: {score.reason}"
            case = "" if score.case is None else "yes" if score.case else "no"
            writer.writerow(
                [
                    instrument.instrument,
                    row.administration.date.isoformat() if row.administration.date else "",
                    number_text(score.total),
                    cell(band),
                    case,
                    number_text(outcome.change, signed=True),
                    outcome.reliable,
                    outcome.recovery,
                    score.answered,
                    " ".join(row.risk_items),
                ]
            )
    return buffer.getvalue().encode("utf-8")


def risk_rows(instruments: list[Instrument], t: Catalogue) -> list[dict]:
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
