"""FHIR search parameters (FHIR R4 §3.1.1 "Search"): the subset this server supports.

``patient``, ``_id``, ``code``, ``category`` (token: ``[system]|[code]``, comma = OR, repeated =
AND), ``date`` (prefixes ``eq ge gt le lt``, precision from year to seconds), ``_count`` (at most
the configured cap, else 400), ``_sort`` (``date`` or ``-date``, default ``-date``) and
``_cursor`` (the opaque position carried by a Bundle's ``next`` link).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal

from miniapps.health.errors import (
    FhirSearchError,
    UnknownResourceType,
    UnknownSearchParam,
)
from miniapps.health.fhir.constants import RESOURCE_TYPES
from miniapps.health.fhir.indexing import (
    CATEGORY_FIELD,
    CODE_FIELD,
    LOCAL_TZ,
    reference_id,
)

COMMON_PARAMS = frozenset({"patient", "_id", "_count", "_sort", "_cursor", "_format"})
JSON_FORMATS = frozenset({"json", "application/json", "application/fhir+json"})
DATE_PREFIXES = ("eq", "ge", "gt", "le", "lt")
UNSUPPORTED_DATE_PREFIXES = ("ne", "sa", "eb", "ap")
_DATE_RE = re.compile(
    r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2})"
    r"(?:T(?P<H>\d{2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d{1,9})?)?(?P<tz>Z|[+-]\d{2}:\d{2})?)?)?)?$"
)
MAX_VALUES = 20


@dataclass(frozen=True)
class TokenValue:
    system: str | None  # None: any system
    code: str | None  # None: any code of ``system``


@dataclass(frozen=True)
class DateFilter:
    prefix: Literal["eq", "ge", "gt", "le", "lt"]
    start: datetime  # first instant of the value's precision (UTC)
    end: datetime  # first instant after it (UTC)


@dataclass
class SearchQuery:
    resource_type: str
    patients: list[str] | None = None  # None: every patient the reader may see
    ids: list[str] | None = None
    codes: list[list[TokenValue]] = field(default_factory=list)  # AND of ORs
    categories: list[list[TokenValue]] = field(default_factory=list)
    dates: list[DateFilter] = field(default_factory=list)
    count: int = 20
    descending: bool = True
    cursor: str | None = None
    # The parameters as received (without ``_cursor``), to build ``self``/``next`` links and
    # to pass on to a remote FHIR server.
    raw: list[tuple[str, str]] = field(default_factory=list)


def supported_params(resource_type: str) -> frozenset[str]:
    extra = set()
    if resource_type in CODE_FIELD:
        extra.add("code")
    if resource_type in CATEGORY_FIELD:
        extra.add("category")
    if resource_type != "Patient":
        extra.add("date")
    return COMMON_PARAMS | extra


def check_type(resource_type: str) -> str:
    if resource_type not in RESOURCE_TYPES:
        raise UnknownResourceType(params={"type": resource_type[:64]})
    return resource_type


def _split(value: str) -> list[str]:
    parts = [p for p in value.split(",")]
    if len(parts) > MAX_VALUES or any(not p.strip() for p in parts):
        raise FhirSearchError(params={"param": value[:64]})
    return [p.strip() for p in parts]


def parse_token(value: str) -> TokenValue:
    if "|" in value:
        system, _, code = value.partition("|")
        return TokenValue(system=system, code=code or None)
    return TokenValue(system=None, code=value)


def parse_date(param_value: str) -> DateFilter:
    """``ge2024-03`` → the filter ``date ≥ 2024-03-01T00:00+07:00``; no offset means Hanoi time."""
    value = param_value.replace(" ", "+")  # a '+' offset arrives as a space when not percent-encoded
    prefix = "eq"
    if value[:2] in DATE_PREFIXES:
        prefix, value = value[:2], value[2:]
    elif value[:2] in UNSUPPORTED_DATE_PREFIXES:
        raise FhirSearchError("error.health.date_prefix_unsupported", params={"value": param_value[:64]})
    m = _DATE_RE.match(value)
    if not m:
        raise FhirSearchError("error.health.invalid_date", params={"value": param_value[:64]})
    g = m.groupdict()
    try:
        tz = LOCAL_TZ
        if g["tz"]:
            tz = UTC if g["tz"] == "Z" else datetime.strptime(g["tz"], "%z").tzinfo  # type: ignore[assignment]
        start = datetime(int(g["y"]), int(g["m"] or 1), int(g["d"] or 1), int(g["H"] or 0), int(g["M"] or 0),
                         int(g["S"] or 0), tzinfo=tz)
    except ValueError as exc:
        raise FhirSearchError("error.health.invalid_date", params={"value": param_value[:64]}) from exc
    if g["S"]:
        end = start + timedelta(seconds=1)
    elif g["M"]:
        end = start + timedelta(minutes=1)
    elif g["d"]:
        end = start + timedelta(days=1)
    elif g["m"]:
        end = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    else:
        end = start.replace(year=start.year + 1)
    return DateFilter(prefix=prefix, start=start.astimezone(UTC), end=end.astimezone(UTC))  # type: ignore[arg-type]


def parse_search(
    resource_type: str, items: list[tuple[str, str]], *, default_count: int, max_count: int
) -> SearchQuery:
    """Turn the query string of ``GET [base]/{resource_type}?…`` into a :class:`SearchQuery`."""
    check_type(resource_type)
    allowed = supported_params(resource_type)
    query = SearchQuery(resource_type=resource_type, count=default_count)
    seen_single: set[str] = set()
    for name, value in items:
        if name not in allowed:
            raise UnknownSearchParam(params={"param": name[:64], "type": resource_type})
        if name != "_cursor":
            query.raw.append((name, value))
        if name in ("_count", "_sort", "_cursor", "_format", "patient", "_id"):
            if name in seen_single:
                raise FhirSearchError("error.health.repeated_param", params={"param": name})
            seen_single.add(name)
        if name == "patient":
            ids = [reference_id(v) or v for v in _split(value)]
            if any("/" in i for i in ids):
                raise FhirSearchError(params={"param": name})
            query.patients = ids
        elif name == "_id":
            query.ids = _split(value)
        elif name == "code":
            query.codes.append([parse_token(v) for v in _split(value)])
        elif name == "category":
            query.categories.append([parse_token(v) for v in _split(value)])
        elif name == "date":
            query.dates.append(parse_date(value))
        elif name == "_count":
            if not value.isdigit():
                raise FhirSearchError("error.health.invalid_count", params={"max": max_count})
            count = int(value)
            if count > max_count:
                raise FhirSearchError("error.health.count_too_large", params={"max": max_count})
            query.count = count
        elif name == "_sort":
            if value not in ("date", "-date"):
                raise FhirSearchError("error.health.unsupported_sort", params={"value": value[:64]})
            query.descending = value == "-date"
        elif name == "_cursor":
            query.cursor = value
        elif name == "_format" and value not in JSON_FORMATS:
            raise FhirSearchError("error.health.unsupported_format", params={"value": value[:64]})
    return query
