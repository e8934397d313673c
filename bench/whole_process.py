"""galley against pandoc and mdformat as a user runs them: whole processes, start-up included.

    .venv/bin/python bench/whole_process.py [--pairs 7] [--small FILE] [--seed FILE]

Each row runs the two commands in turn, A B A B …, ``--pairs`` times (after one
warm-up run of each, so that the file cache and Python's bytecode are warm), and
takes the ratio galley / other pair by pair: the table gives both medians and the
median of the ratios, next to the target. The time is the wall clock of the
process (``wait4``), interpreter start-up and imports included; the CPU column is
user + system time of the galley process. pandoc is the one pypandoc-binary
bundles, run with ``--sandbox`` (it fetches no remote picture, as galley does not
by default); mdformat is the one of the test extras.

Rows:
- a small article (a sample under 15 KB) to DOCX;
- the seed article (../shared/corpus/seed, else the largest sample) to DOCX;
- the seed to Markdown + EPUB + DOCX: one ``galley convert`` against pandoc's three
  runs (gfm, epub, docx) one after the other;
- ``galley clean`` of the seed against ``mdformat -`` on it.

The machine's load average is printed before and after: other work skews the figures.
No pass/fail.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SEED_DIR = ROOT.parent / "shared" / "corpus" / "seed"
BIN = Path(sys.executable).parent
Run = Callable[[], tuple[float, float]]


def env() -> dict[str, str]:
    """What a user's shell has: bytecode may be cached (a workplace may turn it off)."""
    e = dict(os.environ)
    e.pop("PYTHONDONTWRITEBYTECODE", None)
    return e


def timed(*commands: list[str], stdin: Path | None = None) -> tuple[float, float]:
    """Wall seconds of running ``commands`` one after the other, and their CPU seconds."""
    wall = cpu = 0.0
    for cmd in commands:
        with open(stdin or os.devnull, "rb") as fh:
            t0 = time.perf_counter()
            proc = subprocess.Popen(
                cmd, stdin=fh, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env(), cwd=ROOT
            )
            _pid, status, usage = os.wait4(proc.pid, 0)
            wall += time.perf_counter() - t0
            cpu += usage.ru_utime + usage.ru_stime
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"failed ({os.waitstatus_to_exitcode(status)}): {' '.join(cmd)}")
    return wall, cpu


def paired(a: Run, b: Run, pairs: int) -> dict[str, float]:
    a(), b()  # warm-up: file cache, bytecode
    ta, tb, ca, ratios = [], [], [], []
    for _ in range(pairs):
        wa, cpu = a()
        wb, _cpu = b()
        ta.append(wa)
        tb.append(wb)
        ca.append(cpu)
        ratios.append(wa / wb)
    return {
        "a": statistics.median(ta),
        "b": statistics.median(tb),
        "cpu": statistics.median(ca),
        "ratio": statistics.median(ratios),
        "worst": max(ratios),
    }


def small_sample() -> Path:
    small = [p for p in sorted(SAMPLES.glob("*.md")) if p.stat().st_size < 15 * 1024]
    return min(small, key=lambda p: p.stat().st_size)


def seed_file() -> Path:
    found = sorted(SEED_DIR.glob("*.txt")) + sorted(SEED_DIR.glob("*.md"))
    found = [p for p in found if "expected" not in p.name]
    return found[0] if found else max(SAMPLES.glob("*.md"), key=lambda p: p.stat().st_size)


def pandoc_path() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=7, help="A/B pairs per row (default 7)")
    ap.add_argument(
        "--small",
        type=Path,
        default=None,
        help="the small article (default: the smallest sample under 15 KB)",
    )
    ap.add_argument("--seed", type=Path, default=None, help="the seed article")
    args = ap.parse_args(argv)
    small = (args.small or small_sample()).resolve()
    seed = (args.seed or seed_file()).resolve()
    pandoc = pandoc_path()
    mdformat = shutil.which("mdformat", path=str(BIN)) or shutil.which("mdformat")
    galley = [str(BIN / "galley")] if (BIN / "galley").exists() else [sys.executable, "-m", "pipeline.cli"]
    tmp = Path(tempfile.mkdtemp(prefix="galley-whole-"))
    try:
        # the seed keeps its name's stem for both tools; a .txt seed is read as Markdown
        seed_md = tmp / "in" / (seed.stem + ".md")
        seed_md.parent.mkdir()
        shutil.copyfile(seed, seed_md)
        out = tmp / "out"

        def g_convert(src: Path, to: str) -> Run:
            return lambda: timed(
                [*galley, "convert", str(src), "-o", str(out / to), "--to", to, "--force", "-q"]
            )

        def p_convert(src: Path, *fmts: str) -> Run:
            return lambda: timed(
                *[
                    [
                        pandoc,
                        "--sandbox",
                        "-f",
                        "markdown",
                        "-t",
                        f,
                        "-s",
                        str(src),
                        "-o",
                        str(tmp / f"p.{'md' if f == 'gfm' else f}"),
                    ]
                    for f in fmts
                ]
            )

        rows: list[tuple[str, str, Run, Run, float]] = [
            (
                f"{small.name} ({small.stat().st_size // 1024} KB) to DOCX",
                "pandoc",
                g_convert(small, "docx"),
                p_convert(small, "docx"),
                1.0,
            ),
            (
                f"seed ({seed.stat().st_size // 1024} KB) to DOCX",
                "pandoc",
                g_convert(seed_md, "docx"),
                p_convert(seed_md, "docx"),
                0.8,
            ),
            (
                "seed to md + epub + docx (pandoc: 3 runs)",
                "pandoc",
                g_convert(seed_md, "md,epub,docx"),
                p_convert(seed_md, "gfm", "epub", "docx"),
                0.5,
            ),
        ]
        if mdformat:
            rows.append(
                (
                    "`galley clean` of the seed",
                    "mdformat",
                    lambda: timed([*galley, "clean", str(seed_md)]),
                    lambda: timed([mdformat, "-"], stdin=seed_md),
                    1.0,
                )
            )
        print(
            f"whole process, start-up included; {args.pairs} pairs A B A B …, median; "
            f"{os.cpu_count()} cores, load average {load_average()}"
        )
        print(
            "| command | galley | galley CPU | other | other's time | galley / other (median of pairs) "
            "| worst pair | target |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for label, other, a, b, target in rows:
            r = paired(a, b, args.pairs)
            mark = "ok" if r["ratio"] <= target else "MISSED"
            print(
                f"| {label} | {r['a'] * 1000:.0f} ms | {r['cpu'] * 1000:.0f} ms | {other} | "
                f"{r['b'] * 1000:.0f} ms | {r['ratio']:.2f}x | {r['worst']:.2f}x | <= {target:g}x {mark} |",
                flush=True,
            )
        print(f"load average at the end: {load_average()}\n")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
