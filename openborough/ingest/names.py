"""Field names from headers, the way Socrata makes them: lower case, words
joined by underscores, nothing but letters, digits and underscores."""

from __future__ import annotations

import re
import unicodedata

MAX_FIELD_NAME = 63  # PostgreSQL's identifier limit


def clean_field_name(text: str) -> str:
    """``"Days Parking In Effect    "`` → ``days_parking_in_effect``; ``""`` → ``""``."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    name = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    if name and name[0].isdigit():
        name = "_" + name
    return name[:MAX_FIELD_NAME].rstrip("_") if len(name) > MAX_FIELD_NAME else name


def field_names(headers: list[str]) -> tuple[list[str], list[str]]:
    """Unique field names for ``headers`` and the warnings about the ones that
    had to be made up (blank headers become ``column_N``, repeats get ``_2``…)."""
    warnings: list[str] = []
    names: list[str] = []
    seen: set[str] = set()
    for i, header in enumerate(headers, start=1):
        base = clean_field_name(header)
        if not base:
            base = f"column_{i}"
            if str(header).strip():
                warnings.append(f"column {i} header {header!r} has no letters or digits; named it {base}")
            else:
                warnings.append(f"column {i} has a blank header; named it {base}")
        name = base
        n = 2
        while name in seen:
            suffix = f"_{n}"
            name = base[: MAX_FIELD_NAME - len(suffix)] + suffix
            n += 1
        if name != base:
            warnings.append(f"column {i} header {header!r} repeats an earlier column; named it {name}")
        elif header != str(header).strip() and str(header).strip():
            warnings.append(f"column {i} header {header!r} has spaces around it; trimmed")
        seen.add(name)
        names.append(name)
    return names, warnings
