"""Building blocks shared by the domain apps."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def private_upload_to(instance: models.Model, filename: str) -> str:
    """Store uploads under an unguessable name; the original name is kept on the row.

    Files live in the private storage (``UPLOAD_ROOT``), never under the web root, and reach a
    browser only through a permission-checked view that sends them as attachments.
    """
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"{instance._meta.app_label}/{instance._meta.model_name}/{uuid.uuid4().hex}{suffix}"


class StoredFile(models.Model):
    """An uploaded file: evidence, an audit report, an import. Checked on the way in
    (core.files.validate_upload) and served only as an attachment."""

    file = models.FileField(_("fil"), upload_to=private_upload_to, max_length=255)
    original_name = models.CharField(_("filnamn"), max_length=255)
    content_type = models.CharField(_("filtyp"), max_length=120)
    size = models.PositiveBigIntegerField(_("storlek (byte)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uppladdad av"),
    )
    uploaded_at = models.DateTimeField(_("uppladdad"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name
