"""Photos of records: checked by decoding, re-encoded without metadata, stored by content hash.

- `prepare_photos(uploads, max_bytes) -> list[PreparedPhoto]`: every upload checked before any
  is kept: at most `MAX_PHOTOS`, each at most `max_bytes`, each an image Pillow decodes fully
  (the name and the declared type count for nothing). Anything else is InvalidInput with a
  message under the field "photos" naming the file. CPU-bound and memory-hungry (a few kilobytes
  of PNG may decode to 50 million pixels): `prepare_photos_off_loop` runs it in a worker thread,
  at most `MAX_CONCURRENT_DECODES` at once per event loop (one loop per server process), and the
  records service calls it before it takes any database lock.
- `record_body_bytes(max_photo_bytes)`: the largest request a record with photos may be, for the
  configured photo size (create_app sizes the upload routes' body limit with it).
- Each accepted image is turned upright (EXIF orientation), flattened onto white if it has
  transparency, shrunk to at most `MAX_EDGE_PX` on its long side, and re-encoded as JPEG
  (quality `JPEG_QUALITY`) with no EXIF, GPS, XMP, ICC or comment: nothing of the original file
  but its pixels is kept. A `THUMBNAIL_PX` JPEG thumbnail goes with it.
- `store_photo(photo_dir, digest, content)`: writes `photo_dir/ab/cdef….jpg` (the SHA-256 of the
  stored bytes) atomically, once; the same picture uploaded twice is one file. Files are
  written before the database commits: if the commit fails, the files left behind are
  harmless (nothing points to them, and the next upload of the same picture reuses them).
- `photo_path(photo_dir, digest)`: where a stored photo is.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import anyio
import anyio.to_thread
from anyio.lowlevel import RunVar
from PIL import Image, ImageOps, UnidentifiedImageError

from tracker.config import MAX_PHOTO_MB_CEILING
from tracker.domain.errors import InvalidInput
from tracker.domain.work.schemas import UploadedPhoto
from tracker.i18n import _

MAX_PHOTOS = 9
MB = 1024 * 1024
RECORD_PART_BYTES = MB  # the record's own fields and the multipart framing, beside the photos
MAX_CONCURRENT_DECODES = 2
MAX_PIXELS = 50_000_000  # a 50-megapixel picture is the largest a phone takes
MAX_EDGE_PX = 2560
THUMBNAIL_PX = 320
JPEG_QUALITY = 85
THUMBNAIL_QUALITY = 80
CONTENT_TYPE = "image/jpeg"
ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "GIF", "BMP", "TIFF"})


def record_body_bytes(max_photo_bytes: int) -> int:
    """The largest request a record with photos may be: `MAX_PHOTOS` photos of `max_photo_bytes`, and
    the record itself. The service then applies the per-photo limit to each."""
    return MAX_PHOTOS * max_photo_bytes + RECORD_PART_BYTES


# The ceiling the upload routes declare (nine photos at the largest size the settings allow);
# the body limit in force is `record_body_bytes` of the configured size (web/body_limit.py).
MAX_RECORD_BODY_BYTES = record_body_bytes(MAX_PHOTO_MB_CEILING * MB)


@dataclass(frozen=True)
class PreparedPhoto:
    content: bytes
    thumbnail: bytes
    width: int
    height: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def thumb_sha256(self) -> str:
        return hashlib.sha256(self.thumbnail).hexdigest()


class PhotoRefused(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _decode(content: bytes, name: str) -> Image.Image:
    """Open, verify, then open again and decode every pixel (verify leaves the image unusable).

    Pillow's decompression-bomb warning becomes an error here (the filter is process-wide while
    it is set, but it concerns that one warning only)."""
    unreadable = PhotoRefused(_("%(name)s is not a picture we can read (JPEG, PNG, WebP, GIF)", name=name))
    too_large = PhotoRefused(_("%(name)s has too many pixels", name=name))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as probe:
                if probe.format not in ACCEPTED_FORMATS:
                    raise unreadable
                if probe.width * probe.height > MAX_PIXELS:
                    raise too_large
                probe.verify()
            image = Image.open(io.BytesIO(content))
            image.load()
    except PhotoRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise too_large from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as error:
        raise unreadable from error
    return image


def _upright_rgb(image: Image.Image) -> Image.Image:
    image = ImageOps.exif_transpose(image) or image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def _jpeg(image: Image.Image, quality: int) -> bytes:
    clean = Image.frombytes("RGB", image.size, image.tobytes())  # pixels only: no info, no EXIF, no ICC
    buffer = io.BytesIO()
    clean.save(buffer, format="JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


def prepare_photo(upload: UploadedPhoto, max_bytes: int) -> PreparedPhoto:
    """One upload checked and re-encoded; PhotoRefused (with a translated message) otherwise."""
    name = upload.filename or _("a photo")
    if len(upload.content) > max_bytes:
        size = format(max_bytes / (1024 * 1024), "g")
        raise PhotoRefused(_("%(name)s is larger than %(size)s MB", name=name, size=size))
    if not upload.content:
        raise PhotoRefused(_("%(name)s is empty", name=name))
    with _decode(upload.content, name) as decoded:
        image = _upright_rgb(decoded)
    if max(image.size) > MAX_EDGE_PX:
        image.thumbnail((MAX_EDGE_PX, MAX_EDGE_PX), Image.Resampling.LANCZOS)
    thumb = image.copy()
    thumb.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX), Image.Resampling.LANCZOS)
    return PreparedPhoto(
        content=_jpeg(image, JPEG_QUALITY),
        thumbnail=_jpeg(thumb, THUMBNAIL_QUALITY),
        width=image.width,
        height=image.height,
    )


def prepare_photos(uploads: Sequence[UploadedPhoto], max_bytes: int) -> list[PreparedPhoto]:
    """Every upload, or InvalidInput under "photos" naming what is wrong (nothing is kept then)."""
    if len(uploads) > MAX_PHOTOS:
        message = _("At most %(maximum)d photos per record", maximum=MAX_PHOTOS)
        raise InvalidInput(message, fields={"photos": message})
    prepared: list[PreparedPhoto] = []
    problems: list[str] = []
    for upload in uploads:
        try:
            prepared.append(prepare_photo(upload, max_bytes))
        except PhotoRefused as refused:
            problems.append(refused.message)
    if problems:
        message = "; ".join(problems)
        raise InvalidInput(message, fields={"photos": message})
    return prepared


_decode_limiter: RunVar[anyio.CapacityLimiter] = RunVar("tracker_photo_decodes")


def decode_limiter() -> anyio.CapacityLimiter:
    """The cap on records whose photos are decoded at once, one per event loop (a server process has one)."""
    try:
        return _decode_limiter.get()
    except LookupError:
        limiter = anyio.CapacityLimiter(MAX_CONCURRENT_DECODES)
        _decode_limiter.set(limiter)
        return limiter


async def prepare_photos_off_loop(uploads: Sequence[UploadedPhoto], max_bytes: int) -> list[PreparedPhoto]:
    """`prepare_photos` in a worker thread, behind the decode limiter: the event loop keeps serving,
    and a burst of heavy uploads waits its turn instead of holding every core and a gigabyte each."""
    if not uploads:
        return []
    return await anyio.to_thread.run_sync(prepare_photos, list(uploads), max_bytes, limiter=decode_limiter())


def photo_path(photo_dir: str | Path, digest: str) -> Path:
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        msg = f"not a SHA-256 digest: {digest!r}"
        raise ValueError(msg)
    return Path(photo_dir) / digest[:2] / f"{digest[2:]}.jpg"


def store_photo(photo_dir: str | Path, digest: str, content: bytes) -> Path:
    """Write the file once (atomically: a temporary file renamed into place)."""
    path = photo_path(photo_dir, digest)
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def store_prepared(photo_dir: str | Path, photos: Sequence[PreparedPhoto]) -> None:
    for photo in photos:
        store_photo(photo_dir, photo.sha256, photo.content)
        store_photo(photo_dir, photo.thumb_sha256, photo.thumbnail)
