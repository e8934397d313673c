"""`make bench`: galley against pandoc on the same files, throughput, scaling.

    .venv/bin/python bench/bench.py [--files 200] [--sizes 5,10,20] [--pairs 7] [--profile]

0. Whole processes as a user runs them, start-up included, galley and pandoc (or
   mdformat) in turn, A B A B …, the ratio taken pair by pair
   (``bench/whole_process.py``; ``--pairs 0`` skips it).
1. A corpus of at least ``--files`` articles (samples/ and ../shared/corpus/real when
   present, replicated under new names) in a temporary folder, deleted at the end.
2. Per document, galley in this process: cleanup + Markdown + EPUB + DOCX, timed
   with perf_counter around ``convert.render`` (the pipeline and writers built
   once, as a batch worker does); pandoc as a user runs it: one subprocess per
   file and format (``-t docx``, ``-t epub``, ``-t gfm``, with ``--sandbox`` so
   that it fetches no remote image), timed around each subprocess. Medians per
   document and the ratio pandoc/galley.
3. Throughput of the real command, ``galley convert CORPUS --force -q -j 1`` and
   ``-j 2`` (wall time, interpreter and worker start-up included).
4. Scaling: one 5, 10 and 20 MB Markdown file (the corpus concatenated), each
   converted by ``galley convert --executor serial`` in a fresh process: seconds
   and peak memory (ru_maxrss of that process, from wait4), and that peak as a
   multiple of the input's size.

No pass/fail: it prints the tables and the targets next to the figures.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from whole_process import load_average  # bench/ is the script's folder, first on sys.path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
CORPUS = ROOT.parent / "shared" / "corpus" / "real"
GALLEY = [sys.executable, "-m", "pipeline.cli"]
#: what a user's shell has: Python's bytecode cache (a workplace may turn it off)
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
PANDOC_FORMATS = ("docx", "epub", "gfm")


def sources() -> list[Path]:
    found = sorted(SAMPLES.glob("*.md"))
    if CORPUS.is_dir():
        found += sorted(CORPUS.glob("*.md"))
    return found


def build_corpus(folder: Path, count: int) -> list[Path]:
    """``count`` files or more: every source once per round, in r00/, r01/... folders."""
    base = sources()
    files: list[Path] = []
    rounds = -(-count // len(base))
    for r in range(rounds):
        sub = folder / f"r{r:02d}"
        sub.mkdir(parents=True)
        for src in base:
            dst = sub / f"{src.stem}-{r:02d}.md"
            shutil.copyfile(src, dst)
            files.append(dst)
    return files


def big_file(path: Path, megabytes: int) -> Path:
    texts = [p.read_text(encoding="utf-8") for p in sources()]
    parts, size, i = [], 0, 0
    while size < megabytes * 1024 * 1024:
        t = texts[i % len(texts)]
        parts.append(t)
        size += len(t.encode("utf-8")) + 2
        i += 1
    path.write_text("\n\n".join(parts), encoding="utf-8")
    return path


def galley_per_document(files: list[Path], profile: bool) -> tuple[list[float], dict[str, float], str]:
    from pipeline.rendering import render
    from pipeline.runner import Pipeline
    from pipeline.writer import make_writer

    pipeline = Pipeline()
    writers = [make_writer(f) for f in ("md", "epub", "docx")]
    render(pipeline, writers, files[0], "warm-up")  # imports and first-use caches
    times, parts = [], {}
    prof = cProfile.Profile() if profile else None
    for f in files:
        if prof:
            prof.enable()
        t0 = time.perf_counter()
        rendered = render(pipeline, writers, f, f.stem)
        times.append(time.perf_counter() - t0)
        if prof:
            prof.disable()
        for k, v in rendered.doc.timings.items():
            key = k if k.startswith(("writer:", "parse")) else "stages"
            parts[key] = parts.get(key, 0.0) + v
    text = ""
    if prof:
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(25)
        text = buf.getvalue()
    return times, parts, text


def pandoc_per_document(files: list[Path], out: Path) -> list[float]:
    import pypandoc

    pandoc = pypandoc.get_pandoc_path()
    out.mkdir(parents=True, exist_ok=True)
    times = []
    for n, f in enumerate(files):
        total = 0.0
        for fmt in PANDOC_FORMATS:
            target = out / f"{n}.{'md' if fmt == 'gfm' else fmt}"
            t0 = time.perf_counter()
            subprocess.run(
                [pandoc, "--sandbox", "-f", "markdown", "-t", fmt, "-o", str(target), str(f)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
                cwd=f.parent,
            )
            total += time.perf_counter() - t0
        times.append(total)
    return times


def run_measured(cmd: list[str]) -> tuple[float, int, int]:
    """Wall seconds, peak RSS in MB of that one process, and its exit status."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, env=ENV)
    _pid, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return seconds, usage.ru_maxrss // 1024, proc.returncode


def throughput(corpus: Path, out: Path, jobs: int) -> tuple[float, int]:
    cmd = [
        *GALLEY,
        "convert",
        str(corpus),
        "-o",
        str(out),
        "--to",
        "md,epub,docx",
        "--force",
        "-q",
        "-j",
        str(jobs),
    ]
    seconds, _rss, code = run_measured(cmd)
    return seconds, code


