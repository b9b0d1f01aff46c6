"""Uploads in and attachments out: the one place that decides what a file is.

* :func:`validate_upload` checks an uploaded file's size and *sniffs its content*: the bytes
  must be of the type its extension claims, and that type must be on an allow-list. Magic
  bytes are read by the ``filetype`` library; Office (OOXML) and OpenDocument files are then
  opened as zip archives and identified by their own manifest (``[Content_Types].xml`` or the
  ``mimetype`` entry), and text files (CSV, TXT) must decode as UTF-8 or Windows-1252 with no
  NUL byte and no markup. Executables, HTML, SVG and anything else are refused.
* :class:`EvidenceFileField` applies it in a form.
* :func:`save_stored_file` stores a checked upload as a row of a :class:`core.models.StoredFile`
  subclass, under an unguessable name outside the web root.
* :func:`serve_attachment` sends a stored file back: always as an attachment, never rendered.
"""

from __future__ import annotations

import codecs
import hashlib
import logging
import re
import unicodedata
import zipfile
from collections.abc import Collection
from enum import StrEnum
from pathlib import PurePath
from typing import IO, TypeVar
from urllib.parse import quote

import filetype
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.utils.translation import gettext_lazy as _

from core.models import StoredFile

logger = logging.getLogger(__name__)


class DownloadKind(StrEnum):
    """What a download is, for the security event log (security.SecurityEvent.Kind values)."""

    EXPORT = "export"
    EVIDENCE = "evidence_download"
    REPORT = "report_download"


#: Attribute on a response that the security log middleware records, once it succeeded.
DOWNLOAD_MARK = "uppsikt_download"


def mark_download(
    response: HttpResponse,
    *,
    kind: DownloadKind,
    obj: models.Model | None = None,
    detail: str = "",
) -> HttpResponse:
    """Mark a response as a download or export to log (security.middleware does the writing).

    Every file leaving the application goes through :func:`serve_attachment` or
    core.exports, which mark their responses, so no view has to remember to log.
    """
    setattr(response, DOWNLOAD_MARK, (kind, obj, detail))
    return response


#: Content type of each allowed extension (lower case, without the dot).
EXTENSION_TYPES: dict[str, str] = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "csv": "text/csv",
    "txt": "text/plain",
}
#: What an evidence upload may be unless a caller narrows it (e.g. ``{"csv", "xlsx"}``).
DEFAULT_ALLOWED: frozenset[str] = frozenset(EXTENSION_TYPES)

TEXT_EXTENSIONS = frozenset({"csv", "txt"})

# The main part of an OOXML package names the document kind. Macro-enabled variants (.docm,
# .xlsm) have other content types and are therefore refused.
_OOXML_MAIN_PARTS: dict[bytes, str] = {
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        EXTENSION_TYPES["docx"]
    ),
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": (
        EXTENSION_TYPES["xlsx"]
    ),
    b"application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": (
        EXTENSION_TYPES["pptx"]
    ),
}
_ODF_TYPES = frozenset({EXTENSION_TYPES["odt"], EXTENSION_TYPES["ods"], EXTENSION_TYPES["odp"]})
_ZIP_FAMILY = frozenset({"application/zip", *_OOXML_MAIN_PARTS.values(), *_ODF_TYPES})
_MANIFEST_MAX_BYTES = 1024 * 1024  # a [Content_Types].xml bigger than this is not a document
_MARKUP = re.compile(rb"<\s*(!doctype|html|svg|script|\?xml|body|iframe)", re.IGNORECASE)
_HEAD_BYTES = 8192
_CHUNK = 64 * 1024

S = TypeVar("S", bound=StoredFile)


def extension_of(name: str) -> str:
    """``"Rapport 2025.PDF"`` → ``"pdf"``; ``""`` when the name has no extension."""
    return PurePath(name or "").suffix.lower().lstrip(".")


def _megabytes(n: int) -> str:
    mb = n / (1024 * 1024)
    return str(int(mb)) if mb == int(mb) else f"{mb:.1f}".replace(".", ",")


