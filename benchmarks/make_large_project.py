"""Write a large, realistic workbook project for benchmarks.

    python benchmarks/make_large_project.py DIR [--goals 200] [--workbook-pages 500]

Starts from the sample project (its settings, guidance, sheets and goals), then
adds N goals made by varying the sample goals (titles, timeframes, measures,
strategies), one guidance article per ten goals, and workbooks: one per area
and one big workbook of roughly --workbook-pages pages for the memory check.
Deterministic: the same arguments write the same files.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import yaml

from workbook.project import new_project

TIMEFRAMES = ["4 weeks", "6 weeks", "8 weeks", "12 weeks", "3 months", "6 months"]
STRATEGIES = [
    "Slow breathing for five minutes",
    "Write the worry down, then set it aside",
    "Take a short walk outside",
    "Call or message a friend",
    "Name five things I can see",
    "Put my phone in another room",
    "Break the task into small steps",
    "Plan tomorrow's first step tonight",
    "Notice and name the feeling",
    "Drink a glass of water and pause",
    "Stretch for two minutes",
    "Ask for what I need",
]
PARAGRAPH = (
    "Progress rarely moves in a straight line. Some weeks will feel easy and others will "
    "feel like a step back, and both are part of the work. Write down what you notice, "
    "bring it to your session, and look at the pattern over several weeks rather than "
    "judging a single day."
)


def vary_goal(base: dict, index: int, rng: random.Random) -> dict:
    goal = dict(base)
    goal["title"] = f"{base['title']} ({index})"
    goal["timeframe"] = rng.choice(TIMEFRAMES)
    goal["strategies"] = rng.sample(STRATEGIES, rng.randint(2, 5))
    goal["order"] = index
    goal.pop("gas", None)
    return goal


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--goals", type=int, default=200)
    parser.add_argument("--workbook-pages", type=int, default=500)
    args = parser.parse_args()
    rng = random.Random(20261122)
    root = new_project(args.directory).root
    content = root / "content"
    samples = sorted((content / "goals").glob("*.yaml"))
    bases = [yaml.safe_load(path.read_text()) for path in samples]
    guidance_slugs = sorted(p.stem for p in (content / "guidance").glob("*.md"))

    for n in range(args.goals // 10):
        slug = f"notes-{n:03d}"
        body = "\n\n".join(f"## Part {k}\n\n{PARAGRAPH}" for k in range(1, 6))
        (content / "guidance" / f"{slug}.md").write_text(
            f"---\ntitle: Notes on progress {n}\nsummary: Ways to read your tracker, part {n}.\n"
            f"order: {10 + n}\n---\nSee also [tracking progress](tracking-progress.md).\n\n{body}\n",
            encoding="utf-8",
        )
        guidance_slugs.append(slug)

    made = []
    for index in range(args.goals):
        base = bases[index % len(bases)]
        goal = vary_goal(base, index, rng)
        goal["guidance"] = sorted(set(base.get("guidance", [])) | {guidance_slugs[-1 - index % 10]})
        slug = f"{samples[index % len(samples)].stem}-{index:03d}"
        (content / "goals" / f"{slug}.yaml").write_text(
            yaml.safe_dump(goal, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
        made.append((slug, goal))

    # One workbook per area, and one big one for the memory check.
    for area in ("personal-growth", "emotional-wellbeing", "relationships", "behaviour-change"):
        items = [{"goal": slug} for slug, goal in made if goal["area"] == area][:6]
        (content / "workbooks" / f"area-{area}.yaml").write_text(
            yaml.safe_dump(
                {"title": f"Workbook: {area}", "contents": [{"guidance": "smart-goals"}, *items]},
                sort_keys=False,
            ),
            encoding="utf-8",
        )
    # about 10 pages per goal with all three sheets (trackers of 3 months and more)
    long_goals = [
        slug for slug, goal in made if goal["timeframe"] in ("12 weeks", "3 months", "6 months")
    ]
    count = max(1, args.workbook_pages // 8)
    (content / "workbooks" / "big.yaml").write_text(
        yaml.safe_dump(
            {
                "title": "Everything",
                "subtitle": "A very large workbook",
                "contents": [{"goal": slug} for slug in long_goals[:count]],
            },
            sort_keys=False,
        ),
        encoding="utf-8",
    )
    print(f"wrote {args.goals} goals, {args.goals // 10} guidance pages and 5 workbooks to {root}")


if __name__ == "__main__":
    main()
