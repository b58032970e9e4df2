"""Statistics per agency and category over a date range: bars and CSV export.

Drives ``GET /v1/admin/feedback/stats?from=&to=`` (received, resolved, on-time rate, median
hours, mean rating). The CSV follows RFC 4180; cells that a spreadsheet would read as a formula
are prefixed with ``'`` (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from superapp.console.api import ConsoleApi
from superapp.console.deps import require_section
from superapp.console.rendering import render
from superapp.console.routing import ConsoleRoute
from superapp.console.sessions import ConsoleSession

router = APIRouter(prefix="/admin", route_class=ConsoleRoute, include_in_schema=False)
Viewer = Annotated[ConsoleSession, Depends(require_section("stats"))]
DateParam = Annotated[date | None, Query()]
CSV_COLUMNS = ("agency_code", "category", "received", "resolved", "on_time_rate", "median_hours", "mean_rating")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


async def _stats(request: Request, session: ConsoleSession, start: date | None, end: date | None) -> dict[str, Any]:
    params = {"from": start.isoformat() if start else None, "to": end.isoformat() if end else None}
    return await ConsoleApi(request, session).get("/v1/admin/feedback/stats", **params)


def with_bars(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Bar widths in percent: on-time rate as is, median hours against the slowest, rating of 5."""
    slowest = max((r.get("median_hours") or 0 for r in rows), default=0) or 1
    out = []
    for r in rows:
        rate, hours, rating = r.get("on_time_rate"), r.get("median_hours"), r.get("mean_rating")
        out.append({
            **r,
            "_rate_pct": round(rate * 100, 1) if isinstance(rate, (int, float)) else None,
            "_hours_pct": round(hours / slowest * 100, 1) if isinstance(hours, (int, float)) else None,
            "_rating_pct": round(rating / 5 * 100, 1) if isinstance(rating, (int, float)) else None,
        })
    return out


@router.get("/stats")
async def stats_page(request: Request, session: Viewer, start: Annotated[date | None, Query(alias="from")] = None,
                     end: Annotated[date | None, Query(alias="to")] = None):
    data = await _stats(request, session, start, end)
    return render(
        request, "stats.html", session=session,
        agencies=with_bars(data.get("agencies", [])), items=with_bars(data.get("items", [])),
        start=start.isoformat() if start else (data.get("from") or "")[:10],
        end=end.isoformat() if end else (data.get("to") or "")[:10],
    )


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(data: dict[str, Any]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in data.get("items", []):
        writer.writerow([_cell(row.get(c)) for c in CSV_COLUMNS])
    for row in data.get("agencies", []):
        writer.writerow([_cell(row.get(c)) if c != "category" else "*" for c in CSV_COLUMNS])
    return buffer.getvalue()


@router.get("/stats.csv")
async def stats_csv(request: Request, session: Viewer, start: Annotated[date | None, Query(alias="from")] = None,
                    end: Annotated[date | None, Query(alias="to")] = None):
    data = await _stats(request, session, start, end)
    name = f"feedback-stats-{(data.get('from') or '')[:10]}-{(data.get('to') or '')[:10]}.csv"
    return Response(
        "\ufeff" + to_csv(data),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )
