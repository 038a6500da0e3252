"""Read a spreadsheet in a child process that cannot take its caller down.

calamine builds a grid of every cell of a sheet from A1 to the last one: a 5 KB file
with cells at A1 and XFD1048576 asks for 512 GiB and the process aborts. So the file
is read (fangyi.sheets.reader.open_local) by `python -m fangyi.sheets.sandbox`, with
its address space and CPU time limited (FANGYI_IMPORT_READER_MEMORY, _SECONDS). The
parent asks for a sheet, then for its rows a frame at a time, asking for the next frame
as soon as one arrives, so the child reads while the parent checks. If the child dies
(an abort, the memory limit, a kill), the parent raises SheetError with a message in
Chinese and nothing has been written: the import's transaction rolls back.

Frames are length-prefixed pickles. The parent unpickles only plain values and the
datetime types (a child whose reading library had been subverted still cannot make
the parent run anything).
"""

from __future__ import annotations

import datetime
import io
import itertools
import logging
import os
import pickle
import re
import resource
import signal
import struct
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import IO, Any

from fangyi.sheets.reader import SheetError, Table, Workbook, _, column_letters

FRAME_ROWS = 1000
# Control characters other than tab, line feed and carriage return: a NUL in a CSV is a
# damaged file, and PostgreSQL cannot store one.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LENGTH = struct.Struct("<I")
_DATETIME = frozenset(("date", "datetime", "time", "timedelta"))
log = logging.getLogger(__name__)


def _write(out: IO[bytes], message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(_LENGTH.pack(len(data)) + data)
    out.flush()


def _read_exactly(stream: IO[bytes], n: int) -> bytes | None:
    data = stream.read(n)
    while data and len(data) < n:
        more = stream.read(n - len(data))
        if not more:
            return None
        data += more
    return data if len(data) == n else None


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if module == "datetime" and name in _DATETIME:
            return getattr(datetime, name)
        raise pickle.UnpicklingError(f"{module}.{name}")


# The parent


class _Child:
    def __init__(self, path: str | os.PathLike) -> None:
        from fangyi.sheets.limits import DEFAULTS, limit

        os.path.getsize(path)  # a missing file is the caller's OSError, as before
        self.limits = {name: limit(name) for name in DEFAULTS}
        root = str(Path(__file__).resolve().parents[2])
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
        }
        self.stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "fangyi.sheets.sandbox",
                str(self.limits["FANGYI_IMPORT_READER_MEMORY"]),
                str(self.limits["FANGYI_IMPORT_READER_SECONDS"]),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            env=env,
        )
        self.pending = 0
        self.send(("open", os.fspath(path), self.limits))

    def send(self, command: tuple) -> None:
        assert self.proc.stdin is not None
        try:
            _write(self.proc.stdin, command)
        except (BrokenPipeError, OSError):
            raise self._died() from None
        self.pending += 1

    def receive(self) -> Any:
        assert self.proc.stdout is not None
        self.pending -= 1
        head = _read_exactly(self.proc.stdout, _LENGTH.size)
        data = _read_exactly(self.proc.stdout, _LENGTH.unpack(head)[0]) if head else None
        if data is None:
            raise self._died()
        status, *rest = _Unpickler(io.BytesIO(data)).load()
        if status == "error":
            raise SheetError(rest[0], rest[1])
        return rest[0]

    def drain(self) -> None:
        while self.pending:
            self.receive()

    def _died(self) -> SheetError:
        code = self.proc.wait()
        self.stderr.seek(0)
        tail = self.stderr.read()[-2000:].decode("utf-8", "replace")
        log.warning("the reading process stopped with %s: %s", code, tail)
        if code == -signal.SIGXCPU:
            return SheetError(
                _("读取文件用时过长，已停止读取，数据库没有任何改动。请检查文件，或拆分后分批导入。")
            )
        return SheetError(
            _(
                "读取文件时出错：文件可能过大或已损坏（读取所用的内存超过了上限），已停止读取，"
                "数据库没有任何改动。请用Excel打开检查后另存为 .xlsx，或拆分后分批导入。"
            )
        )

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout, self.stderr):
            if stream is not None:
                try:
                    stream.close()
                except OSError:
                    pass


