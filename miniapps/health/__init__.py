"""The citizen's electronic health book as FHIR R4: read-only, guardian access, access log, shares."""
