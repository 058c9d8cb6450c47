"""After-sale photos: checked by their content (not their name or declared type), size and
dimensions, then re-encoded as JPEG with no metadata, so a phone's location (EXIF GPS) never
leaves the shopper's hands and a file that merely claims to be an image is refused."""
from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from app.errors import InvalidRequest
from app.i18n import _

ACCEPTED = {"JPEG", "PNG", "WEBP", "GIF", "MPO"}   # MPO: what many phone cameras write (JPEG inside)
MIN_SIDE, MAX_SIDE = 64, 10_000
MAX_PIXELS = 40_000_000                               # refuse decompression bombs before decoding
STORED_SIDE = 2048                                    # stored photos are scaled to fit this
MAX_PHOTOS = 6


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    content_type: str
    width: int
    height: int


class BadPhoto(InvalidRequest):
    code = "invalid_photo"


def clean(raw: bytes, max_bytes: int) -> CleanPhoto:
    """Check and re-encode an uploaded photo; a bad one raises BadPhoto (422) saying why."""
    if not raw:
        raise BadPhoto(_("The photo is empty"))
    if len(raw) > max_bytes:
        raise BadPhoto(_("The photo is larger than %(limit)s MB", limit=max_bytes // (1024 * 1024) or 1),
                       code="photo_too_large", details={"max_bytes": max_bytes})
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            kind, (width, height) = probe.format, probe.size
            if kind not in ACCEPTED:
                raise BadPhoto(_("Send a JPEG, PNG, WebP or GIF photo"), code="photo_type_not_allowed")
            if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE or min(width, height) < MIN_SIDE:
                raise BadPhoto(_("The photo must be between %(min)s and %(max)s pixels on each side",
                                 min=MIN_SIDE, max=MAX_SIDE), code="photo_dimensions",
                               details={"width": width, "height": height})
            probe.load()
            image = ImageOps.exif_transpose(probe).convert("RGB")  # keep the view upright, drop the rest
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise BadPhoto(_("The file is not a photo we can read")) from exc
    image.thumbnail((STORED_SIDE, STORED_SIDE))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, optimize=True)  # no exif= and no info: nothing else is written
    return CleanPhoto(out.getvalue(), "image/jpeg", image.width, image.height)
