"""openborough: an open-by-default data service for local councils."""

__version__ = "0.1.0"
