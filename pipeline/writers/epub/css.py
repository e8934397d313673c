"""The book's one stylesheet: book defaults, plus CJK typography for Chinese, Japanese, Korean.

CJK text gets what readers of Chinese books expect: every paragraph indented by two
characters, no space between paragraphs, a generous line height (1.7), a Song/Ming
serif for the text and a Hei/Gothic sans for headings, each with a generic fallback,
and emphasis as dots beside the characters (``text-emphasis``), as Chinese and Japanese
print it; a reader without that property shows a change of typeface instead of bold,
so emphasis never looks like ``strong``. Latin text keeps book defaults without that
indent. No rule depends on a reader supporting more than CSS 2.1; the rest
(``break-after``...) only adds.

Colours come in pairs or not at all: a reader's night theme swaps the text and page
colours, so a block that sets a background sets its text colour too, and both change
under ``prefers-color-scheme: dark``. Borders and text greys are chosen to keep a
contrast of at least 4.5:1 on either page (WCAG AA).
"""

from __future__ import annotations

from ..present import east_asian_script

SERIF = {
    "hans": '"Noto Serif CJK SC", "Source Han Serif SC", "Source Han Serif CN", "Songti SC", '
    '"STSong", "SimSun", serif',
    "hant": '"Noto Serif CJK TC", "Source Han Serif TC", "Songti TC", "PMingLiU", "MingLiU", serif',
    "ja": '"Noto Serif CJK JP", "Source Han Serif JP", "Hiragino Mincho ProN", "Yu Mincho", '
    '"MS Mincho", serif',
    "ko": '"Noto Serif CJK KR", "Source Han Serif KR", "AppleMyungjo", "Batang", serif',
}
SANS = {
    "hans": '"Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "PingFang SC", '
    '"Hiragino Sans GB", "Microsoft YaHei", sans-serif',
    "hant": '"Noto Sans CJK TC", "Source Han Sans TC", "PingFang TC", "Microsoft JhengHei", sans-serif',
    "ja": '"Noto Sans CJK JP", "Source Han Sans JP", "Hiragino Sans", "Hiragino Kaku Gothic ProN", '
    '"Yu Gothic", "Meiryo", sans-serif',
    "ko": '"Noto Sans CJK KR", "Source Han Sans KR", "Apple SD Gothic Neo", "Malgun Gothic", sans-serif',
}
MONO = '"Source Code Pro", "DejaVu Sans Mono", Menlo, Consolas, monospace'

