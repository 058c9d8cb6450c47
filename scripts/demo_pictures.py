"""Render the demo store's pictures into static/demo/ (committed; run again only to change them).

    .venv/bin/python scripts/demo_pictures.py [--assets DIR]

Each product picture is its Fluent Emoji 3D artwork (Microsoft, MIT; the npm package
@lobehub/fluent-emoji-3d 1.1.0, fetched with `npm pack` unless --assets names its unpacked
assets/ folder) composed with Pillow onto a background tinted by the product's category, with a soft
shadow: 400 x 400 WebP. Share-post pictures put a few products on a plate on a wooden table. No
text is drawn, so the pictures serve every language. The product list and the artwork each uses
are in app/demo/catalogue.py; static/demo/LICENSES.md carries the licences.
"""
from __future__ import annotations

import argparse
import io
import random
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.demo.catalogue import CATEGORIES, PRODUCTS  # noqa: E402
from app.demo.posts_data import POST_PICTURES  # noqa: E402

PACKAGE = "@lobehub/fluent-emoji-3d@1.1.0"
SIZE = 400
POST_SIZE = (560, 420)


def fetch_assets(workdir: Path) -> Path:
    """The artwork from the npm registry (npm pack downloads the tarball only; nothing is installed)."""
    subprocess.run(["npm", "pack", PACKAGE, "--pack-destination", str(workdir), "--silent"], check=True,
                   stdout=subprocess.DEVNULL)
    tarball = next(workdir.glob("*.tgz"))
    with tarfile.open(tarball) as archive:
        archive.extractall(workdir, filter="data")
    return workdir / "package" / "assets"


def emoji(assets: Path, code: str, size: int) -> Image.Image:
    art = Image.open(assets / f"{code}.webp").convert("RGBA")
    return art.resize((size, size), Image.Resampling.LANCZOS)


def lighter(rgb: tuple[int, int, int], amount: float) -> tuple[int, int, int]:
    return tuple(round(c + (255 - c) * amount) for c in rgb)


def background(tint: tuple[int, int, int], size: tuple[int, int]) -> Image.Image:
    """A vertical wash from a pale version of the tint to the tint, with a soft light behind the product."""
    w, h = size
    top, bottom = lighter(tint, 0.65), tint
    wash = Image.new("RGB", (1, h))
    for y in range(h):
        t = y / (h - 1)
        wash.putpixel((0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    image = wash.resize((w, h)).convert("RGBA")
    glow = Image.new("L", (w, h), 0)
    ImageDraw.Draw(glow).ellipse((w * 0.18, h * 0.12, w * 0.82, h * 0.78), fill=120)
    glow = glow.filter(ImageFilter.GaussianBlur(w / 9))
    image.paste(Image.new("RGBA", (w, h), (255, 255, 255, 255)), (0, 0), glow)
    return image


def shadow(image: Image.Image, box: tuple[float, float, float, float], strength: int = 70) -> None:
    layer = Image.new("L", image.size, 0)
    ImageDraw.Draw(layer).ellipse(box, fill=strength)
    layer = layer.filter(ImageFilter.GaussianBlur(12))
    image.paste(Image.new("RGBA", image.size, (60, 40, 30, 255)), (0, 0), layer)


def placements(art: tuple[str, ...]) -> list[tuple[str, int, int, int]]:
    """(code, size, centre x, centre y) back to front: one hero, a pair, or a cluster of three."""
    c = SIZE // 2
    if len(art) == 1:
        return [(art[0], 270, c, c - 8)]
    if len(art) == 2 and art[0] == art[1]:
        return [(art[0], 220, c - 48, c - 30), (art[1], 220, c + 52, c + 22)]
    if len(art) == 2:
        return [(art[0], 260, c - 22, c - 18), (art[1], 150, c + 100, c + 90)]
    return [(art[1], 180, c - 78, c - 44), (art[2], 180, c + 78, c - 44), (art[0], 200, c, c + 40)]


def product_picture(assets: Path, art: tuple[str, ...], tint: tuple[int, int, int]) -> Image.Image:
    image = background(tint, (SIZE, SIZE))
    shadow(image, (SIZE * 0.2, SIZE * 0.78, SIZE * 0.8, SIZE * 0.9))
    for code, size, x, y in placements(art):
        image.alpha_composite(emoji(assets, code, size), (x - size // 2, y - size // 2))
    return image.convert("RGB")


def table(size: tuple[int, int], rng: random.Random) -> Image.Image:
    """Warm wooden planks with a little grain: the table a neighbour took the photo on."""
    w, h = size
    image = Image.new("RGB", size, (181, 129, 86))
    draw = ImageDraw.Draw(image)
    plank = h // 4
    for i in range(5):
        shade = rng.randint(-14, 14)
        draw.rectangle((0, i * plank, w, (i + 1) * plank), fill=(181 + shade, 129 + shade, 86 + shade))
        draw.line((0, i * plank, w, i * plank), fill=(140, 96, 60), width=2)
        for _ in range(14):
            y = i * plank + rng.randint(4, plank - 4)
            draw.line((rng.randint(0, w // 2), y, rng.randint(w // 2, w), y + rng.randint(-2, 2)),
                      fill=(164 + shade, 114 + shade, 74 + shade), width=1)
    return image.filter(ImageFilter.GaussianBlur(0.6)).convert("RGBA")


def post_picture(assets: Path, art: tuple[str, ...], seed: int) -> Image.Image:
    rng = random.Random(seed)
    w, h = POST_SIZE
    image = table(POST_SIZE, rng)
    plate = (w * 0.16, h * 0.2, w * 0.84, h * 0.92)
    shadow(image, (plate[0] + 10, plate[1] + 24, plate[2] + 10, plate[3] + 16), 110)
    draw = ImageDraw.Draw(image)
    draw.ellipse(plate, fill=(250, 250, 247))
    draw.ellipse((w * 0.24, h * 0.3, w * 0.76, h * 0.82), fill=(240, 240, 236))
    items = list(art) * (3 // len(art) + 1)
    for n, code in enumerate(items[:3]):
        size = 190 if n < 2 else 170
        x = int(w * (0.38 + 0.24 * n) if n < 2 else w * 0.5) + rng.randint(-10, 10)
        y = int(h * 0.48 if n < 2 else h * 0.62) + rng.randint(-8, 8)
        piece = emoji(assets, code, size).rotate(rng.randint(-18, 18), resample=Image.Resampling.BICUBIC)
        image.alpha_composite(piece, (x - size // 2, y - size // 2))
    if rng.random() < 0.7:  # a leaf for garnish, as food photos have
        image.alpha_composite(emoji(assets, "1f33f", 90).rotate(rng.randint(0, 90)), (int(w * 0.74), int(h * 0.08)))
    return image.convert("RGB")


def save(image: Image.Image, path: Path) -> int:
    buffer = io.BytesIO()
    image.save(buffer, "WEBP", quality=80, method=6)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())
    return len(buffer.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=Path, help="the unpacked package's assets/ folder (default: npm pack)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        assets = args.assets or fetch_assets(Path(tmp))
        tints = {c.key: c.tint for c in CATEGORIES}
        total = 0
        for product in PRODUCTS:
            total += save(product_picture(assets, product.art, tints[product.category]),
                          ROOT / "static/demo/products" / f"{product.slug}.webp")
        for n, (name, art) in enumerate(POST_PICTURES):
            total += save(post_picture(assets, art, n), ROOT / "static/demo/posts" / f"{name}.webp")
    print(f"{len(PRODUCTS)} product and {len(POST_PICTURES)} share-post pictures, {total / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
