"""Reading uploaded photos and multipart JSON parts into the shapes the work services take (pages and API alike)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from litestar.datastructures import UploadFile
from pydantic import BaseModel, ValidationError

from tracker.domain.errors import InvalidInput
from tracker.domain.work.schemas import UploadedPhoto
from tracker.i18n import _

M = TypeVar("M", bound=BaseModel)


def parse_part(model: type[M], text: str | bytes | None, part: str) -> M:
    """A multipart part holding JSON, read as `model`; InvalidInput with `part.field` messages otherwise."""
    try:
        return model.model_validate_json(text or b"")
    except ValidationError as error:
        fields: dict[str, str] = {}
        for problem in error.errors():
            location = ".".join(str(item) for item in problem["loc"])
            fields[f"{part}.{location}" if location else part] = problem["msg"]
        message = _("Some fields are not valid")
        raise InvalidInput(message, fields=fields or {part: message}) from error


async def uploaded(files: Sequence[object] | UploadFile | None) -> list[UploadedPhoto]:
    """The chosen files, for the page's photo input and the API's `photos` part alike: a part with
    no file chosen (no name, or nothing in it) is none; anything else goes to the service's checks."""
    if files is None:
        return []
    items = files if isinstance(files, Sequence) else [files]
    photos = []
    for item in items:
        if isinstance(item, UploadFile) and item.filename:
            content = await item.read()
            if content:
                photos.append(UploadedPhoto(filename=item.filename, content=content))
    return photos