BASE = """\
/* galley: one stylesheet for the whole book */
html { color-scheme: light dark; }
html, body { margin: 0; padding: 0; }
body { widows: 2; orphans: 2; }
p { margin: 0.6em 0; }
h1, h2, h3, h4, h5, h6 {
  line-height: 1.3; text-indent: 0; text-align: left; font-weight: bold;
  page-break-after: avoid; break-after: avoid; page-break-inside: avoid; break-inside: avoid;
}
h1 { font-size: 1.6em; margin: 1em 0 0.8em; }
h2 { font-size: 1.35em; margin: 1.6em 0 0.7em; }
h3 { font-size: 1.15em; margin: 1.4em 0 0.6em; }
h4 { font-size: 1.05em; margin: 1.2em 0 0.5em; }
h5, h6 { font-size: 1em; margin: 1em 0 0.4em; }
a { color: inherit; text-decoration: underline; }
em { font-style: italic; }
strong { font-weight: bold; }
del { text-decoration: line-through; }
sup, sub { line-height: 0; font-size: 0.75em; }
hr { border: 0; border-top: 1px solid #999; margin: 1.5em 20%%; }
blockquote {
  margin: 1em 0 1em 0.5em; padding: 0 0 0 1em; border-left: 3px solid #bbb;
}
ul, ol { margin: 0.6em 0; padding-left: 1.8em; }
li { margin: 0.2em 0; }
li > p { margin: 0.3em 0; }
li.task { list-style-type: none; }
code, kbd, samp { font-family: %(mono)s; font-size: 0.88em; }
pre {
  font-family: %(mono)s; font-size: 0.8em; line-height: 1.4; text-indent: 0; text-align: left;
  white-space: pre-wrap; word-wrap: break-word; overflow-wrap: break-word;
  margin: 0.8em 0; padding: 0.5em 0.7em; border: 1px solid #999;
  background-color: #f4f4f4; color: #1a1a1a;
}
pre code { font-size: 1em; }
table {
  border-collapse: collapse; margin: 1em auto; font-size: 0.88em; text-indent: 0;
  page-break-inside: auto;
}
th, td { border: 1px solid #999; padding: 0.25em 0.5em; vertical-align: top; text-align: left; }
/* a phone-wide page: long words and code in cells wrap rather than push the table off the page */
table { max-width: 100%%; }
th, td { word-wrap: break-word; overflow-wrap: anywhere; }
td code, th code { word-break: break-all; }
th { font-weight: bold; background-color: #eee; color: #1a1a1a; }
td p, th p, td div, th div { margin: 0; text-indent: 0; }
.align-left { text-align: left; }
.align-center { text-align: center; }
.align-right { text-align: right; }
.align-justify { text-align: justify; }
figure { display: block; margin: 1em 0; text-align: center; text-indent: 0; }
figure img { display: block; margin: 0.4em auto; }
figcaption { margin: 0.2em 0 0; font-size: 0.9em; text-indent: 0; }
img { max-width: 100%%; height: auto; }
img.inline { vertical-align: middle; max-height: 1.5em; }
.image-placeholder {
  display: inline-block; margin: 0.1em 0; padding: 0.15em 0.6em; text-indent: 0;
  border: 1px dashed #888; font-size: 0.85em; line-height: 1.4;
}
figure .image-placeholder { display: block; margin: 0.3em auto; max-width: 90%%; }
.image-placeholder .online { font-size: 0.85em; }
.image-placeholder.missing { font-style: italic; }
div.html { margin: 0.6em 0; }
sup.noteref a { text-decoration: none; }
section.footnotes { margin-top: 2em; font-size: 0.85em; }
.footnote { margin: 0.5em 0; }
section.footnotes > .footnote:first-child { padding-top: 0.5em; border-top: 1px solid #999; }
.footnote p { text-indent: 0; margin: 0.3em 0; }
a.backlink { text-decoration: none; font-weight: bold; }
body.titlepage { text-align: center; }
.titlepage h1 { margin: 25%% 0 1em; font-size: 1.7em; text-align: center; }
.titlepage p { text-indent: 0; margin: 0.5em 0; text-align: center; }
.titlepage .source { font-size: 0.8em; word-wrap: break-word; overflow-wrap: break-word; }
nav ol { list-style-type: none; padding-left: 1.2em; }
nav > ol { padding-left: 0; }
nav li { margin: 0.3em 0; }
nav a { text-decoration: none; }
nav[hidden], [hidden] { display: none; }
body.coverpage { margin: 0; padding: 0; text-align: center; text-indent: 0; }
section.cover { margin: 0; padding: 0; text-align: center; }
section.cover img { display: block; margin: 0 auto; max-width: 100%%; max-height: 100vh; height: auto; }
@media (prefers-color-scheme: dark) {
  pre, th { background-color: #262626; color: #e8e8e8; }
  pre { border-color: #666; }
  blockquote { border-left-color: #666; }
}
"""

LATIN = """\
body { font-family: Georgia, "Times New Roman", serif; line-height: 1.5; }
h1, h2, h3, h4, h5, h6 { font-family: "Helvetica Neue", Helvetica, Arial, sans-serif; }
p { text-indent: 0; }
figcaption { font-style: italic; }
"""

CJK = """\
body { font-family: %(serif)s; line-height: 1.7; text-align: justify; }
h1, h2, h3, h4, h5, h6 { font-family: %(sans)s; }
p { text-indent: 2em; margin: 0.3em 0; }
li p, li > p, td p, th p, figure p, blockquote li p, .titlepage p, .footnote p {
  text-indent: 0;
}
nav, .image-placeholder, table { font-family: %(sans)s; }
em { font-style: normal; font-family: %(sans)s; }
em {
  -webkit-text-emphasis: filled dot; -epub-text-emphasis: filled dot; text-emphasis: filled dot;
  -webkit-text-emphasis-position: %(dots)s; -epub-text-emphasis-position: %(dots)s;
  text-emphasis-position: %(dots)s;
}
"""


def stylesheet(lang: str) -> str:
    """The stylesheet for a book in ``lang``."""
    css = BASE % {"mono": MONO}
    variant = east_asian_script(lang)
    if variant is None:
        return css + LATIN
    # Chinese puts the dots under the characters, Japanese and Korean over them
    dots = "under right" if variant in ("hans", "hant") else "over right"
    return css + CJK % {"serif": SERIF[variant], "sans": SANS[variant], "dots": dots}
