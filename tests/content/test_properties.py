"""Property-based: any goal, sheet or workbook file, valid or broken, either loads or
raises our own WorkbookError whose every problem names the file and a line."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbook.content.load import load_content
from workbook.errors import WorkbookError
from workbook.project import new_project, open_project

SETTINGS = settings(
    max_examples=int(__import__("os").environ.get("HYPOTHESIS_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
)
anything = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=25,
)
slugs = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}", fullmatch=True)
words = st.text(
    alphabet=st.characters(codec="latin-1", categories=["L", "N", "Zs", "P"]),
    min_size=1,
    max_size=60,
)


def maybe(valid):
    """Mostly a valid value, sometimes anything at all."""
    return st.one_of(valid, valid, valid, anything)


measure = st.fixed_dictionaries(
    {
        "id": maybe(slugs),
        "label": maybe(words),
        "kind": maybe(st.sampled_from(["count", "scale", "yes-no", "minutes", "text"])),
    },
    optional={
        "every": maybe(st.sampled_from(["day", "week"])),
        "min": maybe(st.integers(-5, 15)),
        "max": maybe(st.integers(-5, 15)),
        "target": maybe(
            st.fixed_dictionaries(
                {"direction": st.sampled_from(["lower", "higher"]), "value": st.integers(0, 20)}
            )
        ),
        "anchors": maybe(st.dictionaries(st.integers(-5, 15), words, max_size=3)),
    },
)
goal = st.fixed_dictionaries(
    {
        "title": maybe(words),
        "area": maybe(st.sampled_from(["personal-growth", "relationships"])),
        "summary": maybe(words),
        "smart": maybe(
            st.fixed_dictionaries(
                dict.fromkeys(
                    ("specific", "measurable", "achievable", "relevant", "time_bound"), words
                )
            )
        ),
        "timeframe": maybe(
            st.builds(
                lambda n, u: f"{n} {u}",
                st.integers(0, 500),
                st.sampled_from(["days", "weeks", "months", "years"]),
            )
        ),
        "measures": maybe(st.lists(measure, min_size=0, max_size=4)),
    },
    optional={
        "strategies": maybe(st.lists(words, max_size=14)),
        "steps": maybe(st.lists(st.fixed_dictionaries({"by": words, "text": words}), max_size=3)),
        "prompts": maybe(st.lists(words, max_size=3)),
        "guidance": maybe(st.lists(st.sampled_from(["smart-goals", "nope"]), max_size=3)),
        "gas": maybe(
            st.fixed_dictionaries(
                {"levels": st.dictionaries(st.integers(-3, 3), words, max_size=5)}
            )
        ),
        "extra": anything,
    },
)
block = st.one_of(
    st.fixed_dictionaries({"kind": st.just("text"), "text": maybe(words)}),
    st.fixed_dictionaries(
        {"kind": st.just("scale"), "label": maybe(words)},
        optional={"min": st.integers(-5, 25), "max": st.integers(-5, 25), "id": maybe(slugs)},
    ),
    st.fixed_dictionaries(
        {"kind": maybe(st.sampled_from(["prompt", "list"])), "label": maybe(words)},
        optional={"lines": maybe(st.integers(-2, 40)), "id": maybe(slugs)},
    ),
    st.fixed_dictionaries(
        {"kind": st.just("checklist"), "label": words, "items": maybe(st.lists(words, max_size=4))}
    ),
    st.fixed_dictionaries(
        {
            "kind": st.just("table"),
            "label": words,
            "columns": maybe(st.lists(words, max_size=10)),
            "rows": maybe(st.integers(-1, 70)),
        }
    ),
    anything,
)
sheet = st.fixed_dictionaries(
    {
        "title": maybe(words),
        "kind": maybe(st.sampled_from(["worksheet", "tracker"])),
        "blocks": maybe(st.lists(block, max_size=5)),
    },
    optional={"intro": maybe(words), "summary": maybe(words)},
)
entry = st.one_of(
    st.fixed_dictionaries({"guidance": maybe(st.sampled_from(["smart-goals", "x"]))}),
    st.fixed_dictionaries({"sheet": maybe(slugs)}),
    st.fixed_dictionaries(
        {"goal": maybe(slugs)},
        optional={
            "sheets": maybe(
                st.lists(st.sampled_from(["tracker", "worksheet", "diary"]), max_size=4)
            )
        },
    ),
    anything,
)
workbook = st.fixed_dictionaries(
    {"title": maybe(words), "contents": maybe(st.lists(entry, max_size=5))},
    optional={"subtitle": maybe(words), "intro": maybe(words)},
)

# Text-level damage: what hand-editing does to YAML.
damage = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "\t",
                ": ",
                "&a ",
                "*a ",
                "[",
                "{",
                "- ",
                "\n  ",
                "\x00",
                "'",
                '"',
                "!!str ",
                "---\n",
                "\ufeff",
            ]
        ),
        st.integers(0, 10**6),
    ),
    max_size=3,
)


def damaged(text: str, edits) -> str:
    for insert, at in edits:
        at = at % (len(text) + 1)
        text = text[:at] + insert + text[at:]
    return text


_BASE = None


def project_with(folder: str, data, edits) -> Path:
    """A copy of the sample project with one generated file added."""
    global _BASE
    if _BASE is None:  # the sample, cut down to what the generated files may refer to
        _BASE = new_project(Path(tempfile.mkdtemp()) / "base").root
        for kind in ("goals", "guidance", "sheets", "workbooks"):
            for path in (_BASE / "content" / kind).iterdir():
                if path.stem not in ("ease-anxiety", "smart-goals", "weekly-check-in"):
                    path.unlink()
        # smart-goals links to other guides; keep it standalone
        guide = _BASE / "content/guidance/smart-goals.md"
        guide.write_text("---\ntitle: SMART\nsummary: S.\n---\nBody.\n", encoding="utf-8")
    root = Path(tempfile.mkdtemp()) / "p"
    shutil.copytree(_BASE, root)
    text = damaged(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), edits)
    (root / "content" / folder / "generated.yaml").write_text(
        text, encoding="utf-8", errors="surrogatepass"
    )
    goal = root / "content/goals/ease-anxiety.yaml"  # its guidance list names removed guides
    if goal.exists():
        goal.write_text(
            "\n".join(
                line for line in goal.read_text().splitlines() if not line.startswith("guidance:")
            )
            + "\n"
        )
    return root


def loads_or_reports(root: Path, folder: str) -> None:
    """The project loads, or every problem is about the generated file, at a line."""
    generated = root / "content" / folder / "generated.yaml"
    assert generated.is_file()  # where it was asked to go
    try:
        load_content(open_project(root))
    except WorkbookError as error:
        assert error.problems
        for problem in error.problems:
            assert problem.path == f"content/{folder}/generated.yaml", problem
            # a line, except for a file that is not text at all
            assert (problem.line or 0) >= 1 or "binary file" in problem.message, problem
            assert problem.message and "\n" not in problem.message
    finally:
        shutil.rmtree(root.parent, ignore_errors=True)


@SETTINGS
@given(goal, damage)
def test_any_goal_file(data, edits) -> None:
    loads_or_reports(project_with("goals", data, edits), "goals")


@SETTINGS
@given(sheet, damage)
def test_any_sheet_file(data, edits) -> None:
    loads_or_reports(project_with("sheets", data, edits), "sheets")


@SETTINGS
@given(workbook, damage)
def test_any_workbook_file(data, edits) -> None:
    loads_or_reports(project_with("workbooks", data, edits), "workbooks")
