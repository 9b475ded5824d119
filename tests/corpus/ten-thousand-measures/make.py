from pathlib import Path

HEAD = """\
title: Sleep better
area: behaviour-change
summary: Fall asleep sooner.
smart:
  specific: Go to bed at 23:00.
  measurable: Note minutes to fall asleep.
  achievable: Start with weeknights.
  relevant: I am tired at work.
  time_bound: Within 8 weeks.
timeframe: 8 weeks
measures:
"""


def make(root: Path) -> None:
    measures = "".join(f"  - {{id: m{i}, label: Measure {i}, kind: count}}\n" for i in range(10000))
    (root / "content/goals/sleep.yaml").write_text(HEAD + measures)
