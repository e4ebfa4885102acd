"""Schemathesis over the whole /api/v1 schema, in-process, on SQLite and PostgreSQL: whatever it
sends, as the town's secretary with an API token, the answer is never a 5xx.

Every operation of the app's own OpenAPI schema gets a bounded number of generated calls: valid
ones (the town code fixed to the persona's town, so that they reach the services) and invalid
ones (anything the schema forbids: out-of-range numbers, wrong types, odd strings). The examples
are derandomized, so a run is repeatable; a failure names the call and gives it as a curl command.
"""

from __future__ import annotations

from typing import Any

import hypothesis
import hypothesis.errors
import schemathesis
from hypothesis import HealthCheck, Phase
from litestar import Litestar
from schemathesis import GenerationMode
from schemathesis.python import asgi
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.personas import World, build_world
from tracker.domain.accounts.users import UserService

# Examples per operation and mode: about 25 operations. The run is bounded by count, not by a clock
# (a wall-clock limit failed under load: speed is measured in bench/, never in a test).
EXAMPLES = {GenerationMode.POSITIVE: 15, GenerationMode.NEGATIVE: 10}


def _secretary_token(db: Any) -> str:
    world: World = db(build_world)

    async def make(session: AsyncSession) -> str:
        return (await UserService(session, None).create_token(world.users["secretary"], "fuzz")).secret  # type: ignore[arg-type]

    return db(make)


def _fuzz(operation: Any, mode: GenerationMode, headers: dict[str, str]) -> str | None:
    """Run the operation's generated calls; a description of the first 5xx, or None."""
    fixed = {"code": "alpha"} if mode is GenerationMode.POSITIVE and "{code}" in operation.path else None
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=fixed)

    @hypothesis.settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: the first failing call is reported as is
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(case=strategy)
    def run(case: Any) -> None:
        response = case.call(headers=headers)
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} answered {response.status_code}: {response.text[:300]}\n"
            f"{case.as_curl_command(headers=headers)}"
        )

    try:
        run()
    except AssertionError as failure:
        return f"[{mode.value}] {failure}"
    except hypothesis.errors.Unsatisfiable:  # nothing in the operation to make invalid (no parameters, no body)
        return None
    return None


def test_it_answers_no_5xx_to_generated_api_calls(app: Litestar, db: Any) -> None:
    headers = {"Authorization": f"Bearer {_secretary_token(db)}", "Accept-Language": "en"}
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", app)
    failures: list[str] = []
    operations = 0
    try:
        for result in schema.get_all_operations():
            operation = result.ok()
            if not operation.path.startswith("/api/v1/"):
                continue
            operations += 1
            for mode in EXAMPLES:
                if problem := _fuzz(operation, mode, headers):
                    failures.append(problem)
    finally:
        asgi.shutdown_lifespans()  # the app's engine is disposed before the database is emptied
    assert operations >= 20, f"only {operations} API operations in the schema"
    assert not failures, f"{len(failures)} operation(s) answered 5xx:\n\n" + "\n\n".join(failures)
