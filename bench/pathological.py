"""`make bench-hostile`: inputs built to make a stage, the parser or a writer slow.

    .venv/bin/python bench/pathological.py [--only NAME,...] [--scale X] [--timeout S] [--stages]

Each generator builds one Markdown file from a repeated pattern (deep nesting, bracket
and star runs, long lines, long runs of spaces, many blank lines, links, headings,
footnotes, table rows, deep HTML...). It is converted at 1x, 2x and 4x its base size
(cleanup + Markdown + EPUB + DOCX, in a fresh process each, so one slow case cannot
hold the others up; ``--timeout`` seconds at most). The table gives the seconds and the
ratio t(2x)/t(1x) and t(4x)/t(2x): time that grows in proportion to the input gives 2,
time that grows with its square gives 4. The target is a ratio of at most 2.5, and each
4x case under 5 s. With ``--stages`` the slowest part (stage, parse or writer) of the
4x case is named.

No pass/fail: it prints the table and marks the ratios over the target.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: name -> (builder of the text for a count n, base n, what it exercises)
GENERATORS: dict[str, tuple] = {}


def generator(base: int, what: str):
    def register(fn):
        GENERATORS[fn.__name__] = (fn, base, what)
        return fn

    return register


@generator(2_250_000, "list items, each indented under the previous one (depth = sqrt n)")
def list_indented(n: int) -> str:
    return "".join("  " * i + f"- item {i}\n" for i in range(math.isqrt(n)))


@generator(24000, "list markers on one line: - - - - x")
def list_inline(n: int) -> str:
    return "- " * n + "x\n"


@generator(24000, "ordered list markers on one line: 1. 1. 1. x")
def ordered_inline(n: int) -> str:
    return "1. " * n + "x\n"


@generator(24000, "quote markers on one line: > > > x")
def quote_inline(n: int) -> str:
    return "> " * n + "x\n"


@generator(1_000_000, "quotes, one more level each line (depth = sqrt n)")
def quote_lines(n: int) -> str:
    return "".join(">" * i + f" line {i}\n" for i in range(1, math.isqrt(n) + 1))


@generator(12000, "quotes and lists mixed: > - > - x")
def quote_list_inline(n: int) -> str:
    return "> - " * n + "x\n"


@generator(20000, "![[]() repeated on one line")
def image_brackets(n: int) -> str:
    return "![[]()" * n + "\n"


@generator(40000, "![ repeated on one line")
def image_opens(n: int) -> str:
    return "![" * n + "\n"


@generator(40000, "[ repeated on one line")
def bracket_opens(n: int) -> str:
    return "[" * n + "\n"


@generator(320000, "] repeated on one line")
def bracket_closes(n: int) -> str:
    return "]" * n + "\n"


@generator(20000, "[]( repeated on one line")
def link_opens(n: int) -> str:
    return "[](" * n + "\n"


@generator(20000, "[a]( repeated on one line")
def link_text_opens(n: int) -> str:
    return "[a](" * n + "\n"


@generator(160000, "( after a link repeated: [a](((((")
def paren_run(n: int) -> str:
    return "[a](" + "(" * n + "\n"


@generator(4000, "*a **a repeated on one line")
def star_mix(n: int) -> str:
    return "*a **a " * n + "\n"


@generator(320000, "a run of stars")
def star_run(n: int) -> str:
    return "a" + "*" * n + "a\n"


@generator(10000, "**a repeated (bold never closed)")
def bold_opens(n: int) -> str:
    return "**a " * n + "\n"


@generator(10000, "a** repeated (bold never opened)")
def bold_closes(n: int) -> str:
    return "a** " * n + "\n"


@generator(10000, "_a __a repeated on one line")
def underscore_mix(n: int) -> str:
    return "_a __a " * n + "\n"


@generator(20000, "emphasis nested: ***...x...***")
def emphasis_nested(n: int) -> str:
    return "*" * n + "x" + "*" * n + "\n"


@generator(10000, "**「x」** repeated (bold stopped by full-width punctuation)")
def cjk_bold(n: int) -> str:
    return "**「勇气」**" * n + "\n"


@generator(20000, "` repeated, code spans never closed")
def backtick_run(n: int) -> str:
    return "`a " * n + "\n"


@generator(20000, "`` ` repeated: backtick runs of growing length")
def backtick_sizes(n: int) -> str:
    return "".join("`" * (i % 50 + 1) + "a" for i in range(n)) + "\n"


@generator(320000, "one line with a long run of spaces inside")
def spaces_inside(n: int) -> str:
    return "a" + " " * n + "b\n"


@generator(320000, "a long run of spaces at a line's end, then a line")
def spaces_trailing(n: int) -> str:
    return "a" + " " * n + "\nb\n"


@generator(40000, "a long run of tabs and spaces")
def tabs_spaces(n: int) -> str:
    return "a" + " \t" * (n // 2) + "b\n"


@generator(320000, "a line of spaces between paragraphs")
def space_line(n: int) -> str:
    return "a\n" + " " * n + "\nb\n"


@generator(40000, "many blank lines")
def blank_lines(n: int) -> str:
    return "a\n" + "\n" * n + "b\n"


@generator(20000, "many whitespace-only lines")
def blankish_lines(n: int) -> str:
    return "a\n" + "  \n" * n + "b\n"


@generator(160000, "ideographic spaces")
def ideographic(n: int) -> str:
    return "\u3000" * n + "字\n"


@generator(160000, "no-break spaces as entities")
def nbsp_entities(n: int) -> str:
    return "a" + "&nbsp;" * n + "b\n"


@generator(320000, "zero-width spaces")
def zero_width(n: int) -> str:
    return "a" + "\u200b" * n + "b\n"


@generator(80000, "words on one long line")
def long_line(n: int) -> str:
    return "word " * n + "\n"


@generator(40000, "CJK text on one long line")
def long_cjk_line(n: int) -> str:
    return "中文字符，" * n + "\n"


@generator(4000, "lines ending in a two-space hard break")
def hard_breaks(n: int) -> str:
    return "".join(f"line {i}  \n" for i in range(n))


@generator(5000, "many links in one paragraph")
def many_links(n: int) -> str:
    return "".join(f"[link {i}](https://example.com/{i}) " for i in range(n)) + "\n"


@generator(5000, "many images, one per paragraph")
def many_images(n: int) -> str:
    return "".join(f"![pic {i}](https://example.com/{i}.png)\n\n" for i in range(n))


@generator(3000, "many data-URI placeholders")
def many_placeholders(n: int) -> str:
    svg = "![](data:image/svg+xml,%3Csvg%20width='1px'%20height='1px'%3E%3C/svg%3E)"
    return "".join(f"text {i} {svg}\n\n" for i in range(n))


@generator(80000, "one long data URI")
def long_data_uri(n: int) -> str:
    return "![](data:image/svg+xml," + "%3Cg%3E" * n + ")\n"


@generator(5000, "many reference link definitions")
def many_definitions(n: int) -> str:
    refs = "".join(f"[r{i}] " for i in range(n))
    defs = "".join(f"[r{i}]: https://example.com/{i}\n" for i in range(n))
    return refs + "\n\n" + defs


@generator(3000, "many headings")
def many_headings(n: int) -> str:
    return "".join(f"{'#' * (i % 6 + 1)} Heading {i}\n\ntext {i}\n\n" for i in range(n))


@generator(2000, "numbered headings and bold section numbers")
def numbered_headings(n: int) -> str:
    return "".join(f"**{i:02d}**\n\n## {i}. Part {i}\n\n**Sub {i}**\n\ntext\n\n" for i in range(n))


@generator(3000, "many footnotes")
def many_footnotes(n: int) -> str:
    body = "".join(f"text{i}[^{i}] " for i in range(n))
    notes = "".join(f"[^{i}]: note {i}\n" for i in range(n))
    return body + "\n\n" + notes


@generator(3000, "a long table")
def long_table(n: int) -> str:
    return "| a | b | c |\n|---|---|---|\n" + "".join(f"| {i} | x{i} | y |\n" for i in range(n))


@generator(3000, "a wide table")
def wide_table(n: int) -> str:
    return "|" + " a |" * n + "\n|" + "---|" * n + "\n|" + " b |" * n + "\n"


@generator(24000, "pipes on one line")
def pipe_run(n: int) -> str:
    return "a" + " |" * n + "\n"


@generator(24000, "HTML nested: <div> ... </div>")
def html_nested(n: int) -> str:
    return "<div>" * n + "x" + "</div>" * n + "\n"


@generator(6000, "inline HTML nested: <span> ... </span>")
def html_inline_nested(n: int) -> str:
    return "a " + "<span>" * n + "x" + "</span>" * n + "\n"


@generator(40000, "< repeated (tags never closed)")
def angle_opens(n: int) -> str:
    return "a " + "<a " * n + "\n"


@generator(10000, "many fences, each an empty block")
def many_fences(n: int) -> str:
    return "```\n```\n" * n


@generator(20000, "a fence never closed, then many lines")
def open_fence(n: int) -> str:
    return "```\n" + "code ** x\n" * n


@generator(160000, "backslashes")
def backslashes(n: int) -> str:
    return "a" + "\\" * n + "b\n"


@generator(20000, "** glued before fences: ****```")
def glued_fences(n: int) -> str:
    return "".join("****```\ncode\n```\n" for _ in range(n // 10))


@generator(5000, "separator and swipe-hint lines")
def chrome_lines(n: int) -> str:
    return "".join(f"text {i}\n\n·\n\n左滑查看更多 ←\n\n" for i in range(n))


@generator(20000, "quote marks alone")
def quote_marks(n: int) -> str:
    return "“\n\ntext\n\n”\n\n" * (n // 10)


@generator(5000, "lines of list items")
def many_items(n: int) -> str:
    return "".join(f"- item {i}\n" for i in range(n))


@generator(3000, "setext headings (text over ---)")
def setext(n: int) -> str:
    return "".join(f"Title {i}\n---\n\n" for i in range(n))


@generator(20000, "Obsidian embeds never closed: ![[a")
def embed_opens(n: int) -> str:
    return "![[a" * n + "\n"


@generator(10000, "code spans never closed, with bold markers: `a **b")
def backtick_bold(n: int) -> str:
    return "`a **b " * n + "\n"


@generator(5000, "bold around punctuation only: **“**a")
def bold_punctuation(n: int) -> str:
    return "**“**a " * n + "\n"


@generator(5000, "many bold pieces and one stray marker")
def bold_pieces(n: int) -> str:
    return "**a** " * n + "**\n"


@generator(5000, "a paragraph of many lines with bold across them")
def bold_lines(n: int) -> str:
    return "**a\n" * n + "\n"


@generator(20000, "<img repeated (tags never closed)")
def img_tags(n: int) -> str:
    return "a " + "<img " * n + "\n"


@generator(10000, '<img src="data: repeated')
def img_data_tags(n: int) -> str:
    return "a " + '<img src="data:' * n + "\n"


@generator(5000, "lines that close a link: ](http://x)")
def link_closers(n: int) -> str:
    return "[a\n\n" + "](http://x)\n" * n


@generator(5000, "many H1 headings")
def many_titles(n: int) -> str:
    return "".join(f"# Title {i}\n\ntext\n\n" for i in range(n))


@generator(40000, "ideographic spaces between characters")
def ideographic_inside(n: int) -> str:
    return "字\u3000\u3000" * n + "\n"


@generator(5000, "punctuation in bold, one per paragraph: **，**")
def punctuation_paragraphs(n: int) -> str:
    return "**，**\n\n" * n


@generator(40000, "an HTML comment never closed")
def open_comment(n: int) -> str:
    return "<!--\n" + "a\n" * n


@generator(20000, "reference-style links never defined: [a][b]")
def undefined_refs(n: int) -> str:
    return "[a][b] " * n + "\n"


def build(name: str, factor: float) -> str:
    fn, base, _what = GENERATORS[name]
    return fn(max(1, int(base * factor)))


def run_one(name: str, factor: float, root: Path) -> dict:
    """Convert one generated input in this process; seconds and the slowest parts."""
    sys.path.insert(0, str(root))
    from pipeline.rendering import render
    from pipeline.runner import Pipeline
    from pipeline.writer import make_writer

    pipeline = Pipeline()
    writers = [make_writer(f) for f in ("md", "epub", "docx")]
    render(pipeline, writers, Path("warm.md"), "warm", b"# warm\n\ntext *a* [b](c)\n")
    text = build(name, factor)
    raw = text.encode("utf-8")
    t0, c0 = time.perf_counter(), time.process_time()
    rendered = render(pipeline, writers, Path(f"{name}.md"), name, raw)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    parts = sorted(rendered.doc.timings.items(), key=lambda kv: -kv[1])[:3]
    warnings = [w for w in rendered.doc.warnings if "text lost" in w or "nest" in w]
    return {
        "bytes": len(raw),
        "seconds": seconds,
        "cpu": cpu,
        "parts": parts,
        "kept": rendered.kept,
        "warnings": warnings[:2],
    }


def measure(name: str, factor: float, timeout: float, root: Path, repeat: int) -> dict:
    """The best of ``repeat`` runs, each in a fresh process (other work on the machine
    only ever adds time)."""
    best: dict | None = None
    for _ in range(repeat):
        cmd = [sys.executable, __file__, "--child", name, str(factor), "--root", str(root)]
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=root)
        except subprocess.TimeoutExpired:
            return {"timeout": True, "bytes": len(build(name, factor).encode("utf-8"))}
        if out.returncode != 0:
            tail = (out.stderr.strip().splitlines() or ["?"])[-1]
            return {"error": tail, "bytes": len(build(name, factor).encode("utf-8"))}
        result = json.loads(out.stdout.strip().splitlines()[-1])
        if best is None or result["cpu"] < best["cpu"]:
            best = result
    return best


def fmt_time(r: dict, timeout: float) -> str:
    if r.get("timeout"):
        return f"> {timeout:.0f} s"
    if r.get("error"):
        return "error"
    return f"{r['cpu']:.2f} s"


def size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n >= 10240 else f"{n} B"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", default="", help="comma-separated generator names")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every base size")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per case (default 60)")
    ap.add_argument("--stages", action="store_true", help="name the slowest parts of the 4x case")
    ap.add_argument("--repeat", type=int, default=1, help="runs per case, the best counts (default 1)")
    ap.add_argument("--root", type=Path, default=ROOT, help="the galley checkout to measure")
    ap.add_argument(
        "--no-named", action="store_true", help="skip the named cases (3,000-deep list, 200 KB runs)"
    )
    ap.add_argument("--list", action="store_true", help="list the generators")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_one(args.child[0], float(args.child[1]), args.root.resolve())))
        return 0
    if args.list:
        for name, (_fn, base, what) in GENERATORS.items():
            print(f"{name:20} {base:>6}  {what}")
        return 0
    names = [n for n in args.only.split(",") if n] or list(GENERATORS)
    unknown = [n for n in names if n not in GENERATORS]
    if unknown:
        print(f"unknown generator {unknown[0]!r}; --list shows them", file=sys.stderr)
        return 2
    print(
        f"galley at {args.root.resolve()}; {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}; cleanup + md + epub + docx "
        f"per case, CPU seconds of the converting process (best of {args.repeat}; wall time grows "
        "with other work on the machine)\n"
    )
    head = "| generator | 1x | t(1x) | 2x | t(2x) | 4x | t(4x) | t2/t1 | t4/t2 |"
    print(head + (" slowest parts at 4x (wall) |" if args.stages else ""))
    print("|---" * (9 + args.stages) + "|")
    over = []
    for name in names:
        rows: list[dict] = []
        for f in (1, 2, 4):
            if rows and rows[-1].get("timeout"):  # a larger one takes longer still
                rows.append({"timeout": True, "bytes": len(build(name, args.scale * f).encode("utf-8"))})
                continue
            rows.append(measure(name, args.scale * f, args.timeout, args.root.resolve(), args.repeat))
        ratios = [
            b["cpu"] / max(a["cpu"], 1e-3) if "cpu" in a and "cpu" in b else None
            for a, b in ((rows[0], rows[1]), (rows[1], rows[2]))
        ]
        marks = [("-" if r is None else f"{r:.2f}" + (" !" if r > TARGET else "")) for r in ratios]
        if any(r is None or r > TARGET for r in ratios):
            over.append(name)
        cells = [name]
        for r in rows:
            cells += [size(r["bytes"]), fmt_time(r, args.timeout)]
        cells += marks
        if args.stages:
            cells.append(", ".join(f"{k} {v:.2f}" for k, v in rows[2].get("parts", [])) or "-")
        print("| " + " | ".join(cells) + " |", flush=True)
    print(
        f"\n{len(names) - len(over)} of {len(names)} generators within the target (t2/t1 and t4/t2 <= "
        f"{TARGET})" + (f"; over: {', '.join(over)}" if over else "")
    )
    if not args.no_named:
        print("\n| named case | size | CPU | wall | target |\n|---|---|---|---|---|")
        for label, name, factor in named_cases():
            r = measure(name, factor, args.timeout, args.root.resolve(), args.repeat)
            wall = f"{r['seconds']:.2f} s" if "seconds" in r else fmt_time(r, args.timeout)
            print(
                f"| {label} | {size(r['bytes'])} | {fmt_time(r, args.timeout)} | {wall} | under 5 s |",
                flush=True,
            )
    return 0


TARGET = 2.5


def named_cases() -> list[tuple[str, str, float]]:
    """The cases with a time target of their own: the 3,000-deep list, and 200 KB runs
    of stars and brackets."""
    out = [("list nested 3,000 deep", "list_indented", 3000**2 / GENERATORS["list_indented"][1])]
    for name in ("star_mix", "bold_opens", "image_brackets", "image_opens", "bracket_opens", "link_opens"):
        fn, base, what = GENERATORS[name]
        factor = 200 * 1024 / len(fn(base).encode("utf-8"))
        out.append((f"200 KB: {what}", name, factor))
    return out


if __name__ == "__main__":
    sys.exit(main())
