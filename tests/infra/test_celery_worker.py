"""A real Celery worker, in its own process, answering through a real Redis broker.

The worker is started exactly as in production (``celery -A config worker``), listening on a
queue of its own so that it neither steals nor is stolen work from any other worker on the same
Redis. Every wait is bounded: the test cannot hang CI.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import need_service, redis_available

BASE_DIR = Path(__file__).resolve().parents[2]
WORKER_READY_SECONDS = 60
RESULT_SECONDS = 30


@pytest.fixture
def celery_worker(tmp_path):
    """Start ``celery -A config worker`` on a fresh queue; yield the queue name; stop it."""
    need_service(redis_available(), "Redis (REDIS_URL)")
    from config.celery import app

    queue = f"uppsikt-test-{uuid.uuid4().hex[:12]}"
    log_path = tmp_path / "worker.log"
    # The worker inspects nothing in the test database; it gets the same environment as the
    # tests (REDIS_URL, DATABASE_URL), as a worker gets the web process's environment.
    with log_path.open("wb") as log:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                f"--queues={queue}",
                f"--hostname={queue}@%h",
            ],
            cwd=BASE_DIR,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        deadline = time.monotonic() + WORKER_READY_SECONDS
        while b"ready." not in log_path.read_bytes():
            if worker.poll() is not None:
                pytest.fail(f"the Celery worker exited early:\n{log_path.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"the Celery worker was not ready in time:\n{log_path.read_text()}")
            time.sleep(0.2)
        yield queue
    finally:
        app.conf.task_always_eager = saved
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=5)


@pytest.mark.celery_worker
def test_a_real_worker_answers_ping_through_redis(celery_worker):
    from config.celery import app, ping

    assert not app.conf.task_always_eager
    assert app.conf.broker_url.startswith("redis://")

    result = ping.apply_async(queue=celery_worker)

    assert result.get(timeout=RESULT_SECONDS) == "pong"
    assert result.successful()
    # The answer came from the worker process, through the result backend in Redis.
    assert result.backend.__class__.__name__ == "RedisBackend"


def test_ordinary_tests_run_tasks_eagerly():
    """Without the worker fixture a task runs in-process, so views that queue tasks still work."""
    from config.celery import app, ping

    assert app.conf.task_always_eager
    assert ping.delay().get(timeout=1) == "pong"
