"""What a batch shows while it runs and when it ends.

On a terminal (stderr is a TTY): a rich progress bar (done/total, skipped, failed,
ETA) and a summary table. Elsewhere (logs, CI, pipes): one plain line per file
done and a plain summary. ``--quiet``: nothing but the failures. rich is imported
only for a terminal.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, TextIO

from .names import shown

if TYPE_CHECKING:
    from rich.progress import Progress as Bar
    from rich.progress import TaskID


class Progress:
    """Plain lines: one per converted or failed file."""

    def __init__(self, stream: TextIO | None = None, quiet: bool = False):
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.total = self.done = self.failed = self.skipped = 0

    def start(self, files: int, skipped: int, todo: int, workers: str) -> None:
        self.total, self.skipped = todo, skipped
        if self.quiet:
            return
        if todo == 0:
            self.line(f"galley: {files} files, all up to date: nothing to do")
        else:
            self.line(f"galley: {files} files: {skipped} up to date (skipped), {todo} to convert ({workers})")

    def note(self, message: str) -> None:
        if not self.quiet:
            self.line(f"galley: {message}")

    def warn(self, message: str) -> None:
        """A note that ``--quiet`` does not hide (the manifest moved aside, a full disk)."""
        self.line(f"galley: {message}")

    def block(self, title: str, lines: list[str]) -> None:
        """A note with one indented line per item."""
        if not self.quiet:
            self.line(f"galley: {title}")
            for ln in lines:
                self.line(f"  {ln}")

    def advance(self, result: dict[str, Any], label: str) -> None:
        self.done += 1
        if result["status"] == "failed":
            self.failed += 1
        if self.quiet:
            return
        width = len(str(self.total))
        head = f"[{self.done:>{width}}/{self.total}]"
        if result["status"] == "failed":
            self.line(f"{head} failed    {label}: {result.get('error')}")
        else:
            self.line(f"{head} converted {label} ({result.get('seconds', 0):.2f} s)")

    def line(self, text: str) -> None:
        print(shown(text), file=self.stream, flush=True)

    def stop(self) -> None:
        pass

    def summary(
        self, rows: list[tuple[str, str]], removed: list[tuple[str, int]], failures: list[str]
    ) -> None:
        if not self.quiet:
            width = max(len(k) for k, _ in rows)
            self.line("")
            for key, value in rows:
                self.line(f"  {key:<{width}}  {value:>8}")
            if removed:
                self.line("  debris removed (stage/kind):")
                for kind, n in removed:
                    self.line(f"    {kind:<40} {n:>6}")
        self._failures(failures)

    def _failures(self, failures: list[str]) -> None:
        if failures:
            self.line(f"galley: {len(failures)} failed:")
            for f in failures:
                self.line(f"  {f}")


class RichProgress(Progress):
    """A live progress bar on the terminal (rich, imported only here)."""

    def __init__(self, stream: TextIO | None = None, quiet: bool = False):
        super().__init__(stream, quiet)
        from rich.console import Console

        self.console = Console(file=self.stream, stderr=self.stream is sys.stderr)
        self.bar: Bar | None = None
        self.task: TaskID | None = None

    def start(self, files: int, skipped: int, todo: int, workers: str) -> None:
        self.total, self.skipped = todo, skipped
        if todo == 0:
            self.console.print(f"galley: {files} files, all up to date: nothing to do")
            return
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as Bar

        self.console.print(
            f"galley: {files} files: {skipped} up to date (skipped), {todo} to convert ({workers})"
        )
        self.bar = Bar(
            SpinnerColumn(),
            TextColumn("converting"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("done"),
            TextColumn("[dim]{task.fields[skipped]} skipped[/]"),
            TextColumn("{task.fields[failed_text]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=self.console,
            transient=False,
        )
        self.task = self.bar.add_task("convert", total=todo, skipped=skipped, failed_text="0 failed")
        self.bar.start()

    def note(self, message: str) -> None:
        self.console.print(f"galley: {shown(message)}", markup=False, highlight=False)

    warn = note

    def block(self, title: str, lines: list[str]) -> None:
        self.note(title)
        for ln in lines:
            self.console.print(f"  {shown(ln)}", markup=False, highlight=False)

    def advance(self, result: dict[str, Any], label: str) -> None:
        self.done += 1
        if result["status"] == "failed":
            self.failed += 1
            if self.bar is not None:
                from rich.markup import escape

                self.bar.console.print(
                    f"[red]failed[/] {escape(shown(label))}: {escape(shown(str(result.get('error'))))}",
                    markup=True,
                    highlight=False,
                )
        if self.bar is not None and self.task is not None:
            text = f"[red]{self.failed} failed[/]" if self.failed else "0 failed"
            self.bar.update(self.task, advance=1, failed_text=text)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None

    def summary(
        self, rows: list[tuple[str, str]], removed: list[tuple[str, int]], failures: list[str]
    ) -> None:
        from rich.table import Table

        table = Table(title="galley convert", show_header=False, title_justify="left")
        table.add_column("", style="bold")
        table.add_column("", justify="right")
        for key, value in rows:
            table.add_row(key, value)
        if removed:
            table.add_section()
            table.add_row("debris removed (stage/kind)", "")
            for kind, n in removed:
                table.add_row(f"  {kind}", str(n))
        self.console.print(table)
        if failures:
            self.console.print(f"[red]galley: {len(failures)} failed:[/]")
            for f in failures:
                self.console.print(f"  {shown(f)}", markup=False, highlight=False)


def make_progress(quiet: bool, stream: TextIO | None = None) -> Progress:
    stream = stream or sys.stderr
    if not quiet and stream.isatty():
        return RichProgress(stream)
    return Progress(stream, quiet)