def ms(x: float) -> str:
    return f"{1000 * x:.1f} ms"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=200, help="corpus size (default 200)")
    ap.add_argument("--sizes", default="5,10,20", help="MB of the scaling inputs (default 5,10,20; '' skips)")
    ap.add_argument("--rounds", type=int, default=2, help="throughput runs per -j (best counts)")
    ap.add_argument("--profile", action="store_true", help="cProfile galley's per-document loop")
    ap.add_argument(
        "--pairs", type=int, default=7, help="A/B pairs of the whole-process table (default 7; 0 skips it)"
    )
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.pairs > 0:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import whole_process

        whole_process.main(["--pairs", str(args.pairs)])

    tmp = Path(tempfile.mkdtemp(prefix="galley-bench-"))
    try:
        corpus = tmp / "corpus"
        files = build_corpus(corpus, args.files)
        size = sum(f.stat().st_size for f in files)
        print(
            f"corpus: {len(files)} files, {size / 1e6:.1f} MB ({len(sources())} distinct articles "
            f"replicated), {os.cpu_count()} cores, Python {sys.version.split()[0]}, load average "
            f"{load_average()} (other work on the machine skews the figures)\n",
            flush=True,
        )

        g_times, parts, prof = galley_per_document(files, args.profile)
        p_times = pandoc_per_document(files, tmp / "pandoc")
        g_med, p_med = statistics.median(g_times), statistics.median(p_times)
        ratios = [p / g for p, g in zip(p_times, g_times, strict=True)]
        print(
            f"| per document (median of {len(files)}) | galley: clean + md + epub + docx "
            "| pandoc: gfm + epub + docx |"
        )
        print("|---|---|---|")
        print(f"| median | {ms(g_med)} | {ms(p_med)} |")
        print(f"| total | {sum(g_times):.2f} s | {sum(p_times):.2f} s |")
        print(
            f"| ratio pandoc/galley | median of medians {p_med / g_med:.1f}x, "
            f"median per document {statistics.median(ratios):.1f}x, of totals "
            f"{sum(p_times) / sum(g_times):.1f}x | target >= 10x |"
        )
        total = sum(parts.values())
        share = ", ".join(
            f"{k} {100 * v / total:.0f}%" for k, v in sorted(parts.items(), key=lambda kv: -kv[1])
        )
        print(f"\ngalley's time goes to: {share}\n", flush=True)

        runs: dict[int, list[float]] = {1: [], 2: []}
        codes = []
        for _round in range(args.rounds):  # interleaved, so that both see the same machine
            for jobs in (1, 2):
                seconds, code = throughput(corpus, tmp / f"out-j{jobs}", jobs)
                runs[jobs].append(seconds)
                codes.append(code)
        t1, t2 = min(runs[1]), min(runs[2])
        same = _same_tree(tmp / "out-j1", tmp / "out-j2")
        print(
            f"| galley convert (wall, start-up included; best of {args.rounds}) | seconds | files/s | runs |"
        )
        print("|---|---|---|---|")
        print(f"| -j 1 | {t1:.2f} | {len(files) / t1:.1f} | {', '.join(f'{x:.2f}' for x in runs[1])} |")
        print(f"| -j 2 | {t2:.2f} | {len(files) / t2:.1f} | {', '.join(f'{x:.2f}' for x in runs[2])} |")
        c1, c2 = max(codes[0::2]), max(codes[1::2])
        print(
            f"| speed-up -j2/-j1 | {t1 / t2:.2f}x (target >= 1.8x on 2 cores) | "
            f"outputs identical: {same} | exit {c1}/{c2} |\n",
            flush=True,
        )

        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
        if sizes:
            print("| input | seconds | s/MB | peak RSS | peak / input (target <= 20x) |")
            print("|---|---|---|---|---|")
            for mb in sizes:
                path = big_file(tmp / f"big-{mb}mb.md", mb)
                real_mb = path.stat().st_size / 1024 / 1024
                cmd = [
                    *GALLEY,
                    "convert",
                    str(path),
                    "-o",
                    str(tmp / f"out-big-{mb}"),
                    "--to",
                    "md,epub,docx",
                    "--executor",
                    "serial",
                    "-q",
                    "--force",
                ]
                seconds, rss, code = run_measured(cmd)
                note = "" if code == 0 else f" (exit {code})"
                print(
                    f"| {real_mb:.1f} MB | {seconds:.1f}{note} | {seconds / real_mb:.2f} | {rss} MB | "
                    f"{rss / real_mb:.1f}x |",
                    flush=True,
                )
        print(f"\nload average at the end: {load_average()}")
        if prof:
            print("\ncProfile of galley's per-document loop (cumulative):\n" + prof)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


def _same_tree(a: Path, b: Path) -> bool:
    def files(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes()
            for p in root.rglob("*")
            if p.is_file() and not p.name.startswith(".") and p.name != "report.json"
        }

    return files(a) == files(b)


if __name__ == "__main__":
    sys.exit(main())
