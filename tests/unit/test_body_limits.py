"""The request-body limit of a route, table-driven: 1 MB, but for a route declaring more (the record
uploads), the upload limit sized from the photo setting, never more than the route declares; the
announced length read strictly."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from litestar.datastructures import Headers
from litestar.types import Empty

from tracker.domain.work.photos import MAX_RECORD_BODY_BYTES, record_body_bytes
from tracker.web.body_limit import DEFAULT_BODY_LIMIT, declared_length, is_public, route_limit

MB = 1024 * 1024


@dataclass
class Handler:
    request_max_body_size: object = Empty
    opt: dict[str, object] = field(default_factory=dict)


ROUTES = [
    ("a route declaring nothing", Handler(), 91 * MB, DEFAULT_BODY_LIMIT),
    ("no route (nothing matched)", None, 91 * MB, DEFAULT_BODY_LIMIT),
    ("a route declaring less than the default", Handler(1000), 91 * MB, DEFAULT_BODY_LIMIT),
    ("an upload route, the default photo size", Handler(MAX_RECORD_BODY_BYTES), record_body_bytes(10 * MB), 91 * MB),
    ("an upload route, the largest photo size", Handler(MAX_RECORD_BODY_BYTES), record_body_bytes(20 * MB), 181 * MB),
    ("an upload route never gets more than it declares", Handler(50 * MB), 91 * MB, 50 * MB),
    ("no limit declared (None) is not an upload route", Handler(None), 91 * MB, DEFAULT_BODY_LIMIT),
]  # fmt: skip


@pytest.mark.parametrize(("name", "handler", "upload", "expected"), ROUTES, ids=[r[0] for r in ROUTES])
def test_it_sizes_the_limit_of_each_route(name: str, handler: object, upload: int, expected: int) -> None:
    assert route_limit(handler, DEFAULT_BODY_LIMIT, upload) == expected


LENGTHS = [
    ({"content-length": "1024"}, 1024),
    ({}, None),
    ({"content-length": ""}, None),
    ({"content-length": "-5"}, None),
    ({"content-length": "²"}, None),
    ({"content-length": "1e9"}, None),
    ({"content-length": "99999999999999999999999"}, 99999999999999999999999),
]


@pytest.mark.parametrize(("headers", "expected"), LENGTHS)
def test_it_reads_the_announced_length_strictly(headers: dict[str, str], expected: int | None) -> None:
    assert declared_length(Headers(headers)) == expected


def test_it_knows_a_public_route_by_its_opt() -> None:
    assert is_public(Handler(opt={"public": True}))
    assert not is_public(Handler())
    assert not is_public(None)


def test_it_sizes_a_record_upload_as_nine_photos_and_the_record() -> None:
    assert record_body_bytes(10 * MB) == 91 * MB
    assert MAX_RECORD_BODY_BYTES == 181 * MB
