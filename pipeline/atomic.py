"""Write a file so that readers never see half of it: a temporary name, then a rename."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

#: what a left-over temporary file of a killed run ends with (cleaned up by the next run)
TEMP_SUFFIX = ".galley-part"
_UMASK: int | None = None


def _umask() -> int:
    global _UMASK
    if _UMASK is None:
        _UMASK = os.umask(0)
        os.umask(_UMASK)
    return _UMASK


def write_atomic(path: Path, data: bytes) -> None:
    """Temporary file in the same folder, fsync, rename; mode 0666 less the umask."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666 & ~_umask())
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
