"""The report's integrity rules in the database."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from reports.models import Report
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_only_a_done_board_version_can_be_marked_sent(world):
    with pytest.raises(IntegrityError, match="sent_is_done_board_version"), transaction.atomic():
        f.ReportFactory(unit=world.sn, is_sent_to_board=True)  # pending
    with pytest.raises(IntegrityError, match="sent_is_done_board_version"), transaction.atomic():
        f.ReportFactory(
            unit=world.sn,
            audience=Report.Audience.INTERNAL,
            status="done",
            sha256="0" * 64,
            file="reports/report/r.pdf",
            is_sent_to_board=True,
        )


def test_a_done_report_has_a_file_and_a_hash(world):
    with pytest.raises(IntegrityError, match="done_has_file"), transaction.atomic():
        f.ReportFactory(unit=world.sn, status="done", sha256="0" * 64)
    with pytest.raises(IntegrityError, match="done_has_hash"), transaction.atomic():
        f.ReportFactory(unit=world.sn, status="done", file="reports/report/r.pdf")
