"""Change history of an object, field by field, from django-simple-history.

``history_for(obj)`` returns entries newest first: who, when, what kind of change, the reason
given, and for each changed field its label with the old and the new value as text. Foreign keys
are shown by name, looked up in one query per related model, so the number of queries does not
grow with the length of the history.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

HISTORY_TYPES = {"+": _("Skapad"), "~": _("Ändrad"), "-": _("Borttagen")}
HIDDEN_FIELDS = {"updated_at", "path", "status_changed_at", "password", "last_login"}


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: Any
    who: str
    kind: str
    reason: str
    changes: list[FieldChange] = field(default_factory=list)


def _display(model_field: models.Field, value: Any, names: dict) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(model_field, models.ForeignKey):
        return names.get((model_field.related_model, value), f"#{value}")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.BooleanField):
        return str(_("Ja") if value else _("Nej"))
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "Y-m-d H:i")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def history_for(obj: models.Model, limit: int = 50) -> list[HistoryEntry]:
    records = list(
        obj.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : limit + 1
        ]
    )
    model = type(obj)
    concrete = {
        f.attname: f
        for f in model._meta.concrete_fields
        if f.attname not in HIDDEN_FIELDS and f.name not in HIDDEN_FIELDS and not f.primary_key
    }

    diffs: list[tuple[Any, list[tuple[models.Field, Any, Any]]]] = []
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        for attname, model_field in concrete.items():
            new = getattr(record, attname, None)
            old = getattr(previous, attname, None) if previous is not None else None
            if previous is None and record.history_type == "+" and new in (None, "", [], False):
                continue
            if previous is None or old != new:
                changes.append((model_field, old, new))
                if isinstance(model_field, models.ForeignKey):
                    for value in (old, new):
                        if value is not None:
                            wanted[model_field.related_model].add(value)
        diffs.append((record, changes))

    names: dict = {}
    for related_model, pks in wanted.items():
        for related in related_model._default_manager.filter(pk__in=pks):
            names[(related_model, related.pk)] = str(related)

    entries = []
    for record, changes in diffs:
        who = str(record.history_user) if record.history_user_id else str(_("Systemet"))
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=who,
                kind=str(HISTORY_TYPES.get(record.history_type, record.history_type)),
                reason=record.history_change_reason or "",
                changes=[
                    FieldChange(
                        label=capfirst(str(model_field.verbose_name)),
                        old=_display(model_field, old, names) if record.history_type != "+" else "",
                        new=_display(model_field, new, names),
                    )
                    for model_field, old, new in changes
                ],
            )
        )
    return entries


def history_without(obj: models.Model, hidden: set[str]) -> list[HistoryEntry]:
    """:func:`history_for` without the changes of the named fields.

    For fields a reader may not see (the details of a secret audit or control) or that mean
    nothing to people (the storage name of an uploaded file).
    """
    labels = {str(obj._meta.get_field(name).verbose_name).capitalize() for name in hidden}
    entries = history_for(obj)
    for entry in entries:
        entry.changes = [c for c in entry.changes if c.label not in labels]
    return entries