@contextmanager
def open_workbook(path: str | os.PathLike) -> Iterator[Workbook]:
    """reader.open_local(path) in a child process: the same Workbook, its tables' rows
    coming from the child."""
    child = _Child(path)
    try:
        fmt, names, count = child.receive()
        yield Workbook(fmt, [partial(_table, child, i) for i in range(count)], names)
    finally:
        child.close()


def _table(child: _Child, index: int) -> Table | None:
    child.drain()  # the rows asked for of a sheet given up on
    child.send(("table", index))
    found = child.receive()
    if found is None:
        return None
    name, total, col0 = found
    state = {"fraction": 0.0}
    table = Table(name=name, rows=iter(()), total_rows=total, first_column=col0)
    table.position = lambda: state["fraction"]
    table.rows = _rows(child, table, state)
    return table


def _rows(child: _Child, table: Table, state: dict[str, float]) -> Iterator[tuple[int, list[Any]]]:
    child.send(("rows",))
    while True:
        batch, formulas, fraction, done = child.receive()
        if not done:
            child.send(("rows",))  # read on while these are checked
        table.formulas.update(formulas)
        state["fraction"] = fraction
        yield from batch
        if done:
            return


# The child


def _serve(commands: IO[bytes], out: IO[bytes]) -> None:
    from fangyi.sheets.reader import open_local

    def receive() -> Any:
        head = _read_exactly(commands, _LENGTH.size)
        data = _read_exactly(commands, _LENGTH.unpack(head)[0]) if head else None
        return None if data is None else pickle.loads(data)  # from the parent

    _verb, path, limits = receive()
    with open_local(path, limits) as book:
        _write(out, ("ok", (book.format, book.sheet_names, len(book.tables))))
        table: Table | None = None
        by_row: dict[int, list[int]] = {}
        while (command := receive()) is not None:
            if command[0] == "table":
                table = book.tables[command[1]]()
                by_row = {}
                if table is not None:
                    for r, c in table.formulas:
                        by_row.setdefault(r, []).append(c)
                found = None if table is None else (table.name, table.total_rows, table.first_column)
                _write(out, ("ok", found))
            else:
                assert table is not None
                batch = list(itertools.islice(table.rows, FRAME_ROWS))
                _refuse_controls(batch, table.first_column)
                formulas = {(n, c) for n, _cells in batch if n in by_row for c in by_row[n]}
                fraction = table.fraction(batch[-1][0]) if batch else 1.0
                _write(out, ("ok", (batch, formulas, fraction, len(batch) < FRAME_ROWS)))


def _refuse_controls(batch: list[tuple[int, list[Any]]], col0: int) -> None:
    text = "\n".join([v for _n, cells in batch for v in cells if v.__class__ is str])
    if not _CONTROL.search(text):
        return
    for n, cells in batch:
        for c, value in enumerate(cells):
            found = _CONTROL.search(value) if value.__class__ is str else None
            if found:
                raise SheetError(
                    _(
                        "第%(row)d行%(col)s列有不可见的控制字符（%(char)s），文件可能已损坏或导出时出错；"
                        "请删除这些字符后再导入。"
                    ),
                    {"row": n, "col": column_letters(col0 + c), "char": f"U+{ord(found.group()):04X}"},
                )


def main(argv: list[str]) -> int:
    memory, seconds = int(argv[1]), int(argv[2])
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))
    # The frames go to the parent on a descriptor of their own; anything else written
    # to standard output (a library's message) goes to standard error.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    try:
        _serve(sys.stdin.buffer, out)
    except SheetError as exc:
        _write(out, ("error", exc.msgid, exc.params))
    except MemoryError:
        _write(out, ("error", _("文件太大，无法读取，请拆分后分批导入。"), {}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
