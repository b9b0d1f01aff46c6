"""With a real broker the request only queues the report; a real Celery worker makes the PDF."""

from __future__ import annotations

import time

import pytest
from django.db import connection

from reports import services
from reports.models import Report
from tests.infra.test_celery_worker import celery_worker  # noqa: F401 (the fixture)

GENERATION_SECONDS = 180


@pytest.fixture
def worker_sees_test_data(monkeypatch, settings):
    """The worker process reads the test database and writes where the test reads files."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("UPLOAD_ROOT", settings.STORAGES["default"]["OPTIONS"]["location"])


@pytest.fixture
def reports_worker(worker_sees_test_data, request, monkeypatch):
    """A worker on its own queue; ordered reports are queued there (on commit, as always)."""
    from django.db import transaction

    from reports.tasks import generate_report

    queue = request.getfixturevalue("celery_worker")

    def enqueue(report_id: int) -> None:
        transaction.on_commit(lambda: generate_report.apply_async(args=[report_id], queue=queue))

    monkeypatch.setattr(services, "_enqueue", enqueue)
    return queue


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_generates_the_ordered_report(reports_worker, annual, coordinator):
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a database server it can share with the test")
    from config.celery import app

    assert not app.conf.task_always_eager  # queued on Redis, not run in this process
    report = services.order_report(
        user=coordinator, kind="annual_follow_up", unit=annual.unit, audience="board", year=2017
    )
    assert report.status == Report.Status.PENDING
    deadline = time.monotonic() + GENERATION_SECONDS
    while report.status not in (Report.Status.DONE, Report.Status.FAILED):
        assert time.monotonic() < deadline, "the worker did not finish the report in time"
        time.sleep(0.5)
        report.refresh_from_db()
    assert report.status == Report.Status.DONE, report.error
    with report.file.open("rb") as fh:
        assert fh.read(5) == b"%PDF-"
    assert len(report.sha256) == 64
