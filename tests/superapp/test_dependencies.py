"""Every dependency of every route runs on the event loop: FastAPI sends a plain ``def``
dependency through the thread pool, a hop per request that the hot paths cannot afford."""

from __future__ import annotations

import inspect

from fastapi.routing import APIRoute


def _routes(router):
    for route in router.routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # an included router
            yield from _routes(route.original_router)


def _sync_dependencies(dependant, found: set[str]) -> set[str]:
    for dependency in dependant.dependencies:
        call = dependency.call
        if call is not None and not (
            inspect.iscoroutinefunction(call)
            or inspect.isasyncgenfunction(call)
            or inspect.iscoroutinefunction(getattr(call, "__call__", None))
        ):
            found.add(f"{call.__module__}.{call.__qualname__}")
        _sync_dependencies(dependency, found)
    return found


async def test_no_route_has_a_thread_pool_dependency(app):
    routes = list(_routes(app.router))
    assert len(routes) > 100  # the walk reached the modules' routers
    found: set[str] = set()
    for route in routes:
        _sync_dependencies(route.dependant, found)
    assert found == set()
