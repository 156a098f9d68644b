"""Measure a built front end (`dist/`): the initial JS its `index.html` loads, and the page weight.

Sizes are what a CDN would send: gzip at level 9 (as bundlesize and size-limit measure) and brotli at
quality 11 (static pre-compression). "Initial JS" is every script and modulepreload `index.html`
references; lazily imported chunks are not initial. Page weight counts text at its gzip size and
binary assets (images, fonts) as they are.
"""

import gzip
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import brotli

TEXT_SUFFIXES = {
    ".html",
    ".htm",
    ".js",
    ".mjs",
    ".css",
    ".svg",
    ".json",
    ".txt",
    ".xml",
    ".map",
    ".webmanifest",
}


@dataclass(slots=True)
class AssetSize:
    path: str  # relative to dist
    kind: str  # script, style, image, font, document, other
    bytes_raw: int
    bytes_gzip: int
    bytes_brotli: int

    @property
    def bytes_transfer(self) -> int:
        """What the page pays on the wire: gzip for text, raw for already-compressed binaries."""
        return self.bytes_gzip if Path(self.path).suffix.lower() in TEXT_SUFFIXES else self.bytes_raw


@dataclass(slots=True)
class BundleMeasurement:
    dist_dir: Path
    entry: str | None
    initial_js: list[AssetSize] = field(default_factory=list)
    page_assets: list[AssetSize] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def js_gzip_bytes(self) -> int:
        return sum(asset.bytes_gzip for asset in self.initial_js)

    @property
    def js_brotli_bytes(self) -> int:
        return sum(asset.bytes_brotli for asset in self.initial_js)

    @property
    def page_weight_bytes(self) -> int:
        return sum(asset.bytes_transfer for asset in self.page_assets)


class _References(HTMLParser):
    """Collects the URLs an HTML page loads, with the kind of each."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        rel = a.get("rel", "").lower().split()
        if tag == "script" and a.get("src"):
            self.refs.append(("script", a["src"]))
        elif tag == "link" and a.get("href"):
            if "stylesheet" in rel:
                self.refs.append(("style", a["href"]))
            elif "modulepreload" in rel or ("preload" in rel and a.get("as") == "script"):
                self.refs.append(("script", a["href"]))
            elif "preload" in rel and a.get("as") == "font":
                self.refs.append(("font", a["href"]))
            elif "icon" in rel or "preload" in rel:
                self.refs.append(("image", a["href"]))
        elif tag in ("img", "source") and (a.get("src") or a.get("srcset")):
            src = a.get("src") or a.get("srcset", "").split(",")[0].strip().split(" ")[0]
            if src:
                self.refs.append(("image", src))


def referenced_urls(html: str) -> list[tuple[str, str]]:
    """(kind, url) of everything an HTML page loads: scripts, styles, preloads, icons, images."""
    parser = _References()
    parser.feed(html)
    return parser.refs


def measure_file(dist: Path, path: Path, kind: str) -> AssetSize:
    data = path.read_bytes()
    return AssetSize(
        path=path.relative_to(dist).as_posix(),
        kind=kind,
        bytes_raw=len(data),
        bytes_gzip=len(gzip.compress(data, compresslevel=9, mtime=0)),
        bytes_brotli=len(brotli.compress(data, quality=11)),
    )


def measure_dist(dist: Path, entry: str = "index.html") -> BundleMeasurement:
    """Measure the initial JS and page weight of a built site whose entry page is `entry`."""
    result = BundleMeasurement(dist_dir=dist, entry=None)
    entry_path = dist / entry
    if not entry_path.is_file():
        result.notes.append(f"no {entry} in {dist.name}/: counted every .js file as initial JS")
        for path in sorted(dist.rglob("*.js")):
            result.initial_js.append(measure_file(dist, path, "script"))
        result.page_assets = list(result.initial_js)
        return result
    result.entry = entry
    parser = _References()
    parser.feed(entry_path.read_text(encoding="utf-8", errors="replace"))
    result.page_assets.append(measure_file(dist, entry_path, "document"))
    seen: set[Path] = set()
    for kind, url in parser.refs:
        parts = urlsplit(url)
        if parts.scheme in ("http", "https") or url.startswith("//"):
            result.notes.append(f"{url} is on another origin: not measured")
            continue
        if parts.scheme == "data":
            continue
        relative = parts.path.lstrip("/")
        target = (dist / relative if parts.path.startswith("/") else entry_path.parent / relative).resolve()
        if dist.resolve() not in target.parents or not target.is_file():
            result.notes.append(f"{url} is referenced by {entry} but not found in {dist.name}/")
            continue
        if target in seen:
            continue
        seen.add(target)
        asset = measure_file(dist, target, kind)
        result.page_assets.append(asset)
        if kind == "script":
            result.initial_js.append(asset)
    return result
