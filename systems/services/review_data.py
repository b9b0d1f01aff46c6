"""The access review's data between the reduced uploads and the stored items: reading the mapped
columns into accounts and roster people (with Swedish errors by row), and storing the flagged
items in one PostgreSQL COPY."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from systems import matching, tabular
from systems.mapping import (
    employee_key,
    parse_date,
)
from systems.models import (
    AccessReview,
    AccessReviewItem,
    ReviewUpload,
)

MAX_LISTED_ERRORS = 20
BATCH_SIZE = 2000


def check_unique_accounts(table: tabular.Table, column: str) -> None:
    index = table.header.index(column)
    seen: dict[str, list[int]] = {}
    for number, row in zip(table.row_numbers, table.rows, strict=True):
        value = row[index]
        if value:
            seen.setdefault(account_key(value), []).append(number)
    errors = duplicate_errors(seen, label=column)
    if errors:
        raise ValidationError(errors)


def account_key(cell: str) -> str:
    pnr = tabular.as_pnr(cell)
    if pnr is not None:
        # Systems that log in with the personnummer: keep it masked, told apart by its hash.
        return f"{pnr.masked} #{pnr.hash[:8]}"
    return cell


def duplicate_errors(seen: Mapping[str, list[int]], *, label: str) -> list[str]:
    """Messages for account ids on several rows (ids differing only in case count as one)."""
    if all(len(rows) == 1 for rows in seen.values()) and len(
        {value.casefold() for value in seen}
    ) == len(seen):
        return []
    folded: dict[str, tuple[str, list[int]]] = {}
    for value, rows in seen.items():
        folded.setdefault(value.casefold(), (value, []))[1].extend(rows)
    duplicates = sorted((sorted(rows), shown) for shown, rows in folded.values() if len(rows) > 1)
    errors = [
        _("Kontot ”%(account)s” (kolumn ”%(column)s”) förekommer flera gånger: rad %(rows)s.")
        % {"account": value, "column": label, "rows": ", ".join(str(r) for r in rows[:10])}
        for rows, value in duplicates[:MAX_LISTED_ERRORS]
    ]
    if len(duplicates) > MAX_LISTED_ERRORS:
        errors.append(
            _("… och %(n)s konton till som förekommer flera gånger.")
            % {"n": len(duplicates) - MAX_LISTED_ERRORS}
        )
    return errors


def columns_of(header: Sequence[str], mapping: Mapping[str, str]) -> dict[str, int | None]:
    return {f: (header.index(c) if c else None) for f, c in mapping.items()}


def accounts_from(
    upload: ReviewUpload, mapping: Mapping[str, str]
) -> tuple[list[matching.Account], list[str]]:
    table = tabular.unpack(upload.data, upload.header)
    col = columns_of(table.header, mapping)
    i_id, i_name, i_pnr, i_emp, i_login, i_role, i_unit = (
        col.get(k)
        for k in (
            "account_id",
            "name",
            "personnummer",
            "employee_number",
            "last_login",
            "role",
            "unit",
        )
    )
    token, display, as_pnr = tabular.TOKEN, tabular.display, tabular.as_pnr
    dates = DateReader()
    errors: list[str] = []
    accounts: list[matching.Account] = []
    seen: dict[str, list[int]] = {}
    max_id = AccessReviewItem._meta.get_field("account_id").max_length
    Account = matching.Account
    for number, row in zip(table.row_numbers, table.rows, strict=True):
        account_id = row[i_id]
        if not account_id:
            errors.append(_("Rad %(row)s: kontonamn saknas.") % {"row": number})
            continue
        if account_id[0] == token:
            account_id = account_key(account_id)
        if len(account_id) > max_id:
            errors.append(
                _("Rad %(row)s: kontonamnet är längre än %(max)s tecken.")
                % {"row": number, "max": max_id}
            )
            continue
        if account_id in seen:
            seen[account_id].append(number)
        else:
            seen[account_id] = [number]
        last_login = None
        if i_login is not None and row[i_login]:
            try:
                last_login = dates(row[i_login])
            except ValueError:
                errors.append(
                    _("Rad %(row)s: ”%(value)s” är inget datum (senaste inloggning).")
                    % {"row": number, "value": display(row[i_login])[:40]}
                )
        pnr = pnr_text = None
        if i_pnr is not None:
            pnr_cell = row[i_pnr]
            if pnr_cell:
                pnr = as_pnr(pnr_cell)
                pnr_text = "x" if pnr is None else ""
        name = row[i_name] if i_name is not None else ""
        role = row[i_role] if i_role is not None else ""
        unit = row[i_unit] if i_unit is not None else ""
        accounts.append(
            Account(
                number,
                account_id,
                (display(name) if name[:1] == token else name)[:200],
                pnr,
                pnr_text or "",
                employee_key(row[i_emp]) if i_emp is not None else "",
                last_login,
                (display(role) if role[:1] == token else role)[:200],
                (display(unit) if unit[:1] == token else unit)[:200],
            )
        )
    errors = errors[:MAX_LISTED_ERRORS] + duplicate_errors(
        seen, label=mapping.get("account_id", "")
    )
    return accounts, errors


class DateReader:
    """:func:`systems.mapping.parse_date`, remembering each distinct text (exports repeat)."""

    def __init__(self) -> None:
        self.known: dict[str, datetime.date | None] = {}

    def __call__(self, text: str) -> datetime.date | None:
        try:
            return self.known[text]
        except KeyError:
            value = self.known[text] = parse_date(text)
            return value


def roster_from(
    upload: ReviewUpload, mapping: Mapping[str, str]
) -> tuple[list[matching.Person], list[str], list[str]]:
    table = tabular.unpack(upload.data, upload.header)
    col = columns_of(table.header, mapping)
    i_pnr, i_emp, i_name, i_end, i_unit = (
        col.get(k) for k in ("personnummer", "employee_number", "name", "employment_end", "unit")
    )
    display = tabular.display
    dates = DateReader()
    errors: list[str] = []
    people: list[matching.Person] = []
    invalid = missing = 0
    for number, row in zip(table.row_numbers, table.rows, strict=True):
        person_hash = masked = ""
        if i_pnr is not None and row[i_pnr]:
            pnr = tabular.as_pnr(row[i_pnr])
            if pnr is not None and pnr.valid:
                person_hash, masked = pnr.hash, pnr.masked
            else:
                invalid += 1
        employee_number = employee_key(row[i_emp]) if i_emp is not None else ""
        if not person_hash and not employee_number:
            missing += 1
            continue
        end = None
        if i_end is not None and row[i_end]:
            try:
                end = dates(row[i_end])
            except ValueError:
                if len(errors) < MAX_LISTED_ERRORS:
                    errors.append(
                        _("Personalförteckningen rad %(row)s: ”%(value)s” är inget datum.")
                        % {"row": number, "value": display(row[i_end])[:40]}
                    )
        people.append(
            matching.Person(
                person_hash=person_hash,
                masked=masked,
                employee_number=employee_number,
                name=display(row[i_name]) if i_name is not None else "",
                employment_end=end,
                unit=display(row[i_unit]) if i_unit is not None else "",
            )
        )
    warnings = []
    if invalid:
        warnings.append(
            ngettext(
                "%(n)s rad i personalförteckningen har ett ogiltigt personnummer.",
                "%(n)s rader i personalförteckningen har ogiltiga personnummer.",
                invalid,
            )
            % {"n": invalid}
        )
    if missing:
        warnings.append(
            ngettext(
                "%(n)s rad i personalförteckningen saknar identitet och hoppades över.",
                "%(n)s rader i personalförteckningen saknar identitet och hoppades över.",
                missing,
            )
            % {"n": missing}
        )
    if not people:
        errors.append(
            _(
                "Personalförteckningen innehåller inga giltiga personnummer eller "
                "anställningsnummer i de valda kolumnerna."
            )
        )
    return people, errors, warnings


def prune_roster(upload: ReviewUpload, mapping: Mapping[str, str]) -> None:
    """Keep only the mapped columns of the roster: hashes, numbers, names, end dates, units."""
    columns = [c for c in dict.fromkeys(mapping.values()) if c]
    if columns == upload.header:
        return
    table = tabular.unpack(upload.data, upload.header)
    indexes = [table.header.index(c) for c in columns]
    table.rows = [[row[i] for i in indexes] for row in table.rows]
    table.header = columns
    upload.data = tabular.pack(table)
    upload.header = columns
    upload.guessed_mapping = {k: v for k, v in upload.guessed_mapping.items() if v in columns}
    upload.save(update_fields=["data", "header", "guessed_mapping"])


#: The item columns in the order :func:`item_row` gives them (a test checks they are all).
ITEM_COLUMNS = (
    "review_id",
    "row_number",
    "account_id",
    "name",
    "person_hash",
    "person_masked",
    "employee_number",
    "last_login",
    "role",
    "unit_text",
    "match",
    "employment_end",
    "category",
    "remark",
    "decision",
    "decision_reason",
    "decided_by_id",
    "decided_at",
    "is_done",
)


def item_row(review_id: int, result: matching.Result) -> tuple:
    account = result.account
    person = result.person
    return (
        review_id,
        account.row_number,
        account.account_id,
        account.name or (person.name[:200] if person else ""),
        result.person_hash,
        result.person_masked,
        (account.employee_number or (person.employee_number if person else ""))[:40],
        account.last_login,
        account.role,
        account.unit,
        result.match,
        person.employment_end if person else None,
        result.category,
        " ".join(result.remarks)[:255],
        "",
        "",
        None,
        None,
        False,
    )


def insert_items(review: AccessReview, results: Sequence[matching.Result]) -> None:
    """Store the items: PostgreSQL's COPY (50,000 rows in well under a second), else
    ``bulk_create``. Like ``bulk_create``, neither writes history rows for new items."""
    if connection.vendor != "postgresql":
        AccessReviewItem.objects.bulk_create(
            [
                AccessReviewItem(**dict(zip(ITEM_COLUMNS, item_row(review.pk, r), strict=True)))
                for r in results
            ],
            batch_size=BATCH_SIZE,
        )
        return
    opts = AccessReviewItem._meta
    by_attname = {f.attname: f.column for f in opts.concrete_fields}
    columns = ", ".join(connection.ops.quote_name(by_attname[name]) for name in ITEM_COLUMNS)
    table = connection.ops.quote_name(opts.db_table)
    sql = f"COPY {table} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        write, review_id = copy.write_row, review.pk
        for result in results:
            write(item_row(review_id, result))
