"""A record's photo and its thumbnail, for those who may see the record (the service checks)."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import File

from tracker.domain.work.records import RecordService

# Never kept by the browser: a phone is often shared, and a photo must not outlive the sign-out.
PHOTO_CACHE = "no-store"


def _file(path: str, content_type: str) -> File:
    return File(
        path=path,
        media_type=content_type,
        content_disposition_type="inline",
        headers={"cache-control": PHOTO_CACHE},
    )


class PhotoPages(Controller):
    path = "/photos/{photo_id:int}"
    include_in_schema = False

    @get("/", name="photo")
    async def photo(self, records: NamedDependency[RecordService], photo_id: FromPath[int]) -> File:
        found = await records.photo(photo_id, thumbnail=False)
        return _file(found.path, found.content_type)

    @get("/thumb", name="photo_thumb")
    async def thumbnail(self, records: NamedDependency[RecordService], photo_id: FromPath[int]) -> File:
        found = await records.photo(photo_id, thumbnail=True)
        return _file(found.path, found.content_type)
