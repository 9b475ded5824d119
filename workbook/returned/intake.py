"""Taking in a PDF a client hands back: every byte of it chosen by whoever made the file.

A returned file is opened only if it is a regular file of at most
:data:`MAX_FILE_BYTES`, and it is parsed in a child process that may use at
most :data:`MAX_MEMORY_BYTES` of memory and :data:`MAX_SECONDS` of time: a
decompression bomb, a field tree that loops, a million fields or a file that
never ends is refused with a message, and the main process never parses a
byte of it. What comes back is plain text, bounded too: the embedded
description (:data:`MAX_DESCRIPTION_CHARS`), at most :data:`MAX_FIELDS` field
values of at most :data:`MAX_VALUE_CHARS` each. What the description says is
then checked by :mod:`workbook.returned.description`.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
import stat
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from workbook.errors import Problem, WorkbookError
from workbook.returned.form import read_form

if TYPE_CHECKING:
    import pikepdf

T = TypeVar("T")

MAX_FILE_BYTES = 50 * 1024 * 1024  # a 6-month tracker is 0.8 MiB, a 528-page workbook 21 MiB
MAX_MEMORY_BYTES = 1024 * 1024 * 1024  # more address space the parsing child may take
MAX_SECONDS = 30
MAX_DESCRIPTION_CHARS = 1024 * 1024

#: How the child ended, when it did not send what it read.
_EXIT_NOT_PDF, _EXIT_PASSWORD, _EXIT_MEMORY, _EXIT_OTHER = 3, 4, 5, 6


@dataclass
class Taken:
    """What a returned PDF holds, as text: its description and its field values."""

    description: str | None  # the /GoalWorkbooks JSON, as written (None: there is none)
    fields: dict[str, str]
    fields_cut: bool  # there were more than MAX_FIELDS; the rest were not read
    damaged: int = 0  # problems the PDF library met reading it (it reads around them)


def fail(shown: str, message: str) -> WorkbookError:
    return WorkbookError([Problem(shown, None, message)])


def take_in(path: Path, shown: str, info_key: str) -> Taken:
    """Read ``path`` within the limits; WorkbookError with a message for the user when
    it cannot be (never an exception from the PDF library, never a hang)."""
    taken = in_child(path, shown, _take, info_key)
    if taken.damaged and not taken.fields:  # e.g. a bomb whose form could not be read
        raise fail(
            shown,
            "is damaged, or made to cause harm: its form cannot be read "
            f"within {MAX_MEMORY_BYTES // 2**20} MiB. Ask for the file "
            "again",
        )
    return taken


def in_child(path: Path, shown: str, job: Callable[..., T], *args: object) -> T:
    """``job(pdf, *args)`` on the returned file opened with pikepdf, in a child process
    within the limits above; what it returns must be plain data (it is pickled back).
    A file that is no PDF, has a password, or breaks a limit is a WorkbookError."""
    data = _read_bounded(path, shown)
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(data, send, job, args), daemon=True)
    child.start()
    send.close()
    try:
        if not receive.poll(MAX_SECONDS + 5):
            raise fail(
                shown,
                f"took longer than {MAX_SECONDS} s to read, which no filled "
                "sheet does; it may be damaged or made to cause harm. Ask for "
                "the file again",
            )
        try:
            result = receive.recv()
        except EOFError:
            result = _NOTHING
    finally:
        receive.close()
        child.join(5)
        if child.is_alive():
            child.kill()
            child.join()
    if result is not _NOTHING and not isinstance(result, _Refused):
        return result
    if isinstance(result, _Refused):
        raise fail(shown, result.message)
    code = child.exitcode
    if code == _EXIT_PASSWORD:
        raise fail(shown, "is protected with a password; save a copy without one and read that")
    if code == _EXIT_NOT_PDF:
        raise fail(shown, "is not a PDF, or it is damaged; ask for the file again")
    if code in (_EXIT_MEMORY, -signal.SIGKILL, -signal.SIGSEGV) or code == -signal.SIGALRM:
        raise fail(
            shown,
            f"needs more than {MAX_MEMORY_BYTES // 2**20} MiB or "
            f"{MAX_SECONDS} s to read, which no filled sheet does; it may be "
            "damaged or made to cause harm. Ask for the file again",
        )
    raise fail(shown, "cannot be read as a filled sheet; it may be damaged. Ask for the file again")


class Refused(Exception):
    """Raised by a child's job for a file it will not handle; its message reaches the user
    after the file's name."""


@dataclass
class _Refused:
    message: str


_NOTHING = object()


def _read_bounded(path: Path, shown: str) -> bytes:
    """The file's bytes: a regular file only (never a FIFO, a device or a folder), and
    no more than MAX_FILE_BYTES."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise fail(shown, "no such file") from None
    except OSError as exc:
        raise fail(shown, f"cannot be read: {exc.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise fail(shown, "is a folder; give the PDF files in it")
    if not stat.S_ISREG(info.st_mode):
        raise fail(shown, "is not a regular file (a device, a pipe or a socket); give a PDF file")
    if info.st_size > MAX_FILE_BYTES:
        raise fail(
            shown,
            f"is larger than {MAX_FILE_BYTES // 2**20} MiB, which no filled "
            "sheet is; ask for the file again",
        )
    try:  # O_NONBLOCK: if it became a pipe since, opening it does not wait for a writer
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise fail(shown, f"cannot be read: {exc.strerror}") from None
    with os.fdopen(handle, "rb") as stream:
        if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
            raise fail(shown, "is not a regular file; give a PDF file")
        data = stream.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise fail(
            shown,
            f"is larger than {MAX_FILE_BYTES // 2**20} MiB, which no filled "
            "sheet is; ask for the file again",
        )
    return data


# --------------------------------------------------------------------------- the child


def _child(data: bytes, send: Connection, job: Callable, args: tuple) -> None:
    """In the child: limits first, then parse, then run the job and send its plain result
    back. The memory limit is on top of what the process already maps (a library caller's
    may be large)."""
    limit = _mapped_bytes() + MAX_MEMORY_BYTES
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.alarm(MAX_SECONDS)
    try:
        import io

        import pikepdf

        try:
            pdf = pikepdf.open(io.BytesIO(data))
        except pikepdf.PasswordError:
            os._exit(_EXIT_PASSWORD)
        except (pikepdf.PdfError, ValueError, OSError):
            os._exit(_EXIT_NOT_PDF)
        with pdf:
            try:
                result = job(pdf, *args)
            except Refused as refused:
                result = _Refused(str(refused))
        send.send(result)
        send.close()
        os._exit(0)
    except MemoryError:
        os._exit(_EXIT_MEMORY)
    except BaseException:  # whatever the file did, the child only reports it
        os._exit(_EXIT_OTHER)


def _take(pdf: pikepdf.Pdf, info_key: str) -> Taken:
    description = None
    if pdf.trailer.get("/Info") is not None:
        raw = pdf.docinfo.get(info_key)
        if raw is not None:
            description = str(raw)[: MAX_DESCRIPTION_CHARS + 1]
    form = read_form(pdf)
    return Taken(description, form.values(), form.too_many, len(pdf.get_warnings()))


def _mapped_bytes() -> int:
    """The address space this process maps now (VmSize), 0 when it cannot be told."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0
