from pathlib import Path


def make(root: Path) -> None:
    body = ("A line of guidance text that goes on and on. " * 20 + "\n") * 5700
    (root / "content/guidance/huge.md").write_text(
        "---\ntitle: Huge\nsummary: Too big.\n---\n" + body
    )
