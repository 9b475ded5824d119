"""Fill the sample's PDFs with each of the four engines clients use and print the matrix:
file × filler × (fields seen, filled, read back by the other three, visible in all four).

    python -m workbook build . --out /tmp/site --clean
    python benchmarks/engine_matrix.py /tmp/site

The values are the ones the tests use (tests/engines.py, tests/render/test_engines.py):
non-ASCII text with curly quotes and a dash, a six-line answer, a tick, a radio choice.
"""

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import engines  # noqa: E402

FILES = ("ease-anxiety-tracker", "ease-anxiety-worksheet", "ease-anxiety-session-prep",
         "ease-anxiety-gas", "workbooks/getting-started")
NAME = "Zoë Núñez “Grüße” – ½"
LONG = "\n".join(f"Line {n}: mañana I will try the plan again, step by step." for n in range(1, 7))


def sample_values(widgets: list[engines.Widget]) -> dict[str, object]:
    values: dict[str, object] = {}
    kinds: dict[str, list[engines.Widget]] = {}
    for widget in widgets:
        kinds.setdefault(widget.kind, []).append(widget)
    texts = kinds.get("text", [])
    if texts:
        values[texts[0].name] = NAME
    if len(texts) > 1:
        values[texts[-1].name] = "12"
    if kinds.get("multiline"):
        values[kinds["multiline"][0].name] = LONG
    if kinds.get("checkbox"):
        values[kinds["checkbox"][0].name] = True
    if kinds.get("radio"):
        group = [w for w in kinds["radio"] if w.name == kinds["radio"][0].name]
        values[group[0].name] = group[min(2, len(group) - 1)].export
    return values


def main(site: Path) -> None:
    print("| file | filler | fields seen | filled | read back (other three) | visible in |")
    print("|---|---|---|---|---|---|")
    for name in FILES:
        src = site / "downloads" / f"{Path(name).name}.pdf"
        if not src.exists():
            src = site / "downloads" / f"{Path(name).name}.pdf"
        widgets = engines.layout(src)
        values = sample_values(widgets)
        boxes = engines.targets(values, widgets)
        blank = {e: engines.ink(e, src, boxes) for e in engines.ENGINES}
        seen = {e: len(engines.read_names(e, src, widgets)) for e in engines.ENGINES}
        with tempfile.TemporaryDirectory() as folder:
            for filler in engines.ENGINES:
                out = Path(folder) / f"{filler}.pdf"
                engines.fill(filler, src, out, values, widgets)
                back = {}
                for reader in engines.ENGINES:
                    got = engines.read(reader, out, widgets)
                    back[reader] = sum(1 for k, v in values.items() if got.get(k) == v)
                shown = []
                for viewer in engines.ENGINES:
                    amounts = engines.ink(viewer, out, boxes)
                    ok = sum(1 for a, b in zip(amounts, blank[viewer]) if a > b)
                    shown.append(f"{viewer} {ok}/{len(boxes)}")
                others = ", ".join(f"{r} {back[r]}/{len(values)}" for r in engines.ENGINES
                                   if r != filler)
                print(f"| {name} | {filler} | {seen[filler]} | {back[filler]}/{len(values)} | "
                      f"{others} | {', '.join(shown)} |")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
