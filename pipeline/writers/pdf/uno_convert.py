"""Convert DOCX files to PDF with one LibreOffice, held for as long as it is asked.

Run as a script by a Python that can ``import uno`` (Debian's ``python3-uno`` is for
the system Python, not for a virtual environment), never imported by galley::

    python3 uno_convert.py SOFFICE PROFILE_DIR

It starts ``SOFFICE --headless --accept=pipe,...`` with its own profile directory,
then reads one request a line on standard input, a JSON object
``{"docx": path, "pdf": path}``, and answers one line on standard output:
``{"ok": true}`` or ``{"error": "one line"}``. Each document is opened hidden, its
indexes (the table of contents) updated so that their page numbers are filled,
and exported with bookmarks from the headings, embedded fonts and tags. At the end
of its input (the caller has finished, or died) it ends LibreOffice and itself.

Standard library and ``uno`` only: it runs under another Python than galley's.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from typing import Any

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]

START_SECONDS = 60.0

# writer_pdf_Export's FilterData
PDF_OPTIONS: dict[str, Any] = {
    "ExportBookmarks": True,        # the outline, from the headings
    "UseTaggedPDF": True,           # structure tags, /Lang
    "EmbedStandardFonts": True,     # even the 14 standard fonts: every font embedded
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
        self.proc = subprocess.Popen(
            [self.soffice, "--headless", "--invisible", "--nologo", "--norestore",
             "--nodefault", "--nolockcheck", f"-env:UserInstallation={profile_url}",
             f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except NoConnectException:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"LibreOffice exited on start (status {self.proc.returncode})")
                if time.monotonic() > deadline:
                    raise RuntimeError("LibreOffice did not start in time")
                time.sleep(0.1)
        self.desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)

    def convert(self, docx: str, pdf: str) -> None:
        if self.desktop is None or self.proc is None or self.proc.poll() is not None:
            self.stop()
            self.start()
        doc = self.desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(os.path.abspath(docx)), "_blank", 0,
            (prop("Hidden", True), prop("ReadOnly", True), prop("UpdateDocMode", 0)))
        if doc is None:
            raise RuntimeError("LibreOffice could not open the document")
        try:
            indexes = doc.getDocumentIndexes()
            for n in range(indexes.getCount()):
                indexes.getByIndex(n).update()
            data = uno.Any("[]com.sun.star.beans.PropertyValue",
                           tuple(prop(k, v) for k, v in PDF_OPTIONS.items()))
            doc.storeToURL(uno.systemPathToFileUrl(os.path.abspath(pdf)),
                           (prop("FilterName", "writer_pdf_Export"), prop("FilterData", data)))
        finally:
            doc.close(True)

    def stop(self) -> None:
        self.desktop = None
        if self.proc is not None:
            # soffice is a launcher whose child is the office itself: end them all
            for pid in [self.proc.pid, *descendants(self.proc.pid)]:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
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
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def watch_parent() -> None:
    """End LibreOffice and this script when the caller dies, even while a conversion
    holds the main thread."""
    parent = os.getppid()
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            for pid in descendants(os.getpid()):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            remove_profile(PROFILE)
            os._exit(1)


PROFILE = ""


def remove_profile(profile: str) -> None:
    """The profile directory, and the folder holding it if nothing else is left there."""
    if profile:
        shutil.rmtree(profile, ignore_errors=True)
        try:
            os.rmdir(os.path.dirname(os.path.abspath(profile)))
        except OSError:
            pass


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: uno_convert.py SOFFICE PROFILE_DIR", file=sys.stderr)
        return 2
    global PROFILE
    PROFILE = argv[2]
    threading.Thread(target=watch_parent, daemon=True).start()
    office = Office(argv[1], argv[2])
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            try:
                job = json.loads(line)
                office.convert(job["docx"], job["pdf"])
                answer: dict[str, Any] = {"ok": True}
            except Exception as exc:  # noqa: BLE001 - one line back to the caller
                office.stop()  # a LibreOffice that failed once is not trusted again
                detail = " ".join(str(exc).split()) or type(exc).__name__
                answer = {"error": f"{type(exc).__name__}: {detail}"[:500]}
            sys.stdout.write(json.dumps(answer) + "\n")
            sys.stdout.flush()
    finally:
        office.stop()
        remove_profile(PROFILE)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
