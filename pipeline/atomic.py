"""Write files so that readers never see half of one: temporary names, then renames.

The temporary name is short (``.<12 hex>.galley-part``) whatever the target's name,
so that any name the file system can hold can be written: a name built from the
target (``.NAME.xxxxxxxx.galley-part``) would fail "File name too long" for names
within 22 bytes of the limit. An ``OSError`` always names the file being written
(``exc.filename``), also when ``write()`` itself fails (a full disk).
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

#: what a left-over temporary file of a killed run ends with (cleaned up by the next run)
TEMP_SUFFIX = ".galley-part"
#: temporary names this galley writes, and those older versions wrote (``.NAME.8hex``)
TEMP_NAME = re.compile(r"^\.(?:[0-9a-f]{12}|.+\.[0-9a-f]{8})" + re.escape(TEMP_SUFFIX) + r"\Z", re.S)
_UMASK: int | None = None


def _umask() -> int:
    global _UMASK
    if _UMASK is None:
        _UMASK = os.umask(0)
        os.umask(_UMASK)
    return _UMASK


def temp_name() -> str:
    return f".{os.urandom(6).hex()}{TEMP_SUFFIX}"


def _named(exc: OSError, path: Path) -> OSError:
    """The same error, naming ``path`` when it names nothing (``write`` errors)."""
    if exc.filename is None:
        return type(exc)(exc.errno, exc.strerror or str(exc), str(path))
    return exc


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _write_temp(path: Path, data: bytes) -> Path:
    """``data`` in a new temporary file next to ``path``, fsynced; its path."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _named(exc, path.parent) from None
    tmp = path.parent / temp_name()
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 & ~_umask())
    except OSError as exc:
        raise _named(exc, path) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException as exc:
        _unlink(tmp)
        if isinstance(exc, OSError):
            raise _named(exc, path) from None
        raise
    return tmp


def write_atomic(path: Path, data: bytes) -> None:
    """Temporary file in the same folder, fsync, rename; mode 0666 less the umask."""
    write_all({Path(path): data})


def write_all(files: dict[Path, bytes]) -> None:
    """Write several files so that they change together: every temporary file is
    written and fsynced first, and only then are they renamed over their targets.
    A failure on the way (a full disk) leaves every target as it was."""
    done: list[tuple[Path, Path]] = []
    try:
        for path, data in files.items():
            done.append((_write_temp(Path(path), data), Path(path)))
        while done:
            tmp, path = done[0]
            try:
                os.replace(tmp, path)
            except OSError as exc:  # named after the target, not the temporary file
                raise type(exc)(exc.errno, exc.strerror or str(exc), str(path)) from None
            done.pop(0)
    finally:
        for tmp, _path in done:
            _unlink(tmp)
