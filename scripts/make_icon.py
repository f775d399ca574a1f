"""Draw the app icon with Qt (offscreen) and write resources/icon.png and resources/icon.ico.

The icon: a dark blue rounded square with three white bars rising left to right (a report of figures),
the last bar ticked in green. Drawn as vectors at every size, so 16 px stays crisp. The .ico holds one
PNG image per size (the format Windows has read since Vista); build.spec gives it to both executables.

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/make_icon.py   (the outputs are committed)
"""
from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt  # noqa: E402
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QPainterPath, QPen  # noqa: E402

ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
BLUE = QColor("#1F4E79")
GREEN = QColor("#2E8B57")


def draw_icon(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 16.0  # draw on a 16-unit grid, scaled
    background = QPainterPath()
    background.addRoundedRect(QRectF(0.5 * s, 0.5 * s, 15 * s, 15 * s), 3 * s, 3 * s)
    painter.fillPath(background, BLUE)
    for i, height in enumerate((3.5, 5.5, 7.5)):
        x = (3.0 + i * 3.5) * s
        painter.fillRect(QRectF(x, (13.0 - height) * s, 2.5 * s, height * s), Qt.GlobalColor.white)
    if size >= 24:  # the tick is lost at 16 px; the bars alone read as "figures"
        pen = QPen(GREEN, 1.6 * s, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.drawPolyline([QPointF(9.4 * s, 3.3 * s), QPointF(10.8 * s, 4.6 * s), QPointF(13.3 * s, 2.0 * s)])
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data)


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An ICO file of PNG-compressed images: ICONDIR, one 16-byte ICONDIRENTRY per image, then the PNGs."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = len(header) + 16 * len(pngs)
    entries, blobs = b"", b""
    for size, png in sorted(pngs.items()):
        dimension = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        entries += struct.pack("<BBBBHHII", dimension, dimension, 0, 0, 1, 32, len(png), offset)
        offset += len(png)
        blobs += png
    return header + entries + blobs


def main(out_dir: Path) -> None:
    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])  # noqa: F841 (QImage needs it)
    pngs = {size: png_bytes(draw_icon(size)) for size in ICO_SIZES}
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "icon.ico").write_bytes(ico_bytes(pngs))
    (out_dir / "icon.png").write_bytes(pngs[256])
    print(f"wrote {out_dir / 'icon.ico'} ({len(pngs)} sizes) and {out_dir / 'icon.png'}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "resources")
