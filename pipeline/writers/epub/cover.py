"""The book's cover: the title, the author (or site) and the date, drawn as an SVG and
rendered to PNG by resvg (the library the image step already uses for SVG).

Without a cover an e-reader's library shows a thumbnail of the title page, and a
Kindle conversion finds none. The picture is made from the metadata alone: a
colour taken from the book's identifier (so each book looks its own, and the same
book always the same), the title in large type, wrapped as its script wraps (at
spaces, or between any two CJK characters, never before closing punctuation).

The fonts are found with fontconfig (its library in this process, else ``fc-match``)
for the book's language and given to resvg by file, so that rendering does not load
every font of the system.
When no font covers the title's script (a CJK title on a machine without a CJK
font), the cover leaves out what it cannot draw rather than show empty boxes: the
text in that script goes, the rest stays, and the document gets a warning.
"""

from __future__ import annotations

import colorsys
import hashlib
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape

from ..present import is_wide
from . import fontconfig
from .xhtml import xml_safe

WIDTH, HEIGHT = 1200, 1800  # the drawing's units
#: the PNG's width: 800 x 1200 is above the 625 x 1000 Kindle asks for, and drawing it
#: costs half the time of 1200 x 1800 (rasterizing and encoding dominate)
PIXELS = 800
MARGIN = 110
TITLE_SIZES = (112, 96, 84, 72, 62, 54)
MAX_TITLE_LINES = 6
#: characters a line does not start with (closing punctuation, CJK and Latin)
NO_LINE_START = set("，。、：；！？）」』》〉】〕,.;:!?)]}’”…・ー")
#: fontconfig's language for each CJK script
FC_LANG = {"hans": "zh-cn", "hant": "zh-tw", "ja": "ja", "ko": "ko"}


@dataclass(frozen=True)
class Fonts:
    """Font files for the cover (empty: resvg's own search) and the family to ask for."""

    files: tuple[str, ...]
    family: str
    covers_cjk: bool


def _fc(args: list[str]) -> str:
    """What a fontconfig tool prints ("" when fontconfig is not installed or finds
    nothing). A tool that does not answer is an error, not an empty answer: a cover
    drawn with other fonts than the same book's last one would change its bytes."""
    exe = shutil.which(args[0])
    if exe is None:
        return ""
    try:
        proc = subprocess.run([exe, *args[1:]], capture_output=True, text=True, timeout=120, check=False)
    except subprocess.TimeoutExpired:
        raise OSError(f"{args[0]} did not answer") from None
    return proc.stdout if proc.returncode == 0 else ""


def _fc_match(pattern: str, fmt: str) -> str:
    """What ``fc-match -f FMT PATTERN`` prints: asked of the library in this process
    where it loads, else of the tool."""
    lib = fontconfig.library()
    if lib is not None:
        return fontconfig.match(lib, pattern, fmt)
    return _fc(["fc-match", "-f", fmt, pattern])


def _fc_files(pattern: str) -> set[str]:
    """The font files ``fc-list`` names for ``pattern``."""
    lib = fontconfig.library()
    if lib is not None:
        return fontconfig.files(lib, pattern)
    return set(_fc(["fc-list", "-f", "%{file}\n", pattern]).split("\n")) - {""}


@lru_cache(maxsize=8)
def find_fonts(script: str | None) -> Fonts:
    """The sans-serif fonts (regular and bold) to draw a cover in ``script`` (a CJK
    script of ``present.east_asian_script``, or None for other text)."""
    pattern = "sans-serif" + (f":lang={FC_LANG[script]}" if script else "")
    files: list[str] = []
    family = ""
    for weight in ("bold", "regular"):
        found = _fc_match(f"{pattern}:weight={weight}", "%{family[0]}\t%{file}").strip()
        if "\t" in found:
            name, path = found.split("\t", 1)
            family = family or name
            if path not in files:
                files.append(path)
    latin = _fc_match("sans-serif:weight=bold", "%{file}").strip()
    if latin and latin not in files:
        files.append(latin)
    if not files:
        return Fonts((), "sans-serif", covers_cjk=_cjk_font_files_exist())
    covers = True
    if script:
        # fc-match always answers; the answer covers the language only if fc-list agrees
        listed = _fc_files(f":lang={FC_LANG[script]}")
        covers = bool(listed & set(files))
    return Fonts(tuple(files), family or "sans-serif", covers)


