"""Questionnaire scoring: totals, bands, missing items, reliable change and recovery.

Known answer sets at every band boundary of the presets, all zeros, all maximums,
missing items under each rule, and rising, falling and flat series, against the
published rules (see README "Questionnaires").
"""

from __future__ import annotations

import math

import pytest

from workbook.clinical.instruments import (
    PRESETS,
    Band,
    Rules,
    outcome,
    preset_rules,
    score,
    series,
)


def t(message: str, **values) -> str:
    return message.format(**values) if values else message


def preset(name: str) -> Rules:
    return preset_rules(PRESETS[name], [f"q{n}" for n in range(1, PRESETS[name].items + 1)], t)


def answers_for(total: int, items: int, top: int) -> dict[str, int]:
    """Answers that add up to ``total``: fill items to the top, the rest below."""
    values = {}
    for n in range(1, items + 1):
        value = min(top, total)
        values[f"q{n}"] = value
        total -= value
    assert total == 0
    return values


PHQ9 = [
    (0, "Minimal", False),
    (4, "Minimal", False),
    (5, "Mild", False),
    (9, "Mild", False),
    (10, "Moderate", True),
    (14, "Moderate", True),
    (15, "Moderately severe", True),
    (19, "Moderately severe", True),
    (20, "Severe", True),
    (27, "Severe", True),
]


@pytest.mark.parametrize("total,band,case", PHQ9)
def test_phq9_bands_and_caseness_at_every_boundary(total: int, band: str, case: bool) -> None:
    scored = score(preset("phq-9"), answers_for(total, 9, 3), t)
    assert (scored.total, scored.band, scored.case, scored.prorated) == (total, band, case, False)


@pytest.mark.parametrize(
    "total,band,case",
    [
        (0, "Minimal", False),
        (4, "Minimal", False),
        (5, "Mild", False),
        (7, "Mild", False),
        (8, "Mild", True),
        (9, "Mild", True),
        (10, "Moderate", True),
        (14, "Moderate", True),
        (15, "Severe", True),
        (21, "Severe", True),
    ],
)
def test_gad7_bands_and_caseness_at_every_boundary(total: int, band: str, case: bool) -> None:
    scored = score(preset("gad-7"), answers_for(total, 7, 3), t)
    assert (scored.total, scored.band, scored.case) == (total, band, case)


@pytest.mark.parametrize(
    "raw,total,band,case",
    [
        (0, 0, "Poor well-being", True),
        (12, 48, "Poor well-being", True),
        (13, 52, "Not in the poor range", False),
        (25, 100, "Not in the poor range", False),
    ],
)
def test_who5_is_multiplied_by_four_and_low_is_the_case(raw, total, band, case) -> None:
    scored = score(preset("who-5"), answers_for(raw, 5, 5), t)
    assert (scored.total, scored.band, scored.case) == (total, band, case)


def test_the_phq9_risk_item_is_flagged_from_one_and_never_hidden_in_the_total() -> None:
    rules = preset("phq-9")
    calm = score(rules, {**answers_for(0, 9, 3)}, t)
    assert calm.risk == []
    risky = score(rules, {**answers_for(0, 9, 3), "q9": 1}, t)
    assert [r.item for r in risky.risk] == ["q9"]
    assert risky.total == 1 and risky.band == "Minimal"  # a low total still carries the risk
    assert "Item 9" in risky.risk[0].message


def test_one_missing_phq9_item_is_prorated_two_are_not() -> None:
    rules = preset("phq-9")
    eight = {f"q{n}": 2 for n in range(1, 9)}  # 16 over 8 items: 16 × 9 / 8 = 18
    scored = score(rules, eight, t)
    assert (scored.total, scored.prorated, scored.answered, scored.band) == (
        18,
        True,
        8,
        "Moderately severe",
    )
    seven = {f"q{n}": 1 for n in range(1, 8)}
    scored = score(rules, seven, t)
    assert scored.total is None and scored.band == ""
    assert scored.reason == "2 of 9 items not answered; at most 1 may be missing"


def test_a_prorated_sum_is_rounded_half_up_to_a_whole_point() -> None:
    # 4 items of 0-3, one missing: 1+1+0 = 2, × 4/3 = 2.67 → 3; 1+0+0 → 1.33 → 1
    rules = Rules(
        items=tuple((f"q{n}", (0, 1, 2, 3)) for n in range(1, 5)), max_missing=1, prorate=True
    )
    assert score(rules, {"q1": 1, "q2": 1, "q3": 0}, t).total == 3
    assert score(rules, {"q1": 1, "q2": 0, "q3": 0}, t).total == 1
    # 3 of 6 answered with 1 missing allowed… not; 5 of 6: 3 → 3 × 6/5 = 3.6 → 4
    six = Rules(items=tuple((f"q{n}", (0, 1)) for n in range(1, 7)), max_missing=1, prorate=True)
    assert score(six, {"q1": 1, "q2": 1, "q3": 1, "q4": 0, "q5": 0}, t).total == 4