def validate_upload(
    uploaded_file: UploadedFile,
    *,
    allowed: Collection[str] = DEFAULT_ALLOWED,
    max_bytes: int | None = None,
) -> tuple[str, str]:
    """Check an upload and return ``(content_type, sha256_hex)``.

    ``allowed`` is a set of extensions (``{"pdf", "xlsx"}``); ``max_bytes`` defaults to
    ``settings.UPLOAD_MAX_BYTES`` (read at call time, so tests can override it). Raises a
    :class:`ValidationError` with a Swedish message when the file is too big, empty, of a type
    that is not allowed, or whose content does not match its extension. Leaves the file at
    position 0.
    """
    limit = settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    size = uploaded_file.size or 0
    if size > limit:
        raise ValidationError(
            _("Filen är för stor (max %(max)s MB)."),
            code="too_large",
            params={"max": _megabytes(limit)},
        )
    extension = extension_of(uploaded_file.name or "")
    if not extension:
        raise ValidationError(_("Filen saknar filändelse."), code="no_extension")
    if extension not in allowed or extension not in EXTENSION_TYPES:
        raise ValidationError(
            _("Filtypen .%(ext)s är inte tillåten."),
            code="type_not_allowed",
            params={"ext": extension},
        )
    if size == 0:
        raise ValidationError(_("Filen är tom."), code="empty")
    try:
        sniffed = sniff(uploaded_file, extension)
        digest = _sha256(uploaded_file)
    finally:
        uploaded_file.seek(0)
    if sniffed != EXTENSION_TYPES[extension]:
        raise ValidationError(
            _("Filens innehåll stämmer inte med filändelsen .%(ext)s."),
            code="content_mismatch",
            params={"ext": extension},
        )
    return sniffed, digest


def sniff(file: IO[bytes], extension: str) -> str | None:
    """The content type the bytes of ``file`` show, or ``None`` when not one we accept.

    ``extension`` only decides whether to try the text check (a text file has no magic bytes);
    it never makes a binary type acceptable.
    """
    if extension in TEXT_EXTENSIONS:
        return EXTENSION_TYPES[extension] if _is_plain_text(file) else None
    file.seek(0)
    head = file.read(_HEAD_BYTES)
    kind = filetype.guess_mime(head)
    if kind in _ZIP_FAMILY:
        return _zip_document_type(file)
    return kind


def _is_plain_text(file: IO[bytes]) -> bool:
    """UTF-8 (with or without BOM) or Windows-1252 text, with no NUL byte and no markup."""
    file.seek(0)
    utf8 = codecs.getincrementaldecoder("utf-8-sig")()
    cp1252 = codecs.getincrementaldecoder("cp1252")()
    utf8_ok = cp1252_ok = True
    first = True
    while chunk := file.read(_CHUNK):
        if b"\x00" in chunk:
            return False
        if first and _MARKUP.search(chunk[:1024]):
            return False
        first = False
        if utf8_ok:
            try:
                utf8.decode(chunk)
            except UnicodeDecodeError:
                utf8_ok = False
        if cp1252_ok:
            try:
                cp1252.decode(chunk)
            except UnicodeDecodeError:
                cp1252_ok = False
        if not (utf8_ok or cp1252_ok):
            return False
    if utf8_ok:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok = False
    return utf8_ok or cp1252_ok


def _zip_document_type(file: IO[bytes]) -> str | None:
    """Identify an OOXML or ODF package by its manifest; any other zip is ``None``."""
    file.seek(0)
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" in names:
                info = archive.getinfo("[Content_Types].xml")
                if info.file_size > _MANIFEST_MAX_BYTES:
                    return None
                manifest = archive.read(info)
                for main_part, content_type in _OOXML_MAIN_PARTS.items():
                    if b'"' + main_part + b'"' in manifest:
                        return content_type
                return None
            if "mimetype" in names:
                info = archive.getinfo("mimetype")
                if info.file_size > 200:
                    return None
                declared = archive.read(info).decode("ascii", "replace").strip()
                return declared if declared in _ODF_TYPES else None
    except Exception:
        # Whatever a damaged archive raises is "not a document": BadZipFile, zlib.error (a
        # corrupt deflate stream), RuntimeError (an encrypted entry), NotImplementedError (an
        # unknown compression method), EOFError, OSError, KeyError …
        return None
    return None


