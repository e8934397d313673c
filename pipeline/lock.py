"""One ``galley convert`` at a time per output folder (and per manifest).

A second run on the same OUT would take the first one's files in flight for
debris (and remove them), and both would write the same outputs. The output
folder itself is locked (``flock`` on its own descriptor), so that a
``--manifest`` elsewhere does not get around it; a manifest outside OUT is locked
too (``MANIFEST.lock``), for two outputs sharing one manifest. The locks go with
the process, even on kill -9. On a file system that locks no folders (NFS), a
lock file ``OUT/.galley.lock`` stands in.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
from pathlib import Path

from .errors import ConfigError


class _Lock:
    def __init__(self, fd: int):
        self.fd: int | None = fd

    def close(self) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.fd)
            self.fd = None


def lock_output(out_local: Path | None, manifest_path: Path) -> list[_Lock]:
    """Lock the output folder (created if need be) and a manifest outside it; the
    locks, to close when the run ends. A ConfigError when another run holds one."""
    if importlib.util.find_spec("fcntl") is None:  # pragma: no cover - Windows: no lock
        return []
    locks: list[_Lock] = []
    try:
        if out_local is not None:
            try:
                out_local.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(
                    f"cannot create the output folder {out_local}: {exc.strerror or exc}"
                ) from None
            locks.append(_flock(out_local, f"another galley convert is writing to {out_local}"))
        if out_local is None or manifest_path.parent.resolve() != out_local.resolve():
            try:
                manifest_path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(
                    f"cannot open the manifest {manifest_path}: {exc.strerror or exc}"
                ) from None
            locks.append(
                _flock(
                    Path(f"{manifest_path}.lock"), f"another galley convert uses the manifest {manifest_path}"
                )
            )
    except BaseException:
        for lock in locks:
            lock.close()
        raise
    return locks


def _flock(path: Path, busy: str) -> _Lock:
    """An exclusive lock on a folder (its own descriptor) or a lock file."""
    import fcntl

    folder = path.is_dir()
    try:
        fd = (
            os.open(path, os.O_RDONLY | os.O_DIRECTORY)
            if folder
            else os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        )
    except OSError as exc:
        raise ConfigError(f"cannot lock {path}: {exc.strerror or exc}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise ConfigError(f"{busy}; wait for it to end") from None
    except OSError:
        os.close(fd)
        if folder:  # a file system that locks no folders (NFS): a lock file in it
            return _flock(path / ".galley.lock", busy)
        raise
    return _Lock(fd)
