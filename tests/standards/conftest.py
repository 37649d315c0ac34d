from tests.strategy.conftest import basics, make_user  # noqa: F401  (shared fixtures)