def _cjk_font_files_exist() -> bool:
    """Without fontconfig: is there a CJK font among the usual font folders?"""
    from pathlib import Path

    folders = [
        Path("/usr/share/fonts"),
        Path("/usr/local/share/fonts"),
        Path.home() / ".fonts",
        Path.home() / ".local/share/fonts",
        Path("/Library/Fonts"),
        Path("/System/Library/Fonts"),
        Path("C:/Windows/Fonts"),
    ]
    names = (
        "cjk",
        "sourcehan",
        "wqy",
        "droidsansfallback",
        "pingfang",
        "hiragino",
        "msyh",
        "simsun",
        "simhei",
        "meiryo",
        "malgun",
        "yugoth",
        "notosanssc",
        "notosansjp",
        "notosanskr",
    )
    for folder in folders:
        if folder.is_dir():
            for path in folder.rglob("*"):
                low = path.name.lower().replace("-", "").replace("_", "")
                if any(n in low for n in names):
                    return True
    return False


# -- layout ---------------------------------------------------------------------------------
def _advance(ch: str) -> float:
    """A character's width in ems, roughly (the cover only needs lines that fit)."""
    if is_wide(ch):
        return 1.0
    if ch == " ":
        return 0.28
    if ch.isupper() or ch.isdigit():
        return 0.74
    if ch in "iljtfr.,:;'!|":
        return 0.36
    return 0.64


def width(text: str, size: float) -> float:
    return sum(_advance(c) for c in text) * size


def _units(text: str) -> list[str]:
    """What a line may break between: words of Latin text, single CJK characters
    (with the closing punctuation after them kept on their line)."""
    units: list[str] = []
    word = ""
    for ch in text:
        if ch in NO_LINE_START and (units or word):
            if word:
                word += ch
            else:
                units[-1] += ch
            continue
        if is_wide(ch):
            if word:
                units.append(word)
                word = ""
            units.append(ch)
        elif ch == " ":
            if word:
                units.append(word)
            word = ""
            units.append(" ")
        else:
            word += ch
    if word:
        units.append(word)
    return units


def wrap(text: str, size: float, room: float) -> list[str]:
    """``text`` in lines of at most ``room`` pixels at font size ``size`` (a word longer
    than a line is cut between characters)."""
    lines: list[str] = []
    line = ""
    for unit in _units(" ".join(text.split())):
        if unit == " " and not line:
            continue
        if width(line + unit, size) <= room:
            line += unit
            continue
        if line.strip():
            lines.append(line.rstrip())
        line = "" if unit == " " else unit
        while width(line, size) > room and len(line) > 1:
            cut = len(line)
            while cut > 1 and width(line[:cut], size) > room:
                cut -= 1
            lines.append(line[:cut])
            line = line[cut:]
    if line.strip():
        lines.append(line.rstrip())
    return lines


def title_lines(title: str) -> tuple[int, list[str]]:
    """The biggest size at which the title fits in a few lines, and those lines (the
    last one ends with … when even the smallest size does not hold it all)."""
    room = WIDTH - 2 * MARGIN
    for size in TITLE_SIZES:
        lines = wrap(title, size, room)
        if len(lines) <= MAX_TITLE_LINES - (2 if size > TITLE_SIZES[-1] else 0):
            return size, lines
    size = TITLE_SIZES[-1]
    lines = wrap(title, size, room)
    if len(lines) > MAX_TITLE_LINES:
        last = lines[MAX_TITLE_LINES - 1]
        while last and width(last + "…", size) > room:
            last = last[:-1]
        lines = [*lines[: MAX_TITLE_LINES - 1], last.rstrip() + "…"]
    return size, lines


