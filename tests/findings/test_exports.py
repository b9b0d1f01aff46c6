"""Exports of the finding and action lists: the filtered rows, formulas written as text."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests import factories as f

pytestmark = pytest.mark.django_db

EVIL = '=cmd|" /C calc"!A0'


@pytest.fixture
def rows(world, coordinator):
    evil = f.FindingFactory(unit=world.sn, title=EVIL, description="+SUM(1,2)", reference="@ref")
    f.ActionFactory(unit=world.sn, findings=[evil], title="-2+3", owner=coordinator)
    f.FindingFactory(unit=world.bun, title="Vanlig brist", severity="low")
    f.FindingFactory(unit=world.sn, title="Hemlig brist", is_secret=True)
    return evil


def xlsx_rows(response):
    workbook = load_workbook(io.BytesIO(response.content))
    return [[cell.value for cell in row] for row in workbook.active.iter_rows()]


def test_xlsx_export_escapes_formulas(client_for, coordinator, rows):
    response = client_for(coordinator).get(reverse("findings:finding_export", args=["xlsx"]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = xlsx_rows(response)
    assert data[0][:2] == ["Referens", "Rubrik"]
    evil_row = next(r for r in data if r[1] and "cmd" in r[1])
    assert evil_row[0] == "'@ref"
    assert evil_row[1] == "'" + EVIL
    assert evil_row[2] == "'+SUM(1,2)"
    workbook = load_workbook(io.BytesIO(response.content))
    for row in workbook.active.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} is a formula"


def test_csv_export_escapes_formulas_and_respects_filters(client_for, coordinator, rows):
    response = client_for(coordinator).get(
        reverse("findings:finding_export", args=["csv"]), {"severity": "medium"}
    )
    text = response.content.decode("utf-8-sig")
    data = list(csv.reader(io.StringIO(text), delimiter=";"))
    titles = [row[1] for row in data[1:]]
    assert "'" + EVIL in titles
    assert "Vanlig brist" not in titles  # filtered out (low)
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in data for cell in row)


def test_action_export_escapes_formulas(client_for, coordinator, rows):
    response = client_for(coordinator).get(reverse("findings:action_export", args=["xlsx"]))
    data = xlsx_rows(response)
    assert any(r[0] == "'-2+3" for r in data[1:])


def test_board_member_export_leaves_out_secret(client_for, board_member, rows):
    response = client_for(board_member).get(reverse("findings:finding_export", args=["csv"]))
    text = response.content.decode("utf-8-sig")
    assert "Hemlig brist" not in text
    assert "cmd" in text


def test_unknown_format_is_404(client_for, coordinator, rows):
    assert (
        client_for(coordinator).get(reverse("findings:finding_export", args=["pdf"])).status_code
        == 404
    )


def test_export_needs_login(client, rows):
    response = client.get(reverse("findings:finding_export", args=["csv"]))
    assert response.status_code == 302
