from .base import Source


class DcatSource(Source):
    kind = "dcat"
