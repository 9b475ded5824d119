"""The objects of the PDFs a workbook is joined from, renumbered into one new file.

:class:`Output` holds the joined file's objects as bytes, by their new number,
and writes the file (object streams, xref stream). A part written by QPDF (all
of ours are) is read by :class:`RawSource` straight from its bytes: each
object's text is taken as it is and only its references are renumbered, so
the join never holds a part's objects as Python objects. Any other PDF is
read object by object through pikepdf (:class:`InputPdf`).
"""

from __future__ import annotations

import hashlib
import io
import itertools
import re
import struct
import zlib
from typing import Any

import pikepdf
from pikepdf import Dictionary

# a literal string (QPDF escapes every parenthesis in one) or an indirect reference
_TOKENS = re.compile(rb"\((?:[^\\)]|\\.)*\)|(\d+) \d+ R", re.S)


class Output:
    """Objects by number, kept as bytes until the file is written."""

    def __init__(self) -> None:
        self.count = 0
        self.objects: dict[int, bytes] = {}  # not streams: go into object streams
        self.streams: dict[int, tuple[bytes, bytes]] = {}  # dictionary, raw data

    def new(self) -> int:
        self.count += 1
        return self.count

    def put(self, number: int, body: bytes) -> None:
        self.objects[number] = body

    def write(self, root: int, info: int | None) -> bytes:
        out = io.BytesIO()
        out.write(b"%PDF-1.7\n%\xbf\xf7\xa2\xfe\n")
        where: dict[int, tuple[int, int, int]] = {}  # number → xref entry
        for number in sorted(self.streams):
            head, raw = self.streams[number]
            where[number] = (1, out.tell(), 0)
            out.write(b"%d 0 obj\n%s\nstream\n" % (number, head))
            out.write(raw)
            out.write(b"\nendstream\nendobj\n")
        numbers = sorted(self.objects)
        for start in range(0, len(numbers), 200):
            batch = numbers[start : start + 200]
            holder = self.new()
            bodies = [self.objects[number] for number in batch]
            offsets = list(itertools.accumulate((len(body) + 1 for body in bodies), initial=0))
            header = (
                b" ".join(b"%d %d" % pair for pair in zip(batch, offsets, strict=False)) + b"\n"
            )
            where.update((number, (2, holder, index)) for index, number in enumerate(batch))
            data = zlib.compress(header + b"\n".join(bodies) + b"\n", 6)
            where[holder] = (1, out.tell(), 0)
            out.write(
                b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode "
                b"/Length %d >>\nstream\n" % (holder, len(batch), len(header), len(data))
            )
            out.write(data)
            out.write(b"\nendstream\nendobj\n")
        missing = [n for n in range(1, self.count + 1) if n not in where]
        if missing:  # a reference to an object no part holds: a bug, not a user's mistake
            raise RuntimeError(f"joined PDF: {len(missing)} references lead nowhere")
        xref = self.new()
        where[xref] = (1, out.tell(), 0)
        identity = hashlib.md5(out.getbuffer()).hexdigest().encode()
        row = struct.Struct(">BIH").pack
        free = (0, 0, 0)
        rows = [row(0, 0, 65535), *(row(*where.get(number, free)) for number in range(1, xref + 1))]
        table = zlib.compress(b"".join(rows), 6)
        info_entry = b" /Info %d 0 R" % info if info else b""
        out.write(
            b"%d 0 obj\n<< /Type /XRef /Size %d /W [ 1 4 2 ] /Root %d 0 R%s "
            b"/ID [ <%s> <%s> ] /Filter /FlateDecode /Length %d >>\nstream\n"
            % (xref, xref + 1, root, info_entry, identity, identity, len(table))
        )
        out.write(table)
        out.write(b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % where[xref][1])
        return out.getvalue()


