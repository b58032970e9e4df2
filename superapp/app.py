"""The app factory: one FastAPI app with every module and mini-app mounted."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from miniapps.sdk import MiniApp, Module
from superapp import i18n, plugins, retention  # noqa: F401 - retention registers its purge jobs
from superapp.context import AppContext
from superapp.errors import install_error_handlers
from superapp.idempotency import IdempotencyMiddleware
from superapp.middleware import BodySizeLimitMiddleware, RequestContextMiddleware
from superapp.openapi import install_openapi
from superapp.probes import router as probes_router
from superapp.settings import Settings
from superapp.workers import run_workers

log = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None,
    *,
    ctx: AppContext | None = None,
    modules: list[Module] | None = None,
    miniapps: list[MiniApp] | None = None,
    run_background_workers: bool | None = None,
) -> FastAPI:
    """Build the app. ``modules``/``miniapps`` default to the core list and the installed plugins."""
    settings = settings or (ctx.settings if ctx else Settings())
    ctx = ctx or AppContext.build(settings)
    modules = plugins.load_core_modules() if modules is None else modules
    miniapps = plugins.discover_miniapps() if miniapps is None else plugins.validate_miniapps(miniapps)
    everything: list[Module] = [*modules, *miniapps]
    plugins.import_models(everything)
    i18n.load_package("superapp")
    for m in everything:
        if m.locales_package:
            i18n.load_package(m.locales_package)
    workers_on = settings.workers_enabled if run_background_workers is None else run_background_workers

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from superapp.startup import run_startup

        await run_startup(ctx, everything, miniapps)
        if settings.gc_freeze_after_startup:
            # Everything built so far (modules, routes, models, caches) lives as long as the
            # process: keep it out of the collector's scans (CPython ``gc.freeze``).
            gc.collect()
            gc.freeze()
        stop = asyncio.Event()
        task = asyncio.create_task(run_workers(ctx, stop)) if workers_on else None
        try:
            yield
        finally:
            stop.set()
            if task is not None:
                try:
                    await asyncio.wait_for(task, timeout=10)
                except (TimeoutError, asyncio.CancelledError):
                    task.cancel()
            await ctx.close()

    app = FastAPI(
        title="Hanoi Super-App API",
        version="1.0.0",
        description="One city account, every city service: identity, mini-apps, feedback, transit, "
        "health and notifications.",
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    app.state.settings = settings
    app.state.modules = modules
    app.state.miniapps = miniapps
    install_error_handlers(app)
    install_openapi(app)
    app.include_router(probes_router)
    for m in modules:
        for router in m.routers:
            app.include_router(router)
    for mini in miniapps:
        if mini.router is not None:
            app.include_router(mini.router, prefix=f"/v1/{mini.slug}")
        for router in mini.routers:
            app.include_router(router)
    for position, route in enumerate(r for m in everything for r in m.hot_routes):
        app.router.routes.insert(position, route)

    resolver = None
    try:
        from auth.idempotency_scope import make_scope_resolver

        resolver = make_scope_resolver(ctx)
    except ImportError:  # pragma: no cover - auth always present in practice
        pass
    app.add_middleware(IdempotencyMiddleware, get_ctx=lambda: ctx, resolver=resolver)
    app.add_middleware(
        BodySizeLimitMiddleware, max_bytes=settings.max_request_bytes, max_json_bytes=settings.max_json_bytes
    )
    app.add_middleware(RequestContextMiddleware, https=settings.resolved_issuer.startswith("https://"))
    return app
