"""The one guard against spreadsheet formula injection (OWASP "CSV injection").

Applied only where openborough writes a file for a person to open in a
spreadsheet — the portal's CSV and XLSX downloads, the toolkit's CSV and XLSX
exports. Data is stored as given, and the SODA API answers it as stored
(clients such as RSocrata and sodapy read its CSV as data, not as a sheet)."""

from __future__ import annotations

#: a cell whose text starts with one of these is read as a formula (or splits into one) by spreadsheets
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")


def neutralise(value):
    """Text a spreadsheet would read as a formula, made plain by a leading apostrophe;
    anything else (numbers, None, other text) unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
