"""How long the short commands take as a user runs them: the whole process, start-up included.

    .venv/bin/python bench/startup.py [--runs 10] [--root DIR] [--against DIR]

Each command is run ``--runs`` times in a fresh process (``python -m pipeline.cli``
of the checkout at ``--root``, default this one); the table gives the median and
the fastest wall time, and which writer libraries (python-docx, lxml, Pillow,
ebooklib) the command imported. With ``--against`` (another checkout, e.g. one made
with ``git archive``), the two are run in turn, A B A B…, and both medians are shown.
Prints a table; no pass/fail.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("docx", "lxml", "PIL", "ebooklib")
COMMANDS = [["--help"], ["stages"], ["writers"], ["clean", "samples/claude-md-tips-obsidian-clip.md"]]

# runs the command in this process, then names the writer libraries it imported
_PROBE = (
    f"HEAVY = {HEAVY!r}\n"
    + """
import sys
sys.argv = ["galley", *sys.argv[1:]]
from pipeline.cli import main
try:
    main()
except SystemExit:
    pass
found = {m.split(".")[0] for m in sys.modules} & set(HEAVY)
sys.stderr.write("HEAVY " + ",".join(sorted(found)) + "\\n")
"""
)


def run(root: Path, args: list[str], probe: bool = False) -> tuple[float, str]:
    env = dict(os.environ, PYTHONPATH=str(root))
    cmd = [sys.executable, "-c", _PROBE, *args] if probe else [sys.executable, "-m", "pipeline.cli", *args]
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=root, env=env, check=False, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    heavy = ""
    for line in done.stderr.splitlines():
        if line.startswith("HEAVY "):
            heavy = line[6:] or "none"
    return seconds, heavy


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--root", type=Path, default=ROOT, help="the checkout to measure")
    ap.add_argument("--against", type=Path, help="another checkout, run in turn with --root")
    args = ap.parse_args()
    roots = [args.root.resolve()] + ([args.against.resolve()] if args.against else [])
    if len(roots) == 1:
        print(f"{'command':<52} {'median':>8} {'fastest':>8}  writer libraries imported")
    else:
        print(f"{'command':<52} {'median':>8} {'against':>8}  writer libraries imported (root / against)")
    for command in COMMANDS:
        times: list[list[float]] = [[] for _ in roots]
        for root in roots:
            run(root, command)  # warm the file cache and the bytecode
        for _ in range(args.runs):
            for k, root in enumerate(roots):
                times[k].append(run(root, command)[0])
        heavy = " / ".join(run(root, command, probe=True)[1] for root in roots)
        shown = "galley " + " ".join(command)
        second = statistics.median(times[1]) if len(roots) > 1 else min(times[0])
        print(f"{shown:<52} {statistics.median(times[0]) * 1000:>6.0f}ms {second * 1000:>6.0f}ms  {heavy}")


if __name__ == "__main__":
    main()
