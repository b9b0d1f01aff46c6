"""Finding what is due: which reminders the daily job owes, to whom, for which day.

Everything here reads; :mod:`notifications.services` writes. The work is set-based: one query
per kind of item (control occurrences, actions, board responses), one for the role holders who
receive reminders for items without an owner and escalations, one for the municipalities'
settings. The number of queries does not grow with the number of items.

The rules, per municipality (:class:`notifications.models.ReminderSettings`, defaults without
a row):

* **before** — ``days_before`` days before the due date (default 14 and 3),
* **due** — on the due date,
* **overdue** — ``days_overdue`` days after it (default 1, 7 and 30),
* **escalation** — ``escalation_days`` after it (default 30), to the coordinators covering the
  item's unit and the unit's head; mandatory,
* the yearly **reporting** deadline (default 1 March) to the municipality's coordinators, before
  and on the day.

Who gets the ordinary reminders: for a control occurrence the control point's owner, or if it
has none the controllers covering the plan's unit; for an action its owner, or if the owner is
only a description the coordinators covering the action's unit; for a board response in draft
the coordinators covering the responding unit.

Each rule fires on its day. The job looks at a *window* of days ending today: normally just
today, but after a missed run also the days since the last completed run (at most
``REMINDER_CATCH_UP_DAYS``), so a day without a run does not make anyone miss a deadline. An item
then gets only the latest of the rules that fell in the window (not "in 14 days" and "in 3 days"
at once).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audits.models import BoardResponse
from controls.models import ControlOccurrence, ControlPlan
from findings.models import Action, DeadlinePrecision, end_of_period
from notifications.models import ItemKind, ReminderRecord, ReminderRule, ReminderSettings
from organisation.models import Municipality, Role, RoleAssignment, User


@dataclass(frozen=True)
class Schedule:
    """A municipality's reminder rules, resolved (defaults where it has no settings row)."""

    municipality_id: int
    before: tuple[int, ...] = (14, 3)
    on_due_date: bool = True
    overdue: tuple[int, ...] = (1, 7, 30)
    escalation_days: int = 30
    reporting_enabled: bool = True
    reporting_day: int = 1
    reporting_month: int = 3
    digest_weekday: int = 0

    @classmethod
    def from_settings(cls, municipality_id: int, row: ReminderSettings | None) -> Schedule:
        if row is None:
            return cls(municipality_id=municipality_id)
        return cls(
            municipality_id=municipality_id,
            before=tuple(row.before),
            on_due_date=row.on_due_date,
            overdue=tuple(row.overdue),
            escalation_days=row.escalation_days,
            reporting_enabled=row.reporting_enabled,
            reporting_day=row.reporting_day,
            reporting_month=row.reporting_month,
            digest_weekday=row.digest_weekday,
        )

    @property
    def reminder_offsets(self) -> list[tuple[str, int]]:
        """(rule, days relative to the due date) of the ordinary reminders."""
        offsets = [(ReminderRule.BEFORE.value, -d) for d in self.before]
        if self.on_due_date:
            offsets.append((ReminderRule.DUE.value, 0))
        offsets += [(ReminderRule.OVERDUE.value, d) for d in self.overdue]
        return offsets

    @property
    def all_offsets(self) -> list[int]:
        return [d for _rule, d in self.reminder_offsets] + [self.escalation_days]

    def reporting_deadline(self, year: int) -> datetime.date:
        return datetime.date(year, self.reporting_month, self.reporting_day)


def schedules(
    *, enabled_only: bool = True, municipality_ids: Collection[int] | None = None
) -> dict[int, Schedule]:
    """Every municipality's schedule (or those given), by municipality id (one query)."""
    result: dict[int, Schedule] = {}
    municipalities = Municipality.objects.select_related("reminder_settings")
    if municipality_ids is not None:
        municipalities = municipalities.filter(pk__in=list(municipality_ids))
    for municipality in municipalities:
        row = getattr(municipality, "reminder_settings", None)
        if enabled_only and row is not None and not row.enabled:
            continue
        result[municipality.pk] = Schedule.from_settings(municipality.pk, row)
    return result


