"""LibreOffice in headless mode, turning DOCX bytes into PDF bytes.

One LibreOffice per process is started on first use and kept for the next files: a
small script (``uno_convert.py``) run by a Python that has LibreOffice's ``uno``
module holds it, each with its own profile directory, and is sent one file at a
time. A conversion that takes longer than its timeout ends that LibreOffice (the
next file starts another); so does the death of the process that asked (a batch
worker stopped at the file's deadline), which the script watches for.

Without a Python that can ``import uno``, each file is converted by its own
``soffice --convert-to pdf`` (slower, and the table of contents keeps the page
numbers Word would compute, which are none).

``soffice`` is found on ``PATH`` (``soffice``, ``libreoffice``) or named by the
``GALLEY_SOFFICE`` environment variable; ``GALLEY_UNO_PYTHON`` names the Python for
the script.
"""
from __future__ import annotations

import atexit
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
MISSING = ("PDF output needs LibreOffice: no 'soffice' found (install the "
           "libreoffice-writer package, or set GALLEY_SOFFICE to its path)")
# the filter options of one-shot conversions (JSON filter options, LibreOffice 7.4+)
CLI_FILTER = {"ExportBookmarks": {"type": "boolean", "value": "true"},
              "UseTaggedPDF": {"type": "boolean", "value": "true"},
              "EmbedStandardFonts": {"type": "boolean", "value": "true"},
              "DisplayPDFDocumentTitle": {"type": "boolean", "value": "true"}}


class ConversionError(GalleyError):
    """LibreOffice could not convert one file (the message is one line)."""


def find_soffice() -> str:
    """The LibreOffice binary: ``GALLEY_SOFFICE``, else ``soffice`` or ``libreoffice``
    on PATH. A ConfigError (one line) when there is none."""
    named = os.environ.get("GALLEY_SOFFICE", "").strip()
    if named:
        found = shutil.which(named)
        if found is None:
            raise ConfigError(f"GALLEY_SOFFICE={named!r} is not an executable LibreOffice; "
                              "install the libreoffice-writer package or fix the variable")
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
    candidates = [os.environ.get("GALLEY_UNO_PYTHON", "").strip(), str(program / "python"),
                  "/usr/bin/python3", sys.executable]
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
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    proc.wait()


class Office:
    """One LibreOffice for this process (see the module's description)."""

    def __init__(self, soffice: str):
        self.soffice = soffice
        self.python = find_uno_python(soffice)
        self.lock = threading.Lock()
        self.helper: subprocess.Popen[bytes] | None = None
        self.workdir = tempfile.mkdtemp(prefix="galley-office-")
        self.count = 0
        atexit.register(self.close)

    @property
    def reused(self) -> bool:
        """Is LibreOffice kept between files (else started for each)?"""
        return self.python is not None

    def convert(self, docx: bytes, timeout: float) -> bytes:
        with self.lock:
            self.count += 1
            source = os.path.join(self.workdir, f"in{self.count}.docx")
            target = os.path.join(self.workdir, f"in{self.count}.pdf")
            try:
                with open(source, "wb") as fh:
                    fh.write(docx)
                if self.python is not None:
                    self._ask(source, target, timeout)
                else:
                    self._once(source, timeout)
                try:
                    with open(target, "rb") as fh:
                        return fh.read()
                except FileNotFoundError:
                    raise ConversionError("LibreOffice wrote no PDF") from None
            finally:
                for path in (source, target):
                    try:
                        os.unlink(path)
                    except FileNotFoundError:
                        pass

    # -- one LibreOffice, kept ---------------------------------------------------------
    def _start(self) -> subprocess.Popen[bytes]:
        assert self.python is not None
        profile = tempfile.mkdtemp(prefix="profile-", dir=self.workdir)
        return subprocess.Popen([self.python, str(HELPER), self.soffice, profile],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, start_new_session=True)

    def _ask(self, source: str, target: str, timeout: float) -> None:
        if self.helper is None or self.helper.poll() is not None:
            self.helper = self._start()
        helper = self.helper
        assert helper.stdin is not None and helper.stdout is not None
        try:
            helper.stdin.write((json.dumps({"docx": source, "pdf": target}) + "\n").encode())
            helper.stdin.flush()
        except OSError:
            self._stop()
            raise ConversionError("LibreOffice ended unexpectedly") from None
        line = _read_line(helper.stdout, timeout)
        if line is None:
            self._stop()
            raise ConversionError(f"LibreOffice took more than {timeout:g} s (stopped)")
        if not line:
            self._stop()
            raise ConversionError("LibreOffice ended unexpectedly")
        answer = json.loads(line)
        if "error" in answer:
            raise ConversionError(f"LibreOffice: {answer['error']}")

    def _stop(self) -> None:
        if self.helper is not None:
            _kill_group(self.helper)
            for stream in (self.helper.stdin, self.helper.stdout):
                if stream is not None:
                    stream.close()
            self.helper = None

    # -- one LibreOffice per file --------------------------------------------------------
    def _once(self, source: str, timeout: float) -> None:
        profile = Path(self.workdir, "profile").resolve().as_uri()
        proc = subprocess.Popen(
            [self.soffice, "--headless", "--norestore", "--nolockcheck",
             f"-env:UserInstallation={profile}",
             "--convert-to", "pdf:writer_pdf_Export:" + json.dumps(CLI_FILTER),
             "--outdir", self.workdir, source],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            start_new_session=True)
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise ConversionError(f"LibreOffice took more than {timeout:g} s (stopped)") from None
        if proc.returncode != 0:
            lines = err.decode("utf-8", "replace").strip().splitlines()
            raise ConversionError(lines[-1] if lines else f"soffice exited with {proc.returncode}")

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
            shutil.rmtree(self.workdir, ignore_errors=True)


def _read_line(stream: IO[bytes], timeout: float) -> bytes | None:
    """One line from ``stream`` within ``timeout`` seconds; None when none came."""
    deadline = time.monotonic() + timeout
    fd = stream.fileno()
    data = b""
    while not data.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return None
        chunk = os.read(fd, 65536)
        if not chunk:
            return data
        data += chunk
    return data


_offices: dict[str, Office] = {}


def office(soffice: str) -> Office:
    """This process's LibreOffice for ``soffice`` (started on first use)."""
    pid_key = f"{os.getpid()}:{soffice}"
    if pid_key not in _offices:
        _offices[pid_key] = Office(soffice)
    return _offices[pid_key]
