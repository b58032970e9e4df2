"""``superapp seed demo``: every module's demo data, in order, idempotent."""

from __future__ import annotations

from superapp import plugins
from superapp.context import AppContext
from superapp.settings import Settings


async def run_seed(settings: Settings) -> list[str]:
    from superapp.migrations import upgrade

    import anyio

    await anyio.to_thread.run_sync(upgrade, settings)
    modules = plugins.load_core_modules()
    minis = plugins.discover_miniapps()
    everything = [*modules, *minis]
    plugins.import_models(everything)
    ctx = AppContext.build(settings)
    lines: list[str] = []
    try:
        from superapp.startup import run_startup

        await run_startup(ctx, everything, minis)
        for m in sorted(everything, key=lambda m: m.seed_order):
            if m.seed is None:
                continue
            async with ctx.sessionmaker() as session:
                lines.extend(await m.seed(ctx, session))
                await session.commit()
    finally:
        await ctx.close()
    return lines
