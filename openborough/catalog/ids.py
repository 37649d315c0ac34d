"""Socrata-style dataset identifiers: ``xxxx-xxxx``, four plus four lower-case
letters and digits."""

from __future__ import annotations

import re
import secrets

DATASET_ID_RE = re.compile(r"^[a-z0-9]{4}-[a-z0-9]{4}$")
# Socrata avoids vowels and look-alikes so that ids never spell words.
_ALPHABET = "23456789bcdfghjkmnpqrstvwxyz"


def new_dataset_id() -> str:
    pick = secrets.choice
    return "".join(pick(_ALPHABET) for _ in range(4)) + "-" + "".join(pick(_ALPHABET) for _ in range(4))


def is_dataset_id(value: str) -> bool:
    return bool(DATASET_ID_RE.match(value or ""))
