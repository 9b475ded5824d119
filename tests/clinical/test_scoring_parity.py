"""The browser scores a questionnaire exactly as ``workbook progress`` does.

``templates/assets/questionnaire.js`` carries its own ``score()`` (the page must total
answers without a server); it reads the same rules data the Python scoring reads
(:func:`workbook.clinical.instruments.rules_data`). Here every preset and a few hundred
random instruments (sums, means, multipliers, prorating, bands, risk rules) are scored
with a few thousand random answer sets, some items left out, by both, under Node.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from workbook.clinical import instruments
from workbook.clinical.instruments import PRESETS, Band, Risk, Rules, preset_rules, rules_data

SCRIPT = Path(__file__).with_name("score_in_node.js")


def random_rules(rng: random.Random) -> Rules:
    count = rng.randint(1, 12)
    items = []
    for number in range(1, count + 1):
        scores = sorted(rng.sample(range(-5, 11), rng.randint(2, 6)))
        items.append((f"q{number}", tuple(scores)))
    method = rng.choice(["sum", "sum", "mean"])
    rules = Rules(items=tuple(items), method=method)
    low, high = rules.low, rules.high
    cuts = sorted({round(rng.uniform(low, high), 1) for _ in range(rng.randint(0, 3))})
    edges = [low, *cuts, high]
    bands = tuple(
        Band(edges[i], edges[i + 1] - (0.01 if i + 1 < len(edges) - 1 else 0), f"band {i}")
        for i in range(len(edges) - 1)
    )
    risk = tuple(
        Risk(item, rng.choice(scores), "look at this") for item, scores in rng.sample(items, 1)
    )
    return Rules(
        items=tuple(items),
        method=method,
        multiply=rng.choice([1, 1, 2, 4, 2.5]) if method == "sum" else 1,
        max_missing=rng.randint(0, 3),
        prorate=rng.random() < 0.7,
        bands=bands if rng.random() < 0.8 else (),
        risk=risk if rng.random() < 0.6 else (),
    )


def answer_sets(rules: Rules, rng: random.Random, count: int) -> list[dict[str, int | None]]:
    sets = []
    for _ in range(count):
        answers: dict[str, int | None] = {}
        for item, scores in rules.items:
            answers[item] = None if rng.random() < 0.15 else rng.choice(scores)
        sets.append(answers)
    return sets


def test_the_browser_and_progress_score_every_answer_set_alike() -> None:
    if shutil.which("node") is None:
        pytest.fail("Node.js runs the site's questionnaire.js here: apt-get install nodejs")
    rng = random.Random(20261202)
    t = lambda message, **values: message  # noqa: E731 - the words are not compared
    cases = []
    for _name, preset in PRESETS.items():
        rules = preset_rules(preset, [f"q{n}" for n in range(1, preset.items + 1)], t)
        cases += [(rules, answers) for answers in answer_sets(rules, rng, 400)]
        cases.append((rules, {item: max(scores) for item, scores in rules.items}))
        cases.append((rules, {item: min(scores) for item, scores in rules.items}))
    for _ in range(300):
        rules = random_rules(rng)
        cases += [(rules, answers) for answers in answer_sets(rules, rng, 8)]
    assert len(cases) > 3000
    payload = [{"rules": rules_data(rules), "answers": answers} for rules, answers in cases]
    done = subprocess.run(
        ["node", str(SCRIPT)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    browser = json.loads(done.stdout)
    differ = []
    for (rules, answers), seen in zip(cases, browser, strict=True):
        scored = instruments.score(rules, answers, t)
        python = {
            "total": scored.total,
            "band": scored.band if scored.total is not None else "",
            "risk": [r.item for r in scored.risk],
        }
        if python != seen:
            differ.append((rules_data(rules), answers, python, seen))
    assert differ == [], f"{len(differ)} of {len(cases)} differ; the first: {differ[0]}"
