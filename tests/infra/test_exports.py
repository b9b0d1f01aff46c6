"""Exports open as data in a spreadsheet: formulas arrive as text, dates as dates."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.utils.translation import gettext_lazy as _

from core.exports import csv_response, escape_formula, xlsx_response

ATTACK = "=cmd|' /C calc'!A0"


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("=1+1", "'=1+1"),
        ("+46701234567", "'+46701234567"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Socialnämnden", "Socialnämnden"),
        ("a=b", "a=b"),
        ("", ""),
        (-5, -5),
        (None, None),
        (datetime.date(2017, 9, 15), datetime.date(2017, 9, 15)),
    ],
)
def test_escape_formula(value, escaped):
    assert escape_formula(value) == escaped


def read_csv(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_csv_is_for_swedish_excel_and_writes_formulas_as_text():
    response = csv_response(
        "Åtgärder 2025.csv",
        ["Åtgärd", "Klar", "Beslutad", "Kostnad", "Antal", "Klar?"],
        [
            [ATTACK, None, datetime.date(2017, 9, 15), Decimal("1234.50"), 3, True],
            [_("Ej påbörjad"), datetime.date(2026, 1, 2), "-", 2.5, -1, False],
        ],
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="Atgarder 2025.csv"')
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == ["Åtgärd", "Klar", "Beslutad", "Kostnad", "Antal", "Klar?"]
    assert rows[1] == ["'" + ATTACK, "", "2017-09-15", "1234,50", "3", "Ja"]
    assert rows[2] == ["Ej påbörjad", "2026-01-02", "'-", "2,5", "-1", "Nej"]


def test_csv_quotes_separators_and_newlines():
    response = csv_response("a.csv", ["Text"], [["rad ett;\nrad två"]])
    assert read_csv(response)[1] == ["rad ett;\nrad två"]


def test_csv_shows_aware_datetimes_in_swedish_time():
    moment = datetime.datetime(2025, 6, 1, 10, 30, tzinfo=datetime.UTC)
    response = csv_response("a.csv", ["Tid"], [[moment]])
    assert read_csv(response)[1] == ["2025-06-01 12:30"]


def read_xlsx(response):
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return workbook.active


def test_xlsx_writes_formulas_as_text_and_dates_as_dates():
    stockholm = ZoneInfo("Europe/Stockholm")
    response = xlsx_response(
        "Avvikelser.xlsx",
        "Avvikelser: 2025/26",
        ["Avvikelse", "Upptäckt", "Registrerad", "Antal"],
        [
            [
                ATTACK,
                datetime.date(2017, 9, 15),
                datetime.datetime(2025, 6, 1, 10, 30, tzinfo=datetime.UTC),
                3,
            ],
            ["Inga\x07 styrtecken", None, None, Decimal("2.5")],
        ],
    )

    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == 'attachment; filename="Avvikelser.xlsx"'
    sheet = read_xlsx(response)
    assert sheet.title == "Avvikelser  2025 26"
    assert [c.value for c in sheet[1]] == ["Avvikelse", "Upptäckt", "Registrerad", "Antal"]
    assert all(c.font.b for c in sheet[1])
    attack = sheet["A2"]
    assert attack.data_type == "s"
    assert attack.value == "'" + ATTACK
    assert sheet["B2"].value == datetime.datetime(2017, 9, 15)
    assert sheet["B2"].is_date
    assert sheet["B2"].number_format == "yyyy-mm-dd"
    assert sheet["C2"].value == datetime.datetime(2025, 6, 1, 12, 30)
    assert (
        datetime.datetime(2025, 6, 1, 10, 30, tzinfo=datetime.UTC).astimezone(stockholm).hour == 12
    )
    assert sheet["D2"].value == 3
    assert sheet["A3"].value == "Inga styrtecken"
    assert sheet.freeze_panes == "A2"
    assert 10 <= sheet.column_dimensions["A"].width <= 60


def test_xlsx_never_contains_a_formula_cell():
    response = xlsx_response(
        "a.xlsx", "Blad", ["A"], [[v] for v in ["=1+1", "+1", "-1", "@A1", "\t=1"]]
    )
    sheet = read_xlsx(response)
    assert [cell.data_type for cell in sheet["A"][1:]] == ["s"] * 5
