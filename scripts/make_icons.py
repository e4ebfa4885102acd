"""Draw the app's icons (static/icons/*.png) for the web app manifest, once, with Pillow.

    .venv/bin/python scripts/make_icons.py

A white ledger page with a tick on the brand red (app.css --accent). `icon-192.png` and
`icon-512.png` are rounded squares ("any"); `icon-maskable-512.png` fills the whole square and keeps
the drawing inside the central 80 % circle that launchers may crop to ("maskable"). The PNGs are
committed; run this again only to change the drawing.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

RED = (179, 38, 30, 255)  # #b3261e
WHITE = (255, 255, 255, 255)
LINE = (214, 219, 225, 255)
GREEN = (30, 123, 60, 255)  # #1e7b3c, app.css --green
ICONS = Path(__file__).resolve().parent.parent / "static" / "icons"
SCALE = 4  # drawn 4x and scaled down: smooth edges


def draw(size: int, *, maskable: bool) -> Image.Image:
    big = size * SCALE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if maskable:
        pen.rectangle((0, 0, big, big), fill=RED)
        content = 0.62  # of the side: inside the 80 % safe circle
    else:
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 0.2, fill=RED)
        content = 0.7
    side = big * content
    left, top = (big - side * 0.78) / 2, (big - side) / 2
    right, bottom = left + side * 0.78, top + side
    pen.rounded_rectangle((left, top, right, bottom), radius=side * 0.08, fill=WHITE)
    inner = side * 0.14
    for row in range(3):  # the ledger's lines
        y = top + side * (0.22 + row * 0.16)
        pen.rounded_rectangle(
            (left + inner, y, right - inner, y + side * 0.055), radius=side * 0.03, fill=LINE
        )
    tick = [
        (left + side * 0.2, top + side * 0.74),
        (left + side * 0.34, top + side * 0.86),
        (left + side * 0.6, top + side * 0.6),
    ]
    pen.line(tick, fill=GREEN, width=int(side * 0.075), joint="curve")
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    for name, size, maskable in (
        ("icon-192.png", 192, False),
        ("icon-512.png", 512, False),
        ("icon-maskable-512.png", 512, True),
    ):
        draw(size, maskable=maskable).save(ICONS / name, optimize=True)
        print(ICONS / name)


if __name__ == "__main__":
    main()
