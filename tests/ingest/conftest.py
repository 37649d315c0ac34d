"""Helpers for the ingest tests."""

from __future__ import annotations

import pytest

from openborough.ingest import prepare


def read_all(path, options=None, **kw):
    """(the closed Prepared, its whole typed table) for a file."""
    with prepare(path, options, **kw) as p:
        table = p.reader().read_all()
    return p, table


@pytest.fixture
def write(tmp_path):
    """write(name, text_or_bytes, encoding="utf-8") -> path of a small file in tmp_path."""

    def _write(name, content, encoding="utf-8"):
        path = tmp_path / name
        if isinstance(content, str):
            content = content.encode(encoding)
        path.write_bytes(content)
        return path

    return _write
