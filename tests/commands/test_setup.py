"""The README's two commands, and the script they share with CI.

``scripts/install-deps`` decides what to install and how (apt-get as root,
through sudo otherwise; Debian's npm only where it does not clash with the
Node.js already there). Those decisions are checked against stand-ins for
dpkg-query, apt-get, sudo, node and npm that record what they were asked, so
nothing is installed by the test.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.helpers import REPO

SCRIPT = REPO / "scripts/install-deps"
BUILD = (
    "bash scripts/install-deps && python3 -m venv .venv && . .venv/bin/activate && "
    "pip install . && workbook build"
)
TEST = (
    "bash scripts/install-deps test && python3 -m venv .venv && . .venv/bin/activate && "
    "pip install -e '.[test]' && bash scripts/lint && python -m pytest"
)


def test_readme_commands_are_the_ones_ci_runs() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    assert re.findall(r"```sh\n(.*?)\n```", quick, re.S) == [BUILD, TEST]
    ci = (REPO / ".ci/run").read_text(encoding="utf-8")
    assert TEST in ci.splitlines()
    commands = [line for line in ci.splitlines() if line and not line.startswith("#")]
    assert not any("sudo" in line for line in commands)  # the script decides; root has none


STUB = """#!/bin/bash
echo "$(basename "$0") $*" >> "$LOG"
{body}
"""


@pytest.fixture
def machine():
    """A PATH of stand-ins: every Debian package reads as missing unless listed in
    $INSTALLED; node and npm exist only when asked for. In a folder another user can
    read, with its own copy of the script, for the runs as 'nobody'."""
    place = Path(tempfile.mkdtemp(prefix="install-deps-"))
    place.chmod(0o755)
    bin_dir = place / "bin"
    bin_dir.mkdir(mode=0o755)
    script = place / "install-deps"
    shutil.copyfile(SCRIPT, script)
    setpriv = shutil.which("setpriv")
    for tool in ("grep", "env", "id", "basename", "cat"):
        os.symlink(shutil.which(tool), bin_dir / tool)

    def stub(name: str, body: str = "") -> None:
        path = bin_dir / name
        path.write_text(STUB.format(body=body), encoding="utf-8")
        path.chmod(0o755)

    stub(
        "dpkg-query",
        'for p in $INSTALLED; do [ "${@: -1}" = "$p" ] && '
        '{ case "$2" in *Status*) echo "install ok installed";; '
        '*) echo "${NODE_VERSION:-1.0}";; esac; exit 0; }; done; exit 1',
    )
    stub("apt-get")
    stub("sudo", '"$@"')
    log = place / "log"

    def run(
        *args: str,
        node: bool = False,
        npm: bool = False,
        sudo: bool = True,
        installed: str = "",
        node_version: str = "",
        user: str | None = None,
    ):
        for name, wanted in (("node", node), ("npm", npm)):
            if wanted:
                stub(name)
            else:
                (bin_dir / name).unlink(missing_ok=True)
        if not sudo:
            (bin_dir / "sudo").unlink(missing_ok=True)
        log.write_text("")
        log.chmod(0o666)
        environment = {
            "PATH": str(bin_dir),
            "LOG": str(log),
            "INSTALLED": installed,
            "NODE_VERSION": node_version,
        }
        command = ["/bin/bash", str(script), *args]
        if user is not None:  # run as another user: setpriv drops root for this command
            command = [setpriv, f"--reuid={user}", "--regid=nogroup", "--clear-groups", *command]
        done = subprocess.run(command, env=environment, capture_output=True, text=True)
        return done, log.read_text().splitlines()

    yield run
    shutil.rmtree(place, ignore_errors=True)


def installs(calls: list[str]) -> list[str]:
    lines = [line for line in calls if " install " in line]
    assert len(lines) <= 1
    return lines[0].split("--no-install-recommends ")[1].split() if lines else []


def test_as_root_without_sudo_and_without_node(machine) -> None:
    done, calls = machine("test", sudo=False)
    assert done.returncode == 0, done.stderr
    assert not any(line.startswith("sudo") for line in calls)
    assert "apt-get update -qq" in calls
    assert {"nodejs", "npm", "poppler-utils", "qpdf", "libpango-1.0-0"} <= set(installs(calls))


def test_a_nodejs_with_npm_from_elsewhere_is_kept(machine) -> None:
    done, calls = machine("test", node=True, npm=True)
    assert done.returncode == 0, done.stderr
    packages = installs(calls)
    assert "nodejs" not in packages and "npm" not in packages


def test_debians_nodejs_without_npm_gets_debians_npm(machine) -> None:
    done, calls = machine("test", node=True, installed="nodejs", node_version="18.19.0+dfsg-6")
    assert done.returncode == 0, done.stderr
    assert "npm" in installs(calls) and "nodejs" not in installs(calls)


def test_nodesource_nodejs_without_npm_is_not_broken(machine) -> None:
    done, calls = machine(
        "test", node=True, installed="nodejs", node_version="20.20.2-1nodesource1"
    )
    assert done.returncode == 1
    assert "has no npm; install npm the way Node.js itself was installed" in done.stderr
    assert installs(calls) == []


def test_building_needs_only_pango_and_venv(machine) -> None:
    done, calls = machine()
    assert done.returncode == 0, done.stderr
    assert installs(calls) == ["python3-venv", "libpango-1.0-0", "libpangoft2-1.0-0"]


def test_nothing_missing_needs_no_root_and_no_apt(machine) -> None:
    done, calls = machine(
        installed="python3-venv libpango-1.0-0 libpangoft2-1.0-0", sudo=False, user="nobody"
    )
    assert done.returncode == 0, done.stderr
    assert calls == [line for line in calls if line.startswith("dpkg-query")]


def test_a_user_goes_through_sudo(machine) -> None:
    done, calls = machine(user="nobody")
    assert done.returncode == 0, done.stderr
    assert "sudo apt-get update -qq" in calls
    assert any(
        line.startswith("sudo env DEBIAN_FRONTEND=noninteractive apt-get install") for line in calls
    )


def test_a_user_without_sudo_is_told_what_to_do(machine) -> None:
    done, calls = machine(user="nobody", sudo=False)
    assert done.returncode == 1
    assert done.stderr == (
        "install-deps: python3-venv libpango-1.0-0 libpangoft2-1.0-0 must "
        "be installed; run this as root, or install sudo\n"
    )
    assert not any(line.startswith("apt-get") for line in calls)


def test_a_wrong_argument_is_a_command_line_mistake(machine) -> None:
    done, _ = machine("tests")
    assert done.returncode == 2
    assert done.stderr == "usage: bash scripts/install-deps [build|test]\n"


def test_the_licence_pyproject_names_is_there() -> None:
    assert 'license = "MIT"' in (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert (REPO / "LICENSE").read_text(encoding="utf-8").startswith("MIT License\n")
