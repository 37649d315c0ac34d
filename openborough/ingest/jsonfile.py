"""JSON: an array of flat objects, one per row."""

from __future__ import annotations

import orjson

from .celltext import cell_text
from .errors import IngestError
from .source import Source, SourceColumn
from .staging import StagingWriter


def load_json(path: str):
    with open(path, "rb") as f:
        data = f.read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as e:
        raise IngestError("bad-format", f"the file is not valid JSON: {e}") from None


def keys_in_order(objects) -> list[str]:
    seen: dict[str, None] = {}
    for o in objects:
        for k in o:
            if k not in seen:
                seen[k] = None
    return list(seen)


def read_json(path: str, tmpdir: str) -> Source:
    data = load_json(path)
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) == 1:
            data = lists[0]
    if not isinstance(data, list):
        raise IngestError("bad-format", "JSON data must be an array of objects, one per row")
    if not data:
        raise IngestError("no-rows", "the JSON array is empty: there are no rows")
    bad = next((i for i, o in enumerate(data, 1) if not isinstance(o, dict)), None)
    if bad is not None:
        raise IngestError("bad-format", f"JSON row {bad} is not an object; the file must be an array of objects")
    keys = keys_in_order(data)
    writer = StagingWriter(tmpdir, [SourceColumn(header=k, col="") for k in keys])
    for o in data:
        writer.add([cell_text(o.get(k)) for k in keys])
    return writer.finish("json")
