"""The application factory: the web plumbing (web/) wired to the areas' functions it must not import,
and the run-time listeners installed (tracker/listeners.py)."""

from __future__ import annotations

import itertools

from advanced_alchemy.extensions.litestar import (
    AlembicAsyncConfig,
    AsyncSessionConfig,
    SQLAlchemyAsyncConfig,
    SQLAlchemyPlugin,
)
from litestar import Litestar, Router
from litestar.config.compression import CompressionConfig
from litestar.datastructures import State
from litestar.logging import LoggingConfig
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.htmx import HTMXPlugin
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from tracker import __version__, i18n
from tracker.config import Settings, get_settings
from tracker.db.engine import enable_sqlite_pragmas
from tracker.db.schema import VERSION_TABLE
from tracker.domain.access import role_label
from tracker.domain.accounts.request_actor import actor_loader, refusal_recorder, set_audit_actor
from tracker.domain.accounts.sessions import session_policy
from tracker.domain.errors import DomainError
from tracker.domain.reminders.scheduler import Background, start_in_background, stop_in_background
from tracker.domain.work.photos import record_body_bytes
from tracker.listeners import install_listeners
from tracker.paths import migrations_dir, static_dir
from tracker.routes import route_handlers
from tracker.web.app_shell import STATE_KEY as STATIC_VERSIONS_KEY
from tracker.web.auth import (
    ANONYMOUS_SECURITY,
    BEARER_SECURITY,
    SESSION_COOKIE,
    bearer_security_schemes,
    make_auth_middleware,
)
from tracker.web.body_limit import make_body_limit_middleware
from tracker.web.cookies import make_host_cookie_middleware
from tracker.web.errors import make_exception_handlers
from tracker.web.guards import PUBLIC, require_login
from tracker.web.inputs import check_inputs
from tracker.web.locale import make_locale_middleware
from tracker.web.security import CSRF_COOKIE, csrf_config, make_csrf_middleware, make_security_headers
from tracker.web.startup import prepare_database
from tracker.web.static_assets import StaticVersions
from tracker.web.templating import make_template_engine

_APPS = itertools.count(1)  # numbers each app this process makes (see create_app's database keys)


def create_app(settings: Settings | None = None) -> Litestar:
    settings = settings or get_settings()
    install_listeners()
    i18n.set_default_locale(settings.default_locale)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    secret = settings.resolved_secret_key()
    static_versions = StaticVersions.of_folder(static_dir())  # hashed static URLs (web/static_assets.py)

    # SQLite's connections are kept between requests too (opening one costs a thread and three pragmas:
    # /healthz answered 2.4 times as fast with them kept); the tests turn that off (TRACKER_SQLITE_POOL),
    # since each test client runs its own event loop and a kept connection belongs to the one it was made on.
    one_per_request = settings.is_sqlite and not settings.sqlite_pool
    engine = create_async_engine(settings.db_url, poolclass=NullPool if one_per_request else None)
    if settings.is_sqlite:
        enable_sqlite_pragmas(engine.sync_engine)
    sessionmaker = async_sessionmaker(engine, expire_on_commit=False)
    app_number = next(_APPS)
    db_config = SQLAlchemyAsyncConfig(
        # keys of our own per app: advanced-alchemy makes clashing keys unique by recursing once per
        # earlier config in the process, which overflows the stack after ~950 apps (the test suite)
        session_scope_key=f"_tracker_db_session_{app_number}",
        engine_app_state_key=f"_tracker_db_engine_{app_number}",
        session_maker_app_state_key=f"_tracker_session_maker_{app_number}",
        engine_instance=engine,
        session_config=AsyncSessionConfig(expire_on_commit=False),
        before_send_handler="autocommit_include_redirects",
        create_all=False,
        alembic_config=AlembicAsyncConfig(
            script_location=str(migrations_dir()),
            version_table_name=VERSION_TABLE,
            render_as_batch=True,
        ),
    )

    background: list[Background] = []  # the reminders loop, when this process runs it (TRACKER_SCHEDULER)

    async def on_startup(app: Litestar) -> None:
        await prepare_database(settings, engine)
        if settings.scheduler:
            background.append(start_in_background(sessionmaker, settings))

    async def on_shutdown(app: Litestar) -> None:
        while background:
            await stop_in_background(background.pop())
        await engine.dispose()

    return Litestar(
        route_handlers=[
            *route_handlers(),
            create_static_files_router(path="/static", directories=[static_dir()], opt=PUBLIC),
        ],
        plugins=[SQLAlchemyPlugin(config=db_config), HTMXPlugin()],
        # Outermost first: cookie names, language, who is asking, CSRF (which needs to know about bearer tokens).
        middleware=[
            # before anything reads a body: its size bounded, a stranger's never parsed (web/body_limit.py)
            make_body_limit_middleware(
                upload_limit=record_body_bytes(settings.max_photo_bytes), default_locale=settings.default_locale
            ),
            make_host_cookie_middleware([SESSION_COOKIE, CSRF_COOKIE], https=settings.https),  # __Host- names
            make_locale_middleware(settings.default_locale),
            make_auth_middleware(
                load_actor=actor_loader(sessionmaker, session_policy(settings)), on_actor=set_audit_actor
            ),
            make_csrf_middleware(csrf_config(secret, secure=settings.https)),
        ],
        guards=[require_login],  # private unless a handler says opt=PUBLIC
        before_request=check_inputs,  # numbers, text and JSON depth bounded before a handler reads them
        before_send=[make_security_headers(https=settings.https, static_versions=static_versions)],
        template_config=TemplateConfig(
            engine=make_template_engine(
                settings.timezone, template_globals={"role_label": role_label}, static_versions=static_versions
            )
        ),
        exception_handlers=dict(make_exception_handlers(refusal_recorder(sessionmaker))),  # type: ignore[arg-type]
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        openapi_config=OpenAPIConfig(
            title="Responsibility tracker API",
            version=__version__,
            path="/schema",
            render_plugins=[JsonRenderPlugin()],
            openapi_router=Router(path="/schema", route_handlers=[], opt=PUBLIC, security=ANONYMOUS_SECURITY),
            security=BEARER_SECURITY,
            components=bearer_security_schemes(),
        ),
        compression_config=CompressionConfig(backend="gzip", minimum_size=1024),
        logging_config=LoggingConfig(
            log_exceptions="always",
            disable_stack_trace={400, 401, 403, 404, 405, 409, 429, DomainError},
            configure_root_logger=False,
        ),
        state=State({"settings": settings, "sessionmaker": sessionmaker, STATIC_VERSIONS_KEY: static_versions}),
        debug=settings.debug,
    )
