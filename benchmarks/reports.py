"""Benchmark of the board reports: how long rendering takes, and that queries stay constant.

    DATABASE_URL=postgres://… .venv/bin/python benchmarks/reports.py

Builds a scratch municipality inside a transaction that is rolled back at the end (nothing is
left behind): a unit whose internal-control plan has 50 control points (two occurrences each,
deviations, findings and actions), and 1,000 open actions over 250 findings for the action plan.
Then it times collecting + rendering the annual follow-up and the action plan as PDF/A, prints
wall-clock and CPU seconds, pages and queries, and checks the targets (2 s and 5 s on this
machine; a peer GRC tool needs 36.8 s for a PDF of 1,000 findings). The query counts are
measured at two sizes to show they do not grow with the rows.
"""

from __future__ import annotations

import datetime
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from controls.models import ControlOccurrence, ControlPlan, ControlPoint  # noqa: E402
from findings.models import Action, ActionProgress, Finding  # noqa: E402
from organisation.models import Decision, Municipality, OrgUnit, User  # noqa: E402
from reports import documents, rendering  # noqa: E402
from reports.documents import Spec  # noqa: E402

TARGETS = {"annual_follow_up": 2.0, "action_plan": 5.0}


class Rollback(Exception):
    pass


def _scratch() -> tuple[Municipality, OrgUnit, User]:
    muni = Municipality.objects.create(name="Benchmarks kommun", slug="benchmark-scratch")
    root = OrgUnit.objects.create(municipality=muni, kind=OrgUnit.Kind.COUNCIL, name="KF")
    unit = OrgUnit.objects.create(
        municipality=muni,
        parent=root,
        kind=OrgUnit.Kind.COMMITTEE,
        name="Socialnämnden",
        short_code="SN",
    )
    user = User.objects.create(
        username="benchmark-scratch", municipality=muni, first_name="Bänk", last_name="Märk"
    )
    return muni, unit, user


def build_plan(muni: Municipality, unit: OrgUnit, user: User, points: int) -> None:
    decision = Decision.objects.create(
        municipality=muni,
        organ=unit,
        meeting_date=datetime.date(2018, 2, 13),
        paragraph="28",
        dnr="SN/2016:389",
    )
    plan = ControlPlan.objects.create(
        municipality=muni,
        unit=unit,
        year=2017,
        status=ControlPlan.Status.ADOPTED,
        adoption_decision=decision,
        final_report_decision=decision,
    )
    cps = ControlPoint.objects.bulk_create(
        ControlPoint(
            plan=plan,
            number=n,
            title=f"Kontrollpunkt {n}: behörigheter i system {n}",
            process="Behörighetshantering",
            risk_description="Konton för personer som slutat ligger kvar och ger obehörig åtkomst.",
            likelihood=1 + n % 4,
            consequence=1 + (n * 3) % 4,
            control_activity="Jämför aktiva konton med anställningar i lönesystemet.",
            method="Export av konton matchas mot lönesystemet.",
            sample="Samtliga konton",
            frequency=ControlPoint.Frequency.GIVEN_MONTHS,
            planned_months=[6, 12],
            scope=ControlPoint.Scope.MUNICIPALITY_WIDE
            if n % 5 == 0
            else ControlPoint.Scope.UNIT_SPECIFIC,
        )
        for n in range(1, points + 1)
    )
    occs = ControlOccurrence.objects.bulk_create(
        ControlOccurrence(
            control_point=cp,
            period_label=label,
            due_date=datetime.date(2017, month, 28),
            status=ControlOccurrence.Status.DONE,
            performed_date=datetime.date(2017, month, 20),
            outcome=(
                ControlOccurrence.Outcome.MINOR_DEVIATION
                if (cp.number + month) % 3 == 0
                else ControlOccurrence.Outcome.NO_REMARKS
            ),
            checked_what="Kontoexporten jämfördes med lönesystemets personalförteckning.",
        )
        for cp in cps
        for month, label in ((6, "Juni"), (12, "December"))
    )
    deviating = [o for o in occs if o.outcome == ControlOccurrence.Outcome.MINOR_DEVIATION]
    findings = Finding.objects.bulk_create(
        Finding(
            municipality=muni,
            unit=unit,
            title=f"Konton för personer som slutat ({o.pk})",
            description="Tre konton tillhörde personer som slutat.",
            source=Finding.Source.CONTROL,
            occurrence=o,
            is_secret=o.pk % 7 == 0,
            identified_date=datetime.date(2017, 6, 21),
        )
        for o in deviating
    )
    _actions_for(muni, unit, user, findings, per_finding=2)


