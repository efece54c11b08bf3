"""The README's pictures: every one it links is drawn by `python -m viz.gallery`, as a valid 150 dpi PNG."""

import pathlib
import re
import struct
import subprocess
import sys
import zlib

import pytest

from viz import gallery
from viz.draw.render import BITMAP_MAX_PIXELS, pipe

ROOT = pathlib.Path(__file__).resolve().parents[2]
LINKED = re.compile(r"notebooks/pictures/([^)\s\"'>]+)")


def chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """A PNG's chunks as (type, body), each checked against its CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:8]
    found, at = [], 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        kind, body = data[at + 4:at + 8], data[at + 8:at + 8 + length]
        (crc,) = struct.unpack(">I", data[at + 8 + length:at + 12 + length])
        assert zlib.crc32(kind + body) == crc, kind
        found.append((kind, body))
        at += 12 + length
    return found


def test_every_picture_the_readme_links_is_one_the_gallery_writes():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    linked = LINKED.findall(readme)
    missing = sorted(set(linked) - set(gallery.PICTURES))
    assert not missing, f"README links pictures that `python -m viz.gallery` does not draw: {missing}"
    folder = ROOT / "notebooks" / "pictures"
    stale = sorted(p.name for p in folder.glob("*")) if folder.is_dir() else []
    assert set(stale) <= set(gallery.PICTURES), f"pictures no command draws: {stale}"


@pytest.mark.slow
def test_the_gallery_writes_valid_png_at_150_dpi(tmp_path):
    done = subprocess.run([sys.executable, "-m", "viz.gallery", str(tmp_path)], capture_output=True,
                          text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(tmp_path / name) for name in gallery.PICTURES]
    for name, (draw, _) in gallery.PICTURES.items():
        parts = chunks((tmp_path / name).read_bytes())
        kinds = [kind for kind, _ in parts]
        assert kinds[0] == b"IHDR" and kinds[-1] == b"IEND" and b"IDAT" in kinds, name
        width, height = struct.unpack(">II", parts[0][1][:8])
        pixels = zlib.decompress(b"".join(body for kind, body in parts if kind == b"IDAT"))
        assert len(pixels) == height * (1 + 4 * width), name  # RGBA rows, each with its filter byte
        svg = pipe(draw(), "svg").decode()
        points = float(re.search(r'<svg width="([\d.]+)pt"', svg).group(1))
        if max(width, height) < BITMAP_MAX_PIXELS - 2:  # not shrunk by the size cap
            assert abs(width - points * 150 / 72) <= 2, (name, width, points)


def test_the_links_it_prints_for_the_readme_are_its_pictures():
    """`python -m viz.gallery --markdown` prints what README pastes; the README check reads the same form."""
    links = gallery.markdown()
    assert LINKED.findall(links) == list(gallery.PICTURES)
    assert all(line.startswith("![") and line.endswith(".png)") for line in links.splitlines())