class InputPdf:
    """One input PDF: its objects get new numbers as they are reached, and are written."""

    def __init__(self, output: Output, pdf: pikepdf.Pdf) -> None:
        self.output, self.pdf = output, pdf
        self.numbers: dict[int, int] = {}  # number in this PDF → number in the output
        self.todo: list[int] = []  # (only what is reached is written)
        self.shift = 0  # StructParent keys: shifted in the objects themselves (see _Join)

    def ref(self, number: int) -> int:
        target = self.numbers.get(number)
        if target is None:
            target = self.numbers[number] = self.output.new()
            self.todo.append(number)
        return target

    def alias(self, obj: pikepdf.Object, target: int) -> None:
        """References to ``obj`` become references to ``target``; ``obj`` is not written."""
        self.numbers[obj.objgen[0]] = target

    def stand_in(self, target: int) -> pikepdf.Object:
        """An object of this PDF that stands for output object ``target``."""
        obj = self.pdf.make_indirect(Dictionary())
        self.alias(obj, target)
        return obj

    def text(self, obj: object) -> bytes:
        """``obj`` as written inside another object of the output."""
        if not isinstance(obj, pikepdf.Object):  # pikepdf gives numbers and booleans as such
            return scalar_bytes(obj)
        if obj.is_indirect:
            return b"%d 0 R" % self.ref(obj.objgen[0])
        return self._renumber(obj.unparse(resolved=True))

    def contents_text(self, obj: Any) -> bytes:
        """What an array holds, as written inside another object of the output."""
        return b" ".join(self.text(item) for item in obj)

    def _renumber(self, data: bytes) -> bytes:
        return _TOKENS.sub(self._replace, data)

    def _replace(self, match: re.Match) -> bytes:
        if match[1] is None:
            return match[0]
        return b"%d 0 R" % self.ref(int(match[1]))

    def drain(self) -> None:
        """Write every object reached so far, and what those reach."""
        output = self.output
        while self.todo:
            number = self.todo.pop()
            obj = self.pdf.get_object(number, 0)
            target = self.numbers[number]
            if isinstance(obj, pikepdf.Stream):
                raw = obj.read_raw_bytes()
                head = Dictionary(
                    {key: value for key, value in obj.stream_dict.items() if key != "/Length"}
                )
                head.Length = len(raw)
                output.streams[target] = (self._renumber(head.unparse(resolved=True)), raw)
            else:
                output.put(target, self._renumber(obj.unparse(resolved=True)))


class RawUnreadable(Exception):
    """A part not laid out the way :class:`RawSource` reads (it is joined with pikepdf)."""


_OBJ_HEAD = re.compile(rb"(\d+) 0 obj\s*")
_STRINGS = re.compile(rb"\((?:[^\\)]|\\.)*\)", re.S)
_STRUCT_PARENT = re.compile(rb"/StructParents? (\d+)")


def _key(head: bytes, key: bytes) -> bytes | None:
    """The value of a plain (number, name or array) entry in a dictionary's text."""
    found = re.search(rb"/" + key + rb"(?![\w#.-])\s*(\[[^\]]*\]|/?[\w.]+)", head)
    return found[1] if found else None


