"""HTTP endpoints of the health record, mounted by the host at ``/v1/health``."""
