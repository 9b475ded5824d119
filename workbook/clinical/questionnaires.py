"""Standard questionnaires: the built-in presets' scoring facts, and scoring itself.

The one home of every questionnaire rule. A preset carries only what the
instrument's authors published about *scoring* (how many items, the scores of
their answers, the total, the bands, the caseness cut-off, the reliable-change
value, which answers a clinician must see at once); never an item's wording,
which belongs to its publisher and is typed in or imported by the clinic. Sources
are in the README ("Questionnaires") and in ``../shared/notes/questionnaires.md``.

Scoring is the same code for the site's own check (the rules travel to the
browser as data), for ``workbook progress`` (the rules travel in the PDF's
description) and for the tests: :func:`score` and :func:`outcome` are pure.

Rules, written once here:

* **total**: the sum of the item scores (times ``multiply``), or their mean;
* **missing items**: with ``prorate``, up to ``max_missing`` unanswered items are
  allowed and a sum is scaled to all items (sum × items ÷ answered), rounded to the
  nearest whole point half up (bands are whole points); a mean is the mean of the
  answered items. Otherwise, or with more missing, the total is left empty and
  the reason said;
* **band**: the band whose ``min``–``max`` holds the total;
* **case**: at or above ``caseness`` when higher is worse; *below* it when higher
  is better (WHO-5: below 50 is poor well-being);
* **reliable change** against the first administration: at least ``points``, or,
  given ``sd`` and ``reliability``, more than 1.96 × SD × √2 × √(1 − r)
  (Jacobson & Truax); improved or deteriorated by the direction of ``higher_is``;
* **recovery** (NHS Talking Therapies): a case at the first administration and not
  at this one is *recovered*, and *reliably recovered* when reliably improved too;
  a case at both is *not recovered*; not a case at the first: *not a case at start*.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workbook.content.schema import Questionnaire

Translate = Callable[..., str]

#: How reliable change is judged when ``sd`` and ``reliability`` are given.
RCI_Z = 1.96
#: Bands and cut-offs are checked over every possible total; more is not a questionnaire.
MAX_GRID = 20_000


@dataclass(frozen=True)
class Band:
    min: float
    max: float
    label: str


@dataclass(frozen=True)
class Risk:
    item: str
    at_least: int
    message: str = ""  # empty: the standard message (translated)


@dataclass(frozen=True)
class Rules:
    """Everything that decides a total, its band and what a change means."""

    items: tuple[tuple[str, tuple[int, ...]], ...]  # (item id, its possible scores)
    method: str = "sum"  # sum | mean
    multiply: float = 1
    max_missing: int = 0
    prorate: bool = False
    bands: tuple[Band, ...] = ()
    caseness: float | None = None
    rc_points: float | None = None  # a change of at least this is reliable
    rc_sd: float | None = None  # or: the Jacobson–Truax index from these two
    rc_reliability: float | None = None
    higher_is: str = "worse"
    risk: tuple[Risk, ...] = ()

    @property
    def low(self) -> float:
        return self._end(min)

    @property
    def high(self) -> float:
        return self._end(max)

    def _end(self, pick) -> float:
        scores = [pick(s) for _, s in self.items]
        if self.method == "mean":
            return sum(scores) / len(scores)
        return sum(scores) * self.multiply

    @property
    def rc_threshold(self) -> float | None:
        """The smallest change that is reliable (points), or None when not set."""
        if self.rc_points is not None:
            return self.rc_points
        if self.rc_sd is not None and self.rc_reliability is not None:
            return RCI_Z * self.rc_sd * math.sqrt(2) * math.sqrt(1 - self.rc_reliability)
        return None

    def is_reliable(self, change: float) -> bool:
        if self.rc_points is not None:
            return abs(change) >= self.rc_points - 1e-9
        threshold = self.rc_threshold
        return threshold is not None and abs(change) > threshold

    def is_case(self, total: float) -> bool | None:
        if self.caseness is None:
            return None
        return total >= self.caseness if self.higher_is == "worse" else total < self.caseness

    def band(self, total: float) -> str:
        for band in self.bands:
            if band.min - 1e-9 <= total <= band.max + 1e-9:
                return band.label
        return ""

    def grid(self) -> list[float] | None:
        """Every total a complete set of answers can make (None: too many to list)."""
        totals = {0}
        for _, scores in self.items:
            totals = {t + s for t in totals for s in scores}
            if len(totals) > MAX_GRID:
                return None
        if self.method == "mean":
            return sorted(t / len(self.items) for t in totals)
        return sorted(t * self.multiply for t in totals)


# --------------------------------------------------------------------------- presets


@dataclass(frozen=True)
class Preset:
    """A published instrument's scoring facts: no item wording."""

    name: str
    title: str  # the instrument's own name (an imported file without one gets it)
    items: int
    scores: tuple[int, ...]  # every item's answer scores
    multiply: float
    max_missing: int
    prorate: bool
    bands: tuple[tuple[int, int, str], ...]  # label: an English msgid, translated on use
    caseness: float | None
    rc_points: float | None
    higher_is: str
    risk: tuple[tuple[int, int], ...]  # (item number, 1-based; at least)
    source: str
    licence: str
    loinc: tuple[str, str] | None = None  # (questionnaire panel, total score) LOINC codes


