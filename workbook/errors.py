"""The one exception type for problems a user can fix, and how they are collected.

Every content problem is a :class:`Problem`: the file (relative to the project),
the line when there is one, and a message that says what to do. Loading collects
all of them in a :class:`Report` and raises a single :class:`WorkbookError`, so a
user sees every problem at once. Only the CLI turns the error into text on stderr
and an exit code.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Problem:
    path: str  # posix path relative to the project root ("" for no file)
    line: int | None
    message: str

    def __str__(self) -> str:
        """One line, safe to print: control characters (escape sequences, line breaks,
        right-to-left overrides) from a file or a returned PDF are written as escapes."""
        if not self.path:
            return one_line(self.message)
        if self.line is None:
            return one_line(f"{self.path}: {self.message}")
        return one_line(f"{self.path}:{self.line}: {self.message}")


def one_line(text: str) -> str:
    """``text`` with every control, format and line-separator character written as an
    escape (\\x1b, \\n, \\u202e), so printing it cannot move the cursor, clear the
    screen or forge a line of output."""
    if all(c.isprintable() or c == " " for c in text):
        return text
    return "".join(
        c if unicodedata.category(c) not in _UNSAFE else c.encode("unicode_escape").decode("ascii")
        for c in text
    )


_UNSAFE = ("Cc", "Cf", "Zl", "Zp")


class WorkbookError(Exception):
    """A problem the user can act on. Never a bug in this program.

    ``exit_code`` follows Click's convention of exceptions that carry the
    code the process should end with.
    """

    exit_code = 1

    def __init__(
        self, problems: list[Problem] | str, warnings: list[Problem] | None = None
    ) -> None:
        if isinstance(problems, str):
            problems = [Problem("", None, problems)]
        self.problems = list(problems)
        self.warnings = list(warnings or [])  # likely mistakes found on the way
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple:  # keep the problems when sent back from a worker process
        return (type(self), (self.problems, self.warnings))


class CommandLineError(WorkbookError):
    """Problems with what was typed on the command line (a missing or wrong option): the
    same messages, all at once, but exit code 2."""

    exit_code = 2


@dataclass
class Report:
    """Collects problems while loading so all of them are reported together."""

    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)  # not errors: shown, never fatal

    def add(self, path: str, line: int | None, message: str) -> None:
        _add_once(self.problems, path, line, message)

    def warn(self, path: str, line: int | None, message: str) -> None:
        _add_once(self.warnings, path, line, message)

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self, error: type[WorkbookError] = WorkbookError) -> None:
        if self.problems:
            raise error(sorted(self.problems, key=_order), sorted(self.warnings, key=_order))


def _add_once(problems: list[Problem], path: str, line: int | None, message: str) -> None:
    # one problem, one line of output, whatever the content held
    problem = Problem(path, line, message.replace("\r", "\\r").replace("\n", "\\n"))
    if problem not in problems:
        problems.append(problem)


def _order(problem: Problem) -> tuple:
    return (problem.path, problem.line or 0, problem.message)
