"""PostgreSQL fixtures (filled in by the PostgreSQL store work)."""