class RawSource:
    """A part as QPDF writes it (object streams, plain objects), read from its bytes:
    no PDF object is built for the hundreds of thousands of objects of a long workbook;
    their text is renumbered as it is."""

    def __init__(self, output: Output, data: bytes) -> None:
        self.output, self.data = output, data
        self.table = Numbers(output)
        self.skip: set[int] = set()  # not written unless something still refers to them
        self.aliased: set[int] = set()  # stand for an object of the output: never written
        self.skipped: dict[int, bytes] = {}  # skipped objects from object streams
        self.shift = 0  # added to /StructParent(s): keys already used by earlier parts
        self.plain: dict[int, tuple[int, int]] = {}  # number → where its text is
        self.streams: dict[int, tuple[int, int, int]] = {}  # number → dictionary, data
        self.holders: list[tuple[int, int, int]] = []  # object streams
        self._scan()

    # the same interface as InputPdf

    @property
    def numbers(self) -> dict:
        return self.table.numbers

    def ref(self, number: int) -> int:
        self.table[b"%d" % number]
        return self.table.numbers[number]

    def alias(self, obj: pikepdf.Object, target: int) -> None:
        self.table.alias(obj.objgen[0], target)
        self.aliased.add(obj.objgen[0])

    def text(self, obj: object) -> bytes:
        if not isinstance(obj, pikepdf.Object):
            return scalar_bytes(obj)
        if obj.is_indirect:
            return self.table[b"%d" % obj.objgen[0]]
        return self._renumber(obj.unparse(resolved=True))

    def contents_text(self, obj: Any) -> bytes:
        """What an array holds, renumbered (one call: long arrays of references)."""
        return self._renumber(obj.unparse(resolved=True)).strip()[1:-1].strip()

    def drain(self) -> None:
        skip = self.skip | self.aliased
        for number in self.plain:
            if number not in skip:
                self._write(number)
        for number in self.streams:
            if number not in skip:
                self._write(number)
        for holder in self.holders:
            self._object_stream(*holder, skip)
        # a skipped object something still refers to (a font dictionary the form and the
        # pages share, say) is written after all
        written: set[int] = set()
        while True:
            wanted = [n for n in self.skip - self.aliased - written if n in self.table.numbers]
            if not wanted:
                return
            for number in wanted:
                written.add(number)
                self._write(number)

    def _write(self, number: int) -> None:
        data = self.data
        if number in self.plain:
            begin, end = self.plain[number]
            self.output.put(self.ref(number), self._renumber(data[begin:end].strip()))
        elif number in self.streams:
            begin, end, length = self.streams[number]
            self.output.streams[self.ref(number)] = (
                self._renumber(data[begin:end]),
                data[end + 8 : end + 8 + length],
            )
        elif number in self.skipped:
            self.output.put(self.ref(number), self._renumber(self.skipped[number]))

    # reading

    def _scan(self) -> None:
        """Every object of the file, in order; QPDF writes each object once."""
        data = self.data
        if not data.startswith(b"%PDF-"):
            raise RawUnreadable("not a PDF")
        position = data.find(b"\n", data.find(b"\n") + 1) + 1
        while True:
            head = _OBJ_HEAD.match(data, position)
            if head is None:
                if data.startswith(b"xref", position) or data.startswith(b"startxref", position):
                    return
                raise RawUnreadable("unexpected text between objects")
            number, begin = int(head[1]), head.end()
            close = data.find(b"endobj", begin)
            marker = data.find(b">>\nstream\n", begin, close)
            if close < 0:
                raise RawUnreadable("unterminated object")
            if marker < 0:
                self.plain[number] = (begin, close)
                position = close + 6
            else:
                end = marker + 2  # the dictionary ends here; its data starts after "stream\n"
                dictionary = data[begin:end]
                length = _key(dictionary, b"Length")
                if length is None or not length.isdigit():
                    raise RawUnreadable("indirect stream length")
                after = end + 8 + int(length)
                if not data.startswith(b"\nendstream", after):
                    raise RawUnreadable("stream length does not match")
                kind = _key(dictionary, b"Type")
                if kind == b"/ObjStm":
                    first = _key(dictionary, b"First")
                    if first is None:
                        raise RawUnreadable("object stream without /First")
                    self.holders.append((end + 8, int(length), int(first)))
                elif kind != b"/XRef":
                    self.streams[number] = (begin, end, int(length))
                position = data.find(b"endobj", after) + 6
            while position < len(data) and data[position] in b" \r\n\t":
                position += 1

    # writing

    def _object_stream(self, start: int, length: int, first: int, skip: set[int]) -> None:
        text = zlib.decompress(self.data[start : start + length])
        pairs = [int(v) for v in text[:first].split()]
        bodies, numbers = [], []
        for i in range(0, len(pairs), 2):
            number = pairs[i]
            begin = first + pairs[i + 1]
            end = first + pairs[i + 3] if i + 3 < len(pairs) else len(text)
            if number in skip:
                if number not in self.aliased:
                    self.skipped[number] = text[begin:end].strip()
                continue
            bodies.append(text[begin:end].strip())
            numbers.append(number)
        if not bodies:
            return
        renumbered = self._renumber(b"\x00 ".join(bodies)).split(b"\x00")
        put = self.output.put
        for number, body in zip(numbers, renumbered, strict=False):
            put(self.ref(number), body.strip())

    def _renumber(self, text: bytes) -> bytes:
        """Every reference 'N 0 R' of this part, renumbered for the output."""
        if self.shift:
            text = _STRUCT_PARENT.sub(
                lambda m: m[0][: m.start(1) - m.start(0)] + b"%d" % (int(m[1]) + self.shift), text
            )
        pieces = text.split(b" 0 R")
        if len(pieces) == 1:
            return text
        last = pieces.pop()
        heads, _, numbers = zip(*map(bytes.rpartition, pieces, itertools.repeat(b" ")), strict=True)
        if not all(map(bytes.isdigit, numbers)) or (
            b"(" in text and b" 0 R" in b"\x00".join(_STRINGS.findall(text))
        ):
            # not every " 0 R" ends a reference: the careful way
            return _TOKENS.sub(lambda m: m[0] if m[1] is None else self.table[m[1]], text)
        out = [b""] * (2 * len(heads) + 1)
        out[0:-1:2] = heads
        out[1::2] = map(self.table.__getitem__, numbers)
        out[-1] = last
        return b" ".join(out)


class Numbers(dict):
    """Object number in a part (as text) → a reference to its number in the output."""

    def __init__(self, output: Output) -> None:
        super().__init__()
        self.output = output
        self.numbers: dict[int, int] = {}

    def __missing__(self, number: bytes) -> bytes:
        target = self.output.new()
        self.numbers[int(number)] = target
        value = self[number] = b"%d 0 R" % target
        return value

    def alias(self, number: int, target: int) -> None:
        self.numbers[number] = target
        self[b"%d" % number] = b"%d 0 R" % target


# --------------------------------------------------------------------------- PDF syntax


def dictionary_bytes(entries: dict[str, bytes]) -> bytes:
    return b"<< %s >>" % b" ".join(
        key.encode() + b" " + value for key, value in sorted(entries.items())
    )


def scalar_bytes(value: object) -> bytes:
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, int):
        return b"%d" % value
    return number_bytes(float(value))  # type: ignore[arg-type]  # a Decimal or a float


def number_bytes(value: float) -> bytes:
    return (f"{value:.4f}".rstrip("0").rstrip(".") or "0").encode()
