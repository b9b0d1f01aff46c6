"""Uploads of account exports and payroll rosters are kept in memory only.

Django writes an upload larger than ``FILE_UPLOAD_MAX_MEMORY_SIZE`` to a temporary file. A roster
holds personnummer in clear, so the access review's upload view swaps in this handler: the bytes
stay in the request's memory, are reduced (personnummer hashed) and are gone with the request.
Past the size limit the rest of a file is not kept, but its true size is reported, so the size
check (:func:`core.files.validate_upload`) refuses it with its usual Swedish message.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers


def max_upload_bytes() -> int:
    return int(getattr(settings, "ACCESS_REVIEW_MAX_UPLOAD_BYTES", settings.UPLOAD_MAX_BYTES))


class InMemoryOnlyUploadHandler(FileUploadHandler):
    def __init__(self, request=None) -> None:
        super().__init__(request)
        self.limit = max_upload_bytes()

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()
        self.received = 0
        raise StopFutureHandlers()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.received += len(raw_data)
        if self.received <= self.limit + len(raw_data):
            self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> InMemoryUploadedFile:
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer,
            field_name=self.field_name,
            name=self.file_name,
            content_type=self.content_type,
            size=self.received,
            charset=self.charset,
            content_type_extra=self.content_type_extra,
        )
