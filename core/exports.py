"""CSV and Excel exports that a spreadsheet opens as data, never as formulas.

Every text cell passes :func:`escape_formula` (OWASP's CSV-injection rule). CSV is written the
way Swedish Excel expects: UTF-8 with a byte-order mark, ``;`` between fields and a decimal
comma. XLSX is written with openpyxl in write-only mode, dates as real dates.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.files import content_disposition

#: A cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice and
#: Google Sheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_MAX_COLUMN_WIDTH = 60
_SHEET_TITLE_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def escape_formula(value: Any) -> Any:
    """Prefix ``'`` to a string that a spreadsheet would read as a formula; other values pass.

    ``escape_formula("=1+1")`` → ``"'=1+1"``; ``escape_formula(-5)`` → ``-5`` (a number is data).
    """
    if isinstance(value, Promise):
        value = force_str(value)
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _local_naive(value: datetime.datetime) -> datetime.datetime:
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None, microsecond=0)


def _csv_text(value: Any) -> str:
    """One CSV field: dates as 2017-09-15, decimals with a comma, Ja/Nej, text escaped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    if isinstance(value, datetime.datetime):
        return _local_naive(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float | Decimal):
        return str(value).replace(".", ",")
    if isinstance(value, int):
        return str(value)
    return escape_formula(force_str(value))


def csv_response(
    filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    """A CSV download for Swedish Excel: UTF-8 with BOM, ``;``-separated, formulas escaped."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_csv_text(cell) for cell in header])
    for row in rows:
        writer.writerow([_csv_text(cell) for cell in row])
    response = HttpResponse(
        buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, Promise):
        value = force_str(value)
    if isinstance(value, datetime.datetime):
        return _local_naive(value)
    if isinstance(value, str):
        return escape_formula(ILLEGAL_CHARACTERS_RE.sub("", value))
    if isinstance(value, bool | int | float | Decimal | datetime.date) or value is None:
        return value
    return escape_formula(ILLEGAL_CHARACTERS_RE.sub("", force_str(value)))


def _display_width(value: Any) -> int:
    if isinstance(value, datetime.datetime):
        return 16
    if isinstance(value, datetime.date):
        return 10
    if value is None:
        return 0
    return max((len(line) for line in str(value).splitlines()), default=0)


def xlsx_response(
    filename: str,
    sheet_title: str,
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
) -> HttpResponse:
    """An Excel download: one sheet, bold header, fitted column widths, formulas escaped.

    Dates become date cells (``yyyy-mm-dd``), aware datetimes are shown in local time.
    """
    header_values = [_xlsx_value(cell) for cell in header]
    data = [[_xlsx_value(cell) for cell in row] for row in rows]

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(
        title=sheet_title.translate(_SHEET_TITLE_FORBIDDEN)[:31] or "Blad1"
    )
    for index in range(len(header_values)):
        width = max(
            [_display_width(header_values[index])]
            + [_display_width(row[index]) for row in data if index < len(row)]
        )
        sheet.column_dimensions[get_column_letter(index + 1)].width = min(
            width + 2, _MAX_COLUMN_WIDTH
        )
    sheet.freeze_panes = "A2"

    bold = Font(bold=True)
    header_cells = []
    for value in header_values:
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in data:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, datetime.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)

    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
