"""Reading uploaded photos and multipart JSON parts into the shapes the work services take (pages and API alike)."""

from __future__ import annotations

from typing import TypeVar

from litestar.datastructures import UploadFile
from pydantic import BaseModel, ValidationError

from tracker.domain.errors import InvalidInput
from tracker.domain.work.schemas import (
    UploadedPhoto,
)
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


async def uploaded(files: list[UploadFile] | UploadFile | None) -> list[UploadedPhoto]:
    if files is None:
        return []
    items = files if isinstance(files, list) else [files]
    return [UploadedPhoto(filename=f.filename or "", content=await f.read()) for f in items if f.filename]
