"""Building blocks for the reminder tests: items due on a day, and running the job on a day."""

from __future__ import annotations

import datetime
import zoneinfo

import time_machine
from django.core.management import call_command
from django.test import TestCase

from controls.models import ControlPlan
from notifications.models import ReminderRecord
from tests import factories as f

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
#: A Wednesday, far from the 1 March reporting deadline. Thirty days after: Friday 16 October.
DUE = datetime.date(2026, 9, 16)


def at(day: datetime.date, hour: int = 7) -> time_machine.travel:
    """Travel to ``day`` at 07:00 in Stockholm, when beat runs the job."""
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=STOCKHOLM), tick=False
    )


def run_on(day: datetime.date) -> None:
    """The daily job as the management command runs it, on that day.

    The test's transaction never commits, so the e-mails queued on commit are run here.
    """
    with at(day), TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_reminders", stdout=_Sink())


class _Sink:
    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass


def adopted_plan(unit, year: int = DUE.year) -> ControlPlan:
    decision = f.DecisionFactory(organ=unit)
    return f.ControlPlanFactory(
        unit=unit, year=year, status=ControlPlan.Status.ADOPTED, adoption_decision=decision
    )


def occurrence(unit, *, owner=None, due: datetime.date = DUE, plan=None, **kwargs):
    plan = plan or adopted_plan(unit)
    point = f.ControlPointFactory(plan=plan, owner=owner, title=kwargs.pop("title", "Kontroll"))
    return f.ControlOccurrenceFactory(control_point=point, due_date=due, **kwargs)


def action(unit, *, owner=None, due: datetime.date = DUE, **kwargs):
    if owner is None:
        kwargs.setdefault("owner_description", "IT-chefen")
    return f.ActionFactory(unit=unit, owner=owner, deadline=due, **kwargs)


def response(unit, *, due: datetime.date = DUE, **kwargs):
    audit = f.AuditFactory(
        municipality=unit.municipality,
        report_date=due - datetime.timedelta(days=60),
        response_deadline=due,
        addressed_units=[unit],
    )
    return f.BoardResponseFactory(audit=audit, unit=unit, **kwargs)


def fired(**filters) -> set[tuple[datetime.date, str, int]]:
    """(day, rule, days) of the recorded reminders matching the filters."""
    return set(ReminderRecord.objects.filter(**filters).values_list("for_date", "rule", "days"))