#: The standard message beside a risk answer and in the report's first box.
RISK_MESSAGE = (
    "This answer needs a clinician's attention today: talk about it with the "
    "client before anything else."
)
PHQ9_RISK_MESSAGE = (
    "Item 9 (thoughts of being better off dead or of self-harm) was answered "
    "above 0: review it with the client today, before anything else."
)

PRESETS: dict[str, Preset] = {
    "phq-9": Preset(
        "phq-9",
        "PHQ-9",
        9,
        (0, 1, 2, 3),
        1,
        1,
        True,
        (
            (0, 4, "Minimal"),
            (5, 9, "Mild"),
            (10, 14, "Moderate"),
            (15, 19, "Moderately severe"),
            (20, 27, "Severe"),
        ),
        10,
        6,
        "worse",
        ((9, 1),),
        "Kroenke, Spitzer & Williams (2001), J Gen Intern Med 16:606-613; caseness and "
        "reliable change: NHS Talking Therapies",
        "Pfizer copyright; free to reproduce, translate, display and distribute, no "
        "permission needed",
        ("44249-1", "44261-6"),
    ),
    "gad-7": Preset(
        "gad-7",
        "GAD-7",
        7,
        (0, 1, 2, 3),
        1,
        1,
        True,
        ((0, 4, "Minimal"), (5, 9, "Mild"), (10, 14, "Moderate"), (15, 21, "Severe")),
        8,
        4,
        "worse",
        (),
        "Spitzer, Kroenke, Williams & Löwe (2006), Arch Intern Med 166:1092-1097; caseness "
        "and reliable change: NHS Talking Therapies",
        "Pfizer copyright; free to reproduce, translate, display and distribute, no "
        "permission needed",
        ("69737-5", "70274-6"),
    ),
    "who-5": Preset(
        "who-5",
        "WHO-5",
        5,
        (0, 1, 2, 3, 4, 5),
        4,
        0,
        False,
        ((0, 48, "Poor well-being"), (52, 100, "Not in the poor range")),
        50,
        10,
        "better",
        (),
        "Psychiatric Research Unit, WHO Collaborating Centre in Mental Health, Frederiksborg "
        "General Hospital (1998); the WHO-5 information sheet",
        "Public domain; name the source when you use it",
    ),
}

#: Standard instruments that are deliberately not presets, and why (the README says more).
NOT_PRESETS = {
    "ors": "ORS and SRS: the free licence covers paper use by individual practitioners; "
    "electronic use needs the authors' licence",
    "srs": "ORS and SRS: the free licence covers paper use by individual practitioners; "
    "electronic use needs the authors' licence",
    "wemwbs": "WEMWBS: its free licence forbids sharing it publicly, and a site is public",
    "core-10": "CORE-10: CC BY-ND, no derivatives, so it cannot be re-set as a form",
}


def preset_words(t: Translate) -> dict[str, str]:
    """The presets' band names and risk messages in the site's language (each written out
    here, so the catalogue check finds it)."""
    return {
        "Minimal": t("Minimal"),
        "Mild": t("Mild"),
        "Moderate": t("Moderate"),
        "Moderately severe": t("Moderately severe"),
        "Severe": t("Severe"),
        "Poor well-being": t("Poor well-being"),
        "Not in the poor range": t("Not in the poor range"),
        RISK_MESSAGE: t(
            "This answer needs a clinician's attention today: talk about it "
            "with the client before anything else."
        ),
        PHQ9_RISK_MESSAGE: t(
            "Item 9 (thoughts of being better off dead or of self-harm) "
            "was answered above 0: review it with the client today, "
            "before anything else."
        ),
    }


