"""The ingest pipeline: a published file to a typed schema, a validation
report and a stream of Arrow record batches for a store.

    from openborough.ingest import prepare, IngestOptions
    with prepare("tickets.csv", IngestOptions(on_bad="null")) as p:
        store.write_version(dataset_id, version, p.schema, p.reader())
"""

from .errors import IngestError
from .options import IngestOptions
from .pipeline import prepare
from .prepared import Prepared
from .report import Finding, ValidationReport

__all__ = ["prepare", "IngestOptions", "IngestError", "Prepared", "ValidationReport", "Finding"]
