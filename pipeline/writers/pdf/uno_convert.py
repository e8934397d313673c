"""Convert DOCX to PDF with one LibreOffice, held for as long as it is asked.

Run as a script by a Python that can ``import uno`` (Debian's ``python3-uno`` is for
the system Python, not for a virtual environment), never imported by galley::

    python3 uno_convert.py SOFFICE CALLER_PID

It makes a folder of its own (the profile directory, LibreOffice's temporary files, the
files being converted; its first line on standard output names it), starts ``SOFFICE
--headless --accept=pipe,...`` with that profile, then reads requests on standard input:
a line ``{"size": N}`` and the N bytes of a DOCX. Each answer is a line on standard
output, ``{"size": M}`` and the M bytes of the PDF, or ``{"error": "one line"}``. Each
document is opened hidden, its indexes (the table of contents) updated so that their
page numbers are filled, and exported with bookmarks from the headings, embedded fonts
and tags. At the end of its input, or when its caller dies (even during a conversion),
it ends LibreOffice, removes its folder and ends.

Standard library and ``uno`` only: it runs under another Python than galley's.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]

START_SECONDS = 60.0

# writer_pdf_Export's FilterData
PDF_OPTIONS: dict[str, Any] = {
    "ExportBookmarks": True,  # the outline, from the headings
    "UseTaggedPDF": True,  # structure tags, /Lang
    "EmbedStandardFonts": True,  # even the 14 standard fonts: every font embedded
    "ExportNotes": False,
    "ExportFormFields": False,
    "SelectPdfVersion": 0,
    "UseLosslessCompression": False,
    "Quality": 90,
    "ReduceImageResolution": False,
    "OpenBookmarkLevels": -1,
    "DisplayPDFDocumentTitle": True,  # viewers show the title, not the file name
}


def prop(name: str, value: Any) -> Any:
    p = PropertyValue()
    p.Name = name
    p.Value = value
    return p


class Office:
    def __init__(self, soffice: str, profile: str):
        self.soffice = soffice
        self.profile = profile
        self.proc: subprocess.Popen[bytes] | None = None
        self.desktop: Any = None

    def start(self) -> None:
        pipe = f"galley{os.getpid()}_{time.monotonic_ns()}"
        profile_url = uno.systemPathToFileUrl(os.path.abspath(self.profile))
        # LibreOffice's temporary files go with the profile's folder
        temp = os.path.join(os.path.dirname(os.path.abspath(self.profile)), "tmp")
        os.makedirs(temp, exist_ok=True)
        self.proc = subprocess.Popen(
            [
                self.soffice,
                "--headless",
                "--invisible",
                "--nologo",
                "--norestore",
                "--nodefault",
                "--nolockcheck",
                f"-env:UserInstallation={profile_url}",
                f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "TMPDIR": temp},
        )
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except NoConnectException:
                if self.proc.poll() is not None:
                    raise RuntimeError(
                        f"LibreOffice exited on start (status {self.proc.returncode})"
                    ) from None
                if time.monotonic() > deadline:
                    raise RuntimeError("LibreOffice did not start in time") from None
                time.sleep(0.1)
        self.desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)

    def convert(self, docx: str, pdf: str) -> None:
        if self.desktop is None or self.proc is None or self.proc.poll() is not None:
            self.stop()
            self.start()
        doc = self.desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(os.path.abspath(docx)),
            "_blank",
            0,
            (prop("Hidden", True), prop("ReadOnly", True), prop("UpdateDocMode", 0)),
        )
        if doc is None:
            raise RuntimeError("LibreOffice could not open the document")
        try:
            indexes = doc.getDocumentIndexes()
            for n in range(indexes.getCount()):
                indexes.getByIndex(n).update()
            data = uno.Any(
                "[]com.sun.star.beans.PropertyValue", tuple(prop(k, v) for k, v in PDF_OPTIONS.items())
            )
            doc.storeToURL(
                uno.systemPathToFileUrl(os.path.abspath(pdf)),
                (prop("FilterName", "writer_pdf_Export"), prop("FilterData", data)),
            )
        finally:
            doc.close(True)

    def stop(self) -> None:
        self.desktop = None
        if self.proc is not None:
            # soffice is a launcher whose child is the office itself: end them all
            for pid in [self.proc.pid, *descendants(self.proc.pid)]:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            self.proc.wait()
        self.proc = None


def descendants(pid: int) -> list[int]:
    """The processes below ``pid`` (Linux: read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def watch_parent(caller: int) -> None:
    """End LibreOffice, the folder and this script when the caller dies, even while a
    conversion holds the main thread."""
    while True:
        if os.getppid() != caller:
            for pid in descendants(os.getpid()):
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            shutil.rmtree(FOLDER, ignore_errors=True)
            os._exit(1)
        time.sleep(0.5)


FOLDER = ""


def answer(header: dict[str, Any], data: bytes = b"") -> None:
    out = sys.stdout.buffer
    out.write(json.dumps(header).encode() + b"\n" + data)
    out.flush()


def main(argv: list[str]) -> int:
    global FOLDER
    if len(argv) != 3 or not argv[2].isdigit():
        print("usage: uno_convert.py SOFFICE CALLER_PID", file=sys.stderr)
        return 2
    FOLDER = tempfile.mkdtemp(prefix="galley-office-")
    threading.Thread(target=watch_parent, args=(int(argv[2]),), daemon=True).start()
    answer({"folder": FOLDER})  # for the caller to remove, should it have to kill this script
    office = Office(argv[1], os.path.join(FOLDER, "profile"))
    source, target = os.path.join(FOLDER, "in.docx"), os.path.join(FOLDER, "in.pdf")
    stdin = sys.stdin.buffer
    try:
        while True:
            line = stdin.readline()
            if not line:
                break
            if not line.strip():
                continue
            size = int(json.loads(line)["size"])
            with open(source, "wb") as fh:
                fh.write(stdin.read(size))
            try:
                office.convert(source, target)
                with open(target, "rb") as fh:
                    pdf = fh.read()
            except Exception as exc:
                office.stop()  # a LibreOffice that failed once is not trusted again
                detail = " ".join(str(exc).split()) or type(exc).__name__
                answer({"error": f"{type(exc).__name__}: {detail}"[:500]})
                continue
            finally:
                for path in (source, target):
                    if os.path.exists(path):
                        os.unlink(path)
            answer({"size": len(pdf)}, pdf)
    finally:
        office.stop()
        shutil.rmtree(FOLDER, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
