"""Locale format overrides (Django's ``FORMAT_MODULE_PATH``).

HTML ``<input type="date">`` holds a date only as ISO 8601 (2026-11-02) and
shows nothing for any other value, so every date input renders ISO first;
dates typed the UK way (02/11/2026) are still read."""
