"""Plans out to Excel: the export of a plan and the empty template with instructions.

The export writes the columns that :mod:`controls.spreadsheet` reads (plus the derived
Riskvärde), under a title row or two, so that an exported plan imports back into the same control
points. Every text cell passes :func:`core.exports.escape_formula`; the import undoes that.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from controls.models import ControlPlan, ControlPoint, RiskScale
from controls.schedule import month_name
from controls.spreadsheet import COLUMNS, owner_text
from core.exports import escape_formula

EXPORT_HEADINGS = [
    "Nr",
    "Process/rutin",
    "Kontrollpunkt",
    "Risk",
    "Sannolikhet",
    "Konsekvens",
    "Riskvärde",
    "Kontrollmoment",
    "Kontrollmetod",
    "Urval",
    "Frekvens",
    "Månader",
    "Kontrollansvarig",
    "Rapporteras till",
    "Kommungemensam",
    "System",
    "Behörighetsgranskning",
]
_WIDTHS = {c.heading: c.width for c in COLUMNS} | {"Riskvärde": 10}


def point_row(point: ControlPoint) -> list[Any]:
    return [
        point.number,
        point.process,
        point.title,
        point.risk_description,
        point.likelihood,
        point.consequence,
        point.risk_score,
        point.control_activity,
        point.method,
        point.sample,
        point.get_frequency_display(),
        ", ".join(month_name(m) for m in sorted(point.planned_months or [])),
        owner_text(point),
        point.reports_to,
        "ja" if point.scope == ControlPoint.Scope.MUNICIPALITY_WIDE else "nej",
        ", ".join(s.name for s in point.systems.all()),
        "ja" if point.is_access_review else "nej",
    ]


def _sheet_with_table(sheet: Any, title_rows: list[str], rows: Iterable[list[Any]]) -> None:
    for text in title_rows:
        sheet.append([escape_formula(text)])
    if title_rows:
        sheet["A1"].font = Font(bold=True, size=14)
        sheet.append([])
    sheet.append(EXPORT_HEADINGS)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DCE6F1")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        sheet.append([escape_formula(v) for v in row])
    for position, heading in enumerate(EXPORT_HEADINGS, start=1):
        sheet.column_dimensions[get_column_letter(position)].width = _WIDTHS.get(heading, 18)
    for row in sheet.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)


def _workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_plan(plan: ControlPlan) -> bytes:
    """The plan as an ``.xlsx`` workbook that the import reads back."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Internkontrollplan"
    points = (
        plan.control_points.select_related("owner").prefetch_related("systems").order_by("number")
    )
    title_rows = [str(plan), f"{plan.unit} · {plan.year} · {plan.get_status_display()}"]
    if plan.adoption_decision_id:
        title_rows.append(_("Fastställd: %(decision)s") % {"decision": plan.adoption_decision})
    _sheet_with_table(sheet, title_rows, (point_row(p) for p in points))
    return _workbook_bytes(workbook)


TEMPLATE_EXAMPLE = [
    1,
    "Behörighetshantering",
    "Behörigheter i de prioriterade systemen",
    "Konton för personer som slutat, okända konton och testkonton ligger kvar; obehöriga kommer åt personuppgifter.",
    3,
    4,
    12,
    "Jämför aktiva konton med anställningar i lönesystemet; systemförvaltaren bekräftar test- och externa konton.",
    "Fullständig export av konton matchas mot lönesystemet.",
    "100 %",
    "Angivna månader",
    "juni, december",
    "Systemförvaltare per system",
    "Informationssäkerhetssamordnaren senast 1 mars, sedan nämnden och KS",
    "nej",
    "",
    "nej",
]


def template_workbook(scale: RiskScale) -> bytes:
    """An empty plan with one example row, and a sheet that explains every column."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Internkontrollplan"
    _sheet_with_table(sheet, [], [TEMPLATE_EXAMPLE])
    help_sheet = workbook.create_sheet("Instruktioner")
    frequencies = ", ".join(str(label) for _v, label in ControlPoint.Frequency.choices)
    likelihood = ", ".join(f"{i} = {label}" for i, label in enumerate(scale.likelihood_labels, 1))
    consequence = ", ".join(f"{i} = {label}" for i, label in enumerate(scale.consequence_labels, 1))
    rows = [
        ("Kolumn", "Vad den ska innehålla"),
        ("Nr", "Kontrollpunktens nummer i planen. Tomt: nästa lediga nummer."),
        ("Process/rutin", "Processen eller rutinen som kontrolleras. Obligatorisk kolumn."),
        ("Kontrollpunkt", "Kort namn på kontrollpunkten. Obligatoriskt värde."),
        ("Risk", "Vad som kan gå fel och vad det leder till."),
        ("Sannolikhet", f"Nivå 1–{scale.size} eller dess namn: {likelihood}."),
        ("Konsekvens", f"Nivå 1–{scale.size} eller dess namn: {consequence}."),
        ("Riskvärde", "Räknas ut (sannolikhet × konsekvens). Läses inte vid import."),
        ("Kontrollmoment", "Vad som görs vid kontrollen."),
        ("Kontrollmetod", "Hur kontrollen görs."),
        ("Urval", "Stickprov eller omfattning, t.ex. 100 % eller 10 fakturor."),
        ("Frekvens", f"En av: {frequencies}."),
        ("Månader", "Planerade månader, t.ex. februari, maj, november (eller 2, 5, 11)."),
        ("Kontrollansvarig", "Användarnamn, e-post eller namn på en användare, eller en funktion."),
        ("Rapporteras till", "Vem resultatet rapporteras till."),
        ("Kommungemensam", "ja för en kommungemensam kontrollpunkt, annars nej."),
        ("System", "Berörda system i systemförteckningen, åtskilda med kommatecken."),
        (
            "Behörighetsgranskning",
            "ja om kontrollen görs som behörighetsgranskning mot lönesystemet (valfri kolumn).",
        ),
        ("", ""),
        (
            "CSV",
            "CSV-filer får vara UTF-8 eller Windows-1252 med semikolon eller komma som avgränsare.",
        ),
    ]
    for row in rows:
        help_sheet.append(list(row))
    help_sheet["A1"].font = Font(bold=True)
    help_sheet["B1"].font = Font(bold=True)
    help_sheet.column_dimensions["A"].width = 20
    help_sheet.column_dimensions["B"].width = 100
    return _workbook_bytes(workbook)
