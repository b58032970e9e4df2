"""Loading a FHIR Bundle into the local store: validated whole, written whole or not at all."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import anyio
from sqlmodel.ext.asyncio.session import AsyncSession

from miniapps.health import repository
from miniapps.health.errors import BundleRejected
from miniapps.health.fhir.constants import PATIENT
from miniapps.health.fhir.indexing import national_id_of, patient_of
from miniapps.health.fhir.validation import validate_bundle


@dataclass
class ImportResult:
    by_type: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_type.values())


def _referenced_patients(data: Any) -> list[str]:
    ids: set[str] = set()
    if isinstance(data, dict):
        for entry in data.get("entry") or []:
            resource = entry.get("resource") if isinstance(entry, dict) else None
            if isinstance(resource, dict) and resource.get("resourceType") != PATIENT:
                pid = patient_of(resource)
                if pid:
                    ids.add(pid)
    return sorted(ids)


async def import_bundle(session: AsyncSession, data: Any) -> ImportResult:
    """Validate ``data`` (a parsed Bundle) and upsert its resources; flushes, never commits.

    Raises :class:`BundleRejected` with every reason when anything is wrong; nothing is written.
    """
    known = await repository.existing_patient_ids(session, _referenced_patients(data))
    checked = await anyio.to_thread.run_sync(validate_bundle, data, known)
    errors = list(checked.errors)
    if not errors:
        for resource in checked.resources:
            if resource["resourceType"] != PATIENT:
                continue
            owner = await repository.national_id_owner(session, national_id_of(resource) or "")
            if owner is not None and owner != resource["id"]:
                errors.append(f"Patient/{resource['id']}: its national ID already belongs to Patient/{owner}")
    if errors:
        raise BundleRejected(errors)
    ordered = sorted(checked.resources, key=lambda r: r["resourceType"] != PATIENT)
    await repository.upsert_resources(session, ordered)
    return ImportResult(dict(Counter(r["resourceType"] for r in ordered)))
