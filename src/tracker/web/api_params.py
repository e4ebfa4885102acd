"""What the JSON API's handlers share: the `year` query parameter, the paging parameters `limit` and
`offset` with the answer that carries the next page's link, and the errors each kind of route may
answer (declared for the OpenAPI schema).

Paging, the same on every list: `?limit=` (1 to MAX_LIMIT, DEFAULT_LIMIT unless given) rows from
`?offset=` (0 first). The handler asks its service for `limit + 1` rows (plain ints, SQL LIMIT and
OFFSET, never a count) and `paged()` answers the first `limit` as the usual JSON list, with
`Link: <…&offset=N>; rel="next"` (RFC 8288) when the extra row showed there is more.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from litestar import Request, Response
from litestar.datastructures import ResponseHeader
from litestar.exceptions import (
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.params import QueryParameter

from tracker.domain.clock import FIRST_YEAR, LAST_YEAR

T = TypeVar("T")

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
MAX_OFFSET = 1_000_000_000  # far past any list; keeps offset + limit + 1 a number every database takes

# One of the years the tracker reasons about, or none for the current one.
Year = Annotated[
    int | None,
    QueryParameter(ge=FIRST_YEAR, le=LAST_YEAR, description=f"a year, {FIRST_YEAR} to {LAST_YEAR}"),
]
Limit = Annotated[
    int, QueryParameter(ge=1, le=MAX_LIMIT, description=f"how many rows a page holds, 1 to {MAX_LIMIT}")
]
Offset = Annotated[
    int, QueryParameter(ge=0, le=MAX_OFFSET, description="how many rows to skip, 0 for the first page")
]
READ_ERRORS = [NotAuthorizedException, NotFoundException]
WRITE_ERRORS = [NotAuthorizedException, PermissionDeniedException, NotFoundException, ValidationException]
PAGED_READ_ERRORS = [*READ_ERRORS, ValidationException]
# Declared on every paged route so that the schema shows the header (the handler sets it).
NEXT_PAGE_HEADER = [
    ResponseHeader(
        name="Link",
        description='`<…?offset=N&limit=L>; rel="next"` when more rows follow; absent on the last page',
        documentation_only=True,
    )
]


def paged(request: Request[Any, Any, Any], rows: Sequence[T], limit: int, offset: int) -> Response[list[T]]:
    """The first `limit` of `rows` (fetched as `limit + 1`) as a JSON list, with the next page's
    link when there were more. The link is a relative reference (the request's path and query with
    `offset` and `limit` replaced), which RFC 8288 resolves against the request's URL."""
    page = list(rows[:limit])
    if len(rows) <= limit:
        return Response(page)
    query = [(k, v) for k, v in request.query_params.multi_items() if k not in {"limit", "offset"}]
    query += [("limit", str(limit)), ("offset", str(offset + limit))]
    target = f"{request.url.path}?{urlencode(query)}"
    return Response(page, headers={"Link": f'<{target}>; rel="next"'})
