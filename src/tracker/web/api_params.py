"""What the JSON API's handlers share: the `year` query parameter and the errors each kind of route
may answer (declared for the OpenAPI schema)."""

from __future__ import annotations

from typing import Annotated

from litestar.exceptions import (
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.params import QueryParameter

from tracker.domain.clock import FIRST_YEAR, LAST_YEAR

# One of the years the tracker reasons about, or none for the current one.
Year = Annotated[
    int | None,
    QueryParameter(ge=FIRST_YEAR, le=LAST_YEAR, description=f"a year, {FIRST_YEAR} to {LAST_YEAR}"),
]
READ_ERRORS = [NotAuthorizedException, NotFoundException]
WRITE_ERRORS = [NotAuthorizedException, PermissionDeniedException, NotFoundException, ValidationException]