def preset_rules(preset: Preset, item_ids: list[str], t: Translate) -> Rules:
    """A preset's rules for a file's items (ids in the file's order)."""
    words = preset_words(t)
    return Rules(
        items=tuple((item, preset.scores) for item in item_ids),
        method="sum",
        multiply=preset.multiply,
        max_missing=preset.max_missing,
        prorate=preset.prorate,
        bands=tuple(Band(low, high, words[label]) for low, high, label in preset.bands),
        caseness=preset.caseness,
        rc_points=preset.rc_points,
        higher_is=preset.higher_is,
        risk=tuple(
            Risk(
                item_ids[number - 1],
                at_least,
                words[PHQ9_RISK_MESSAGE if preset.name == "phq-9" else RISK_MESSAGE],
            )
            for number, at_least in preset.risk
            if number <= len(item_ids)
        ),
    )


def item_scores(data: Questionnaire) -> list[tuple[str, tuple[int, ...]]]:
    """Each item's id and its answers' scores (its own options, else the shared ones)."""
    return [
        (item.id, tuple(o.score for o in (item.options or data.options or [])))
        for item in data.items
    ]


def rules_of(data: Questionnaire, t: Translate) -> Rules:
    """The rules of a checked questionnaire file: its preset's, or its own."""
    if data.preset in PRESETS:
        return preset_rules(PRESETS[data.preset], [item.id for item in data.items], t)
    scoring = data.scoring
    rc = data.reliable_change
    return Rules(
        items=tuple(item_scores(data)),
        method=scoring.method if scoring else "sum",
        multiply=scoring.multiply if scoring else 1,
        max_missing=scoring.max_missing if scoring else 0,
        prorate=scoring.prorate if scoring else False,
        bands=tuple(Band(b.min, b.max, b.label) for b in data.bands or ()),
        caseness=data.caseness,
        rc_points=rc if isinstance(rc, (int, float)) else None,
        rc_sd=None if rc is None or isinstance(rc, (int, float)) else rc.sd,
        rc_reliability=None if rc is None or isinstance(rc, (int, float)) else rc.reliability,
        higher_is=data.higher_is or "worse",
        risk=tuple(
            Risk(r.item, r.at_least, r.message or preset_words(t)[RISK_MESSAGE])
            for r in data.risk or ()
        ),
    )


def band_problems(rules: Rules) -> list[str]:
    """What is wrong with a file's bands: totals no band holds, totals two bands hold."""
    grid = rules.grid()
    if grid is None or not rules.bands:
        return []
    problems = []
    uncovered = [
        total
        for total in grid
        if not any(b.min - 1e-9 <= total <= b.max + 1e-9 for b in rules.bands)
    ]
    if uncovered:
        shown = ", ".join(_number(v) for v in uncovered[:6]) + (
            ", ..." if len(uncovered) > 6 else ""
        )
        problems.append(
            f"no band holds the total{'s' if len(uncovered) > 1 else ''} {shown}; "
            f"bands must cover every total from {_number(rules.low)} to "
            f"{_number(rules.high)} without gaps"
        )
    for total in grid:
        holding = [b.label for b in rules.bands if b.min - 1e-9 <= total <= b.max + 1e-9]
        if len(holding) > 1:
            problems.append(
                f"bands '{holding[0]}' and '{holding[1]}' both hold the total "
                f"{_number(total)}; bands must not overlap"
            )
            break
    return problems


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def rules_data(rules: Rules) -> dict:
    """The rules as JSON data: what a PDF's description and the site's page carry, so a
    filled copy is scored without the project (:func:`rules_from_data` reads it back)."""
    return {
        "items": [{"id": item, "scores": list(scores)} for item, scores in rules.items],
        "method": rules.method,
        "multiply": rules.multiply,
        "max_missing": rules.max_missing,
        "prorate": rules.prorate,
        "bands": [{"min": b.min, "max": b.max, "label": b.label} for b in rules.bands],
        "caseness": rules.caseness,
        "rc_points": rules.rc_points,
        "rc_sd": rules.rc_sd,
        "rc_reliability": rules.rc_reliability,
        "higher_is": rules.higher_is,
        "risk": [
            {"item": r.item, "at_least": r.at_least, "message": r.message} for r in rules.risk
        ],
    }


