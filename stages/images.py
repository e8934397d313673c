"""Resolve every image once into the document's asset store, for all writers to share.

Before (tree)::

    ![图片](https://mmbiz.qpic.cn/x/640?wx_fmt=webp)  ![chart](figures/chart.png)
    ![](data:image/png;base64,iVBOR...)               ![](../../etc/passwd)

After: the local file and the embedded picture are assets (``doc.assets``) with
deterministic ASCII names from their content hash, and their image tokens carry
``attrs["asset"]``; the remote picture is fetched into the asset store only with
``fetch = true`` (``--fetch-images``), else it keeps its address and is marked
``remote``; the path that leaves the input's folder is never read (a warning, and
writers show a placeholder). WeChat's meaningless alt text "图片" is emptied: the
picture is decorative, not captioned.

Each asset is prepared once for every writer that will carry it (the writers
declare which image types they take): an SVG is sanitized (no script, handler,
outside reference or entity; an entity bomb is refused), WebP or SVG becomes PNG or
JPEG when one of them cannot take it, big pictures are scaled down, EXIF
orientation is applied.
``doc.images`` lists what happened to each image, for the report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.alttext import PICTURE_WORDS as MEANINGLESS_ALT
from pipeline.assets.confine import confined_path
from pipeline.assets.datauri import decode_data_uri
from pipeline.assets.sniff import content_name, sniff
from pipeline.document import Asset, Document
from pipeline.options import Option
from pipeline.stage import Stage, StageContext
from pipeline.tree import inline_text, iter_inline_lists, walk

Token = dict[str, Any]
MAX_LOCAL_BYTES = 50 * 1024 * 1024


class Images(Stage):
    """Collect local, embedded and (with fetch) remote images into the shared asset store."""

    name = "images"
    priority = 400
    scope = "tree"
    removes = frozenset({"meaningless_alt"})
    defaults = {
        "fetch": False,
        "allow_private_hosts": False,
        "cache_dir": Option(None, "str", optional=True),
        "roots": Option([], "strings"),
        "max_bytes": 10 * 1024 * 1024,
        "max_images": 200,
        "timeout": 10.0,
        "deadline": 30.0,
        "max_redirects": 5,
        "concurrency": 4,
        "max_side": 1600,
        "max_pixels": 4_000_000,
    }

    def run(self, doc: Document, ctx: StageContext) -> None:
        images: list[tuple[Token, int | None]] = []
        for block, line in iter_inline_lists(doc.tree or []):
            for tok in walk(block.get("children") or []):
                if tok.get("type") == "image":
                    images.append((tok, line))
        if not images:
            return
        self.accepted = _accepted(ctx)
        for tok, line in images:
            self._alt(tok, ctx, line)
        remote: dict[str, list[Token]] = {}
        for tok, line in images:
            attrs = tok.setdefault("attrs", {})
            url = (attrs.get("url") or "").strip()
            if url.lower().startswith(("http://", "https://", "//")):
                if url.startswith("//"):
                    url = "https:" + url
                remote.setdefault(url, []).append(tok)
                attrs["remote"] = True
            elif url.lower().startswith("data:"):
                self._embedded(tok, url, doc, ctx, line)
            else:
                self._local(tok, url, doc, ctx, line)
        if remote:
            self._remote(remote, doc, ctx)

    # -- alt text ------------------------------------------------------------------
    @staticmethod
    def _alt(tok: Token, ctx: StageContext, line: int | None) -> None:
        alt = inline_text(tok.get("children"), alt=True).strip()
        if not (tok.get("attrs") or {}).get("url", "").strip():
            # no source: "![]()" is the placeholder lazy_placeholders takes out, which the
            # next pass would; the alt is all the image has, and stays
            return
        if alt and alt.lower() in MEANINGLESS_ALT:
            tok["children"] = []
            ctx.record("meaningless_alt", line, alt, "")

    # -- sources ---------------------------------------------------------------------
    def _embedded(self, tok: Token, url: str, doc: Document, ctx: StageContext, line) -> None:
        decoded = decode_data_uri(url)
        data = decoded[1] if decoded else None
        media = sniff(data) if data else None
        ref = url[:40] + "…"
        if not media:
            self._failed(tok, doc, ctx, ref, "embedded data is not a picture", line)
            return
        self._store(tok, doc, ctx, ref, data, media, "embedded", line)

    def _local(self, tok: Token, url: str, doc: Document, ctx: StageContext, line) -> None:
        root = doc.path.parent
        path = None
        for base in [root, *map(Path, self.options["roots"])]:
            path = confined_path(base, url)
            if path:
                break
        if path is None:
            tok["attrs"]["refused"] = True
            reason = f"not a readable file inside {root}"
            doc.images.append({"ref": url[:200], "outcome": "refused", "reason": reason})
            ctx.warn(f"line {line}: image {url[:80]!r} refused: {reason}; not read")
            return
        if path.stat().st_size > MAX_LOCAL_BYTES:
            tok["attrs"]["refused"] = True
            doc.images.append({"ref": url[:200], "outcome": "refused", "reason": "too large"})
            ctx.warn(f"line {line}: image {url[:80]!r} is larger than {MAX_LOCAL_BYTES >> 20} MB; not read")
            return
        data = path.read_bytes()
        doc.depend(path, data)
        media = sniff(data)
        if not media:
            self._failed(tok, doc, ctx, url, "not a picture", line, refused=True)
            return
        self._store(tok, doc, ctx, url, data, media, "embedded", line)

    def _remote(self, remote: dict[str, list[Token]], doc: Document, ctx: StageContext) -> None:
        if not self.options["fetch"]:
            for url in remote:
                doc.images.append({"ref": url, "outcome": "remote", "reason": "not fetched (--fetch-images)"})
            return
        from pipeline.assets.cache import ImageCache
        from pipeline.assets.fetch import FetchError, FetchPolicy, fetch

        cache = ImageCache(self.options["cache_dir"])
        policy = FetchPolicy(
            timeout=self.options["timeout"],
            deadline=self.options["deadline"],
            max_bytes=self.options["max_bytes"],
            max_redirects=self.options["max_redirects"],
            allow_private=self.options["allow_private_hosts"],
        )
        urls = list(remote)
        limit = self.options["max_images"]
        for url in urls[limit:]:
            doc.images.append({"ref": url, "outcome": "failed", "reason": f"over {limit} images"})
        urls = urls[:limit]

        def get(url: str):
            hit = cache.get(url)
            if hit is not None:
                return url, hit[0], hit[1], "cached", None
            try:
                got = fetch(url, policy)
            except FetchError as exc:
                return url, None, None, "failed", str(exc)
            try:
                cache.put(url, got.data, got.media_type)
            except OSError as exc:  # a read-only cache, a HOME that does not exist
                where = f" {exc.filename}" if exc.filename else ""
                return url, None, None, "failed", f"image cache not writable ({exc.strerror or exc}{where})"
            return url, got.data, got.media_type, "fetched", None

        workers = max(1, min(self.options["concurrency"], len(urls)))
        from concurrent.futures import ThreadPoolExecutor  # only when fetching

        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(get, urls))  # in document order, whatever finished first
        for url, data, media, outcome, reason in results:
            for tok in remote[url]:
                if data is None:
                    self._failed(tok, doc, ctx, url, reason or "failed", None, keep_remote=True)
                else:
                    self._store(tok, doc, ctx, url, data, media, outcome, None)
                    tok["attrs"].pop("remote", None)

    # -- results ---------------------------------------------------------------------
    def _store(
        self,
        tok: Token,
        doc: Document,
        ctx: StageContext,
        ref: str,
        data: bytes,
        media: str,
        outcome: str,
        line,
    ) -> None:
        from pipeline.assets.process import ProcessError, prepare

        try:
            ready = prepare(data, media, self.accepted, self.options["max_side"], self.options["max_pixels"])
        except ProcessError as exc:
            self._failed(
                tok,
                doc,
                ctx,
                ref,
                str(exc),
                line,
                refused=exc.refused,
                keep_remote=outcome in ("fetched", "cached"),
            )
            return
        where = f"line {line}: " if line else ""
        for warning in ready.warnings:
            ctx.warn(f"{where}image {ref[:80]!r}: {warning}")
        name = content_name(ready.data, ready.media_type)
        if name not in doc.assets:
            doc.assets[name] = Asset(
                name=name,
                media_type=ready.media_type,
                data=ready.data,
                width=ready.width,
                height=ready.height,
            )
        tok["attrs"]["asset"] = name
        import hashlib

        record = {
            "ref": ref[:200],
            "outcome": outcome,
            "name": name,
            "bytes": len(ready.data),
            "sha256": hashlib.sha256(ready.data).hexdigest(),
        }
        if ready.notes:
            record["processing"] = ready.notes
        doc.images.append(record)

    @staticmethod
    def _failed(
        tok: Token,
        doc: Document,
        ctx: StageContext,
        ref: str,
        reason: str,
        line,
        refused: bool = False,
        keep_remote: bool = False,
    ) -> None:
        tok["attrs"]["refused" if refused else "failed"] = True
        if keep_remote:
            tok["attrs"]["remote"] = True
        doc.images.append({"ref": ref[:200], "outcome": "refused" if refused else "failed", "reason": reason})
        where = f"line {line}: " if line else ""
        ctx.warn(f"{where}image {ref[:80]!r}: {reason}")


def _accepted(ctx: StageContext) -> frozenset[str] | None:
    """The image types every active writer that embeds pictures can take."""
    embedding = [c for c in ctx.capabilities if c.embeds_images]
    if not embedding:
        return None
    accepted = frozenset.intersection(*(frozenset(c.image_types) for c in embedding))
    return accepted
