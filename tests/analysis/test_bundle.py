"""The built front end is measured as a CDN would send it."""

import gzip
from pathlib import Path

import brotli

from oc_scale_mcp.analysis.bundle import measure_dist
from tests.conftest import EXAMPLE


def test_the_example_dist_initial_js_is_the_script_index_html_loads():
    dist = EXAMPLE / "dist"
    result = measure_dist(dist)
    assert [a.path for a in result.initial_js] == ["assets/index-4XTVzzus.js"]
    data = (dist / "assets/index-4XTVzzus.js").read_bytes()
    assert result.js_gzip_bytes == len(gzip.compress(data, compresslevel=9, mtime=0))
    assert result.js_brotli_bytes == len(brotli.compress(data, quality=11))
    assert result.js_brotli_bytes < result.js_gzip_bytes < len(data)


def test_page_weight_counts_text_gzipped_and_images_raw():
    dist = EXAMPLE / "dist"
    result = measure_dist(dist)
    kinds = {a.path: a.kind for a in result.page_assets}
    assert kinds == {
        "index.html": "document",
        "assets/index-4XTVzzus.js": "script",
        "assets/index-C4vFzC0a.css": "style",
        "favicon.svg": "image",
        "hero.png": "image",
    }
    png = (dist / "hero.png").stat().st_size
    assert result.page_weight_bytes == png + sum(a.bytes_gzip for a in result.page_assets if a.path != "hero.png")


def test_lazy_chunks_and_other_origins_are_not_initial(tmp_path: Path):
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "app-1a2b3c4d.js").write_text("import('./lazy-9z8y7x6w.js');" * 50)
    (tmp_path / "assets" / "lazy-9z8y7x6w.js").write_text("export const x = 1;" * 500)
    (tmp_path / "assets" / "vendor-aaaa1111.js").write_text("var v=1;" * 100)
    (tmp_path / "index.html").write_text(
        '<script type="module" src="./assets/app-1a2b3c4d.js"></script>'
        '<link rel="modulepreload" href="/assets/vendor-aaaa1111.js">'
        '<script src="https://cdn.example.com/lib.js"></script><img src="/missing.png">'
    )
    result = measure_dist(tmp_path)
    assert sorted(a.path for a in result.initial_js) == [
        "assets/app-1a2b3c4d.js",
        "assets/vendor-aaaa1111.js",
    ]
    assert any("another origin" in n for n in result.notes)
    assert any("/missing.png" in n for n in result.notes)


def test_without_index_html_every_script_counts(tmp_path: Path):
    (tmp_path / "a.js").write_text("let a = 1;")
    (tmp_path / "b.js").write_text("let b = 2;")
    result = measure_dist(tmp_path)
    assert len(result.initial_js) == 2 and "no index.html" in result.notes[0]
