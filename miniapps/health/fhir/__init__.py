"""FHIR R4 building blocks: codes, indexing, validation, search parameters, bundles, outcomes."""