def _sha256(file: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    return digest.hexdigest()


# --- names -----------------------------------------------------------------------------------

_UNSAFE_IN_NAME = re.compile(r'[<>:"|?*]')


def clean_filename(name: str, *, max_length: int = 255) -> str:
    """A safe display name for an uploaded file: no path, no control or bidi characters.

    Swedish letters and spaces are kept (``"Protokoll § 12 – åtgärder.pdf"`` stays as it is);
    ``"../../etc/passwd"`` becomes ``"passwd"``, ``"evil\\u202egnp.exe"`` loses its
    right-to-left override.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE_IN_NAME.sub("_", name).strip().lstrip(".").strip()
    if not name:
        name = "fil"
    if len(name) > max_length:
        suffix = PurePath(name).suffix[:16]
        name = name[: max_length - len(suffix)] + suffix
    return name


def _ascii_fallback(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    ascii_name = re.sub(r'["\\\r\n;]', "_", ascii_name).strip()
    return ascii_name or "fil" + PurePath(name).suffix.encode("ascii", "ignore").decode()


def content_disposition(filename: str) -> str:
    """RFC 6266 ``attachment`` header: an ASCII ``filename`` plus ``filename*`` in UTF-8."""
    name = clean_filename(filename)
    fallback = _ascii_fallback(name)
    header = f'attachment; filename="{fallback}"'
    if fallback != name:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header


# --- forms -----------------------------------------------------------------------------------


class EvidenceFileField(forms.FileField):
    """A file field that runs :func:`validate_upload` on a new upload.

    ``EvidenceFileField(label=_("Underlag"), allowed={"pdf", "xlsx"})``. The widget's ``accept``
    attribute and the help text name the allowed types and the size limit.
    """

    def __init__(
        self,
        *,
        allowed: Collection[str] = DEFAULT_ALLOWED,
        max_bytes: int | None = None,
        **kwargs,
    ) -> None:
        self.allowed = frozenset(allowed)
        self.max_bytes = max_bytes
        limit = settings.UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
        kinds = ", ".join(f".{ext}" for ext in sorted(self.allowed))
        kwargs.setdefault(
            "help_text",
            _("Tillåtna filtyper: %(kinds)s. Högst %(max)s MB.")
            % {"kinds": kinds, "max": _megabytes(limit)},
        )
        kwargs.setdefault(
            "widget", forms.ClearableFileInput(attrs={"accept": kinds.replace(" ", "")})
        )
        super().__init__(**kwargs)

    def validate(self, value) -> None:
        super().validate(value)
        if isinstance(value, UploadedFile):
            validate_upload(value, allowed=self.allowed, max_bytes=self.max_bytes)


# --- storing and serving ---------------------------------------------------------------------


def save_stored_file(
    model_cls: type[S],
    *,
    uploaded: UploadedFile,
    user,
    allowed: Collection[str] = DEFAULT_ALLOWED,
    **fields,
) -> S:
    """Check ``uploaded`` and store it as a new ``model_cls`` row (a StoredFile subclass).

    ``fields`` are the subclass's own fields (``occurrence=…``). The file gets an unguessable
    name in the private storage; the row keeps the sanitised original name, the sniffed content
    type, the size and the SHA-256. Raises :class:`ValidationError` and stores nothing when the
    upload or the row is invalid.
    """
    content_type, sha256 = validate_upload(uploaded, allowed=allowed)
    name = clean_filename(uploaded.name or "")
    obj = model_cls(
        original_name=name,
        content_type=content_type,
        size=uploaded.size,
        sha256=sha256,
        uploaded_by=user,
        **fields,
    )
    obj.full_clean(exclude=["file"])
    with transaction.atomic():
        obj.file.save(name, uploaded, save=False)
        try:
            obj.save()
        except Exception:
            obj.file.delete(save=False)
            raise
    return obj


def serve_attachment(
    stored: StoredFile | FieldFile,
    *,
    filename: str | None = None,
    content_type: str | None = None,
) -> FileResponse:
    """Send a stored file as a download that the browser never renders.

    Call it only from a view that has checked access through the policy module. ``filename``
    and ``content_type`` default to the row's ``original_name`` and ``content_type`` when
    ``stored`` is a StoredFile row.
    """
    if isinstance(stored, StoredFile):
        field_file = stored.file
        filename = filename or stored.original_name
        content_type = content_type or stored.content_type
    else:
        field_file = stored
    filename = filename or PurePath(field_file.name).name
    try:
        handle = field_file.storage.open(field_file.name, "rb")
    except OSError as exc:
        # A row whose file is gone (a restore without the uploads, a disk problem): the person
        # gets a 404, the operators an error in the log, never a 500 with a path in it.
        logger.error("Stored file missing: %s (%s)", field_file.name, exc)
        raise Http404(_("Filen finns inte längre.")) from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=clean_filename(filename),
        content_type=content_type or "application/octet-stream",
    )
    response["Content-Disposition"] = content_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return mark_download(
        response,
        kind=DownloadKind.EVIDENCE,
        obj=stored if isinstance(stored, StoredFile) else getattr(stored, "instance", None),
        detail=filename,
    )