def rules_from_data(data) -> Rules:
    """Rules from checked description data (:mod:`workbook.clinical.description`)."""
    return Rules(
        items=tuple((item.id, tuple(item.scores)) for item in data.items),
        method=data.method,
        multiply=data.multiply,
        max_missing=data.max_missing,
        prorate=data.prorate,
        bands=tuple(Band(b.min, b.max, b.label) for b in data.bands),
        caseness=data.caseness,
        rc_points=data.rc_points,
        rc_sd=data.rc_sd,
        rc_reliability=data.rc_reliability,
        higher_is=data.higher_is,
        risk=tuple(Risk(r.item, r.at_least, r.message) for r in data.risk),
    )


# --------------------------------------------------------------------------- scoring


@dataclass
class Score:
    """One administration scored: the total (None when it cannot be given) and why."""

    total: float | None
    answered: int
    items: int
    prorated: bool = False
    reason: str = ""  # why the total is empty
    band: str = ""
    case: bool | None = None
    risk: list[Risk] = field(default_factory=list)  # risk answers given


def score(rules: Rules, answers: dict[str, int | None], t: Translate) -> Score:
    """Score one set of answers (item id → score, or None/absent when unanswered)."""
    items = len(rules.items)
    given = {item: answers.get(item) for item, _ in rules.items}
    answered = [value for value in given.values() if value is not None]
    risk = [r for r in rules.risk if given.get(r.item) is not None and given[r.item] >= r.at_least]
    result = Score(None, len(answered), items, risk=risk)
    missing = items - len(answered)
    if not answered:
        result.reason = t("no item answered")
        return result
    if missing and not rules.prorate:
        result.reason = t(
            "{n} of {items} items not answered; this questionnaire is only "
            "scored when every item is",
            n=missing,
            items=items,
        )
        return result
    if missing > rules.max_missing:
        result.reason = t(
            "{n} of {items} items not answered; at most {most} may be missing",
            n=missing,
            items=items,
            most=rules.max_missing,
        )
        return result
    if rules.method == "mean":
        total = sum(answered) / len(answered)
        total = float(Decimal(str(total)).quantize(Decimal("0.01"), ROUND_HALF_UP))
    else:
        raw = sum(answered) * items / len(answered) if missing else sum(answered)
        if missing:  # bands are whole points: a prorated sum is rounded half up
            raw = float(Decimal(str(raw)).quantize(Decimal("1"), ROUND_HALF_UP))
        total = raw * rules.multiply
    result.total = total
    result.prorated = bool(missing)
    result.band = rules.band(total)
    result.case = rules.is_case(total)
    return result


@dataclass
class Outcome:
    """An administration against the first one of its series."""

    change: float | None  # this total minus the first
    reliable: str  # improved | deteriorated | none | "" (no total or no rule)
    recovery: str  # reliably recovered | recovered | not recovered | not a case at start | ""


IMPROVED, DETERIORATED, NO_CHANGE = "improved", "deteriorated", "none"
RELIABLY_RECOVERED, RECOVERED = "reliably recovered", "recovered"
NOT_RECOVERED, NOT_A_CASE = "not recovered", "not a case at start"


def outcome(rules: Rules, first: float | None, now: float | None) -> Outcome:
    """How ``now`` compares with ``first`` (both totals, or None when not scored)."""
    if first is None or now is None:
        return Outcome(None, "", "")
    change = now - first
    reliable = ""
    if rules.rc_threshold is not None:
        if not rules.is_reliable(change) or change == 0:
            reliable = NO_CHANGE
        else:
            better = change < 0 if rules.higher_is == "worse" else change > 0
            reliable = IMPROVED if better else DETERIORATED
    recovery = ""
    was, is_now = rules.is_case(first), rules.is_case(now)
    if was is not None:
        if not was:
            recovery = NOT_A_CASE
        elif is_now:
            recovery = NOT_RECOVERED
        else:
            recovery = RELIABLY_RECOVERED if reliable == IMPROVED else RECOVERED
    return Outcome(round(change, 2), reliable, recovery)


def series(rules: Rules, totals: Iterable[float | None]) -> list[Outcome]:
    """Each administration (in order) against the first one with a total."""
    totals = list(totals)
    first = next((total for total in totals if total is not None), None)
    return [outcome(rules, first, total) for total in totals]
