"""Renders CoachDesk's icon, coachdesk/resources/icons/coachdesk.svg, into the files each platform
needs, beside it:

    coachdesk-16.png … coachdesk-512.png   the window icon (Qt) and Linux's hicolor theme
    coachdesk.ico                           the Windows executables and the installer (16–256 px)
    coachdesk.icns                          the macOS app bundle (32–1024 px)

Run it after changing the SVG and commit what it writes (the builds use the committed files, so
building an installer needs neither this script nor Pillow):

    QT_QPA_PLATFORM=offscreen build/venv/bin/python installers/make_icons.py

It draws with Qt's SVG renderer (PySide6 is already the app's dependency) and writes ICO and
ICNS with Pillow, which the `build` extra installs; the app itself needs neither at run time."""

from __future__ import annotations

import io
import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parent.parent / "coachdesk" / "resources" / "icons"
SVG = ICONS / "coachdesk.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)  # also the hicolor theme's folders the .deb fills
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
ICO_BITMAP_UP_TO = 48  # sizes up to this are stored as bitmaps in the ICO, larger ones as PNG
ICNS_SIZES = (32, 64, 128, 256, 512, 1024)


def render(renderer: QSvgRenderer, size: int) -> Image.Image:
    """The SVG drawn at size×size pixels, antialiased, on a transparent background."""
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return Image.open(io.BytesIO(bytes(data))).convert("RGBA")


def ico_frames(images: list[Image.Image], bitmap_format: str) -> list[tuple[bytes, bytes]]:
    """Each image as an ICO directory entry (without its offset) and its data, as Pillow writes them."""
    out = io.BytesIO()
    images[-1].save(
        out, "ICO", sizes=[im.size for im in images], append_images=images[:-1], bitmap_format=bitmap_format
    )
    data = out.getvalue()
    count = struct.unpack_from("<H", data, 4)[0]
    frames = []
    for i in range(count):
        entry = data[6 + 16 * i : 6 + 16 * (i + 1)]
        size, offset = struct.unpack_from("<II", entry, 8)
        frames.append((entry[:12], data[offset : offset + size]))
    return frames


def write_ico(path: Path, rendered: dict[int, Image.Image]) -> None:
    """Small sizes as 32-bit bitmaps (what every Windows tool reads), large ones PNG-compressed (Vista on)."""
    small = [rendered[s] for s in ICO_SIZES if s <= ICO_BITMAP_UP_TO]
    large = [rendered[s] for s in ICO_SIZES if s > ICO_BITMAP_UP_TO]
    frames = ico_frames(small, "bmp") + ico_frames(large, "png")
    header = struct.pack("<HHH", 0, 1, len(frames))
    offset = len(header) + 16 * len(frames)
    directory, payload = b"", b""
    for entry, data in frames:
        directory += entry + struct.pack("<I", offset + len(payload))
        payload += data
    path.write_bytes(header + directory + payload)


def main() -> int:
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        print(f"make_icons: {SVG} is not a valid SVG", file=sys.stderr)
        return 1
    rendered = {size: render(renderer, size) for size in sorted({*PNG_SIZES, *ICO_SIZES, *ICNS_SIZES})}
    for size in PNG_SIZES:
        rendered[size].save(ICONS / f"coachdesk-{size}.png", optimize=True)
    write_ico(ICONS / "coachdesk.ico", rendered)
    largest_icns = rendered[max(ICNS_SIZES)]
    largest_icns.save(ICONS / "coachdesk.icns", append_images=[rendered[s] for s in ICNS_SIZES])
    for written in sorted(ICONS.iterdir()):
        print(f"{written.relative_to(ICONS.parent.parent.parent)}  {written.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
