"""Transit tickets with a dynamic QR, verifiable offline, a single ride accepted exactly once."""