def test_without_prorating_any_missing_item_leaves_the_total_empty() -> None:
    rules = preset("who-5")
    scored = score(rules, {"q1": 5, "q2": 5, "q3": 5, "q4": 5}, t)
    assert scored.total is None
    assert scored.reason == (
        "1 of 5 items not answered; this questionnaire is only scored when every item is"
    )
    assert score(rules, {}, t).reason == "no item answered"


def test_a_mean_is_of_the_answered_items() -> None:
    rules = Rules(
        items=tuple((f"q{n}", (1, 2, 3, 4, 5)) for n in range(1, 5)),
        method="mean",
        max_missing=1,
        prorate=True,
        bands=(Band(1, 2.99, "Low"), Band(3, 5, "High")),
    )
    assert score(rules, {"q1": 1, "q2": 2, "q3": 4, "q4": 5}, t).total == 3
    scored = score(rules, {"q1": 1, "q2": 2, "q3": 2}, t)
    assert (scored.total, scored.band, scored.prorated) == (1.67, "Low", True)


# --------------------------------------------------------------------------- over time


def test_falling_phq9_by_six_or_more_from_a_case_is_reliable_recovery() -> None:
    rules = preset("phq-9")
    first, *_, last = series(rules, [18, 13, 8])
    assert (first.change, first.reliable, first.recovery) == (0, "none", "not recovered")
    assert (last.change, last.reliable, last.recovery) == (-10, "improved", "reliably recovered")


def test_falling_below_caseness_by_less_than_six_is_recovery_but_not_reliable() -> None:
    rules = preset("phq-9")
    assert series(rules, [12, 7])[-1] == outcome(rules, 12, 7)
    result = outcome(rules, 12, 7)
    assert (result.change, result.reliable, result.recovery) == (-5, "none", "recovered")


def test_a_fall_that_stays_a_case_is_reliable_improvement_without_recovery() -> None:
    result = outcome(preset("phq-9"), 24, 18)
    assert (result.reliable, result.recovery) == ("improved", "not recovered")


def test_rising_is_reliable_deterioration() -> None:
    rules = preset("phq-9")
    result = series(rules, [8, 11, 15])[-1]
    assert (result.change, result.reliable, result.recovery) == (
        7,
        "deteriorated",
        "not a case at start",
    )
    gad = outcome(preset("gad-7"), 9, 13)
    assert (gad.change, gad.reliable, gad.recovery) == (4, "deteriorated", "not recovered")


def test_a_flat_series_is_no_reliable_change() -> None:
    rules = preset("gad-7")
    assert {(o.reliable, o.recovery) for o in series(rules, [12, 12, 12])} == {
        ("none", "not recovered")
    }
    assert outcome(rules, 12, 9).reliable == "none"  # 3 points: below GAD-7's 4


def test_on_who5_higher_is_better_so_rising_is_improvement() -> None:
    rules = preset("who-5")
    result = outcome(rules, 40, 60)
    assert (result.change, result.reliable, result.recovery) == (
        20,
        "improved",
        "reliably recovered",
    )
    assert outcome(rules, 60, 48).reliable == "deteriorated"
    assert outcome(rules, 60, 52).reliable == "none"  # 8 points: below 10


def test_the_jacobson_truax_index_from_sd_and_reliability() -> None:
    rules = Rules(
        items=tuple((f"q{n}", (0, 1, 2, 3)) for n in range(1, 10)), rc_sd=5.7, rc_reliability=0.89
    )
    threshold = 1.96 * 5.7 * math.sqrt(2) * math.sqrt(1 - 0.89)
    assert rules.rc_threshold == pytest.approx(threshold)  # 5.24
    assert outcome(rules, 20, 15).reliable == "none"  # 5 < 5.24
    assert outcome(rules, 20, 14).reliable == "improved"  # 6 > 5.24


def test_an_administration_without_a_total_has_no_change() -> None:
    rules = preset("phq-9")
    outcomes = series(rules, [None, 15, None, 9])
    assert [o.change for o in outcomes] == [None, 0, None, -6]
    assert outcomes[-1].reliable == "improved"
