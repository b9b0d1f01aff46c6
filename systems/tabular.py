"""Reading the files of an access review: account exports and payroll rosters.

Swedish exports come as CSV in UTF-8 (with or without a byte-order mark) or Windows-1252, with
``;`` or ``,`` between fields, or as Excel ``.xlsx``. :func:`read_table` reads any of them into a
:class:`Table` of text cells with the file's own row numbers, and raises a
:class:`TableError` with a Swedish message (and the row number where it applies) when the file
cannot be read. Nothing is written anywhere.

Personnummer are reduced *while reading*, before a row exists in memory as a list: a cell that
has the shape of a personnummer (valid or not) becomes a **token** holding its keyed hash and
masked form (:func:`as_pnr` reads it back as a :class:`PnrCell`), and a personnummer-shaped run
of digits inside other text is masked. For CSV this is one regular-expression pass over the
decoded text, so 50,000 rows take a fraction of a second. Only reduced tables are ever stored
(``ReviewUpload.data``).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

import orjson
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from core.spreadsheets import SpreadsheetError, xlsx_rows
from systems import personnummer

MAX_COLUMNS = 200
DELIMITERS = (";", ",", "\t")

#: A token starts with this control character, which is removed from every file read.
TOKEN = "\x01"  # noqa: S105 - a marker, not a secret
_ERROR_CODES = {"format": "f", "plus": "p", "date": "d", "checksum": "c"}
_CODE_ERRORS = {v: k for k, v in _ERROR_CODES.items()}
_PNR = r"(?:\d{8}|\d{6})[ ]?[-+]?[ ]?\d{4}"
_EMBEDDED = r"(?<![\d\x01])(?:\d{8}|\d{6})[-+]?\d{4}(?!\d)"


class TableError(ValueError):
    """A file that cannot be read as a table; ``messages`` are Swedish and name rows."""

    def __init__(self, *messages: str) -> None:
        super().__init__(*messages)
        self.messages = list(messages)

    def __str__(self) -> str:
        return " ".join(self.messages)


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    row_numbers: list[int]


@dataclass(frozen=True, slots=True)
class PnrCell:
    """A personnummer-shaped cell: keyed hash, masked form, and whether it is a valid number."""

    hash: str
    masked: str
    valid: bool
    error: str = ""

    def __str__(self) -> str:
        return self.masked


def pnr_token(text: str, *, today: datetime.date | None = None) -> str:
    """The token that replaces a personnummer-shaped cell: never the number itself."""
    try:
        number = personnummer.parse(text, today=today)
    except personnummer.PersonnummerError as exc:
        digits = re.sub(r"\D", "", text)
        return (
            f"{TOKEN}{_ERROR_CODES[exc.code]}"
            f"{personnummer.hash_unchecked(digits)}{personnummer.mask_text(text)}"
        )
    return f"{TOKEN}v{number.hashed}{number.masked}"


def as_pnr(cell: str) -> PnrCell | None:
    """The :class:`PnrCell` a token stands for; ``None`` for ordinary text."""
    if not cell or cell[0] != TOKEN:
        return None
    code = cell[1]
    return PnrCell(
        hash=cell[2:66],
        masked=cell[66:],
        valid=code == "v",
        error=_CODE_ERRORS.get(code, ""),
    )


def display(cell: str) -> str:
    """What a person may see of a cell: a personnummer only masked."""
    return cell[66:] if cell and cell[0] == TOKEN else cell


def _masked_digits(match: re.Match) -> str:
    return personnummer.mask_text(match.group(0)) or "******-****"


#: Joins a column's cells into one string for a single regular-expression pass.
_SEP = "\x02"
_COLUMN = re.compile(rf"(?:^|(?<={_SEP}))[ ]*({_PNR})[ ]*(?={_SEP}|$)|{_EMBEDDED}")
_SIX_DIGITS = re.compile(r"\d{6}")


def reduce_rows(rows: list[list[str]], width: int, *, today: datetime.date) -> None:
    """Replace personnummer in ``rows`` (in place): whole cells by tokens, runs in text masked.

    Column by column: a column without six digits in a row is skipped after one scan; the
    others are reduced with one regular-expression pass over the joined column.
    """

    def replace(match: re.Match) -> str:
        if match.group(1) is not None:
            return pnr_token(match.group(1), today=today)
        return _masked_digits(match)

    for index in range(width):
        column = _SEP.join([row[index] for row in rows])
        if not _SIX_DIGITS.search(column):
            continue
        reduced = _COLUMN.sub(replace, column)
        if reduced == column:
            continue
        for row, value in zip(rows, reduced.split(_SEP), strict=True):
            row[index] = value


# --- reading ---------------------------------------------------------------------------------


def _max_rows() -> int:
    return int(getattr(settings, "ACCESS_REVIEW_MAX_ROWS", 200_000))


def read_table(file: IO[bytes], *, name: str, today: datetime.date | None = None) -> Table:
    """Read and reduce a CSV or XLSX file (chosen by ``name``'s extension) into text cells."""
    lowered = (name or "").lower()
    today = today or timezone.localdate()
    file.seek(0)
    if lowered.endswith(".xlsx"):
        rows = _xlsx_rows(file)
    elif lowered.endswith((".csv", ".txt")):
        rows = _csv_rows(file)
    else:
        raise TableError(_("Filen ska vara en CSV-fil (.csv, .txt) eller en Excel-fil (.xlsx)."))
    table = _to_table(rows)
    _refuse_data_as_header(table.header)
    reduce_rows(table.rows, len(table.header), today=today)
    return table


_HEADER_PNR = re.compile(rf"(?:^\s*{_PNR}\s*$)|{_EMBEDDED}")


def _refuse_data_as_header(header: list[str]) -> None:
    """The first row names the columns; a personnummer there means the file has no header row.

    Refused rather than reduced: the header is shown on the mapping page and kept with the
    upload, and a row of data taken for headings would also be left out of the review. The
    message names the column, never the number.
    """
    for index, cell in enumerate(header, start=1):
        if _HEADER_PNR.search(cell):
            raise TableError(
                _(
                    "Första raden ska innehålla kolumnrubriker, men kolumn %(n)s i den ser ut som "
                    "ett personnummer. Lägg till en rubrikrad (t.ex. Personnummer; Namn; "
                    "Slutdatum) överst i filen och ladda upp den igen."
                )
                % {"n": index}
            )


def _decode(raw: bytes) -> str:
    if b"\x00" in raw:
        raise TableError(
            _(
                "Filen innehåller binära data och är ingen textfil. Spara den som CSV "
                "(UTF-8 eller Windows-1252) eller som Excel-fil (.xlsx)."
            )
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise TableError(
            _(
                "Filens teckenkodning kunde inte läsas (varken UTF-8 eller Windows-1252). "
                "Spara den som CSV i UTF-8 eller som Excel-fil (.xlsx)."
            )
        ) from exc


def sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ";"


def _csv_rows(file: IO[bytes]) -> Iterable[tuple[int, list[Any]]]:
    text = _decode(file.read())
    if TOKEN in text or _SEP in text:
        text = text.replace(TOKEN, "").replace(_SEP, "")
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 0
    try:
        for row in reader:
            line = reader.line_num
            yield line, row
    except csv.Error as exc:
        # csv's own message is English ("field larger than field limit (131072)").
        raise TableError(
            _(
                "Rad %(row)s kunde inte läsas som CSV: ett fält är för långt eller har ett "
                'citattecken (") som inte avslutas.'
            )
            % {"row": line + 1}
        ) from exc


def _xlsx_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace(TOKEN, "").replace(_SEP, "")
    if isinstance(value, bool):
        return _("Ja") if value else _("Nej")
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float):
        # Excel stores personnummer typed as numbers as floats: 198001011234.0.
        value = int(value) if value.is_integer() else value
    if isinstance(value, int):
        return _restore_leading_zero(str(value))
    return str(value)


def _restore_leading_zero(digits: str) -> str:
    """A number Excel stripped of its leading zero: ``505051235`` was ``0505051235``.

    People born 2000–2009 have personnummer that start with 0 (10 digits) or ``200…`` (12, no
    zero lost). Typed as a number, the 10-digit form loses its zero, no longer has the shape of a
    personnummer and would be kept in clear. A 9-digit number is given its zero back when that
    makes a valid personnummer (date and check digit), so it is hashed and masked like the rest.
    """
    if len(digits) == 9:
        padded = "0" + digits
        try:
            personnummer.parse(padded)
        except personnummer.PersonnummerError:
            return digits
        return padded
    return digits


def _xlsx_rows(file: IO[bytes]) -> Iterable[tuple[int, list[Any]]]:
    # A 20 MB upload may unpack to ten times that; more is a zip bomb, not an export.
    limit = 10 * int(getattr(settings, "ACCESS_REVIEW_MAX_UPLOAD_BYTES", settings.UPLOAD_MAX_BYTES))
    try:
        for number, values in xlsx_rows(
            file, max_columns=MAX_COLUMNS + 1, max_unpacked_bytes=limit
        ):
            yield number, [_xlsx_value(v) for v in values]
    except SpreadsheetError as exc:
        raise TableError(exc.message) from exc


def _to_table(rows: Iterable[tuple[int, list[Any]]]) -> Table:
    header: list[str] | None = None
    data: list[list[str]] = []
    numbers: list[int] = []
    limit = _max_rows()
    width = 0
    for number, raw in rows:
        if not any(raw):
            continue
        cells = [c.strip() for c in raw]
        if header is None:
            while cells and not cells[-1]:
                cells.pop()
            if not cells:
                continue
            if len(cells) > MAX_COLUMNS:
                raise TableError(
                    _("Filen har fler än %(max)s kolumner. Är det rätt fil?") % {"max": MAX_COLUMNS}
                )
            header = _unique_header(cells)
            width = len(header)
            continue
        if len(cells) != width:
            if not any(cells):
                continue
            if len(cells) > width:
                if any(cells[width:]):
                    raise TableError(
                        _(
                            "Rad %(row)s har %(n)s värden men rubrikraden bara %(width)s "
                            "kolumner. Kontrollera avgränsaren (; eller ,)."
                        )
                        % {"row": number, "n": len(cells), "width": width}
                    )
                cells = cells[:width]
            else:
                cells.extend([""] * (width - len(cells)))
        elif not any(cells):
            continue
        if len(data) >= limit:
            raise TableError(
                _("Filen har fler än %(max)s rader. Dela upp den eller kontakta förvaltningen.")
                % {"max": f"{limit:,}".replace(",", " ")}
            )
        data.append(cells)
        numbers.append(number)
    if header is None:
        raise TableError(_("Filen är tom."))
    if not data:
        raise TableError(_("Filen har en rubrikrad men inga rader med data."))
    return Table(header=header, rows=data, row_numbers=numbers)


def _unique_header(cells: list[str]) -> list[str]:
    """Column names told apart: ``Namn, , Namn`` → ``Namn, Kolumn 2, Namn (2)``.

    A column's name chooses its column in the mapping, so no two may be the same, not even
    when the file itself has ``A, A, A (2)``.
    """
    names = [cell or _("Kolumn %(n)s") % {"n": index} for index, cell in enumerate(cells, 1)]
    taken = set(names)
    seen: set[str] = set()
    header = []
    for name in names:
        if name in seen:
            count = 2
            while f"{name} ({count})" in taken:
                count += 1
            name = f"{name} ({count})"
            taken.add(name)
        seen.add(name)
        header.append(name)
    return header


# --- storing the reduced table ----------------------------------------------------------------


def pack(table: Table) -> bytes:
    """The reduced table as compressed JSON (orjson: 50,000 rows in a fraction of a second)."""
    return zlib.compress(orjson.dumps({"n": table.row_numbers, "rows": table.rows}), 1)


def unpack(data: bytes | memoryview, header: list[str]) -> Table:
    payload = orjson.loads(zlib.decompress(bytes(data)))
    return Table(header=list(header), rows=payload["rows"], row_numbers=payload["n"])
