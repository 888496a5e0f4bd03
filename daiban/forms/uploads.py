"""Uploaded files: PDF, JPG or PNG only, recognised by their content (magic bytes), 10 MB each, 5 at most.

Files that passed the checks on a form rejected for another reason are kept on the server
(`keep_upload`, in the default storage under PENDING_UPLOADS_PREFIX/apply/, which `purge_pending_uploads`
empties after a day; shared by every app server, local disk or S3 bucket)
and named in a signed token carried by the form, so people need not choose them again.
"""

import re
import secrets
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.template.defaultfilters import filesizeformat

__all__ = [
    "MAX_UPLOAD_SIZE",
    "MAX_UPLOAD_FILES",
    "UploadsField",
    "sniff_type",
    "keep_upload",
    "sign_kept",
    "kept_uploads",
    "kept_folder",
    "open_kept",
    "discard_kept",
]

MAX_UPLOAD_SIZE = 10 * 1024 * 1024
MAX_UPLOAD_FILES = 5

# content type → leading bytes of a real file of that type
SIGNATURES = {
    "application/pdf": b"%PDF-",
    "image/png": b"\x89PNG\r\n\x1a\n",
    "image/jpeg": b"\xff\xd8\xff",
}
EXTENSIONS = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def sniff_type(upload):
    """The content type the file's first bytes show, or None when it is none of the accepted types."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for content_type, signature in SIGNATURES.items():
        if head.startswith(signature):
            return content_type
    return None


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class UploadsField(forms.FileField):
    """Zero to MAX_UPLOAD_FILES files; each cleaned file gets a `sniffed_type` attribute."""

    widget = MultipleFileInput(attrs={"accept": ACCEPT})
    default_error_messages = {
        "too_many": f"最多上传 {MAX_UPLOAD_FILES} 个文件。",
        "type": "“%(name)s”不是 PDF、JPG 或 PNG 文件，请换一个文件。",
        "disguised": "“%(name)s”的内容与扩展名不符（不是真正的 PDF、JPG 或 PNG 文件），请换一个文件。",
        "size": f"“%(name)s”大小为 %(size)s，超过了每个文件 {filesizeformat(MAX_UPLOAD_SIZE)} 的限制。",
        "empty": "“%(name)s”是空文件。",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(files) > MAX_UPLOAD_FILES:
            raise ValidationError(self.error_messages["too_many"], code="too_many")
        errors = []
        for upload in files:
            try:
                self._check(upload)
            except ValidationError as error:
                errors.append(error)
        if errors:
            raise ValidationError(errors)
        return files

    def _check(self, upload):
        name = PurePath(upload.name).name
        params = {"name": name, "size": filesizeformat(upload.size)}
        expected = EXTENSIONS.get(PurePath(name).suffix.lower())
        if expected is None:
            raise ValidationError(self.error_messages["type"], code="type", params=params)
        if not upload.size:
            raise ValidationError(self.error_messages["empty"], code="empty", params=params)
        if upload.size > MAX_UPLOAD_SIZE:
            raise ValidationError(self.error_messages["size"], code="size", params=params)
        actual = sniff_type(upload)
        if actual != expected:
            raise ValidationError(self.error_messages["disguised"], code="disguised", params=params)
        upload.sniffed_type = actual


# Kept uploads ------------------------------------------------------------------------------------

KEPT_SALT = "daiban.uploads.kept"
KEPT_MAX_AGE = 24 * 3600
KEPT_ID = re.compile(r"^[0-9a-f]{32}$")


def kept_folder():
    return f"{settings.PENDING_UPLOADS_PREFIX}/apply"


def kept_storage():
    return default_storage


def _stored_name(entry):
    return f"{kept_folder()}/{entry['id']}{entry['ext']}"


def keep_upload(upload):
    """Store a checked upload under a random id; the entry describes it for sign_kept."""
    entry = {
        "id": secrets.token_hex(16),
        "name": PurePath(upload.name).name[:200],
        "ext": PurePath(upload.name).suffix.lower()[:5],
        "type": getattr(upload, "sniffed_type", "") or sniff_type(upload) or "",
        "size": upload.size,
    }
    upload.seek(0)
    kept_storage().save(_stored_name(entry), upload)
    return entry


def sign_kept(entries):
    return signing.dumps(entries, salt=KEPT_SALT, compress=True) if entries else ""


def kept_uploads(token):
    """The entries a token names that are still on the server; [] for a forged, expired or empty token."""
    if not token:
        return []
    try:
        entries = signing.loads(token, salt=KEPT_SALT, max_age=KEPT_MAX_AGE)
    except signing.BadSignature:
        return []
    storage = kept_storage()
    return [
        entry
        for entry in entries
        if isinstance(entry, dict)
        and KEPT_ID.match(str(entry.get("id", "")))
        and entry.get("ext") in EXTENSIONS
        and storage.exists(_stored_name(entry))
    ]


def open_kept(entries):
    """The kept files as uploads (name, size, sniffed_type), ready to be stored with a case."""
    storage = kept_storage()
    files = []
    for entry in entries:
        upload = File(storage.open(_stored_name(entry), "rb"), name=entry["name"])
        upload.sniffed_type = entry["type"]
        upload.content_type = entry["type"]
        files.append(upload)
    return files


def discard_kept(entries):
    storage = kept_storage()
    for entry in entries:
        storage.delete(_stored_name(entry))
