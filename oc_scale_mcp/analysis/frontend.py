"""Judge a built front end (`dist/`) for scale: initial JS against its budget, code splitting, image
formats and sizes, lazy loading. Measurements come from `bundle.measure_dist`."""

from html.parser import HTMLParser
from pathlib import Path

from oc_scale_mcp.analysis.bundle import BundleMeasurement
from oc_scale_mcp.analysis.kinds import finding
from oc_scale_mcp.core.models import Finding, Severity

LEGACY_IMAGES = {".png", ".jpg", ".jpeg", ".gif", ".bmp"}
LARGE_IMAGE_BYTES = 100 * 1024


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[tuple[str, bool, int]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            a = {k: v or "" for k, v in attrs}
            self.images.append((a.get("src", ""), a.get("loading", "").lower() == "lazy", self.getpos()[0]))


def frontend_findings(dist: Path, bundle: BundleMeasurement, js_budget: float, page_budget: float) -> list[Finding]:
    found: list[Finding] = []
    prefix = dist.name
    js = bundle.js_gzip_bytes
    if js >= js_budget:
        found.append(
            finding(
                "fe.bundle-over-budget",
                f"{prefix}/: {js / 1024:.1f} KB gzip of initial JS "
                f"(budget {js_budget / 1024:.0f} KB) in {len(bundle.initial_js)} file(s)",
            )
        )
    elif js >= 0.9 * js_budget:
        found.append(
            finding(
                "fe.bundle-near-budget",
                f"{prefix}/: {js / 1024:.1f} KB gzip of initial JS "
                f"({js / js_budget:.0%} of the {js_budget / 1024:.0f} KB budget)",
            )
        )
    chunks = sorted(dist.rglob("*.js"))
    dynamic = any(b"import(" in path.read_bytes() for path in chunks)
    if len(chunks) <= 1 and js > 30 * 1024 and not dynamic:
        found.append(
            finding("fe.no-code-splitting", f"{prefix}/: one JS chunk ({js / 1024:.1f} KB gzip), no dynamic import()")
        )
    if bundle.page_weight_bytes >= page_budget:
        found.append(
            finding(
                "fe.page-weight-over-budget",
                f"{prefix}/{bundle.entry or ''}: "
                f"{bundle.page_weight_bytes / 1024:.1f} KB transferred (budget {page_budget / 1024:.0f} KB)",
            )
        )
    for path in sorted(dist.rglob("*")):
        if path.suffix.lower() in LEGACY_IMAGES and path.stat().st_size > LARGE_IMAGE_BYTES:
            size = path.stat().st_size
            modern = any(path.with_suffix(s).exists() for s in (".webp", ".avif"))
            found.append(
                finding(
                    "fe.image-unoptimized",
                    f"{path.relative_to(dist.parent).as_posix()}: "
                    f"{size / 1024:.0f} KB {path.suffix[1:].upper()}" + ("" if modern else ", no WebP/AVIF version"),
                    severity=Severity.HIGH if size > 4 * LARGE_IMAGE_BYTES else None,
                )
            )
    entry = dist / (bundle.entry or "index.html")
    if entry.is_file():
        parser = _Images()
        parser.feed(entry.read_text(errors="replace"))
        for src, lazy, line in parser.images:
            if not lazy:
                found.append(
                    finding(
                        "fe.image-not-lazy", f'{prefix}/{entry.name}:{line}: <img src="{src}"> without loading="lazy"'
                    )
                )
    return found
