"""en-GB, with ISO 8601 first among the date input formats: Django renders a
date widget's value with the first one, and ``type="date"`` inputs need ISO."""

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"]
