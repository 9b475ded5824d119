"""Fill the sample's PDFs with each of the four engines clients use and print the matrix:
file × filler × (fields seen, filled, read back by the other three, visible in all four).

    python -m workbook build . --out /tmp/site --clean
    python benchmarks/engine_matrix.py /tmp/site

The values are the ones the tests use (tests/engines.py, tests/render/pdf/test_engines.py):
non-ASCII text with curly quotes and a dash, a six-line answer, a tick, a radio choice.
"visible" counts the boxes where the engine paints more than on the blank file;
"flattened" is what `workbook flatten` drew from that engine's file.
"""

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests import engines
from workbook.returned.flatten import flatten_file


def main(site: Path) -> None:
    print(
        "| file | filler | fields seen | filled | read back (other three) | visible in "
        "| flattened | KB blank → filled → flattened |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name in engines.FILES:
        src = site / "downloads" / f"{name}.pdf"
        widgets = engines.layout(src)
        values = engines.sample_values(widgets)
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
                    ok = sum(1 for a, b in zip(amounts, blank[viewer], strict=True) if a > b)
                    shown.append(f"{viewer} {ok}/{len(boxes)}")
                others = ", ".join(
                    f"{r} {back[r]}/{len(values)}" for r in engines.ENGINES if r != filler
                )
                printed, flat = flatten_file(out, Path(folder) / f"{filler}-print.pdf", check=False)
                checked = (
                    subprocess.run(
                        ["qpdf", "--check", str(printed)], capture_output=True
                    ).returncode
                    == 0
                )
                flattened = (
                    f"{flat.answers} answers, {flat.ticks} ticks"
                    f"{', qpdf ok' if checked else ', qpdf FAILS'}"
                    f"{', ' + str(len(flat.warnings)) + ' warnings' if flat.warnings else ''}"
                )
                sizes = " → ".join(str(round(p.stat().st_size / 1024)) for p in (src, out, printed))
                print(
                    f"| {name} | {filler} | {seen[filler]} | {back[filler]}/{len(values)} | "
                    f"{others} | {', '.join(shown)} | {flattened} | {sizes} |"
                )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
