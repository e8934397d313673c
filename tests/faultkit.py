"""Real faults for the batch tests: a small tmpfs that fills up, a read-only mount,
folders a process cannot read (also when the tests run as root), outputs read
back member by member.

Root reads every folder whatever its mode, so a ``chmod 000`` folder is no fault
for a root process. ``unprivileged`` gives a command prefix that runs the child
without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (``setpriv``): still uid 0, but
held to the permission bits like anyone else. Where neither that nor a non-root
user is available, the test is skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def tmpfs(path: Path, size: str, read_only: bool = False) -> Iterator[Path]:
    """A tmpfs of ``size`` mounted on ``path`` for the duration (root only)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs (a real full or read-only disk) needs root")
    path.mkdir(parents=True, exist_ok=True)
    options = f"size={size},mode=0755" + (",ro" if read_only else "")
    res = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True, text=True
    )
    if res.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {res.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def remount(path: Path, size: str) -> None:
    subprocess.run(["mount", "-o", f"remount,size={size}", str(path)], check=True)


def unprivileged(tmp_path: Path) -> list[str]:
    """A command prefix under which ``chmod 000`` keeps the child out."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: root reads a chmod 000 folder, so it is no fault here")
    prefix = [setpriv, "--bounding-set=-dac_override,-dac_read_search"]
    probe = tmp_path / "probe-000"
    probe.write_text("x")
    probe.chmod(0)
    try:
        res = subprocess.run([*prefix, "cat", str(probe)], capture_output=True)
    finally:
        probe.chmod(0o600)
        probe.unlink()
    if res.returncode == 0:
        pytest.skip("dropping CAP_DAC_OVERRIDE did not keep this root process out")
    return prefix


def output_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` as bytes; an EPUB or DOCX as the concatenation of
    its zip members' uncompressed bytes (so that text inside is searchable)."""
    found = {}
    for p in sorted(folder.rglob("*")):
        if not p.is_file() or p.is_symlink():
            continue
        data = p.read_bytes()
        if p.suffix in (".epub", ".docx"):
            with zipfile.ZipFile(p) as z:
                data = b"\n".join(z.read(name) for name in z.namelist())
        found[p.relative_to(folder).as_posix()] = data
    return found


def temp_files(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*") if p.name.endswith(".galley-part")]
