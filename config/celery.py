"""The Celery app. Without REDIS_URL the settings make tasks run eagerly in-process."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("uppsikt")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="uppsikt.ping")
def ping() -> str:
    """Answers "pong": used by the health check and by the test that starts a real worker."""
    return "pong"
