"""How the raw_html stage's time grows with hostile input: prints a table.

Each generator makes a document of n repetitions of one pattern; the stage runs
alone (after decoding) and its own time is taken from the document's timings.
The ratio column is the time at 2n over the time at n: about 2 means linear.

    .venv/bin/python bench/raw_html_growth.py [--base N]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.config import Config
from pipeline.runner import Pipeline
from pipeline.stage import available_stages

GENERATORS = {
    "handlers on inline tags": lambda n: "Para " + "<span onclick=x>a</span> " * n + "\n",
    "inline scripts": lambda n: "Para " + "<script>x</script> y " * n + "\n",
    "unclosed scripts": lambda n: "<script>" * n + "\n",
    "frames in blocks": lambda n: "".join(f"<iframe src=x>t{i}</iframe>\n\n" for i in range(n)),
    "clean inline tags": lambda n: "Para " + "<b>a</b> " * n + "\n",
    "unclosed tags": lambda n: "<div " * n + "\n",
    "comment openers": lambda n: "<!--" * n + "\n",
    "attributes on one tag": lambda n: "<img " + "onerror=x " * n + ">\n",
    "nested blocks": lambda n: "<div>" * n + "x" + "</div>" * n + "\n",
    "nested inline tags": lambda n: "<b class=x>" * n + "x" + "</b>" * n + "\n",
    "misnested formatting": lambda n: "<div><b class=x>" * n + "x" + "</b></div>" * n + "\n",
    "nested table cells": lambda n: "<table><tr><td>" * n + "x\n",
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", type=int, default=2000, help="repetitions at 1x (default 2000)")
    args = ap.parse_args()
    registry = available_stages()
    pipe = Pipeline(Config(disabled=set(registry) - {"decode", "raw_html"}), registry)
    sizes = (args.base, args.base * 2, args.base * 4)
    print(
        f"{'generator':26} " + " ".join(f"{f'{n} (KB)':>16}" for n in sizes) + f" {'2x/1x':>6} {'4x/2x':>6}"
    )
    for name, make in GENERATORS.items():
        cells, times = [], []
        for n in sizes:
            text = make(n)
            best = min(_time(pipe, text) for _ in range(3))
            times.append(best)
            cells.append(f"{best:7.3f}s ({len(text) // 1024:5d})")
        r1 = times[1] / times[0] if times[0] else float("nan")
        r2 = times[2] / times[1] if times[1] else float("nan")
        print(f"{name:26} " + " ".join(f"{c:>16}" for c in cells) + f" {r1:6.2f} {r2:6.2f}")


def _time(pipe: Pipeline, text: str) -> float:
    doc = pipe.process(Path("bench.md"), text.encode("utf-8"))
    return doc.timings.get("raw_html", 0.0)


if __name__ == "__main__":
    main()
