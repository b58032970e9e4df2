"""Dependencies shared by the health endpoints."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request

from miniapps.health.access import HealthReader
from miniapps.health.service import RecordReader
from miniapps.health.sources import RecordSource, record_source
from superapp.context import CtxDep
from superapp.db import SessionDep


async def get_source(ctx: CtxDep, session: SessionDep) -> AsyncIterator[RecordSource]:
    async with record_source(ctx, session) as source:
        yield source


SourceDep = Annotated[RecordSource, Depends(get_source, scope="function")]


async def get_record_reader(session: SessionDep, source: SourceDep, reader: HealthReader) -> RecordReader:
    return RecordReader(session, source, reader)


RecordReaderDep = Annotated[RecordReader, Depends(get_record_reader)]


def fhir_base(request: Request) -> str:
    """The absolute base URL of the FHIR endpoint (``…/v1/health/fhir``)."""
    return f"{str(request.base_url).rstrip('/')}/v1/health/fhir"
