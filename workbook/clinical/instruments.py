"""Standard questionnaires: the built-in presets' scoring facts, and scoring itself.

The one home of every questionnaire rule. A preset carries only what the
instrument's authors published about *scoring* (how many items, the scores of
their answers, the total, the bands, the caseness cut-off, the reliable-change
value, which answers a clinician must see at once); never an item's wording,
which belongs to its publisher and is typed in or imported by the clinic. Each
preset names its sources (``source``), and the README's "Questionnaires" gives them too.

Scoring is the same rules for the site's own check, for ``workbook progress`` and for
the tests: the rules travel as data (:func:`rules_data`) in the page and in the PDF's
description; :func:`score` and :func:`outcome` are pure, and the browser's copy of
:func:`score` in ``templates/assets/questionnaire.js`` is tested against this one.

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

from workbook.clinical.wording import Translate
from workbook.formats import data_number

#: How reliable change is judged when ``sd`` and ``reliability`` are given.
RCI_Z = 1.96
#: Bands and cut-offs are checked over every possible total; more is not a questionnaire.
MAX_GRID = 20_000

#: What an instrument may be, wherever it comes from: a content file
#: (:mod:`workbook.content.schema`), a returned file's description
#: (:mod:`workbook.returned.description`) or a FHIR import (:mod:`workbook.fhir.importer`).
#: Written once, so that none of them takes what another refuses.
MAX_ITEMS = 100
MIN_ANSWERS, MAX_ANSWERS = 2, 11
MIN_SCORE, MAX_SCORE = -100, 100
MAX_MULTIPLY = 100
MAX_MISSING = 99
MAX_BANDS = 12
MAX_RISK_RULES = 20
MAX_NUMBER = 10_000  # band ends, caseness, reliable change and its SD lie within ±this


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

    def _end(self, pick: Callable[[Iterable[int]], int]) -> float:
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


@dataclass(frozen=True, kw_only=True)
class Preset:
    """A published instrument's scoring facts: no item wording."""

    name: str
    title: str  # the instrument's own name (an imported file without one gets it)
    items: int
    scores: tuple[int, ...]  # every item's answer scores
    multiply: float = 1
    max_missing: int = 0
    prorate: bool = False
    bands: tuple[tuple[int, int, str], ...] = ()  # label: an English msgid, translated on use
    caseness: float | None = None
    reliable_change: float | None = None  # points
    higher_is: str = "worse"
    risk: tuple[tuple[int, int], ...] = ()  # (item number, 1-based; at least)
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

_PFIZER = (
    "Pfizer copyright; free to reproduce, translate, display and distribute, no permission needed"
)

PRESETS: dict[str, Preset] = {
    preset.name: preset
    for preset in (
        Preset(
            name="phq-9",
            title="PHQ-9",
            items=9,
            scores=(0, 1, 2, 3),
            max_missing=1,
            prorate=True,
            bands=(
                (0, 4, "Minimal"),
                (5, 9, "Mild"),
                (10, 14, "Moderate"),
                (15, 19, "Moderately severe"),
                (20, 27, "Severe"),
            ),
            caseness=10,
            reliable_change=6,
            risk=((9, 1),),
            source="Kroenke, Spitzer & Williams (2001), J Gen Intern Med 16:606-613; "
            "caseness and reliable change: NHS Talking Therapies",
            licence=_PFIZER,
            loinc=("44249-1", "44261-6"),
        ),
        Preset(
            name="gad-7",
            title="GAD-7",
            items=7,
            scores=(0, 1, 2, 3),
            max_missing=1,
            prorate=True,
            bands=((0, 4, "Minimal"), (5, 9, "Mild"), (10, 14, "Moderate"), (15, 21, "Severe")),
            caseness=8,
            reliable_change=4,
            source="Spitzer, Kroenke, Williams & Löwe (2006), Arch Intern Med 166:1092-1097; "
            "caseness and reliable change: NHS Talking Therapies",
            licence=_PFIZER,
            loinc=("69737-5", "70274-6"),
        ),
        Preset(
            name="who-5",
            title="WHO-5",
            items=5,
            scores=(0, 1, 2, 3, 4, 5),
            multiply=4,
            bands=((0, 48, "Poor well-being"), (52, 100, "Not in the poor range")),
            caseness=50,
            reliable_change=10,
            higher_is="better",
            source="Psychiatric Research Unit, WHO Collaborating Centre in Mental Health, "
            "Frederiksborg General Hospital (1998); the WHO-5 information sheet",
            licence="Public domain; name the source when you use it",
        ),
    )
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
        rc_points=preset.reliable_change,
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
        shown = ", ".join(data_number(v) for v in uncovered[:6]) + (
            ", ..." if len(uncovered) > 6 else ""
        )
        problems.append(
            f"no band holds the total{'s' if len(uncovered) > 1 else ''} {shown}; "
            f"bands must cover every total from {data_number(rules.low)} to "
            f"{data_number(rules.high)} without gaps"
        )
    for total in grid:
        holding = [b.label for b in rules.bands if b.min - 1e-9 <= total <= b.max + 1e-9]
        if len(holding) > 1:
            problems.append(
                f"bands '{holding[0]}' and '{holding[1]}' both hold the total "
                f"{data_number(total)}; bands must not overlap"
            )
            break
    return problems


def rules_data(rules: Rules) -> dict:
    """The rules as JSON data: what a PDF's description and the site's page carry, so a
    filled copy is scored without the project
    (:meth:`workbook.returned.description.DescribedRules.rules` reads it back)."""
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


def rounded(numerator: int, denominator: int, places: int) -> float:
    """``numerator / denominator`` rounded half away from zero to ``places`` decimals,
    exactly (whole-number arithmetic, so the browser's copy in ``questionnaire.js`` gets
    the same total to the last digit)."""
    scale = 10**places
    quotient, remainder = divmod(abs(numerator) * scale, denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    return (-quotient if numerator < 0 else quotient) / scale


def score(rules: Rules, answers: dict[str, int | None], t: Translate) -> Score:
    """Score one set of answers (item id → score, or None/absent when unanswered)."""
    items = len(rules.items)
    given = {item: answers.get(item) for item, _ in rules.items}
    answered = [value for value in given.values() if value is not None]
    risk = [
        r for r in rules.risk if (value := given.get(r.item)) is not None and value >= r.at_least
    ]
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
        total: float = rounded(sum(answered), len(answered), 2)
    else:  # bands are whole points: a prorated sum is rounded to a whole point
        raw = rounded(sum(answered) * items, len(answered), 0) if missing else sum(answered)
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