@dataclass(frozen=True)
class Due:
    """A reminder owed to one recipient; becomes a :class:`ReminderRecord`."""

    recipient_id: int
    municipality_id: int
    content_type_id: int
    object_id: int
    item_kind: str
    rule: str
    days: int
    for_date: datetime.date
    due_date: datetime.date
    title: str
    unit_name: str
    url: str

    @property
    def key(self) -> tuple:
        return (
            self.recipient_id,
            self.content_type_id,
            self.object_id,
            self.rule,
            self.days,
            self.for_date,
        )

    @property
    def mandatory(self) -> bool:
        return self.rule == ReminderRule.ESCALATION

    def as_record(self, **extra: object) -> ReminderRecord:
        return ReminderRecord(
            recipient_id=self.recipient_id,
            municipality_id=self.municipality_id,
            content_type_id=self.content_type_id,
            object_id=self.object_id,
            item_kind=self.item_kind,
            rule=self.rule,
            days=self.days,
            for_date=self.for_date,
            due_date=self.due_date,
            title=self.title[:255],
            unit_name=self.unit_name[:160],
            url=self.url[:500],
            mandatory=self.mandatory,
            **extra,
        )


@dataclass
class Window:
    """The days whose rules this run fires: ``start`` to ``end`` (today), inclusive."""

    start: datetime.date
    end: datetime.date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError("window starts after it ends")

    def contains(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end

    def due_range(self, offset: int) -> tuple[datetime.date, datetime.date]:
        """The due dates for which a rule ``offset`` days from the due date fires in the window."""
        delta = datetime.timedelta(days=offset)
        return self.start - delta, self.end - delta


def pick_rules(
    due_date: datetime.date, schedule: Schedule, window: Window
) -> list[tuple[str, int]]:
    """The rules an item due on ``due_date`` fires in the window.

    At most one ordinary reminder — the latest whose day fell in the window — and the escalation
    if its day fell in the window.
    """
    picked: list[tuple[str, int]] = []
    fired = [
        (rule, days)
        for rule, days in schedule.reminder_offsets
        if window.contains(due_date + datetime.timedelta(days=days))
    ]
    if fired:
        picked.append(max(fired, key=lambda pair: pair[1]))
    if window.contains(due_date + datetime.timedelta(days=schedule.escalation_days)):
        picked.append((ReminderRule.ESCALATION.value, schedule.escalation_days))
    return picked


def _due_filter(field_name: str, offsets: Iterable[int], window: Window, widen: int = 0) -> Q:
    """Due dates for which any of the offsets fires in the window (as one range per offset)."""
    condition = Q(pk__in=[])
    for offset in sorted(set(offsets)):
        first, last = window.due_range(offset)
        condition |= Q(
            **{
                f"{field_name}__gte": first - datetime.timedelta(days=widen),
                f"{field_name}__lte": last,
            }
        )
    return condition


@dataclass
class RoleHolders:
    """Who holds a role on which unit today, to find the holders covering a unit by its path."""

    by_role_unit: dict[tuple[str, int], list[int]] = field(default_factory=dict)
    by_role_municipality: dict[tuple[str, int], list[int]] = field(default_factory=dict)

    @classmethod
    def load(cls, municipality_ids: Iterable[int], today: datetime.date) -> RoleHolders:
        """The controllers and coordinators of these municipalities (one query).

        Like :func:`organisation.policy.grants`: valid today, on an active unit of the user's own
        municipality, held by an active user.
        """
        holders = cls()
        unit_map: dict[tuple[str, int], set[int]] = defaultdict(set)
        municipality_map: dict[tuple[str, int], set[int]] = defaultdict(set)
        rows = (
            RoleAssignment.objects.valid_on(today)
            .filter(
                role__in=[Role.CONTROLLER, Role.COORDINATOR],
                unit__municipality_id__in=list(municipality_ids),
                unit__is_active=True,
                user__is_active=True,
            )
            .filter(user__municipality_id=F("unit__municipality_id"))
            .values_list("role", "unit_id", "user_id", "unit__municipality_id")
        )
        for role, unit_id, user_id, municipality_id in rows:
            unit_map[(role, unit_id)].add(user_id)
            municipality_map[(role, municipality_id)].add(user_id)
        holders.by_role_unit = {key: sorted(users) for key, users in unit_map.items()}
        holders.by_role_municipality = {key: sorted(u) for key, u in municipality_map.items()}
        return holders

    def covering(self, role: str, path: str) -> set[int]:
        """Holders of ``role`` on the unit with this path or any unit above it."""
        found: set[int] = set()
        for part in path.strip("/").split("/"):
            if part:
                found.update(self.by_role_unit.get((role, int(part)), ()))
        return found

    def in_municipality(self, role: str, municipality_id: int) -> set[int]:
        return set(self.by_role_municipality.get((role, municipality_id), ()))


def url_maker(model: type) -> Callable[[int], str]:
    """``pk → model(pk=pk).get_absolute_url()``, reversing the URL once instead of per item."""
    sentinel = "987654321"
    template = model(pk=int(sentinel)).get_absolute_url()
    if template.count(sentinel) != 1:
        return lambda pk: model(pk=pk).get_absolute_url()
    head, tail = template.split(sentinel)
    return lambda pk: f"{head}{pk}{tail}"


@dataclass
class _Item:
    """What the rules need to know about an item, whatever its kind."""

    pk: int
    municipality_id: int
    due_date: datetime.date
    title: str
    unit_name: str
    unit_path: str
    url: str
    owners: set[int]
    owner_fallback_role: str
    head_id: int | None


def _occurrence_items(
    municipalities: dict[int, Schedule], window: Window
) -> Iterator[tuple[_Item, Schedule]]:
    offsets = {d for s in municipalities.values() for d in s.all_offsets}
    url = url_maker(ControlOccurrence)
    rows = (
        ControlOccurrence.objects.filter(
            _due_filter("due_date", offsets, window),
            status=ControlOccurrence.Status.PLANNED,
            control_point__plan__status=ControlPlan.Status.ADOPTED,
            control_point__plan__municipality_id__in=list(municipalities),
        )
        .order_by()
        .values_list(
            "pk",
            "due_date",
            "period_label",
            "control_point__number",
            "control_point__title",
            "control_point__owner_id",
            "control_point__owner__is_active",
            "control_point__owner__municipality_id",
            "control_point__plan__municipality_id",
            "control_point__plan__unit__name",
            "control_point__plan__unit__path",
            "control_point__plan__unit__head_id",
        )
    )
    for (
        pk,
        due_date,
        period_label,
        number,
        point_title,
        owner_id,
        owner_active,
        owner_municipality_id,
        municipality_id,
        unit_name,
        unit_path,
        head_id,
    ) in rows.iterator(chunk_size=5000):
        owner_ok = (
            owner_id is not None and owner_active and owner_municipality_id == municipality_id
        )
        yield (
            _Item(
                pk=pk,
                municipality_id=municipality_id,
                due_date=due_date,
                title=f"{number}. {point_title} – {period_label or due_date.isoformat()}",
                unit_name=unit_name,
                unit_path=unit_path,
                url=url(pk),
                owners={owner_id} if owner_ok else set(),
                owner_fallback_role=Role.CONTROLLER,
                head_id=head_id,
            ),
            municipalities[municipality_id],
        )


def _action_items(
    municipalities: dict[int, Schedule], window: Window
) -> Iterator[tuple[_Item, Schedule]]:
    offsets = {d for s in municipalities.values() for d in s.all_offsets}
    url = url_maker(Action)
    # A deadline given as a month, quarter or year falls due on the period's last day, up to a
    # year after the stored date: those are read with a widened range and checked below.
    day_precision = Q(deadline_precision=DeadlinePrecision.DAY) & _due_filter(
        "deadline", offsets, window
    )
    coarse = ~Q(deadline_precision=DeadlinePrecision.DAY) & _due_filter(
        "deadline", offsets, window, widen=366
    )
    rows = (
        Action.objects.open()
        .filter(day_precision | coarse, municipality_id__in=list(municipalities))
        .order_by()
        .values_list(
            "pk",
            "deadline",
            "deadline_precision",
            "title",
            "owner_id",
            "owner__is_active",
            "owner__municipality_id",
            "municipality_id",
            "unit__name",
            "unit__path",
            "unit__head_id",
        )
    )
    for (
        pk,
        deadline,
        precision,
        title,
        owner_id,
        owner_active,
        owner_municipality_id,
        municipality_id,
        unit_name,
        unit_path,
        head_id,
    ) in rows.iterator(chunk_size=5000):
        owner_ok = (
            owner_id is not None and owner_active and owner_municipality_id == municipality_id
        )
        yield (
            _Item(
                pk=pk,
                municipality_id=municipality_id,
                due_date=end_of_period(deadline, precision),
                title=title,
                unit_name=unit_name,
                unit_path=unit_path,
                url=url(pk),
                owners={owner_id} if owner_ok else set(),
                owner_fallback_role=Role.COORDINATOR,
                head_id=head_id,
            ),
            municipalities[municipality_id],
        )


#: A response the auditors have not received yet: still a draft, or decided but not dispatched.
UNDELIVERED_RESPONSE = (BoardResponse.Status.DRAFT, BoardResponse.Status.DECIDED)


def _response_items(
    municipalities: dict[int, Schedule], window: Window
) -> Iterator[tuple[_Item, Schedule]]:
    offsets = {d for s in municipalities.values() for d in s.all_offsets}
    url = url_maker(BoardResponse)
    rows = (
        BoardResponse.objects.filter(
            _due_filter("audit__response_deadline", offsets, window),
            # Decided but not dispatched has not reached the auditors either.
            status__in=UNDELIVERED_RESPONSE,
            audit__municipality_id__in=list(municipalities),
            unit__municipality_id=F("audit__municipality_id"),
        )
        .order_by()
        .values_list(
            "pk",
            "audit__response_deadline",
            "title",
            "audit__title",
            "audit__municipality_id",
            "unit__name",
            "unit__path",
            "unit__head_id",
        )
    )
    for (
        pk,
        deadline,
        title,
        audit_title,
        municipality_id,
        unit_name,
        unit_path,
        head_id,
    ) in rows.iterator(chunk_size=5000):
        yield (
            _Item(
                pk=pk,
                municipality_id=municipality_id,
                due_date=deadline,
                title=title
                or _("Yttrande från %(unit)s över %(audit)s")
                % {"unit": unit_name, "audit": audit_title},
                unit_name=unit_name,
                unit_path=unit_path,
                url=url(pk),
                owners=set(),
                owner_fallback_role=Role.COORDINATOR,
                head_id=head_id,
            ),
            municipalities[municipality_id],
        )


def _reporting_due(
    municipalities: dict[int, Schedule],
    holders: RoleHolders,
    window: Window,
    content_type_id: int,
) -> Iterator[Due]:
    """The yearly reporting deadline (1 March) to each municipality's coordinators."""
    url = reverse("reports:report_list")
    for municipality_id, schedule in municipalities.items():
        if not schedule.reporting_enabled:
            continue
        offsets = [(rule, days) for rule, days in schedule.reminder_offsets if days <= 0]
        for year in range(window.start.year, window.end.year + 2):
            try:
                deadline = schedule.reporting_deadline(year)
            except ValueError:  # 29 February in a common year
                continue
            fired = [
                (rule, days)
                for rule, days in offsets
                if window.contains(deadline + datetime.timedelta(days=days))
            ]
            if not fired:
                continue
            rule, days = max(fired, key=lambda pair: pair[1])
            title = _(
                "Årlig rapportering: internkontrollen %(year)s rapporteras till "
                "informationssäkerhetssamordnaren senast %(date)s"
            ) % {"year": year - 1, "date": deadline.isoformat()}
            for user_id in holders.in_municipality(Role.COORDINATOR, municipality_id):
                yield Due(
                    recipient_id=user_id,
                    municipality_id=municipality_id,
                    content_type_id=content_type_id,
                    object_id=municipality_id,
                    item_kind=ItemKind.REPORTING,
                    rule=rule,
                    days=days,
                    for_date=deadline + datetime.timedelta(days=days),
                    due_date=deadline,
                    title=title,
                    unit_name="",
                    url=url,
                )


def collect(
    *,
    today: datetime.date,
    window_start: datetime.date | None = None,
    municipality_ids: Collection[int] | None = None,
) -> list[Due]:
    """Every reminder due in the window ending today, sorted by its unique key.

    ``municipality_ids`` confines the run to some municipalities (the benchmark uses it).

    The sort order matters: concurrent runs insert their rows in the same order, so they wait
    for each other on the unique index instead of deadlocking.
    """
    window = Window(start=window_start or today, end=today)
    municipalities = schedules(municipality_ids=municipality_ids)
    if not municipalities:
        return []
    holders = RoleHolders.load(municipalities, today)
    content_types = ContentType.objects.get_for_models(
        ControlOccurrence, Action, BoardResponse, Municipality
    )
    active_heads = dict(
        User.objects.filter(is_active=True, headed_units__isnull=False)
        .filter(municipality_id__in=list(municipalities))
        .values_list("pk", "municipality_id")
        .distinct()
    )

    found: dict[tuple, Due] = {}

    def add(item: _Item, schedule: Schedule, kind: str, content_type_id: int) -> None:
        for rule, days in pick_rules(item.due_date, schedule, window):
            if rule == ReminderRule.ESCALATION:
                recipients = holders.covering(Role.COORDINATOR, item.unit_path)
                if active_heads.get(item.head_id) == item.municipality_id:
                    recipients.add(item.head_id)
            else:
                recipients = item.owners or holders.covering(
                    item.owner_fallback_role, item.unit_path
                )
            for recipient_id in recipients:
                due = Due(
                    recipient_id=recipient_id,
                    municipality_id=item.municipality_id,
                    content_type_id=content_type_id,
                    object_id=item.pk,
                    item_kind=kind,
                    rule=rule,
                    days=days,
                    for_date=item.due_date + datetime.timedelta(days=days),
                    due_date=item.due_date,
                    title=item.title,
                    unit_name=item.unit_name,
                    url=item.url,
                )
                found[due.key] = due

    sources = (
        (_occurrence_items, ItemKind.OCCURRENCE, content_types[ControlOccurrence].pk),
        (_action_items, ItemKind.ACTION, content_types[Action].pk),
        (_response_items, ItemKind.RESPONSE, content_types[BoardResponse].pk),
    )
    for source, kind, content_type_id in sources:
        for item, schedule in source(municipalities, window):
            add(item, schedule, kind, content_type_id)
    for due in _reporting_due(municipalities, holders, window, content_types[Municipality].pk):
        found[due.key] = due
    return [found[key] for key in sorted(found)]


def still_due(records: Iterable[ReminderRecord]) -> set[int]:
    """Ids of the records whose item is still open with the same due date (for the e-mail).

    A weekly digest gathers reminders over days; an item finished meanwhile, or given a new due
    date (which brings reminders of its own), is left out. One query per kind of item.
    """
    records = list(records)
    by_kind: dict[str, dict[int, list[ReminderRecord]]] = defaultdict(lambda: defaultdict(list))
    for record in records:
        by_kind[record.item_kind][record.object_id].append(record)
    current: dict[tuple[str, int], datetime.date] = {}
    if ids := list(by_kind.get(ItemKind.OCCURRENCE, {})):
        for pk, due_date in ControlOccurrence.objects.filter(
            pk__in=ids, status=ControlOccurrence.Status.PLANNED
        ).values_list("pk", "due_date"):
            current[(ItemKind.OCCURRENCE, pk)] = due_date
    if ids := list(by_kind.get(ItemKind.ACTION, {})):
        for pk, deadline, precision in (
            Action.objects.open()
            .filter(pk__in=ids, deadline__isnull=False)
            .values_list("pk", "deadline", "deadline_precision")
        ):
            current[(ItemKind.ACTION, pk)] = end_of_period(deadline, precision)
    if ids := list(by_kind.get(ItemKind.RESPONSE, {})):
        for pk, deadline in BoardResponse.objects.filter(
            pk__in=ids, status__in=UNDELIVERED_RESPONSE, audit__response_deadline__isnull=False
        ).values_list("pk", "audit__response_deadline"):
            current[(ItemKind.RESPONSE, pk)] = deadline
    result: set[int] = set()
    for record in records:
        is_reporting = record.item_kind == ItemKind.REPORTING
        if is_reporting or current.get((record.item_kind, record.object_id)) == record.due_date:
            result.add(record.pk)
    return result


def describe(rule: str, days: int) -> str:
    """When, in words: "sista dag om 14 dagar", "sista dag i dag", "försenad 1 dag"."""
    if rule == ReminderRule.DUE or days == 0:
        return _("sista dag i dag")
    if days < 0:
        return ngettext("sista dag om %(n)s dag", "sista dag om %(n)s dagar", -days) % {"n": -days}
    if rule == ReminderRule.ESCALATION:
        return _("försenad %(n)s dagar – eskaleras") % {"n": days}
    return ngettext("försenad %(n)s dag", "försenad %(n)s dagar", days) % {"n": days}
