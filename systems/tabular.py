"""Reading the files of an access review: account exports and payroll rosters.

Swedish exports come as CSV in UTF-8 (with or without a byte-order mark) or Windows-1252, with
``;`` or ``,`` between fields, or as Excel ``.xlsx``. :func:`read_table` reads any of them into a
:class:`Table` of text cells with the file's own row numbers, and raises a
:class:`TableError` with a Swedish message (and the row number where it applies) when the file
cannot be read. Nothing is written anywhere.

:func:`reduce_table` then makes the table safe to keep: every cell with the shape of a
personnummer (valid or not) becomes a :class:`PnrCell` holding the keyed hash and a masked
form, never the number itself. Only the reduced table is stored (``ReviewUpload.data``).
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from systems import personnummer

MAX_COLUMNS = 200
DELIMITERS = (";", ",", "\t")
_CHUNK = 1024 * 1024


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


Cell = str | PnrCell


# --- reading ---------------------------------------------------------------------------------


def _max_rows() -> int:
    return int(getattr(settings, "ACCESS_REVIEW_MAX_ROWS", 200_000))


def read_table(file: IO[bytes], *, name: str) -> Table:
    """Read a CSV or XLSX file (chosen by ``name``'s extension) into text cells."""
    lowered = (name or "").lower()
    file.seek(0)
    if lowered.endswith(".xlsx"):
        rows = _xlsx_rows(file)
    elif lowered.endswith((".csv", ".txt")):
        rows = _csv_rows(file)
    else:
        raise TableError(_("Filen ska vara en CSV-fil (.csv, .txt) eller en Excel-fil (.xlsx)."))
    return _to_table(rows)


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
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 0
    try:
        for row in reader:
            line = reader.line_num
            yield line, row
    except csv.Error as exc:
        raise TableError(
            _("Rad %(row)s kunde inte läsas som CSV (%(error)s).")
            % {"row": line + 1, "error": exc}
        ) from exc


def _xlsx_value(value: Any) -> str:
    if value is None:
        return ""
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
        return str(int(value)) if value.is_integer() else str(value)
    return str(value)


def _xlsx_rows(file: IO[bytes]) -> Iterable[tuple[int, list[Any]]]:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise TableError(
            _("Excel-filen kunde inte öppnas. Kontrollera att det är en .xlsx-fil.")
        ) from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise TableError(_("Excel-filen har inget kalkylblad."))
        try:
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                yield number, [_xlsx_value(v) for v in values[:MAX_COLUMNS + 1]]
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
            raise TableError(_("Excel-filen är skadad och kunde inte läsas.")) from exc
    finally:
        workbook.close()


def _to_table(rows: Iterable[tuple[int, list[Any]]]) -> Table:
    header: list[str] | None = None
    data: list[list[str]] = []
    numbers: list[int] = []
    limit = _max_rows()
    width = 0
    for number, raw in rows:
        cells = [str(c).strip() if c is not None else "" for c in raw]
        while cells and not cells[-1]:
            cells.pop()
        if not cells:
            continue
        if header is None:
            if len(cells) > MAX_COLUMNS:
                raise TableError(
                    _("Filen har fler än %(max)s kolumner. Är det rätt fil?") % {"max": MAX_COLUMNS}
                )
            header = _unique_header(cells)
            width = len(header)
            continue
        if len(data) >= limit:
            raise TableError(
                _("Filen har fler än %(max)s rader. Dela upp den eller kontakta förvaltningen.")
                % {"max": f"{limit:,}".replace(",", " ")}
            )
        if len(cells) > width:
            if any(cells[width:]):
                raise TableError(
                    _(
                        "Rad %(row)s har %(n)s värden men rubrikraden bara %(width)s kolumner. "
                        "Kontrollera avgränsaren (; eller ,)."
                    )
                    % {"row": number, "n": len(cells), "width": width}
                )
            cells = cells[:width]
        elif len(cells) < width:
            cells.extend([""] * (width - len(cells)))
        data.append(cells)
        numbers.append(number)
    if header is None:
        raise TableError(_("Filen är tom."))
    if not data:
        raise TableError(_("Filen har en rubrikrad men inga rader med data."))
    return Table(header=header, rows=data, row_numbers=numbers)


def _unique_header(cells: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    header = []
    for index, cell in enumerate(cells, start=1):
        name = cell or _("Kolumn %(n)s") % {"n": index}
        if name in seen:
            seen[name] += 1
            name = f"{name} ({seen[name]})"
        else:
            seen[name] = 1
        header.append(name)
    return header


# --- reducing: personnummer never kept in clear -----------------------------------------------


def reduce_table(table: Table, *, today: datetime.date | None = None) -> list[list[Cell]]:
    """The rows with every personnummer-shaped cell replaced by a :class:`PnrCell`."""
    today = today or timezone.localdate()
    shape = personnummer.SHAPE
    reduced: list[list[Cell]] = []
    for row in table.rows:
        out: list[Cell] = []
        for cell in row:
            if cell and (cell[0].isdigit() or cell[0] == " ") and shape.match(cell):
                out.append(pnr_cell(cell, today=today))
            else:
                out.append(cell)
        reduced.append(out)
    return reduced


def pnr_cell(text: str, *, today: datetime.date | None = None) -> PnrCell:
    try:
        number = personnummer.parse(text, today=today)
    except personnummer.PersonnummerError as exc:
        digits = re.sub(r"\D", "", text)
        return PnrCell(
            hash=personnummer.hash_unchecked(digits),
            masked=personnummer.mask_text(text),
            valid=False,
            error=exc.code,
        )
    return PnrCell(hash=number.hashed, masked=number.masked, valid=True)


# --- storing the reduced table ----------------------------------------------------------------


def _encode_cell(cell: Cell) -> Any:
    if isinstance(cell, PnrCell):
        return [cell.hash, cell.masked, 1 if cell.valid else 0, cell.error]
    return cell


def _decode_cell(value: Any) -> Cell:
    if isinstance(value, list):
        return PnrCell(hash=value[0], masked=value[1], valid=bool(value[2]), error=value[3])
    return value


def pack(row_numbers: list[int], rows: list[list[Cell]]) -> bytes:
    payload = {
        "n": row_numbers,
        "rows": [[_encode_cell(c) for c in row] for row in rows],
    }
    return zlib.compress(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode(), 1)


def unpack(data: bytes | memoryview) -> tuple[list[int], list[list[Cell]]]:
    payload = json.loads(zlib.decompress(bytes(data)))
    rows = [[_decode_cell(c) for c in row] for row in payload["rows"]]
    return payload["n"], rows


def display(cell: Cell) -> str:
    """What a person may see of a cell: a personnummer only masked."""
    return cell.masked if isinstance(cell, PnrCell) else cell


def read_in_chunks(file: IO[bytes]) -> bytes:
    """All bytes of an uploaded file (the size was checked before)."""
    file.seek(0)
    return b"".join(iter(lambda: file.read(_CHUNK), b""))
