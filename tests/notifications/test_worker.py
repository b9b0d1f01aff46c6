"""The daily job on real Celery workers with the real Redis broker.

Two worker processes (``celery -A config worker --pool=solo``) run against the test database.
The daily job is run twice in a row and then twice at once; each reminder must be recorded and
e-mailed exactly once — checked in the database and in the e-mails the workers wrote to disk.
Skipped without Redis locally; fails in CI (``need_service``).
"""

from __future__ import annotations

import datetime
import email
import os
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from config.celery import app as celery_app
from notifications.models import OutgoingEmail, ReminderRecord, ReminderRun
from notifications.tasks import run_daily_reminders
from organisation.models import Role
from tests import factories as f
from tests.conftest import need_service, redis_available
from tests.notifications.scenario import DUE, adopted_plan

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
WORKERS = ("w1", "w2")


@pytest.fixture
def outbox(tmp_path) -> Path:
    path = tmp_path / "outbox"
    path.mkdir()
    return path


@pytest.fixture
def queue() -> str:
    """A queue of its own, so these workers neither steal nor are stolen work on a shared Redis
    (as in tests/infra/test_celery_worker.py). The workers' default queue, so that the tasks
    they queue themselves (dispatch, send) stay on it too."""
    return f"uppsikt-reminders-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def workers(transactional_db, outbox, tmp_path, queue):
    need_service(redis_available(), "Redis (REDIS_URL)")
    settings_dict = connection.settings_dict
    database_url = (
        f"postgres://{settings_dict['USER']}@{settings_dict['HOST'] or '127.0.0.1'}:"
        f"{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"
    )
    if connection.vendor != "postgresql":
        pytest.skip("the worker test shares the test database with other processes: PostgreSQL")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
        "UPPSIKT_TEST_OUTBOX": str(outbox),
        "UPPSIKT_TEST_QUEUE": queue,
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
    }
    celery = Path(sys.executable).with_name("celery")
    processes = []
    for name in WORKERS:
        log = (tmp_path / f"{name}.log").open("w")
        processes.append(
            subprocess.Popen(
                [
                    *(str(celery), "-A", "config", "worker", "--pool=solo"),
                    *(f"--hostname={name}-{queue}@%h", f"--queues={queue}"),
                    *("--without-gossip", "--without-mingle", "--loglevel=INFO"),
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
    # The conftest runs tasks in-process for ordinary tests; these go to the broker.
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        _wait_for_workers(
            [f"{name}-{queue}@{socket.gethostname()}" for name in WORKERS], processes, tmp_path
        )
        yield tmp_path
    finally:
        celery_app.conf.task_always_eager = saved
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for_workers(names: list[str], processes, tmp_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in processes):
            break
        replies = celery_app.control.ping(destination=names, timeout=1.0) or []
        if len(replies) >= len(names):
            return
    logs = "\n".join(p.read_text() for p in tmp_path.glob("w*.log"))
    pytest.fail(f"the Celery workers did not start:\n{logs[-4000:]}")


def _wait_until_sent(logs: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not OutgoingEmail.objects.filter(status=OutgoingEmail.Status.QUEUED).exists():
            return
        time.sleep(0.3)
    text = "\n".join(p.read_text() for p in logs.glob("w*.log"))
    pytest.fail(f"e-mails still queued after {timeout}s; the workers said:\n{text[-6000:]}")


def _read_outbox(outbox: Path) -> list[email.message.Message]:
    messages = []
    separator = "-" * 79
    for path in sorted(outbox.iterdir()):
        for chunk in path.read_text().split(separator):
            if chunk.strip():
                messages.append(email.message_from_string(chunk.strip()))
    return messages


def _make_work(world, owners: int = 12, actions_per_owner: int = 150):
    """Enough items that a run takes a while, so that two runs at once really overlap."""
    from findings.models import Action

    people = [
        f.UserFactory(username=f"agare{i}", municipality=world.municipality) for i in range(owners)
    ]
    coordinator = f.UserFactory(username="samordnare", municipality=world.municipality)
    f.RoleAssignmentFactory(user=coordinator, unit=world.root, role=Role.COORDINATOR)
    Action.objects.bulk_create(
        Action(
            municipality=world.municipality,
            unit=world.sn,
            title=f"Åtgärd {i}-{n}",
            owner=person,
            deadline=DUE + datetime.timedelta(days=(n % 3) * 3),  # due today or in 3 days
        )
        for i, person in enumerate(people)
        for n in range(actions_per_owner)
    )
    point = f.ControlPointFactory(plan=adopted_plan(world.sn), owner=people[0])
    f.ControlOccurrenceFactory(control_point=point, due_date=DUE - datetime.timedelta(days=30))
    return people, coordinator


def test_daily_job_twice_and_twice_at_once_sends_each_reminder_once(world, workers, outbox, queue):
    people, coordinator = _make_work(world)
    day = DUE.isoformat()

    def daily(on: str):
        return run_daily_reminders.apply_async(args=[on], queue=queue)

    # Twice in a row, as a retried task or a second beat would.
    first = daily(day).get(timeout=120)
    second = daily(day).get(timeout=120)
    assert first["records_created"] > 0
    assert second["records_created"] == 0 and second["emails_queued"] == 0
    _wait_until_sent(workers)

    # The next day, twice at the same moment, on two workers.
    next_day = (DUE + datetime.timedelta(days=1)).isoformat()
    both = [daily(next_day), daily(next_day)]
    results = [r.get(timeout=120) for r in both]
    _wait_until_sent(workers)

    runs = list(ReminderRun.objects.filter(run_date=DUE + datetime.timedelta(days=1)))
    assert len(runs) == 2
    a, b = sorted(runs, key=lambda r: r.started_at)
    assert b.started_at < a.finished_at, "the two runs did not overlap; nothing was tested"
    # Each reminder of the day was inserted by exactly one of the two runs.
    assert sum(r["records_created"] for r in results) == (
        ReminderRecord.objects.filter(for_date=DUE + datetime.timedelta(days=1)).count()
    )

    # The database: each reminder once, each in exactly one e-mail, every e-mail sent.
    total = ReminderRecord.objects.count()
    expected = (
        12 * 100  # two thirds of each owner's actions are due today or in 3 days
        + 12 * 50  # the other third, due today: overdue 1 the next day
        + 1  # the occurrence, 30 days overdue: to its owner
        + 1  # and its escalation, to the coordinator
    )
    assert total == expected
    assert not ReminderRecord.objects.filter(email__isnull=True).exists()
    sent = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENT)
    assert sent.count() == OutgoingEmail.objects.count()
    # One e-mail per recipient per day: 12 owners + the coordinator on DUE; 12 owners next day.
    assert sent.count() == 12 + 1 + 12

    # The outbox the workers wrote: every e-mail exactly once.
    messages = _read_outbox(outbox)
    ids = Counter(m["X-Uppsikt-Email-Id"] for m in messages)
    assert len(messages) == sent.count()
    assert all(n == 1 for n in ids.values()), ids.most_common(3)
    assert set(ids) == {str(pk) for pk in sent.values_list("pk", flat=True)}
    per_recipient = Counter(m["To"] for m in messages)
    assert per_recipient[coordinator.email] == 1
    assert all(per_recipient[p.email] == 2 for p in people)
