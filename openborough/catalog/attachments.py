"""Dataset attachments: adding, listing, opening and removing the files
published with a dataset. Files are written under ``<data-dir>/attachments/
<dataset id>/<asset id>`` (never under a name the uploader chose), each change
is in the audit log, and a dataset's visibility governs its attachments."""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import shutil
import uuid
from pathlib import Path

from django.conf import settings

from . import audit
from .models import Attachment, Dataset

CHUNK = 1024 * 1024
_UNSAFE = re.compile(r"[^A-Za-z0-9._ ()-]+")


class AttachmentError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def root() -> Path:
    return Path(settings.DATA_DIR) / "attachments"


def path_of(att: Attachment) -> Path:
    return root() / att.dataset_id / att.asset_id


def safe_filename(name: str) -> str:
    """The last path part of ``name``, with only plain characters (for the
    Content-Disposition header and the listing)."""
    base = os.path.basename((name or "").replace("\\", "/")).strip()
    base = _UNSAFE.sub("_", base).strip(" .")
    return base[:200] or "attachment"


def add_attachment(ds: Dataset, upload, *, name: str = "", user=None, actor: str = "") -> Attachment:
    """Store an uploaded file (a Django ``UploadedFile`` or any object with
    ``name`` and ``chunks()``) with ``ds``; AttachmentError if empty or too large."""
    limit = settings.OPENBOROUGH_MAX_UPLOAD_BYTES
    filename = safe_filename(getattr(upload, "name", ""))
    asset_id = uuid.uuid4().hex
    folder = root() / ds.id
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{asset_id}.part"
    digest = hashlib.sha256()
    size = 0
    try:
        with open(tmp, "wb") as out:
            for chunk in upload.chunks(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise AttachmentError(f"The file is larger than the limit of {limit // (1024 * 1024)} MB")
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise AttachmentError("The file is empty")
        os.replace(tmp, folder / asset_id)
    finally:
        tmp.unlink(missing_ok=True)
    guessed = mimetypes.guess_type(filename)[0]
    att = Attachment.objects.create(
        dataset=ds,
        asset_id=asset_id,
        name=(name or "").strip()[:300] or filename,
        filename=filename,
        content_type=guessed or "application/octet-stream",
        size=size,
        sha256=digest.hexdigest(),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    audit.record("attachment", f"{ds.id}: attached {filename}", user=user, actor=actor, dataset_id=ds.id)
    return att


def remove_attachment(att: Attachment, *, user=None, actor: str = "") -> None:
    path_of(att).unlink(missing_ok=True)
    ds_id, filename = att.dataset_id, att.filename
    att.delete()
    audit.record("attachment", f"{ds_id}: removed attachment {filename}", user=user, actor=actor, dataset_id=ds_id)


def drop_dataset_files(dataset_id: str) -> None:
    """Remove a deleted dataset's attachment files (their rows went with it)."""
    shutil.rmtree(root() / dataset_id, ignore_errors=True)


def open_attachment(att: Attachment):
    """The stored file, opened for reading; FileNotFoundError if its bytes are gone."""
    return open(path_of(att), "rb")
