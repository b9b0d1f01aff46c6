"""The loader's building blocks: an idempotent upsert, many-to-many sets and the shared context.

Every demo row is found by a natural key and brought to the state the seeds describe. A row is
written only when it is missing or differs from that state, so a second run on the same day
writes nothing at all (no saves, no history rows, no ``updated_at`` changes).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models

M = TypeVar("M", bound=models.Model)

TZ = ZoneInfo(settings.TIME_ZONE)


@dataclass
class Stats:
    """How many rows a run created and updated (printed by the command)."""

    created: int = 0
    updated: int = 0


@dataclass
class DemoContext:
    """What the area loaders share: the day the demo is dated from and the rows made so far."""

    today: datetime.date
    stats: Stats = field(default_factory=Stats)
    municipality: Any = None
    units: dict[str, Any] = field(default_factory=dict)
    users: dict[str, Any] = field(default_factory=dict)
    systems: dict[str, Any] = field(default_factory=dict)
    decisions: dict[str, Any] = field(default_factory=dict)
    audits: dict[str, Any] = field(default_factory=dict)
    occurrences: dict[str, Any] = field(default_factory=dict)
    #: Rows created in this run: their many-to-many sets are known to be empty.
    fresh: set[tuple[type, Any]] = field(default_factory=set)

    def days(self, offset: int) -> datetime.date:
        """``today`` moved by ``offset`` days: the source of every date in the live demo."""
        return self.today + datetime.timedelta(days=offset)


def at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """An aware timestamp on a given day, Stockholm time."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=TZ)


def _same(obj: models.Model, name: str, value: Any) -> bool:
    field_ = obj._meta.get_field(name)
    if field_.many_to_one or field_.one_to_one:
        current = getattr(obj, field_.attname)
        wanted = value.pk if isinstance(value, models.Model) else value
        return current == wanted
    return getattr(obj, name) == value


def _validate(obj: models.Model) -> None:
    """Field values and ``clean()``. Not foreign keys (each would cost a query; the rows were
    just read), uniqueness or check constraints: the database enforces those."""
    relations = [f.name for f in obj._meta.fields if f.is_relation]
    obj.clean_fields(exclude=relations)
    obj.clean()


def _has_fresh_parent(ctx: DemoContext, lookup: dict[str, Any]) -> bool:
    return any(
        isinstance(value, models.Model) and (type(value), value.pk) in ctx.fresh
        for value in lookup.values()
    )


def upsert(
    ctx: DemoContext, model: type[M], defaults: dict[str, Any] | None = None, **lookup: Any
) -> M:
    """Find the row by ``lookup``; create it, or bring its ``defaults`` fields up to date.

    Validates before writing (see :func:`_validate`), so a seed with a bad value fails with the
    field named. Writes nothing when the row already matches.
    """
    defaults = defaults or {}
    try:
        if _has_fresh_parent(ctx, lookup):
            raise model.DoesNotExist  # keyed on a row made in this run: cannot exist yet
        obj = model._default_manager.get(**lookup)
    except model.DoesNotExist:
        obj = model(**lookup, **defaults)
        _validate(obj)
        obj.save()
        ctx.stats.created += 1
        ctx.fresh.add((model, obj.pk))
        return obj
    changed = [name for name, value in defaults.items() if not _same(obj, name, value)]
    if changed:
        for name in changed:
            setattr(obj, name, defaults[name])
        _validate(obj)
        obj.save()
        ctx.stats.updated += 1
    return obj


def set_m2m(
    ctx: DemoContext, obj: models.Model, name: str, related: Iterable[models.Model]
) -> None:
    """Set a many-to-many field, touching it (and its history) only when the set differs."""
    manager = getattr(obj, name)
    wanted = {item.pk for item in related}
    if (type(obj), obj.pk) in ctx.fresh:
        if wanted:
            manager.add(*wanted)
        return
    current = set(manager.values_list("pk", flat=True))
    if wanted != current:
        manager.set(list(wanted))
        ctx.stats.updated += 1
