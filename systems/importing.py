"""The system register as a spreadsheet: export to ``.xlsx`` and import it back.

The import is all or nothing: every row is checked first, and if any row is wrong nothing is
saved and every error is reported with its row number (in Swedish). A row whose name matches a
system of the municipality (ignoring case) updates it; other rows create systems. Role columns
add the named holders (a username of the municipality, or a function such as "IT-chef"); they
never remove a role.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.files import validate_upload
from core.spreadsheets import SpreadsheetError, xlsx_rows
from organisation import policy
from organisation.models import OrgUnit, User
from systems.mapping import parse_date
from systems.models import System, SystemRole

#: (field, column heading) in the order of the sheet. Headings are what the import reads.
COLUMNS: list[tuple[str, Any]] = [
    ("name", gettext_lazy("Namn")),
    ("description", gettext_lazy("Beskrivning")),
    ("owning_unit", gettext_lazy("Ägande nämnd")),
    ("information_owner", gettext_lazy("Informationsägare")),
    ("vendor", gettext_lazy("Leverantör")),
    ("is_prioritised", gettext_lazy("Prioriterat")),
    ("has_personal_data", gettext_lazy("Personuppgifter")),
    ("dpa_reference", gettext_lazy("PUB-avtal")),
    ("dpa_date", gettext_lazy("PUB-avtal datum")),
    ("reserve_routine", gettext_lazy("Reservrutin (plan B)")),
    ("alarm_level", gettext_lazy("Larmnivå")),
    ("alarm_description", gettext_lazy("Larm och övervakning")),
    ("is_active", gettext_lazy("I drift")),
    ("owners", gettext_lazy("Systemägare")),
    ("managers", gettext_lazy("Systemförvaltare")),
]
#: Exported for reading only; the import ignores them.
EXPORT_ONLY = [
    gettext_lazy("Klassning K/R/T/S"),
    gettext_lazy("Klassad"),
    gettext_lazy("Senaste behörighetsgranskning"),
]
REQUIRED = ("name", "owning_unit")
ROLE_COLUMNS = {"owners": SystemRole.Kind.OWNER, "managers": SystemRole.Kind.MANAGER}
MAX_ROWS = 5000
MAX_ERRORS = 50
_TRUE = {"ja", "j", "x", "1", "true", "sant", "yes"}
_FALSE = {"nej", "n", "0", "false", "falskt", "no", ""}


# --- export ----------------------------------------------------------------------------------


def export_header() -> list[str]:
    return [str(label) for _f, label in COLUMNS] + [str(label) for label in EXPORT_ONLY]


def _holders(system: System, kind: str) -> str:
    return "; ".join(
        (role.user.username if role.user_id else role.name)
        for role in system.roles.all()
        if role.kind == kind
    )


def export_rows(systems: Iterable[System]) -> list[list[Any]]:
    """Rows for :func:`core.exports.xlsx_response`. ``systems`` should carry the list page's
    annotations (``current_k`` …, ``classified_on``, ``last_review``) and prefetched roles."""
    rows = []
    for s in systems:
        levels = (
            f"{s.current_k}/{s.current_r}/{s.current_t}/{s.current_s}"
            if getattr(s, "current_k", None) is not None
            else ""
        )
        rows.append(
            [
                s.name,
                s.description,
                s.owning_unit.short_code or s.owning_unit.name,
                (s.information_owner.short_code or s.information_owner.name)
                if s.information_owner
                else "",
                s.vendor,
                s.is_prioritised,
                s.has_personal_data,
                s.dpa_reference,
                s.dpa_date,
                s.reserve_routine,
                s.get_alarm_level_display() if s.alarm_level else "",
                s.alarm_description,
                s.is_active,
                _holders(s, SystemRole.Kind.OWNER),
                _holders(s, SystemRole.Kind.MANAGER),
                levels,
                getattr(s, "classified_on", None),
                getattr(s, "last_review", None),
            ]
        )
    return rows


def roles_prefetch() -> Prefetch:
    return Prefetch("roles", queryset=SystemRole.objects.select_related("user").order_by("pk"))


# --- import ----------------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: list[System] = field(default_factory=list)
    updated: list[System] = field(default_factory=list)


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    roles: dict[str, list[tuple[User | None, str]]]
    existing: System | None


#: The register has 18 columns: only the first MAX_COLUMNS of a row are read, and a workbook
#: that unpacks to more than MAX_UNPACKED_BYTES is a zip bomb, not a register of 5,000 systems.
MAX_COLUMNS = 100
MAX_UNPACKED_BYTES = 50 * 1024 * 1024


def _read_sheet(file: IO[bytes]) -> list[tuple[int, list[Any]]]:
    rows = []
    try:
        for number, values in xlsx_rows(
            file, max_columns=MAX_COLUMNS, max_unpacked_bytes=MAX_UNPACKED_BYTES
        ):
            if any(v not in (None, "") for v in values):
                rows.append((number, list(values)))
            if len(rows) > MAX_ROWS + 1:
                raise ValidationError(_("Filen har fler än %(max)s rader.") % {"max": MAX_ROWS})
    except SpreadsheetError as exc:
        raise ValidationError(exc.message, code=exc.code) from exc
    return rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _bool(value: Any, default: bool) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).casefold()
    if text == "":
        return default
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(text)


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return parse_date(_text(value))


def import_systems(*, user: User, file: IO[bytes]) -> ImportResult:
    """Import the register sheet; raise ValidationError (a list of row errors) and save nothing
    when any row is wrong."""
    if not policy.may_register_systems(user):
        raise PermissionDenied
    validate_upload(file, allowed={"xlsx"})
    sheet = _read_sheet(file)
    if not sheet:
        raise ValidationError(_("Filen är tom."))
    header_number, header = sheet[0]
    labels = {str(label).casefold(): name for name, label in COLUMNS}
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = labels.get(_text(cell).casefold().rstrip(" *"))
        if key and key not in positions:
            positions[key] = index
    missing = [str(label) for name, label in COLUMNS if name in REQUIRED and name not in positions]
    if missing:
        raise ValidationError(
            [
                _("Kolumnen ”%(column)s” saknas på rubrikraden (rad %(row)s).")
                % {"column": column, "row": header_number}
                for column in missing
            ]
        )
    if len(sheet) == 1:
        raise ValidationError(_("Filen har en rubrikrad men inga rader med system."))

    units = list(policy.units(user).filter(is_active=True))
    by_code = {u.short_code.casefold(): u for u in units if u.short_code}
    by_name = {u.name.casefold(): u for u in units}
    people = {u.username.casefold(): u for u in policy.users(user).filter(is_active=True)}
    existing = {s.name.casefold(): s for s in System.objects.filter(municipality=user.municipality)}
    alarm_levels = {
        str(label).casefold(): value for value, label in System.AlarmLevel.choices if value
    } | {value: value for value in System.AlarmLevel.values if value}

    errors: list[str] = []
    rows: list[_Row] = []
    seen_names: dict[str, int] = {}

    def error(number: int, message: str) -> None:
        errors.append(_("Rad %(row)s: %(message)s") % {"row": number, "message": message})

    def unit_of(value: Any) -> OrgUnit | None:
        text = _text(value).casefold()
        return by_code.get(text) or by_name.get(text)

    for number, cells in sheet[1:]:

        def cell(name: str, cells: Sequence[Any] = cells) -> Any:
            index = positions.get(name)
            return cells[index] if index is not None and index < len(cells) else None

        count_before = len(errors)
        name = _text(cell("name"))
        if not name:
            error(number, _("namn saknas."))
            continue
        if name.casefold() in seen_names:
            error(
                number,
                _("systemet ”%(name)s” finns redan på rad %(other)s.")
                % {"name": name, "other": seen_names[name.casefold()]},
            )
            continue
        seen_names[name.casefold()] = number
        system = existing.get(name.casefold())
        values: dict[str, Any] = {"name": name}

        unit = unit_of(cell("owning_unit"))
        if unit is None:
            error(
                number,
                _("enheten ”%(unit)s” finns inte (ange förkortning eller namn).")
                % {"unit": _text(cell("owning_unit"))},
            )
        else:
            values["owning_unit"] = unit
        if "information_owner" in positions:
            owner_text = _text(cell("information_owner"))
            owner_unit = unit_of(owner_text) if owner_text else None
            if owner_text and owner_unit is None:
                error(
                    number,
                    _("informationsägaren ”%(unit)s” finns inte.") % {"unit": owner_text},
                )
            values["information_owner"] = owner_unit
        for text_field in (
            "description",
            "vendor",
            "dpa_reference",
            "reserve_routine",
            "alarm_description",
        ):
            if text_field in positions:
                values[text_field] = _text(cell(text_field))
        for bool_field, default in (
            ("is_prioritised", False),
            ("has_personal_data", False),
            ("is_active", True),
        ):
            if bool_field in positions:
                try:
                    values[bool_field] = _bool(cell(bool_field), default)
                except ValueError:
                    error(
                        number,
                        _("”%(value)s” i kolumnen ”%(column)s” ska vara Ja eller Nej.")
                        % {"value": _text(cell(bool_field)), "column": dict(COLUMNS)[bool_field]},
                    )
        if "dpa_date" in positions:
            try:
                values["dpa_date"] = _date(cell("dpa_date"))
            except ValueError:
                error(
                    number,
                    _("”%(value)s” är inget datum (PUB-avtal datum).")
                    % {"value": _text(cell("dpa_date"))},
                )
        if "alarm_level" in positions:
            level_text = _text(cell("alarm_level")).casefold()
            if level_text and level_text not in alarm_levels:
                error(
                    number,
                    _("larmnivån ”%(value)s” finns inte (Låg, Normal eller Hög).")
                    % {"value": _text(cell("alarm_level"))},
                )
            else:
                values["alarm_level"] = alarm_levels.get(level_text, "")

        roles: dict[str, list[tuple[User | None, str]]] = {}
        for column, kind in ROLE_COLUMNS.items():
            holders = []
            for part in _text(cell(column)).split(";"):
                holder = part.strip()
                if holder:
                    person = people.get(holder.casefold())
                    holders.append((person, "" if person else holder[:160]))
            roles[kind] = holders

        if unit is not None:
            if system is None and not policy.may_create_in(user, unit):
                error(
                    number,
                    _("du får inte registrera system för ”%(unit)s”.") % {"unit": unit.name},
                )
            if system is not None and not policy.can(user, policy.Verb.CHANGE, system):
                error(number, _("du får inte ändra systemet ”%(name)s”.") % {"name": name})
            if (
                system is not None
                and unit.pk != system.owning_unit_id
                and not (
                    policy.may_create_in(user, unit)
                    and policy.may_create_in(user, system.owning_unit)
                )
            ):
                error(
                    number, _("du får inte flytta systemet till ”%(unit)s”.") % {"unit": unit.name}
                )
        if len(errors) == count_before:
            candidate = System(municipality_id=user.municipality_id)
            if system is not None:
                candidate = System.objects.get(pk=system.pk)
            for key, value in values.items():
                setattr(candidate, key, value)
            try:
                candidate.full_clean(validate_unique=False)
            except ValidationError as exc:
                for message in exc.messages:
                    error(number, message)
            rows.append(_Row(number, values, roles, system))
        if len(errors) >= MAX_ERRORS:
            errors.append(_("Fler fel visas inte."))
            break

    if errors:
        raise ValidationError(errors)

    result = ImportResult()
    with transaction.atomic():
        for row in rows:
            if row.existing is None:
                system = System(municipality_id=user.municipality_id, **row.values)
                system.full_clean()
                system.save()
                result.created.append(system)
            else:
                system = System.objects.select_for_update().get(pk=row.existing.pk)
                for key, value in row.values.items():
                    setattr(system, key, value)
                system.full_clean()
                system.save()
                result.updated.append(system)
            for kind, holders in row.roles.items():
                for person, name in holders:
                    lookup = {"user": person} if person else {"user": None, "name": name}
                    if not SystemRole.objects.filter(system=system, kind=kind, **lookup).exists():
                        role = SystemRole(system=system, kind=kind, user=person, name=name)
                        role.full_clean()
                        role.save()
    return result