def _actions_for(muni, unit, user, findings, *, per_finding: int) -> list[Action]:
    statuses = [Action.Status.NOT_STARTED, Action.Status.IN_PROGRESS, Action.Status.DONE]
    actions = Action.objects.bulk_create(
        Action(
            municipality=muni,
            unit=unit,
            title=f"Åtgärd {i + 1} för brist {f.pk}: ta bort kontona",
            owner=user,
            deadline=datetime.date(2026, 1 + i % 12, 28),
            status=statuses[(f.pk + i) % 3] if per_finding == 2 else statuses[(f.pk + i) % 2],
        )
        for f in findings
        for i in range(per_finding)
    )
    through = Action.findings.through
    through.objects.bulk_create(
        through(action_id=a.pk, finding_id=findings[n // per_finding].pk)
        for n, a in enumerate(actions)
    )
    ActionProgress.objects.bulk_create(
        ActionProgress(
            action=a,
            date=datetime.date(2025, 11, 3),
            author=user,
            comment="Kontona är spärrade; borttagning pågår.",
        )
        for a in actions[::2]
    )
    return actions


def build_action_plan(muni, unit, user, actions: int) -> None:
    findings = Finding.objects.bulk_create(
        Finding(
            municipality=muni,
            unit=unit,
            title=f"Brist {n}: lösenordshantering i system {n}",
            description="Samma lösenord förekom på flera servrar.",
            source=Finding.Source.SECURITY_REVIEW,
            is_secret=n % 10 == 0,
            identified_date=datetime.date(2017, 6, 1 + n % 28),
            reference=f"PwC-{n}",
        )
        for n in range(actions // 4)
    )
    _actions_for(muni, unit, user, findings, per_finding=4)


def measure(spec: Spec, user: User) -> dict:
    with CaptureQueriesContext(connection) as queries:
        wall, cpu = time.perf_counter(), time.process_time()
        document = documents.build(spec, as_of=timezone.now(), requested_by=user, version=1)
        html = rendering.render_html(document)
        collected, collected_cpu = time.perf_counter() - wall, time.process_time() - cpu
    pdf = rendering.html_to_pdf(html)
    return {
        "seconds": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "collect": collected,
        "collect_cpu": collected_cpu,
        "pages": pdf.page_count,
        "queries": len(queries),
        "bytes": len(pdf.content),
    }


def warm_up() -> float:
    """The first render in a process loads fonts and C bindings (a worker does it once)."""
    started = time.perf_counter()
    rendering.html_to_pdf(
        '<html lang="sv"><title>x</title><p>Uppvärmning å ä ö <b>fet</b></p>'
        "<table><tr><td>cell</td></tr></table></html>"
    )
    return time.perf_counter() - started


def main() -> int:
    print(
        f"Uppsikt report benchmark — load average {os.getloadavg()[0]:.2f} "
        f"on {os.cpu_count()} CPUs, PDF variant {rendering.settings.REPORTS_PDF_VARIANT}"
    )
    print(f"warm-up (fonts, bindings, stylesheet; once per worker process): {warm_up():.2f} s")
    results: dict[str, dict] = {}
    failed = False
    try:
        with transaction.atomic():
            muni, unit, user = _scratch()
            small_unit = OrgUnit.objects.create(
                municipality=muni,
                parent=unit.parent,
                kind=OrgUnit.Kind.COMMITTEE,
                name="Lilla nämnden",
            )
            build_plan(muni, small_unit, user, points=5)
            build_plan(muni, unit, user, points=50)
            build_action_plan(muni, small_unit, user, actions=40)
            build_action_plan(muni, unit, user, actions=1000)
            cases = [
                (
                    "annual_follow_up",
                    "5 points",
                    Spec(kind="annual_follow_up", unit=small_unit, audience="board", year=2017),
                ),
                (
                    "annual_follow_up",
                    "50 points",
                    Spec(kind="annual_follow_up", unit=unit, audience="board", year=2017),
                ),
                (
                    "action_plan",
                    "40 actions",
                    Spec(kind="action_plan", unit=small_unit, audience="internal"),
                ),
                (
                    "action_plan",
                    "1,000 actions",
                    Spec(kind="action_plan", unit=unit, audience="internal"),
                ),
            ]
            for kind, size, spec in cases:
                r = measure(spec, user)
                results[f"{kind} {size}"] = r
                target = TARGETS[kind] if size in ("50 points", "1,000 actions") else None
                verdict = ""
                if target is not None:
                    ok = r["seconds"] < target
                    failed |= not ok
                    verdict = f"  target < {target:.0f} s: {'OK' if ok else 'MISSED'}"
                print(
                    f"{kind:17} {size:>13}: {r['seconds']:5.2f} s wall, {r['cpu']:5.2f} s CPU "
                    f"(data + HTML {r['collect']:.2f} s, {r['collect_cpu']:.2f} s CPU), "
                    f"{r['pages']:3} pages, "
                    f"{r['queries']:2} queries, {r['bytes'] // 1024} kB{verdict}"
                )
            raise Rollback
    except Rollback:
        pass
    for kind in ("annual_follow_up", "action_plan"):
        small, large = [v["queries"] for k, v in results.items() if k.startswith(kind)]
        print(
            f"{kind}: queries small {small}, large {large} — "
            f"{'constant' if small == large else 'GROWS WITH ROWS'}"
        )
        failed |= small != large
    print("scratch data rolled back")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
