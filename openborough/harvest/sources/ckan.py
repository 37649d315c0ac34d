from .base import Source


class CkanSource(Source):
    kind = "ckan"
