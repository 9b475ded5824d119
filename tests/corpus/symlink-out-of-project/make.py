import os
from pathlib import Path


def make(root: Path) -> None:
    os.symlink("/etc/hostname", root / "content/guidance/outside.md")
