"""LibreOffice in headless mode, turning DOCX bytes into PDF bytes.

One LibreOffice per process is started on first use and kept for the next files: a small
script (``uno_convert.py``) run by a Python that has LibreOffice's ``uno`` module holds
it, with a profile directory of its own, and is sent the DOCX bytes of one file at a
time through a pipe (it answers with the PDF bytes). A conversion that takes longer than
its timeout ends that LibreOffice (the next file starts another); so does the death of
the process that asked (a batch worker stopped at the file's deadline), which the script
watches for.

Without a Python that can ``import uno``, each file is converted by its own
``soffice --convert-to pdf`` (slower, and the table of contents keeps the page
numbers Word would compute, which are none).

``soffice`` is found on ``PATH`` (``soffice``, ``libreoffice``) or named by the
``GALLEY_SOFFICE`` environment variable; ``GALLEY_UNO_PYTHON`` names the Python for
the script.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO

from ...errors import ConfigError, GalleyError

HELPER = Path(__file__).with_name("uno_convert.py")
MISSING = (
    "PDF output needs LibreOffice: no 'soffice' found (install the "
    "libreoffice-writer package, or set GALLEY_SOFFICE to its path)"
)
# the filter options of one-shot conversions (JSON filter options, LibreOffice 7.4+)
CLI_FILTER = {
    "ExportBookmarks": {"type": "boolean", "value": "true"},
    "UseTaggedPDF": {"type": "boolean", "value": "true"},
    "EmbedStandardFonts": {"type": "boolean", "value": "true"},
    "DisplayPDFDocumentTitle": {"type": "boolean", "value": "true"},
}


class ConversionError(GalleyError):
    """LibreOffice could not convert one file (the message is one line)."""


def find_soffice() -> str:
    """The LibreOffice binary: ``GALLEY_SOFFICE``, else ``soffice`` or ``libreoffice``
    on PATH. A ConfigError (one line) when there is none."""
    named = os.environ.get("GALLEY_SOFFICE", "").strip()
    if named:
        found = shutil.which(named)
        if found is None:
            raise ConfigError(
                f"GALLEY_SOFFICE={named!r} is not an executable LibreOffice; "
                "install the libreoffice-writer package or fix the variable"
            )
        return found
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise ConfigError(MISSING)


_uno_pythons: dict[str, str | None] = {}


def find_uno_python(soffice: str) -> str | None:
    """A Python that can ``import uno``: ``GALLEY_UNO_PYTHON``, the one LibreOffice
    ships next to itself, the system's; None when none can."""
    if soffice in _uno_pythons:
        return _uno_pythons[soffice]
    program = Path(os.path.realpath(soffice)).parent
    candidates = [
        os.environ.get("GALLEY_UNO_PYTHON", "").strip(),
        str(program / "python"),
        "/usr/bin/python3",
        sys.executable,
    ]
    found = None
    for candidate in dict.fromkeys(c for c in candidates if c):
        if not (os.path.isfile(candidate) and os.access(candidate, os.X_OK)):
            continue
        try:
            proc = subprocess.run([candidate, "-c", "import uno"], capture_output=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if proc.returncode == 0:
            found = candidate
            break
    _uno_pythons[soffice] = found
    return found


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


class Office:
    """One LibreOffice for this process (see the module's description)."""

    def __init__(self, soffice: str):
        self.soffice = soffice
        self.python = find_uno_python(soffice)
        self.lock = threading.Lock()
        self.helper: subprocess.Popen[bytes] | None = None
        self._pending = b""  # bytes read from the script beyond the last answer
        self._folder: str | None = None  # the script's own folder
        self._workdir: str | None = None  # one-shot conversions only
        atexit.register(self.close)

    @property
    def reused(self) -> bool:
        """Is LibreOffice kept between files (else started for each)?"""
        return self.python is not None

    def convert(self, docx: bytes, timeout: float) -> bytes:
        with self.lock:
            if self.python is not None:
                return self._ask(docx, timeout)
            return self._once(docx, timeout)

    # -- one LibreOffice, kept ---------------------------------------------------------
    def _ask(self, docx: bytes, timeout: float) -> bytes:
        if self.helper is None or self.helper.poll() is not None:
            assert self.python is not None
            self._stop()
            self.helper = subprocess.Popen(
                [self.python, str(HELPER), self.soffice, str(os.getpid())],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            self._folder = None
        helper = self.helper
        assert helper.stdin is not None and helper.stdout is not None
        deadline = time.monotonic() + timeout
        try:
            if self._folder is None:  # the script's first line: its folder
                self._folder = str(json.loads(self._read(helper.stdout, deadline, line=True))["folder"])
            helper.stdin.write(json.dumps({"size": len(docx)}).encode() + b"\n" + docx)
            helper.stdin.flush()
            line = self._read(helper.stdout, deadline, line=True)
            answer = json.loads(line)
            if "error" in answer:
                raise ConversionError(f"LibreOffice: {answer['error']}")
            return self._read(helper.stdout, deadline, size=int(answer["size"]))
        except TimeoutError:
            self._stop()
            raise ConversionError(f"LibreOffice took more than {timeout:g} s (stopped)") from None
        except (OSError, EOFError, ValueError, KeyError):
            self._stop()
            raise ConversionError("LibreOffice ended unexpectedly") from None

    def _read(self, stream: IO[bytes], deadline: float, line: bool = False, size: int = 0) -> bytes:
        """A line, or ``size`` bytes, from the script before ``deadline``."""
        fd = stream.fileno()
        data = self._pending
        while (b"\n" not in data) if line else (len(data) < size):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                raise EOFError
            data += chunk
        cut = data.index(b"\n") + 1 if line else size
        self._pending = data[cut:]
        return data[:cut]

    def _stop(self) -> None:
        self._pending = b""
        if self.helper is not None:
            _kill_group(self.helper)
            for stream in (self.helper.stdin, self.helper.stdout):
                if stream is not None:
                    stream.close()
            self.helper = None
        if self._folder and os.path.basename(self._folder).startswith("galley-office-"):
            shutil.rmtree(self._folder, ignore_errors=True)
        self._folder = None

    # -- one LibreOffice per file --------------------------------------------------------
    def _once(self, docx: bytes, timeout: float) -> bytes:
        if self._workdir is None:
            self._workdir = tempfile.mkdtemp(prefix="galley-office-")
        source = os.path.join(self._workdir, "in.docx")
        target = os.path.join(self._workdir, "in.pdf")
        with open(source, "wb") as fh:
            fh.write(docx)
        profile = Path(self._workdir, "profile").resolve().as_uri()
        proc = subprocess.Popen(
            [
                self.soffice,
                "--headless",
                "--norestore",
                "--nolockcheck",
                f"-env:UserInstallation={profile}",
                "--convert-to",
                "pdf:writer_pdf_Export:" + json.dumps(CLI_FILTER),
                "--outdir",
                self._workdir,
                source,
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            try:
                _, err = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill_group(proc)
                raise ConversionError(f"LibreOffice took more than {timeout:g} s (stopped)") from None
            if proc.returncode != 0:
                lines = err.decode("utf-8", "replace").strip().splitlines()
                raise ConversionError(lines[-1] if lines else f"soffice exited with {proc.returncode}")
            try:
                with open(target, "rb") as fh:
                    return fh.read()
            except FileNotFoundError:
                raise ConversionError("LibreOffice wrote no PDF") from None
        finally:
            for path in (source, target):
                if os.path.exists(path):
                    os.unlink(path)

    def close(self) -> None:
        with self.lock:
            helper = self.helper
            if helper is not None and helper.stdin is not None:
                try:
                    helper.stdin.close()  # the script ends LibreOffice and itself
                    helper.wait(10)
                except (OSError, subprocess.TimeoutExpired):
                    pass
            self._stop()
            if self._workdir is not None:
                shutil.rmtree(self._workdir, ignore_errors=True)
                self._workdir = None


_offices: dict[str, Office] = {}


def office(soffice: str) -> Office:
    """This process's LibreOffice for ``soffice`` (started on first use)."""
    pid_key = f"{os.getpid()}:{soffice}"
    if pid_key not in _offices:
        _offices[pid_key] = Office(soffice)
    return _offices[pid_key]
