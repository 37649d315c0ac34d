"""Running openborough in production: health and readiness probes and the
configuration check behind ``openborough check`` (docs/operations.md)."""
