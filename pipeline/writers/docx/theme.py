"""The theme part (``word/theme/theme1.xml``): Word and LibreOffice expect one.

Its font scheme names the document's own faces (headings: major, body: minor, Latin
and East Asian), so that an editor who picks "+Headings" or "+Body" in Word gets the
same fonts as the styles; the colours are Word's (links blue, followed links purple).
The styles themselves name their fonts and colours directly: the theme decides nothing.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .ooxml import RT, parse_xml, serialize
from .package import quoteattr, xml_part
from .styles import WORD_BLUE, Typography

THEME_TYPE = "application/vnd.openxmlformats-officedocument.theme+xml"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_COLOURS = (
    ("dk2", "44546A"),
    ("lt2", "E7E6E6"),
    ("accent1", "4472C4"),
    ("accent2", "ED7D31"),
    ("accent3", "A5A5A5"),
    ("accent4", "FFC000"),
    ("accent5", "5B9BD5"),
    ("accent6", "70AD47"),
    ("hlink", WORD_BLUE),
    ("folHlink", "954F72"),
)


@lru_cache(maxsize=32)
def theme_xml(t: Typography) -> str:
    f = t.fonts

    def font(kind: str, latin: str, east: str) -> str:
        return (
            f"<a:{kind}><a:latin typeface={quoteattr(latin)}/><a:ea typeface={quoteattr(east)}/>"
            f'<a:cs typeface=""/></a:{kind}>'
        )

    solid = '<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>'
    line = f'<a:ln w="6350" cap="flat" cmpd="sng" algn="ctr">{solid}<a:prstDash val="solid"/></a:ln>'
    colours = "".join(f'<a:{name}><a:srgbClr val="{rgb}"/></a:{name}>' for name, rgb in _COLOURS)
    return (
        f'<a:theme xmlns:a="{_A}" name="galley"><a:themeElements>'
        '<a:clrScheme name="galley">'
        '<a:dk1><a:sysClr val="windowText" lastClr="000000"/></a:dk1>'
        '<a:lt1><a:sysClr val="window" lastClr="FFFFFF"/></a:lt1>'
        f"{colours}</a:clrScheme>"
        f'<a:fontScheme name="galley">{font("majorFont", f.heading, f.ea_heading)}'
        f"{font('minorFont', f.body, f.ea_body)}</a:fontScheme>"
        '<a:fmtScheme name="galley">'
        f"<a:fillStyleLst>{solid * 3}</a:fillStyleLst>"
        f"<a:lnStyleLst>{line * 3}</a:lnStyleLst>"
        f"<a:effectStyleLst>{'<a:effectStyle><a:effectLst/></a:effectStyle>' * 3}</a:effectStyleLst>"
        f"<a:bgFillStyleLst>{solid * 3}</a:bgFillStyleLst>"
        "</a:fmtScheme></a:themeElements><a:objectDefaults/><a:extraClrSchemeLst/></a:theme>"
    )


def add_theme(document: Any, t: Typography) -> None:
    """The theme part, unless the document (a reference) has its own."""
    xml = theme_xml(t)
    xml_part(document.part, RT.THEME, "/word/theme/theme1.xml", THEME_TYPE, xml, _theme_bytes(xml))


@lru_cache(maxsize=32)
def _theme_bytes(xml: str) -> bytes:
    """The part's bytes, as the element parsed from ``xml`` is written: once per theme."""
    return serialize(parse_xml(xml))
