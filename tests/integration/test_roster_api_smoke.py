from __future__ import annotations

from tests.factories import build_small_town


def test_it_lists_people_of_a_town(client, db) -> None:
    built = db(build_small_town)
    response = client.get(f"/api/v1/towns/{built.town.code}/people")
    assert response.status_code == 200
    assert [p["code"] for p in response.json()] == ["P1", "P2", "P3", "P4"]
