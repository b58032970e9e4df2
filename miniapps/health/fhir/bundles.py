"""Bundles (FHIR R4 §2.36 Bundle) and the CapabilityStatement this server answers with."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from miniapps.health.fhir.constants import FHIR_JSON, FHIR_VERSION, RESOURCE_TYPES
from miniapps.health.fhir.search import SearchQuery, supported_params
from superapp.db import utcnow
from superapp.ids import new_id


def _entry(base: str, resource: dict[str, Any], mode: str | None = "match") -> dict[str, Any]:
    entry: dict[str, Any] = {"fullUrl": f"{base}/{resource['resourceType']}/{resource['id']}", "resource": resource}
    if mode:
        entry["search"] = {"mode": mode}
    return entry


def searchset(base: str, query: SearchQuery, resources: list[dict[str, Any]], total: int, cursor: str | None) -> dict[str, Any]:
    """A ``searchset`` Bundle with ``total``, a ``self`` link and, if more, a ``next`` link."""
    url = f"{base}/{query.resource_type}"
    links = [{"relation": "self", "url": f"{url}?{urlencode(query.raw)}" if query.raw else url}]
    if cursor:
        links.append({"relation": "next", "url": f"{url}?{urlencode([*query.raw, ('_cursor', cursor)])}"})
    return {
        "resourceType": "Bundle",
        "id": str(new_id()),
        "meta": {"lastUpdated": utcnow().isoformat()},
        "type": "searchset",
        "total": total,
        "link": links,
        "entry": [_entry(base, r) for r in resources],
    }


def collection(base: str, resources: list[dict[str, Any]]) -> dict[str, Any]:
    """A ``collection`` Bundle (a shared record handed to a doctor)."""
    return {
        "resourceType": "Bundle",
        "id": str(new_id()),
        "meta": {"lastUpdated": utcnow().isoformat()},
        "type": "collection",
        "timestamp": utcnow().isoformat(),
        "entry": [_entry(base, r, mode=None) for r in resources],
    }


_PARAM_TYPES = {"patient": "reference", "_id": "token", "code": "token", "category": "token", "date": "date"}
_PARAM_DOCS = {
    "patient": "The patient (own record or a linked dependent's).",
    "_id": "Logical id of the resource.",
    "code": "Main code ([system]|[code]).",
    "category": "Category ([system]|[code]).",
    "date": "Clinical date; prefixes eq, ge, gt, le, lt.",
}


def capability_statement(base: str, max_count: int) -> dict[str, Any]:
    resources = []
    for rtype in RESOURCE_TYPES:
        params = [
            {"name": name, "type": _PARAM_TYPES[name], "documentation": _PARAM_DOCS[name]}
            for name in ("patient", "_id", "code", "category", "date")
            if name in supported_params(rtype)
        ]
        resources.append(
            {
                "type": rtype,
                "interaction": [{"code": "read"}, {"code": "search-type"}],
                "searchParam": params,
            }
        )
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": utcnow().date().isoformat(),
        "publisher": "Hanoi Super-App",
        "kind": "instance",
        "software": {"name": "Hanoi Super-App health record"},
        "implementation": {"description": "Citizen electronic health book (read-only)", "url": base},
        "fhirVersion": FHIR_VERSION,
        "format": [FHIR_JSON, "json"],
        "rest": [
            {
                "mode": "server",
                "documentation": (
                    f"Read-only. _count at most {max_count} (more is refused with 400); _sort date or -date "
                    "(default -date); paging through the Bundle's next link."
                ),
                "security": {
                    "service": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                                    "code": "SMART-on-FHIR",
                                }
                            ]
                        }
                    ],
                    "description": "Bearer token with scope health.read (or SMART patient/*.read, patient/*.rs) "
                    "and identity level 2.",
                },
                "resource": resources,
            }
        ],
    }
