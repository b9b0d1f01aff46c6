"""Admin building blocks shared by the apps."""

from __future__ import annotations

from pathlib import PurePath

from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin


class StoredFileAdmin(SimpleHistoryAdmin):
    """Admin of a model with an uploaded file that is never served by URL (``MEDIA_URL=None``).

    Django's file widget and read-only display both link to ``file.url``, which private storage
    refuses; the admin shows the stored name and size instead and never offers to replace the
    file (uploads go through the app's checks in core.files). Downloads go through the app's
    permission-checked views.
    """

    file_field = "file"

    def get_exclude(self, request, obj=None):
        return [*(super().get_exclude(request, obj) or ()), self.file_field]

    @admin.display(description=_("fil"))
    def stored_file(self, obj) -> str:
        stored = getattr(obj, self.file_field, None) if obj else None
        if not stored:
            return "–"
        size = getattr(obj, "size", None)
        name = PurePath(stored.name).name
        return f"{name} ({filesizeformat(size)})" if size else name
