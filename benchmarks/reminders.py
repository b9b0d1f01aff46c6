"""Benchmark of the daily reminder job: 100,000 actions and 50,000 control occurrences.

    DATABASE_URL=postgres://… python benchmarks/reminders.py [--actions N] [--occurrences N]

Creates a scratch municipality ("Benchmark påminnelser (tillfällig)", slug
``benchmark-paminnelser``) with units, users, roles, adopted plans, occurrences, actions and
board responses, all with ``bulk_create``; runs the daily job confined to that municipality at a
tenth of the size and at full size; prints the seconds and the number of queries of each run
(the count must not grow with the items: on PostgreSQL each table gets one INSERT whatever
its number of rows),
then runs the job again on the same day (it must record nothing new), times the sending of a
sample of the e-mails as a worker would, and deletes everything it made. Nothing is e-mailed:
the e-mails the job queues are not handed to a worker, and the sample goes to Django's locmem
backend. Target: the full run under 10 seconds on PostgreSQL.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from audits.models import Audit, BoardResponse  # noqa: E402
from config.celery import app as celery_app  # noqa: E402
from controls.models import ControlOccurrence, ControlPlan, ControlPoint  # noqa: E402
from findings.models import Action, DeadlinePrecision  # noqa: E402
from notifications import services  # noqa: E402
from notifications.models import (  # noqa: E402
    Notification,
    OutgoingEmail,
    ReminderRecord,
    ReminderRun,
)
from organisation.models import (  # noqa: E402
    Decision,
    Municipality,
    OrgUnit,
    Role,
    RoleAssignment,
    User,
)
from security.models import SecurityEvent  # noqa: E402

UNUSABLE = make_password(None)
SLUG = "benchmark-paminnelser"
NAME = "Benchmark påminnelser (tillfällig)"
SPREAD_DAYS = 45  # due dates within ±45 days of today: about 7 % of items are due each day
COMMITTEES = 20
DIVISIONS_PER_COMMITTEE = 5
USERS = 2000
POINTS_PER_PLAN = 10
TARGET_SECONDS = 10.0


def say(text: str) -> None:
    print(text, flush=True)


def cleanup() -> None:
    """Delete the scratch municipality and everything in it (also after an aborted run)."""
    municipality = Municipality.objects.filter(slug=SLUG).first()
    if municipality is None:
        return
    with transaction.atomic():
        Notification.objects.filter(municipality=municipality).delete()
        run_ids = set(
            ReminderRecord.objects.filter(municipality=municipality).values_list("run", flat=True)
        )
        ReminderRecord.objects.filter(municipality=municipality)._raw_delete(connection.alias)
        OutgoingEmail.objects.filter(municipality=municipality).delete()
        ReminderRun.objects.filter(pk__in=run_ids - {None}).delete()
        BoardResponse.objects.filter(audit__municipality=municipality).delete()
        Audit.objects.filter(municipality=municipality).delete()
        # No progress, evidence, findings or history rows exist for the generated items, so the
        # big tables are deleted without Django collecting cascades row by row.
        Action.objects.filter(municipality=municipality)._raw_delete(connection.alias)
        ControlOccurrence.objects.filter(
            control_point__plan__municipality=municipality
        )._raw_delete(connection.alias)
        ControlPoint.objects.filter(plan__municipality=municipality).delete()
        ControlPlan.objects.filter(municipality=municipality).delete()
        Decision.objects.filter(municipality=municipality).delete()
        RoleAssignment.objects.filter(unit__municipality=municipality).delete()
        OrgUnit.objects.filter(municipality=municipality).update(head=None, parent=None)
        OrgUnit.objects.filter(municipality=municipality).delete()
        # Granting and revoking the generated roles wrote security events of their own; they
        # belong to the scratch municipality and go with it (the app itself never deletes events).
        SecurityEvent.objects.filter(municipality=municipality).delete()
        User.objects.filter(municipality=municipality).delete()
        municipality.delete()


def make_organisation() -> tuple[Municipality, list[OrgUnit], list[OrgUnit], list[User]]:
    municipality = Municipality.objects.create(name=NAME, slug=SLUG)
    root = OrgUnit.objects.create(
        municipality=municipality, kind=OrgUnit.Kind.COUNCIL, name="KF (benchmark)", short_code=""
    )
    committees = [
        OrgUnit.objects.create(
            municipality=municipality, parent=root, kind=OrgUnit.Kind.COMMITTEE, name=f"Nämnd {i}"
        )
        for i in range(COMMITTEES)
    ]
    divisions = [
        OrgUnit.objects.create(
            municipality=municipality,
            parent=committee,
            kind=OrgUnit.Kind.DIVISION,
            name=f"Avdelning {c}.{d}",
        )
        for c, committee in enumerate(committees)
        for d in range(DIVISIONS_PER_COMMITTEE)
    ]
    users = User.objects.bulk_create(
        User(
            username=f"bench-{i}",
            email=f"bench-{i}@benchmark.invalid",
            first_name="Bänk",
            last_name=str(i),
            municipality=municipality,
            password=UNUSABLE,  # nobody signs in as these users
        )
        for i in range(USERS)
    )
    rng = random.Random(42)
    assignments = [
        RoleAssignment(user=users[i], unit=root, role=Role.COORDINATOR) for i in range(3)
    ]
    assignments += [
        RoleAssignment(user=users[10 + i], unit=committee, role=Role.CONTROLLER)
        for i, committee in enumerate(committees)
    ]
    assignments += [
        RoleAssignment(user=users[40 + i], unit=committee, role=Role.COORDINATOR)
        for i, committee in enumerate(committees)
    ]
    RoleAssignment.objects.bulk_create(assignments)
    for unit in [*committees, *divisions]:
        unit.head = users[rng.randrange(100, USERS)]
    OrgUnit.objects.bulk_update([*committees, *divisions], ["head"])
    return municipality, committees, divisions, users


def make_items(
    municipality: Municipality,
    committees: list[OrgUnit],
    divisions: list[OrgUnit],
    users: list[User],
    *,
    actions: int,
    occurrences: int,
    seed: int,
) -> None:
    rng = random.Random(seed)
    today = timezone.localdate()

    def due() -> datetime.date:
        return today + datetime.timedelta(days=rng.randint(-SPREAD_DAYS, SPREAD_DAYS))

    points = list(ControlPoint.objects.filter(plan__municipality=municipality))
    if not points:
        year = today.year
        plans = []
        for committee in committees:
            decision = Decision.objects.create(
                municipality=municipality, organ=committee, meeting_date=today, title="Plan"
            )
            plans.append(
                ControlPlan(
                    municipality=municipality,
                    unit=committee,
                    year=year,
                    status=ControlPlan.Status.ADOPTED,
                    adoption_decision=decision,
                )
            )
        ControlPlan.objects.bulk_create(plans)
        points = ControlPoint.objects.bulk_create(
            ControlPoint(
                plan=plan,
                number=n + 1,
                title=f"Kontrollpunkt {n + 1}",
                likelihood=3,
                consequence=3,
                owner=users[rng.randrange(100, USERS)] if rng.random() < 0.8 else None,
            )
            for plan in plans
            for n in range(POINTS_PER_PLAN)
        )
        audit = Audit.objects.create(
            municipality=municipality,
            title="Granskning (benchmark)",
            body=Audit.Body.ELECTED_AUDITORS,
            kind=Audit.Kind.IN_DEPTH,
            report_date=today - datetime.timedelta(days=60),
            response_deadline=today + datetime.timedelta(days=3),
        )
        audit.addressed_units.set(committees)
        BoardResponse.objects.bulk_create(BoardResponse(audit=audit, unit=c) for c in committees)

    ControlOccurrence.objects.bulk_create(
        (
            ControlOccurrence(control_point=rng.choice(points), due_date=due(), period_label="")
            for _ in range(occurrences)
        ),
        batch_size=5000,
    )
    units = [*committees, *divisions]
    statuses = [Action.Status.NOT_STARTED] * 4 + [Action.Status.IN_PROGRESS] * 3
    statuses += [Action.Status.DONE] * 3

    def action(i: int) -> Action:
        precision = rng.choices(
            [DeadlinePrecision.DAY, DeadlinePrecision.MONTH, DeadlinePrecision.QUARTER],
            weights=[93, 5, 2],
        )[0]
        described = rng.random() < 0.1
        status = rng.choice(statuses)
        return Action(
            municipality=municipality,
            unit=rng.choice(units),
            title=f"Åtgärd {seed}-{i}",
            owner=None if described else users[rng.randrange(100, USERS)],
            owner_description="Förvaltningschefen" if described else "",
            deadline=due(),
            deadline_precision=precision,
            status=status,
            completed_date=today if status == Action.Status.DONE else None,
        )

    Action.objects.bulk_create((action(i) for i in range(actions)), batch_size=5000)


def timed_run(label: str, municipality: Municipality) -> tuple[float, int, object]:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = services.run_reminders(municipality_ids=[municipality.pk], trigger="benchmark")
        seconds = time.perf_counter() - started
    say(
        f"{label}: {seconds:.2f} s, {len(queries)} queries — {result.due_found} due, "
        f"{result.records_created} new reminders, {result.emails_queued} e-mails queued"
    )
    return seconds, len(queries), result


def forget_runs(municipality: Municipality) -> None:
    """Remove what a run made, so the next run finds the same reminders new again."""
    run_ids = set(
        ReminderRecord.objects.filter(municipality=municipality).values_list("run", flat=True)
    )
    Notification.objects.filter(municipality=municipality)._raw_delete(connection.alias)
    ReminderRecord.objects.filter(municipality=municipality)._raw_delete(connection.alias)
    OutgoingEmail.objects.filter(municipality=municipality)._raw_delete(connection.alias)
    ReminderRun.objects.filter(pk__in=run_ids - {None}).delete()


def sample_sending(municipality: Municipality, count: int = 200) -> None:
    """Send a sample of the queued e-mails as the worker would (to locmem), per e-mail cost."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ids = list(
        OutgoingEmail.objects.filter(
            municipality=municipality, status=OutgoingEmail.Status.QUEUED
        ).values_list("pk", flat=True)[:count]
    )
    if not ids:
        return
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        for email_id in ids:
            services.send_reminder_email(email_id=email_id)
        seconds = time.perf_counter() - started
    say(
        f"worker, {len(ids)} e-mails rendered and sent: {seconds:.2f} s "
        f"({1000 * seconds / len(ids):.1f} ms and {len(queries) / len(ids):.1f} queries each)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actions", type=int, default=100_000)
    parser.add_argument("--occurrences", type=int, default=50_000)
    parser.add_argument("--keep", action="store_true", help="keep the scratch data afterwards")
    args = parser.parse_args()

    if connection.vendor != "postgresql":
        say("Warning: not PostgreSQL (set DATABASE_URL); the target is for PostgreSQL.")
    # The e-mails the job queues stay queued: no worker is asked to send them.
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = "memory://"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    cleanup()
    try:
        say(f"Generating a tenth: {args.actions // 10} actions, {args.occurrences // 10} …")
        started = time.perf_counter()
        municipality, committees, divisions, users = make_organisation()
        make_items(
            municipality,
            committees,
            divisions,
            users,
            actions=args.actions // 10,
            occurrences=args.occurrences // 10,
            seed=1,
        )
        say(f"  generated in {time.perf_counter() - started:.1f} s")
        _small_seconds, small_queries, _ = timed_run("daily job, a tenth", municipality)
        forget_runs(municipality)

        rest_actions = args.actions - args.actions // 10
        rest_occurrences = args.occurrences - args.occurrences // 10
        say(f"Generating the rest: {rest_actions} actions, {rest_occurrences} occurrences …")
        started = time.perf_counter()
        make_items(
            municipality,
            committees,
            divisions,
            users,
            actions=rest_actions,
            occurrences=rest_occurrences,
            seed=2,
        )
        say(f"  generated in {time.perf_counter() - started:.1f} s")
        with connection.cursor() as cursor:
            for table in (Action._meta.db_table, ControlOccurrence._meta.db_table):
                cursor.execute(f"ANALYZE {table}")
        say(
            f"Scale: {Action.objects.filter(municipality=municipality).count()} actions, "
            f"{ControlOccurrence.objects.filter(control_point__plan__municipality=municipality).count()} "
            "occurrences"
        )
        seconds, full_queries, _ = timed_run("daily job, full size", municipality)
        again_seconds, again_queries, again = timed_run("same day again", municipality)
        sample_sending(municipality)

        ok = seconds < TARGET_SECONDS and again.records_created == 0
        say(
            f"\nResult: {seconds:.2f} s (target < {TARGET_SECONDS:.0f} s); queries {small_queries} "
            f"at a tenth, {full_queries} at full size; second run {again_seconds:.2f} s, "
            f"{again_queries} queries, {again.records_created} new — "
            f"{'OK' if ok else 'NOT OK'}"
        )
        return 0 if ok else 1
    finally:
        if args.keep:
            say(f"Kept the scratch municipality {NAME!r} (slug {SLUG}).")
        else:
            cleanup()
            say("Cleaned up.")


if __name__ == "__main__":
    sys.exit(main())