def palette(seed: str) -> tuple[str, str, str]:
    """(background, accent, text) colours from ``seed``: a dark colour of the seed's
    hue, a lighter accent of the same hue, near-white text (contrast above 7:1)."""
    hue = int(hashlib.sha256(seed.encode("utf-8")).hexdigest()[:4], 16) / 0xFFFF

    def hexed(lightness: float, saturation: float) -> str:
        r, g, b = colorsys.hls_to_rgb(hue, lightness, saturation)
        return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"

    return hexed(0.2, 0.45), hexed(0.62, 0.55), "#f7f5f0"


@dataclass(frozen=True)
class CoverText:
    title: str
    byline: str | None = None  # the author, else the site
    site: str | None = None  # the site, when the byline is the author
    date: str | None = None


def drawable(text: str | None, fonts: Fonts) -> str | None:
    """``text`` without the CJK characters no font here can draw (None if nothing is left)."""
    if text is None:
        return None
    if not fonts.covers_cjk:
        text = "".join(c for c in text if not is_wide(c))
        text = " ".join(text.split()).strip(" ：:·|-–—")
    return text or None


def svg(cover: CoverText, seed: str, fonts: Fonts) -> str:
    """The cover as an SVG document."""
    back, accent, ink = palette(seed)
    family = (
        escape(f"'{fonts.family}', sans-serif", {"'": "&apos;"})
        if fonts.family != "sans-serif"
        else "sans-serif"
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="{back}"/>',
        f'<rect x="0" y="0" width="{WIDTH}" height="24" fill="{accent}"/>',
        f'<rect x="0" y="{HEIGHT - 24}" width="{WIDTH}" height="24" fill="{accent}"/>',
    ]

    def text(y: float, size: int, value: str, weight: str = "normal", fill: str = ink) -> None:
        out.append(
            f'<text x="{WIDTH // 2}" y="{y:.0f}" font-family="{family}" font-size="{size}" '
            f'font-weight="{weight}" fill="{fill}" text-anchor="middle">'
            f"{escape(xml_safe(value))}</text>"
        )

    site = drawable(cover.site, fonts)
    if site:
        for i, line in enumerate(wrap(site, 44, WIDTH - 2 * MARGIN)[:2]):
            text(200 + i * 58, 44, line, fill=accent)
    title = drawable(cover.title, fonts)
    y = 520.0
    if title:
        size, lines = title_lines(title)
        for line in lines:
            text(y, size, line, "bold")
            y += size * 1.28
    y += 40
    out.append(f'<rect x="{WIDTH // 2 - 90}" y="{y:.0f}" width="180" height="6" fill="{accent}"/>')
    byline = drawable(cover.byline, fonts)
    if byline:
        for i, line in enumerate(wrap(byline, 56, WIDTH - 2 * MARGIN)[:2]):
            text(y + 110 + i * 72, 56, line)
    date = drawable(cover.date, fonts)
    if date:
        text(HEIGHT - 150, 44, date, fill=accent)
    out.append("</svg>")
    return "\n".join(out)


@lru_cache(maxsize=32)
def _png(data: str, files: tuple[str, ...]) -> bytes:
    import resvg_py

    return bytes(
        resvg_py.svg_to_bytes(
            svg_string=data, skip_system_fonts=bool(files), font_files=list(files) or None, width=PIXELS
        )
    )


def render(cover: CoverText, seed: str, script: str | None) -> tuple[bytes, bool]:
    """(the cover as PNG, whether the title could be drawn in full)."""
    fonts = find_fonts(script)
    png = _png(svg(cover, seed, fonts), fonts.files)
    complete = fonts.covers_cjk or not any(is_wide(c) for c in cover.title)
    return png, complete
