"""Reading an uploaded ``.xlsx`` workbook: the one place that opens one with openpyxl.

openpyxl answers a broken workbook with almost any exception, while opening it *and* row by row
while reading it: ``ParseError`` for a truncated or malformed sheet (and expat's refusal of an
entity bomb), ``ValueError`` for a bad cell reference, row number, style or number,
``IndexError`` for a shared string that does not exist, ``KeyError``, ``TypeError``, zip and
zlib errors. :func:`xlsx_rows` turns every one of them into a :class:`SpreadsheetError` with a
Swedish message, so an import shows the uploader an error instead of failing with a 500.

It also guards what a well-formed file can still do:

* a zip bomb: the unpacked parts may hold at most ``max_unpacked_bytes`` (openpyxl keeps the
  shared strings in memory even in read-only mode);
* a row numbered beyond Excel's last row (``<row r="2000000000">``): openpyxl fills the gap
  with empty rows, two billion of them; reading stops with an error after row 1,048,576;
* very wide rows: only the first ``max_columns`` values of a row are returned, and empty rows
  are skipped (their numbers still count), so formatting far below or to the right of the data
  costs little.

Callers (controls.spreadsheet, systems.tabular, systems.importing) turn the error into their
own exception type; the file itself has been sniffed by :func:`core.files.validate_upload`.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import IO, Any

from django.utils.translation import gettext as _

#: The last row of an Excel worksheet.
EXCEL_MAX_ROWS = 1_048_576


class SpreadsheetError(ValueError):
    """A workbook that cannot be read; ``str(error)`` is a Swedish message for the uploader."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _unreadable() -> SpreadsheetError:
    return SpreadsheetError(
        _(
            "Excel-filen kunde inte läsas. Kontrollera att den är sparad som Excel-arbetsbok "
            "(.xlsx) och inte är skadad."
        ),
        code="unreadable",
    )


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.0f}"


def xlsx_rows(
    file: IO[bytes] | bytes, *, max_columns: int, max_unpacked_bytes: int
) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """``(row number, values)`` of each row of the first sheet that holds a value.

    Values are openpyxl's (``str``, ``int``, ``float``, ``bool``, ``datetime`` …, ``None``),
    at most ``max_columns`` of them, without trailing ``None``. Raises
    :class:`SpreadsheetError` — when the file is opened, or later, while the rows are read.
    """
    from openpyxl import load_workbook

    source = io.BytesIO(file) if isinstance(file, bytes | bytearray) else file
    try:
        source.seek(0)
        with zipfile.ZipFile(source) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except Exception as exc:  # zipfile raises several kinds for a broken archive
        raise _unreadable() from exc
    if unpacked > max_unpacked_bytes:
        raise SpreadsheetError(
            _("Excel-filen är för stor uppackad (mer än %(mb)s MB).")
            % {"mb": _megabytes(max_unpacked_bytes)},
            code="too_big_unpacked",
        )
    try:
        source.seek(0)
        workbook = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise _unreadable() from exc
    try:
        if not workbook.worksheets:
            raise SpreadsheetError(_("Excel-filen har inget kalkylblad."), code="no_sheet")
        try:
            rows = workbook.worksheets[0].iter_rows(values_only=True)
        except Exception as exc:
            raise _unreadable() from exc
        number = 0
        while True:
            try:
                values = next(rows, None)
            except Exception as exc:  # a broken row, cell or string inside the sheet
                raise _unreadable() from exc
            if values is None:
                return
            number += 1
            if number > EXCEL_MAX_ROWS:
                raise SpreadsheetError(
                    _(
                        "Excel-filen är skadad: den har rader efter rad %(max)s, "
                        "kalkylbladets sista."
                    )
                    % {"max": f"{EXCEL_MAX_ROWS:,}".replace(",", " ")},
                    code="too_many_rows",
                )
            values = values[:max_columns]
            end = len(values)
            while end and values[end - 1] is None:
                end -= 1
            if end:
                yield number, tuple(values[:end])
    finally:
        workbook.close()
